package activities

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/codecitoyen/suivi/internal/github"
	"github.com/codecitoyen/suivi/internal/store"
)

// PollInput names a page of the watch list.
type PollInput struct {
	After string `json:"after"`
	Limit int    `json:"limit"`
	// CycleStart skips repositories already polled in this cycle, so a page
	// redone after a pause makes progress even without a token (GitHub then
	// charges 304s too).
	CycleStart time.Time `json:"cycle_start,omitzero"`
}

// PollResult says what a page of polls did, and where the next page starts
// ("" when the list is done).
type PollResult struct {
	Next        string    `json:"next"`
	Polled      int       `json:"polled"`
	Changed     int       `json:"changed"`
	Unchanged   int       `json:"unchanged"`
	NotFound    int       `json:"not_found"`
	Skipped     int       `json:"skipped"`
	Errors      int       `json:"errors"`
	PausedUntil time.Time `json:"paused_until,omitzero"`
}

// SyncRepos puts every repository of a program in an active phase on the
// watch list and returns how many are watched.
func (a *Activities) SyncRepos(ctx context.Context) (int, error) {
	return a.Store.SyncRepos(ctx)
}

// PollRepos polls one page of the watch list, several repositories at once
// (the client caps requests in flight). When GitHub asks to wait, it stops
// and returns until when, with the same page to do again: repositories it
// polled already will answer 304, which is free.
func (a *Activities) PollRepos(ctx context.Context, in PollInput) (PollResult, error) {
	var res PollResult
	repos, err := a.Store.WatchedRepos(ctx, in.After, in.Limit)
	if err != nil {
		return res, err
	}
	now := a.now()
	// Whether a repository was polled in this cycle is told by comparing
	// its last poll with the cycle's start, which is Temporal's clock: the
	// poll is recorded on that clock too (this attempt's start, as Temporal
	// gave it), or a worker whose clock is behind would poll a repository
	// twice in one cycle and one ahead would skip the next cycle's.
	polledAt := now
	if activity.IsActivity(ctx) {
		if s := activity.GetInfo(ctx).StartedTime; !s.IsZero() {
			polledAt = s
		}
	}
	// One GraphQL query per hundred repositories says which changed; the
	// others cost nothing more. Without a token (GraphQL needs one), or if
	// it fails, each repository is asked over REST, conditionally.
	var fresh map[string]github.Fresh
	if a.GitHub.GraphQL() {
		names := make([]string, 0, len(repos))
		for _, r := range repos {
			// Not those this cycle did already, nor new ones (read whole).
			if (in.CycleStart.IsZero() || r.LastPolledAt.Before(in.CycleStart)) && r.Status != "new" {
				names = append(names, r.CurrentName)
			}
		}
		if len(names) > 0 {
			fresh, err = a.GitHub.Freshness(ctx, names)
		}
		if until, limited := a.GitHub.Limited(err); limited {
			res.PausedUntil, res.Next = until, in.After
			return res, nil
		}
		if err != nil {
			a.logger().Warn("GraphQL freshness failed; polling over REST", "error", err)
			fresh = nil
		}
	}
	var mu sync.Mutex
	work := make(chan store.Repo)
	var wg sync.WaitGroup
	for range min(len(repos), max(1, a.GitHubWorkers)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				if !in.CycleStart.IsZero() && !r.LastPolledAt.Before(in.CycleStart) {
					mu.Lock()
					res.Skipped++
					mu.Unlock()
					continue
				}
				known := github.Known{Name: r.CurrentName, PushedAt: r.PushedAt, LastPolled: r.LastPolledAt, CommitsAt: r.CommitsAt,
					HeadSHA: r.HeadSHA, IssuesAt: r.IssuesAt, ReleasesAt: r.ReleasesAt, Status: r.Status, CheckedAt: r.CheckedAt, OpenIssues: r.OpenIssues,
					Stars: r.Stars, Forks: r.Forks, Archived: r.Archived, DefaultBranch: r.DefaultBranch, License: r.License}
				// A repository never polled over REST has no ETags yet and
				// nothing to compare: its first poll reads it whole.
				if f, ok := fresh[r.CurrentName]; ok && r.Status != "new" {
					known.Fresh = &f
				}
				pctx, pending := github.WithPending(ctx)
				obs, err := a.GitHub.Poll(pctx, known, now)
				mu.Lock()
				if until, limited := a.GitHub.Limited(err); limited {
					if until.After(res.PausedUntil) {
						res.PausedUntil = until
					}
					mu.Unlock()
					continue
				}
				mu.Unlock()
				if err == nil {
					err = a.Store.SaveObservation(ctx, r.Name, obs, polledAt)
				}
				if err == nil {
					// Only now that what the poll saw is saved may its ETags
					// say "seen".
					err = pending.Flush(ctx, a.Store)
				} else if serr := a.Store.RepoError(ctx, r.Name, err.Error()); serr != nil {
					err = serr
				}
				mu.Lock()
				res.Polled++
				switch {
				case err != nil:
					res.Errors++
				case obs.Status == "changed":
					res.Changed++
				case obs.Status == "unchanged":
					res.Unchanged++
				case obs.Status == "not_found":
					res.NotFound++
				case obs.Status == "skipped":
					res.Skipped++
				}
				if activity.IsActivity(ctx) {
					activity.RecordHeartbeat(ctx, res.Polled)
				}
				mu.Unlock()
			}
		}()
	}
	for _, r := range repos {
		mu.Lock()
		paused := !res.PausedUntil.IsZero()
		mu.Unlock()
		if paused || ctx.Err() != nil {
			break
		}
		work <- r
	}
	close(work)
	wg.Wait()
	if !res.PausedUntil.IsZero() {
		res.Next = in.After
		return res, nil
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if len(repos) == in.Limit {
		res.Next = repos[len(repos)-1].Name
	}
	return res, nil
}

// Inactivity thresholds for nudges.
const (
	InactiveHolders = 30
	InactiveMentors = 60
)

// NudgeInactive tells holders, then mentors, when a program's repositories
// have had no commit for 30, then 60 days. Keyed by the date of the last
// commit, so each idle spell is announced once.
func (a *Activities) NudgeInactive(ctx context.Context) (int, error) {
	now := a.now()
	programs, err := a.Store.ListPrograms(ctx, store.ProgramFilter{})
	if err != nil {
		return 0, err
	}
	var msgs []store.Message
	for _, p := range programs {
		if !p.Active() {
			continue
		}
		names := make([]string, len(p.Repositories))
		for i, r := range p.Repositories {
			names[i] = store.RepoKey(r)
		}
		last, err := a.Store.LastCommit(ctx, names)
		if err != nil {
			return 0, err
		}
		if last.IsZero() {
			continue
		}
		idle := int(now.Sub(last).Hours() / 24)
		add := func(kind string, days int, to []string) {
			for _, addr := range to {
				msgs = append(msgs, store.Message{
					Key:     fmt.Sprintf("%s/%s|%s|%s|%s", p.Edition, p.Project, kind, last.Format("2006-01-02"), addr),
					Edition: p.Edition, Project: p.Project, Kind: kind, Due: last.Format("2006-01-02"), Recipient: addr,
					Payload: map[string]string{"days": strconv.Itoa(days)},
				})
			}
		}
		if idle >= InactiveHolders {
			add("repository-inactive", InactiveHolders, p.Holders)
		}
		if idle >= InactiveMentors {
			to := p.Mentors
			if len(to) == 0 {
				// ListPrograms gave the city: no need to read the program again.
				if to, err = a.coordinatorsOf(ctx, p.Edition, p.City); err != nil {
					return 0, err
				}
			}
			add("repository-inactive-mentors", InactiveMentors, to)
		}
	}
	return a.Notify(ctx, msgs)
}
