package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/codecitoyen/suivi/internal/licence"
	"github.com/codecitoyen/suivi/internal/store"
)

// LicenceEvidence is what a program's workflow hears when one of its
// repositories carries an open licence.
type LicenceEvidence struct {
	Repo   string `json:"repo"` // https://github.com/OWNER/REPO
	SPDX   string `json:"spdx"`
	Reason string `json:"reason"`
}

// CheckResult says how many repositories were checked, and until when
// GitHub asked to wait.
type CheckResult struct {
	Checked     int       `json:"checked"`
	Open        int       `json:"open"`
	Errors      int       `json:"errors"`
	PausedUntil time.Time `json:"paused_until,omitzero"`
	More        bool      `json:"more"`
}

// CheckLicences checks the licence of up to limit repositories that
// changed since their last check, or were not checked for a week.
func (a *Activities) CheckLicences(ctx context.Context, limit int) (CheckResult, error) {
	var res CheckResult
	now := a.now()
	repos, err := a.Store.ReposToCheck(ctx, limit, now)
	if err != nil {
		return res, err
	}
	for _, r := range repos {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		var rep licence.Report
		files, err := a.GitHub.Files(ctx, r.CurrentName)
		if err == nil {
			rep, err = a.Licences.Check(ctx, files)
		}
		if until, limited := a.GitHub.Limited(err); limited {
			res.PausedUntil = until
			return res, nil
		}
		if err != nil {
			res.Errors++
			if serr := a.Store.LicenceError(ctx, r.Name, err.Error(), now); serr != nil {
				return res, serr
			}
			continue
		}
		filesJSON, _ := json.Marshal(rep.Files)
		if err := a.Store.SaveLicence(ctx, r.Name, store.Licence{SPDX: rep.SPDX, Open: rep.Open, Category: string(rep.Category),
			Confidence: rep.Confidence, Reason: rep.Reason, Files: filesJSON, CheckedAt: now}); err != nil {
			return res, err
		}
		res.Checked++
		if rep.Open {
			res.Open++
		}
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, res.Checked)
		}
	}
	// More only when this batch was full and moved something: a page of
	// failures is recorded, not retried at once.
	res.More = len(repos) == limit && res.Checked+res.Errors > 0
	return res, nil
}

// SignalLicence is the signal a program's workflow receives with
// LicenceEvidence.
const SignalLicence = "licence"

// LicenceMilestone is the step an open licence completes by itself. It lives
// here, not in workflows, because workflows imports activities.
const LicenceMilestone = "open-licence"

// LicenceFollowUp tells each program in an active phase what its
// repositories' licences are: an open one completes its open-licence step
// (a signal to its workflow, which ignores it when the step is closed); none
// sends the holders the how-to, once a month while it lasts.
func (a *Activities) LicenceFollowUp(ctx context.Context) (int, error) {
	now := a.now()
	programs, err := a.Store.ListPrograms(ctx, store.ProgramFilter{})
	if err != nil {
		return 0, err
	}
	var msgs []store.Message
	signalled := 0
	for _, p := range programs {
		if !p.Active() {
			continue
		}
		if p.Paused {
			continue // no how-to while paused, as no reminder
		}
		lics, err := a.Store.ProgramLicences(ctx, p.Edition, p.Project)
		if err != nil {
			return signalled, err
		}
		// Every repository must be checked, and every one open: one open
		// repository beside an unlicensed one is not compliance.
		var open *LicenceEvidence
		reason, checked, allOpen := "", 0, true
		for _, r := range p.Repositories {
			l, ok := lics[store.RepoKey(r)]
			if !ok || l.SPDX == "" {
				continue
			}
			checked++
			if l.Open && open == nil {
				open = &LicenceEvidence{Repo: r, SPDX: l.SPDX, Reason: l.Reason}
			}
			if !l.Open {
				allOpen = false
				if reason == "" {
					reason = l.Reason
				}
			}
		}
		if checked == 0 || checked < len(p.Repositories) {
			continue // not checked yet
		}
		full, err := a.Store.GetProgram(ctx, p.Edition, p.Project)
		if err != nil {
			return signalled, err
		}
		hasStep, stepOpen := false, false
		for _, m := range full.Milestones {
			if m.ID == LicenceMilestone {
				hasStep, stepOpen = true, m.Status == "open" || m.Status == "submitted"
			}
		}
		if allOpen && open != nil {
			if stepOpen && a.Signal != nil {
				if err := a.Signal(ctx, p.WorkflowID, SignalLicence, *open); err != nil {
					a.logger().Warn("cannot tell a program its licence", "program", p.Edition+"/"+p.Project, "error", err)
					continue
				}
				signalled++
			}
			continue
		}
		if hasStep && !stepOpen {
			continue // a coordinator completed or waived it: stop asking
		}
		// At most once per calendar month (UTC) while it lasts.
		month := now.UTC().Format("2006-01")
		for _, h := range p.Holders {
			msgs = append(msgs, store.Message{
				Key:     fmt.Sprintf("%s/%s|licence-missing|%s|%s", p.Edition, p.Project, month, h),
				Edition: p.Edition, Project: p.Project, Kind: "licence-missing", Recipient: h,
				Payload: map[string]string{"reason": reason},
			})
		}
	}
	if _, err := a.Notify(ctx, msgs); err != nil {
		return signalled, err
	}
	return signalled, nil
}
