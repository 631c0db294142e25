package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Email is a message ready to send.
type Email struct {
	// Key is the outbox's idempotency key; the Message-ID derives from it.
	Key         string
	From        string
	To          string
	Subject     string
	Text        string
	HTML        string
	Headers     map[string]string
	Attachments []Attachment
}

// Attachment is a file attached to an email.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// MessageID derives the Message-ID from the idempotency key: a message sent
// twice by accident carries the same ID, which many mail systems fold into
// one.
func MessageID(key, from string) string {
	sum := sha256.Sum256([]byte(key))
	domain := "suivi.invalid"
	if i := strings.LastIndex(from, "@"); i >= 0 {
		domain = strings.Trim(from[i+1:], "> ")
	}
	return hex.EncodeToString(sum[:16]) + "@" + domain
}

// Outcome is what became of one email.
type Outcome int

// Outcomes of a send.
const (
	// Sent: the server accepted the message (2xx after the data).
	Sent Outcome = iota
	// Temporary: not accepted, worth retrying (4xx, or the connection
	// failed before the end of the data).
	Temporary
	// Permanent: refused (5xx); retrying would not help.
	Permanent
	// Uncertain: the end of the data was sent but no reply came back; the
	// server may have accepted it, so it must not be sent again.
	Uncertain
)

func (o Outcome) String() string {
	return [...]string{"sent", "temporary", "permanent", "uncertain"}[o]
}

// Result is one email's outcome and the server's reply.
type Result struct {
	Outcome Outcome
	Reply   string
	Err     error
}

// Sender delivers a batch of emails. It returns one result per email, or an
// error when it could not start at all (a *TempError when worth retrying).
type Sender interface {
	Send(ctx context.Context, emails []Email) ([]Result, error)
}

// build turns an Email into a go-mail message.
func build(e Email) (*gomail.Msg, error) {
	m := gomail.NewMsg()
	if err := m.From(e.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", e.From, err)
	}
	if err := m.To(e.To); err != nil {
		return nil, fmt.Errorf("to %q: %w", e.To, err)
	}
	m.SetMessageIDWithValue(MessageID(e.Key, e.From))
	m.Subject(oneLine(e.Subject))
	m.SetDate()
	for k, v := range e.Headers {
		m.SetGenHeader(gomail.Header(k), oneLine(v))
	}
	m.SetBodyString(gomail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	}
	for _, a := range e.Attachments {
		opts := []gomail.FileOption{gomail.WithFileContentType(gomail.ContentType(a.ContentType))}
		if err := m.AttachReader(a.Name, bytes.NewReader(a.Data), opts...); err != nil {
			return nil, fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	return m, nil
}

// SMTPSender sends through an SMTP server, one connection per batch.
type SMTPSender struct {
	Server SMTP
	// AfterAccept, when set, runs after the server accepted an email and
	// before the outcome is returned; tests use it to play a crash there.
	AfterAccept func(e Email) error
}

// Send implements Sender.
func (s *SMTPSender) Send(ctx context.Context, emails []Email) ([]Result, error) {
	c, err := s.Server.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	out := make([]Result, len(emails))
	for i, e := range emails {
		m, err := build(e)
		if err != nil {
			out[i] = Result{Outcome: Permanent, Err: err}
			continue
		}
		err = c.Send(m)
		out[i] = classify(m, err)
		if out[i].Outcome == Sent && s.AfterAccept != nil {
			if err := s.AfterAccept(e); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// classify reads go-mail's error for one message.
func classify(m *gomail.Msg, err error) Result {
	if err == nil {
		return Result{Outcome: Sent, Reply: m.ServerResponse()}
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code >= 400 {
			r := Result{Outcome: Temporary, Reply: fmt.Sprintf("%d %s", code, se.EnhancedStatusCode()), Err: err}
			if code >= 500 {
				r.Outcome = Permanent
			}
			return r
		}
		if se.Reason == gomail.ErrSMTPDataClose {
			// The final "." went out (or may have) and no reply came:
			// the server may have accepted it.
			return Result{Outcome: Uncertain, Err: err}
		}
	}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		r := Result{Outcome: Temporary, Reply: fmt.Sprintf("%d %s", tp.Code, tp.Msg), Err: err}
		if tp.Code >= 500 {
			r.Outcome = Permanent
		}
		return r
	}
	// The connection failed before the end of the data: nothing was
	// accepted, so sending again is safe.
	return Result{Outcome: Temporary, Err: err}
}

// FileSender writes each email as an .eml file into Dir, for `suivi dev`
// without an SMTP server: a person trying Suivi sees what would be sent.
type FileSender struct {
	Dir string
}

// Send implements Sender.
func (f *FileSender) Send(_ context.Context, emails []Email) ([]Result, error) {
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("mail dir: %w", err)
	}
	out := make([]Result, len(emails))
	for i, e := range emails {
		m, err := build(e)
		if err != nil {
			out[i] = Result{Outcome: Permanent, Err: err}
			continue
		}
		// Named by time then key, so newest sorts last and a retry
		// rewrites the same file rather than adding one.
		sum := sha256.Sum256([]byte(e.Key))
		name := time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(sum[:6]) + ".eml"
		if matches, _ := filepath.Glob(filepath.Join(f.Dir, "*-"+hex.EncodeToString(sum[:6])+".eml")); len(matches) > 0 {
			name = filepath.Base(matches[0])
		}
		path := filepath.Join(f.Dir, name)
		if err := m.WriteToFile(path); err != nil {
			out[i] = Result{Outcome: Temporary, Err: err}
			continue
		}
		out[i] = Result{Outcome: Sent, Reply: "written to " + path}
	}
	return out, nil
}
