package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/github"
	"github.com/codecitoyen/suivi/internal/store"
)

// sparkWeeks is how many weeks of commits a sparkline draws.
const sparkWeeks = 12

// spark is a weekly-commits sparkline: numbers only, drawn as inline SVG
// by the template (nothing a person typed goes into it).
type spark struct {
	Counts []int
	Total  int
	// Points is the polyline, "x,y x,y …", in a W×H box.
	Points string
	W, H   int
	// Text says the same for screen readers: "0, 3, 5, …".
	Text string
}

// newSpark buckets commits into the sparkWeeks weeks ending at now, oldest
// first.
func newSpark(commits []github.Commit, now time.Time) *spark {
	s := &spark{Counts: make([]int, sparkWeeks), W: 96, H: 24}
	start := now.Add(-sparkWeeks * 7 * 24 * time.Hour)
	for _, c := range commits {
		if c.Date.Before(start) || c.Date.After(now) {
			continue
		}
		i := min(int(c.Date.Sub(start)/(7*24*time.Hour)), sparkWeeks-1)
		s.Counts[i]++
		s.Total++
	}
	return s.draw()
}

// sparkOf draws the last sparkWeeks of counts already bucketed by week
// (oldest first), as the dashboard does, so that its words hold.
func sparkOf(counts []int) *spark {
	if len(counts) < sparkWeeks {
		counts = append(make([]int, sparkWeeks-len(counts)), counts...)
	}
	counts = counts[len(counts)-sparkWeeks:]
	s := &spark{Counts: counts, W: 96, H: 24}
	for _, n := range counts {
		s.Total += n
	}
	return s.draw()
}

func (s *spark) draw() *spark {
	top := 1
	for _, n := range s.Counts {
		top = max(top, n)
	}
	pts := make([]string, len(s.Counts))
	words := make([]string, len(s.Counts))
	for i, n := range s.Counts {
		x := float64(i) * float64(s.W) / float64(len(s.Counts)-1)
		y := float64(s.H-2) - float64(n)*float64(s.H-4)/float64(top)
		pts[i] = fmt.Sprintf("%.1f,%.1f", x, y)
		words[i] = strconv.Itoa(n)
	}
	s.Points, s.Text = strings.Join(pts, " "), strings.Join(words, ", ")
	return s
}

// repoNames are the watch-list names of a program's repositories.
func repoNames(p store.Program) []string {
	names := make([]string, len(p.Repositories))
	for i, u := range p.Repositories {
		names[i] = store.RepoKey(u)
	}
	return names
}

// sparkNames are the repositories whose commits the sparklines of rows
// draw: those of programs under way.
func sparkNames(rows []store.Program) []string {
	var names []string
	for _, p := range rows {
		if p.Active() {
			names = append(names, repoNames(p)...)
		}
	}
	return names
}

// drawSparks draws the sparklines of rows into views from their
// repositories' commit dates.
func drawSparks(rows []store.Program, views []programView, dates map[string][]time.Time, now time.Time) {
	for i, p := range rows {
		if !p.Active() || len(p.Repositories) == 0 {
			continue
		}
		var commits []github.Commit
		for _, n := range repoNames(p) {
			for _, at := range dates[n] {
				commits = append(commits, github.Commit{Date: at})
			}
		}
		views[i].Spark = newSpark(commits, now)
	}
}

// programActivity is a program's repositories and metrics over days, as
// GET …/activity computes them.
type programActivity struct {
	Repos   []store.Repo
	Metrics github.Metrics
	Spark   *spark
}

func (h *handler) programActivity(ctx context.Context, p store.Program, days int, now time.Time) (programActivity, error) {
	repos, err := h.Store.ProgramRepos(ctx, p.Edition, p.Project)
	if err != nil {
		return programActivity{}, err
	}
	names := make([]string, len(repos))
	archived := len(repos) > 0
	var oldest time.Time
	for i, rp := range repos {
		names[i] = rp.Name
		archived = archived && rp.Archived
		if !rp.CreatedAt.IsZero() && (oldest.IsZero() || rp.CreatedAt.Before(oldest)) {
			oldest = rp.CreatedAt
		}
	}
	since := now.AddDate(0, 0, -max(days, int(github.Window.Hours()/24), sparkWeeks*7))
	hist, err := h.Store.RepoHistory(ctx, names, since)
	if err != nil {
		return programActivity{}, err
	}
	return programActivity{Repos: repos, Metrics: github.Compute(now, days, hist, archived, oldest), Spark: newSpark(hist.Commits, now)}, nil
}
