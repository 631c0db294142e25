package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/internal/github"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
)

// Names people type that would run as script if a page printed them as HTML.
const (
	scriptName = `<script>alert(1)</script>`
	imgName    = `"><img src=x onerror=alert(1)>`
)

// addRich adds to the fixture what makes pages full: two programs with
// hostile names (on the board, under the fixture's mentor and holder, one
// in demo for the jury), hostile notes, a javascript: deliverable, an
// attendance, audit entries, emails sent and failed, and polled commits.
func addRich(t *testing.T, f *site) {
	t.Helper()
	ctx := context.Background()
	hostile := []store.Program{
		{Edition: siteEdition, Project: "xss-script", Name: scriptName, City: "Lyon", Phase: "accompaniment", Public: true,
			Summary: scriptName + " résumé", LicenceIntent: imgName,
			Holders: []string{personaEmails[pHolder]}, Mentors: []string{personaEmails[pMentor]}, Repositories: []string{"https://github.com/codecitoyen/xss"},
			Milestones: []store.Milestone{
				{ID: "demo", TitleFR: "Démo " + scriptName, TitleEN: "Demo " + scriptName, Due: "2027-03-07", Evidence: "url",
					Status: "submitted", EvidenceURL: "javascript:alert(1)", Note: imgName},
				{ID: "explainer-video", TitleFR: "Vidéo", TitleEN: "Video", Due: "2027-04-07", Evidence: "video", Status: "open"},
				{ID: "six-month-review", TitleFR: "Bilan", TitleEN: "Review", Due: "2027-09-07", Evidence: "none", Status: "open"},
			},
			Attendance: []store.Attendance{{Meetup: "2027-03", RecordedBy: personaEmails[pMentor], Note: scriptName, RecordedAt: siteNow.AddDate(0, 0, -20)}}},
		{Edition: siteEdition, Project: "xss-img", Name: imgName, City: "Lyon", Phase: "demo", Public: true, Summary: imgName,
			Holders: []string{personaEmails[pHolder]}, Repositories: []string{"https://github.com/codecitoyen/img"},
			Milestones: []store.Milestone{{ID: "demo", TitleFR: "Démo", TitleEN: "Demo", Due: "2027-03-07", Evidence: "url", Status: "open"}}},
	}
	for _, p := range hostile {
		p.WorkflowID, p.StartedAt, p.Seq = "program/"+p.Edition+"/"+p.Project, siteNow.AddDate(0, -2, 0), 3
		audit := []store.AuditEntry{
			{Seq: 1, At: p.StartedAt, Actor: "suivi", Action: "started"},
			{Seq: 2, At: p.StartedAt.Add(time.Hour), Actor: personaEmails[pLyon], Action: "select", Detail: map[string]string{"note": scriptName}},
			{Seq: 3, At: p.StartedAt.AddDate(0, 0, 20), Actor: "suivi", Action: "phase:" + p.Phase, Detail: map[string]string{"why": imgName}},
		}
		if err := f.st.SaveProgram(ctx, p, audit); err != nil {
			t.Fatal(err)
		}
		// The board flag is the read model's own, not the workflow's.
		if err := f.st.SetPublic(ctx, p.Edition, p.Project, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.st.SaveProgram(ctx, store.Program{Edition: siteEdition, Project: siteProject, Name: "Démocratie et crustacés", City: "Lyon", Phase: "demo",
		Holders: []string{personaEmails[pHolder]}, Mentors: []string{personaEmails[pMentor]}, Repositories: []string{"https://github.com/codecitoyen/demoscampi"},
		WorkflowID: "program/" + siteProgram, StartedAt: time.Date(2027, 3, 5, 17, 0, 0, 0, time.UTC), Seq: 2,
		Summary: "Un outil de délibération en ligne pour les conseils de quartier, testé à Lyon pendant le week-end.", LicenceIntent: "AGPL-3.0-or-later",
		Milestones: []store.Milestone{
			{ID: "demo", TitleFR: "Démo", TitleEN: "Demo", Due: "2027-03-07", Evidence: "url", Status: "open"},
			{ID: "explainer-video", TitleFR: "Vidéo", TitleEN: "Video", Due: "2027-04-07", Evidence: "video", Status: "open"},
		}}, []store.AuditEntry{{Seq: 1, At: time.Date(2027, 3, 5, 17, 0, 0, 0, time.UTC), Actor: "suivi", Action: "started"},
		{Seq: 2, At: time.Date(2027, 3, 7, 17, 0, 0, 0, time.UTC), Actor: "suivi", Action: "phase:demo", Detail: map[string]string{"why": "the weekend ended"}}}); err != nil {
		t.Fatal(err)
	}
	// The hostile names are in the funder's report too.
	if err := f.st.Fund(ctx, siteEdition, "xss-script", "metropole"); err != nil {
		t.Fatal(err)
	}
	msgs := []store.Message{
		{Key: "rich|1", Edition: siteEdition, Project: "xss-script", Kind: "due-today", Milestone: "demo", Due: "2027-03-07", Recipient: personaEmails[pHolder]},
		{Key: "rich|2", Edition: siteEdition, Project: "xss-script", Kind: "overdue-week-2", Milestone: "demo", Due: "2027-03-07", Recipient: personaEmails[pHolder]},
		{Key: "rich|3", Edition: siteEdition, Project: siteProject, Kind: "welcome", Recipient: personaEmails[pHolder]},
	}
	if _, err := f.st.Enqueue(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	// Claimed as the dispatcher does, then settled as the server answered.
	if _, err := f.st.Claim(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Settle(ctx, "rich|3", "sent", "250 ok", ""); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Settle(ctx, "rich|2", "failed", "550 5.1.1 "+scriptName, "550 no such user "+imgName); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Settle(ctx, "rich|1", "sent", "250 ok", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SyncRepos(ctx); err != nil {
		t.Fatal(err)
	}
	var commits []github.Commit
	for i := range 40 {
		commits = append(commits, github.Commit{SHA: fmt.Sprintf("%040d", i), Author: []string{"ana", "bob", "chloé"}[i%3],
			Date: siteNow.Add(-time.Duration(i*i%80) * 24 * time.Hour)})
	}
	for _, name := range []string{"codecitoyen/demoscampi", "codecitoyen/xss"} {
		if err := f.st.SaveObservation(ctx, name, github.Observation{Name: name, Status: "changed", PushedAt: siteNow.Add(-time.Hour),
			CreatedAt: siteNow.AddDate(-1, 0, 0), DefaultBranch: "main", Commits: commits, CommitsFetched: true, HeadSHA: commits[0].SHA}, siteNow); err != nil {
			t.Fatal(err)
		}
	}
}

// Everything a person typed is text on every page: no name, note or link
// runs as HTML, and a deliverable that is not http(s) is never a link.
func TestPagesEscapeWhatPeopleTyped(t *testing.T) {
	f := newSite(t, nil)
	addRich(t, f)
	preview := "/dashboard/preview?" + url.Values{"edition": {siteEdition}, "project": {"xss-script"}, "kind": {"overdue-week-4"},
		"milestone": {"demo"}, "due": {"2027-03-07"}, "to": {personaEmails[pHolder]}}.Encode()
	pages := []struct {
		who  persona
		path string
	}{
		{pAnon, "/"}, {pAnon, "/board"}, {pLyon, "/"}, {pGlobal, "/dashboard"}, {pLyon, "/dashboard?city=Lyon"},
		{pJury, "/jury"}, {pMentor, "/me"}, {pHolder, "/me"}, {pLyon, "/programs/ncc-2027/xss-script"},
		{pHolder, "/programs/ncc-2027/xss-script"}, {pLyon, "/programs/ncc-2027/xss-img"}, {pGlobal, preview},
		{pFunder, "/funders/metropole/reports/2027-03"}, {pLyon, "/editions/ncc-2027/report?city=Lyon&month=2027-03"},
	}
	for _, p := range pages {
		for _, l := range []string{"fr", "en"} {
			a := f.page(t, p.who, p.path, l)
			what := p.path + " as " + string(p.who) + " in " + l
			if a.status != http.StatusOK {
				t.Errorf("%s: %d %.300s", what, a.status, a.body)
				continue
			}
			for _, bad := range []string{scriptName, "<img src=x", `href="javascript:`, "onerror=alert(1)>"} {
				if strings.Contains(a.body, bad) {
					i := strings.Index(a.body, bad)
					t.Errorf("%s: holds %q as HTML: …%s…", what, bad, a.body[max(0, i-80):min(len(a.body), i+80)])
				}
			}
			if !strings.Contains(a.body, "&lt;script&gt;alert(1)&lt;/script&gt;") && !strings.Contains(a.body, "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;") &&
				!strings.Contains(a.body, "&amp;lt;script&amp;gt;") {
				t.Errorf("%s: the hostile names are not shown at all", what)
			}
		}
	}
	// The submitted javascript: link is shown as text, not as a link.
	a := f.page(t, pLyon, "/programs/ncc-2027/xss-script", "en")
	if !strings.Contains(a.body, "javascript:alert(1)") || strings.Contains(a.body, `href="javascript`) || strings.Contains(a.body, "#ZgotmplZ") {
		t.Errorf("the javascript: deliverable: %v", strings.Contains(a.body, "javascript:alert(1)"))
	}
	// The call form shows back what was typed, as text.
	cf := newSite(t, func(d *web.Deps) { d.Now = func() time.Time { return callOpenNow } })
	a = cf.form(t, pAnon, "/call/ncc-2027", url.Values{"name": {scriptName}, "summary": {imgName}, "team": {imgName}, "repositories": {scriptName}}.Encode(), "fr")
	if a.status != http.StatusBadRequest || strings.Contains(a.body, scriptName) || strings.Contains(a.body, "<img src=x") {
		t.Errorf("the call form echoes HTML: %d", a.status)
	}
}
