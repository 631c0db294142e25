package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/validate"
)

func runRepo(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "activity" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, "Usage: suivi repo activity EDITION/PROJECT [--days 90] [--json]\n\nThe program's repositories as last polled, and their metrics over the period.")
			return nil
		}
		return &usageError{"repo", "say `suivi repo activity EDITION/PROJECT`"}
	}
	var cfg config.Config
	var days int
	var asJSON bool
	fs := newFlags("repo activity", e, &cfg, clientSettings...)
	fs.IntVar(&days, "days", 90, "length of the period, in days (7 to 730)")
	fs.BoolVar(&asJSON, "json", false, "print as JSON")
	pos, err := parse("repo activity", e, fs, "suivi repo activity EDITION/PROJECT [--days 90] [--json]", args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"repo activity", "name one program as EDITION/PROJECT"}
	}
	edition, project, err := validate.ProgramKey(pos[0])
	if err != nil {
		return &usageError{"repo activity", err.Error()}
	}
	if days < 7 || days > 730 {
		return &usageError{"repo activity", "--days must be from 7 to 730"}
	}
	if err := validConfig("repo activity", &cfg); err != nil {
		return err
	}
	a, err := apiClient(&cfg).RepoActivity(ctx, edition, project, days)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, a)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, r := range a.Repos {
		state := "polled " + ago(r.LastPolledAt)
		switch {
		case r.Status == "not_found":
			state = "NOT FOUND (deleted or private); checked again daily"
		case r.Status == "new":
			state = "not polled yet"
		case r.Archived:
			state += ", ARCHIVED"
		}
		if r.RenamedFrom != "" {
			state += ", renamed from " + r.RenamedFrom
		}
		if r.LastError != "" {
			state += ", last error: " + r.LastError
		}
		fprintf(tw, "Repository\t%s — %s\n", r.CurrentName, state)
		if r.Status == "ok" {
			fprintf(tw, "\t★ %d, forks %d, open issues %d, licence %s, pushed %s\n", r.Stars, r.Forks, r.OpenIssues, orNone(r.License), ago(r.PushedAt))
		}
		if r.LicenceReason != "" {
			fprintf(tw, "\tLicence check: %s\n", r.LicenceReason)
		}
	}
	m := a.Metrics
	fprintf(tw, "Period\tlast %d days\n", m.Days)
	fprintf(tw, "Commits\t%d (%.2f per week), last %s\n", m.Commits, m.CommitsPerWeek, ago(m.LastCommit))
	fprintf(tw, "Contributors\t%d active, %d new\n", m.ActiveContributors, m.NewContributors)
	fprintf(tw, "Bus factor\t%d\n", m.BusFactor)
	fprintf(tw, "PR closure ratio\t%s\n", ratio(m.ChangeRequestClosureRatio))
	fprintf(tw, "First response\t%s\n", hours(m.MedianFirstResponseHours))
	fprintf(tw, "Releases\t%.2f per 30 days\n", m.ReleasesPer30Days)
	maint := fmt.Sprintf("%d/10", m.Maintained)
	if m.Maintained < 0 {
		maint = "inconclusive (repository younger than 90 days)"
	}
	fprintf(tw, "Maintained\t%s (Scorecard-compatible, 90 days)\n", maint)
	return tw.Flush()
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Format("2006-01-02 15:04 MST")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func ratio(f float64) string {
	if f < 0 {
		return "no pull request opened"
	}
	return fmt.Sprintf("%.2f", f)
}

func hours(h float64) string {
	if h < 0 {
		return "no answered issue or pull request"
	}
	return fmt.Sprintf("median %.1f h", h)
}
