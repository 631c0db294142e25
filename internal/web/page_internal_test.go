package web

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

func TestSlugFromName(t *testing.T) {
	for name, want := range map[string]string{
		"Démocratie & crustacés":         "democratie-crustaces",
		"  L’Œuvre   ouverte  ":          "loeuvre-ouverte",
		"<script>alert(1)</script>":      "script-alert-1-script",
		`"><img src=x onerror=alert(1)>`: "img-src-x-onerror-alert-1",
		"日本語":                            "projet",
		"x":                              "projet",
		strings.Repeat("très long ", 20): strings.TrimRight(strings.Repeat("tres-long-", 6)[:56], "-"),
	} {
		got := slugFrom(name)
		if got != want {
			t.Errorf("slugFrom(%q) = %q, want %q", name, got, want)
		}
		if len(got) > 56 || !regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`).MatchString(got) {
			t.Errorf("slugFrom(%q) = %q is not a short slug", name, got)
		}
	}
}

func TestIPLimiterIsBounded(t *testing.T) {
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newIPLimiter(2, time.Hour, 3)
	for i, want := range []bool{true, true, false} {
		if got := l.allow("a", now); got != want {
			t.Errorf("event %d: %v", i, got)
		}
	}
	if !l.allow("a", now.Add(61*time.Minute)) {
		t.Error("the window does not slide")
	}
	l.allow("b", now)
	l.allow("c", now)
	if l.allow("d", now.Add(time.Minute)) {
		t.Error("a full limiter took a new address")
	}
	if !l.allow("d", now.Add(2*time.Hour)) || len(l.hits) > 3 {
		t.Errorf("expired addresses are not forgotten: %d kept", len(l.hits))
	}
}

func TestApplicationMessagesAreKeyed(t *testing.T) {
	ms := applicationMessages("ncc-2027", "demo", []string{"A@x.org", "b@x.org"}, []string{"c@x.org"})
	var keys []string
	for _, m := range ms {
		keys = append(keys, m.Key+" "+m.Kind)
	}
	want := []string{"ncc-2027/demo|application-received|||a@x.org application-received",
		"ncc-2027/demo|application-received|||b@x.org application-received", "ncc-2027/demo|new-application|||c@x.org new-application"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %q", keys)
	}
	// Each kind has a template in both languages.
	for _, k := range []string{KindApplicationReceived, KindNewApplication} {
		for _, l := range []string{"fr", "en"} {
			r, err := mailTemplates.Render(k, mailData(l))
			if err != nil || r.Subject == "" || !strings.Contains(r.Text, "Démocratie") {
				t.Errorf("%s/%s: %+v %v", k, l, r, err)
			}
		}
	}
}

// The planned messages are the workflow's own rule, read from Postgres.
func TestPlannedRemindersFollowTheWorkflow(t *testing.T) {
	ed, err := edition.Parse(mustRead(t, "../../examples/ncc-2027.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := ed.Snapshot("Lyon")
	if err != nil {
		t.Fatal(err)
	}
	p := store.Program{Edition: "ncc-2027", Project: "p", Name: "P", City: "Lyon", Phase: "accompaniment",
		Holders: []string{"h@x.org"}, Milestones: []store.Milestone{
			{ID: "demo", Due: "2027-03-07", Status: "open"},
			{ID: "video", Due: "2027-04-07", Status: "open"},
			{ID: "optional", Due: "2027-03-01", Status: "open", Optional: true},
			{ID: "done", Due: "2027-04-03", Status: "completed"},
		}}
	now := time.Date(2027, 4, 1, 8, 0, 0, 0, time.UTC)
	var got []string
	for _, pl := range plannedFor(p, &snap, now, now.Add(PlanAhead)) {
		got = append(got, fmt.Sprintf("%s %s %s %v", pl.At.Format("01-02 15:04Z"), pl.Kind, pl.Milestone.ID, pl.Recipients))
	}
	want := []string{
		"04-04 07:00Z overdue-week-4 demo [h@x.org]",
		"04-04 07:00Z escalate-coordinators demo [coordination-lyon@nuitducodecitoyen.example]",
		"04-06 07:00Z due-tomorrow video [h@x.org]",
		"04-07 07:00Z due-today video [h@x.org]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("planned:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, quiet := range []store.Program{{Phase: "dormant", Milestones: p.Milestones}, {Phase: "accompaniment", Paused: true, Milestones: p.Milestones},
		{Phase: "applied", Milestones: p.Milestones}} {
		if pl := plannedFor(quiet, &snap, now, now.Add(PlanAhead)); len(pl) != 0 {
			t.Errorf("%s paused=%v plans %d messages", quiet.Phase, quiet.Paused, len(pl))
		}
	}
	// With no mentor, the mentors' escalation goes to the coordinators.
	p.Milestones = []store.Milestone{{ID: "demo", Due: "2027-03-19", Status: "open"}}
	pl := plannedFor(p, &snap, now, now.Add(PlanAhead))
	if len(pl) != 2 || pl[1].Kind != "escalate-mentors" || pl[1].Recipients[0] != "coordination-lyon@nuitducodecitoyen.example" ||
		pl[1].To != workflows.ToMentors {
		t.Errorf("escalation without a mentor: %+v", pl)
	}
}

// Every wording a template or handler uses exists in both languages, and
// both languages have the same ids.
func TestLocaleIsComplete(t *testing.T) {
	for id := range catalog["fr"] {
		if _, ok := catalog["en"][id]; !ok {
			t.Errorf("%q has no English", id)
		}
	}
	for id := range catalog["en"] {
		if _, ok := catalog["fr"][id]; !ok {
			t.Errorf("%q has no French", id)
		}
	}
	for id, s := range catalog["fr"] {
		if strings.Count(s, "%") != strings.Count(catalog["en"][id], "%") {
			t.Errorf("%q: the languages take different arguments: %q, %q", id, s, catalog["en"][id])
		}
	}
	used := regexp.MustCompile(`\bt "([a-z0-9.-]+)"`)
	files, _ := templateFS.ReadDir("templates")
	for _, f := range files {
		b, _ := templateFS.ReadFile("templates/" + f.Name())
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := catalog["fr"][m[1]]; !ok {
				t.Errorf("%s uses %q, which has no wording", f.Name(), m[1])
			}
		}
	}
	code := regexp.MustCompile(`tr\((?:l|lang\(r\)|v\.Lang), "([a-z0-9.-]+)"`)
	gofiles, _ := os.ReadDir(".")
	for _, f := range gofiles {
		if !strings.HasSuffix(f.Name(), ".go") || strings.HasSuffix(f.Name(), "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f.Name())
		for _, m := range code.FindAllStringSubmatch(string(b), -1) {
			if _, ok := catalog["fr"][m[1]]; !ok && !strings.HasSuffix(m[1], ".") {
				t.Errorf("%s uses %q, which has no wording", f.Name(), m[1])
			}
		}
	}
	// The families of ids built at run time.
	for _, p := range workflows.Phases {
		need(t, "phase."+string(p))
	}
	for _, s := range []string{"open", "submitted", "completed", "waived"} {
		need(t, "status."+s)
	}
	for _, a := range workflows.Actions {
		need(t, "flash.done."+a)
	}
	for _, f := range []string{"name", "summary", "theme", "city", "repositories", "team", "licence"} {
		need(t, "call.f."+f)
	}
	for _, k := range mailTemplates.Kinds() {
		if k != "overdue" && k != "test" {
			need(t, "kind."+k)
		}
	}
}

func need(t *testing.T, id string) {
	t.Helper()
	if _, ok := catalog["fr"][id]; !ok {
		t.Errorf("no wording %q", id)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mailData(l string) mail.Data {
	return mail.Data{Lang: l, Program: "Démocratie et crustacés", Edition: "ncc-2027", City: "Lyon",
		Link: "http://127.0.0.1:8080/programs/ncc-2027/demoscampi", PrefsLink: "http://127.0.0.1:8080/prefs?t=x"}
}
