package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// Every page renders in French and in English for whoever may see it, with
// the layout's header (the person, their roles, their pages, sign-out) and
// what the source must hold for assistive technology.
func TestPagesSpeakBothLanguages(t *testing.T) {
	f := newSite(t, nil)
	pages := []struct {
		who  persona
		path string
		fr   []string
		en   []string
	}{
		{pAnon, "/", []string{"Ce que fait Suivi", "Se connecter", "Appels à projets"}, []string{"What Suivi does", "Sign in", "Calls for projects"}},
		{pLyon, "/", []string{"Programmes", "/programs/ncc-2027/demoscampi", "coordination", "Se déconnecter"}, []string{"Programs", "Sign out", "coordinator"}},
		{pAnon, "/board", []string{"Projets publics"}, []string{"Public projects"}},
		{pAnon, "/call/ncc-2027", []string{"Appel à projets", "fermé"}, []string{"Call for projects", "closed"}},
		{pAnon, "/call/ncc-2027/received", []string{"Candidature reçue"}, []string{"Application received"}},
		{pGlobal, "/dashboard", []string{"Tableau de bord", "Jalons en retard", "Messages des 7 prochains jours"}, []string{"Dashboard", "Overdue milestones", "Emails of the next 7 days"}},
		{pLyon, "/programs/ncc-2027/demoscampi", []string{"Jalons", "Journal", "Rencontres mensuelles", "Activité GitHub"}, []string{"Milestones", "Audit log", "Monthly meetups", "GitHub activity"}},
		{pJury, "/jury", []string{"Démos à noter", "Noter la démo"}, []string{"Demos to score", "Score the demo"}},
		{pMentor, "/me", []string{"Les projets que j’accompagne", "Valider"}, []string{"The projects I mentor", "Complete"}},
		{pHolder, "/me", []string{"Les projets que je porte", "Déposer", "Mes messages"}, []string{"The projects I hold", "Hand in", "My emails"}},
		{pFunder, "/me", []string{"Les projets que nous finançons"}, []string{"The projects we fund"}},
		{pHolder, "/settings", []string{"Jetons d’API", "Calendrier privé", "Se déconnecter partout"}, []string{"API tokens", "Private calendar", "Sign out everywhere"}},
		{pGlobal, "/dashboard/preview?edition=ncc-2027&project=demoscampi&kind=due-today&milestone=explainer-video&due=2027-04-07&to=holder%40example.org",
			[]string{"Aperçu d’un message", "srcdoc=", "à rendre aujourd’hui"}, []string{"Email preview", "srcdoc="}},
	}
	for _, p := range pages {
		for _, l := range []string{"fr", "en"} {
			a := f.page(t, p.who, p.path, l)
			what := p.path + " as " + string(p.who) + " in " + l
			if a.status != http.StatusOK || !strings.HasPrefix(a.ctype, "text/html") {
				t.Errorf("%s: %d %s %.300s", what, a.status, a.ctype, a.body)
				continue
			}
			want := p.fr
			if l == "en" {
				want = p.en
			}
			for _, s := range want {
				if !strings.Contains(a.body, s) {
					t.Errorf("%s: no %q", what, s)
				}
			}
			if a.header.Get("Content-Language") != l || !strings.Contains(a.header.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("%s: headers %v", what, a.header)
			}
			if strings.Contains(a.body, "%!") || strings.Contains(a.body, "<no value>") {
				t.Errorf("%s: a wording is broken (%%! or <no value>)", what)
			}
			checkAccessible(t, what, a.body, l)
		}
	}
}

// The layout offers the pages the person's roles open, and nothing else.
func TestNavigationFollowsRoles(t *testing.T) {
	f := newSite(t, nil)
	for _, c := range []struct {
		who       persona
		has, lack []string
	}{
		{pAnon, []string{`href="/board"`, `href="/signin?next=`}, []string{`href="/dashboard"`, `href="/me"`, `href="/settings"`, `action="/signout"`}},
		{pGlobal, []string{`href="/dashboard"`, `href="/settings"`, `action="/signout"`}, []string{`href="/jury"`, `href="/me"`}},
		{pMentor, []string{`href="/me"`, `href="/settings"`}, []string{`href="/dashboard"`, `href="/jury"`}},
		{pJury, []string{`href="/jury"`}, []string{`href="/dashboard"`, `href="/me"`}},
		{pFunder, []string{`href="/me"`}, []string{`href="/dashboard"`, `href="/jury"`}},
		{pNobody, []string{`action="/signout"`}, []string{`href="/dashboard"`, `href="/me"`, `href="/settings"`, `href="/jury"`}},
	} {
		a := f.page(t, c.who, "/board", "fr")
		for _, s := range c.has {
			if !strings.Contains(a.body, s) {
				t.Errorf("%s: no %s", c.who, s)
			}
		}
		for _, s := range c.lack {
			if strings.Contains(a.body, s) {
				t.Errorf("%s: offered %s", c.who, s)
			}
		}
	}
	// The language switch remembers the choice.
	a := f.page(t, pAnon, "/lang/en?next=/board", "")
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/board" || !strings.Contains(a.header.Get("Set-Cookie"), "suivi_lang=en") {
		t.Fatalf("language switch: %d %v", a.status, a.header)
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/board", nil)
	req.AddCookie(&http.Cookie{Name: "suivi_lang", Value: "en"})
	req.Header.Set("Accept-Language", "fr")
	if a := do(t, req); !strings.Contains(a.body, `<html lang="en">`) {
		t.Error("the chosen language does not win over Accept-Language")
	}
	if a := f.page(t, pAnon, "/lang/en?next=//evil.example", ""); a.header.Get("Location") != "/" {
		t.Errorf("the switch follows next off-site: %q", a.header.Get("Location"))
	}
}

// Each page shows what its viewer may see and no more.
func TestPagesShowOnlyWhatOneMaySee(t *testing.T) {
	f := newSite(t, nil)
	for _, c := range []struct {
		who       persona
		path      string
		has, lack []string
	}{
		// A mentor of one program does not see another on /me.
		{pMentor, "/me", []string{"Démocratie et crustacés", "/actions/complete", "/actions/attend"}, []string{"Autre projet", "Candidat", "/actions/submit"}},
		{pOtherMentor, "/me", []string{"Autre projet"}, []string{"Démocratie et crustacés"}},
		{pHolder, "/me", []string{"Démocratie et crustacés", "/actions/submit", "/actions/public", `action="/settings/email"`}, []string{"Autre projet", "/actions/complete"}},
		{pFunder, "/me", []string{"Démocratie et crustacés"}, []string{"Autre projet", "/actions/"}},
		{pGlobal, "/me", []string{"Aucun projet ne vous est confié"}, []string{"Démocratie et crustacés"}},
		// The jury page lists only their seat.
		{pJury, "/jury", []string{"Démocratie et crustacés", "/actions/score"}, []string{"Autre projet", "Candidat"}},
		{pOtherJury, "/jury", []string{"Autre projet"}, []string{"Démocratie et crustacés", "/actions/score"}},
		// A city's coordinators see their city only.
		{pTunis, "/dashboard", []string{"Autre projet"}, []string{"Démocratie et crustacés", "Candidat"}},
		{pLyon, "/dashboard", []string{"Démocratie et crustacés", "Candidat", "/actions/select", "/actions/assign-mentor"}, []string{"Autre projet"}},
		{pLyon, "/dashboard?city=Tunis", []string{"0 programme(s) sur les 2 que vous suivez"}, []string{"Démocratie et crustacés"}},
		{pGlobal, "/dashboard?phase=applied", []string{"Candidat", "1 programme(s) sur les 3 que vous suivez"}, []string{"Démocratie et crustacés"}},
		// The program page: forms per role.
		{pHolder, "/programs/ncc-2027/demoscampi", []string{"/actions/submit", "/actions/public", "Journal"}, []string{"/actions/select", "/actions/complete", "/actions/score", "/actions/pause"}},
		{pMentor, "/programs/ncc-2027/demoscampi", []string{"/actions/complete", "/actions/waive", "/actions/attend"}, []string{"/actions/submit", "/actions/pause", "/actions/score"}},
		{pJury, "/programs/ncc-2027/demoscampi", []string{"/actions/score"}, []string{"/actions/complete", "/actions/submit", "Journal", "holder@example.org</td>"}},
		{pFunder, "/programs/ncc-2027/demoscampi", []string{"Démocratie et crustacés"}, []string{"/actions/", "Journal"}},
		{pLyon, "/programs/ncc-2027/demoscampi", []string{"/actions/assign-mentor", "/actions/pause", "/actions/withdraw", "/actions/extend", "/actions/score"}, []string{"/actions/select"}},
	} {
		a := f.page(t, c.who, c.path, "fr")
		if a.status != http.StatusOK {
			t.Errorf("%s %s: %d", c.who, c.path, a.status)
			continue
		}
		for _, s := range c.has {
			if !strings.Contains(a.body, s) {
				t.Errorf("%s %s: no %q", c.who, c.path, s)
			}
		}
		for _, s := range c.lack {
			if strings.Contains(a.body, s) {
				t.Errorf("%s %s: shows %q", c.who, c.path, s)
			}
		}
	}
	// Pages that are not theirs do not exist for them.
	for _, c := range []struct {
		who  persona
		path string
	}{{pMentor, "/dashboard"}, {pHolder, "/dashboard"}, {pJury, "/dashboard"}, {pMentor, "/jury"}, {pLyon, "/jury"}, {pNobody, "/me"}, {pNobody, "/settings"},
		{pTunis, "/programs/ncc-2027/demoscampi"}, {pOtherMentor, "/programs/ncc-2027/demoscampi"}} {
		if a := f.page(t, c.who, c.path, "fr"); a.status != http.StatusNotFound {
			t.Errorf("%s %s: %d, want 404", c.who, c.path, a.status)
		}
	}
	// Bad filters are refused, saying which.
	if a := f.page(t, pGlobal, "/dashboard?phase=%3Cscript%3E", "en"); a.status != http.StatusBadRequest || strings.Contains(a.body, "<script>") {
		t.Errorf("a bad phase filter: %d", a.status)
	}
}

// The public board shows the programs whose holders opted in, and none of
// their people.
func TestBoardShowsOptedInProjectsOnly(t *testing.T) {
	f := newSite(t, nil)
	ctx := context.Background()
	if err := f.st.SetPublic(ctx, siteEdition, "autre", true); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/board", "/"} {
		a := f.page(t, pAnon, path, "fr")
		if !strings.Contains(a.body, "Autre projet") || strings.Contains(a.body, "Démocratie et crustacés") || strings.Contains(a.body, "@example.org") {
			t.Errorf("%s: the board shows the wrong programs or people:\n%s", path, a.body)
		}
	}
	// A holder opts in from a page form; the board then shows it.
	a := f.form(t, pHolder, "/programs/ncc-2027/demoscampi/actions/public", "public=on&back=%2Fme", "fr")
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/me" {
		t.Fatalf("opt-in: %d %v", a.status, a.header)
	}
	if a := f.page(t, pAnon, "/board", "fr"); !strings.Contains(a.body, "Démocratie et crustacés") {
		t.Error("the opted-in program is not on the board")
	}
	// The mentor may not; the funder neither.
	if a := f.form(t, pMentor, "/programs/ncc-2027/demoscampi/actions/public", "", "fr"); a.status != http.StatusForbidden {
		t.Errorf("a mentor's opt-out: %d", a.status)
	}
	p, err := f.st.ProgramRow(ctx, siteEdition, siteProject)
	if err != nil || !p.Public {
		t.Fatalf("after the mentor's refused opt-out: %v %v", p.Public, err)
	}
	// back= never leaves the site.
	if a := f.form(t, pHolder, "/programs/ncc-2027/demoscampi/actions/public", "public=on&back=https%3A%2F%2Fevil.example", "fr"); a.header.Get("Location") != "/" {
		t.Errorf("back= off-site: %q", a.header.Get("Location"))
	}
}

// The static stylesheet is served with a long cache for its versioned
// address, and nothing else is served from /static.
func TestStaticFiles(t *testing.T) {
	f := newSite(t, nil)
	home := f.page(t, pAnon, "/", "fr")
	i := strings.Index(home.body, `href="/static/suivi.css?v=`)
	if i < 0 {
		t.Fatal("the layout does not link the stylesheet")
	}
	link := home.body[i+len(`href="`):]
	link = link[:strings.Index(link, `"`)]
	a := f.page(t, pAnon, link, "")
	if a.status != 200 || !strings.HasPrefix(a.ctype, "text/css") || !strings.Contains(a.header.Get("Cache-Control"), "immutable") {
		t.Errorf("stylesheet: %d %s %v", a.status, a.ctype, a.header)
	}
	if a := f.page(t, pAnon, "/static/suivi.css", ""); strings.Contains(a.header.Get("Cache-Control"), "immutable") {
		t.Error("an unversioned address is cached for a year")
	}
	for _, p := range []string{"/static/nothing.css", "/static/..%2fpage_render.go", "/static/"} {
		if a := f.page(t, pAnon, p, ""); a.status != http.StatusNotFound {
			t.Errorf("%s: %d", p, a.status)
		}
	}
}
