package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/store"
)

// feedMeetups is how many upcoming meetups of each city a feed lists.
const feedMeetups = 12

// calendarFeed is a person's private iCalendar feed, found by the secret in
// its address (auth.FeedPrefix, looked up by hash): the due dates of the
// steps of the programs they hold or mentor, as all-day events, and the
// next meetups of those programs' cities. A wrong or revoked secret is a
// 404, like any unknown address.
func (h *handler) calendarFeed(w http.ResponseWriter, r *http.Request) {
	// The secret is the feed's only key: logRequests never writes it.
	secret, ok := feedSecret(r.PathValue("file"))
	if !ok {
		h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "no calendar here"})
		return
	}
	ctx := r.Context()
	email, err := h.Store.CalendarFeedOwner(ctx, auth.Hash(secret))
	if errors.Is(err, store.ErrNotFound) {
		h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "no calendar here"})
		return
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	who, err := h.Store.Person(ctx, email)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	person, err := h.Store.GetPerson(ctx, email)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	l := person.Locale
	list, err := h.Store.ListPrograms(ctx, store.ProgramFilter{})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	now := h.now()
	eds := h.editions(ctx)
	base := h.baseURL(r)
	var events []mail.Event
	type seat struct{ edition, city string }
	var cities []seat
	for _, row := range list {
		ap := &auth.Program{Edition: row.Edition, Project: row.Project, City: row.City, Phase: row.Phase,
			Holders: row.Holders, Mentors: row.Mentors}
		roles := who.Roles(ap)
		if !auth.Can(who, auth.ViewProgram, ap) || (!slices.Contains(roles, auth.Holder) && !slices.Contains(roles, auth.Mentor)) {
			continue
		}
		if row.Phase == "rejected" || row.Phase == "withdrawn" {
			// Nothing is due there any more.
			continue
		}
		p, err := h.Store.GetProgram(ctx, row.Edition, row.Project)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		for _, m := range p.Milestones {
			due := edition.Date(m.Due).Time()
			if due.IsZero() {
				continue
			}
			title := m.TitleFR
			if l == "en" && m.TitleEN != "" {
				title = m.TitleEN
			}
			events = append(events, mail.Event{
				// The same UID as the reminders' attachments: one entry
				// per step in people's calendars.
				UID:     fmt.Sprintf("milestone-%s-%s-%s@suivi", p.Edition, p.Project, m.ID),
				Summary: p.Name + " — " + title, Start: due, AllDay: true,
				Description: tr(l, "status."+m.Status), URL: base + "/programs/" + p.Edition + "/" + p.Project,
			})
		}
		if s := (seat{p.Edition, p.City}); p.City != "" && p.Active() && !slices.Contains(cities, s) {
			cities = append(cities, s)
		}
	}
	for _, s := range cities {
		ed, err := eds.get(s.edition)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if ed == nil {
			continue
		}
		events = append(events, meetupEvents(ed, s.city, now, feedMeetups)...)
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="suivi.ics"`)
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(mail.Feed(tr(l, "feed.name"), events, now))
}

// meetupEvents are a city's next n monthly meetups after now, at the rule's
// hour in the city's zone, with the invitations' UIDs.
func meetupEvents(ed *edition.Edition, cityName string, now time.Time, n int) []mail.Event {
	c, ok := ed.City(cityName)
	if !ok || c.Meetup == "" {
		return nil
	}
	rule, err := edition.ParseRule(c.Meetup)
	if err != nil {
		return nil
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil
	}
	var out []mail.Event
	month := time.Date(now.In(loc).Year(), now.In(loc).Month(), 1, 0, 0, 0, 0, loc)
	for i := 0; len(out) < n && i < n+1; i++ {
		m := month.AddDate(0, i, 0)
		d := rule.Date(m.Year(), m.Month()).Time()
		if d.IsZero() {
			continue
		}
		at := time.Date(d.Year(), d.Month(), d.Day(), rule.Hour, rule.Minute, 0, 0, loc)
		if !at.After(now) {
			continue
		}
		out = append(out, mail.Event{
			UID:     fmt.Sprintf("meetup-%s-%s-%s@suivi", ed.ID, edition.CitySlug(c.Name), at.Format("2006-01")),
			Summary: "Petite Nuit du Code Citoyen — " + c.Name, Location: c.Name,
			Start: at, End: at.Add(2 * time.Hour), Zone: loc,
		})
	}
	return out
}
