package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The dashboard says what needs a coordinator: overdue steps, undelivered
// emails, licences, activity, and the week's emails, each previewable as
// its recipient will read it.
func TestDashboardShowsWhatNeedsCoordinators(t *testing.T) {
	f := newSite(t, nil)
	addRich(t, f)
	a := f.page(t, pLyon, "/dashboard", "en")
	if a.status != http.StatusOK {
		t.Fatalf("dashboard: %d", a.status)
	}
	section := func(id string) string {
		i := strings.Index(a.body, `<h2 id="`+id+`">`)
		if i < 0 {
			t.Fatalf("no section %s", id)
		}
		rest := a.body[i+1:]
		if j := strings.Index(rest, "<h2 "); j >= 0 {
			rest = rest[:j]
		}
		return rest
	}
	for id, has := range map[string][]string{
		// The demo of demoscampi (due 7 March) and the submitted demo of
		// the script-named program are overdue; the reviewed one is not.
		"overdue": {"Demo", "Démocratie et crustacés", "7 March 2027", "submitted, to review"},
		// The failed email, with the server's reason, as text.
		"undelivered": {"holder@example.org", "Overdue (week 2)", "failed", "550 no such user &#34;&gt;&lt;img"},
		// 4 April: week 4 overdue to the holder and the coordinators'
		// escalation; 6 and 7 April: the video's reminders.
		"planned": {"2027-04-04 09:00", "Overdue (week 4)", "Alert to the coordinators", "coordination-lyon@nuitducodecitoyen.example",
			"Reminder, the day before", "Reminder, on the day", "2027-04-07 09:00",
			"/dashboard/preview?edition=ncc-2027&amp;project=demoscampi&amp;kind=due-today&amp;milestone=explainer-video&amp;due=2027-04-07&amp;to=holder%40example.org"},
		"programs": {`<svg class="spark"`, "40 in 12 weeks", "not checked yet", "/actions/assign-mentor", "/actions/select", "/actions/pause"},
	} {
		s := section(id)
		for _, want := range has {
			if !strings.Contains(s, want) {
				t.Errorf("dashboard %s: no %q", id, want)
			}
		}
	}
	// Nothing of a paused or applied program is planned, nor of another city.
	if strings.Contains(section("planned"), "Candidat") || strings.Contains(a.body, "Autre projet") {
		t.Error("the plan lists a program that sends nothing, or another city's")
	}

	// The preview renders the real template in the recipient's language.
	q := url.Values{"edition": {"ncc-2027"}, "project": {"demoscampi"}, "kind": {"escalate-coordinators"}, "milestone": {"demo"},
		"due": {"2027-03-07"}, "to": {"coordination-lyon@nuitducodecitoyen.example"}}
	p := f.page(t, pLyon, "/dashboard/preview?"+q.Encode(), "en")
	if p.status != http.StatusOK || !strings.Contains(p.body, "Démocratie et crustacés") || !strings.Contains(p.body, "28") ||
		!strings.Contains(p.body, `<iframe class="mail" sandbox=""`) || !strings.Contains(p.body, "Français") {
		t.Errorf("preview: %d", p.status)
	}
	if !strings.Contains(p.header.Get("Content-Security-Policy"), "'unsafe-inline'") || strings.Contains(p.header.Get("Content-Security-Policy"), "script-src") {
		t.Errorf("preview's policy: %s", p.header.Get("Content-Security-Policy"))
	}
	if strings.Contains(p.body, "/prefs?t=") {
		t.Error("the preview holds someone's signed preferences link")
	}
	for name, bad := range map[string]url.Values{
		"a kind never planned": {"kind": {"login-link"}},
		"someone else":         {"to": {"stranger@example.org"}},
		"an unknown step":      {"milestone": {"nope"}},
		"a bad date":           {"due": {"7 mars"}},
	} {
		b := url.Values{}
		for k, v := range q {
			b[k] = v
		}
		for k, v := range bad {
			b[k] = v
		}
		if p := f.page(t, pLyon, "/dashboard/preview?"+b.Encode(), "en"); p.status != http.StatusBadRequest {
			t.Errorf("preview of %s: %d", name, p.status)
		}
	}
	// Another city's coordinator has no such program; a mentor no dashboard.
	if p := f.page(t, pTunis, "/dashboard/preview?"+q.Encode(), "en"); p.status != http.StatusNotFound {
		t.Errorf("Tunis's preview of a Lyon program: %d", p.status)
	}
	if p := f.page(t, pMentor, "/dashboard/preview?"+q.Encode(), "en"); p.status != http.StatusNotFound {
		t.Errorf("a mentor's preview: %d", p.status)
	}
}

// The program page: phases from the audit log, steps, activity, licence,
// meetups, emails and audit log for the program's people only.
func TestProgramPageShowsTheWholeProgram(t *testing.T) {
	f := newSite(t, nil)
	addRich(t, f)
	a := f.page(t, pMentor, "/programs/ncc-2027/xss-script", "en")
	for _, want := range []string{
		// Phases, in order, with who moved them.
		"<strong>applied</strong>", "<strong>selected</strong>", "(lyon@example.org)", "<strong>accompaniment</strong>",
		// Steps: the review needs no deliverable; the submitted one waits.
		"nothing to hand in: a mentor checks it", "submitted, to review", "/actions/complete",
		// Activity and licence.
		`<svg class="spark"`, "Bus factor", "codecitoyen/xss", "not checked yet",
		// Meetups, emails, audit log.
		"2027-03", "mentor@example.org", "Overdue (week 2)", "failed", "phase:accompaniment", "Audit log",
	} {
		if !strings.Contains(a.body, want) {
			t.Errorf("program page: no %q", want)
		}
	}
	if i, j := strings.Index(a.body, "<strong>applied</strong>"), strings.Index(a.body, "<strong>accompaniment</strong>"); i < 0 || j < i {
		t.Error("the phases are not in order")
	}
	// The funder reads the project, not its people's emails.
	b := f.page(t, pFunder, "/programs/ncc-2027/demoscampi", "en")
	if b.status != http.StatusOK || strings.Contains(b.body, "Audit log") || strings.Contains(b.body, "Emails sent and to come") {
		t.Errorf("the funder's program page: %d", b.status)
	}
}
