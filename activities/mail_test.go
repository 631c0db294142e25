package activities_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/pgtest"
	"github.com/codecitoyen/suivi/internal/smtpsink"
	"github.com/codecitoyen/suivi/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const editionYAML = `
id: ncc-2027
name: {fr: NCC 2027, en: NCC 2027}
time_zone: Europe/Paris
call_for_projects: {opens: 2026-11-01, closes: 2027-02-14}
hackathon: {starts: "2027-03-05 18:00", ends: "2027-03-07 18:00"}
accompaniment_months: 12
cities:
  - {name: Lyon, time_zone: Europe/Paris, meetup: "first tuesday 19:00", coordinators: [coord@example.org]}
milestones:
  - {id: demo, title: {fr: Démo au jury, en: Jury demo}, due: "+0d", evidence: url}
`

// setup gives a store with an edition and a program, a sink, and the
// activities sending to it.
func setup(t *testing.T, o smtpsink.Options) (*activities.Activities, *store.Store, *smtpsink.Sink) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	ed, err := edition.Parse([]byte(editionYAML))
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := json.Marshal(ed)
	if _, _, err := st.ApplyEdition(ctx, ed.ID, ed.Hash(), spec); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveProgram(ctx, store.Program{Edition: "ncc-2027", Project: "demoscampi", Name: "Démocratie et crustacés",
		Holders: []string{"holder@example.org"}, City: "Lyon", Phase: "accompaniment", WorkflowID: "program/ncc-2027/demoscampi",
		StartedAt: time.Now(), Seq: 1, Milestones: []store.Milestone{{ID: "demo", TitleFR: "Démo au jury", TitleEN: "Jury demo",
			Due: "2027-03-07", Evidence: "url", Status: "open"}}}, nil); err != nil {
		t.Fatal(err)
	}
	sink, err := smtpsink.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	tpl, err := mail.LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	a := &activities.Activities{Store: st, Mail: &activities.Mailer{
		Sender:    &mail.SMTPSender{Server: mail.SMTP{Host: "127.0.0.1", Port: sink.Port(), TLS: "none", Timeout: 5 * time.Second}},
		Templates: tpl, From: "Suivi <suivi@nuitducodecitoyen.example>", PublicURL: "http://127.0.0.1:8080",
		Tokens: mail.Tokens{Secret: []byte("0123456789abcdef0123456789abcdef")},
	}}
	return a, st, sink
}

func reminder(to, kind string) store.Message {
	return store.Message{Key: "ncc-2027/demoscampi|" + kind + "|demo|2027-03-07|" + to, Edition: "ncc-2027", Project: "demoscampi",
		Kind: kind, Milestone: "demo", Due: "2027-03-07", Recipient: to}
}

func statusOf(t *testing.T, st *store.Store, key string) string {
	t.Helper()
	msgs, err := st.ListOutbox(context.Background(), "ncc-2027", "demoscampi")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Key == key {
			return m.Status
		}
	}
	return "missing"
}

// A sender that dies after the server accepted a message and before the
// outbox is marked: the retry must not send it again.
func TestExactlyOnceWhenKilledAfterAccept(t *testing.T) {
	a, st, sink := setup(t, smtpsink.Options{})
	ctx := context.Background()
	msg := reminder("holder@example.org", "due-today")
	if _, err := a.Notify(ctx, []store.Message{msg}); err != nil {
		t.Fatal(err)
	}
	crash := errors.New("worker killed")
	sender := a.Mail.Sender.(*mail.SMTPSender)
	sender.AfterAccept = func(mail.Email) error { return crash }
	if _, err := a.DeliverBatch(ctx, 50); !errors.Is(err, crash) {
		t.Fatalf("first attempt = %v, want the crash", err)
	}
	sender.AfterAccept = nil
	// Temporal retries the activity, several times even.
	for range 2 {
		if _, err := a.DeliverBatch(ctx, 50); err != nil {
			t.Fatalf("retry: %v", err)
		}
	}
	if sink.Count() != 1 {
		t.Fatalf("the server received %d messages, want exactly 1", sink.Count())
	}
	// Later it is declared uncertain, and coordinators are told.
	a.Mail.AbandonAfter = time.Millisecond
	time.Sleep(10 * time.Millisecond)
	res, err := a.DeliverBatch(ctx, 50)
	if err != nil || res.Uncertain != 1 {
		t.Fatalf("sweep = %+v, %v", res, err)
	}
	if s := statusOf(t, st, msg.Key); s != "uncertain" {
		t.Fatalf("status = %s, want uncertain", s)
	}
	if _, err := a.DeliverBatch(ctx, 50); err != nil {
		t.Fatal(err)
	}
	got := sink.Messages()
	if len(got) != 2 || got[0].To[0] != "holder@example.org" || got[1].To[0] != "coord@example.org" ||
		!strings.Contains(string(got[1].Data), "holder@example.org") {
		t.Fatalf("messages: %d, want the reminder once and a notice to the coordinator", len(got))
	}
}

func TestTemporaryFailureRetriesPermanentFailureTellsCoordinators(t *testing.T) {
	later := 1
	a, st, sink := setup(t, smtpsink.Options{Reject: func(rcpt string) *smtp.SMTPError {
		switch {
		case strings.HasPrefix(rcpt, "bounce@"):
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
		case strings.HasPrefix(rcpt, "later@") && later > 0:
			later--
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
		}
		return nil
	}})
	ctx := context.Background()
	bounce, slow := reminder("bounce@example.org", "due-today"), reminder("later@example.org", "due-today")
	if _, err := a.Notify(ctx, []store.Message{bounce, slow}); err != nil {
		t.Fatal(err)
	}
	res, err := a.DeliverBatch(ctx, 50)
	if err != nil || res.Failed != 1 || res.Retry != 1 {
		t.Fatalf("first batch = %+v, %v; want one failure and one put back for later", res, err)
	}
	// Not due yet: its own backoff (a minute at least) keeps it back.
	if res, _ := a.DeliverBatch(ctx, 50); res.Sent != 1 || res.Claimed != 1 {
		t.Fatalf("batch before the retry is due = %+v; want only the coordinators' notice", res)
	}
	a.Mail.RetryDelay = func(int) time.Duration { return 0 }
	if err := st.Retry(ctx, slow.Key, "", "", 0); err != nil { // no-op: it is pending, not sending
		t.Fatal(err)
	}
	forceDue(t, st, slow.Key)
	if s := statusOf(t, st, bounce.Key); s != "failed" {
		t.Fatalf("bounce: %s, want failed", s)
	}
	if s := statusOf(t, st, slow.Key); s != "pending" {
		t.Fatalf("later: %s, want pending again", s)
	}
	res, err = a.DeliverBatch(ctx, 50)
	if err != nil || res.Sent != 1 {
		t.Fatalf("batch once due = %+v, %v; want the retried one sent", res, err)
	}
	if s := statusOf(t, st, slow.Key); s != "sent" {
		t.Fatalf("later: %s, want sent", s)
	}
	undelivered, _ := st.Undelivered(ctx, "ncc-2027", "demoscampi")
	if len(undelivered) != 1 || !strings.Contains(undelivered[0].Payload["error"], "550") {
		t.Fatalf("undelivered = %+v", undelivered)
	}
	var notice bool
	for _, m := range sink.Messages() {
		notice = notice || (m.To[0] == "coord@example.org" && strings.Contains(string(m.Data), "bounce@example.org"))
	}
	if !notice {
		t.Fatal("the coordinators were not told about the bounce")
	}
}

func TestConnectionRefusedPutsBackAndRetries(t *testing.T) {
	a, st, sink := setup(t, smtpsink.Options{})
	ctx := context.Background()
	msg := reminder("holder@example.org", "due-today")
	_, _ = a.Notify(ctx, []store.Message{msg})
	sink.Close()
	var temp *mail.TempError
	if _, err := a.DeliverBatch(ctx, 50); !errors.As(err, &temp) {
		t.Fatalf("with the server down = %v, want a temporary error", err)
	}
	if s := statusOf(t, st, msg.Key); s != "pending" {
		t.Fatalf("status = %s, want pending", s)
	}
}

func TestPreferencesLanguageAndDigest(t *testing.T) {
	a, st, sink := setup(t, smtpsink.Options{})
	ctx := context.Background()
	for _, p := range []store.Person{
		{Email: "en@example.org", Locale: "en"},
		{Email: "digest@example.org", Reminders: "digest"},
		{Email: "quiet@example.org", Reminders: "escalations"},
	} {
		if _, err := st.SetPerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	msgs := []store.Message{
		reminder("en@example.org", "due-today"), reminder("digest@example.org", "due-today"),
		reminder("digest@example.org", "due-tomorrow"), reminder("quiet@example.org", "due-today"),
		reminder("quiet@example.org", "escalate-coordinators"),
	}
	if _, err := a.Notify(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	res, err := a.DeliverBatch(ctx, 50)
	if err != nil || res.Sent != 2 || res.Held != 2 || res.Skipped != 1 {
		t.Fatalf("batch = %+v, %v; want 2 sent, 2 held, 1 skipped", res, err)
	}
	for _, m := range sink.Messages() {
		data := string(m.Data)
		switch m.To[0] {
		case "en@example.org":
			if !strings.Contains(data, "due today") || !strings.Contains(data, "Jury demo") || !strings.Contains(data, "text/calendar") {
				t.Errorf("English reminder:\n%s", data)
			}
		case "quiet@example.org":
			if !strings.Contains(data, "Alerte") {
				t.Errorf("escalation to a quiet person:\n%s", data)
			}
		default:
			t.Errorf("unexpected message to %s", m.To[0])
		}
	}
	d, err := a.BuildDigests(ctx)
	if err != nil || d.Digests != 1 {
		t.Fatalf("digests = %+v, %v", d, err)
	}
	if d, _ := a.BuildDigests(ctx); d.Digests != 0 {
		t.Fatalf("a second digest run queued %d", d.Digests)
	}
	if _, err := a.DeliverBatch(ctx, 50); err != nil {
		t.Fatal(err)
	}
	last := sink.Messages()[len(sink.Messages())-1]
	if last.To[0] != "digest@example.org" || !strings.Contains(string(last.Data), "due-tomorrow") {
		t.Fatalf("digest:\n%s", last.Data)
	}
}

// forceDue makes a message put back for later due now, as time would.
func forceDue(t *testing.T, st *store.Store, key string) {
	t.Helper()
	if err := st.MakeDue(context.Background(), key); err != nil {
		t.Fatal(err)
	}
}

// A relay refusing the sender blocks the whole batch: nothing is marked
// failed, everything goes back, and the activity fails for Temporal to retry.
func TestBlockedBatchGoesBack(t *testing.T) {
	a, st, _ := setup(t, smtpsink.Options{RejectFrom: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 2, 0}, Message: "Submission quota exceeded"}})
	ctx := context.Background()
	m1, m2 := reminder("a@example.org", "due-today"), reminder("b@example.org", "due-today")
	_, _ = a.Notify(ctx, []store.Message{m1, m2})
	var blocked *mail.BlockedError
	if _, err := a.DeliverBatch(ctx, 50); !errors.As(err, &blocked) {
		t.Fatalf("err = %v, want a BlockedError", err)
	}
	for _, k := range []string{m1.Key, m2.Key} {
		if s := statusOf(t, st, k); s != "pending" {
			t.Errorf("%s: %s, want pending", k, s)
		}
	}
}

// Addresses typed with capitals still find the person's choices.
func TestPreferencesIgnoreCase(t *testing.T) {
	a, st, sink := setup(t, smtpsink.Options{})
	ctx := context.Background()
	if _, err := st.SetPerson(ctx, store.Person{Email: "jean.dupont@example.org", Reminders: "escalations"}); err != nil {
		t.Fatal(err)
	}
	_, _ = a.Notify(ctx, []store.Message{reminder("Jean.Dupont@Example.org", "due-today")})
	if res, _ := a.DeliverBatch(ctx, 50); res.Skipped != 1 || sink.Count() != 0 {
		t.Fatalf("batch = %+v, %d sent; the reminder should be skipped", res, sink.Count())
	}
}

// A worker killed (kill -9) in the middle of a batch records nothing more:
// the message it was handing over stays "sending" (uncertain later), and
// the batch's messages it never handed over go back and are sent, once.
func TestKilledMidBatchStrandsOnlyTheMessageInFlight(t *testing.T) {
	a, st, sink := setup(t, smtpsink.Options{})
	ctx := context.Background()
	var msgs []store.Message
	for _, to := range []string{"a@example.org", "b@example.org", "c@example.org", "d@example.org"} {
		msgs = append(msgs, reminder(to, "due-today"))
	}
	if _, err := a.Notify(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	// What the killed worker left: the batch claimed, the first message
	// sent and settled, the second handed to the relay, then nothing.
	claimed, err := st.Claim(ctx, 50)
	if err != nil || len(claimed) != 4 {
		t.Fatalf("claim = %d, %v", len(claimed), err)
	}
	for i, c := range claimed[:2] {
		if ok, err := st.Begin(ctx, c.Key, c.ClaimedAt); !ok || err != nil {
			t.Fatalf("begin %d = %v, %v", i, ok, err)
		}
	}
	if err := st.Settle(ctx, claimed[0].Key, "sent", "250 ok", ""); err != nil {
		t.Fatal(err)
	}
	// The retry, once the unstarted claims are old enough, sends the two
	// never handed over.
	a.Mail.ReleaseAfter = time.Millisecond
	time.Sleep(10 * time.Millisecond)
	res, err := a.DeliverBatch(ctx, 50)
	if err != nil || res.Released != 2 || res.Sent != 2 {
		t.Fatalf("retry = %+v, %v; want 2 released and sent", res, err)
	}
	if sink.Count() != 2 || statusOf(t, st, claimed[1].Key) != "sending" {
		t.Fatalf("the relay got %d, the message in flight is %s", sink.Count(), statusOf(t, st, claimed[1].Key))
	}
	// A stale claim cannot begin a message claimed again since.
	if ok, err := st.Begin(ctx, claimed[2].Key, claimed[2].ClaimedAt); ok || err != nil {
		t.Fatalf("begin with the old claim = %v, %v; want false", ok, err)
	}
	a.Mail.AbandonAfter = time.Millisecond
	if res, err := a.DeliverBatch(ctx, 50); err != nil || res.Uncertain != 1 {
		t.Fatalf("sweep = %+v, %v; want the one in flight uncertain", res, err)
	}
}
