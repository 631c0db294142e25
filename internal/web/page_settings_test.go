package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/web"
)

var tokenRE = regexp.MustCompile(`value="(suivi_[A-Za-z0-9_-]{43})"`)

// Settings: a token's secret is shown once and works; revoking it ends it;
// another person's token cannot be revoked; email settings are saved.
func TestSettingsTokensAndEmail(t *testing.T) {
	f := newSite(t, nil)
	a := f.form(t, pHolder, "/settings/tokens", "name=portable+%3Cb%3E", "fr")
	m := tokenRE.FindStringSubmatch(a.body)
	if a.status != http.StatusCreated || m == nil || !strings.Contains(a.body, "portable &lt;b&gt;") || a.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token create: %d %v", a.status, a.header)
	}
	secret := m[1]
	if b := send(t, f.srv, "GET", "/api/v1/me", "", "", map[string]string{"Authorization": "Bearer " + secret}); b.status != http.StatusOK {
		t.Fatalf("the new token: %d", b.status)
	}
	page := f.page(t, pHolder, "/settings", "fr")
	if strings.Contains(page.body, secret) || !strings.Contains(page.body, "portable &lt;b&gt;") {
		t.Error("the settings page shows the secret again, or not the token")
	}
	ts, err := f.st.Tokens(context.Background(), personaEmails[pHolder])
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, tk := range ts {
		if tk.Name == "portable <b>" {
			id = strings.TrimSpace(strings.Split(strings.Split(page.body, `/settings/tokens/`)[1], "/")[0])
			_ = tk
		}
	}
	if id == "" {
		t.Fatal("no revoke form")
	}
	// Someone else cannot revoke it.
	if a := f.form(t, pMentor, "/settings/tokens/"+id+"/revoke", "", "fr"); a.status != http.StatusNotFound {
		t.Errorf("the mentor revoking the holder's token: %d", a.status)
	}
	if a := f.form(t, pHolder, "/settings/tokens/"+id+"/revoke", "", "fr"); a.status != http.StatusSeeOther {
		t.Errorf("revoke: %d", a.status)
	}
	if b := send(t, f.srv, "GET", "/api/v1/me", "", "", map[string]string{"Authorization": "Bearer " + secret}); b.status != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d", b.status)
	}
	// A bad name is said next to the field.
	if a := f.form(t, pHolder, "/settings/tokens", "name=", "en"); a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="token-name-error"`) {
		t.Errorf("an empty token name: %d", a.status)
	}
	// Past the limit, no more.
	for range web.MaxTokens + 1 {
		f.form(t, pMentor, "/settings/tokens", "name=x", "en")
	}
	if a := f.form(t, pMentor, "/settings/tokens", "name=x", "en"); a.status != http.StatusConflict {
		t.Errorf("a token over the limit: %d", a.status)
	}

	// Email settings, from /settings or /me.
	if a := f.form(t, pHolder, "/settings/email", "locale=en&reminders=digest&back=%2Fme", "fr"); a.status != http.StatusSeeOther || a.header.Get("Location") != "/me" {
		t.Fatalf("email settings: %d %v", a.status, a.header)
	}
	p, err := f.st.GetPerson(context.Background(), personaEmails[pHolder])
	if err != nil || p.Locale != "en" || p.Reminders != "digest" {
		t.Errorf("email settings saved as %+v %v", p, err)
	}
	if a := f.form(t, pHolder, "/settings/email", "locale=de", "fr"); a.status != http.StatusBadRequest {
		t.Errorf("a bad locale: %d", a.status)
	}
	if a := f.form(t, pHolder, "/settings/email", "locale=fr&back=https%3A%2F%2Fevil.example", "fr"); a.header.Get("Location") != "/settings" {
		t.Errorf("back= off-site: %q", a.header.Get("Location"))
	}
}

// A form's outcome is shown on the page it returns to, once, in a real
// browser session.
func TestFlashIsShownOnce(t *testing.T) {
	f := newSite(t, nil)
	c := f.signIn(t, personaEmails[pHolder])
	post := func(path string, form url.Values) answer {
		req, _ := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", f.srv.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		return doWith(t, c, req)
	}
	get := func(path string) answer {
		req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
		return doWith(t, c, req)
	}
	if a := post("/settings/email", url.Values{"locale": {"fr"}, "reminders": {"all"}}); a.status != http.StatusSeeOther {
		t.Fatalf("save: %d", a.status)
	}
	if a := get("/settings"); !strings.Contains(a.body, "C’est enregistré.") || !strings.Contains(a.body, `class="flash" role="status"`) {
		t.Error("the saved message is not shown")
	}
	if a := get("/settings"); strings.Contains(a.body, "C’est enregistré.") {
		t.Error("the saved message is shown twice")
	}
	// A step refused before Temporal is reached comes back with its reason.
	a := post("/programs/ncc-2027/demoscampi/actions/submit", url.Values{"milestone": {"demo"}, "url": {"https://example.org"},
		"note": {strings.Repeat("x", 2001)}, "back": {"/me"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/me" {
		t.Fatalf("an oversize note: %d %v", a.status, a.header)
	}
	if a := get("/me"); !strings.Contains(a.body, "Rien n’a été fait") || !strings.Contains(a.body, "note is 2001 characters long") || !strings.Contains(a.body, `role="alert"`) {
		t.Error("the refusal is not shown")
	}
	// Scoring is the jury's: the holder is refused outright.
	if a := post("/programs/ncc-2027/demoscampi/actions/score", url.Values{"score": {"15"}}); a.status != http.StatusForbidden {
		t.Errorf("a holder scoring: %d", a.status)
	}
}
