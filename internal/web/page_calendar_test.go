package web_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/codecitoyen/suivi/internal/web"
)

// python is Debian's Python 3, which has python3-icalendar when installed.
const python = "/usr/bin/python3"

// icalendarReader parses a feed with Python's icalendar (an independent
// reader of RFC 5545) and prints what it understood, as JSON.
const icalendarReader = `
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
out = {"method": str(cal.get("method")), "name": str(cal.get("x-wr-calname")), "events": [], "zones": []}
for c in cal.walk():
    if c.name == "VTIMEZONE":
        out["zones"].append(str(c.get("tzid")))
    if c.name == "VEVENT":
        start = c.decoded("dtstart")
        out["events"].append({"uid": str(c.get("uid")), "summary": str(c.get("summary")),
            "start": start.isoformat(), "allday": not hasattr(start, "hour"),
            "tzid": str(c.get("dtstart").params.get("TZID", ""))})
print(json.dumps(out))
`

// parseICS reads a feed with Python's icalendar. A missing module skips
// the test on a developer's machine and fails it under CI=true (.ci/run
// must install python3-icalendar).
func parseICS(t *testing.T, data string) (feed struct {
	Method, Name string
	Zones        []string
	Events       []struct {
		UID, Summary, Start, TZID string
		AllDay                    bool
	}
}) {
	t.Helper()
	if err := exec.Command(python, "-c", "import icalendar").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s cannot import icalendar (%v): install python3-icalendar", python, err)
		}
		t.Skipf("%s cannot import icalendar (apt-get install python3-icalendar): %v", python, err)
	}
	path := filepath.Join(t.TempDir(), "feed.ics")
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-c", icalendarReader, path).CombinedOutput()
	if err != nil {
		t.Fatalf("icalendar refused the feed: %v\n%s\n%s", err, out, data)
	}
	if err := json.Unmarshal(out, &feed); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return feed
}

var feedURLRE = regexp.MustCompile(`value="(http://[^"]+/calendar/(c_[A-Za-z0-9_-]{43})\.ics)"`)

// newFeed makes r's private feed from the settings page and returns its
// address's path.
func (f *site) newFeed(t *testing.T, r persona) (path, secret string) {
	t.Helper()
	a := f.form(t, r, "/settings/calendar", "", "en")
	m := feedURLRE.FindStringSubmatch(a.body)
	if a.status != http.StatusCreated || m == nil {
		t.Fatalf("creating the feed: %d, no address in the page", a.status)
	}
	return strings.TrimPrefix(m[1], f.srv.URL), m[2]
}

// The private feed is one iCalendar of the person's steps (all-day) and
// their cities' next meetups (timed, with the zone), that Python's
// icalendar reads; a wrong, rotated or revoked secret is a 404.
func TestCalendarFeed(t *testing.T) {
	f := newSite(t, nil)
	path, secret := f.newFeed(t, pMentor)
	if a := f.page(t, pMentor, "/settings", "en"); strings.Contains(a.body, secret) || !strings.Contains(a.body, "You have a private calendar") {
		t.Error("the settings page shows the feed's secret again, or not that there is one")
	}
	a := f.page(t, pAnon, path, "")
	if a.status != http.StatusOK || !strings.HasPrefix(a.ctype, "text/calendar") {
		t.Fatalf("the feed: %d %s %.200s", a.status, a.ctype, a.body)
	}
	if strings.Count(a.body, "\r\n") < 20 || strings.Contains(strings.ReplaceAll(a.body, "\r\n", ""), "\n") {
		t.Error("the feed's lines do not all end with CRLF")
	}
	feed := parseICS(t, a.body)
	if feed.Method != "PUBLISH" || !strings.Contains(feed.Name, "Suivi") || !slices.Contains(feed.Zones, "Europe/Paris") {
		t.Errorf("the feed: method %q, name %q, zones %v", feed.Method, feed.Name, feed.Zones)
	}
	var steps, meetups []string
	uids := map[string]bool{}
	for _, e := range feed.Events {
		if uids[e.UID] {
			t.Errorf("UID %s twice", e.UID)
		}
		uids[e.UID] = true
		switch {
		case strings.HasPrefix(e.UID, "milestone-"):
			steps = append(steps, e.UID)
			if !e.AllDay {
				t.Errorf("step %s is not all-day: %s", e.UID, e.Start)
			}
		case strings.HasPrefix(e.UID, "meetup-"):
			meetups = append(meetups, e.UID)
			if e.AllDay || e.TZID != "Europe/Paris" || !strings.HasSuffix(e.Start, "T19:00:00+02:00") && !strings.HasSuffix(e.Start, "T19:00:00+01:00") {
				t.Errorf("meetup %s: %s %s", e.UID, e.Start, e.TZID)
			}
		}
	}
	slices.Sort(steps)
	if want := []string{"milestone-ncc-2027-demoscampi-demo@suivi", "milestone-ncc-2027-demoscampi-explainer-video@suivi"}; !slices.Equal(steps, want) {
		t.Errorf("steps %v, want %v (the mentor's program only)", steps, want)
	}
	// Lyon meets on the first Tuesday at 19:00; the fixture's clock is
	// 1 April 2027, so the next is 6 April.
	if len(meetups) != 12 || meetups[0] != "meetup-ncc-2027-lyon-2027-04@suivi" {
		t.Errorf("meetups %v", meetups)
	}
	// The same feed twice is the same events: calendars update, not add.
	if b := f.page(t, pAnon, path, ""); stripStamps(b.body) != stripStamps(a.body) {
		t.Error("the feed changes between two reads")
	}

	// Rotating ends the old address; revoking ends the new one.
	path2, _ := f.newFeed(t, pMentor)
	if a := f.page(t, pAnon, path, ""); a.status != http.StatusNotFound {
		t.Errorf("a rotated feed: %d", a.status)
	}
	if a := f.page(t, pAnon, path2, ""); a.status != http.StatusOK {
		t.Errorf("the new feed: %d", a.status)
	}
	if a := f.form(t, pMentor, "/settings/calendar/revoke", "", "en"); a.status != http.StatusSeeOther {
		t.Errorf("revoke: %d", a.status)
	}
	for _, p := range []string{path2, "/calendar/c_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics", "/calendar/" + secret, "/calendar/suivi_x.ics", "/calendar/"} {
		if a := f.page(t, pAnon, p, ""); a.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, a.status)
		}
	}

	// A holder's feed: their program's steps; a funder's: nothing.
	hp, _ := f.newFeed(t, pHolder)
	if feed := parseICS(t, f.page(t, pAnon, hp, "").body); len(feed.Events) != 14 {
		t.Errorf("the holder's feed has %d events, want 2 steps and 12 meetups", len(feed.Events))
	}
	fp, _ := f.newFeed(t, pFunder)
	if feed := parseICS(t, f.page(t, pAnon, fp, "").body); len(feed.Events) != 0 {
		t.Errorf("the funder's feed has %d events", len(feed.Events))
	}
}

// The feed's secret is its only key: the request log never holds it.
func TestCalendarSecretStaysOutOfTheLog(t *testing.T) {
	var logs lockedLog
	f := newSite(t, func(d *web.Deps) {
		d.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	path, secret := f.newFeed(t, pMentor)
	if a := f.page(t, pAnon, path, ""); a.status != http.StatusOK {
		t.Fatalf("the feed: %d", a.status)
	}
	f.page(t, pAnon, strings.Replace(path, secret[:10], "c_XXXXXXXX", 1), "")
	f.srv.Close()
	out := logs.String()
	if !strings.Contains(out, `"path":"/calendar/(secret).ics"`) {
		t.Errorf("the feed's request is not logged as expected:\n%s", out)
	}
	if strings.Contains(out, secret) || strings.Contains(out, secret[2:]) {
		t.Error("the log holds the feed's secret")
	}
}

// lockedLog is a log destination safe for the server's goroutines.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

var stampRE = regexp.MustCompile(`DTSTAMP:[0-9TZ]+\r\n`)

func stripStamps(s string) string { return stampRE.ReplaceAllString(s, "") }
