package web_test

import (
	"cmp"
	"context"
	"fmt"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestScreenshots draws every page, per role and language, with headless
// Chromium into $SUIVI_SCREENSHOTS, for a person to look at: it checks
// nothing by itself and runs only when asked.
//
//	SUIVI_SCREENSHOTS=/tmp/shots go test -run TestScreenshots ./internal/web/
//
// Chromium cannot send an Authorization header, so each role gets a proxy
// that adds its API token to every request.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("SUIVI_SCREENSHOTS")
	if dir == "" {
		t.Skip("set SUIVI_SCREENSHOTS=DIR to draw every page with Chromium")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f := newSite(t, nil)
	addRich(t, f)
	target, _ := url.Parse(f.srv.URL)
	proxies := map[persona]string{}
	proxyFor := func(p persona, l string) string {
		key := persona(string(p) + "/" + l)
		if u, ok := proxies[key]; ok {
			return u
		}
		rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host // as NewSingleHostReverseProxy's Director left it
			pr.SetXForwarded()
			pr.Out.Header.Set("Accept-Language", l)
			if p != pAnon {
				pr.Out.Header.Set("Authorization", "Bearer "+f.tokens[p])
			}
		}}
		srv := httptest.NewServer(rp)
		t.Cleanup(srv.Close)
		proxies[key] = srv.URL
		return srv.URL
	}
	preview := "/dashboard/preview?" + url.Values{"edition": {"ncc-2027"}, "project": {"demoscampi"}, "kind": {"due-today"},
		"milestone": {"explainer-video"}, "due": {"2027-04-07"}, "to": {personaEmails[pHolder]}}.Encode()
	shots := []struct {
		name   string
		who    persona
		path   string
		lang   string
		height int
		width  int
	}{
		{"home-public", pAnon, "/", "fr", 1100, 0},
		{"home-public-en", pAnon, "/", "en", 1100, 0},
		{"home-coordinator", pLyon, "/", "en", 900, 0},
		{"board", pAnon, "/board", "fr", 900, 0},
		{"call-closed", pAnon, "/call/ncc-2027", "fr", 600, 0},
		{"call-received", pAnon, "/call/ncc-2027/received", "en", 600, 0},
		{"dashboard", pLyon, "/dashboard", "fr", 2400, 0},
		{"dashboard-en", pGlobal, "/dashboard?city=Lyon", "en", 2400, 0},
		{"preview", pLyon, preview, "fr", 1500, 0},
		{"program-coordinator", pLyon, "/programs/ncc-2027/demoscampi", "fr", 3200, 0},
		{"program-hostile", pMentor, "/programs/ncc-2027/xss-script", "en", 3400, 0},
		{"program-funder", pFunder, "/programs/ncc-2027/demoscampi", "en", 1800, 0},
		{"jury", pJury, "/jury", "fr", 1400, 0},
		{"me-mentor", pMentor, "/me", "fr", 2000, 0},
		{"me-holder", pHolder, "/me", "en", 2200, 0},
		{"me-funder", pFunder, "/me", "fr", 800, 0},
		{"funder", pFunder, "/funders/metropole", "fr", 700, 0},
		{"funders", pGlobal, "/funders", "en", 900, 0},
		{"funder-report", pFunder, "/funders/metropole/reports/2027-03", "fr", 2600, 0},
		{"edition-report-en", pLyon, "/editions/ncc-2027/report?city=Lyon&month=2027-03", "en", 3000, 0},
		{"settings", pHolder, "/settings", "fr", 1600, 0},
		{"not-found", pMentor, "/dashboard", "fr", 500, 0},
		{"signin", pAnon, "/signin", "fr", 500, 0},
		{"mobile-dashboard", pLyon, "/dashboard", "fr", 1800, 390},
		{"mobile-program", pHolder, "/programs/ncc-2027/demoscampi", "fr", 2400, 390},
	}
	for _, s := range shots {
		out := filepath.Join(dir, s.name+".png")
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--no-first-run", "--hide-scrollbars", "--user-data-dir="+t.TempDir(), "--screenshot="+out,
			fmt.Sprintf("--window-size=%d,%d", cmp.Or(s.width, 1280), s.height), proxyFor(s.who, s.lang)+s.path)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", s.name, err, b)
		}
		cancel()
		t.Logf("%s: %s as %s in %s", out, s.path, s.who, s.lang)
	}
	// The call form, open, with mistakes: its own site, whose clock is in
	// the call's window.
	cf := callFixture(t, callOpenNow)
	target2, _ := url.Parse(cf.srv.URL)
	rp := httputil.NewSingleHostReverseProxy(target2)
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	for _, c := range []struct{ name, query string }{{"call-open", ""}} {
		out := filepath.Join(dir, c.name+".png")
		cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
			"--hide-scrollbars", "--user-data-dir="+t.TempDir(), "--screenshot="+out, "--window-size=1280,1500", srv.URL+"/call/ncc-2027"+c.query)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", c.name, err, b)
		}
	}
	// A POST cannot be drawn from the command line: its answer is saved as
	// a file and drawn from there, with the stylesheet inlined by address.
	a := cf.form(t, pAnon, "/call/ncc-2027", url.Values{"name": {scriptName}, "team": {"porteuse@example.org\nnot-an-address"},
		"repositories": {"https://gitlab.com/x/y"}}.Encode(), "fr")
	page := filepath.Join(t.TempDir(), "call-errors.html")
	body := strings.ReplaceAll(a.body, `href="/static/`, `href="`+srv.URL+`/static/`)
	if err := os.WriteFile(page, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
		"--hide-scrollbars", "--user-data-dir="+t.TempDir(), "--screenshot="+filepath.Join(dir, "call-errors.png"), "--window-size=1280,1900", "file://"+page)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("call-errors: %v\n%s", err, b)
	}
}
