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

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/report"
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
	root     context.Context // the first tab, which holds the browser
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

// person opens a tab in a new browser context (its own cookies, like a
// private window) of the one Chromium, for name.
func (b *browser) person(name string) *tab {
	if b.root == nil {
		ctx, cancel := chromedp.NewContext(b.alloc)
		b.stopAll = append(b.stopAll, cancel)
		if err := chromedp.Do(ctx); err != nil {
			b.t.Fatalf("start chromium: %v", err)
		}
		b.root = ctx
	}
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	b.stopAll = append(b.stopAll, cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("open a window for %s: %v", name, err)
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

// browserEdition writes an edition file for the browser scenario: a call
// open today and a hackathon in three weeks (id "appel"), or a hackathon
// that ended an hour ago, its demos being scored now (id "demos").
func browserEdition(t *testing.T, id string) string {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(paris)
	day := func(d int) string { return now.AddDate(0, 0, d).Format("2006-01-02") }
	opens, closes, starts, ends := day(-5), day(5), day(20)+" 18:00", day(22)+" 18:00"
	if id == "demos" {
		opens, closes = day(-40), day(-10)
		starts, ends = now.Add(-48*time.Hour).Format("2006-01-02 15:04"), now.Add(-time.Hour).Format("2006-01-02 15:04")
	}
	yaml := fmt.Sprintf(`id: %s
name: {fr: Nuit du Code Citoyen, en: Civic Code Night}
time_zone: Europe/Paris
call_for_projects: {opens: %s, closes: %s}
hackathon: {starts: "%s", ends: "%s"}
accompaniment_months: 12
themes:
  - {id: democratie-numerique, title: {fr: Démocratie numérique, en: Digital democracy}}
cities:
  - {name: Lyon, time_zone: Europe/Paris, meetup: "first tuesday 19:00", coordinators: [coordination-lyon@example.org]}
milestones:
  - {id: demo, title: {fr: Démo au jury, en: Jury demo}, due: "+1d", evidence: url}
  - {id: open-licence, title: {fr: Licence ouverte, en: Open licence}, due: "+14d", evidence: repository}
  - {id: explainer-video, title: {fr: Vidéo, en: Explainer video}, due: "+2m", evidence: video}
`, id, opens, closes, starts, ends)
	path := filepath.Join(t.TempDir(), id+".yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBrowserEveryoneDoesTheirPart drives a real Chromium against a real
// `suivi dev`: a holder applies through the call form; the Lyon
// coordinator signs in with the link from the dev mail folder, selects the
// program and assigns a mentor; the mentor signs in and completes a step;
// the holder sees it and submits a deliverable; a funder reads the program
// with no action offered; a jury member scores a demo. Every page type is
// checked with axe-core on the way.
func TestBrowserEveryoneDoesTheirPart(t *testing.T) {
	dir := t.TempDir()
	_ = os.Chmod(filepath.Dir(dir), 0o755)
	_ = os.Chmod(dir, 0o755)
	dataDir := filepath.Join(dir, "data")
	mailDir := filepath.Join(dataDir, "mail")
	httpAddr := freeAddr(t)
	base := "http://" + httpAddr
	dev := startDev(t, "--data-dir", dataDir, "--http", httpAddr, "--temporal", freeAddr(t), "--ui", "off", "--log-level", "warn")
	dev.waitHealthy(t, httpAddr)
	defer dev.stop(t)
	useDevToken(t, base, dataDir)
	run := func(args ...string) string {
		t.Helper()
		code, out, errOut := cli(t, base, args...)
		if code != 0 {
			t.Fatalf("%v = %d %q %q", args, code, out, errOut)
		}
		return out
	}
	run("edition", "apply", browserEdition(t, "appel"))
	run("edition", "apply", browserEdition(t, "demos"))
	run("user", "add", "--email", "coordination-lyon@example.org", "--role", "coordinator", "--city", "Lyon")
	run("user", "add", "--email", "jury@example.org", "--role", "jury", "--edition", "demos", "--city", "Lyon")
	run("funder", "add", "metropole-de-lyon", "--name", "Métropole de Lyon", "--contact", "funder@example.org")
	run("program", "start", "--edition", "demos", "--project", "projet-demo", "--name", "Projet en démo",
		"--holder-email", "autre@example.org", "--repo", "https://github.com/a/b", "--city", "Lyon", "--theme", "democratie-numerique")
	run("program", "select", "demos/projet-demo")
	program := func(e, p string) api.ProgramDetail {
		t.Helper()
		var d api.ProgramDetail
		if err := json.Unmarshal([]byte(run("program", "status", e+"/"+p, "--json")), &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	waitFor(t, "the demo phase", func() bool { return program("demos", "projet-demo").Workflow.Phase == "demo" })

	b := newBrowser(t, base)

	// A holder applies through the call for projects.
	holder := b.person("holder")
	holder.open("/call/appel")
	holder.run("fill the call form",
		chromedp.SendKeys(chromedp.ID("name"), "Démocratie et crustacés"),
		chromedp.SendKeys(chromedp.ID("summary"), "Des assemblées citoyennes outillées, au bord de l'eau."),
		chromedp.SetValue(chromedp.ID("theme"), "democratie-numerique"),
		chromedp.SetValue(chromedp.ID("city"), "Lyon"),
		chromedp.SendKeys(chromedp.ID("repositories"), "https://github.com/CodeCitoyen/Demoscampi"),
		chromedp.SendKeys(chromedp.ID("team"), "porteuse@example.org"),
		chromedp.SendKeys(chromedp.ID("licence"), "AGPL-3.0-or-later"),
		chromedp.Submit(chromedp.ID("name")))
	holder.waitAt("/call/appel/received")
	var slug string
	waitFor(t, "the applied program", func() bool {
		var l api.ProgramList
		if json.Unmarshal([]byte(run("program", "list", "--edition", "appel", "--json")), &l) != nil || len(l.Programs) != 1 {
			return false
		}
		slug = l.Programs[0].Project
		return l.Programs[0].Phase == "applied"
	})
	key := "appel/" + slug

	// The Lyon coordinator signs in, selects it and assigns a mentor.
	coord := b.person("coordinator")
	coord.signIn("coordination-lyon@example.org", mailDir)
	coord.open("/dashboard")
	coord.wantText("Démocratie et crustacés")
	coord.open("/programs/" + key)
	coord.run("select", chromedp.Click(chromedp.CSS(`form[action="/programs/`+key+`/actions/select"] button`)))
	waitFor(t, "the selection", func() bool { return program("appel", slug).Workflow.Phase == "selected" })
	coord.open("/programs/" + key)
	coord.run("assign a mentor",
		chromedp.SendKeys(chromedp.CSS(`form[action="/programs/`+key+`/actions/assign-mentor"] input[name="mentor"]`), "mentor@example.org"),
		chromedp.Submit(chromedp.CSS(`form[action="/programs/`+key+`/actions/assign-mentor"] input[name="mentor"]`)))
	waitFor(t, "the mentor", func() bool { d := program("appel", slug); return d.Program != nil && len(d.Program.Mentors) == 1 })

	// The mentor signs in and completes a step.
	mentor := b.person("mentor")
	mentor.signIn("mentor@example.org", mailDir)
	mentor.open("/me")
	mentor.wantText("Démocratie et crustacés")
	complete := `form[action="/programs/` + key + `/actions/complete"]:has(input[name="milestone"][value="explainer-video"])`
	mentor.run("complete the video step",
		chromedp.SendKeys(chromedp.CSS(complete+` input[name="note"]`), "Vue en rencontre"),
		chromedp.Submit(chromedp.CSS(complete+` input[name="note"]`)))
	waitFor(t, "the completed step", func() bool {
		d := program("appel", slug)
		return d.Program != nil && len(d.Program.Milestones) == 3 && d.Program.Milestones[2].Status == "completed"
	})

	// The holder signs in, sees it, and hands in the demo.
	holder.signIn("porteuse@example.org", mailDir)
	holder.open("/programs/" + key)
	holder.wantText("completed")
	submit := `form[action="/programs/` + key + `/actions/submit"]:has(input[name="milestone"][value="demo"])`
	holder.run("hand in the demo",
		chromedp.SendKeys(chromedp.CSS(submit+` input[name="url"]`), "https://demo.example.org/crustaces"),
		chromedp.Submit(chromedp.CSS(submit+` input[name="url"]`)))
	waitFor(t, "the deliverable", func() bool {
		d := program("appel", slug)
		return d.Program != nil && d.Program.Milestones[0].EvidenceURL == "https://demo.example.org/crustaces"
	})
	holder.open("/settings")

	// A funder reads the program, with no action offered.
	run("program", "fund", key, "--funder", "metropole-de-lyon")
	funder := b.person("funder")
	funder.signIn("funder@example.org", mailDir)
	funder.open("/programs/" + key)
	funder.wantText("Démocratie et crustacés", "https://demo.example.org/crustaces")
	if n := value(funder, "count the forms", chromedp.Evaluate[int](`document.querySelectorAll('form[action*="/actions/"]').length`)); n != 0 {
		funder.fail("the funder's page offers no action", fmt.Errorf("%d action forms", n))
	}
	funder.open("/programs/demos/projet-demo")
	funder.wantText("Not found")
	// Its reports: the list on its page, then last month's report, read
	// in its language (French, the default).
	funder.open("/me")
	funder.open("/funders/metropole-de-lyon")
	last := report.PreviousMonth(time.Now())
	funder.open("/funders/metropole-de-lyon/reports/" + last)
	// The program started this month, after the month reported: none yet.
	funder.wantText("Rapport d'avancement — Métropole de Lyon", "Synthèse", "Projets devenus silencieux")
	if dir := os.Getenv("SUIVI_SCREENSHOTS"); dir != "" {
		png := value(funder, "screenshot the report", chromedp.FullScreenshot(90))
		_ = os.WriteFile(filepath.Join(dir, "funder-report.png"), png, 0o644)
	}
	funder.open("/funders/another-funder")
	funder.wantText("Not found")

	// The jury scores the demo of its seat.
	jury := b.person("jury")
	jury.signIn("jury@example.org", mailDir)
	jury.open("/jury")
	score := `form[action="/programs/demos/projet-demo/actions/score"]`
	jury.run("score the demo",
		chromedp.SendKeys(chromedp.CSS(score+` input[name="score"]`), "17"),
		chromedp.SendKeys(chromedp.CSS(score+` textarea[name="comment"]`), "Très claire"),
		chromedp.Submit(chromedp.CSS(score+` input[name="score"]`)))
	waitFor(t, "the score", func() bool { s := program("demos", "projet-demo").Workflow.Score; return s != nil && *s == 17 })
	coord.open("/")
	b.person("public").open("/board")
}

// waitAt waits until the tab's address contains path.
func (tb *tab) waitAt(path string) {
	tb.b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		loc := value(tb, "read the address", chromedp.Location())
		if strings.Contains(loc, path) {
			tb.run("wait for the page", chromedp.WaitReady(chromedp.CSS("body")))
			tb.checkA11y(path)
			return
		}
		if time.Now().After(deadline) {
			tb.fail("reach "+path, fmt.Errorf("at %s", loc))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
