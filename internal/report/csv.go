package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CSVColumns are the CSV's columns, one row per program. They are an
// interface other tools read: add columns at the end, never rename or
// reorder one (the README lists them). Numbers use a dot, dates are
// YYYY-MM-DD (Paris), "no data" is an empty cell, whatever the language.
var CSVColumns = []string{
	"month", "edition", "project", "name", "city", "theme",
	"phase_start", "phase_end", "paused", "started",
	"milestones", "milestones_on_time", "milestones_late", "milestones_overdue", "milestones_waived", "milestones_done_in_month",
	"repositories", "repositories_open_licence", "licences",
	"commits_in_month", "commits_total", "active_contributors_90d", "team_contributors", "new_contributors_outside_team",
	"inactive_team_contributors_60d", "change_request_closure_ratio_90d", "median_first_response_hours_90d",
	"releases_365d", "contributor_absence_factor_90d", "last_commit",
	"meetups_attended", "attended_month_meetup", "days_quiet",
}

// CSV writes one row per program (RFC 4180, CRLF line ends, UTF-8).
func CSV(r *Report) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.Write(CSVColumns); err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	quiet := map[string]int{}
	for _, q := range r.Summary.Quiet {
		quiet[q.Edition+"/"+q.Project] = q.Days
	}
	from, to := r.From, r.To
	for _, p := range r.Programs {
		var onTime, late, overdue, waived, done int
		for _, m := range p.Milestones {
			switch m.State {
			case "on_time":
				onTime++
			case "late":
				late++
			case "overdue":
				overdue++
			case "waived":
				waived++
			}
			if (m.State == "on_time" || m.State == "late") && !m.ClosedAt.Before(from) && m.ClosedAt.Before(to) {
				done++
			}
		}
		open := 0
		var licences []string
		for _, rp := range p.Repos {
			if rp.Open != nil && *rp.Open {
				open++
			}
			if rp.Licence != "" {
				licences = append(licences, rp.Licence)
			}
		}
		h := p.Health
		days := ""
		if d, ok := quiet[p.Edition+"/"+p.Project]; ok {
			days = strconv.Itoa(d)
		}
		row := []string{
			r.Month, p.Edition, p.Project, p.Name, p.City, p.Theme,
			p.PhaseStart, p.Phase, strconv.FormatBool(p.Paused), isoDate(p.Started),
			strconv.Itoa(len(p.Milestones)), strconv.Itoa(onTime), strconv.Itoa(late), strconv.Itoa(overdue), strconv.Itoa(waived), strconv.Itoa(done),
			strconv.Itoa(len(p.Repos)), strconv.Itoa(open), strings.Join(licences, "; "),
			strconv.Itoa(h.MonthCommits), strconv.Itoa(h.Commits), strconv.Itoa(h.Active), strconv.Itoa(h.Team), strconv.Itoa(h.Newcomers),
			strconv.Itoa(h.Inactive), decimal(h.ClosureRatio), decimal(h.FirstResponseHours),
			strconv.Itoa(h.Releases), strconv.Itoa(h.AbsenceFactor), isoDate(h.LastCommit),
			strings.Join(p.Attended, " "), strconv.FormatBool(contains(p.Attended, r.Month)), days,
		}
		for i, c := range row {
			row[i] = defuse(c)
		}
		if err := w.Write(row); err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	return buf.Bytes(), nil
}

// defuse keeps a spreadsheet from running a cell as a formula (OWASP "CSV
// injection"): a project named "=HYPERLINK(…)" is shown as text.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "'" + s
		}
	}
	return s
}

func isoDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Paris).Format("2006-01-02")
}

func decimal(f float64) string {
	if f < 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
