package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

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
	// AbandonAfter is how long a message may stay "sending" before it is
	// declared uncertain; default 10 minutes.
	AbandonAfter time.Duration
	Logger       *slog.Logger
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
}

// DeliverBatch sends up to limit pending outbox messages over one
// connection. Each message is claimed before it is sent and settled with
// the server's reply after, and a claimed message is never claimed again,
// so a retry never sends it twice. Temporary failures put the message back
// and fail the activity, so Temporal retries it with backoff; permanent
// failures are recorded and the program's coordinators are told.
func (a *Activities) DeliverBatch(ctx context.Context, limit int) (DeliverResult, error) {
	m := a.Mail
	var res DeliverResult
	abandonAfter := m.AbandonAfter
	if abandonAfter == 0 {
		abandonAfter = 10 * time.Minute
	}
	lost, err := a.Store.Abandoned(ctx, abandonAfter)
	if err != nil {
		return res, err
	}
	for _, msg := range lost {
		res.Uncertain++
		if err := a.tellCoordinators(ctx, msg, "the sender stopped while sending; it may or may not have arrived"); err != nil {
			return res, err
		}
	}
	claimed, err := a.Store.Claim(ctx, limit)
	if err != nil {
		return res, err
	}
	res.Claimed = len(claimed)
	var emails []mail.Email
	var sending []store.Claimed
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
		if err != nil {
			// A message that cannot be written is a bug or bad data;
			// retrying will not fix it.
			res.Failed++
			if err := a.Store.Settle(ctx, c.Key, "failed", "", err.Error()); err != nil {
				return res, err
			}
			continue
		}
		emails, sending = append(emails, e), append(sending, c)
	}
	if len(emails) == 0 {
		return res, nil
	}
	results, err := m.Sender.Send(ctx, emails)
	var temp *mail.TempError
	if errors.As(err, &temp) {
		// Nothing was sent: put them back and let Temporal retry.
		for _, c := range sending {
			if serr := a.Store.Settle(ctx, c.Key, "pending", "", temp.Error()); serr != nil {
				return res, serr
			}
		}
		return res, fmt.Errorf("deliver: %w", err)
	}
	if err != nil {
		// Any other failure leaves the claimed messages as they are, as a
		// crash would: they are never sent twice.
		return res, fmt.Errorf("deliver: %w", err)
	}
	for i, r := range results {
		c := sending[i]
		errMsg := ""
		if r.Err != nil {
			errMsg = r.Err.Error()
		}
		status := map[mail.Outcome]string{mail.Sent: "sent", mail.Permanent: "failed", mail.Uncertain: "uncertain", mail.Temporary: "pending"}[r.Outcome]
		if err := a.Store.Settle(ctx, c.Key, status, r.Reply, errMsg); err != nil {
			return res, err
		}
		switch r.Outcome {
		case mail.Sent:
			res.Sent++
		case mail.Temporary:
			res.Retry++
		case mail.Permanent, mail.Uncertain:
			if r.Outcome == mail.Permanent {
				res.Failed++
			} else {
				res.Uncertain++
			}
			reason := r.Reply
			if reason == "" {
				reason = errMsg
			}
			if err := a.tellCoordinators(ctx, c.Message, reason); err != nil {
				return res, err
			}
		}
	}
	if res.Retry > 0 {
		return res, temporal.NewApplicationError(fmt.Sprintf("deliver: %d message(s) refused for now, will retry", res.Retry), "TemporaryFailure")
	}
	return res, nil
}

// tellCoordinators queues a delivery-failed notice for the coordinators of
// the message's program; a notice about a notice is not sent, to avoid loops.
func (a *Activities) tellCoordinators(ctx context.Context, msg store.Message, reason string) error {
	if msg.Kind == "delivery-failed" {
		return nil
	}
	coords, err := a.coordinators(ctx, msg.Edition, msg.Project)
	if err != nil {
		return err
	}
	var out []store.Message
	for _, c := range coords {
		out = append(out, store.Message{
			Key:     fmt.Sprintf("%s/%s|delivery-failed|%s|%s", msg.Edition, msg.Project, msg.Key, c),
			Edition: msg.Edition, Project: msg.Project, Kind: "delivery-failed", Milestone: msg.Milestone, Recipient: c,
			Payload: map[string]string{"failed": msg.Recipient, "failed_kind": msg.Kind, "reason": reason},
		})
	}
	_, err = a.Store.Enqueue(ctx, out)
	return err
}

// coordinators are the program's city coordinators in its edition.
func (a *Activities) coordinators(ctx context.Context, editionID, project string) ([]string, error) {
	p, err := a.Store.GetProgram(ctx, editionID, project)
	if err != nil {
		return nil, err
	}
	ed, err := a.edition(ctx, editionID)
	if err != nil {
		return nil, err
	}
	if c, ok := ed.City(p.City); ok {
		return c.Coordinators, nil
	}
	return nil, nil
}

func (a *Activities) edition(ctx context.Context, id string) (*edition.Edition, error) {
	rec, err := a.Store.GetEdition(ctx, id)
	if err != nil {
		return nil, err
	}
	var ed edition.Edition
	if err := json.Unmarshal(rec.Spec, &ed); err != nil {
		return nil, fmt.Errorf("edition %s: %w", id, err)
	}
	return &ed, nil
}

// compose renders one outbox message for its recipient.
func (a *Activities) compose(ctx context.Context, c store.Claimed) (mail.Email, error) {
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
	if n, ok := strings.CutPrefix(c.Kind, "overdue-week-"); ok {
		w, _ := strconv.Atoi(n)
		d.Days = 7 * w
	}
	switch c.Kind {
	case "escalate-mentors":
		d.Days = 14
	case "escalate-coordinators":
		d.Days = 28
	}
	if items := c.Payload["items"]; items != "" {
		d.Items = strings.Split(items, "\n")
	}
	var attachments []mail.Attachment
	if c.Kind == "meetup-invitation" {
		loc, err := time.LoadLocation(c.Payload["time_zone"])
		if err != nil {
			loc = time.UTC
		}
		at, _ := time.Parse(time.RFC3339, c.Payload["at"])
		d.City = c.Payload["city"]
		d.MeetupAt = mail.FormatDateTime(at, loc, lang)
		ev := mail.Event{
			UID:     fmt.Sprintf("meetup-%s-%s-%s@suivi", c.Edition, strings.ToLower(strings.ReplaceAll(d.City, " ", "-")), c.Milestone),
			Summary: "Petite Nuit du Code Citoyen — " + d.City, Location: d.City,
			Start: at, End: at.Add(2 * time.Hour), Zone: loc, Invite: true,
			Organizer: bareAddress(m.From), Attendee: c.Recipient,
		}
		attachments = append(attachments, mail.Attachment{Name: "invitation.ics", ContentType: "text/calendar; method=REQUEST; charset=utf-8", Data: ev.ICS(a.now())})
	} else if mail.IsReminder(c.Kind) && c.Milestone != "" && c.Due != "" {
		due, _ := time.Parse("2006-01-02", c.Due)
		ev := mail.Event{
			UID:     fmt.Sprintf("milestone-%s-%s-%s@suivi", c.Edition, c.Project, c.Milestone),
			Summary: d.Program + " — " + d.Milestone, Start: due, AllDay: true,
		}
		attachments = append(attachments, mail.Attachment{Name: "echeance.ics", ContentType: "text/calendar; method=PUBLISH; charset=utf-8", Data: ev.ICS(a.now())})
	}
	token := m.Tokens.Sign(c.Recipient)
	d.PrefsLink = base + "/prefs?t=" + url.QueryEscape(token)
	r, err := m.Templates.Render(c.Kind, d)
	if err != nil {
		return mail.Email{}, err
	}
	return mail.Email{
		Key: c.Key, From: m.From, To: c.Recipient, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		Headers: map[string]string{
			"List-Unsubscribe":      "<" + base + "/prefs/unsubscribe?t=" + url.QueryEscape(token) + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			"X-Suivi-Kind":          c.Kind,
		},
		Attachments: attachments,
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
