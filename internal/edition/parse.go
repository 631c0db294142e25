package edition

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/codecitoyen/suivi/internal/validate"
)

// LineError is one problem in an edition file, with the line to look at.
type LineError struct {
	Line int // 0 when the YAML parser gave no line
	Msg  string
}

// Error formats the problem as "line N: msg", the form editors jump to.
func (e LineError) Error() string {
	if e.Line <= 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// ErrorList is every problem found in an edition file, sorted by line, so a
// coordinator fixes them all in one pass instead of one per run.
type ErrorList []LineError

// Error joins the problems with newlines, one per line of output.
func (l ErrorList) Error() string {
	return strings.Join(l.Strings(), "\n")
}

// Strings returns one message per problem, for a list in JSON or a terminal.
func (l ErrorList) Strings() []string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return msgs
}

// yamlLineRE picks the line out of a yaml.v3 syntax error such as
// "yaml: line 3: mapping values are not allowed in this context".
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(err error) ErrorList {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return ErrorList{{Line: line, Msg: "YAML syntax: " + m[2]}}
	}
	return ErrorList{{Msg: "YAML syntax: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
}

// Parse reads and checks an edition file. Unknown keys are errors, so a typo
// such as "acompaniment_months" cannot silently fall back to a default. On
// any problem it returns a nil Edition and an ErrorList with every problem
// found, sorted by line.
func Parse(data []byte) (*Edition, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrorList{{Line: 1, Msg: "the file is empty: an edition needs at least id, name, time_zone, call_for_projects, hackathon, accompaniment_months and milestones"}}
		}
		return nil, syntaxError(err)
	}
	// A second document would be ignored by the decoder; say so instead.
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, syntaxError(err)
		}
		return nil, ErrorList{{Line: extra.Line, Msg: "a second YAML document: an edition file holds exactly one edition"}}
	}

	d := &decoder{lines: map[any]int{}, failed: map[any]bool{}}
	var e Edition
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	d.decode(root, reflect.ValueOf(&e).Elem(), "")
	d.validate(&e)
	if len(d.errs) > 0 {
		sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].Line < d.errs[j].Line })
		return nil, d.errs
	}
	return &e, nil
}

// decoder walks a yaml.Node tree into Go values guided by their yaml tags,
// collecting every problem rather than stopping at the first, and records the
// line each field came from so validation can point at it.
type decoder struct {
	errs ErrorList
	// lines maps a pointer to a decoded field (such as &e.Cities[2].TimeZone)
	// to the line of its value, or of its parent when the file leaves it out.
	lines map[any]int
	// failed holds fields whose value had the wrong shape: they were already
	// reported, so validation stays quiet about them.
	failed map[any]bool
}

func (d *decoder) errorf(line int, format string, args ...any) {
	d.errs = append(d.errs, LineError{Line: line, Msg: fmt.Sprintf(format, args...)})
}

// at reports a problem with the field ptr points to, at its line.
func (d *decoder) at(ptr any, format string, args ...any) {
	if !d.failed[ptr] {
		d.errorf(d.lines[ptr], format, args...)
	}
}

// fail reports a value of the wrong shape and silences later checks on it
// and on everything inside it.
func (d *decoder) fail(v reflect.Value, line int, format string, args ...any) {
	d.errorf(line, format, args...)
	d.walkFields(v, func(ptr any) { d.failed[ptr] = true })
}

// walkFields calls f with a pointer to v and to each field nested in it.
func (d *decoder) walkFields(v reflect.Value, f func(ptr any)) {
	f(v.Addr().Interface())
	if v.Kind() == reflect.Struct {
		for i := range v.NumField() {
			d.walkFields(v.Field(i), f)
		}
	}
}

// decode fills v, which must be addressable, from n; path names the value in
// messages ("cities.time_zone").
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	// Fields the file leaves out point at their parent's line.
	d.walkFields(v, func(ptr any) { d.lines[ptr] = n.Line })
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "key:" with no value: the zero value, for validation to judge
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(v, n.Line, "%s must be a list (lines starting with \"- \"), not %s", name(path), describe(n))
			return
		}
		if len(n.Content) == 0 {
			return // nil, like an absent key, so both hash the same
		}
		v.Set(reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content)))
		for i, c := range n.Content {
			d.decode(c, v.Index(i), path)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(v, n.Line, "%s must be a single value, not %s", name(path), describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		var i int
		if n.Kind != yaml.ScalarNode || n.Decode(&i) != nil {
			d.fail(v, n.Line, "%s must be a whole number, not %s", name(path), describe(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
			d.fail(v, n.Line, "%s must be true or false, not %s", name(path), describe(n))
			return
		}
		v.SetBool(b)
	default:
		panic(fmt.Sprintf("edition: no YAML decoding for %s", v.Type())) // a new field type needs a case here
	}
}

// decodeStruct fills a struct from a mapping, accepting exactly the keys
// named by the struct's yaml tags.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(v, n.Line, "%s must be a mapping of keys to values, not %s", name(path), describe(n))
		return
	}
	t := v.Type()
	fields := map[string]int{}
	keys := make([]string, t.NumField())
	for i := range t.NumField() {
		keys[i], _, _ = strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		fields[keys[i]] = i
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		f, ok := fields[k.Value]
		if !ok {
			d.errorf(k.Line, "unknown field %q in %s: the fields here are %s", k.Value, name(path), strings.Join(keys, ", "))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k.Line, "field %q appears twice in %s (first at line %d)", k.Value, name(path), first)
			continue
		}
		seen[k.Value] = k.Line
		d.decode(val, v.Field(f), strings.TrimPrefix(path+"."+k.Value, "."))
	}
}

// name turns a path into words for a message.
func name(path string) string {
	if path == "" {
		return "the edition"
	}
	return path
}

// describe says what a node holds, for "must be X, not Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return strconv.Quote(n.Value)
	}
}

// named labels a theme, city or milestone in messages, even a nameless one.
func named(kind, id string) string {
	if id == "" {
		return kind
	}
	return kind + " " + id
}

// validate checks the decoded edition, field by field, and normalises the
// free texts and addresses it accepts (trimmed).
func (d *decoder) validate(e *Edition) {
	if err := validate.Slug("id", e.ID); err != nil {
		d.at(&e.ID, "%v", err)
	}
	d.text(&e.Name, "name")
	if _, err := loadZone(e.TimeZone); err != nil {
		d.at(&e.TimeZone, "%v", err)
	}

	w := &e.CallForProjects
	opens, opensOK := d.date(&w.Opens, "call_for_projects.opens")
	closes, closesOK := d.date(&w.Closes, "call_for_projects.closes")
	if opensOK && closesOK && !opens.Time().Before(closes.Time()) {
		d.at(&w.Closes, "call_for_projects closes (%s) must be after it opens (%s)", closes, opens)
	}

	h := &e.Hackathon
	start, startOK := d.wall(&h.Starts, "hackathon.starts")
	end, endOK := d.wall(&h.Ends, "hackathon.ends")
	if startOK && endOK && !end.After(start) {
		d.at(&h.Ends, "hackathon ends (%s) must be after it starts (%s)", h.Ends, h.Starts)
	}
	if startOK && closesOK && closes.Time().After(DateOf(start).Time()) {
		d.at(&w.Closes, "call_for_projects closes %s, after the hackathon starts (%s)", closes, DateOf(start))
	}

	if e.AccompanimentMonths < 1 || e.AccompanimentMonths > 60 {
		d.at(&e.AccompanimentMonths, "accompaniment_months must be between 1 and 60, not %d", e.AccompanimentMonths)
	}

	themes := map[string]int{}
	for i := range e.Themes {
		t := &e.Themes[i]
		d.id(&t.ID, "theme", themes)
		d.text(&t.Title, named("theme", t.ID)+": title")
	}

	cities := map[string]int{}
	for i := range e.Cities {
		c := &e.Cities[i]
		if v, err := validate.Text("city name", c.Name, true, 100); err != nil {
			d.at(&c.Name, "%v", err)
		} else if first, dup := cities[strings.ToLower(v)]; dup {
			d.at(&c.Name, "duplicate city %q (first at line %d)", v, first)
		} else {
			c.Name = v
			cities[strings.ToLower(v)] = d.lines[&c.Name]
		}
		label := named("city", c.Name)
		if _, err := loadZone(c.TimeZone); err != nil {
			d.at(&c.TimeZone, "%s: %v", label, err)
		}
		if c.Meetup != "" {
			if _, err := ParseRule(c.Meetup); err != nil {
				d.at(&c.Meetup, "%s: meetup rule %q: %v", label, c.Meetup, err)
			}
		}
		for j := range c.Coordinators {
			if v, err := validate.Email(c.Coordinators[j]); err != nil {
				d.at(&c.Coordinators[j], "%s: coordinator %v", label, err)
			} else {
				c.Coordinators[j] = v
			}
		}
	}

	milestones := map[string]int{}
	for i := range e.Milestones {
		m := &e.Milestones[i]
		d.id(&m.ID, "milestone", milestones)
		label := named("milestone", m.ID)
		d.text(&m.Title, label+": title")
		switch du, err := parseDue(m.Due); {
		case m.Due == "":
			d.at(&m.Due, "%s: due is required: a date (2027-04-01) or a delay after the hackathon's end (+14d, +2w, +6m)", label)
		case err != nil:
			d.at(&m.Due, "%s: %v", label, err)
		case endOK:
			endDate := DateOf(end)
			if r := du.resolve(endDate); r.Time().Before(endDate.Time()) {
				d.at(&m.Due, "%s: due %s is before the hackathon ends (%s)", label, r, endDate)
			}
		}
		if !slices.Contains(evidenceKinds, m.Evidence) {
			d.at(&m.Evidence, "%s: evidence %q must be one of %s", label, m.Evidence, strings.Join(evidenceKinds, ", "))
		}
	}
}

// id checks a theme or milestone id is a slug not seen before; seen maps ids
// to their lines.
func (d *decoder) id(ptr *string, kind string, seen map[string]int) {
	if err := validate.Slug(kind+" id", *ptr); err != nil {
		d.at(ptr, "%v", err)
	} else if first, dup := seen[*ptr]; dup {
		d.at(ptr, "duplicate %s id %q (first at line %d)", kind, *ptr, first)
	} else {
		seen[*ptr] = d.lines[ptr]
	}
}

// text checks both wordings are present and clean, and trims them.
func (d *decoder) text(t *Text, what string) {
	for _, f := range []struct {
		ptr  *string
		lang string
	}{{&t.FR, "fr"}, {&t.EN, "en"}} {
		if v, err := validate.Text(what+"."+f.lang, *f.ptr, true, 200); err != nil {
			d.at(f.ptr, "%v", err)
		} else {
			*f.ptr = v
		}
	}
}

// date checks a required civil date.
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
	return v, true
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
	return t, true
}
