package edition

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/codecitoyen/suivi/internal/validate"
)

// validate checks the decoded edition, field by field, and normalises the
// free texts and addresses it accepts (trimmed).
func (d *decoder) validate(e *Edition) {
	d.slug(&e.ID, "id")
	d.text(&e.Name, "name")
	if _, err := loadZone(e.TimeZone); err != nil {
		d.at(&e.TimeZone, "%v", err)
	}
	w := &e.CallForProjects
	closes, closesOK := d.window(w)
	start, startOK, end, endOK := d.weekend(&e.Hackathon)
	if startOK && closesOK && closes.Time().After(DateOf(start).Time()) {
		d.at(&w.Closes, "call_for_projects closes %s, after the hackathon starts (%s)", closes, DateOf(start))
	}
	monthsOK := d.months(&e.AccompanimentMonths)
	d.themes(e.Themes)
	d.cities(e.Cities)

	// Milestones are checked against the hackathon's end and the
	// accompaniment's, when those are known.
	var endDate, accEnd Date
	if endOK {
		endDate = DateOf(end)
		if monthsOK {
			accEnd = endDate.AddMonths(e.AccompanimentMonths)
		}
	}
	d.milestones(e.Milestones, endDate, accEnd)
}

// window checks the call for projects and returns its closing date.
func (d *decoder) window(w *Window) (Date, bool) {
	opens, opensOK := d.date(&w.Opens, "call_for_projects.opens")
	closes, closesOK := d.date(&w.Closes, "call_for_projects.closes")
	if opensOK && closesOK && !opens.Time().Before(closes.Time()) {
		d.at(&w.Closes, "call_for_projects closes (%s) must be after it opens (%s)", closes, opens)
	}
	return closes, closesOK
}

// weekend checks the hackathon and returns its start and end wall times.
func (d *decoder) weekend(h *Weekend) (start time.Time, startOK bool, end time.Time, endOK bool) {
	start, startOK = d.wall(&h.Starts, "hackathon.starts")
	end, endOK = d.wall(&h.Ends, "hackathon.ends")
	switch {
	case !startOK || !endOK:
	case !end.After(start):
		d.at(&h.Ends, "hackathon ends (%s) must be after it starts (%s)", h.Ends, h.Starts)
	case end.Sub(start) > MaxHackathonDays*24*time.Hour:
		d.at(&h.Ends, "hackathon ends (%s) more than %d days after it starts (%s): check the dates", h.Ends, MaxHackathonDays, h.Starts)
	}
	return start, startOK, end, endOK
}

// months checks accompaniment_months.
func (d *decoder) months(n *int) bool {
	if *n < MinAccompanimentMonths || *n > MaxAccompanimentMonths {
		d.at(n, "accompaniment_months must be between %d and %d, not %d", MinAccompanimentMonths, MaxAccompanimentMonths, *n)
		return false
	}
	return true
}

func (d *decoder) themes(themes []Theme) {
	seen := map[string]int{}
	for i := range themes {
		t := &themes[i]
		d.id(&t.ID, "theme", seen)
		d.text(&t.Title, named("theme", t.ID)+": title")
	}
}

func (d *decoder) cities(cities []City) {
	var accepted []*City // valid names so far, for duplicates
	for i := range cities {
		c := &cities[i]
		if d.cityName(c, accepted) {
			accepted = append(accepted, c)
		}
		label := named("city", c.Name)
		if _, err := loadZone(c.TimeZone); err != nil {
			d.at(&c.TimeZone, "%s: %v", label, err)
		}
		if c.Meetup != "" {
			if _, err := ParseRule(c.Meetup); err != nil {
				d.at(&c.Meetup, "%s: meetup rule %s: %v", label, validate.Quote(c.Meetup), err)
			}
		}
		for j := range c.Coordinators {
			if v, err := email(c.Coordinators[j]); err != nil {
				d.at(&c.Coordinators[j], "%s: coordinator %v", label, err)
			} else {
				c.Coordinators[j] = v
			}
		}
	}
}

// cityName checks and trims a city's name, refusing one that Edition.City
// or CitySlug could not tell from an earlier city's: one would shadow the
// other, or share its meetup schedule.
func (d *decoder) cityName(c *City, earlier []*City) bool {
	v, err := textOf("city name", c.Name, MaxCityNameLength)
	if err != nil {
		d.at(&c.Name, "%v", err)
		return false
	}
	for _, o := range earlier {
		if strings.EqualFold(o.Name, v) || CitySlug(o.Name) == CitySlug(v) {
			d.at(&c.Name, "duplicate city %s (first at line %d)", validate.Quote(v), d.lines[&o.Name])
			return false
		}
	}
	c.Name = v
	return true
}

// milestones checks the template; end and accEnd are the hackathon's and
// the accompaniment's end dates, "" when the file leaves them unknown.
func (d *decoder) milestones(ms []Milestone, end, accEnd Date) {
	seen := map[string]int{}
	for i := range ms {
		m := &ms[i]
		d.id(&m.ID, "milestone", seen)
		label := named("milestone", m.ID)
		d.text(&m.Title, label+": title")
		d.due(m, label, end, accEnd)
		if !slices.Contains(evidenceKinds, m.Evidence) {
			d.at(&m.Evidence, "%s: evidence %s must be one of %s", label, validate.Quote(m.Evidence), strings.Join(evidenceKinds, ", "))
		}
	}
}

// due checks a milestone falls within the accompaniment: from the
// hackathon's end to the accompaniment's.
func (d *decoder) due(m *Milestone, label string, end, accEnd Date) {
	if m.Due == "" {
		d.at(&m.Due, "%s: due is required: a date (2027-04-01) or a delay after the hackathon's end (+14d, +2w, +6m)", label)
		return
	}
	du, err := parseDue(m.Due)
	if err != nil {
		d.at(&m.Due, "%s: %v", label, err)
		return
	}
	if end == "" {
		return
	}
	r := du.resolve(end)
	switch {
	case r.Time().Before(end.Time()):
		d.at(&m.Due, "%s: due %s is before the hackathon ends (%s)", label, r, end)
	case accEnd == "" || !r.Time().After(accEnd.Time()):
	case du.abs != "":
		d.at(&m.Due, "%s: due %s is after the accompaniment ends on %s: move it earlier or lengthen accompaniment_months", label, r, accEnd)
	default:
		d.at(&m.Due, "%s: due %s falls on %s, after the accompaniment ends on %s: move it earlier or lengthen accompaniment_months", label, m.Due, r, accEnd)
	}
}

// id checks a theme or milestone id is a slug not seen before; seen maps ids
// to their lines.
func (d *decoder) id(ptr *string, kind string, seen map[string]int) {
	if !d.slug(ptr, kind+" id") {
		return
	}
	if first, dup := seen[*ptr]; dup {
		d.at(ptr, "duplicate %s id %s (first at line %d)", kind, validate.Quote(*ptr), first)
	} else {
		seen[*ptr] = d.lines[ptr]
	}
}

// slug checks an id. validate.Slug decides, but its message repeats the
// whole value, so a bad one is reported here with the value cut.
func (d *decoder) slug(ptr *string, what string) bool {
	v := *ptr
	if v == "" {
		d.at(ptr, "%s is required", what)
		return false
	}
	if len(v) > MaxIDLength || validate.Slug(what, v) != nil {
		d.at(ptr, "%s %s is not a valid slug: use 2 to %d lowercase letters, digits and single hyphens, such as ncc-2027", what, validate.Quote(v), MaxIDLength)
		return false
	}
	return true
}

// text checks both wordings are present and clean, and trims them.
func (d *decoder) text(t *Text, what string) {
	for _, f := range []struct {
		ptr  *string
		lang string
	}{{&t.FR, "fr"}, {&t.EN, "en"}} {
		v, err := textOf(what+"."+f.lang, *f.ptr, MaxTitleLength)
		if err != nil {
			d.at(f.ptr, "%v", err)
		} else {
			*f.ptr = v
		}
	}
}

// textOf checks a required name or title of at most max characters and
// returns it trimmed. Bidirectional formatting characters are refused first,
// with their own message (validate.Text may or may not refuse them, with a
// vaguer one): invisible, they make a name display in another order than it
// is written on every page, email and terminal that shows it.
func textOf(what, v string, max int) (string, error) {
	if err := noBidi(what, v); err != nil {
		return "", err
	}
	return validate.Text(what, v, true, max)
}

func noBidi(what, v string) error {
	if i := strings.IndexFunc(v, validate.IsBidiControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(v[i:])
		return fmt.Errorf("%s contains the invisible bidirectional formatting character U+%04X, which can make it display in another order: remove it", what, r)
	}
	return nil
}

// email checks a coordinator's address. validate.Email decides, but its
// messages repeat the whole value, so they are rewritten with the value cut.
func email(v string) (string, error) {
	t := strings.TrimSpace(v)
	switch {
	case t == "":
		return "", errors.New("email address is required")
	case len(t) > MaxEmailLength:
		return "", fmt.Errorf("email address %s is %d bytes long; the limit is %d", validate.Quote(t), len(t), MaxEmailLength)
	case strings.ContainsFunc(t, validate.Unsafe):
		return "", fmt.Errorf("email address %s contains control or bidirectional formatting characters", validate.Quote(t))
	}
	a, err := validate.Email(t)
	if err != nil {
		return "", fmt.Errorf("%s is not an email address: write it as name@example.org", validate.Quote(t))
	}
	return a, nil
}

// date checks a required civil date of the call for projects.
func (d *decoder) date(ptr *Date, what string) (Date, bool) {
	if *ptr == "" {
		d.at(ptr, "%s is required (YYYY-MM-DD)", what)
		return "", false
	}
	v, err := ParseDate(string(*ptr))
	if err != nil {
		d.at(ptr, "%s: %v", what, err)
		return "", false
	}
	return v, d.year(ptr, what, v.Time())
}

// wall checks a required local wall time "YYYY-MM-DD HH:MM".
func (d *decoder) wall(ptr *string, what string) (time.Time, bool) {
	if *ptr == "" {
		d.at(ptr, "%s is required (YYYY-MM-DD HH:MM, local time)", what)
		return time.Time{}, false
	}
	t, err := parseWall(*ptr)
	if err != nil {
		d.at(ptr, "%s: %v", what, err)
		return time.Time{}, false
	}
	return t, d.year(ptr, what, t)
}

// year keeps an edition's dates between MinYear and MaxYear, so date
// arithmetic on them never leaves the years time.Parse reads back.
func (d *decoder) year(ptr any, what string, t time.Time) bool {
	if y := t.Year(); y < MinYear || y > MaxYear {
		d.at(ptr, "%s: year %d is out of range: an edition's dates are between %d and %d", what, y, MinYear, MaxYear)
		return false
	}
	return true
}

// named labels a theme, city or milestone in messages, even a nameless one,
// and quotes (and cuts) a name that is too long or holds characters a
// terminal would act on.
func named(kind, id string) string {
	if id == "" {
		return kind
	}
	if utf8.RuneCountInString(id) > validate.QuoteLimit || strings.ContainsFunc(id, validate.Unsafe) || !utf8.ValidString(id) {
		return kind + " " + validate.Quote(id)
	}
	return kind + " " + id
}
