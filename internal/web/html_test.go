package web

import (
	"bytes"
	"html/template"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

// ids are the random ids of forms (update_id, and the labels' for=).
var idsRE = regexp.MustCompile(`[0-9a-f]{32,}`)

// The rows html.go draws are, byte for byte (their random form ids
// aside), what the templates it replaced drew from the same data
// (testdata/rows_before.html, taken from git), in both languages, with
// names that would run as script if printed as HTML, every form a
// coordinator of every city may get and each badge.
func TestRowsAreTheTemplates(t *testing.T) {
	now := time.Date(2027, 4, 1, 8, 0, 0, 0, time.UTC)
	who := &auth.Person{Email: "c@example.org", Grants: []auth.Grant{{Role: auth.Coordinator}}}
	hostile := `<script>alert(1)</script> & "quotes" 'single'`
	var views []programView
	var programs []store.Program
	var overdue []overdueRow
	var failed []undeliveredRow
	var plan []planned
	b, err := os.ReadFile("../../examples/ncc-2027.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ed, err := edition.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	lyon, err := ed.Snapshot("Lyon")
	if err != nil {
		t.Fatal(err)
	}
	snap := &lyon
	licences := []string{"open", "not open", "unchecked", "completed by hand", "waived"}
	for i, phase := range workflows.Phases {
		p := store.Program{Edition: "ncc-2027", Project: "p-" + string(phase), Name: hostile + string(phase), City: "Lyon",
			Phase: string(phase), Paused: i%3 == 1, Licence: licences[i%len(licences)], StartedAt: now.AddDate(0, -2, -i),
			Holders: []string{"h@example.org", "h2@example.org"}, Mentors: []string{"m+1@example.org"},
			Milestones: []store.Milestone{
				{ID: "demo", TitleFR: "Démo " + hostile, TitleEN: "Demo " + hostile, Due: "2027-03-07", Status: "open", Optional: i%2 == 0},
				{ID: "video", TitleFR: "Vidéo", TitleEN: "Video", Due: "2027-05-07", Status: "submitted"},
			}}
		ap := &auth.Program{Edition: p.Edition, Project: p.Project, City: p.City, Phase: p.Phase, Holders: p.Holders, Mentors: p.Mentors}
		v := newProgramView(who, ap, p, snap, now, "/dashboard?city=Lyon&after=ncc-2027%2Fp&page=2#p-"+p.Project)
		v.LastDue = "2028-03-07"
		if i%2 == 0 {
			v.ThemeTitle = "Démocratie & numérique"
			v.Undelivered = i
			v.Spark = sparkOf([]int{0, 1, 5, 0, 2, 3, 0, 0, 1, 9, 4, i})
		}
		views = append(views, v)
		programs = append(programs, p)
		overdue = append(overdue, overdueRow{Program: p, Milestone: p.Milestones[0]})
		failed = append(failed, undeliveredRow{Program: p, Message: store.Message{Recipient: "r" + string(phase) + "@example.org",
			Kind: "overdue-week-2", Status: []string{"failed", "uncertain"}[i%2], Payload: map[string]string{"error": "550 " + hostile}}})
		pl := planned{Reminder: workflows.Reminder{At: now.Add(time.Duration(i) * time.Hour), Kind: "due-today", Milestone: "video", Due: "2027-04-07"},
			Edition: p.Edition, Project: p.Project, Name: p.Name, Milestone: p.Milestones[1], Zone: []string{"Europe/Paris", "", "Africa/Tunis"}[i%3]}
		if i%2 == 1 {
			pl.Recipients = []string{"holder@example.org", "h'2@example.org"}
		}
		plan = append(plan, pl)
	}
	for _, l := range languages {
		old := template.Must(template.New("layout.html").Funcs(pageFuncs(l)).ParseFS(templateFS, "templates/layout.html"))
		old = template.Must(old.ParseFiles("testdata/rows_before.html"))
		run := func(name string, data any) string {
			var b bytes.Buffer
			if err := old.ExecuteTemplate(&b, name, data); err != nil {
				t.Fatal(err)
			}
			return b.String()
		}
		same := func(what, want string, got template.HTML) {
			t.Helper()
			w, g := idsRE.ReplaceAllString(want, "ID"), idsRE.ReplaceAllString(string(got), "ID")
			if w != g {
				i := 0
				for i < len(w) && i < len(g) && w[i] == g[i] {
					i++
				}
				t.Errorf("%s (%s) differs from its template at byte %d:\ntemplate: %.300q\nhtml.go:  %.300q", what, l, i, w[i:], g[i:])
			}
		}
		same("dashboard rows", run("old-dash-rows", map[string]any{"Programs": views}), dashRows(l, views))
		same("overdue rows", run("old-overdue-rows", map[string]any{"Overdue": overdue}), overdueRows(l, overdue))
		same("undelivered rows", run("old-undelivered-rows", map[string]any{"Undelivered": failed}), undeliveredRows(l, failed))
		same("planned rows", run("old-planned-rows", map[string]any{"Planned": plan}), plannedRows(l, plan))
		same("home page rows", run("old-index-rows", map[string]any{"Programs": programs}), indexRows(l, programs))
		for _, v := range views {
			for _, full := range []bool{false, true} {
				w := &htmlWriter{l: l}
				w.coordForms(v, full)
				same("coordinators' forms of a "+v.Phase+" program", run("coord-forms", map[string]any{"P": v, "Full": full}), w.html())
			}
		}
		// Every form does come up.
		w := &htmlWriter{l: l}
		for _, v := range views {
			w.coordForms(v, true)
			w.coordForms(v, false)
		}
		for _, action := range []string{"select", "reject", "assign-mentor", "remove-mentor", "add-holder", "remove-holder", "extend", "pause", "resume", "graduate", "withdraw"} {
			if !bytes.Contains([]byte(w.b.String()), []byte("/actions/"+action+`"`)) {
				t.Errorf("%s: no %s form in any view: the comparison misses it", l, action)
			}
		}
	}
}
