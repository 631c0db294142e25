package mail

import (
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// Event is a calendar event to attach to a message.
type Event struct {
	// UID is stable for one real-world event, so a changed date updates the
	// same entry in people's calendars instead of adding one.
	UID      string
	Summary  string
	Location string
	// Start and End are instants shown in Zone; when AllDay is set only
	// Start's date counts.
	Start, End time.Time
	Zone       *time.Location
	AllDay     bool
	Organizer  string
	Attendee   string
	// Description and URL are shown with the event in a feed.
	Description string
	URL         string
	// Invite asks for a reply (METHOD:REQUEST); otherwise the event is
	// published for information (METHOD:PUBLISH).
	Invite bool
}

// ICS encodes the event as an iCalendar object (RFC 5545), with a VTIMEZONE
// for timed events so calendars show the city's local time.
func (e Event) ICS(now time.Time) []byte {
	cal := ics.NewCalendar()
	cal.SetProductId("-//La Nuit du Code Citoyen//Suivi//FR")
	if e.Invite {
		cal.SetMethod(ics.MethodRequest)
	} else {
		cal.SetMethod(ics.MethodPublish)
	}
	ev := cal.AddEvent(e.UID)
	ev.SetDtStampTime(now.UTC())
	// Later versions of the same event must carry a higher sequence.
	ev.SetSequence(int(now.Unix()/60 - 29_000_000))
	ev.SetSummary(icsText(e.Summary))
	if e.Location != "" {
		ev.SetLocation(icsText(e.Location))
	}
	if e.AllDay {
		ev.SetAllDayStartAt(e.Start)
		ev.SetAllDayEndAt(e.Start.AddDate(0, 0, 1))
		ev.SetTimeTransparency(ics.TransparencyTransparent)
	} else {
		zone := e.Zone
		if zone == nil {
			zone = time.UTC
		}
		addTimezone(cal, zone, e.Start)
		tz := ics.WithTZID(zone.String())
		ev.SetProperty(ics.ComponentPropertyDtStart, e.Start.In(zone).Format("20060102T150405"), tz)
		ev.SetProperty(ics.ComponentPropertyDtEnd, e.End.In(zone).Format("20060102T150405"), tz)
	}
	if e.Organizer != "" {
		ev.SetOrganizer("mailto:" + e.Organizer)
	}
	if e.Attendee != "" {
		ev.AddAttendee("mailto:"+e.Attendee, ics.CalendarUserTypeIndividual, ics.ParticipationStatusNeedsAction, ics.ParticipationRoleReqParticipant, ics.WithRSVP(true))
	}
	// RFC 5545 lines end with CRLF, whatever the platform.
	return []byte(cal.Serialize(ics.WithNewLineWindows))
}

// addTimezone describes loc around the event: its offset changes in the
// event's year, or its single offset when it has none.
func addTimezone(cal *ics.Calendar, loc *time.Location, at time.Time) {
	addTimezoneSpan(cal, loc, at, at.AddDate(1, 0, 0))
}

// addTimezoneSpan describes loc from the period holding at until to: every
// offset change in between, or its single offset when it has none.
func addTimezoneSpan(cal *ics.Calendar, loc *time.Location, at, to time.Time) {
	tz := cal.AddTimezone(loc.String())
	// Start with the period the first event falls in, so its own offset is
	// described.
	from, _ := at.In(loc).ZoneBounds()
	if from.IsZero() {
		from = at.AddDate(-1, 0, 0)
	}
	from = from.Add(-time.Second)
	prevName, prevOffset := from.In(loc).Zone()
	add := func(daylight bool, local string, from, to int, name string) {
		base := ics.ComponentBase{}
		base.SetProperty(ics.ComponentPropertyDtStart, local)
		base.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), offsetString(from))
		base.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), offsetString(to))
		base.SetProperty(ics.ComponentProperty(ics.PropertyTzname), name)
		if daylight {
			tz.Components = append(tz.Components, &ics.Daylight{ComponentBase: base})
		} else {
			tz.Components = append(tz.Components, &ics.Standard{ComponentBase: base})
		}
	}
	changes := 0
	for t := from.In(loc); t.Before(to); {
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			break
		}
		name, offset := end.Zone()
		if offset != prevOffset {
			// A transition's DTSTART is the local wall time just before it.
			local := end.Add(time.Duration(prevOffset) * time.Second).UTC().Format("20060102T150405")
			add(offset > prevOffset, local, prevOffset, offset, name)
			changes++
		}
		prevName, prevOffset = name, offset
		t = end
	}
	if changes == 0 {
		add(false, "19700101T000000", prevOffset, prevOffset, prevName)
	}
}

func offsetString(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	return fmt.Sprintf("%s%02d%02d", sign, seconds/3600, seconds%3600/60)
}

// Feed encodes many events as one published calendar (RFC 5545,
// METHOD:PUBLISH), such as a person's private feed: one VCALENDAR named
// name (X-WR-CALNAME), one VTIMEZONE per zone covering every timed event in
// it, then the events, each with its stable UID, so a calendar that polls
// the feed updates its entries instead of adding copies. Invite and
// Attendee are ignored: a feed answers no one.
func Feed(name string, events []Event, now time.Time) []byte {
	cal := ics.NewCalendar()
	cal.SetProductId("-//La Nuit du Code Citoyen//Suivi//FR")
	cal.SetMethod(ics.MethodPublish)
	cal.SetXWRCalName(name)
	cal.SetName(name)
	type span struct {
		loc      *time.Location
		from, to time.Time
	}
	var zones []*span
	byName := map[string]*span{}
	for _, e := range events {
		if e.AllDay {
			continue
		}
		zone := e.Zone
		if zone == nil {
			zone = time.UTC
		}
		s, ok := byName[zone.String()]
		if !ok {
			s = &span{loc: zone, from: e.Start, to: e.End}
			byName[zone.String()] = s
			zones = append(zones, s)
		}
		if e.Start.Before(s.from) {
			s.from = e.Start
		}
		if e.End.After(s.to) {
			s.to = e.End
		}
	}
	// Timezones first: readers resolve TZIDs as they go.
	for _, s := range zones {
		addTimezoneSpan(cal, s.loc, s.from, s.to.AddDate(0, 0, 1))
	}
	for _, e := range events {
		ev := cal.AddEvent(e.UID)
		ev.SetDtStampTime(now.UTC())
		ev.SetSummary(icsText(e.Summary))
		if e.Location != "" {
			ev.SetLocation(icsText(e.Location))
		}
		if e.Description != "" {
			ev.SetDescription(icsText(e.Description))
		}
		if e.URL != "" {
			ev.SetURL(e.URL)
		}
		if e.AllDay {
			ev.SetAllDayStartAt(e.Start)
			ev.SetAllDayEndAt(e.Start.AddDate(0, 0, 1))
			ev.SetTimeTransparency(ics.TransparencyTransparent)
			continue
		}
		zone := e.Zone
		if zone == nil {
			zone = time.UTC
		}
		tz := ics.WithTZID(zone.String())
		ev.SetProperty(ics.ComponentPropertyDtStart, e.Start.In(zone).Format("20060102T150405"), tz)
		ev.SetProperty(ics.ComponentPropertyDtEnd, e.End.In(zone).Format("20060102T150405"), tz)
	}
	return []byte(cal.Serialize(ics.WithNewLineWindows))
}

// icsText makes a text value safe for a content line whatever its source:
// every line break (CR, LF, CRLF) becomes one LF, which the encoder writes
// as RFC 5545's "\n" escape; a bare CR would otherwise end the line in
// some readers and let the rest pass for a property.
func icsText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
