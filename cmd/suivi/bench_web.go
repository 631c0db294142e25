package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
	"github.com/codecitoyen/suivi/workflows"
)

// benchWebNow is the bench's clock: mid-accompaniment of its edition, so
// programs have steps done, due and overdue.
var benchWebNow = time.Date(2027, 6, 15, 9, 0, 0, 0, time.UTC)

// benchCities are La Nuit du Code Citoyen's nine cities.
var benchCities = []string{"Tunis", "Montpellier", "Lille", "Rennes", "Lyon", "Paris", "Narbonne", "Toulouse", "Aubervilliers"}

type benchWebOptions struct {
	programs, clients int
	duration, warmup  time.Duration
	think             time.Duration
	routes, as, auth  string
	cpuprofile        string
	hold              bool
}

func benchWeb(ctx context.Context, e env, args []string) error {
	var o benchWebOptions
	fs := newFlags("bench web", e, nil)
	fs.IntVar(&o.programs, "programs", 1000, "programs in the database, across the nine cities")
	fs.IntVar(&o.clients, "clients", 50, "concurrent signed-in clients")
	fs.IntVar(&o.clients, "c", 50, "short for --clients")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each route is measured, for Suivi and for the baseline")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "requests sent before measuring, for each route")
	fs.DurationVar(&o.think, "think", 0, "pause of each client between an answer and its next request (0: back to back, the harshest load)")
	fs.StringVar(&o.routes, "routes", benchWebRoutes, "comma-separated paths to measure (GET)")
	fs.StringVar(&o.as, "as", "all", "who the clients are: all (a coordinator of every city: sees every program) or lyon (a coordinator of Lyon)")
	fs.StringVar(&o.auth, "auth", "auto", "how clients sign in: auto (Bearer token on /api/, a session cookie on pages), bearer or cookie")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the Suivi runs (server and clients share the process) to this file, for go tool pprof")
	fs.BoolVar(&o.hold, "hold", false, "after measuring, keep Suivi and its Postgres running (to look at the pages, or EXPLAIN their queries) until interrupted")
	if err := noArgs("bench web", e, fs, "suivi bench web [--programs 1000] [-c|--clients 50] [--duration 10s] [--routes "+benchWebRoutes+"]\n\n"+
		"Starts a private Postgres, stores that many programs across nine cities with their\n"+
		"milestones, and serves Suivi's web handler on loopback (no Temporal: reads only).\n"+
		"Then, for each route, that many clients signed in as one coordinator send GETs for\n"+
		"the duration, first to Suivi, then to a bare net/http handler on loopback that\n"+
		"answers a pre-encoded body of the same size: the network floor. Prints p50, p90,\n"+
		"p99, requests per second and bytes per answer for both, and Postgres pool waits;\n"+
		"then <route>_p99_ms=<number> and <route>_baseline_p99_ms=<number> for each route,\n"+
		"and last p99_ms=<number>, the largest p99 of Suivi's routes.", args); err != nil {
		return err
	}
	if o.programs < 1 || o.programs > 100_000 || o.clients < 1 || o.clients > 2000 || o.duration < 100*time.Millisecond || o.warmup < 0 || o.think < 0 {
		return &usageError{"bench web", "--programs 1..100000, --clients 1..2000, --duration ≥ 100ms"}
	}
	if o.as != "all" && o.as != "lyon" {
		return &usageError{"bench web", "--as all or --as lyon"}
	}
	if o.auth != "auto" && o.auth != "bearer" && o.auth != "cookie" {
		return &usageError{"bench web", "--auth auto, bearer or cookie"}
	}
	var routes []string
	for _, r := range strings.Split(o.routes, ",") {
		if r = strings.TrimSpace(r); r != "" {
			if !strings.HasPrefix(r, "/") {
				return &usageError{"bench web", fmt.Sprintf("route %q: give a path such as /api/v1/programs", r)}
			}
			routes = append(routes, r)
		}
	}
	if len(routes) == 0 {
		return &usageError{"bench web", "--routes names no path"}
	}

	_, pg, stopPG, err := benchPostgres(ctx, e, "bench web")
	if err != nil {
		return err
	}
	defer stopPG()
	st, err := store.Open(ctx, pg.URL())
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx, nil); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "storing %d programs…\n", o.programs)
	began := time.Now()
	if err := seedBenchWeb(ctx, st, o.programs); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "  stored in %s\n", time.Since(began).Round(time.Millisecond))
	who := "bench-all@example.org"
	grant := auth.Grant{Email: who, Role: auth.Coordinator}
	if o.as == "lyon" {
		who, grant = "bench-lyon@example.org", auth.Grant{Email: "bench-lyon@example.org", Role: auth.Coordinator, City: "Lyon"}
	}
	for _, g := range []auth.Grant{{Email: "bench-all@example.org", Role: auth.Coordinator}, {Email: "bench-lyon@example.org", Role: auth.Coordinator, City: "Lyon"}, grant} {
		if _, err := st.AddGrant(ctx, g, "suivi bench web"); err != nil {
			return err
		}
	}

	handler := web.NewHandler(web.Deps{Store: st, Logger: slog.New(slog.DiscardHandler), RequestTimeout: time.Minute,
		Now: func() time.Time { return benchWebNow }})
	suivi, err := serveLoopback(handler)
	if err != nil {
		return err
	}
	defer suivi.Close()

	// One identity per client, as 50 people would have: a token each, and
	// a session each (signed in through a link, as a browser is).
	creds := make([]benchCred, o.clients)
	for i := range creds {
		secret, hash := auth.NewSecret(auth.TokenPrefix)
		if _, err := st.CreateToken(ctx, who, fmt.Sprintf("bench %d", i), hash); err != nil {
			return err
		}
		creds[i].token = secret
		if creds[i].cookie, err = benchSignIn(ctx, st, suivi.url, who); err != nil {
			return err
		}
	}

	fmt.Fprintf(e.stdout, "programs=%d cities=%d clients=%d think=%s duration=%s as=%s auth=%s GOMAXPROCS=%d\n",
		o.programs, len(benchCities), o.clients, o.think, o.duration, benchWho(grant), o.auth, runtime.GOMAXPROCS(0))
	fmt.Fprintf(e.stdout, "%-28s %-8s %9s %9s %8s %8s %8s %8s %12s %6s\n", "route", "server", "requests", "req/s", "p50", "p90", "p99", "max", "bytes/answer", "errors")
	var summary []string
	var worst time.Duration
	var prof *os.File
	if o.cpuprofile != "" {
		if prof, err = os.Create(o.cpuprofile); err != nil {
			return err
		}
		defer prof.Close()
	}
	for _, route := range routes {
		useCookie := o.auth == "cookie" || (o.auth == "auto" && !strings.HasPrefix(route, "/api/"))
		sign := func(req *http.Request, i int) {
			if useCookie {
				req.AddCookie(&http.Cookie{Name: "suivi_session", Value: creds[i].cookie})
			} else {
				req.Header.Set("Authorization", "Bearer "+creds[i].token)
			}
		}
		// One answer first: the baseline answers a body of its size.
		body, ctype, err := benchFetch(ctx, suivi.url+route, func(r *http.Request) { sign(r, 0) })
		if err != nil {
			return fmt.Errorf("GET %s: %w", route, err)
		}
		if prof != nil {
			if err := pprof.StartCPUProfile(prof); err != nil {
				return err
			}
		}
		before := st.Pool().Stat()
		cpu0, pgCPU0 := processCPU(), postgresCPU(pg.Dir())
		res, err := benchLoad(ctx, e.stderr, "suivi "+route, suivi.url+route, o, sign)
		cpu1, pgCPU1 := processCPU(), postgresCPU(pg.Dir())
		after := st.Pool().Stat()
		if prof != nil {
			pprof.StopCPUProfile()
			prof = nil // one profile: the first route's (restart with --routes for another)
		}
		if err != nil {
			return err
		}
		res.print(e.stdout, route, "suivi")
		acquires := after.AcquireCount() - before.AcquireCount()
		waited := after.EmptyAcquireCount() - before.EmptyAcquireCount()
		if acquires > 0 && res.n > 0 {
			fmt.Fprintf(e.stdout, "%-28s %-8s %.1f Postgres connections acquired per request, %.0f%% of them waited (pool of %d), mean wait %s\n", "", "",
				float64(acquires)/float64(res.n), 100*float64(waited)/float64(acquires), after.MaxConns(),
				((after.EmptyAcquireWaitTime() - before.EmptyAcquireWaitTime()) / time.Duration(max(waited, 1))).Round(time.Microsecond))
		}
		if res.all > 0 && cpu1 > 0 {
			fmt.Fprintf(e.stdout, "%-28s %-8s CPU per request: %.2fms in this process (Suivi and its clients), %s in Postgres\n", "", "",
				ms(cpu1-cpu0)/float64(res.all), cpuPer(pgCPU1-pgCPU0, pgCPU0 >= 0 && pgCPU1 >= 0, res.all))
		}
		base, err := serveLoopback(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			_, _ = w.Write(body)
		}))
		if err != nil {
			return err
		}
		bres, err := benchLoad(ctx, e.stderr, "baseline "+route, base.url+route, o, sign)
		base.Close()
		if err != nil {
			return err
		}
		bres.print(e.stdout, route, "baseline")
		key := strings.Trim(strings.NewReplacer("/", "_", "-", "_", ".", "_", "?", "_", "=", "_", "&", "_").Replace(route), "_")
		if key == "" {
			key = "index"
		}
		summary = append(summary, fmt.Sprintf("%s_p99_ms=%.1f", key, ms(res.pct(99))), fmt.Sprintf("%s_baseline_p99_ms=%.1f", key, ms(bres.pct(99))))
		worst = max(worst, res.pct(99))
	}
	if o.cpuprofile != "" {
		fmt.Fprintf(e.stderr, "CPU profile of the Suivi run of %s in %s: go tool pprof -top %s\n", routes[0], o.cpuprofile, o.cpuprofile)
	}
	for _, s := range summary {
		fmt.Fprintln(e.stdout, s)
	}
	fmt.Fprintf(e.stdout, "p99_ms=%.1f\n", ms(worst))
	if o.hold {
		fmt.Fprintf(e.stderr, "holding: Suivi on %s (as %s, cookie suivi_session=%s), Postgres on 127.0.0.1:%d (user suivi, password in %s); Ctrl-C stops them\n",
			suivi.url, who, creds[0].cookie, pg.Port(), filepath.Join(pg.Dir(), "password"))
		<-ctx.Done()
	}
	return nil
}

// benchWebRoutes are the routes measured by default: the home page, the
// coordinators' dashboard and the program list of the API.
const benchWebRoutes = "/,/dashboard,/api/v1/programs"

type benchCred struct{ token, cookie string }

// benchSignIn signs one browser in through a sign-in link and returns its
// session cookie.
func benchSignIn(ctx context.Context, st *store.Store, base, email string) (string, error) {
	secret, hash := auth.NewSecret(auth.LinkPrefix)
	if err := st.CreateMagicLink(ctx, hash, email, "/", benchWebNow.Add(15*time.Minute)); err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/signin/confirm", strings.NewReader(url.Values{"t": {secret}}.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "suivi_session" {
			return ck.Value, nil
		}
	}
	return "", fmt.Errorf("sign-in for the bench: %s and no session cookie", resp.Status)
}

// loopback is a server on 127.0.0.1.
type loopback struct {
	url string
	srv *http.Server
}

func serveLoopback(h http.Handler) (*loopback, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := web.NewServer("", h)
	go func() { _ = srv.Serve(l) }()
	return &loopback{url: "http://" + l.Addr().String(), srv: srv}, nil
}

func (l *loopback) Close() { _ = l.srv.Close() }

// benchFetch GETs one answer, which must be a 200.
func benchFetch(ctx context.Context, u string, sign func(*http.Request)) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, "", err
	}
	sign(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("%s: %.200s", resp.Status, b)
	}
	return b, resp.Header.Get("Content-Type"), nil
}

// benchResult is one measured run.
type benchResult struct {
	// n answers were measured; all were answered, with the warm-up's.
	n, all, errors int
	bytes          int64
	took           time.Duration
	lat            []time.Duration // sorted
}

func (r benchResult) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat))*p/100+0.5) - 1
	return r.lat[min(max(i, 0), len(r.lat)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r benchResult) print(w io.Writer, route, server string) {
	per := int64(0)
	if r.n > 0 {
		per = r.bytes / int64(r.n)
	}
	var maxLat time.Duration
	if len(r.lat) > 0 {
		maxLat = r.lat[len(r.lat)-1]
	}
	f := func(d time.Duration) string { return fmt.Sprintf("%.1fms", ms(d)) }
	fmt.Fprintf(w, "%-28s %-8s %9d %9.0f %8s %8s %8s %8s %12d %6d\n", route, server, r.n, float64(r.n)/r.took.Seconds(),
		f(r.pct(50)), f(r.pct(90)), f(r.pct(99)), f(maxLat), per, r.errors)
}

// benchLoad sends GETs to u from o.clients clients for o.duration (after a
// warm-up), each on its own kept-alive connection, and measures each
// answer from the request to its last byte. A request sent before the end
// is waited for and counted; requests per second are over the time from
// the end of the warm-up to the last answer.
func benchLoad(ctx context.Context, progress io.Writer, label, u string, o benchWebOptions, sign func(*http.Request, int)) (benchResult, error) {
	tr := &http.Transport{MaxIdleConns: o.clients, MaxIdleConnsPerHost: o.clients, MaxConnsPerHost: o.clients, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: time.Minute}
	var (
		mu      sync.Mutex
		res     benchResult
		measure bool
	)
	warmEnd := time.Now().Add(o.warmup)
	end := warmEnd.Add(o.duration)
	var wg sync.WaitGroup
	var firstErr error
	for i := range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var n, bad, answered int
			var bytes int64
			for {
				start := time.Now()
				if start.After(end) || ctx.Err() != nil {
					break
				}
				req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
				sign(req, i)
				resp, err := c.Do(req)
				var got int64
				if err == nil {
					got, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s answered %s", u, resp.Status)
					}
				}
				d := time.Since(start)
				answered++
				if o.think > 0 {
					time.Sleep(o.think)
				}
				// Warm-up is what answered before measuring began: an
				// answer slower than the warm-up is measured.
				if start.Add(d).Before(warmEnd) {
					continue
				}
				n++
				bytes += got
				lat = append(lat, d)
				if err != nil {
					bad++
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			res.n += n
			res.all += answered
			res.errors += bad
			res.bytes += bytes
			res.lat = append(res.lat, lat...)
			measure = true
			mu.Unlock()
		}()
	}
	// Progress, once a second.
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				switch {
				case now.After(end):
					fmt.Fprintf(progress, "  %s: %s, waiting for the answers in flight\n", label, now.Sub(warmEnd).Round(time.Second))
				case now.After(warmEnd):
					fmt.Fprintf(progress, "  %s: %s of %s\n", label, now.Sub(warmEnd).Round(time.Second), o.duration)
				}
			}
		}
	}()
	wg.Wait()
	close(done)
	res.took = time.Since(warmEnd)
	if !measure || res.n == 0 {
		return res, fmt.Errorf("%s: no answer within %s", label, o.duration)
	}
	slices.Sort(res.lat)
	if firstErr != nil {
		fmt.Fprintf(progress, "  %s: %d errors, the first: %v\n", label, res.errors, firstErr)
	}
	return res, ctx.Err()
}

// benchWho says who the clients are.
func benchWho(g auth.Grant) string {
	if g.City == "" {
		return "coordinator-of-every-city"
	}
	return "coordinator-of-" + g.City
}

// benchEdition is the edition the bench's programs follow: ncc-2027's
// dates, nine cities and seven milestones.
const benchEdition = `id: ncc-2027
name: { fr: La Nuit du Code Citoyen 2027, en: Citizen Code Night 2027 }
time_zone: Europe/Paris
call_for_projects: { opens: 2026-11-01, closes: 2027-02-14 }
hackathon: { starts: "2027-03-05 18:00", ends: "2027-03-07 18:00" }
accompaniment_months: 12
themes:
  - { id: democratie-numerique, title: { fr: Démocratie numérique, en: Digital democracy } }
  - { id: outils-collectifs, title: { fr: Outils pour les collectifs, en: Tools for collectives } }
  - { id: donnees-citoyennes, title: { fr: Données citoyennes, en: "Citizens' data" } }
  - { id: education-numerique, title: { fr: Éducation au numérique, en: Digital education } }
  - { id: villes-accessibles-durables, title: { fr: Villes accessibles et durables, en: Accessible and sustainable cities } }
  - { id: ruralite, title: { fr: Ruralité, en: Rural life } }
cities:
  - { name: Tunis, time_zone: Africa/Tunis, meetup: first thursday 18:30, coordinators: [tunis@example.org] }
  - { name: Montpellier, time_zone: Europe/Paris, meetup: second wednesday 19:00, coordinators: [montpellier@example.org] }
  - { name: Lille, time_zone: Europe/Paris, meetup: first thursday 19:00, coordinators: [lille@example.org] }
  - { name: Rennes, time_zone: Europe/Paris, meetup: third tuesday 19:00, coordinators: [rennes@example.org] }
  - { name: Lyon, time_zone: Europe/Paris, meetup: first tuesday 19:00, coordinators: [lyon@example.org] }
  - { name: Paris, time_zone: Europe/Paris, meetup: second tuesday 19:30, coordinators: [paris@example.org] }
  - { name: Narbonne, time_zone: Europe/Paris, meetup: last thursday 18:30, coordinators: [narbonne@example.org] }
  - { name: Toulouse, time_zone: Europe/Paris, meetup: third wednesday 19:00, coordinators: [toulouse@example.org] }
  - { name: Aubervilliers, time_zone: Europe/Paris, meetup: last tuesday 19:00, coordinators: [aubervilliers@example.org] }
milestones:
  - { id: open-licence, title: { fr: Licence ouverte, en: Open licence }, due: "+14d", evidence: repository }
  - { id: demo, title: { fr: Démo devant le jury, en: Demo to the jury }, due: "+0d", evidence: url }
  - { id: explainer-video, title: { fr: La technologie expliquée à ma grand-mère, en: Technology explained to my grandmother }, due: "+2m", evidence: video }
  - { id: first-external-contributor, title: { fr: Premier contributeur externe, en: First external contributor }, due: "+4m", evidence: repository, optional: true }
  - { id: first-release, title: { fr: Première version publiée, en: First release }, due: "+5m", evidence: url }
  - { id: six-month-review, title: { fr: Bilan à six mois, en: Six-month review }, due: "+6m", evidence: none }
  - { id: twelve-month-review, title: { fr: Bilan à douze mois, en: Twelve-month review }, due: "+12m", evidence: none }
`

// benchProgram is program i: its city, theme and phase cycle, and its
// milestones' statuses follow its age.
func benchProgram(i int, snaps map[string]edition.Snapshot, phases []workflows.Phase, ed *edition.Edition) store.Program {
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	city := benchCities[i%len(benchCities)]
	snap := snaps[city]
	phase := phases[rng.IntN(len(phases))]
	p := store.Program{
		Edition: ed.ID, Project: fmt.Sprintf("projet-%04d", i), Name: fmt.Sprintf("Projet citoyen n° %d", i),
		Holders:      []string{fmt.Sprintf("porteur%d@example.org", i), fmt.Sprintf("porteuse%d@example.org", i)},
		Mentors:      []string{fmt.Sprintf("mentor%d@example.org", i%40)},
		Repositories: []string{fmt.Sprintf("https://github.com/civic%d/projet-%04d", i%97, i)},
		City:         city, Theme: ed.Themes[i%len(ed.Themes)].ID, Phase: string(phase),
		Summary:    "Un outil pour que les habitants suivent les décisions du conseil municipal et y contribuent.",
		WorkflowID: workflows.ProgramWorkflowID(ed.ID, fmt.Sprintf("projet-%04d", i)), StartedAt: snap.HackathonStart.Add(-30 * 24 * time.Hour),
		Seq: 1, LastActivityAt: benchWebNow.Add(-time.Duration(rng.IntN(60*24)) * time.Hour),
	}
	for _, m := range snap.Milestones {
		status := workflows.StatusOpen
		due, _ := time.Parse(time.DateOnly, string(m.Due))
		switch {
		case due.Before(benchWebNow) && rng.IntN(4) > 0:
			status = workflows.StatusCompleted
		case due.Before(benchWebNow.AddDate(0, 1, 0)) && rng.IntN(5) == 0:
			status = workflows.StatusSubmitted
		}
		ms := store.Milestone{ID: m.ID, TitleFR: m.Title.FR, TitleEN: m.Title.EN, Due: string(m.Due), Evidence: m.Evidence, Optional: m.Optional, Status: status}
		if status != workflows.StatusOpen {
			ms.ClosedAt = due
			ms.EvidenceURL = "https://example.org/" + p.Project + "/" + m.ID
		}
		p.Milestones = append(p.Milestones, ms)
	}
	return p
}
