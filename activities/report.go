package activities

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/report"
	"github.com/codecitoyen/suivi/internal/store"
)

// ReportHeartbeat is how often a report being built says it is alive; the
// workflow's heartbeat timeout is four times longer.
const ReportHeartbeat = 5 * time.Second

// FunderReportInput asks for a funder's monthly report. Scheduled is when
// the Schedule meant to run (not when it ran: a run caught up late still
// reports on the month it was meant for); Month, when set, overrides it.
type FunderReportInput struct {
	Funder    string    `json:"funder"`
	Scheduled time.Time `json:"scheduled,omitzero"`
	Month     string    `json:"month,omitempty"`
}

// FunderReportResult is a built (or found) report: only its reference
// travels through the workflow, never its body.
type FunderReportResult struct {
	Skipped  string `json:"skipped,omitempty"` // why nothing was built
	Month    string `json:"month,omitempty"`
	ReportID int64  `json:"report_id,omitempty"`
	Programs int    `json:"programs,omitempty"`
}

// BuildFunderReport builds and stores a funder's report for the month
// before Scheduled, on the first working day of a month only (the Schedule
// fires on each of the first weekdays, since a calendar cannot say "first
// working day"). A report already stored is returned as it is: a retry, or
// a worker restarted in the middle, builds nothing twice.
func (a *Activities) BuildFunderReport(ctx context.Context, in FunderReportInput) (FunderReportResult, error) {
	month := in.Month
	if month == "" {
		at := in.Scheduled.In(report.Paris)
		first := report.FirstWorkingDay(at.Year(), at.Month())
		if at.Day() != first.Day() {
			return FunderReportResult{Skipped: fmt.Sprintf("%s is not the first working day of its month (%s is)", at.Format("2006-01-02"), first.Format("2006-01-02"))}, nil
		}
		month = report.PreviousMonth(at)
	}
	// Heartbeats while building, so that a worker dying in the middle
	// is noticed in seconds, not at the activity's timeout.
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(ReportHeartbeat)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx, month)
			}
		}
	}()
	f, err := report.ForFunder(ctx, a.Store, in.Funder, month, a.now(), true)
	if errors.Is(err, store.ErrNotFound) {
		// The funder was removed since the Schedule was made.
		return FunderReportResult{Skipped: "funder " + in.Funder + " is gone"}, nil
	}
	if err != nil {
		return FunderReportResult{}, fmt.Errorf("funder report %s %s: %w", in.Funder, month, err)
	}
	return FunderReportResult{Month: month, ReportID: f.ID, Programs: len(f.Report.Programs)}, nil
}

// SendFunderReportInput sends a stored report to the funder's contacts.
type SendFunderReportInput struct {
	Funder   string `json:"funder"`
	Month    string `json:"month"`
	ReportID int64  `json:"report_id"`
}

// SendFunderReport queues the report for each contact, keyed by funder,
// month and address: queued once whatever runs it again.
func (a *Activities) SendFunderReport(ctx context.Context, in SendFunderReportInput) (int, error) {
	f, err := a.Store.GetFunder(ctx, in.Funder)
	if err != nil {
		return 0, fmt.Errorf("send funder report %s %s: %w", in.Funder, in.Month, err)
	}
	var msgs []store.Message
	for _, c := range f.Contacts {
		msgs = append(msgs, store.Message{
			Key: "funder-report/" + in.Funder + "/" + in.Month + "/" + c, Kind: "funder-report", Recipient: c,
			Payload: map[string]string{"report_id": strconv.FormatInt(in.ReportID, 10), "funder": in.Funder, "month": in.Month},
		})
	}
	return a.Notify(ctx, msgs)
}

// composeReport builds a funder report's email from the stored report: in
// the report's language (the funder's), with its charts inline and the PDF
// and CSV attached.
func (a *Activities) composeReport(ctx context.Context, c store.Claimed) (mail.Email, error) {
	id, err := strconv.ParseInt(c.Payload["report_id"], 10, 64)
	if err != nil {
		return mail.Email{}, &mail.TemplateError{Err: fmt.Errorf("funder report message %s: no report id", c.Key)}
	}
	stored, err := a.Store.GetReport(ctx, id)
	if err != nil {
		return mail.Email{}, err
	}
	files, err := report.Decode(stored)
	if err != nil {
		return mail.Email{}, &mail.TemplateError{Err: err}
	}
	base := strings.TrimRight(a.Mail.PublicURL, "/")
	link := base + "/funders/" + url.PathEscape(stored.Subject) + "/reports/" + stored.Month
	e, err := report.MakeEmail(files, link)
	if err != nil {
		return mail.Email{}, &mail.TemplateError{Err: err}
	}
	out := mail.Email{Key: c.Key, From: a.Mail.From, To: c.Recipient, Subject: e.Subject, Text: e.Text, HTML: e.HTML,
		Headers: map[string]string{"X-Suivi-Kind": c.Kind}}
	for _, in := range e.Inline {
		out.Inline = append(out.Inline, mail.Attachment{Name: in.ContentID, ContentType: "image/png", Data: in.PNG})
	}
	for _, at := range e.Attachments {
		out.Attachments = append(out.Attachments, mail.Attachment{Name: at.Name, ContentType: at.ContentType, Data: at.Data})
	}
	return out, nil
}
