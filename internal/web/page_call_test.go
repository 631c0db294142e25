package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
)

// callOpenNow is inside ncc-2027's call for projects (2026-11-01 to
// 2027-02-14, Paris time).
var callOpenNow = time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC)

// application is a valid application to ncc-2027.
func application() url.Values {
	return url.Values{
		"name": {"Démocratie & crustacés"}, "summary": {"Un outil de délibération\npour les quartiers."},
		"theme": {"democratie-numerique"}, "city": {"lyon"},
		"repositories": {"https://github.com/CodeCitoyen/Demoscampi\n\ncodecitoyen/other"},
		"team":         {"porteuse@example.org\r\nAutre@Example.org"}, "licence": {"AGPL-3.0-or-later"},
	}
}

// callFixture is the pages' site at now, without Temporal: the call
// form is checked up to the start, which then answers 503.
func callFixture(t *testing.T, now time.Time) *site {
	return newSite(t, func(d *web.Deps) {
		d.Temporal = nil
		d.Now = func() time.Time { return now }
	})
}

// Outside its window the call says when it opens or that it closed, and
// refuses applications.
func TestCallOutsideItsWindow(t *testing.T) {
	for _, c := range []struct {
		now      time.Time
		fr, en   string
		postWant int
	}{
		{time.Date(2026, 10, 15, 10, 0, 0, 0, time.UTC), "ouvre le 1 novembre 2026", "opens on 1 November 2026", http.StatusConflict},
		// The last day counts, in Paris: 23:30 UTC on 14 February is
		// already the 15th there.
		{time.Date(2027, 2, 14, 23, 30, 0, 0, time.UTC), "fermé depuis le 14 février 2027", "closed on 14 February 2027", http.StatusConflict},
		{siteNow, "fermé depuis le 14 février 2027", "closed on 14 February 2027", http.StatusConflict},
	} {
		f := callFixture(t, c.now)
		for l, text := range map[string]string{"fr": c.fr, "en": c.en} {
			a := f.page(t, pAnon, "/call/ncc-2027", l)
			if a.status != http.StatusOK || !strings.Contains(a.body, text) || strings.Contains(a.body, `action="/call/ncc-2027"`) {
				t.Errorf("%s in %s: %d, want %q and no form", c.now, l, a.status, text)
			}
			checkAccessible(t, "call "+l, a.body, l)
		}
		a := f.form(t, pAnon, "/call/ncc-2027", application().Encode(), "en")
		if a.status != c.postWant || !strings.Contains(a.body, c.en) {
			t.Errorf("%s: an application: %d", c.now, a.status)
		}
		if list, _ := f.st.ListPrograms(context.Background(), store.ProgramFilter{}); len(list) != 3 {
			t.Errorf("%s: %d programs after a refused application", c.now, len(list))
		}
	}
	f := callFixture(t, callOpenNow)
	if a := f.page(t, pAnon, "/call/ncc-2099", "fr"); a.status != http.StatusNotFound {
		t.Errorf("an unknown edition's call: %d", a.status)
	}
	if a := f.form(t, pAnon, "/call/ncc-2099", application().Encode(), "fr"); a.status != http.StatusNotFound {
		t.Errorf("an application to an unknown edition: %d", a.status)
	}
	// Inside the window, 23:30 UTC on 14 February is not yet over in Tunis
	// but is in Paris: the edition's own zone decides.
	if a := callFixture(t, time.Date(2027, 2, 14, 22, 30, 0, 0, time.UTC)).page(t, pAnon, "/call/ncc-2027", "fr"); !strings.Contains(a.body, `action="/call/ncc-2027"`) {
		t.Error("the call is closed an hour early")
	}
}

// Inside its window the form checks every field, says what is wrong with
// each next to it, keeps what was typed, and goes as far as starting the
// program (which needs Temporal: 503 here; the happy path is the e2e's).
func TestCallFormChecksEveryField(t *testing.T) {
	f := callFixture(t, callOpenNow)
	a := f.page(t, pAnon, "/call/ncc-2027", "fr")
	for _, s := range []string{`action="/call/ncc-2027"`, `for="name"`, `for="summary"`, `for="theme"`, `for="city"`, `for="repositories"`,
		`for="team"`, `for="licence"`, `value="ruralite"`, `value="Lyon"`, "la vôtre en premier"} {
		if !strings.Contains(a.body, s) {
			t.Errorf("the open call's form: no %q", s)
		}
	}
	checkAccessible(t, "call form", a.body, "fr")

	a = f.form(t, pAnon, "/call/ncc-2027", "", "fr")
	if a.status != http.StatusBadRequest {
		t.Fatalf("an empty application: %d", a.status)
	}
	for _, field := range []string{"name", "summary", "theme", "city", "repositories", "team"} {
		for _, s := range []string{`id="` + field + `-error"`, `href="#` + field + `"`} {
			if !strings.Contains(a.body, s) {
				t.Errorf("empty application: no %s", s)
			}
		}
		if !strings.Contains(a.body, `aria-describedby="`+field+`-hint `+field+`-error"`) && !strings.Contains(a.body, `aria-invalid="true" aria-describedby="`+field+`-error"`) {
			t.Errorf("empty application: %s is not described by its error", field)
		}
	}
	if strings.Contains(a.body, `id="licence-error"`) {
		t.Error("the licence is optional")
	}
	checkAccessible(t, "call form with errors", a.body, "fr")

	bad := application()
	bad.Set("name", strings.Repeat("é", 121))
	bad.Set("repositories", "https://github.com/ok/ok\nhttps://gitlab.com/x/y")
	bad.Set("team", strings.Repeat("a@example.org\n", 21))
	bad.Set("theme", "cuisine")
	bad.Set("licence", "MIT\u202e")
	for l, msgs := range map[string][]string{
		"fr": {"120 caractères au plus (il y en a 121)", "Ligne 2 : &#34;https://gitlab.com/x/y&#34;", "20 adresses au plus (il y en a 21)", "Choisissez un des thèmes", "caractères invisibles"},
		"en": {"At most 120 characters (there are 121)", "Line 2: &#34;https://gitlab.com/x/y&#34;", "At most 20 addresses (there are 21)", "Choose one of the edition&#39;s themes", "invisible or control"},
	} {
		a := f.form(t, pAnon, "/call/ncc-2027", bad.Encode(), l)
		if a.status != http.StatusBadRequest {
			t.Fatalf("a bad application in %s: %d", l, a.status)
		}
		for _, m := range msgs {
			if !strings.Contains(a.body, m) {
				t.Errorf("a bad application in %s: no %q", l, m)
			}
		}
		// What was typed comes back, so nothing is typed twice.
		if !strings.Contains(a.body, "https://github.com/ok/ok\nhttps://gitlab.com/x/y</textarea>") {
			t.Errorf("a bad application in %s: the repositories typed are lost", l)
		}
	}
	bad = application()
	bad.Set("team", "porteuse@example.org\nnot-an-address")
	if a := f.form(t, pAnon, "/call/ncc-2027", bad.Encode(), "en"); !strings.Contains(a.body, "Line 2: &#34;not-an-address&#34; is not an email address") {
		t.Errorf("a bad team address: %d", a.status)
	}

	// A right application goes as far as Temporal.
	a = f.form(t, pAnon, "/call/ncc-2027", application().Encode(), "en")
	if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" || !strings.Contains(a.body, "nothing was sent") ||
		!strings.Contains(a.body, `value="Démocratie &amp; crustacés"`) || strings.Contains(a.body, "-error\"") {
		t.Errorf("a right application without Temporal: %d %v", a.status, a.header)
	}
	if list, _ := f.st.ListPrograms(context.Background(), store.ProgramFilter{}); len(list) != 3 {
		t.Errorf("%d programs after an application Temporal did not take", len(list))
	}
	// A cross-site post never reaches the form.
	req, _ := http.NewRequest("POST", f.srv.URL+"/call/ncc-2027", strings.NewReader(application().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if a := do(t, req); a.status != http.StatusForbidden {
		t.Errorf("a cross-site application: %d", a.status)
	}
}

// Applications are limited per network: the eleventh right one within the
// hour is refused (429) before anything starts.
func TestCallIsRateLimited(t *testing.T) {
	f := callFixture(t, callOpenNow)
	for i := range web.CallsPerIP {
		if a := f.form(t, pAnon, "/call/ncc-2027", application().Encode(), "fr"); a.status != http.StatusServiceUnavailable {
			t.Fatalf("application %d: %d", i+1, a.status)
		}
	}
	// Mistakes do not count; a right one over the limit does not pass.
	if a := f.form(t, pAnon, "/call/ncc-2027", "", "fr"); a.status != http.StatusBadRequest {
		t.Errorf("a wrong application over the limit: %d", a.status)
	}
	a := f.form(t, pAnon, "/call/ncc-2027", application().Encode(), "fr")
	if a.status != http.StatusTooManyRequests || !strings.Contains(a.body, "Trop de candidatures") {
		t.Errorf("application %d: %d", web.CallsPerIP+1, a.status)
	}
}
