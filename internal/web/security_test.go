package web_test

// Security tests: each one fails if the protection it names breaks. They
// run over real HTTP against the matrix's fixture (matrix_test.go): real
// Postgres, real sessions in cookie jars, no redirects followed.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
	"github.com/codecitoyen/suivi/workflows"
)

const sessionCookie = "suivi_session"

// browser is one web browser: its own cookie jar, redirects not followed.
type browser struct {
	f   *fixture
	jar *cookiejar.Jar
	c   *http.Client
}

func (f *fixture) browser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{f: f, jar: jar, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request as the browser would: a form when there is one,
// extra headers (Origin, Sec-Fetch-Site) as given.
func (b *browser) do(t *testing.T, method, path string, form url.Values, header map[string]string) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.f.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(data), resp.Header}
}

// session is the browser's session cookie, "" when it has none.
func (b *browser) session() string {
	u, _ := url.Parse(b.f.srv.URL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	return ""
}

// setSession plants a session cookie in the browser.
func (b *browser) setSession(value string) {
	u, _ := url.Parse(b.f.srv.URL)
	b.jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: value, Path: "/"}})
}

// me is who the browser's session is, "" when it is nobody's.
func (b *browser) me(t *testing.T) string {
	t.Helper()
	a := b.do(t, "GET", "/api/v1/me", nil, nil)
	if a.status != http.StatusOK {
		return ""
	}
	var m api.Me
	if err := json.Unmarshal([]byte(a.body), &m); err != nil {
		t.Fatalf("GET /api/v1/me: %v", err)
	}
	return m.Email
}

// links are the sign-in link secrets the outbox holds for email, oldest first.
func (f *fixture) links(t *testing.T, email string) []string {
	t.Helper()
	msgs, err := f.st.ListOutbox(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		if m.Kind != "login-link" || m.Recipient != email {
			continue
		}
		u, err := url.Parse(m.Payload["path"])
		if err != nil || u.Path != "/signin/confirm" || u.Query().Get("t") == "" {
			t.Fatalf("a login-link message without a confirm path: %+v", m)
		}
		out = append(out, u.Query().Get("t"))
	}
	return out
}

// askLink asks for a sign-in link for email as the browser does, and
// returns the secret the outbox got ("" when none went out).
func (b *browser) askLink(t *testing.T, email, next string) (answer, string) {
	t.Helper()
	before := len(b.f.links(t, email))
	form := url.Values{"email": {email}}
	if next != "" {
		form.Set("next", next)
	}
	a := b.do(t, "POST", "/signin", form, nil)
	after := b.f.links(t, email)
	if len(after) == before {
		return a, ""
	}
	return a, after[len(after)-1]
}

// confirm posts a link's secret from the confirm page.
func (b *browser) confirm(t *testing.T, secret string) answer {
	t.Helper()
	return b.do(t, "POST", "/signin/confirm", url.Values{"t": {secret}}, nil)
}

// signIn signs the browser in as email through the emailed link.
func (b *browser) signIn(t *testing.T, email string) {
	t.Helper()
	_, secret := b.askLink(t, email, "")
	if secret == "" {
		t.Fatalf("no sign-in link went out for %s", email)
	}
	if a := b.confirm(t, secret); a.status != http.StatusSeeOther {
		t.Fatalf("confirm as %s: %d %.200s", email, a.status, a.body)
	}
	if got := b.me(t); got != email {
		t.Fatalf("signed in as %q, want %s", got, email)
	}
}

// storedLink makes a sign-in link directly in the store.
func (f *fixture) storedLink(t *testing.T, email, next string, expires time.Time) string {
	t.Helper()
	secret, hash := auth.NewSecret(auth.LinkPrefix)
	if err := f.st.CreateMagicLink(context.Background(), hash, email, next, expires); err != nil {
		t.Fatal(err)
	}
	return secret
}

func TestMagicLinkSignsInOnceByPost(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	who := emails[lyon] // a coordinator: known through a grant
	b := f.browser(t)
	page := "/programs/ncc-2027/demoscampi"

	if a := b.do(t, "GET", page, nil, nil); a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/signin?next=") {
		t.Fatalf("a page needing sign-in, signed out: %d %q", a.status, a.header.Get("Location"))
	}
	sent, secret := b.askLink(t, who, page)
	if sent.status != http.StatusOK || secret == "" {
		t.Fatalf("POST /signin for a known address: %d, link sent: %v", sent.status, secret != "")
	}
	if !auth.LooksLike(secret, auth.LinkPrefix) {
		t.Fatalf("the link's secret %q is not a 256-bit l_ secret", secret)
	}

	// Mail scanners fetch links: a GET shows a form and signs nobody in.
	for range 2 {
		a := b.do(t, "GET", "/signin/confirm?t="+secret, nil, nil)
		if a.status != http.StatusOK || !strings.Contains(a.body, secret) || !strings.Contains(a.body, `method="post"`) {
			t.Fatalf("GET of the confirm page: %d %.300s", a.status, a.body)
		}
		if rp := a.header.Get("Referrer-Policy"); rp != "no-referrer" {
			t.Errorf("the confirm page's address holds a secret but its Referrer-Policy is %q", rp)
		}
		if c := setCookie(a.header, sessionCookie); c != nil {
			t.Errorf("GET of the confirm page set a session cookie: %v", c)
		}
		if a := b.do(t, "GET", page, nil, nil); a.status != http.StatusSeeOther {
			t.Fatalf("after a GET of the link, a page needing sign-in answers %d: the GET signed in", a.status)
		}
	}

	// The POST signs in, with a new session cookie, and goes where the
	// person was going.
	a := b.confirm(t, secret)
	if a.status != http.StatusSeeOther || a.header.Get("Location") != page {
		t.Fatalf("POST /signin/confirm: %d Location %q, want 303 to %s", a.status, a.header.Get("Location"), page)
	}
	c := setCookie(a.header, sessionCookie)
	if c == nil || c.Value == "" {
		t.Fatalf("no %s cookie after sign-in: %v", sessionCookie, a.header.Values("Set-Cookie"))
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
		t.Errorf("session cookie: HttpOnly %v, SameSite %v, Secure %v, Path %q; want HttpOnly, Lax, not Secure over http, /", c.HttpOnly, c.SameSite, c.Secure, c.Path)
	}
	if a := b.do(t, "GET", page, nil, nil); a.status != http.StatusOK {
		t.Fatalf("the signed-in session on %s: %d", page, a.status)
	}
	if got := b.me(t); got != who {
		t.Fatalf("signed in as %q, want %s", got, who)
	}

	// Once only, in this browser or any other.
	other := f.browser(t)
	signedIn := b.session()
	for _, br := range []*browser{b, other} {
		if a := br.do(t, "GET", "/signin/confirm?t="+secret, nil, nil); a.status != http.StatusNotFound {
			t.Errorf("GET of a used link: %d", a.status)
		}
		if a := br.confirm(t, secret); a.status != http.StatusNotFound {
			t.Errorf("POST of a used link: %d", a.status)
		}
	}
	if got := other.me(t); got != "" || other.session() != "" {
		t.Errorf("a used link signed another browser in as %q", got)
	}
	if b.session() != signedIn {
		t.Error("a used link, posted again, changed the session of the browser that used it")
	}
	// Nor trade a used link for a token.
	if a := send(t, f.srv, "POST", "/api/v1/tokens/exchange", "application/json", `{"link": "`+secret+`"}`, map[string]string{"Authorization": "-"}); a.status != http.StatusUnauthorized {
		t.Errorf("exchange of a used link: %d %s", a.status, a.body)
	}

	// Expired: made by the store with an expiry in the past.
	expired := f.storedLink(t, who, "/", fixtureNow.Add(-time.Second))
	late := f.browser(t)
	if a := late.do(t, "GET", "/signin/confirm?t="+expired, nil, nil); a.status != http.StatusNotFound {
		t.Errorf("GET of an expired link: %d", a.status)
	}
	if a := late.confirm(t, expired); a.status != http.StatusNotFound || late.me(t) != "" {
		t.Errorf("POST of an expired link: %d, signed in as %q", a.status, late.me(t))
	}
	// A link just within its 15 minutes still works.
	fresh := f.storedLink(t, who, "/", fixtureNow.Add(time.Second))
	if a := late.confirm(t, fresh); a.status != http.StatusSeeOther || late.me(t) != who {
		t.Errorf("POST of a link a second before it expires: %d", a.status)
	}
	// An altered link: one character changed.
	altered := []byte(f.storedLink(t, who, "/", fixtureNow.Add(time.Minute)))
	altered[10] ^= 1
	if a := f.browser(t).confirm(t, string(altered)); a.status != http.StatusNotFound {
		t.Errorf("POST of an altered link: %d", a.status)
	}
}

// A link signs in as the address it was made for, whoever uses it: never as
// whoever asked for it or is signed in in that browser.
func TestLinkSignsInAsItsOwnAddressOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	b := f.browser(t)
	b.signIn(t, emails[lyon])
	forHolder := f.storedLink(t, emails[holder], "/", fixtureNow.Add(time.Minute))
	if a := b.confirm(t, forHolder); a.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", a.status)
	}
	if got := b.me(t); got != emails[holder] {
		t.Errorf("the holder's link, confirmed in the coordinator's browser, signed in as %q", got)
	}
	// The coordinator's rights did not come along.
	if a := b.do(t, "GET", "/api/v1/users", nil, nil); a.status != http.StatusNotFound {
		t.Errorf("after the holder's link, GET /api/v1/users answers %d", a.status)
	}
	if a := b.post(t, "/api/v1/programs/ncc-2027/demoscampi/actions/select", `{}`, map[string]string{"Content-Type": "application/json"}); a.status != http.StatusForbidden {
		t.Errorf("after the holder's link, select answers %d", a.status)
	}
}

// Whether Suivi knows an address is not told: same answer, and only the
// known one gets mail.
func TestSigninAnswersTheSameForUnknownAddresses(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	b := f.browser(t)
	known, sentKnown := b.askLink(t, emails[holder], "")
	unknown, sentUnknown := b.askLink(t, "stranger@example.org", "")
	if sentKnown == "" || sentUnknown != "" {
		t.Fatalf("links sent: known %v, unknown %v", sentKnown != "", sentUnknown != "")
	}
	if known.status != unknown.status || known.body != unknown.body || known.ctype != unknown.ctype {
		t.Errorf("known address: %d %q\nunknown: %d %q", known.status, known.body, unknown.status, unknown.body)
	}
	for _, h := range []string{"Set-Cookie", "Content-Length"} {
		if known.header.Get(h) != unknown.header.Get(h) {
			t.Errorf("header %s: known %q, unknown %q", h, known.header.Get(h), unknown.header.Get(h))
		}
	}
	// The CLI's route too.
	ak := send(t, f.srv, "POST", "/api/v1/signin", "application/json", `{"email": "`+emails[mentor]+`"}`, map[string]string{"Authorization": "-"})
	au := send(t, f.srv, "POST", "/api/v1/signin", "application/json", `{"email": "stranger2@example.org"}`, map[string]string{"Authorization": "-"})
	ak.body = strings.Replace(ak.body, emails[mentor], "X", 1)
	au.body = strings.Replace(au.body, "stranger2@example.org", "X", 1)
	if ak.status != http.StatusAccepted || ak.status != au.status || ak.body != au.body {
		t.Errorf("API sign-in: known %d %q, unknown %d %q", ak.status, ak.body, au.status, au.body)
	}
	if len(f.links(t, "stranger@example.org"))+len(f.links(t, "stranger2@example.org")) != 0 {
		t.Error("a link went out to an unknown address")
	}
}

func TestSigninIsRateLimited(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	b := f.browser(t)
	who := emails[funder]
	var first answer
	for i := range web.LinksPerAddress + 3 {
		a, _ := b.askLink(t, who, "")
		if i == 0 {
			first = a
		}
		if a.status != first.status || a.body != first.body {
			t.Fatalf("request %d for one address answered differently: %d", i+1, a.status)
		}
	}
	if n := len(f.links(t, who)); n != web.LinksPerAddress {
		t.Errorf("%d requests for one address sent %d links, want %d", web.LinksPerAddress+3, n, web.LinksPerAddress)
	}
	// From one network: LinksPerIP requests, then 429, whatever the address.
	for i := web.LinksPerAddress + 3; i < web.LinksPerIP; i++ {
		if a, _ := b.askLink(t, fmt.Sprintf("someone%d@example.org", i), ""); a.status != http.StatusOK {
			t.Fatalf("request %d from one IP: %d", i+1, a.status)
		}
	}
	if a, secret := b.askLink(t, emails[mentor], ""); a.status != http.StatusTooManyRequests || secret != "" {
		t.Errorf("request %d from one IP: %d, link sent %v; want 429 and no link", web.LinksPerIP+1, a.status, secret != "")
	}
	a := send(t, f.srv, "POST", "/api/v1/signin", "application/json", `{"email": "`+emails[mentor]+`"}`, map[string]string{"Authorization": "-"})
	if msg := apiError(t, a); a.status != http.StatusTooManyRequests || !strings.Contains(msg, "too many") {
		t.Errorf("API sign-in over the IP limit: %d %q", a.status, msg)
	}
}

func TestSessionCookieIsSecureOverHTTPS(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(d *web.Deps) { d.SecureCookies = true })
	secret := f.storedLink(t, emails[holder], "/", fixtureNow.Add(time.Minute))
	a := f.browser(t).confirm(t, secret)
	c := setCookie(a.header, sessionCookie)
	if a.status != http.StatusSeeOther || c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("with SecureCookies: %d, cookie %+v; want Secure, HttpOnly, SameSite=Lax", a.status, c)
	}
}

// A cookie a visitor had before signing in, planted or not, is never the
// signed-in session: sign-in issues a new token.
func TestNoSessionFixation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	who := emails[lyon]

	// Visiting pages first gives no session to fix.
	b := f.browser(t)
	for _, p := range []string{"/", "/signin", "/signin?next=/programs/ncc-2027/demoscampi"} {
		if a := b.do(t, "GET", p, nil, nil); setCookie(a.header, sessionCookie) != nil {
			t.Errorf("GET %s set a session cookie before sign-in", p)
		}
	}

	// A made-up token, planted before the link is used.
	madeUp := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	b.setSession(madeUp)
	b.signIn(t, who)
	if got := b.session(); got == "" || got == madeUp {
		t.Fatalf("after sign-in the session token is %q: the planted one", got)
	}
	attacker := f.browser(t)
	attacker.setSession(madeUp)
	if got := attacker.me(t); got != "" {
		t.Errorf("the planted token is signed in as %q", got)
	}

	// A real token, the attacker's own session, planted in the victim's
	// browser: after the victim signs in, it is not the victim's.
	attacker = f.browser(t)
	attacker.signIn(t, emails[holder])
	planted := attacker.session()
	victim := f.browser(t)
	victim.setSession(planted)
	victim.signIn(t, who)
	if victim.session() == planted {
		t.Fatal("the victim's session kept the planted token")
	}
	attacker.setSession(planted)
	if got := attacker.me(t); got == who {
		t.Errorf("the planted token now signs the attacker in as the victim (%s)", got)
	}
}

func TestSignOutEndsSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	who := emails[lyon]
	page := "/programs/ncc-2027/demoscampi"

	// Sign out ends the session in the server, not only in the browser.
	b := f.browser(t)
	b.signIn(t, who)
	token := b.session()
	if a := b.do(t, "POST", "/signout", nil, map[string]string{"Sec-Fetch-Site": "same-origin"}); a.status != http.StatusSeeOther {
		t.Fatalf("POST /signout: %d", a.status)
	}
	replay := f.browser(t)
	replay.setSession(token)
	if got := replay.me(t); got != "" {
		t.Errorf("a session cookie replayed after sign-out is still %s", got)
	}
	if got := b.me(t); got != "" {
		t.Errorf("after sign-out the browser is still %s", got)
	}

	// Two browsers signed in as one person; a third as someone else.
	one, two, else_ := f.browser(t), f.browser(t), f.browser(t)
	one.signIn(t, who)
	two.signIn(t, who)
	else_.signIn(t, emails[holder])
	if one.session() == two.session() {
		t.Fatal("two sign-ins share a session token")
	}
	twoToken := two.session()
	if a := one.do(t, "POST", "/signout/everywhere", nil, map[string]string{"Origin": f.srv.URL}); a.status != http.StatusSeeOther {
		t.Fatalf("POST /signout/everywhere: %d", a.status)
	}
	for name, br := range map[string]*browser{"the other browser": two, "the browser that signed out": one} {
		if got := br.me(t); got != "" {
			t.Errorf("after sign out everywhere, %s is still %s", name, got)
		}
		if a := br.do(t, "GET", page, nil, nil); a.status != http.StatusSeeOther {
			t.Errorf("after sign out everywhere, %s gets %s: %d", name, page, a.status)
		}
	}
	replay = f.browser(t)
	replay.setSession(twoToken)
	if got := replay.me(t); got != "" {
		t.Errorf("the other browser's cookie, replayed, is still %s", got)
	}
	if got := else_.me(t); got != emails[holder] {
		t.Errorf("someone else's session ended too: %q", got)
	}
	// Signing in again works.
	two.signIn(t, who)
}

func TestRevokedAndUnknownTokensAreRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	as := func(token string) map[string]string { return map[string]string{"Authorization": "Bearer " + token} }
	a := send(t, f.srv, "POST", "/api/v1/tokens", "application/json", `{"name": "laptop"}`, as(f.tokens[lyon]))
	var made api.NewToken
	if err := json.Unmarshal([]byte(a.body), &made); a.status != http.StatusCreated || err != nil || !auth.LooksLike(made.Token, auth.TokenPrefix) {
		t.Fatalf("create a token: %d %s", a.status, a.body)
	}
	if a := send(t, f.srv, "GET", "/api/v1/me", "", "", as(made.Token)); a.status != http.StatusOK || !strings.Contains(a.body, emails[lyon]) {
		t.Fatalf("use the new token: %d %s", a.status, a.body)
	}
	// The list never shows a secret.
	if a := send(t, f.srv, "GET", "/api/v1/tokens", "", "", as(f.tokens[lyon])); strings.Contains(a.body, made.Token) || strings.Contains(a.body, f.tokens[lyon]) {
		t.Errorf("GET /api/v1/tokens shows a secret: %s", a.body)
	}

	// Another person cannot revoke it: 404, as a token that does not exist.
	id := strconv.FormatInt(made.Info.ID, 10)
	other := send(t, f.srv, "POST", "/api/v1/tokens/"+id+"/revoke", "application/json", `{}`, as(f.tokens[holder]))
	missing := send(t, f.srv, "POST", "/api/v1/tokens/99999/revoke", "application/json", `{}`, as(f.tokens[holder]))
	if other.status != http.StatusNotFound || strings.Replace(other.body, id, "N", 1) != strings.Replace(missing.body, "99999", "N", 1) {
		t.Errorf("revoke another person's token: %d %s (a missing one: %s)", other.status, other.body, missing.body)
	}
	// Nor a coordinator of every city: tokens are one's own.
	if a := send(t, f.srv, "POST", "/api/v1/tokens/"+id+"/revoke", "application/json", `{}`, as(f.tokens[global])); a.status != http.StatusNotFound {
		t.Errorf("a global coordinator revoked another person's token: %d", a.status)
	}
	if a := send(t, f.srv, "GET", "/api/v1/me", "", "", as(made.Token)); a.status != http.StatusOK {
		t.Fatalf("the token stopped working after others tried to revoke it: %d", a.status)
	}

	// Its owner revokes it: refused from then on, API and pages alike.
	if a := send(t, f.srv, "POST", "/api/v1/tokens/"+id+"/revoke", "application/json", `{}`, as(f.tokens[lyon])); a.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", a.status, a.body)
	}
	for _, p := range []string{"/api/v1/me", "/api/v1/programs", "/api/v1/programs/ncc-2027/demoscampi", "/programs/ncc-2027/demoscampi"} {
		if a := send(t, f.srv, "GET", p, "", "", as(made.Token)); a.status != http.StatusUnauthorized {
			t.Errorf("GET %s with a revoked token: %d", p, a.status)
		}
	}
	if a := send(t, f.srv, "POST", "/api/v1/tokens/"+id+"/revoke", "application/json", `{}`, as(f.tokens[lyon])); a.status != http.StatusNotFound {
		t.Errorf("revoking twice: %d", a.status)
	}

	// Never issued, however well shaped.
	forged := "suivi_" + base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, 32))
	random, _ := auth.NewSecret(auth.TokenPrefix)
	for _, tok := range []string{forged, random, strings.TrimPrefix(random, "suivi_"), random + "x", "suivi_", "", strings.ToUpper(f.tokens[lyon])} {
		for _, p := range []string{"/api/v1/me", "/programs/ncc-2027/demoscampi"} {
			if a := send(t, f.srv, "GET", p, "", "", map[string]string{"Authorization": "Bearer " + tok}); a.status != http.StatusUnauthorized {
				t.Errorf("GET %s with Bearer %.12q…: %d", p, tok, a.status)
			}
		}
	}
	for _, h := range []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("lyon:pw")), f.tokens[lyon], "bearer " + f.tokens[lyon] + " x"} {
		if a := send(t, f.srv, "GET", "/api/v1/me", "", "", map[string]string{"Authorization": h}); a.status != http.StatusUnauthorized {
			t.Errorf("Authorization %.10q…: %d", h, a.status)
		}
	}

	// A person whose role is taken back keeps a token that opens nothing.
	if err := f.st.RemoveGrant(context.Background(), auth.Grant{Email: emails[tunis], Role: auth.Coordinator, City: "Tunis"}); err != nil {
		t.Fatal(err)
	}
	if a := send(t, f.srv, "GET", "/api/v1/programs/ncc-2027/autre", "", "", as(f.tokens[tunis])); a.status != http.StatusNotFound {
		t.Errorf("a former coordinator of Tunis reads a Tunis program: %d", a.status)
	}
}

// Secrets are kept as hashes: a copy of the database signs nobody in.
func TestSecretsAreHashedAtRest(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	b := f.browser(t)
	_, link := b.askLink(t, emails[lyon], "")
	if a := b.confirm(t, link); a.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", a.status)
	}
	secrets := map[string]string{"sign-in link": link, "session": b.session(), "API token": f.tokens[lyon]}
	for _, table := range []string{"sessions", "api_tokens", "magic_links"} {
		for what, s := range secrets {
			var n int
			q := `select count(*) from ` + table + ` x where x::text like '%' || $1 || '%' or x::text like '%' || encode(convert_to($1, 'UTF8'), 'hex') || '%'`
			if err := f.st.Pool().QueryRow(context.Background(), q, s).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("table %s holds the %s as is", table, what)
			}
		}
	}
}

// One person cannot reach another's program by typing its address.
func TestNoInsecureDirectObjectReference(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	as := func(r role) map[string]string { return map[string]string{"Authorization": "Bearer " + f.tokens[r]} }
	// The mentor of ncc-2027/autre, on ncc-2027/demoscampi: exactly what a
	// missing program answers.
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/programs/ncc-2027/%s", ""},
		{"GET", "/api/v1/programs/ncc-2027/%s", ""},
		{"GET", "/api/v1/programs/ncc-2027/%s/activity", ""},
		{"POST", "/api/v1/programs/ncc-2027/%s/actions/complete", `{"milestone": "demo"}`},
		{"POST", "/api/v1/programs/ncc-2027/%s/actions/attend", `{"meetup": "2027-04"}`},
		{"POST", "/api/v1/programs/ncc-2027/%s/public", `{"public": true}`},
	} {
		ct := ""
		if c.method == "POST" {
			ct = "application/json"
		}
		got := send(t, f.srv, c.method, fmt.Sprintf(c.path, mxProject), ct, c.body, as(otherMentor))
		none := send(t, f.srv, c.method, fmt.Sprintf(c.path, "nothing"), ct, c.body, as(otherMentor))
		if got.status != http.StatusNotFound || got.body != strings.ReplaceAll(none.body, "nothing", mxProject) {
			t.Errorf("%s %s by the mentor of another program: %d %.200s", c.method, fmt.Sprintf(c.path, mxProject), got.status, got.body)
		}
		// Their own program answers (the refusal is about the program).
		if own := send(t, f.srv, c.method, fmt.Sprintf(c.path, "autre"), ct, c.body, as(otherMentor)); own.status == http.StatusNotFound {
			t.Errorf("%s on their own program: 404 %.200s", c.method, own.body)
		}
	}
	for _, c := range []struct {
		who          role
		action, body string
		want         int
	}{
		{holder, "select", `{}`, http.StatusForbidden},
		{holder, "score", `{"score": 20}`, http.StatusForbidden},
		{holder, "complete", `{"milestone": "demo"}`, http.StatusForbidden},
		{holder, "submit", `{"milestone": "demo", "url": "https://example.org/x", "on_behalf_of": "mentor@example.org"}`, http.StatusForbidden},
		{funder, "select", `{}`, http.StatusForbidden},
		{funder, "submit", `{"milestone": "demo", "url": "https://example.org/x"}`, http.StatusForbidden},
		{funder, "pause", `{}`, http.StatusForbidden},
		{mentor, "select", `{}`, http.StatusForbidden},
		{jury, "select", `{}`, http.StatusForbidden},
		{otherJury, "score", `{"score": 20}`, http.StatusNotFound},
		{tunis, "select", `{}`, http.StatusNotFound},
		{lyon, "score", `{"score": 20}`, reaches},
		{jury, "score", `{"score": 20}`, reaches},
	} {
		a := send(t, f.srv, "POST", "/api/v1/programs/ncc-2027/demoscampi/actions/"+c.action, "application/json", c.body, as(c.who))
		if a.status != c.want {
			t.Errorf("%s, %s: %d, want %d: %.200s", c.who, c.action, a.status, c.want, a.body)
		}
	}
	// The actor is whoever is signed in, never a name in the body.
	a := send(t, f.srv, "POST", "/api/v1/programs/ncc-2027/demoscampi/actions/select", "application/json", `{"actor": "lyon@example.org"}`, as(holder))
	if a.status != http.StatusBadRequest {
		t.Errorf("a holder acting as the coordinator: %d %s", a.status, a.body)
	}
	for _, p := range []string{"/api/v1/people/lyon@example.org", "/api/v1/people/LYON@example.org"} {
		if a := send(t, f.srv, "PUT", p, "application/json", `{"reminders": "escalations"}`, as(holder)); a.status != http.StatusNotFound {
			t.Errorf("a holder changes a coordinator's settings (%s): %d", p, a.status)
		}
	}
	// Funders are linked by the program's coordinators only.
	if a := send(t, f.srv, "POST", "/api/v1/programs/ncc-2027/demoscampi/funders", "application/json", `{"funder": "region"}`, as(otherFunder)); a.status != http.StatusNotFound {
		t.Errorf("another funder links itself to the program: %d", a.status)
	}
	if a := send(t, f.srv, "GET", "/api/v1/programs/ncc-2027/demoscampi", "", "", as(otherFunder)); a.status != http.StatusNotFound {
		t.Errorf("another funder reads the program: %d", a.status)
	}
}

// State-changing requests from another site's pages are refused, with or
// without a session.
func TestCrossOriginRequestsAreRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	b := f.browser(t)
	b.signIn(t, emails[lyon])
	link := f.storedLink(t, emails[holder], "/", fixtureNow.Add(time.Minute))
	evil := []map[string]string{
		{"Origin": "https://evil.example"},
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"},
		{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
		{"Origin": "null"},
	}
	for _, h := range evil {
		for _, c := range []struct {
			path string
			form url.Values
			json string
		}{
			{path: "/signin/confirm", form: url.Values{"t": {link}}}, // login CSRF
			{path: "/signin", form: url.Values{"email": {emails[mentor]}}},
			{path: "/signout", form: url.Values{}},
			{path: "/signout/everywhere", form: url.Values{}},
			{path: "/api/v1/tokens", json: `{"name": "stolen"}`},
			{path: "/api/v1/programs/ncc-2027/demoscampi/actions/select", json: `{}`},
			{path: "/api/v1/programs/ncc-2027/demoscampi/public", json: `{"public": true}`},
		} {
			var a answer
			if c.form != nil {
				a = b.do(t, "POST", c.path, c.form, h)
			} else {
				hh := map[string]string{"Content-Type": "application/json"}
				for k, v := range h {
					hh[k] = v
				}
				a = b.post(t, c.path, c.json, hh)
			}
			if a.status != http.StatusForbidden {
				t.Errorf("POST %s with %v: %d, want 403", c.path, h, a.status)
			}
		}
	}
	// Nothing happened: still signed in as the coordinator, the link unused,
	// no token made, no link sent to the mentor.
	if got := b.me(t); got != emails[lyon] {
		t.Errorf("after the cross-site requests the browser is %q", got)
	}
	if _, ok, err := f.st.MagicLinkFor(context.Background(), auth.Hash(link), fixtureNow); err != nil || !ok {
		t.Errorf("a cross-site POST used the link (%v)", err)
	}
	if ts, _ := f.st.Tokens(context.Background(), emails[lyon]); slices.ContainsFunc(ts, func(x store.Token) bool { return x.Name == "stolen" }) {
		t.Error("a cross-site POST made a token")
	}
	if n := len(f.links(t, emails[mentor])); n != 0 {
		t.Errorf("cross-site POSTs sent %d links", n)
	}
	// The same requests from Suivi's own pages pass.
	if a := b.do(t, "POST", "/signin", url.Values{"email": {emails[mentor]}}, map[string]string{"Origin": f.srv.URL, "Sec-Fetch-Site": "same-origin"}); a.status != http.StatusOK {
		t.Errorf("a same-origin POST /signin: %d", a.status)
	}
}

// post sends a JSON body from the browser.
func (b *browser) post(t *testing.T, path, body string, header map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest("POST", b.f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(data), resp.Header}
}

// A program's name is data: the API escapes what HTML would read.
func TestAPIAnswersEscapeHTML(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	const name = `<script>alert(1)</script> & <img src=x onerror=alert(2)>`
	p := store.Program{Edition: mxEdition, Project: "xss", Name: name, City: "Lyon", Phase: "selected",
		Holders: []string{`"><svg onload=alert(3)>@example.org`}, Repositories: []string{"https://github.com/x/y"},
		WorkflowID: workflows.ProgramWorkflowID(mxEdition, "xss"), StartedAt: fixtureNow, Seq: 1}
	if err := f.st.SaveProgram(context.Background(), p, nil); err != nil {
		t.Fatal(err)
	}
	as := map[string]string{"Authorization": "Bearer " + f.tokens[lyon]}
	for _, path := range []string{"/api/v1/programs", "/api/v1/programs/ncc-2027/xss"} {
		a := send(t, f.srv, "GET", path, "", "", as)
		if a.status != http.StatusOK || !strings.HasPrefix(a.ctype, "application/json") {
			t.Fatalf("GET %s: %d %s", path, a.status, a.ctype)
		}
		if strings.ContainsAny(a.body, "<>") || !strings.Contains(a.body, `\u003cscript\u003ealert(1)\u003c/script\u003e \u0026`) {
			t.Errorf("GET %s: HTML characters are not escaped: %.300s", path, a.body)
		}
		if !strings.Contains(mustUnquote(t, a.body), name) {
			t.Errorf("GET %s: the name does not come back whole", path)
		}
	}
	// Errors that quote what was sent escape it too.
	a := send(t, f.srv, "GET", "/api/v1/programs?phase=%3Cscript%3E", "", "", as)
	if a.status != http.StatusBadRequest || strings.ContainsAny(a.body, "<>") || !strings.HasPrefix(a.ctype, "application/json") {
		t.Errorf("an error quoting <script>: %d %s %s", a.status, a.ctype, a.body)
	}
	a = send(t, f.srv, "GET", "/api/v1/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "", "", as)
	if a.status != http.StatusNotFound || strings.ContainsAny(a.body, "<>") || !strings.HasPrefix(a.ctype, "application/json") {
		t.Errorf("an unknown API path quoting <script>: %d %s %s", a.status, a.ctype, a.body)
	}
}

// mustUnquote decodes a JSON document and re-encodes it without escaping.
func mustUnquote(t *testing.T, body string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return buf.String()
}

// lockedBuffer is a log destination safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Sign-in links, session cookies, API tokens and signed email links never
// reach the log, at the Debug level, failures included.
func TestSecretsNeverReachTheLog(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	tokens := mail.Tokens{Secret: []byte("matrix-mail-secret-0123456789abcdef")}
	f := newFixture(t, func(d *web.Deps) {
		d.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		d.Tokens = tokens
	})
	var secrets []string
	keep := func(s ...string) { secrets = append(secrets, s...) }
	keep(f.tokens[lyon], f.tokens[holder])

	// The browser's sign-in, its session, and a sign out.
	b := f.browser(t)
	_, link := b.askLink(t, emails[lyon], "/programs/ncc-2027/demoscampi")
	keep(link)
	b.do(t, "GET", "/signin/confirm?t="+link, nil, nil)
	b.confirm(t, link)
	b.confirm(t, link) // used: refused
	keep(b.session())
	b.do(t, "GET", "/programs/ncc-2027/demoscampi", nil, nil)
	b.do(t, "GET", "/programs/ncc-2027/nothing", nil, nil)
	b.do(t, "POST", "/signout", nil, nil)

	// The CLI's: a link traded for a token, a token made, used, revoked.
	send(t, f.srv, "POST", "/api/v1/signin", "application/json", `{"email": "`+emails[holder]+`"}`, map[string]string{"Authorization": "-"})
	cliLinks := f.links(t, emails[holder])
	if len(cliLinks) != 1 {
		t.Fatalf("%d links for the CLI's sign-in", len(cliLinks))
	}
	keep(cliLinks[0])
	a := send(t, f.srv, "POST", "/api/v1/tokens/exchange", "application/json", `{"link": "`+f.srv.URL+`/signin/confirm?t=`+cliLinks[0]+`"}`, map[string]string{"Authorization": "-"})
	var exchanged api.NewToken
	if err := json.Unmarshal([]byte(a.body), &exchanged); a.status != http.StatusCreated || err != nil {
		t.Fatalf("token exchange: %d %s", a.status, a.body)
	}
	keep(exchanged.Token)
	as := map[string]string{"Authorization": "Bearer " + exchanged.Token}
	a = send(t, f.srv, "POST", "/api/v1/tokens", "application/json", `{"name": "ci"}`, as)
	var made api.NewToken
	if err := json.Unmarshal([]byte(a.body), &made); a.status != http.StatusCreated || err != nil {
		t.Fatalf("token create: %d %s", a.status, a.body)
	}
	keep(made.Token)
	send(t, f.srv, "GET", "/api/v1/me", "", "", map[string]string{"Authorization": "Bearer " + made.Token})
	send(t, f.srv, "POST", fmt.Sprintf("/api/v1/tokens/%d/revoke", made.Info.ID), "application/json", `{}`, as)
	send(t, f.srv, "GET", "/api/v1/me", "", "", map[string]string{"Authorization": "Bearer " + made.Token}) // 401
	// Failures log at Error with their cause: an action Temporal cannot take.
	send(t, f.srv, "POST", "/api/v1/programs/ncc-2027/demoscampi/actions/submit", "application/json",
		`{"milestone": "demo", "url": "https://example.org/demo"}`, as)

	// A signed preferences link, in a query string.
	prefs := tokens.Sign(emails[holder])
	keep(prefs)
	send(t, f.srv, "GET", "/prefs?t="+url.QueryEscape(prefs), "", "", map[string]string{"Authorization": "-"})
	send(t, f.srv, "POST", "/prefs/unsubscribe?t="+url.QueryEscape(prefs), "", "", map[string]string{"Authorization": "-"})

	// The private calendar feed, whose secret is in its address, once
	// there is a route that serves it.
	if slices.ContainsFunc(web.Routes(), func(r web.Route) bool { return r.Pattern == "GET /calendar/{file}" }) {
		feed, hash := auth.NewSecret(auth.FeedPrefix)
		if err := f.st.SetCalendarFeed(context.Background(), emails[holder], hash); err != nil {
			t.Fatal(err)
		}
		unknown, _ := auth.NewSecret(auth.FeedPrefix)
		keep(feed, unknown)
		if a := send(t, f.srv, "GET", "/calendar/"+feed+".ics", "", "", map[string]string{"Authorization": "-"}); a.status != http.StatusOK {
			t.Errorf("GET of the calendar feed: %d %.200s", a.status, a.body)
		}
		send(t, f.srv, "GET", "/calendar/"+unknown+".ics", "", "", map[string]string{"Authorization": "-"})
	} else {
		t.Log("no GET /calendar/{file} route: calendar secrets not checked")
	}

	f.srv.Close() // every request logged
	out := logs.String()
	if !strings.Contains(out, `"msg":"http"`) || !strings.Contains(out, `"level":"ERROR"`) {
		t.Fatalf("the log holds no request or no failure: the test checks nothing\n%s", out)
	}
	for _, s := range secrets {
		if s == "" {
			t.Fatal("a secret of the test is empty")
		}
		for _, form := range []string{s, url.QueryEscape(s), strings.TrimPrefix(strings.TrimPrefix(s, auth.LinkPrefix), auth.TokenPrefix)} {
			if strings.Contains(out, form) {
				t.Errorf("the log holds a secret (%.8s…)", s)
			}
		}
	}
}

// After sign-in the browser lands on Suivi, whatever next= said.
func TestSignInNeverRedirectsOffSite(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	u, _ := url.Parse(f.srv.URL)
	evil := []string{
		"//evil.example", "https://evil.example", "http://evil.example/", "/\\evil.example", "\\\\evil.example",
		"///evil.example", "https:evil.example", "javascript:alert(1)", "//evil.example/%2F..", "/\t/evil.example",
		"/%0a/evil.example", " //evil.example", "evil.example", "/..//evil.example", "/.//evil.example",
		"/%5C%5Cevil.example", "/%2F%2Fevil.example",
	}
	check := func(how, next string, a answer) {
		t.Helper()
		loc := a.header.Get("Location")
		target, err := u.Parse(loc)
		if a.status != http.StatusSeeOther || err != nil || target.Host != u.Host || strings.HasPrefix(loc, "//") ||
			strings.ContainsAny(loc, "\\\t\r\n") || (!strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//")) && loc != "/" {
			t.Errorf("%s next=%q: %d Location %q", how, next, a.status, loc)
		}
	}
	// Browsers read \ as / in a URL: Location /\evil.example goes to
	// evil.example, and http.Redirect's path.Clean turns /./\evil.example
	// into /\evil.example.
	evil = append([]string{"/./\\evil.example", "/a/../\\evil.example"}, evil...)
	// Through the form, as a link would carry it: a few addresses, as one
	// address gets at most web.LinksPerAddress links.
	people := []string{emails[global], emails[lyon], emails[tunis], emails[mentor], emails[holder], emails[jury], emails[funder]}
	for i, next := range evil[:len(people)] {
		b := f.browser(t)
		if a := b.do(t, "GET", "/signin?next="+url.QueryEscape(next), nil, nil); strings.Contains(a.body, "evil.example") {
			t.Errorf("the sign-in page keeps next=%q in its form", next)
		}
		_, secret := b.askLink(t, people[i], next)
		if secret == "" {
			t.Fatalf("no link for %s", people[i])
		}
		check("POST /signin", next, b.confirm(t, secret))
	}
	// Stored as is (an older Suivi, a hand-made row): still refused when used.
	for _, next := range evil {
		check("stored", next, f.browser(t).confirm(t, f.storedLink(t, emails[holder], next, fixtureNow.Add(time.Minute))))
	}
	// A path on Suivi is kept.
	a := f.browser(t).confirm(t, f.storedLink(t, emails[holder], "/programs/ncc-2027/demoscampi?tab=steps", fixtureNow.Add(time.Minute)))
	if loc := a.header.Get("Location"); loc != "/programs/ncc-2027/demoscampi?tab=steps" {
		t.Errorf("a path on Suivi became %q", loc)
	}
}

// setCookie returns the cookie name an answer sets, or nil.
func setCookie(h http.Header, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// lostTemporal is a Temporal server whose state was lost: it knows no
// workflow (DescribeWorkflowExecution is NotFound; the rest unimplemented).
type lostTemporal struct {
	workflowservice.UnimplementedWorkflowServiceServer
}

func (lostTemporal) GetSystemInfo(context.Context, *workflowservice.GetSystemInfoRequest) (*workflowservice.GetSystemInfoResponse, error) {
	return &workflowservice.GetSystemInfoResponse{}, nil
}

func (lostTemporal) DescribeWorkflowExecution(context.Context, *workflowservice.DescribeWorkflowExecutionRequest) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	return nil, serviceerror.ToStatus(serviceerror.NewNotFound("workflow not found")).Err()
}

// Starting a program whose slug another city's program holds must fail,
// but tell nothing of a program one may not see: not its phase, not when
// it started (checkNotLost words its conflict for whoever may see it).
func TestStartTellsNothingOfOtherCitiesPrograms(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	workflowservice.RegisterWorkflowServiceServer(g, lostTemporal{})
	hs := health.NewServer()
	hs.SetServingStatus("temporal.api.workflowservice.v1.WorkflowService", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(g, hs)
	go func() { _ = g.Serve(l) }()
	defer g.Stop()
	tc, err := client.NewLazyClient(client.Options{HostPort: l.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	f := newFixture(t, func(d *web.Deps) { d.Temporal = tc })
	start := func(project string) answer {
		return send(t, f.srv, "POST", "/api/v1/programs", "application/json", `{"edition": "ncc-2027", "project": "`+project+
			`", "name": "X", "holders": ["h@example.org"], "repositories": ["a/b"], "city": "Tunis"}`,
			map[string]string{"Authorization": "Bearer " + f.tokens[tunis]})
	}
	a := start(mxProject) // Lyon's, which Tunis's coordinator may not see
	if msg := apiError(t, a); strings.Contains(msg, "phase") || strings.Contains(msg, "2027-03-05") || strings.Contains(msg, "forget") {
		t.Errorf("a coordinator of Tunis, starting a slug Lyon's program holds, is told: %d %q", a.status, msg)
	}
}
