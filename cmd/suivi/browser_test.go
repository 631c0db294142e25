package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browser is a real headless Chromium driven through chromedp, with one
// tab per person (each its own cookie jar: a separate browser context).
type browser struct {
	t        *testing.T
	alloc    context.Context
	base     string
	axe      string // axe-core's source, injected into pages; "" skips the check
	shots    string // where screenshots go on failure
	visited  map[string]bool
	stopAll  []context.CancelFunc
	lastShot int
}

// chromiumPath finds Debian's Chromium; without it the test skips, except
// under CI=true, where .ci/run installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("SUIVI_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium: .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("no chromium on this machine (apt-get install chromium)")
	return ""
}

// axeSource reads axe-core, which .ci/run installs with npm into
// SUIVI_AXE_DIR (default ~/.cache/suivi-axe).
func axeSource(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SUIVI_AXE_DIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "suivi-axe")
	}
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no axe-core in %s: .ci/run installs it with npm (%v)", dir, err)
		}
		t.Logf("no axe-core in %s (npm install --prefix %s axe-core@4): accessibility not checked", dir, dir)
		return ""
	}
	return string(b)
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // tests run as root here
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{t: t, alloc: alloc, base: base, axe: axeSource(t), visited: map[string]bool{}}
	b.shots = os.Getenv("SUIVI_SCREENSHOTS")
	if b.shots == "" {
		b.shots = filepath.Join(os.TempDir(), "suivi-screenshots")
	}
	t.Cleanup(func() {
		for _, c := range b.stopAll {
			c()
		}
		cancel()
	})
	return b
}

// tab is one person's browser window.
type tab struct {
	b    *browser
	ctx  context.Context
	name string
}

// person opens a new browser context (its own cookies) for name.
func (b *browser) person(name string) *tab {
	ctx, cancel := chromedp.NewContext(b.alloc)
	b.stopAll = append(b.stopAll, cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("start chromium for %s: %v", name, err)
	}
	return &tab{b: b, ctx: ctx, name: name}
}

// run runs chromedp actions with a deadline; on failure it saves a
// screenshot and the page's HTML as artifacts and fails the test.
func (tb *tab) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.fail(what, err)
	}
}

// value runs one action that returns a value, failing like run.
func value[T any](tb *tab, what string, a chromedp.Action[T]) T {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.fail(what, err)
	}
	return v
}

func (tb *tab) fail(what string, err error) {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	url, _ := chromedp.Run(ctx, chromedp.Location())
	png, _ := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	_ = os.MkdirAll(tb.b.shots, 0o755)
	tb.b.lastShot++
	base := filepath.Join(tb.b.shots, fmt.Sprintf("%02d-%s", tb.b.lastShot, tb.name))
	_ = os.WriteFile(base+".png", png, 0o644)
	_ = os.WriteFile(base+".html", []byte(html), 0o644)
	tb.b.t.Fatalf("%s (%s, at %s): %v; screenshot and HTML in %s.*", what, tb.name, url, err, base)
}

// open loads a path and checks the page's accessibility once per path.
func (tb *tab) open(path string) {
	tb.b.t.Helper()
	tb.run("open "+path, chromedp.Navigate(tb.b.base+path), chromedp.WaitReady(chromedp.CSS("body")))
	tb.checkA11y(path)
}

// waitLeave waits until the tab's address no longer contains path: a
// click that submits a form has been followed.
func (tb *tab) waitLeave(path string) {
	tb.b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		loc := value(tb, "read the address", chromedp.Location())
		if !strings.Contains(loc, path) {
			tb.run("wait for the page", chromedp.WaitReady(chromedp.CSS("body")))
			return
		}
		if time.Now().After(deadline) {
			tb.fail("leave "+path, fmt.Errorf("still at %s", loc))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// text returns the visible text of the page.
func (tb *tab) text() string {
	tb.b.t.Helper()
	return value(tb, "read the page", chromedp.Text(chromedp.CSS("body")))
}

// wantText fails unless the page shows every one of want.
func (tb *tab) wantText(want ...string) {
	tb.b.t.Helper()
	s := tb.text()
	for _, w := range want {
		if !strings.Contains(s, w) {
			tb.fail("the page does not show "+fmt.Sprintf("%q", w), fmt.Errorf("page text: %.600s", s))
		}
	}
}

// axeResult is what axe.run reports, as far as the test reads it.
type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	} `json:"violations"`
}

// checkA11y runs axe-core on the page: no violation of impact serious or
// critical. Each page type is checked once.
func (tb *tab) checkA11y(path string) {
	tb.b.t.Helper()
	if tb.b.axe == "" || strings.HasPrefix(path, "/api/") {
		return
	}
	kind := regexp.MustCompile(`[0-9a-f]{8,}|t=[^&]+`).ReplaceAllString(strings.SplitN(path, "?", 2)[0], "*")
	if tb.b.visited[kind] {
		return
	}
	tb.b.visited[kind] = true
	tb.run("load axe-core on "+path, chromedp.Evaluate[chromedp.Void](tb.b.axe))
	raw := value(tb, "run axe-core on "+path, chromedp.Evaluate[string](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r))`, chromedp.EvalAwaitPromise))
	var res axeResult
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		tb.fail("read axe-core's answer on "+path, err)
	}
	var bad []string
	for _, v := range res.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			var where []string
			for _, n := range v.Nodes {
				where = append(where, fmt.Sprint(n.Target...))
			}
			bad = append(bad, fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(where, ", ")))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		tb.fail("accessibility of "+path, fmt.Errorf("%d serious or critical violations:\n%s", len(bad), strings.Join(bad, "\n")))
	}
	tb.b.t.Logf("axe-core: %s has no serious or critical violation", kind)
}

// signIn signs the person in as email through the real flow: the sign-in
// form, the link read from the dev mail folder, the confirm page's button.
func (tb *tab) signIn(email, mailDir string) {
	tb.b.t.Helper()
	before := latestLink(tb.b.t, mailDir, email)
	tb.open("/signin")
	tb.run("ask for a link",
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.Submit(chromedp.CSS(`input[name="email"]`)),
		chromedp.WaitReady(chromedp.CSS("body")))
	var link string
	deadline := time.Now().Add(30 * time.Second)
	for {
		if link = latestLink(tb.b.t, mailDir, email); link != "" && link != before {
			break
		}
		if time.Now().After(deadline) {
			tb.fail("the sign-in email for "+email, fmt.Errorf("no new link in %s", mailDir))
		}
		time.Sleep(200 * time.Millisecond)
	}
	tb.open(strings.TrimPrefix(link, tb.b.base))
	tb.run("confirm the sign-in", chromedp.Click(chromedp.CSS(`form[action="/signin/confirm"] button`)))
	tb.waitLeave("/signin/confirm")
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		tb.fail("read cookies", err)
	}
	for _, c := range res.Cookies {
		if c.Name == "suivi_session" {
			if !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax {
				tb.b.t.Errorf("the session cookie is not HttpOnly and SameSite=Lax: %+v", c)
			}
			return
		}
	}
	tb.fail("sign in as "+email, fmt.Errorf("no suivi_session cookie after confirming"))
}

var linkRE = regexp.MustCompile(`https?://[^\s"<>]+/signin/confirm\?t=[A-Za-z0-9_%-]+`)

// latestLink finds the newest sign-in link sent to email in the dev mail
// folder ("" when none), reading each .eml with net/mail.
func latestLink(t *testing.T, dir, email string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	type found struct {
		at   time.Time
		link string
	}
	var best found
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		m, err := mail.ReadMessage(bytes.NewReader(b))
		if err != nil || !strings.Contains(strings.ToLower(m.Header.Get("To")), strings.ToLower(email)) {
			continue
		}
		link := linkRE.FindString(strings.ReplaceAll(string(b), "=\r\n", ""))
		if link == "" {
			continue
		}
		link = strings.ReplaceAll(link, "=3D", "=")
		fi, _ := os.Stat(f)
		if fi.ModTime().After(best.at) {
			best = found{fi.ModTime(), link}
		}
	}
	return best.link
}

// TestBrowserSignIn: in a real Chromium, against a real `suivi dev`, the
// local coordinator signs in with the link from the dev mail folder.
func TestBrowserSignIn(t *testing.T) {
	dir := t.TempDir()
	_ = os.Chmod(filepath.Dir(dir), 0o755)
	_ = os.Chmod(dir, 0o755)
	dataDir := filepath.Join(dir, "data")
	httpAddr := freeAddr(t)
	dev := startDev(t, "--data-dir", dataDir, "--http", httpAddr, "--temporal", freeAddr(t), "--ui", "off", "--log-level", "warn")
	dev.waitHealthy(t, httpAddr)
	defer dev.stop(t)
	b := newBrowser(t, "http://"+httpAddr)
	coord := b.person("coordinator")
	coord.signIn(DevCoordinator, filepath.Join(dataDir, "mail"))
	// The browser's session is the coordinator's, for the API too.
	coord.open("/api/v1/me")
	coord.wantText(DevCoordinator, "coordinator")
}
