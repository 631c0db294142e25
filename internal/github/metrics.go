package github

import (
	"math"
	"slices"
	"time"
)

// Metrics describe a program's repositories over a period.
type Metrics struct {
	From, To time.Time `json:"-"`
	Days     int       `json:"days"`
	Commits  int       `json:"commits"`
	// CommitsPerWeek is commits divided by the weeks of the period.
	CommitsPerWeek     float64 `json:"commits_per_week"`
	ActiveContributors int     `json:"active_contributors"`
	// NewContributors made their first recorded commit in the period.
	NewContributors int `json:"new_contributors"`
	// ChangeRequestClosureRatio is pull requests closed / opened in the
	// period (CHAOSS); -1 when none was opened.
	ChangeRequestClosureRatio float64 `json:"change_request_closure_ratio"`
	// MedianFirstResponseHours is the median delay before someone other
	// than the author answered an issue or pull request opened in the
	// period; -1 when there is none.
	MedianFirstResponseHours float64 `json:"median_first_response_hours"`
	// BusFactor is the fewest authors who made half the commits (CHAOSS
	// "contributor absence factor"); 0 without commits.
	BusFactor int `json:"bus_factor"`
	// ReleasesPer30Days is the release frequency.
	ReleasesPer30Days float64 `json:"releases_per_30_days"`
	// Maintained is a Scorecard-compatible score from 0 to 10 over the last
	// 90 days: activity (commits, issues and PRs opened or closed) over 13,
	// times 10, capped; 0 when archived; -1 (inconclusive) when every
	// repository is younger than 90 days, as Scorecard does.
	Maintained int `json:"maintained"`
	// LastCommit is the most recent commit of any repository.
	LastCommit time.Time `json:"last_commit,omitzero"`
}

// Compute derives the metrics of the period [now-days, now] from the
// recorded history. archived and youngest describe the repositories.
func Compute(now time.Time, days int, h Histories, allArchived bool, oldestCreated time.Time) Metrics {
	from := now.AddDate(0, 0, -days)
	m := Metrics{From: from, To: now, Days: days, ChangeRequestClosureRatio: -1, MedianFirstResponseHours: -1}
	perAuthor := map[string]int{}
	for _, c := range h.Commits {
		if c.Date.After(m.LastCommit) {
			m.LastCommit = c.Date
		}
		if c.Date.Before(from) || c.Date.After(now) {
			continue
		}
		m.Commits++
		perAuthor[c.Author]++
	}
	m.CommitsPerWeek = Round2(float64(m.Commits) / (float64(days) / 7))
	m.ActiveContributors = len(perAuthor)
	for a := range perAuthor {
		if first, ok := h.FirstCommit[a]; ok && !first.Before(from) {
			m.NewContributors++
		}
	}
	m.BusFactor = AbsenceFactor(perAuthor)
	m.ChangeRequestClosureRatio, m.MedianFirstResponseHours = ChangeRequests(h.Issues,
		func(t time.Time) bool { return !t.IsZero() && !t.Before(from) && !t.After(now) })
	releases := 0
	for _, r := range h.Releases {
		if !r.Published.Before(from) && !r.Published.After(now) {
			releases++
		}
	}
	m.ReleasesPer30Days = Round2(float64(releases) / (float64(days) / 30))
	m.Maintained = maintained(now, h, allArchived, oldestCreated)
	return m
}

// AbsenceFactor is CHAOSS's Contributor Absence Factor (formerly "bus
// factor"): the fewest authors who made half the commits; 0 without any.
func AbsenceFactor(commitsBy map[string]int) int {
	counts := make([]int, 0, len(commitsBy))
	total := 0
	for _, n := range commitsBy {
		counts = append(counts, n)
		total += n
	}
	slices.Sort(counts)
	slices.Reverse(counts)
	f := 0
	for sum := 0; f < len(counts) && 2*sum < total; f++ {
		sum += counts[f]
	}
	return f
}

// ChangeRequests gives CHAOSS's Change Request Closure Ratio (pull requests
// closed over those opened, instants for which in is true) and the median
// Time to First Response in hours (issues and pull requests opened then);
// each is -1 when there is nothing to measure.
func ChangeRequests(issues []Issue, in func(time.Time) bool) (closureRatio, firstResponseHours float64) {
	closureRatio, firstResponseHours = -1, -1
	var opened, closed int
	var responses []float64
	for _, i := range issues {
		if i.PR && in(i.Created) {
			opened++
		}
		if i.PR && in(i.Closed) {
			closed++
		}
		if in(i.Created) && !i.FirstResponse.IsZero() {
			responses = append(responses, i.FirstResponse.Sub(i.Created).Hours())
		}
	}
	if opened > 0 {
		closureRatio = Round2(float64(closed) / float64(opened))
	}
	if len(responses) > 0 {
		slices.Sort(responses)
		mid := len(responses) / 2
		med := responses[mid]
		if len(responses)%2 == 0 {
			med = (responses[mid-1] + responses[mid]) / 2
		}
		firstResponseHours = Round2(med)
	}
	return closureRatio, firstResponseHours
}

// Histories is the recorded activity of a program's repositories.
type Histories struct {
	Commits     []Commit
	Issues      []Issue
	Releases    []Release
	FirstCommit map[string]time.Time
}

// maintained follows OpenSSF Scorecard's "Maintained" check: activity
// (commits, and issues opened or closed) over the last 90 days, where one
// per week on average (13) earns the full 10.
func maintained(now time.Time, h Histories, archived bool, oldestCreated time.Time) int {
	if archived {
		return 0
	}
	if !oldestCreated.IsZero() && now.Sub(oldestCreated) < Window {
		return -1
	}
	activity := 0
	in := func(t time.Time) bool { d := now.Sub(t); return !t.IsZero() && d >= 0 && d < Window }
	for _, c := range h.Commits {
		if in(c.Date) {
			activity++
		}
	}
	for _, i := range h.Issues {
		if in(i.Created) {
			activity++
		}
		if in(i.Closed) {
			activity++
		}
	}
	return min(10, int(math.Round(10*float64(activity)/13)))
}

// Round2 rounds to two decimals, as every figure is shown.
func Round2(f float64) float64 { return math.Round(f*100) / 100 }
