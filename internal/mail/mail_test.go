package mail_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/emersion/go-smtp"

	suivimail "github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/smtpsink"
)

func TestParseURL(t *testing.T) {
	for _, tt := range []struct {
		in              string
		host            string
		port            int
		tls, auth, user string
		wantErr         string
	}{
		{in: "smtp://user:pass@mail.example.org:587?tls=starttls", host: "mail.example.org", port: 587, tls: "starttls", auth: "plain", user: "user"},
		{in: "smtp://mail.example.org", host: "mail.example.org", port: 587, tls: "starttls"},
		{in: "smtps://u:p@mail.example.org", host: "mail.example.org", port: 465, tls: "tls", auth: "plain", user: "u"},
		{in: "smtp://127.0.0.1:1025?tls=none", host: "127.0.0.1", port: 1025, tls: "none"},
		{in: "smtp://u:p@h:25?auth=cram-md5", host: "h", port: 25, tls: "starttls", auth: "cram-md5", user: "u"},
		{in: "smtp://u:p@h?auth=LOGIN", host: "h", port: 587, tls: "starttls", auth: "login", user: "u"},
		{in: "http://h", wantErr: "use smtp:// or smtps://"},
		{in: "smtp://h?tls=maybe", wantErr: "tls="},
		{in: "smtp://h?auth=plain", wantErr: "no user"},
		{in: "smtp://h?colour=blue", wantErr: "unknown parameter"},
		{in: "smtp://h:99999", wantErr: "port"},
		{in: "nonsense", wantErr: "not a URL"},
	} {
		s, err := suivimail.ParseURL(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseURL(%q) = %v, want error %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || s.Host != tt.host || s.Port != tt.port || s.TLS != tt.tls || s.Auth != tt.auth || s.Username != tt.user {
			t.Errorf("ParseURL(%q) = %+v, %v", tt.in, s, err)
		}
		if strings.Contains(s.String(), "pass") {
			t.Errorf("String() shows the password: %s", s)
		}
	}
}

func sample() suivimail.Data {
	return suivimail.Data{
		Program: "Démocratie et crustacés", Edition: "ncc-2027", City: "Lyon", Phase: "accompaniment",
		Milestone: "Vidéo explicative", Due: "7 mai 2027", Evidence: "un lien vers la vidéo", Days: 14,
		MeetupAt: "mardi 6 avril 2027 à 19:00", Items: []string{"a", "b"},
		Failed: "x@example.org", FailedKind: "due-today", Reason: "550 no such user",
		Link: "http://127.0.0.1:8080/programs/ncc-2027/demoscampi", PrefsLink: "http://127.0.0.1:8080/prefs?t=x",
	}
}

// Every template renders in both languages: a broken one fails here, not in
// a reminder in production.
func TestEveryTemplateRendersInBothLanguages(t *testing.T) {
	tpl, err := suivimail.LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	kinds := tpl.Kinds()
	if len(kinds) < 16 {
		t.Fatalf("only %d templates", len(kinds))
	}
	for _, kind := range append(kinds, "overdue-week-3") {
		for _, lang := range []string{"fr", "en"} {
			d := sample()
			d.Lang = lang
			r, err := tpl.Render(kind, d)
			if err != nil {
				t.Errorf("%s/%s: %v", kind, lang, err)
				continue
			}
			if r.Subject == "" || strings.ContainsAny(r.Subject, "\r\n") || !strings.Contains(r.Text, d.PrefsLink) ||
				!strings.Contains(r.HTML, `lang="`+lang+`"`) || strings.Contains(r.Text, "<no value>") {
				t.Errorf("%s/%s rendered badly: %+v", kind, lang, r)
			}
		}
	}
	fr, _ := tpl.Render("due-today", sample())
	en := sample()
	en.Lang = "en"
	enr, _ := tpl.Render("due-today", en)
	if !strings.Contains(fr.Subject, "aujourd’hui") || !strings.Contains(enr.Subject, "due today") {
		t.Fatalf("languages: fr %q, en %q", fr.Subject, enr.Subject)
	}
	if _, err := tpl.Render("no-such-kind", sample()); err == nil {
		t.Fatal("unknown kind rendered")
	}
}

func TestHeaderInjectionIsNeutralised(t *testing.T) {
	tpl, _ := suivimail.LoadTemplates()
	d := sample()
	d.Program = "Evil\r\nBcc: victim@example.org"
	r, err := tpl.Render("due-today", d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(r.Subject, "\r\n") {
		t.Fatalf("subject keeps a line break: %q", r.Subject)
	}
	if !strings.Contains(r.HTML, "Evil") || strings.Contains(r.HTML, "<script") {
		t.Fatal("html lost the text")
	}
	sink := startSink(t, smtpsink.Options{})
	sender := &suivimail.SMTPSender{Server: suivimail.SMTP{Host: "127.0.0.1", Port: sink.Port(), TLS: "none", Timeout: 5 * time.Second}}
	e := email(r)
	e.Headers["X-Suivi-Program"] = "x\r\nBcc: victim@example.org"
	res, err := suivimail.SendAll(context.Background(), sender, []suivimail.Email{e})
	if err != nil || res[0].Outcome != suivimail.Sent {
		t.Fatalf("send = %+v, %v", res, err)
	}
	m := parse(t, sink.Messages()[0].Data)
	if m.Header.Get("Bcc") != "" || len(sink.Messages()[0].To) != 1 {
		t.Fatalf("a Bcc header got through: %v", m.Header)
	}
}

func startSink(t *testing.T, o smtpsink.Options) *smtpsink.Sink {
	t.Helper()
	s, err := smtpsink.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func email(r suivimail.Rendered) suivimail.Email {
	return suivimail.Email{
		Key: "ncc-2027/demoscampi|due-today|demo|2027-03-07|holder@example.org", From: "Suivi <suivi@nuitducodecitoyen.example>",
		To: "holder@example.org", Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		Headers: map[string]string{"List-Unsubscribe": "<http://127.0.0.1:8080/prefs/unsubscribe?t=x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
	}
}

func parse(t *testing.T, data []byte) *mail.Message {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMIMEAndCalendar sends a meetup invitation with its .ics through a real
// SMTP server with STARTTLS and AUTH, and reads it back part by part.
func TestMIMEAndCalendar(t *testing.T) {
	serverTLS, pool, err := smtpsink.TestCertificate()
	if err != nil {
		t.Fatal(err)
	}
	for _, auth := range []string{"plain", "login", "cram-md5"} {
		t.Run(auth, func(t *testing.T) {
			sink := startSink(t, smtpsink.Options{TLS: serverTLS, Username: "suivi", Password: "s3cret"})
			tpl, _ := suivimail.LoadTemplates()
			d := sample()
			d.Lang = "en"
			r, err := tpl.Render("meetup-invitation", d)
			if err != nil {
				t.Fatal(err)
			}
			paris, _ := time.LoadLocation("Europe/Paris")
			start := time.Date(2027, 4, 6, 19, 0, 0, 0, paris)
			ev := suivimail.Event{UID: "meetup-ncc-2027-lyon-2027-04@suivi", Summary: "Petite Nuit du Code Citoyen, Lyon",
				Location: "Lyon", Start: start, End: start.Add(2 * time.Hour), Zone: paris, Invite: true,
				Organizer: "suivi@nuitducodecitoyen.example", Attendee: "holder@example.org"}
			e := email(r)
			e.Attachments = []suivimail.Attachment{{Name: "invite.ics", ContentType: "text/calendar; method=REQUEST", Data: ev.ICS(time.Now())}}
			sender := &suivimail.SMTPSender{Server: suivimail.SMTP{Host: "127.0.0.1", Port: sink.Port(), TLS: "starttls",
				Auth: auth, Username: "suivi", Password: "s3cret", Timeout: 5 * time.Second,
				TLSConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}}}
			res, err := suivimail.SendAll(context.Background(), sender, []suivimail.Email{e})
			if err != nil || res[0].Outcome != suivimail.Sent || !strings.HasPrefix(res[0].Reply, "2") && res[0].Reply == "" {
				t.Fatalf("send = %+v, %v", res, err)
			}
			msgs := sink.Messages()
			if len(msgs) != 1 {
				t.Fatalf("server got %d messages", len(msgs))
			}
			m := parse(t, msgs[0].Data)
			if got := m.Header.Get("Message-Id"); got != "<"+suivimail.MessageID(e.Key, e.From)+">" {
				t.Errorf("Message-ID = %q", got)
			}
			if m.Header.Get("List-Unsubscribe") == "" || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
				t.Errorf("List-Unsubscribe headers missing: %v", m.Header)
			}
			subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			if subject != r.Subject {
				t.Errorf("Subject = %q, want %q", subject, r.Subject)
			}
			mt, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
			if mt != "multipart/mixed" {
				t.Fatalf("top part is %s", mt)
			}
			var types []string
			var calendar []byte
			mr := multipart.NewReader(m.Body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
				types = append(types, pt)
				if pt == "multipart/alternative" {
					ar := multipart.NewReader(p, pp["boundary"])
					for {
						q, err := ar.NextPart()
						if err == io.EOF {
							break
						}
						qt, _, _ := mime.ParseMediaType(q.Header.Get("Content-Type"))
						types = append(types, "  "+qt)
					}
				}
				if pt == "text/calendar" {
					calendar = decodePart(t, p)
				}
			}
			if strings.Join(types, ",") != "multipart/alternative,  text/plain,  text/html,text/calendar" {
				t.Fatalf("MIME structure = %v", types)
			}
			cal, err := ics.ParseCalendar(bytes.NewReader(calendar))
			if err != nil {
				t.Fatalf("parse .ics: %v\n%s", err, calendar)
			}
			if cal.CalendarProperties[0].Value == "" || !strings.Contains(string(calendar), "METHOD:REQUEST") {
				t.Errorf(".ics has no METHOD:REQUEST:\n%s", calendar)
			}
			evs := cal.Events()
			if len(evs) != 1 || evs[0].Id() != ev.UID {
				t.Fatalf(".ics events = %v", evs)
			}
			if len(cal.Timezones()) != 1 || !strings.Contains(string(calendar), "TZID:Europe/Paris") ||
				!strings.Contains(string(calendar), "BEGIN:DAYLIGHT") || !strings.Contains(string(calendar), "TZOFFSETTO:+0200") {
				t.Errorf(".ics VTIMEZONE missing or wrong:\n%s", calendar)
			}
			if strings.Count(string(calendar), "\r\n") < 10 || strings.Contains(strings.ReplaceAll(string(calendar), "\r\n", ""), "\n") {
				t.Errorf(".ics lines must end with CRLF (RFC 5545)")
			}
			got, err := evs[0].GetStartAt()
			if err != nil || !got.Equal(start) {
				t.Errorf("DTSTART = %v, %v; want %v", got, err, start)
			}
		})
	}
}

func decodePart(t *testing.T, p *multipart.Part) []byte {
	t.Helper()
	b, err := io.ReadAll(p)
	if err != nil {
		t.Fatal(err)
	}
	if p.Header.Get("Content-Transfer-Encoding") == "base64" {
		dec := make([]byte, len(b))
		n, err := base64Decode(dec, b)
		if err != nil {
			t.Fatal(err)
		}
		return dec[:n]
	}
	return b
}

func TestWrongPasswordIsPermanentForTheBatch(t *testing.T) {
	sink := startSink(t, smtpsink.Options{Username: "suivi", Password: "right"})
	sender := &suivimail.SMTPSender{Server: suivimail.SMTP{Host: "127.0.0.1", Port: sink.Port(), TLS: "none", Auth: "plain",
		Username: "suivi", Password: "wrong", Timeout: 5 * time.Second}}
	_, err := suivimail.SendAll(context.Background(), sender, []suivimail.Email{email(suivimail.Rendered{Subject: "s", Text: "t"})})
	if err == nil || sink.Count() != 0 {
		t.Fatalf("wrong password: err %v, %d accepted", err, sink.Count())
	}
}

func TestOutcomes(t *testing.T) {
	sink := startSink(t, smtpsink.Options{
		Reject: func(rcpt string) *smtp.SMTPError {
			switch {
			case strings.HasPrefix(rcpt, "bounce@"):
				return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
			case strings.HasPrefix(rcpt, "later@"):
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
			}
			return nil
		},
		DropAfterData: func(r smtpsink.Received) bool { return strings.HasPrefix(r.To[0], "silent@") },
	})
	sender := &suivimail.SMTPSender{Server: suivimail.SMTP{Host: "127.0.0.1", Port: sink.Port(), TLS: "none", Timeout: 5 * time.Second}}
	var batch []suivimail.Email
	for _, to := range []string{"ok@example.org", "bounce@example.org", "later@example.org", "ok2@example.org", "silent@example.org"} {
		e := email(suivimail.Rendered{Subject: "s", Text: "t"})
		e.To, e.Key = to, "k|"+to
		batch = append(batch, e)
	}
	res, err := suivimail.SendAll(context.Background(), sender, batch)
	if err != nil {
		t.Fatal(err)
	}
	want := []suivimail.Outcome{suivimail.Sent, suivimail.Permanent, suivimail.Temporary, suivimail.Sent, suivimail.Uncertain}
	for i, w := range want {
		if res[i].Outcome != w {
			t.Errorf("%s: %v (%v), want %v", batch[i].To, res[i].Outcome, res[i].Err, w)
		}
	}
	if sink.Connections() != 1 {
		t.Errorf("%d connections for one batch, want 1 (reuse)", sink.Connections())
	}
	if !strings.HasPrefix(res[1].Reply, "550") {
		t.Errorf("permanent reply = %q, want the server's 550", res[1].Reply)
	}
	// Nobody listening: the whole batch is a temporary failure.
	sink.Close()
	_, err = suivimail.SendAll(context.Background(), sender, batch[:1])
	var temp *suivimail.TempError
	if err == nil || !asTemp(err, &temp) {
		t.Fatalf("send to a closed server = %v, want a TempError", err)
	}
}

func TestFileSender(t *testing.T) {
	dir := t.TempDir()
	f := &suivimail.FileSender{Dir: dir}
	e := email(suivimail.Rendered{Subject: "Rappel", Text: "t", HTML: "<p>t</p>"})
	for range 2 { // a retry rewrites, never adds
		res, err := suivimail.SendAll(context.Background(), f, []suivimail.Email{e})
		if err != nil || res[0].Outcome != suivimail.Sent {
			t.Fatalf("file send = %+v, %v", res, err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d .eml files, want 1", len(files))
	}
	b, _ := os.ReadFile(files[0])
	if m := parse(t, b); m.Header.Get("Subject") != "Rappel" {
		t.Fatalf("eml subject = %q", m.Header.Get("Subject"))
	}
}

// rawRelay accepts one message, answers 250, and hangs up at once: the
// RSET go-mail sends next fails. The message was delivered all the same.
func rawRelay(t *testing.T) (port int, received *int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	n := 0
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		fmt.Fprint(c, "220 relay ESMTP\r\n")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				fmt.Fprint(c, "250-relay\r\n250 8BITMIME\r\n")
			case strings.HasPrefix(cmd, "DATA"):
				fmt.Fprint(c, "354 go ahead\r\n")
				for {
					l, err := r.ReadString('\n')
					if err != nil || l == ".\r\n" {
						break
					}
				}
				n++
				fmt.Fprint(c, "250 2.0.0 queued as 42\r\n")
				return // hang up before anything else
			default:
				fmt.Fprint(c, "250 ok\r\n")
			}
		}
	}()
	return l.Addr().(*net.TCPAddr).Port, &n
}

func TestDeliveredThenHungUpIsSent(t *testing.T) {
	port, received := rawRelay(t)
	sender := &suivimail.SMTPSender{Server: suivimail.SMTP{Host: "127.0.0.1", Port: port, TLS: "none", Timeout: 5 * time.Second}}
	res, err := suivimail.SendAll(context.Background(), sender, []suivimail.Email{email(suivimail.Rendered{Subject: "s", Text: "t"})})
	if err != nil || *received != 1 || res[0].Outcome != suivimail.Sent {
		t.Fatalf("outcome %v (%v), err %v, received %d; a message the server accepted must count as sent", res[0].Outcome, res[0].Err, err, *received)
	}
}

// A January event's VTIMEZONE describes the winter period it falls in.
func TestVTimezoneCoversTheEventsPeriod(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	start := time.Date(2027, 1, 5, 19, 0, 0, 0, paris)
	b := string(suivimail.Event{UID: "x@suivi", Summary: "s", Start: start, End: start.Add(time.Hour), Zone: paris, Invite: true}.ICS(time.Now()))
	if !strings.Contains(b, "BEGIN:STANDARD\r\nDTSTART:20261025T030000") || !strings.Contains(b, "TZOFFSETTO:+0100") {
		t.Fatalf("VTIMEZONE lacks the winter period of the event:\n%s", b)
	}
	tunis, _ := time.LoadLocation("Africa/Tunis")
	b = string(suivimail.Event{UID: "y@suivi", Summary: "s", Start: start.In(tunis), End: start, Zone: tunis, Invite: true}.ICS(time.Now()))
	if strings.Count(b, "BEGIN:STANDARD") != 1 || strings.Contains(b, "DAYLIGHT") {
		t.Fatalf("a zone without DST should have one STANDARD:\n%s", b)
	}
}

// A relay that drops the connection under a batch: the sender dials again
// and the rest of the batch goes out, rather than each message failing
// untried on the dead connection.
func TestDroppedConnectionRedials(t *testing.T) {
	sink := startSink(t, smtpsink.Options{
		DropAfterData: func(r smtpsink.Received) bool { return strings.HasPrefix(r.To[0], "silent") },
	})
	sender := &suivimail.SMTPSender{Server: suivimail.SMTP{Host: "127.0.0.1", Port: sink.Port(), TLS: "none", Timeout: 5 * time.Second}}
	var batch []suivimail.Email
	for _, to := range []string{"silent@example.org", "ok@example.org", "silent2@example.org", "ok2@example.org"} {
		e := email(suivimail.Rendered{Subject: "s", Text: "t"})
		e.To, e.Key = to, "k|"+to
		batch = append(batch, e)
	}
	res, err := suivimail.SendAll(context.Background(), sender, batch)
	if err != nil {
		t.Fatal(err)
	}
	want := []suivimail.Outcome{suivimail.Uncertain, suivimail.Sent, suivimail.Uncertain, suivimail.Sent}
	for i, w := range want {
		if res[i].Outcome != w {
			t.Errorf("%s: %v (%v), want %v", batch[i].To, res[i].Outcome, res[i].Err, w)
		}
	}
	if sink.Connections() != 3 {
		t.Errorf("%d connections, want 3 (one, and one after each drop)", sink.Connections())
	}
}
