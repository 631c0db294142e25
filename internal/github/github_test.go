package github_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/internal/fakegithub"
	"github.com/codecitoyen/suivi/internal/github"
)

func setup(t *testing.T, limits fakegithub.Limits) (*fakegithub.Server, *github.Client, *fakegithub.Clock, *github.MemValidators) {
	t.Helper()
	clk := fakegithub.NewClock(time.Date(2027, 4, 1, 10, 0, 0, 0, time.UTC))
	fake := fakegithub.Start("t0ken", limits, clk.Now)
	t.Cleanup(fake.Close)
	v := &github.MemValidators{}
	c, err := github.New(github.Options{APIURL: fake.URL(), Token: "t0ken", Validators: v})
	if err != nil {
		t.Fatal(err)
	}
	c.Transport.Now = clk.Now
	return fake, c, clk, v
}

func TestConditionalPollsCostNothingWhenUnchanged(t *testing.T) {
	fake, c, clk, _ := setup(t, fakegithub.Limits{})
	fake.Add(fakegithub.Repo{Owner: "CodeCitoyen", Name: "Demoscampi", License: "MIT", Stars: 3})
	for i := 0; i < 250; i++ { // three pages of commits on the first poll
		fake.Push("CodeCitoyen/Demoscampi", []string{"alice", "bob"}[i%2], 1)
	}
	ctx := context.Background()
	k := github.Known{Name: "CodeCitoyen/Demoscampi"}
	obs, err := c.Poll(ctx, k, clk.Now())
	if err != nil || obs.Status != "changed" || len(obs.Commits) != 250 || obs.License != "MIT" || obs.Stars != 3 {
		t.Fatalf("first poll = %+v (%d commits), %v", obs.Status, len(obs.Commits), err)
	}
	if !obs.CommitsFetched {
		t.Fatal("the first poll did not fetch the commits")
	}
	k = github.Known{Name: obs.Name, PushedAt: obs.PushedAt, LastPolled: clk.Now(), CommitsAt: clk.Now(), HeadSHA: obs.HeadSHA,
		IssuesAt: clk.Now(), ReleasesAt: clk.Now(), Status: "ok"}
	before := fake.Charged()
	clk.Advance(time.Hour)
	obs, err = c.Poll(ctx, k, clk.Now())
	if err != nil || obs.Status != "unchanged" {
		t.Fatalf("second poll = %+v, %v", obs, err)
	}
	if got := fake.Charged() - before; got != 0 {
		t.Fatalf("an unchanged repository cost %d quota, want 0", got)
	}
	// A push: the repository costs quota; issues and releases answer 304
	// for free; the commits wait for their period (6 h by default).
	fake.Push("CodeCitoyen/Demoscampi", "carol", 2)
	before = fake.Charged()
	obs, err = c.Poll(ctx, k, clk.Now())
	if err != nil || obs.Status != "changed" || obs.CommitsFetched {
		t.Fatalf("poll right after a push = %+v, %v", obs.Status, err)
	}
	if got := fake.Charged() - before; got != 1 {
		t.Fatalf("a push cost %d quota, want 1 (the repository)", got)
	}
	k.PushedAt, k.LastPolled = obs.PushedAt, clk.Now()
	// Six hours later, unchanged since, the commits are fetched: 304 for
	// the repository, one request for the commits.
	clk.Advance(6 * time.Hour)
	before = fake.Charged()
	obs, err = c.Poll(ctx, k, clk.Now())
	if err != nil || obs.Status != "unchanged" || !obs.CommitsFetched || len(obs.Commits) != 2 || obs.Commits[0].Author != "carol" {
		t.Fatalf("poll 6 h after a push = %+v (%d commits), %v", obs.Status, len(obs.Commits), err)
	}
	if got := fake.Charged() - before; got != 1 {
		t.Fatalf("fetching the commits cost %d quota, want 1", got)
	}
}

func TestIssuesFirstResponseAndReleases(t *testing.T) {
	fake, c, clk, _ := setup(t, fakegithub.Limits{})
	now := clk.Now()
	fake.Add(fakegithub.Repo{Owner: "o", Name: "r",
		Issues: []fakegithub.Issue{
			{Number: 1, Author: "alice", Created: now.Add(-48 * time.Hour), Comments: []fakegithub.Comment{
				{Author: "alice", Created: now.Add(-47 * time.Hour)}, {Author: "bob", Created: now.Add(-40 * time.Hour)}}},
			{Number: 2, PR: true, Author: "carol", Created: now.Add(-24 * time.Hour), Closed: now.Add(-2 * time.Hour)},
		},
		Releases: []fakegithub.Release{{Tag: "v0.1.0", Published: now.Add(-72 * time.Hour)}},
	})
	obs, err := c.Poll(context.Background(), github.Known{Name: "o/r"}, now)
	if err != nil || len(obs.Issues) != 2 || len(obs.Releases) != 1 {
		t.Fatalf("poll = %+v, %v", obs, err)
	}
	var issue, pr github.Issue
	for _, i := range obs.Issues {
		if i.PR {
			pr = i
		} else {
			issue = i
		}
	}
	if !issue.FirstResponse.Equal(now.Add(-40*time.Hour)) || pr.Closed.IsZero() || pr.Author != "carol" {
		t.Fatalf("issue %+v, pr %+v", issue, pr)
	}
}

func TestRenameAndNotFound(t *testing.T) {
	fake, c, clk, _ := setup(t, fakegithub.Limits{})
	fake.Add(fakegithub.Repo{Owner: "o", Name: "old"})
	fake.Rename("o/old", "o/new")
	obs, err := c.Poll(context.Background(), github.Known{Name: "o/old"}, clk.Now())
	if err != nil || obs.Name != "o/new" || obs.RenamedFrom != "o/old" {
		t.Fatalf("renamed = %+v, %v", obs, err)
	}
	obs, err = c.Poll(context.Background(), github.Known{Name: "o/gone"}, clk.Now())
	if err != nil || obs.Status != "not_found" {
		t.Fatalf("missing = %+v, %v", obs, err)
	}
	// Checked again only after a day.
	before := fake.Requests()
	k := github.Known{Name: "o/gone", Status: "not_found", CheckedAt: clk.Now(), LastPolled: clk.Now()}
	if obs, _ := c.Poll(context.Background(), k, clk.Now().Add(23*time.Hour)); obs.Status != "skipped" || fake.Requests() != before {
		t.Fatalf("a 404 was checked again within the day: %+v", obs)
	}
	if obs, _ := c.Poll(context.Background(), k, clk.Now().Add(25*time.Hour)); obs.Status != "not_found" {
		t.Fatalf("a 404 was not checked after a day: %+v", obs)
	}
}

func TestRateLimitsPause(t *testing.T) {
	for _, tt := range []struct {
		name   string
		limits fakegithub.Limits
		force  []int
		wait   time.Duration
	}{
		{"secondary 403 with retry-after", fakegithub.Limits{RetryAfter: 30}, []int{http.StatusForbidden}, 30 * time.Second},
		{"secondary 429 with retry-after", fakegithub.Limits{RetryAfter: 45}, []int{http.StatusTooManyRequests}, 45 * time.Second},
		{"primary limit until reset", fakegithub.Limits{Primary: 1}, nil, time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake, c, clk, _ := setup(t, tt.limits)
			fake.Add(fakegithub.Repo{Owner: "o", Name: "a"})
			fake.Add(fakegithub.Repo{Owner: "o", Name: "b"})
			ctx := context.Background()
			if tt.force == nil {
				if _, err := c.Poll(ctx, github.Known{Name: "o/a"}, clk.Now()); err == nil {
					t.Fatal("the second request of a 1-request quota succeeded")
				}
			} else {
				fake.Force(tt.force...)
			}
			_, err := c.Poll(ctx, github.Known{Name: "o/b"}, clk.Now())
			until, limited := c.Limited(err)
			if !limited || until.Sub(clk.Now()) < tt.wait-time.Second || until.Sub(clk.Now()) > tt.wait+time.Second {
				t.Fatalf("err = %v; want a pause of %s", err, tt.wait)
			}
			// While paused, nothing reaches GitHub.
			before := fake.Requests()
			if _, err := c.Poll(ctx, github.Known{Name: "o/b"}, clk.Now()); err == nil || fake.Requests() != before {
				t.Fatalf("a request went out while paused: %v", err)
			}
		})
	}
}

func TestSecondaryLimitWithoutHeadersBacksOffAtLeastAMinute(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"message":"You have exceeded a secondary rate limit"}`))
	}))
	defer srv.Close()
	c, err := github.New(github.Options{APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c.Transport.Now = func() time.Time { return now }
	_, err = c.Poll(context.Background(), github.Known{Name: "o/r"}, now)
	until, ok := c.Limited(err)
	if !ok || until.Sub(now) < time.Minute {
		t.Fatalf("err = %v, want a pause of at least 60 s", err)
	}
}

func TestTokenOnlyGoesToTheAPIHost(t *testing.T) {
	var got []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, "other:"+r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusNotFound)
	}))
	defer other.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, "api:"+r.Header.Get("Authorization"))
		http.Redirect(w, r, other.URL+"/elsewhere", http.StatusMovedPermanently)
	}))
	defer api.Close()
	c, err := github.New(github.Options{APIURL: api.URL, Token: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Poll(context.Background(), github.Known{Name: "o/r"}, time.Now())
	if len(got) != 2 || got[0] != "api:Bearer s3cret" || got[1] != "other:" {
		t.Fatalf("Authorization seen = %q; the token must reach the API host only", got)
	}
}

func TestInflightCapAndStats(t *testing.T) {
	fake, c, clk, _ := setup(t, fakegithub.Limits{MaxConcurrent: 10})
	for i := 0; i < 60; i++ {
		fake.Add(fakegithub.Repo{Owner: "o", Name: "r" + strings.Repeat("x", i)})
	}
	var wg sync.WaitGroup
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Poll(context.Background(), github.Known{Name: "o/r" + strings.Repeat("x", i)}, clk.Now()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if fake.MaxInflight() > 10 || fake.Limited() != 0 {
		t.Fatalf("max in flight %d, limited %d: the cap of 10 was not kept", fake.MaxInflight(), fake.Limited())
	}
	fake.Push("o/r", "alice", 3)
	weeks, err := c.WeeklyCommits(context.Background(), "o/r", 10*time.Millisecond)
	if err != nil || len(weeks) != 52 || weeks[51] != 3 {
		t.Fatalf("weekly commits after a 202 = %v, %v", weeks, err)
	}
}

// failOnce answers 502 to the first request whose path contains sub.
type failOnce struct {
	sub  string
	done bool
	mu   sync.Mutex
}

func (f *failOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	fail := !f.done && strings.Contains(r.URL.Path, f.sub)
	f.done = f.done || fail
	f.mu.Unlock()
	if fail {
		return &http.Response{StatusCode: http.StatusBadGateway, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

// A poll that fails half-way leaves no ETag behind: the retry still sees
// the change instead of a 304.
func TestFailedPollKeepsNoETag(t *testing.T) {
	clk := fakegithub.NewClock(time.Date(2027, 4, 1, 10, 0, 0, 0, time.UTC))
	fake := fakegithub.Start("t0ken", fakegithub.Limits{}, clk.Now)
	defer fake.Close()
	fake.Add(fakegithub.Repo{Owner: "o", Name: "r"})
	fake.Push("o/r", "alice", 1)
	v := &github.MemValidators{}
	c, err := github.New(github.Options{APIURL: fake.URL(), Token: "t0ken", Validators: v, Base: &failOnce{sub: "/issues"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, pending := github.WithPending(context.Background())
	if _, err := c.Poll(ctx, github.Known{Name: "o/r"}, clk.Now()); err == nil {
		t.Fatal("the poll should have failed on issues")
	}
	_ = pending // not flushed: the poll failed
	ctx, pending = github.WithPending(context.Background())
	obs, err := c.Poll(ctx, github.Known{Name: "o/r"}, clk.Now())
	if err != nil || obs.Status != "changed" || len(obs.Commits) != 1 {
		t.Fatalf("retry = %+v, %v; want the change seen", obs.Status, err)
	}
	if err := pending.Flush(ctx, v); err != nil {
		t.Fatal(err)
	}
	if obs, _ := c.Poll(context.Background(), github.Known{Name: "o/r", CommitsAt: clk.Now(), HeadSHA: obs.HeadSHA, IssuesAt: clk.Now(), ReleasesAt: clk.Now()}, clk.Now()); obs.Status != "unchanged" {
		t.Fatalf("after a flushed poll = %s, want unchanged", obs.Status)
	}
}

// Issue and PR activity does not change the repository itself; it must be
// seen all the same — within ListsEvery, since the list's ETag also moves
// with every reaction and label — and answers arriving later are measured.
func TestIssueActivityBehindAn304(t *testing.T) {
	fake, c, clk, _ := setup(t, fakegithub.Limits{})
	fake.Add(fakegithub.Repo{Owner: "o", Name: "r", Issues: []fakegithub.Issue{{Number: 6, PR: true, Author: "carol", Created: clk.Now().Add(-time.Hour)}}})
	fake.Push("o/r", "alice", 1)
	ctx := context.Background()
	obs, _ := c.Poll(ctx, github.Known{Name: "o/r"}, clk.Now())
	k := github.Known{Name: "o/r", PushedAt: obs.PushedAt, LastPolled: clk.Now(), CommitsAt: clk.Now(), HeadSHA: obs.HeadSHA,
		IssuesAt: clk.Now(), ReleasesAt: clk.Now(), Status: "ok"}
	clk.Advance(time.Hour)
	opened := clk.Now()
	// One PR closed, another opened: the open count, and the repository,
	// do not change.
	fake.UpdateQuiet("o/r", func(r *fakegithub.Repo) {
		r.Issues[0].Closed = opened
		r.Issues = append(r.Issues, fakegithub.Issue{Number: 7, PR: true, Author: "bob", Created: opened})
	})
	obs, err := c.Poll(ctx, k, clk.Now())
	if err != nil || obs.Status != "unchanged" || obs.IssuesFetched {
		t.Fatalf("an hour later, behind a 304 = %s, issues read %v, %v; want the list left for later", obs.Status, obs.IssuesFetched, err)
	}
	clk.Advance(github.ListsEvery)
	obs, err = c.Poll(ctx, k, clk.Now())
	if err != nil || obs.Status != "unchanged" || len(obs.Issues) != 2 {
		t.Fatalf("PRs closed and opened behind a 304 = %s, %d issues, %v", obs.Status, len(obs.Issues), err)
	}
	k.IssuesAt, k.LastPolled = clk.Now(), clk.Now()
	clk.Advance(github.ListsEvery)
	fake.UpdateQuiet("o/r", func(r *fakegithub.Repo) {
		r.Issues[1].Comments = append(r.Issues[1].Comments, fakegithub.Comment{Author: "alice", Created: clk.Now()})
	})
	obs, err = c.Poll(ctx, k, clk.Now())
	if err != nil || len(obs.Issues) != 1 || obs.Issues[0].Number != 7 || !obs.Issues[0].FirstResponse.Equal(clk.Now()) {
		t.Fatalf("a first response 3 h later = %+v, %v", obs.Issues, err)
	}
}

// A commit authored before the last fetch but pushed after it counts; an
// empty repository (409) is not an error.
func TestCommitsByHeadNotByDate(t *testing.T) {
	fake, c, clk, _ := setup(t, fakegithub.Limits{})
	fake.Add(fakegithub.Repo{Owner: "o", Name: "empty"})
	obs, err := c.Poll(context.Background(), github.Known{Name: "o/empty"}, clk.Now())
	if err != nil || !obs.CommitsFetched || len(obs.Commits) != 0 {
		t.Fatalf("empty repository = %+v, %v", obs.Status, err)
	}
	fake.Add(fakegithub.Repo{Owner: "o", Name: "r"})
	fake.Push("o/r", "alice", 1)
	obs, _ = c.Poll(context.Background(), github.Known{Name: "o/r"}, clk.Now())
	k := github.Known{Name: "o/r", PushedAt: obs.PushedAt, LastPolled: clk.Now(), CommitsAt: clk.Now(), HeadSHA: obs.HeadSHA,
		IssuesAt: clk.Now(), ReleasesAt: clk.Now(), Status: "ok"}
	clk.Advance(time.Hour)
	fake.PushAuthored("o/r", "bob", clk.Now().Add(-48*time.Hour))
	k.PushedAt = clk.Now()
	clk.Advance(6 * time.Hour)
	obs, err = c.Poll(context.Background(), k, clk.Now())
	if err != nil || len(obs.Commits) != 1 || obs.Commits[0].Author != "bob" {
		t.Fatalf("a commit authored earlier, pushed later = %+v, %v", obs.Commits, err)
	}
}

// TestRecordedRateLimits replays GitHub's own 403s (testdata/README.md):
// the old "abuse detection" wording without Retry-After is a secondary
// limit and pauses; a spent quota without a reset is the primary limit,
// said so; and every pause counts from the transport's clock, not the
// machine's.
func TestRecordedRateLimits(t *testing.T) {
	for _, tt := range []struct {
		file, remaining, reason string
	}{
		{"abuse-403.json", "", "secondary limit"},
		{"primary-403.json", "0", "primary limit, no reset given"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				if tt.remaining != "" {
					w.Header().Set("X-RateLimit-Limit", "60")
					w.Header().Set("X-RateLimit-Remaining", tt.remaining)
				}
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			c, err := github.New(github.Options{APIURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			// A clock far from the machine's: the pause must follow it.
			clock := time.Date(2031, 5, 1, 12, 0, 0, 0, time.UTC)
			c.Transport.Now = func() time.Time { return clock }
			_, err = c.Poll(context.Background(), github.Known{Name: "o/r"}, clock)
			var rl *github.RateLimited
			if !errors.As(err, &rl) || rl.Reason != tt.reason {
				t.Fatalf("err = %v, want a pause for %q", err, tt.reason)
			}
			until, ok := c.Limited(err)
			if !ok || until.Sub(clock) < time.Minute || until.Sub(clock) > 10*time.Minute {
				t.Fatalf("pause until %s, want about a minute after the transport's clock %s", until, clock)
			}
		})
	}
}

// Lists are followed by their Link header's rel="next" address as GitHub
// gives it: /repositories/{id}/… paths with page numbers, or cursors.
func TestPaginationFollowsTheLinkHeader(t *testing.T) {
	var paths []string
	var srvURL string
	commit := func(sha, date string) string {
		return `{"sha":"` + sha + `","commit":{"author":{"name":"A","date":"` + date + `"}},"author":{"login":"alice"}}`
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.RequestURI())
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		now := time.Now().UTC()
		d1, d2 := now.Add(-48*time.Hour).Format(time.RFC3339), now.Add(-72*time.Hour).Format(time.RFC3339)
		switch {
		case r.URL.Path == "/repos/o/r":
			_, _ = w.Write([]byte(`{"id":99,"full_name":"o/r","name":"r","owner":{"login":"o"},"default_branch":"main","pushed_at":"` + d1 + `","created_at":"2020-01-01T00:00:00Z"}`))
		case r.URL.Path == "/repos/o/r/commits":
			w.Header().Set("Link", `<`+srvURL+`/repositories/99/commits?per_page=100&page=2>; rel="next", <`+srvURL+`/repositories/99/commits?per_page=100&page=2>; rel="last"`)
			_, _ = w.Write([]byte(`[` + commit("c1", d1) + `]`))
		case r.URL.Path == "/repositories/99/commits":
			_, _ = w.Write([]byte(`[` + commit("c2", d2) + `]`))
		case r.URL.Path == "/repos/o/r/issues":
			w.Header().Set("Link", `<`+srvURL+`/repositories/99/issues?per_page=100&after=Y3Vyc29yOnYyOpK5>; rel="next"`)
			_, _ = w.Write([]byte(`[{"number":1,"user":{"login":"bob"},"created_at":"` + d1 + `","updated_at":"` + d1 + `","comments":0}]`))
		case r.URL.Path == "/repositories/99/issues":
			_, _ = w.Write([]byte(`[{"number":2,"user":{"login":"bob"},"created_at":"` + d2 + `","updated_at":"` + d2 + `","comments":0}]`))
		default:
			_, _ = w.Write([]byte(`[]`))
		}
	}))
	defer srv.Close()
	srvURL = srv.URL
	c, err := github.New(github.Options{APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	obs, err := c.Poll(context.Background(), github.Known{Name: "o/r"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.Commits) != 2 || len(obs.Issues) != 2 {
		t.Fatalf("commits %d, issues %d; want both pages of each (requests %v)", len(obs.Commits), len(obs.Issues), paths)
	}
	joined := strings.Join(paths, " ")
	for _, want := range []string{"/repositories/99/commits?per_page=100&page=2", "/repositories/99/issues?per_page=100&after=Y3Vyc29yOnYyOpK5"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no request to %s: %v", want, paths)
		}
	}
}

// One GraphQL query tells, for a hundred repositories, which changed: an
// unchanged one then costs no REST request at all; a changed one is read
// from the answer (no repository GET); renamed and deleted ones are told.
func TestFreshnessByGraphQL(t *testing.T) {
	fake, c, clk, _ := setup(t, fakegithub.Limits{})
	fake.Add(fakegithub.Repo{Owner: "o", Name: "same", License: "LGPL-3.0", Stars: 2})
	fake.Push("o/same", "alice", 1)
	fake.Add(fakegithub.Repo{Owner: "o", Name: "old"})
	fake.Rename("o/old", "o/new")
	names := []string{"o/same", "o/old", "o/gone"}
	for i := range 150 { // two queries
		n := fmt.Sprintf("many/r%d", i)
		fake.Add(fakegithub.Repo{Owner: "many", Name: fmt.Sprintf("r%d", i)})
		names = append(names, n)
	}
	ctx := context.Background()
	fresh, err := c.Freshness(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	if got := fake.GraphQLCharged(); got != 2 {
		t.Errorf("%d GraphQL points for %d repositories, want 2", got, len(names))
	}
	same := fresh["o/same"]
	if !same.Found || same.Stars != 2 || same.License != "LGPL-3.0-only" || same.PushedAt.IsZero() || same.DefaultBranch != "main" {
		t.Errorf("o/same = %+v", same)
	}
	if fresh["o/old"].Name != "o/new" || fresh["o/gone"].Found {
		t.Errorf("renamed %+v, deleted %+v", fresh["o/old"], fresh["o/gone"])
	}
	// Polled with what it said: the first poll over REST, then nothing.
	obs, _ := c.Poll(ctx, github.Known{Name: "o/same"}, clk.Now())
	k := github.Known{Name: "o/same", PushedAt: obs.PushedAt, CommitsAt: clk.Now(), HeadSHA: obs.HeadSHA, IssuesAt: clk.Now(),
		ReleasesAt: clk.Now(), Status: "ok", OpenIssues: obs.OpenIssues, Stars: obs.Stars, Forks: obs.Forks,
		DefaultBranch: obs.DefaultBranch, License: obs.License}
	clk.Advance(time.Hour)
	f := fresh["o/same"]
	k.Fresh = &f
	before := fake.Requests()
	if obs, err := c.Poll(ctx, k, clk.Now()); err != nil || obs.Status != "unchanged" || fake.Requests() != before {
		t.Fatalf("unchanged per GraphQL = %s, %v, %d REST requests; want none", obs.Status, err, fake.Requests()-before)
	}
	f.Stars++
	if obs, err := c.Poll(ctx, k, clk.Now()); err != nil || obs.Status != "changed" || obs.Stars != 3 || fake.Requests() != before {
		t.Fatalf("a star per GraphQL = %s stars %d, %v, %d REST requests; want changed and none", obs.Status, obs.Stars, err, fake.Requests()-before)
	}
}
