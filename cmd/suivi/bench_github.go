package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/codecitoyen/suivi/internal/fakegithub"
	"github.com/codecitoyen/suivi/internal/github"
)

func benchGitHub(ctx context.Context, e env, args []string) error {
	var o struct {
		repos, hours, inflight int
		graphql                bool
		change, push, issue    float64
	}
	fs := newFlags("bench github", e, nil)
	fs.IntVar(&o.repos, "repos", 5000, "repositories watched")
	fs.Float64Var(&o.change, "change-rate", 0.2, "share of repositories that change each simulated hour")
	fs.IntVar(&o.hours, "hours", 6, "simulated hourly polls after the first crawl")
	fs.IntVar(&o.inflight, "inflight", 10, "requests in flight at most")
	fs.BoolVar(&o.graphql, "graphql", true, "ask GraphQL which repositories changed, a hundred per query (false: a conditional REST GET each)")
	fs.Float64Var(&o.push, "push-share", 0.35, "share of changes that are pushes (the rest: issues, then stars)")
	fs.Float64Var(&o.issue, "issue-share", 0.15, "share of changes that are a new issue or pull request")
	if err := noArgs("bench github", e, fs, "suivi bench github [--repos 5000] [--change-rate 0.2] [--hours 6]\n\nStarts a fake GitHub on loopback with that many repositories, crawls them once,\nthen for each simulated hour changes a share of them and polls them all, as the\nwatcher does. Prints the quota charged (GitHub's rules: a 304 to an\nauthenticated request is free), requests in flight and wall time per cycle;\nthe last line is quota_per_repo_poll=<number>, averaged over the hourly polls.", args); err != nil {
		return err
	}
	if o.repos < 1 || o.repos > 100000 || o.change < 0 || o.change > 1 || o.hours < 1 || o.push+o.issue > 1 {
		return &usageError{"bench github", "--repos 1..100000, --change-rate 0..1, --hours ≥ 1, --push-share + --issue-share ≤ 1"}
	}
	clk := fakegithub.NewClock(time.Date(2027, 4, 1, 10, 0, 0, 0, time.UTC))
	// GitHub's own secondary limits (100 in flight, 900 points a
	// minute); the primary quota is set high so that the run measures it
	// rather than stops at it.
	fake := fakegithub.Start("bench-token", fakegithub.Limits{Primary: 10_000_000}, clk.Now)
	defer fake.Close()
	names := make([]string, o.repos)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range names {
		names[i] = fmt.Sprintf("civic%d/project-%d", i%97, i)
		owner, name := fmt.Sprintf("civic%d", i%97), fmt.Sprintf("project-%d", i)
		fake.Add(fakegithub.Repo{Owner: owner, Name: name, Stars: rng.IntN(50), License: "MIT"})
		fake.Push(names[i], "founder", 1+rng.IntN(5))
		// As real projects: an issue or two, and a third with a release
		// whose asset is downloaded all day long.
		fake.UpdateQuiet(names[i], func(r *fakegithub.Repo) {
			r.Issues = append(r.Issues, fakegithub.Issue{Number: 1, Author: "founder", Created: clk.Now().Add(-24 * time.Hour)})
		})
		if i%3 == 0 {
			fake.Release(names[i], "v0.1.0")
		}
	}
	client, err := github.New(github.Options{APIURL: fake.URL(), Token: "bench-token", MaxInflight: o.inflight, Validators: &github.MemValidators{}})
	if err != nil {
		return err
	}
	client.Transport.Now = clk.Now
	// The client's pacing waits on the simulated clock.
	client.Transport.SleepUntil = func(_ context.Context, t time.Time) error { clk.AdvanceTo(t); return nil }
	known := make([]github.Known, o.repos)
	for i, n := range names {
		known[i] = github.Known{Name: n}
	}
	cycle := func() (time.Duration, error) {
		start := time.Now()
		now := clk.Now()
		if o.graphql {
			// One GraphQL query per hundred repositories says which changed;
			// only those are read over REST.
			asked := make([]string, len(known))
			for i := range known {
				asked[i] = known[i].Name
			}
			fresh, err := client.Freshness(ctx, asked)
			if err != nil {
				return 0, err
			}
			for i := range known {
				f := fresh[known[i].Name]
				known[i].Fresh = &f
			}
		}
		work := make(chan int)
		errs := make(chan error, o.repos)
		var wg sync.WaitGroup
		for range o.inflight {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					obs, err := client.Poll(ctx, known[i], now)
					if err != nil {
						errs <- err
						continue
					}
					if obs.Status == "changed" {
						known[i].PushedAt, known[i].OpenIssues = obs.PushedAt, obs.OpenIssues
						known[i].Stars, known[i].Forks, known[i].Archived = obs.Stars, obs.Forks, obs.Archived
						known[i].DefaultBranch, known[i].License = obs.DefaultBranch, obs.License
						if obs.Name != "" {
							known[i].Name = obs.Name
						}
					}
					if obs.CommitsFetched {
						known[i].CommitsAt, known[i].HeadSHA = now, obs.HeadSHA
					}
					if obs.IssuesFetched {
						known[i].IssuesAt = now
					}
					if obs.ReleasesFetched {
						known[i].ReleasesAt = now
					}
					known[i].LastPolled, known[i].Status = now, "ok"
				}
			}()
		}
		for i := range known {
			work <- i
		}
		close(work)
		wg.Wait()
		close(errs)
		for err := range errs {
			return 0, err
		}
		return time.Since(start), nil
	}
	fmt.Fprintf(e.stdout, "repos=%d change_rate=%.2f (pushes %.0f%%, issues %.0f%%, stars %.0f%%) inflight=%d\n",
		o.repos, o.change, 100*o.push, 100*o.issue, 100*(1-o.push-o.issue), o.inflight)
	// Quota: REST's charged requests plus GraphQL's points.
	quota := func() int64 { return fake.Charged() + fake.GraphQLCharged() }
	before := quota()
	took, err := cycle()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "crawl       charged %6d (%.2f per repo) in %s, max in flight %d\n", quota()-before,
		float64(quota()-before)/float64(o.repos), took.Round(time.Millisecond), fake.MaxInflight())
	var total int64
	for h := 1; h <= o.hours; h++ {
		clk.Advance(time.Hour)
		changed := 0
		// What changes a list's ETag but not the repository, every hour on
		// GitHub: downloads of every release's asset, and reactions or
		// labels on a third of the projects' issues.
		for i := range names {
			if i%3 == 0 {
				fake.Download(names[i], 1+rng.IntN(20))
			}
			switch rng.IntN(6) {
			case 0:
				fake.React(names[i])
			case 1:
				fake.Label(names[i], "triage")
			}
		}
		for i := range names {
			if rng.Float64() >= o.change {
				continue
			}
			changed++
			switch k := rng.Float64(); {
			case k < o.push:
				fake.Push(names[i], fmt.Sprintf("dev%d", rng.IntN(4)), 1+rng.IntN(3))
			case k < o.push+o.issue:
				n := 1000 + h
				fake.Update(names[i], func(r *fakegithub.Repo) {
					r.Issues = append(r.Issues, fakegithub.Issue{Number: n, Author: "user", Created: clk.Now()})
				})
			default:
				fake.Update(names[i], func(r *fakegithub.Repo) { r.Stars++ })
			}
		}
		before = quota()
		took, err := cycle()
		if err != nil {
			return err
		}
		charged := quota() - before
		total += charged
		fmt.Fprintf(e.stdout, "hour %-3d    changed %5d, charged %6d (%.3f per repo) in %s, max in flight %d\n", h, changed, charged,
			float64(charged)/float64(o.repos), took.Round(time.Millisecond), fake.MaxInflight())
		if h%max(1, o.hours/4) == 0 {
			fmt.Fprintf(e.stderr, "  %d/%d simulated hours\n", h, o.hours)
		}
	}
	fmt.Fprintf(e.stdout, "requests=%d not_modified=%d graphql_points=%d limited=%d (secondary limits tripped)\n",
		fake.Requests(), fake.NotModified(), fake.GraphQLCharged(), fake.Limited())
	fmt.Fprintf(e.stdout, "quota_per_repo_poll=%.3f\n", float64(total)/float64(o.repos*o.hours))
	return nil
}
