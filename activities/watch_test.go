package activities_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/fakegithub"
	"github.com/codecitoyen/suivi/internal/github"
	"github.com/codecitoyen/suivi/internal/smtpsink"
	"github.com/codecitoyen/suivi/internal/store"
	"go.temporal.io/sdk/testsuite"
)

// watching sets up the store with one program of several repositories, a
// fake GitHub, and activities polling it.
func watching(t *testing.T, now time.Time) (*activities.Activities, *store.Store, *fakegithub.Server, func() *github.Client) {
	t.Helper()
	a, st, _ := setup(t, smtpsink.Options{})
	ctx := context.Background()
	clock := func() time.Time { return now }
	fake := fakegithub.Start("t0ken", fakegithub.Limits{}, clock)
	t.Cleanup(fake.Close)
	var repos []string
	for i := 0; i < 30; i++ {
		fake.Add(fakegithub.Repo{Owner: "CodeCitoyen", Name: fmt.Sprintf("r%02d", i), License: "MIT"})
		fake.Push(fmt.Sprintf("CodeCitoyen/r%02d", i), "alice", 2)
		repos = append(repos, fmt.Sprintf("https://github.com/CodeCitoyen/r%02d", i))
	}
	p, err := st.GetProgram(ctx, "ncc-2027", "demoscampi")
	if err != nil {
		t.Fatal(err)
	}
	p.Repositories, p.Seq = repos, p.Seq+1
	if err := st.SaveProgram(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	newClient := func() *github.Client {
		c, err := github.New(github.Options{APIURL: fake.URL(), Token: "t0ken", Validators: st})
		if err != nil {
			t.Fatal(err)
		}
		c.Transport.Now = clock
		return c
	}
	a.GitHub, a.GitHubWorkers, a.Now = newClient(), 4, clock
	return a, st, fake, newClient
}

func pollAll(t *testing.T, a *activities.Activities) activities.PollResult {
	t.Helper()
	var total activities.PollResult
	after := ""
	for {
		res, err := a.PollRepos(context.Background(), activities.PollInput{After: after, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		total.Polled += res.Polled
		total.Changed += res.Changed
		total.Unchanged += res.Unchanged
		total.Errors += res.Errors
		if res.Next == "" {
			return total
		}
		after = res.Next
	}
}

// The ETags live in Postgres: after a restart (a new client, new process),
// polling unchanged repositories costs no quota at all.
func TestRestartKeepsETags(t *testing.T) {
	now := time.Date(2027, 4, 1, 10, 0, 0, 0, time.UTC)
	a, st, fake, newClient := watching(t, now)
	ctx := context.Background()
	if n, err := a.SyncRepos(ctx); err != nil || n != 30 {
		t.Fatalf("SyncRepos = %d, %v", n, err)
	}
	if res := pollAll(t, a); res.Changed != 30 || res.Errors != 0 {
		t.Fatalf("first poll = %+v", res)
	}
	a.GitHub = newClient() // a restart: nothing in memory
	before := fake.Charged()
	if res := pollAll(t, a); res.Unchanged != 30 {
		t.Fatalf("poll after restart = %+v", res)
	}
	if got := fake.Charged() - before; got != 0 {
		t.Fatalf("polling 30 unchanged repositories after a restart cost %d quota, want 0", got)
	}
	repos, err := st.ProgramRepos(ctx, "ncc-2027", "demoscampi")
	if err != nil || len(repos) != 30 || repos[0].License != "MIT" || repos[0].Status != "ok" {
		t.Fatalf("repos = %d, %v", len(repos), err)
	}
}

func TestRenamesAndMissingAreRecorded(t *testing.T) {
	now := time.Date(2027, 4, 1, 10, 0, 0, 0, time.UTC)
	a, st, fake, _ := watching(t, now)
	ctx := context.Background()
	fake.Rename("CodeCitoyen/r00", "CodeCitoyen/renamed")
	fake.Update("CodeCitoyen/r01", func(r *fakegithub.Repo) { r.Deleted = true })
	fake.Update("CodeCitoyen/r02", func(r *fakegithub.Repo) { r.Archived = true })
	_, _ = a.SyncRepos(ctx)
	pollAll(t, a)
	repos, _ := st.ProgramRepos(ctx, "ncc-2027", "demoscampi")
	byName := map[string]store.Repo{}
	for _, r := range repos {
		byName[r.Name] = r
	}
	if r := byName["codecitoyen/r00"]; r.CurrentName != "CodeCitoyen/renamed" || r.RenamedFrom == "" {
		t.Errorf("rename not recorded: %+v", r)
	}
	if r := byName["codecitoyen/r01"]; r.Status != "not_found" {
		t.Errorf("404 not recorded: %+v", r)
	}
	if r := byName["codecitoyen/r02"]; !r.Archived {
		t.Errorf("archive not recorded: %+v", r)
	}
}

func TestNudgesAfter30And60IdleDays(t *testing.T) {
	start := time.Date(2027, 4, 1, 10, 0, 0, 0, time.UTC)
	now := start
	a, st, _, _ := watching(t, now)
	ctx := context.Background()
	_, _ = a.SyncRepos(ctx)
	pollAll(t, a)
	for _, tt := range []struct {
		days int
		want []string
	}{
		{10, nil},
		{31, []string{"repository-inactive → holder@example.org"}},
		{61, []string{"repository-inactive → holder@example.org", "repository-inactive-mentors → coord@example.org"}},
		{62, []string{"repository-inactive → holder@example.org", "repository-inactive-mentors → coord@example.org"}},
	} {
		now = start.AddDate(0, 0, tt.days)
		a.Now = func() time.Time { return now }
		if _, err := a.NudgeInactive(ctx); err != nil {
			t.Fatal(err)
		}
		msgs, _ := st.ListOutbox(ctx, "ncc-2027", "demoscampi")
		var got []string
		for _, m := range msgs {
			got = append(got, m.Kind+" → "+m.Recipient)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("after %d idle days: %v, want %v", tt.days, got, tt.want)
		}
	}
}

// A repository polled already in this cycle is not polled again when its
// page is redone after a pause: without a token GitHub charges 304s too.
func TestRedonePageSkipsWhatThisCycleDid(t *testing.T) {
	now := time.Date(2027, 4, 1, 10, 0, 0, 0, time.UTC)
	a, _, fake, _ := watching(t, now)
	ctx := context.Background()
	_, _ = a.SyncRepos(ctx)
	res, err := a.PollRepos(ctx, activities.PollInput{Limit: 50, CycleStart: now})
	if err != nil || res.Polled != 30 {
		t.Fatalf("first pass = %+v, %v", res, err)
	}
	before := fake.Requests()
	res, err = a.PollRepos(ctx, activities.PollInput{Limit: 50, CycleStart: now})
	if err != nil || res.Skipped != 30 || fake.Requests() != before {
		t.Fatalf("redone page = %+v, %v, %d requests; want everything skipped", res, err, fake.Requests()-before)
	}
}

// A worker whose clock is 10 minutes behind Temporal's, redoing a page in
// the same cycle, polls nothing twice: polls are recorded on Temporal's clock,
// the one the cycle's start is read on.
func TestSlowWorkerClockPollsOncePerCycle(t *testing.T) {
	cycle := time.Now()
	a, _, fake, _ := watching(t, cycle)
	a.Now = func() time.Time { return time.Now().Add(-10 * time.Minute) }
	_, _ = a.SyncRepos(context.Background())
	var env testsuite.WorkflowTestSuite
	act := env.NewTestActivityEnvironment()
	act.RegisterActivity(a.PollRepos)
	poll := func() activities.PollResult {
		v, err := act.ExecuteActivity(a.PollRepos, activities.PollInput{Limit: 50, CycleStart: cycle})
		if err != nil {
			t.Fatal(err)
		}
		var res activities.PollResult
		if err := v.Get(&res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := poll(); res.Polled != 30 {
		t.Fatalf("first pass = %+v, want 30 polled", res)
	}
	before := fake.Requests()
	if res := poll(); res.Skipped != 30 || fake.Requests() != before {
		t.Fatalf("redone page with the worker's clock 10 min behind = %+v, %d requests; want everything skipped", res, fake.Requests()-before)
	}
}

// A repository back after a 404 with the same content is found again, even
// though GitHub answers 304.
func TestBackAfterNotFound(t *testing.T) {
	now := time.Date(2027, 4, 1, 10, 0, 0, 0, time.UTC)
	a, st, fake, _ := watching(t, now)
	ctx := context.Background()
	_, _ = a.SyncRepos(ctx)
	pollAll(t, a)
	fake.UpdateQuiet("CodeCitoyen/r05", func(r *fakegithub.Repo) { r.Deleted = true })
	later := now.Add(25 * time.Hour)
	a.Now = func() time.Time { return later }
	pollAll(t, a)
	fake.UpdateQuiet("CodeCitoyen/r05", func(r *fakegithub.Repo) { r.Deleted = false })
	later = later.Add(25 * time.Hour)
	pollAll(t, a)
	repos, _ := st.ProgramRepos(ctx, "ncc-2027", "demoscampi")
	for _, r := range repos {
		if r.Name == "codecitoyen/r05" && r.Status != "ok" {
			t.Fatalf("r05 after coming back = %s", r.Status)
		}
	}
}
