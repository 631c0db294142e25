package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/pgtest"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
)

// databases maps each store newStore opens to its database's URL, for
// tests that read the tables themselves (the fuzz targets' "nothing
// written").
var databases sync.Map

func newStore(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	databases.Store(st, dbURL)
	t.Cleanup(st.Close)
	if _, err := st.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return st
}

// tokens holds, per test server, a token of a coordinator of every city,
// which send uses unless the request names its own Authorization.
var tokens sync.Map

// serve starts the web server on d, with a coordinator to act as.
func serve(t testing.TB, d web.Deps) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(web.NewHandler(d))
	tokens.Store(srv.URL, coordinatorToken(t, d.Store))
	return srv
}

// coordinatorToken makes coord@example.org a coordinator of every city and
// returns an API token of theirs.
func coordinatorToken(t testing.TB, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	if _, err := st.AddGrant(ctx, auth.Grant{Email: "coord@example.org", Role: auth.Coordinator}, "test"); err != nil {
		t.Fatal(err)
	}
	secret, hash := auth.NewSecret(auth.TokenPrefix)
	if _, err := st.CreateToken(ctx, "coord@example.org", "test", hash); err != nil {
		t.Fatal(err)
	}
	return secret
}

func bearer(srv *httptest.Server) string {
	tok, _ := tokens.Load(srv.URL)
	s, _ := tok.(string)
	return "Bearer " + s
}

type answer struct {
	status int
	ctype  string
	body   string
	header http.Header
}

func send(t *testing.T, srv *httptest.Server, method, path, ctype, body string, header map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Authorization", bearer(srv))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if req.Header.Get("Authorization") == "-" {
		req.Header.Del("Authorization")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b), resp.Header}
}

func apiError(t *testing.T, a answer) string {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal([]byte(a.body), &e); err != nil || e.Error == "" {
		t.Fatalf("not a JSON error (%d %s): %.200s", a.status, a.ctype, a.body)
	}
	return e.Error
}

func TestBodiesAreBoundedAndTyped(t *testing.T) {
	srv := serve(t, web.Deps{Store: newStore(t)})
	defer srv.Close()

	big := `{"edition": "ncc-2027", "name": "` + strings.Repeat("x", web.MaxBody) + `"}`
	a := send(t, srv, "POST", "/api/v1/programs", "application/json", big, nil)
	if msg := apiError(t, a); a.status != http.StatusRequestEntityTooLarge || !strings.Contains(msg, "64 KiB") || len(msg) > 200 {
		t.Errorf("a body over the limit: %d %q", a.status, msg)
	}
	// Without a Content-Length (chunked), the limit still holds.
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/editions", io.MultiReader(strings.NewReader("id: x\n"), strings.NewReader(strings.Repeat("# padding\n", web.MaxEditionBody/10+1))))
	req.Header.Set("Content-Type", "application/yaml")
	req.Header.Set("Authorization", bearer(srv))
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "256 KiB") {
		t.Errorf("a chunked edition over the limit: %d %s", resp.StatusCode, b)
	}

	// A "simple" cross-site request (text/plain needs no preflight) never
	// reaches a JSON route; nor does a body without a type.
	for _, ct := range []string{"text/plain", "", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
		a := send(t, srv, "POST", "/api/v1/programs/ncc-2027/demo/actions/select", ct, `{"actor": "a@b.org"}`, nil)
		if msg := apiError(t, a); a.status != http.StatusUnsupportedMediaType || !strings.Contains(msg, "application/json") {
			t.Errorf("Content-Type %q: %d %q", ct, a.status, msg)
		}
	}
	if a := send(t, srv, "POST", "/api/v1/editions", "text/plain", "id: x", nil); a.status != http.StatusUnsupportedMediaType {
		t.Errorf("an edition sent as text/plain: %d", a.status)
	}
}

func TestCrossOriginChangesAreRefused(t *testing.T) {
	srv := serve(t, web.Deps{Store: newStore(t)})
	defer srv.Close()
	for name, h := range map[string]map[string]string{
		"fetch metadata": {"Sec-Fetch-Site": "cross-site"},
		"origin":         {"Origin": "https://evil.example"},
	} {
		a := send(t, srv, "POST", "/api/v1/programs/ncc-2027/demo/actions/withdraw", "application/json", `{"actor": "a@b.org"}`, h)
		if a.status != http.StatusForbidden || !strings.Contains(a.body, "cross-origin") {
			t.Errorf("%s: a cross-site POST answered %d %.200s", name, a.status, a.body)
		}
		a = send(t, srv, "PUT", "/api/v1/people/a@b.org", "application/json", `{"locale": "en"}`, h)
		if a.status != http.StatusForbidden {
			t.Errorf("%s: a cross-site PUT answered %d", name, a.status)
		}
	}
	// Reads stay open, and the CLI (no Origin, no Sec-Fetch-Site) passes.
	if a := send(t, srv, "GET", "/api/v1/programs", "", "", map[string]string{"Sec-Fetch-Site": "cross-site"}); a.status != 200 {
		t.Errorf("a cross-site GET answered %d", a.status)
	}
	if a := send(t, srv, "PUT", "/api/v1/people/a@b.org", "application/json", `{"locale": "en", "reminders": "all"}`, nil); a.status != 200 {
		t.Errorf("the CLI's PUT answered %d %s", a.status, a.body)
	}
	if a := send(t, srv, "PUT", "/api/v1/people/a@b.org", "application/json", `{"locale": "en", "reminders": "all"}`, map[string]string{"Sec-Fetch-Site": "same-origin"}); a.status != 200 {
		t.Errorf("a same-origin PUT answered %d %s", a.status, a.body)
	}
}

func TestListRefusesUnknownPhase(t *testing.T) {
	srv := serve(t, web.Deps{Store: newStore(t)})
	defer srv.Close()
	a := send(t, srv, "GET", "/api/v1/programs?phase=bogus", "", "", nil)
	if msg := apiError(t, a); a.status != 400 || !strings.Contains(msg, "applied, selected") || !strings.Contains(msg, "dormant") {
		t.Errorf("?phase=bogus: %d %q", a.status, msg)
	}
	if a := send(t, srv, "GET", "/api/v1/programs?phase=dormant", "", "", nil); a.status != 200 {
		t.Errorf("?phase=dormant: %d", a.status)
	}
}

func TestErrorsNeverEchoLongInput(t *testing.T) {
	srv := serve(t, web.Deps{Store: newStore(t)})
	defer srv.Close()
	long := strings.Repeat("a", 100_000)
	for _, path := range []string{"/api/v1/programs/ncc-2027/" + long, "/api/v1/editions/" + long, "/api/v1/programs?edition=" + long, "/api/v1/" + long, "/programs/ncc-2027/" + long, "/" + long} {
		a := send(t, srv, "GET", path, "", "", nil)
		if a.status < 400 || a.status >= 500 || strings.Contains(a.body, strings.Repeat("a", 100)) || len(a.body) > 4000 {
			t.Errorf("GET %.40s…: %d, %d bytes: %.200s", path, a.status, len(a.body), a.body)
		}
	}
	a := send(t, srv, "POST", "/api/v1/programs", "application/json", `{"`+strings.Repeat("f", 60_000)+`": 1}`, nil)
	if msg := apiError(t, a); a.status != 400 || len(msg) > 300 {
		t.Errorf("an unknown 60 k field: %d, %d bytes", a.status, len(msg))
	}
}

// Pages answer pages: a missing program is an HTML 404 in the reader's
// language, Postgres out of reach an HTML 503, never JSON nor a 500.
func TestPagesAnswerHTMLErrors(t *testing.T) {
	st := newStore(t)
	srv := serve(t, web.Deps{Store: st})
	defer srv.Close()
	a := send(t, srv, "GET", "/programs/ncc-2027/nothing", "", "", map[string]string{"Accept-Language": "fr"})
	if a.status != 404 || !strings.HasPrefix(a.ctype, "text/html") || !strings.Contains(a.body, "Page introuvable") || !strings.Contains(a.body, "no program ncc-2027/nothing") {
		t.Errorf("missing program page: %d %s\n%.400s", a.status, a.ctype, a.body)
	}
	if strings.Contains(a.body, "store:") {
		t.Errorf("internal wording on a page: %.400s", a.body)
	}
	a = send(t, srv, "GET", "/no/such/page", "", "", map[string]string{"Accept-Language": "en"})
	if a.status != 404 || !strings.HasPrefix(a.ctype, "text/html") || !strings.Contains(a.body, "Not found") {
		t.Errorf("unknown page: %d %s", a.status, a.ctype)
	}
	// The API keeps JSON, without internal wording.
	a = send(t, srv, "GET", "/api/v1/programs/ncc-2027/nothing/activity", "", "", nil)
	if msg := apiError(t, a); a.status != 404 || strings.Contains(msg, "store:") || !strings.Contains(msg, "no program ncc-2027/nothing") {
		t.Errorf("activity of a missing program: %d %q", a.status, msg)
	}

	st.Close() // Postgres gone
	for _, path := range []string{"/", "/programs/ncc-2027/demo"} {
		a := send(t, srv, "GET", path, "", "", map[string]string{"Accept-Language": "en"})
		if a.status != 503 || !strings.HasPrefix(a.ctype, "text/html") || !strings.Contains(a.body, "Temporarily unavailable") || a.header.Get("Retry-After") == "" {
			t.Errorf("GET %s with Postgres gone: %d %s\n%.300s", path, a.status, a.ctype, a.body)
		}
	}
	a = send(t, srv, "GET", "/api/v1/programs", "", "", nil)
	if msg := apiError(t, a); a.status != 503 || !strings.Contains(msg, "Postgres is unavailable") {
		t.Errorf("API list with Postgres gone: %d %q", a.status, msg)
	}
}

func TestUnavailableRecognisesAnOutage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := pgx.Connect(ctx, "postgres://u:p@127.0.0.1:1/db?connect_timeout=2")
	if err == nil || !store.Unavailable(err) {
		t.Errorf("connection refused is not seen as unavailable: %v", err)
	}
	if store.Unavailable(store.ErrNotFound) {
		t.Error("not found is seen as unavailable")
	}
}

// A page on a DNS-rebinding domain (which resolves to this machine) sends
// its own name as Host: refused, while loopback and the public host pass.
func TestUnknownHostsAreRefused(t *testing.T) {
	srv := serve(t, web.Deps{Store: newStore(t), Hosts: []string{"suivi.example.org"}})
	defer srv.Close()
	for host, want := range map[string]int{
		"rebind.evil.example:18080": http.StatusMisdirectedRequest,
		"127.0.0.1.nip.io":          http.StatusMisdirectedRequest,
		"suivi.example.org":         http.StatusOK,
		"SUIVI.example.org:443":     http.StatusOK,
		"localhost:8080":            http.StatusOK,
		"127.0.0.1":                 http.StatusOK,
		"[::1]:8080":                http.StatusOK,
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/programs", nil)
		req.Host = host
		req.Header.Set("Authorization", bearer(srv))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
	// The attack of the report: same-origin as far as the browser knows.
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/programs/ncc-2027/demo/actions/reject", strings.NewReader(`{"actor": "attacker@evil.example"}`))
	req.Host = "rebind.evil.example:18080"
	req.Header.Set("Origin", "http://rebind.evil.example:18080")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("a rebinding POST answered %d", resp.StatusCode)
	}
}

// A key given twice, in any case, is refused rather than "the last wins";
// Go's own wording never reaches the caller.
func TestJSONBodiesSayOneThing(t *testing.T) {
	srv := serve(t, web.Deps{Store: newStore(t)})
	defer srv.Close()
	for body, want := range map[string]string{
		`{"actor": "c@x.org", "ACTOR": "evil@evil.example"}`:           `the key "ACTOR" is given twice`,
		`{"actor": "c@x.org", "actor": "evil@evil.example"}`:           `the key "actor" is given twice`,
		`{"actor": "c@x.org", "score": "twenty"}`:                      `"score" must be a whole number, not string`,
		`{"actor": "c@x.org", "note": {"a": 1, "A": 2}}`:               `the key "A" is given twice`,
		`{"actor": "c@x.org"`:                                          "invalid JSON body",
		`[1, 2]`:                                                       "must be a JSON object",
		`{"` + strings.Repeat("k", 5000) + `": 1}`:                     "unknown field",
		`{"actor": "c@x.org", "score": 99999999999999999999999999999}`: "must be a whole number",
	} {
		a := send(t, srv, "POST", "/api/v1/programs/ncc-2027/demo/actions/score", "application/json", body, nil)
		msg := apiError(t, a)
		if a.status != 400 || !strings.Contains(msg, want) || strings.Contains(msg, "Go struct") || strings.Contains(msg, "ActionRequest") || len(msg) > 200 {
			t.Errorf("body %.60s: %d %q, want 400 saying %q", body, a.status, msg, want)
		}
	}
	// Nested objects and lists keep their own keys.
	if err := send(t, srv, "PUT", "/api/v1/people/a@b.org", "application/json", `{"locale": "en", "reminders": "all"}`, nil); err.status != 200 {
		t.Errorf("a plain body: %d %s", err.status, err.body)
	}
	// Not a 415 about a missing Content-Type: there is no such route.
	if a := send(t, srv, "DELETE", "/api/v1/programs/ncc-2027/demo", "", "", nil); a.status != http.StatusNotFound || !strings.Contains(a.body, "no API route DELETE") {
		t.Errorf("DELETE answered %d %s", a.status, a.body)
	}
	a := send(t, srv, "PUT", "/api/v1/people/a@b.org", "application/json", `{"locale": "`+strings.Repeat("x", 5000)+`"}`, nil)
	if msg := apiError(t, a); a.status != 400 || len(msg) > 200 {
		t.Errorf("a 5000-character locale: %d, %d bytes", a.status, len(msg))
	}
}

// A Postgres that stops answering mid-connection (the probe froze it)
// gives a 503 page within the request timeout, not a page that hangs.
func TestFrozenPostgresAnswers503(t *testing.T) {
	target := pgtest.NewDatabase(t)
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newFreezableProxy(t, u.Host)
	u.Host = proxy.addr
	st, err := store.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, web.Deps{Store: st, RequestTimeout: time.Second})
	defer srv.Close()
	defer proxy.kill() // before the pool closes: it would wait on frozen conns
	if a := send(t, srv, "GET", "/programs/ncc-2027/t12", "", "", nil); a.status != 404 {
		t.Fatalf("before the freeze: %d", a.status)
	}
	proxy.freeze()
	done := make(chan answer, 1)
	began := time.Now()
	go func() {
		a := send(t, srv, "GET", "/programs/ncc-2027/t12", "", "", map[string]string{"Accept-Language": "en"})
		t.Logf("answered %d after %s", a.status, time.Since(began).Round(time.Millisecond))
		done <- a
	}()
	select {
	case a := <-done:
		if a.status != 503 || !strings.HasPrefix(a.ctype, "text/html") {
			t.Errorf("with Postgres frozen: %d %s %.200s", a.status, a.ctype, a.body)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the program page hangs while Postgres is frozen")
	}
}

// freezableProxy forwards TCP to a server until frozen, then holds every
// byte: a server that accepts and never answers.
type freezableProxy struct {
	addr   string
	mu     sync.Mutex
	frozen bool
	conns  []net.Conn
	killed chan struct{}
}

func newFreezableProxy(t *testing.T, target string) *freezableProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	p := &freezableProxy{addr: l.Addr().String(), killed: make(chan struct{})}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go p.pipe(c, s)
			go p.pipe(s, c)
		}
	}()
	return p
}

func (p *freezableProxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
}

// kill closes every connection and releases the frozen pipes.
func (p *freezableProxy) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.killed)
	for _, c := range p.conns {
		c.Close()
	}
}

func (p *freezableProxy) pipe(from, to net.Conn) {
	defer to.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if err != nil {
			return
		}
		p.mu.Lock()
		frozen := p.frozen
		p.mu.Unlock()
		if frozen {
			<-p.killed // hold the bytes until the test ends
			return
		}
		if _, err := to.Write(buf[:n]); err != nil {
			return
		}
	}
}
