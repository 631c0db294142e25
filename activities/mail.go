package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/store"
)

// Mailer is what delivering the outbox needs.
type Mailer struct {
	Sender    mail.Sender
	Templates *mail.Templates
	// From is the sender address, e.g. "Suivi <suivi@example.org>".
	From string
	// PublicURL is where people reach the web server; links start there.
	PublicURL string
	Tokens    mail.Tokens
	// AbandonAfter is how long a message handed to the relay may stay
	// "sending" before it is declared uncertain; default 10 minutes.
	AbandonAfter time.Duration
	// ReleaseAfter is how long a claimed message never handed to the relay
	// may stay "sending" before it goes back to pending (its batch's
	// sender died); default 1 minute. Releasing one a live, slow batch
	// still holds is safe: Begin tells that batch to skip it.
	ReleaseAfter time.Duration
	// RetryDelay overrides the backoff between attempts of a message
	// refused for now (tests).
	RetryDelay func(attempts int) time.Duration
	Logger     *slog.Logger
}

// DeliverResult counts what a batch did.
type DeliverResult struct {
	Claimed   int `json:"claimed"`
	Sent      int `json:"sent"`
	Failed    int `json:"failed"`
	Uncertain int `json:"uncertain"`
	Held      int `json:"held"`
	Skipped   int `json:"skipped"`
	Retry     int `json:"retry"`
	// Released counts messages put back because their batch's sender died
	// before handing them over; Withdrawn, those this batch skipped for
	// that reason.
	Released  int `json:"released,omitempty"`
	Withdrawn int `json:"withdrawn,omitempty"`
}

// heartbeatEvery is how often a running batch tells Temporal it is alive
// (the outbox workflow's heartbeat timeout is 30 s).
const heartbeatEvery = 5 * time.Second

// MaxAttempts is how many times a message refused for now is tried before
// it is marked failed (with backoff, about a day in all).
const MaxAttempts = 10

// retryDelay is the wait before the next attempt: 1 minute, doubling, at
// most an hour.
func retryDelay(attempts int) time.Duration {
	d := time.Minute << min(max(attempts-1, 0), 6)
	return min(d, time.Hour)
}

// DeliverBatch sends up to limit due outbox messages over one connection.
// Each message is claimed before it is sent and settled with the server's
// reply as soon as it comes, before the next one goes out; a claimed message
// is never claimed again, so a retry never sends it twice. A message refused
// for now is put back with its own backoff (and failed after MaxAttempts); a
// refused recipient marks it failed and tells the coordinators; a server
// that cannot be reached, or refuses the whole batch, puts the rest back and
// fails the activity, so Temporal retries it with backoff.
func (a *Activities) DeliverBatch(ctx context.Context, limit int) (DeliverResult, error) {
	m := a.Mail
	var res DeliverResult
	// Recording outcomes must not be cut short by the activity's end: a
	// message the server accepted is marked sent.
	record := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	}
	var err error
	abandonAfter := m.AbandonAfter
	if abandonAfter == 0 {
		abandonAfter = 10 * time.Minute
	}
	// A worker killed mid-batch (kill -9, a lost machine) says nothing, and
	// Temporal gives its activity to another worker only once heartbeats
	// stop: beat while the batch runs.
	if activity.IsActivity(ctx) {
		beat, stop := context.WithCancel(ctx)
		defer stop()
		go func() {
			t := time.NewTicker(heartbeatEvery)
			defer t.Stop()
			for {
				select {
				case <-beat.Done():
					return
				case <-t.C:
					activity.RecordHeartbeat(ctx, "sending")
				}
			}
		}()
	}
	releaseAfter := m.ReleaseAfter
	if releaseAfter == 0 {
		releaseAfter = time.Minute
	}
	if res.Released, err = a.Store.Unstarted(ctx, releaseAfter); err != nil {
		return res, err
	}
	lost, err := a.Store.Abandoned(ctx, abandonAfter)
	if err != nil {
		return res, err
	}
	for _, msg := range lost {
		res.Uncertain++
		a.tellCoordinators(ctx, msg, "the sender stopped while sending; it may or may not have arrived")
	}
	claimed, err := a.Store.Claim(ctx, limit)
	if err != nil {
		return res, err
	}
	res.Claimed = len(claimed)
	var emails []mail.Email
	var sending []store.Claimed
	var release []store.Claimed
	for _, c := range claimed {
		if mail.IsReminder(c.Kind) && c.Person.Reminders != "all" {
			status := "skipped"
			if c.Person.Reminders == "digest" {
				status = "held"
				res.Held++
			} else {
				res.Skipped++
			}
			if err := a.Store.Settle(ctx, c.Key, status, "", ""); err != nil {
				return res, err
			}
			continue
		}
		e, err := a.compose(ctx, c)
		var tplErr *mail.TemplateError
		switch {
		case errors.As(err, &tplErr):
			// A message that cannot be written will not be written by
			// retrying: record it and tell the coordinators.
			res.Failed++
			if err := a.Store.Settle(ctx, c.Key, "failed", "", err.Error()); err != nil {
				return res, err
			}
			a.tellCoordinators(ctx, c.Message, err.Error())
			continue
		case err != nil:
			// Postgres hiccup or the activity ending: try again later.
			release = append(release, c)
			continue
		}
		// Marked handed over just before its exchange: a sender killed
		// mid-batch strands this one message, not the batch.
		e.Begin = func() (bool, error) { return a.Store.Begin(ctx, c.Key, c.ClaimedAt) }
		emails, sending = append(emails, e), append(sending, c)
	}
	defer func() {
		rctx, cancel := record()
		defer cancel()
		_ = a.Store.Release(rctx, release)
	}()
	if len(emails) == 0 {
		return res, nil
	}
	reported := make([]bool, len(sending))
	err = m.Sender.Send(ctx, emails, func(i int, r mail.Result) error {
		reported[i] = true
		c := sending[i]
		rctx, cancel := record()
		defer cancel()
		errMsg := ""
		if r.Err != nil {
			errMsg = r.Err.Error()
		}
		var serr error
		switch r.Outcome {
		case mail.Sent:
			res.Sent++
			serr = a.Store.Settle(rctx, c.Key, "sent", r.Reply, "")
		case mail.Temporary:
			if c.Attempts >= MaxAttempts {
				res.Failed++
				serr = a.Store.Settle(rctx, c.Key, "failed", r.Reply, fmt.Sprintf("gave up after %d attempts: %s", c.Attempts, errMsg))
				a.tellCoordinators(rctx, c.Message, "refused for now, again and again: "+r.Reply+" "+errMsg)
			} else {
				res.Retry++
				delay := retryDelay(c.Attempts)
				if m.RetryDelay != nil {
					delay = m.RetryDelay(c.Attempts)
				}
				serr = a.Store.Retry(rctx, c.Key, r.Reply, errMsg, delay)
			}
		case mail.Withdrawn:
			res.Withdrawn++
		case mail.Permanent, mail.Uncertain:
			status := "failed"
			if r.Outcome == mail.Uncertain {
				status = "uncertain"
				res.Uncertain++
			} else {
				res.Failed++
			}
			serr = a.Store.Settle(rctx, c.Key, status, r.Reply, errMsg)
			reason := r.Reply
			if reason == "" {
				reason = errMsg
			}
			a.tellCoordinators(rctx, c.Message, reason)
		}
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, i)
		}
		return serr
	})
	// The first message not reported may have reached the server when the
	// sender stopped for an unexpected reason (as in a crash): leave it
	// claimed, to be declared uncertain, rather than risk sending it twice.
	// Stops that happen before a message goes out free it too.
	var temp *mail.TempError
	var blocked *mail.BlockedError
	safe := err == nil || errors.As(err, &temp) || errors.As(err, &blocked) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	firstUnreported := true
	for i, ok := range reported {
		if ok {
			continue
		}
		if firstUnreported && !safe {
			firstUnreported = false
			continue
		}
		firstUnreported = false
		release = append(release, sending[i])
	}
	if err != nil {
		return res, fmt.Errorf("deliver: %w", err)
	}
	return res, nil
}

// tellCoordinators queues a delivery-failed notice for the coordinators of
// the message's program. It is best effort: the failure itself is already
// recorded and shown on the program. A notice about a notice is not sent,
// to avoid loops, nor one for a message of no program (a digest).
func (a *Activities) tellCoordinators(ctx context.Context, msg store.Message, reason string) {
	if msg.Kind == "delivery-failed" || msg.Project == "" {
		return
	}
	coords, err := a.coordinators(ctx, msg.Edition, msg.Project)
	if err != nil {
		a.logger().Warn("cannot tell coordinators of an undelivered message", "program", msg.Edition+"/"+msg.Project, "error", err)
		return
	}
	var out []store.Message
	for _, c := range coords {
		out = append(out, store.Message{
			Key:     fmt.Sprintf("%s/%s|delivery-failed|%s|%s", msg.Edition, msg.Project, msg.Key, c),
			Edition: msg.Edition, Project: msg.Project, Kind: "delivery-failed", Milestone: msg.Milestone, Recipient: c,
			Payload: map[string]string{"failed": msg.Recipient, "failed_kind": msg.Kind, "reason": reason},
		})
	}
	if _, err := a.Store.Enqueue(ctx, out); err != nil {
		a.logger().Warn("cannot tell coordinators of an undelivered message", "program", msg.Edition+"/"+msg.Project, "error", err)
	}
}

func (a *Activities) logger() *slog.Logger {
	if a.Mail != nil && a.Mail.Logger != nil {
		return a.Mail.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// An overdue step escalates to its mentors, then to the city's
// coordinators, this many days after its due date. The workflow schedules
// the escalations and the emails say the number: one value for both.
const (
	EscalateMentorsAfter      = 14
	EscalateCoordinatorsAfter = 28
)

// coordinators are the program's city coordinators in its edition.
func (a *Activities) coordinators(ctx context.Context, editionID, project string) ([]string, error) {
	p, err := a.Store.GetProgram(ctx, editionID, project)
	if err != nil {
		return nil, err
	}
	return a.coordinatorsOf(ctx, editionID, p.City)
}

// coordinatorsOf returns the coordinators of a city of an edition.
func (a *Activities) coordinatorsOf(ctx context.Context, editionID, city string) ([]string, error) {
	ed, err := a.edition(ctx, editionID)
	if err != nil {
		return nil, err
	}
	if c, ok := ed.City(city); ok {
		return c.Coordinators, nil
	}
	return nil, nil
}

func (a *Activities) edition(ctx context.Context, id string) (*edition.Edition, error) {
	rec, err := a.Store.GetEdition(ctx, id)
	if err != nil {
		return nil, err
	}
	return rec.Decode()
}

// compose renders one outbox message for its recipient.
func (a *Activities) compose(ctx context.Context, c store.Claimed) (mail.Email, error) {
	if c.Kind == "funder-report" {
		return a.composeReport(ctx, c)
	}
	m := a.Mail
	lang := c.Person.Locale
	d := mail.Data{Lang: lang, Edition: c.Edition, Phase: c.Payload["phase"], Failed: c.Payload["failed"],
		FailedKind: c.Payload["failed_kind"], Reason: c.Payload["reason"]}
	base := strings.TrimRight(m.PublicURL, "/")
	if c.Project != "" {
		d.Link = base + "/programs/" + url.PathEscape(c.Edition) + "/" + url.PathEscape(c.Project)
		p, err := a.Store.GetProgram(ctx, c.Edition, c.Project)
		if err != nil {
			return mail.Email{}, err
		}
		d.Program, d.City = p.Name, p.City
		for _, ms := range p.Milestones {
			if ms.ID == c.Milestone {
				d.Milestone, d.Evidence = ms.TitleFR, mail.EvidenceText(ms.Evidence, lang)
				if lang == "en" {
					d.Milestone = ms.TitleEN
				}
			}
		}
	}
	if c.Due != "" {
		d.Due = mail.FormatDate(c.Due, lang)
	}
	if c.Kind == "login-link" {
		// The link holds the sign-in secret; it lives in the payload only
		// until the message is settled.
		d.Link = base + c.Payload["path"]
	}
	if n, ok := strings.CutPrefix(c.Kind, "overdue-week-"); ok {
		w, _ := strconv.Atoi(n)
		d.Days = 7 * w
	}
	if days, err := strconv.Atoi(c.Payload["days"]); err == nil {
		d.Days = days
	}
	switch c.Kind {
	case "escalate-mentors":
		d.Days = EscalateMentorsAfter
	case "escalate-coordinators":
		d.Days = EscalateCoordinatorsAfter
	}
	if items := c.Payload["items"]; items != "" {
		d.Items = strings.Split(items, "\n")
	}
	var attachments []mail.Attachment
	var invitation []byte
	if c.Kind == "meetup-invitation" {
		loc, err := time.LoadLocation(c.Payload["time_zone"])
		if err != nil {
			loc = time.UTC
		}
		at, _ := time.Parse(time.RFC3339, c.Payload["at"])
		d.City = c.Payload["city"]
		d.MeetupAt = mail.FormatDateTime(at, loc, lang)
		summary := "Petite Nuit du Code Citoyen — " + d.City
		if lang == "en" {
			summary = "Citizen Code Night meetup — " + d.City
		}
		ev := mail.Event{
			// The sender's domain keeps two installations' UIDs apart.
			UID:     fmt.Sprintf("meetup-%s-%s-%s@%s", c.Edition, edition.CitySlug(d.City), c.Milestone, mail.Domain(m.From)),
			Summary: summary, Location: d.City,
			Start: at, End: at.Add(2 * time.Hour), Zone: loc, Invite: true,
			Organizer: bareAddress(m.From), Attendee: c.Recipient,
		}
		invitation = ev.ICS(a.now())
		attachments = append(attachments, mail.Attachment{Name: "invitation.ics", ContentType: "text/calendar; method=REQUEST; charset=utf-8", Data: invitation})
	} else if mail.IsReminder(c.Kind) && c.Milestone != "" && c.Due != "" {
		due, _ := time.Parse("2006-01-02", c.Due)
		ev := mail.Event{
			UID:     fmt.Sprintf("milestone-%s-%s-%s@%s", c.Edition, c.Project, c.Milestone, mail.Domain(m.From)),
			Summary: d.Program + " — " + d.Milestone, Start: due, AllDay: true,
			// RFC 5546 §3.2.1: a PUBLISH names its organizer.
			Organizer: bareAddress(m.From),
		}
		attachments = append(attachments, mail.Attachment{Name: "echeance.ics", ContentType: "text/calendar; method=PUBLISH; charset=utf-8", Data: ev.ICS(a.now())})
	}
	token := m.Tokens.Sign(c.Recipient)
	d.PrefsLink = base + "/prefs?t=" + url.QueryEscape(token)
	r, err := m.Templates.Render(c.Kind, d)
	if err != nil {
		return mail.Email{}, &mail.TemplateError{Err: err}
	}
	headers := map[string]string{"X-Suivi-Kind": c.Kind}
	if mail.Unsubscribable(c.Kind) {
		// Only where the one-click unsubscribe stops this kind of message.
		headers["List-Unsubscribe"] = "<" + base + "/prefs/unsubscribe?t=" + url.QueryEscape(token) + ">"
		headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	return mail.Email{
		Key: c.Key, From: m.From, To: c.Recipient, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		Headers: headers, Attachments: attachments, Calendar: string(invitation),
	}, nil
}

func bareAddress(from string) string {
	if i, j := strings.LastIndex(from, "<"), strings.LastIndex(from, ">"); i >= 0 && j > i {
		return from[i+1 : j]
	}
	return from
}

// DigestResult counts the digests queued.
type DigestResult struct {
	Digests int `json:"digests"`
}

// BuildDigests turns the week's held reminders into one digest per person.
// Keyed by (recipient, ISO week), so running it twice queues one.
func (a *Activities) BuildDigests(ctx context.Context) (DigestResult, error) {
	year, week := a.now().ISOWeek()
	n, err := a.Store.Digest(ctx, func(recipient string, items []store.Message) (store.Message, bool) {
		var lines []string
		for _, it := range items {
			line := it.Edition + "/" + it.Project + " — " + it.Kind
			if it.Milestone != "" {
				line += " " + it.Milestone
			}
			if it.Due != "" {
				line += " (" + it.Due + ")"
			}
			lines = append(lines, line)
		}
		return store.Message{
			Key:     fmt.Sprintf("digest|%s|%d-W%02d", recipient, year, week),
			Edition: items[0].Edition, Project: "", Kind: "digest", Recipient: recipient,
			Payload: map[string]string{"items": strings.Join(lines, "\n")},
		}, true
	})
	if err != nil {
		return DigestResult{}, err
	}
	return DigestResult{Digests: n}, a.wake(ctx)
}
