package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/codecitoyen/suivi/internal/licence"
)

// DefaultAPIURL is GitHub's public API.
const DefaultAPIURL = "https://api.github.com/"

// DefaultCommitsEvery is the default of Options.CommitsEvery.
const DefaultCommitsEvery = 6 * time.Hour

// Window is how far back a repository's first poll looks, and the window of
// the metrics (Scorecard's "maintained" uses 90 days).
const Window = 90 * 24 * time.Hour

// Options configure a Client.
type Options struct {
	APIURL      string // GITHUB_API_URL; default DefaultAPIURL
	Token       string // GITHUB_TOKEN; empty: 60 requests per hour
	MaxInflight int
	Validators  Validators
	Base        http.RoundTripper
	// CommitsEvery is the least time between two fetches of a repository's
	// commits (default 6 h): a busy repository pushed to every hour costs
	// one commits request per period, not one per push. Pushes themselves
	// (pushed_at) are seen at every poll.
	CommitsEvery time.Duration
	// PerMinute paces requests (default DefaultPerMinute), under GitHub's
	// secondary limit of 900 points a minute for REST; negative: none.
	PerMinute int
}

// DefaultPerMinute leaves a third of GitHub's 900 points a minute for the
// licence checks and anything else sharing the token.
const DefaultPerMinute = 600

// ListsEvery is how often the issue and pull request list is read when
// the repository's open issue count did not move: its ETag also moves with
// reactions and labels, so reading it every hour would be charged nearly
// every hour. Issues opened or closed change that count, so those are seen
// at the next poll; comments and first answers within ListsEvery (spread
// over repositories, so that lists do not all come due in one hour).
const ListsEvery = 12 * time.Hour

// ReleasesEvery is the longest a release list goes unread: a release
// pushes its tag, so a new one is seen with the push; in between, the list
// changes only with download counts, which Suivi does not read.
const ReleasesEvery = 24 * time.Hour

// Client polls repositories.
type Client struct {
	gh           *gh.Client
	Transport    *Transport
	commitsEvery time.Duration
}

// New builds a client; the token is only ever sent to the API's host.
func New(o Options) (*Client, error) {
	if o.APIURL == "" {
		o.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(o.APIURL, "/") {
		o.APIURL += "/"
	}
	u, err := url.Parse(o.APIURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("GITHUB_API_URL %q is not an http(s) URL (GitHub Enterprise: https://HOST/api/v3/)", o.APIURL)
	}
	t := NewTransport(o.Base, o.Token, u.Host, o.MaxInflight, o.Validators)
	switch {
	case o.PerMinute == 0:
		t.Pace = time.Minute / DefaultPerMinute
	case o.PerMinute > 0:
		t.Pace = time.Minute / time.Duration(o.PerMinute)
	}
	c := gh.NewClient(&http.Client{Transport: t, Timeout: 30 * time.Second})
	c.BaseURL = u
	if o.CommitsEvery == 0 {
		o.CommitsEvery = DefaultCommitsEvery
	}
	return &Client{gh: c, Transport: t, commitsEvery: o.CommitsEvery}, nil
}

// Known is what Suivi already knows of a repository.
type Known struct {
	Name       string // owner/repo, as last seen
	PushedAt   time.Time
	LastPolled time.Time
	// CommitsAt is when the commits were last fetched, and HeadSHA the
	// newest commit seen then: the next fetch reads until it meets it.
	CommitsAt time.Time
	HeadSHA   string
	// IssuesAt and ReleasesAt are when those lists were last read.
	IssuesAt time.Time
	// OpenIssues is the open issue and pull request count last seen, and
	// the rest what the repository looked like then.
	OpenIssues    int
	Stars, Forks  int
	Archived      bool
	DefaultBranch string
	License       string
	// Fresh, when set, is what a GraphQL batch just said of the
	// repository (Freshness): the REST GET of the repository is skipped.
	Fresh      *Fresh
	ReleasesAt time.Time
	Status     string // "", ok, not_found
	CheckedAt  time.Time
}

// Commit, Issue and Release are what a poll saw.
type Commit struct {
	SHA    string    `json:"sha"`
	Author string    `json:"author"`
	Date   time.Time `json:"date"`
}

// Issue is an issue or a pull request (PR).
type Issue struct {
	Number        int       `json:"number"`
	PR            bool      `json:"pr"`
	Author        string    `json:"author"`
	Created       time.Time `json:"created"`
	Closed        time.Time `json:"closed,omitzero"`
	FirstResponse time.Time `json:"first_response,omitzero"`
}

// Release is a published release.
type Release struct {
	Tag       string    `json:"tag"`
	Published time.Time `json:"published"`
}

// Observation is the result of polling one repository.
type Observation struct {
	Name        string `json:"name"`
	RenamedFrom string `json:"renamed_from,omitempty"`
	// Status: changed, unchanged, not_found, or skipped (a 404 checked
	// less than a day ago).
	Status        string    `json:"status"`
	PushedAt      time.Time `json:"pushed_at,omitzero"`
	CreatedAt     time.Time `json:"created_at,omitzero"`
	DefaultBranch string    `json:"default_branch,omitempty"`
	Archived      bool      `json:"archived,omitempty"`
	Stars         int       `json:"stars"`
	Forks         int       `json:"forks"`
	OpenIssues    int       `json:"open_issues"`
	License       string    `json:"license,omitempty"`
	Commits       []Commit  `json:"commits,omitempty"`
	// CommitsFetched says the commits were asked for (CommitsAt moves, and
	// HeadSHA becomes the newest commit seen).
	CommitsFetched bool      `json:"commits_fetched,omitempty"`
	HeadSHA        string    `json:"head_sha,omitempty"`
	Issues         []Issue   `json:"issues,omitempty"`
	Releases       []Release `json:"releases,omitempty"`
	// IssuesFetched and ReleasesFetched say those lists were read (200 or
	// 304): their marks move.
	IssuesFetched   bool `json:"issues_fetched,omitempty"`
	ReleasesFetched bool `json:"releases_fetched,omitempty"`
}

// Poll looks at one repository. First the repository itself, conditionally
// (a 304 costs no quota); the commits only when it was pushed to; issues and
// pull requests, and releases, every time, each on a stable URL so that an
// unchanged list answers 304. A 404 is checked again once a day.
func (c *Client) Poll(ctx context.Context, k Known, now time.Time) (Observation, error) {
	obs := Observation{Name: k.Name}
	if k.Status == "not_found" && now.Sub(k.CheckedAt) < 24*time.Hour {
		obs.Status = "skipped"
		return obs, nil
	}
	owner, name, _ := strings.Cut(k.Name, "/")
	if f := k.Fresh; f != nil {
		if !f.Found {
			obs.Status = "not_found"
			return obs, nil
		}
		obs.Status = "unchanged"
		obs.PushedAt = k.PushedAt
		same := f.PushedAt.Equal(k.PushedAt) && f.OpenIssues == k.OpenIssues && f.Stars == k.Stars && f.Forks == k.Forks &&
			f.Archived == k.Archived && f.DefaultBranch == k.DefaultBranch && f.License == k.License && strings.EqualFold(f.Name, k.Name)
		if !same {
			obs.Status = "changed"
			if !strings.EqualFold(f.Name, k.Name) {
				obs.RenamedFrom, obs.Name = k.Name, f.Name
				owner, name, _ = strings.Cut(f.Name, "/")
			}
			obs.PushedAt, obs.CreatedAt, obs.DefaultBranch, obs.Archived = f.PushedAt, f.CreatedAt, f.DefaultBranch, f.Archived
			obs.Stars, obs.Forks, obs.OpenIssues, obs.License = f.Stars, f.Forks, f.OpenIssues, f.License
		}
		return c.lists(ctx, obs, owner, name, k, now)
	}
	repo, resp, err := c.gh.Repositories.Get(ctx, owner, name)
	switch {
	case notModified(resp):
		obs.Status = "unchanged"
		obs.PushedAt = k.PushedAt
	case resp != nil && resp.StatusCode == http.StatusNotFound:
		obs.Status = "not_found"
		return obs, nil
	case err != nil:
		return obs, fmt.Errorf("github: %s: %w", k.Name, err)
	default:
		obs.Status = "changed"
		if full := repo.GetFullName(); full != "" && !strings.EqualFold(full, k.Name) {
			// GitHub answered 301 and go-github followed it: a rename.
			obs.RenamedFrom, obs.Name = k.Name, full
			owner, name, _ = strings.Cut(full, "/")
		}
		obs.PushedAt, obs.CreatedAt = repo.GetPushedAt().Time, repo.GetCreatedAt().Time
		obs.DefaultBranch, obs.Archived = repo.GetDefaultBranch(), repo.GetArchived()
		obs.Stars, obs.Forks, obs.OpenIssues = repo.GetStargazersCount(), repo.GetForksCount(), repo.GetOpenIssuesCount()
		obs.License = licence.FromGitHub(repo.GetLicense().GetSPDXID())
	}
	return c.lists(ctx, obs, owner, name, k, now)
}

// lists reads, after the repository itself, the lists whose time has come:
// commits, issues and pull requests, releases.
func (c *Client) lists(ctx context.Context, obs Observation, owner, name string, k Known, now time.Time) (Observation, error) {
	var err error
	if err := c.maybeCommits(ctx, &obs, owner, name, k, obs.PushedAt, now); err != nil {
		return obs, err
	}
	// Issues and pull requests: when the repository changed (an issue
	// opened or closed moves its count), else every ListsEvery for the
	// comments and first answers, on a stable URL that answers 304 (free)
	// when nothing moved.
	moved := obs.Status == "changed" && obs.OpenIssues != k.OpenIssues
	if k.IssuesAt.IsZero() || moved || now.Sub(k.IssuesAt) >= listsEvery(k.Name) {
		if obs.Issues, err = c.issues(ctx, owner, name, orWindow(k.IssuesAt, now), now); err != nil {
			return obs, err
		}
		obs.IssuesFetched = true
	}
	// Releases: after a push (a release pushes its tag), else daily.
	if k.ReleasesAt.IsZero() || obs.PushedAt.After(k.ReleasesAt) || now.Sub(k.ReleasesAt) >= ReleasesEvery {
		if obs.Releases, err = c.releases(ctx, owner, name, orWindow(k.ReleasesAt, now)); err != nil {
			return obs, err
		}
		obs.ReleasesFetched = true
	}
	return obs, nil
}

func orWindow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now.Add(-Window)
	}
	return t
}

// maybeCommits fetches the commits pushed since the last fetch, at most
// once per commitsEvery (always on the first poll).
func (c *Client) maybeCommits(ctx context.Context, obs *Observation, owner, name string, k Known, pushedAt, now time.Time) error {
	first := k.CommitsAt.IsZero()
	if !first && (!pushedAt.After(k.CommitsAt) || now.Sub(k.CommitsAt) < c.commitsEvery) {
		return nil
	}
	var err error
	obs.Commits, err = c.commits(ctx, owner, name, now.Add(-Window), first, k.HeadSHA)
	if err != nil {
		return err
	}
	obs.CommitsFetched, obs.HeadSHA = true, k.HeadSHA
	if len(obs.Commits) > 0 {
		obs.HeadSHA = obs.Commits[0].SHA
	}
	return nil
}

// maxPages bounds one list, so a huge repository cannot eat the quota.
const maxPages = 10

// commits lists the commits newest first until the head seen last time
// (author dates lie: a commit made before the last fetch may be pushed after
// it). The first fetch takes the window.
func (c *Client) commits(ctx context.Context, owner, name string, windowStart time.Time, first bool, head string) ([]Commit, error) {
	opts := &gh.CommitsListOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	if first {
		// One-off: the whole window. Later fetches use the stable URL, which
		// answers 304 while nothing was pushed.
		opts.Since = windowStart
	}
	var out []Commit
	next := ""
	for page := 0; page < maxPages; page++ {
		var list []*gh.RepositoryCommit
		var resp *gh.Response
		var err error
		if next == "" {
			list, resp, err = c.gh.Repositories.ListCommits(ctx, owner, name, opts)
		} else {
			resp, err = c.follow(ctx, next, &list)
		}
		if notModified(resp) {
			return out, nil
		}
		if resp != nil && resp.StatusCode == http.StatusConflict {
			return out, nil // "Git Repository is empty"
		}
		if err != nil {
			return out, fmt.Errorf("github: %s/%s commits: %w", owner, name, err)
		}
		for _, rc := range list {
			if rc.GetSHA() == head && head != "" {
				return out, nil
			}
			d := rc.GetCommit().GetAuthor().GetDate().Time
			if d.Before(windowStart) {
				continue // older than any metric looks
			}
			author := rc.GetAuthor().GetLogin()
			if author == "" {
				author = rc.GetCommit().GetAuthor().GetName()
			}
			out = append(out, Commit{SHA: rc.GetSHA(), Author: author, Date: d})
		}
		if next = c.nextURL(resp); next == "" {
			return out, nil
		}
	}
	return out, nil
}

func (c *Client) issues(ctx context.Context, owner, name string, since, now time.Time) ([]Issue, error) {
	opts := &gh.IssueListByRepoOptions{State: "all", Sort: "updated", Direction: "desc", ListOptions: gh.ListOptions{PerPage: 100}}
	var out []Issue
	next := ""
	for page := 0; page < maxPages; page++ {
		var list []*gh.Issue
		var resp *gh.Response
		var err error
		if next == "" {
			list, resp, err = c.gh.Issues.ListByRepo(ctx, owner, name, opts)
		} else {
			resp, err = c.follow(ctx, next, &list)
		}
		if notModified(resp) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("github: %s/%s issues: %w", owner, name, err)
		}
		older := false
		for _, i := range list {
			// Updated at the last read's instant: that read saw it.
			if !i.GetUpdatedAt().Time.After(since) {
				older = true
				continue
			}
			is := Issue{Number: i.GetNumber(), PR: i.IsPullRequest(), Author: i.GetUser().GetLogin(),
				Created: i.GetCreatedAt().Time, Closed: i.GetClosedAt().Time}
			// Answers may come long after the issue: look while it is
			// within the metrics' window.
			if i.GetComments() > 0 && now.Sub(is.Created) < Window {
				if is.FirstResponse, err = c.firstResponse(ctx, owner, name, is); err != nil {
					return out, err
				}
			}
			out = append(out, is)
		}
		if next = c.nextURL(resp); older || next == "" {
			return out, nil
		}
	}
	return out, nil
}

// nextURL is the rel="next" address of a list's Link header, exactly as
// GitHub gives it (it uses /repositories/{id}/… paths and cursors on some
// lists, so building page numbers ourselves would be wrong), or "" at the
// end, or when it points off the API's host.
func (c *Client) nextURL(resp *gh.Response) string {
	if resp == nil || resp.Response == nil {
		return ""
	}
	for _, link := range strings.Split(resp.Header.Get("Link"), ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(link), ";")
		if !ok || !strings.Contains(strings.ReplaceAll(params, " ", ""), `rel="next"`) {
			continue
		}
		u, err := url.Parse(strings.Trim(strings.TrimSpace(target), "<>"))
		if err != nil || !strings.EqualFold(u.Host, c.gh.BaseURL.Host) {
			return ""
		}
		return u.String()
	}
	return ""
}

// follow GETs a next-page URL into v.
func (c *Client) follow(ctx context.Context, next string, v any) (*gh.Response, error) {
	req, err := c.gh.NewRequest(http.MethodGet, next, nil)
	if err != nil {
		return nil, err
	}
	return c.gh.Do(ctx, req, v)
}

// firstResponse is the first comment by someone other than the author.
func (c *Client) firstResponse(ctx context.Context, owner, name string, is Issue) (time.Time, error) {
	list, resp, err := c.gh.Issues.ListComments(ctx, owner, name, is.Number, &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 30}})
	if notModified(resp) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("github: %s/%s#%d comments: %w", owner, name, is.Number, err)
	}
	for _, cm := range list {
		if cm.GetUser().GetLogin() != is.Author {
			return cm.GetCreatedAt().Time, nil
		}
	}
	return time.Time{}, nil
}

func (c *Client) releases(ctx context.Context, owner, name string, since time.Time) ([]Release, error) {
	list, resp, err := c.gh.Repositories.ListReleases(ctx, owner, name, &gh.ListOptions{PerPage: 20})
	if notModified(resp) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("github: %s/%s releases: %w", owner, name, err)
	}
	var out []Release
	for _, r := range list {
		if p := r.GetPublishedAt().Time; p.After(since) {
			out = append(out, Release{Tag: r.GetTagName(), Published: p})
		}
	}
	return out, nil
}

// WeeklyCommits asks /stats/participation, which answers 202 while GitHub
// computes it: it retries a few times, then gives up without failing.
func (c *Client) WeeklyCommits(ctx context.Context, fullName string, wait time.Duration) ([]int, error) {
	owner, name, _ := strings.Cut(fullName, "/")
	for attempt := 0; attempt < 4; attempt++ {
		p, _, err := c.gh.Repositories.ListParticipation(ctx, owner, name)
		var accepted *gh.AcceptedError
		if errors.As(err, &accepted) {
			select {
			case <-time.After(wait):
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if err != nil {
			return nil, fmt.Errorf("github: %s participation: %w", fullName, err)
		}
		return p.All, nil
	}
	return nil, nil
}

// notModified reports a 304, which go-github v60 returns as an error.
func notModified(resp *gh.Response) bool {
	return resp != nil && resp.StatusCode == http.StatusNotModified
}

// listsEvery is ListsEvery, shortened by up to a quarter per repository
// (by its name), so that lists first read in one crawl spread out.
func listsEvery(name string) time.Duration {
	var h uint32 = 2166136261
	for i := 0; i < len(name); i++ {
		h = (h ^ uint32(name[i])) * 16777619
	}
	return ListsEvery - time.Duration(h%1000)*ListsEvery/4000
}
