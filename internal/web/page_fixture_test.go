package web_test

// The pages' own fixture: a web server on a fresh database with the
// example edition, three programs and one person per role, each with an
// API token (pages accept them as the browser's session). It mirrors the
// role × route matrix's on purpose, and stands apart from it so the page
// tests read on their own.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
	"github.com/codecitoyen/suivi/workflows"
)

// persona is one kind of person asking for a page.
type persona string

// The personas, for the program ncc-2027/demoscampi (Lyon, in its demo
// phase, funded by "metropole").
const (
	pAnon        persona = "signed out"
	pGlobal      persona = "coordinator of every city"
	pLyon        persona = "coordinator of Lyon"
	pTunis       persona = "coordinator of Tunis"
	pMentor      persona = "mentor of the program"
	pOtherMentor persona = "mentor of another program"
	pHolder      persona = "holder of the program"
	pJury        persona = "jury of ncc-2027 in Lyon"
	pOtherJury   persona = "jury of ncc-2027 in Tunis"
	pFunder      persona = "funder of the program"
	pOtherFunder persona = "funder of another program"
	pNobody      persona = "signed in, no role"
)

var personaEmails = map[persona]string{
	pGlobal: "global@example.org", pLyon: "lyon@example.org", pTunis: "tunis@example.org",
	pMentor: "mentor@example.org", pOtherMentor: "other-mentor@example.org", pHolder: "holder@example.org",
	pJury: "jury-lyon@example.org", pOtherJury: "jury-tunis@example.org",
	pFunder: "funder@example.org", pOtherFunder: "other-funder@example.org", pNobody: "nobody@example.org",
}

const (
	siteEdition = "ncc-2027"
	siteProject = "demoscampi"
	siteProgram = siteEdition + "/" + siteProject
)

// siteNow is the site's clock: within ncc-2027's accompaniment, past its
// call for projects.
var siteNow = time.Date(2027, 4, 1, 8, 0, 0, 0, time.UTC)

// site is a web server with the fixture's data.
type site struct {
	srv    *httptest.Server
	st     *store.Store
	tokens map[persona]string
}

// newSite starts the pages' server; change adjusts its Deps. Its Temporal
// is a client of a closed port: pages that send Updates answer 503.
func newSite(t testing.TB, change func(*web.Deps)) *site {
	t.Helper()
	ctx := context.Background()
	st := newStore(t)
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	d := web.Deps{Store: st, Temporal: tc, RequestTimeout: 10 * time.Second, Now: func() time.Time { return siteNow }}
	if change != nil {
		change(&d)
	}
	b, err := os.ReadFile("../../examples/ncc-2027.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ed, err := edition.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := json.Marshal(ed)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.ApplyEdition(ctx, ed.ID, ed.Hash(), spec); err != nil {
		t.Fatal(err)
	}
	started := time.Date(2027, 3, 5, 17, 0, 0, 0, time.UTC)
	programs := []store.Program{
		{Edition: siteEdition, Project: siteProject, Name: "Démocratie et crustacés", City: "Lyon", Phase: "demo",
			Holders: []string{personaEmails[pHolder]}, Mentors: []string{personaEmails[pMentor]}, Repositories: []string{"https://github.com/codecitoyen/demoscampi"},
			Milestones: []store.Milestone{
				{ID: "demo", TitleFR: "Démo", TitleEN: "Demo", Due: "2027-03-07", Evidence: "url", Status: "open"},
				{ID: "explainer-video", TitleFR: "Vidéo", TitleEN: "Video", Due: "2027-04-07", Evidence: "video", Status: "open"},
			}},
		{Edition: siteEdition, Project: "autre", Name: "Autre projet", City: "Tunis", Phase: "accompaniment",
			Holders: []string{"other-holder@example.org"}, Mentors: []string{personaEmails[pOtherMentor]}, Repositories: []string{"https://github.com/codecitoyen/autre"}},
		{Edition: siteEdition, Project: "candidat", Name: "Candidat", City: "Lyon", Phase: "applied",
			Holders: []string{"candidate@example.org"}, Repositories: []string{"https://github.com/codecitoyen/candidat"}},
	}
	for _, p := range programs {
		p.WorkflowID, p.StartedAt, p.Seq = workflows.ProgramWorkflowID(p.Edition, p.Project), started, 1
		if err := st.SaveProgram(ctx, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	for slug, contact := range map[string]string{"metropole": personaEmails[pFunder], "region": personaEmails[pOtherFunder]} {
		if err := st.AddFunder(ctx, store.Funder{Slug: slug, Name: "Funder " + slug, Lang: "fr", Contacts: []string{contact}}, "fixture"); err != nil {
			t.Fatal(err)
		}
	}
	for program, f := range map[string]string{siteProject: "metropole", "autre": "region"} {
		if err := st.Fund(ctx, siteEdition, program, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range []auth.Grant{
		{Email: personaEmails[pGlobal], Role: auth.Coordinator},
		{Email: personaEmails[pLyon], Role: auth.Coordinator, City: "Lyon"},
		{Email: personaEmails[pTunis], Role: auth.Coordinator, City: "Tunis"},
		{Email: personaEmails[pJury], Role: auth.Jury, Edition: siteEdition, City: "Lyon"},
		{Email: personaEmails[pOtherJury], Role: auth.Jury, Edition: siteEdition, City: "Tunis"},
		{Email: personaEmails[pFunder], Role: auth.Funder, Funder: "metropole"},
		{Email: personaEmails[pOtherFunder], Role: auth.Funder, Funder: "region"},
	} {
		if _, err := st.AddGrant(ctx, g, "pages"); err != nil {
			t.Fatal(err)
		}
	}
	s := &site{st: st, tokens: map[persona]string{}}
	for p, email := range personaEmails {
		secret, hash := auth.NewSecret(auth.TokenPrefix)
		if _, err := st.CreateToken(ctx, email, "pages", hash); err != nil {
			t.Fatal(err)
		}
		s.tokens[p] = secret
	}
	s.srv = serve(t, d)
	t.Cleanup(s.srv.Close)
	return s
}

// pageClient shows redirects rather than following them.
var pageClient = &http.Client{
	Timeout:       60 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// signIn makes a browser (a cookie jar) signed in as email through the
// real sign-in: a link stored as Suivi stores it, confirmed by POST.
func (s *site) signIn(t *testing.T, email string) *http.Client {
	t.Helper()
	secret, hash := auth.NewSecret(auth.LinkPrefix)
	if err := s.st.CreateMagicLink(context.Background(), hash, email, "/", siteNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: pageClient.CheckRedirect}
	req, _ := http.NewRequest("POST", s.srv.URL+"/signin/confirm", strings.NewReader(url.Values{"t": {secret}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.srv.URL)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in as %s: %d", email, resp.StatusCode)
	}
	return c
}
