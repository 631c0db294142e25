package activities_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	suivimail "github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/smtpsink"
	"github.com/codecitoyen/suivi/internal/store"
)

// part is one leaf of a parsed message.
type part struct {
	ctype   string
	parents []string // the multipart types it sits in
	body    []byte
}

// walkMIME parses a message's body into its leaves with Go's mime and
// mime/multipart, failing on anything they refuse.
func walkMIME(t *testing.T, ctype string, body io.Reader, enc string, parents []string, out *[]part) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("content type %q: %v", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", mt, err)
			}
			walkMIME(t, p.Header.Get("Content-Type"), p, p.Header.Get("Content-Transfer-Encoding"), append(slices.Clone(parents), mt), out)
		}
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	switch strings.ToLower(enc) {
	case "base64":
		if raw, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(raw)), "")); err != nil {
			t.Fatalf("%s: base64: %v", mt, err)
		}
	case "quoted-printable":
		if raw, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw))); err != nil {
			t.Fatalf("%s: quoted-printable: %v", mt, err)
		}
	}
	*out = append(*out, part{ctype: ctype, parents: parents, body: raw})
}

// strictPython reads every .eml in dir with Python's email package
// (policy.strict) and its calendars with icalendar, and returns, per file,
// the defects found and each calendar's METHOD, UID, ORGANIZER and
// SUMMARY; nil when the machine lacks Debian's Python with icalendar (CI
// installs python3-icalendar).
func strictPython(t *testing.T, dir string) map[string]pyReport {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import icalendar").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s cannot import icalendar: install python3-icalendar", py)
		}
		t.Log("no Python with icalendar: messages checked with Go's parsers only")
		return nil
	}
	script := `
import sys, os, json, email, email.policy, icalendar
out = {}
for name in sorted(os.listdir(sys.argv[1])):
    raw = open(os.path.join(sys.argv[1], name), 'rb').read()
    m = email.message_from_bytes(raw, policy=email.policy.strict)
    defects = [str(d) for d in m.defects]
    cals = []
    for p in m.walk():
        defects += [p.get_content_type() + ': ' + str(d) for d in p.defects]
        if p.get_content_type() == 'text/calendar':
            cal = icalendar.Calendar.from_ical(p.get_payload(decode=True))
            for ev in cal.walk('VEVENT'):
                cals.append({'method': str(cal.get('METHOD')), 'uid': str(ev.get('UID')),
                             'organizer': str(ev.get('ORGANIZER', '')), 'summary': str(ev.get('SUMMARY')),
                             'in_alternative': p.get_content_disposition() is None})
    out[name] = {'defects': defects, 'calendars': cals, 'subject': str(m['subject'])}
print(json.dumps(out))
`
	b, err := exec.Command(py, "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("python email/icalendar: %v\n%s", err, b)
	}
	var out map[string]pyReport
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("python's answer: %v\n%s", err, b)
	}
	return out
}

type pyReport struct {
	Defects   []string `json:"defects"`
	Subject   string   `json:"subject"`
	Calendars []struct {
		Method, UID, Organizer, Summary string
		InAlternative                   bool `json:"in_alternative"`
	} `json:"calendars"`
}

// TestEveryKindParsesStrictly sends one message of every kind, in French
// and in English, through a real SMTP server, then reads each with Go's
// net/mail and mime/multipart and with Python's email (policy.strict) and
// icalendar: no defect anywhere, machine-written headers on every message,
// List-Unsubscribe only where the one-click unsubscribe stops the kind,
// meetup invitations as a text/calendar REQUEST alternative and as an
// attachment, every calendar with an ORGANIZER and a UID on the sender's
// domain, and its SUMMARY in the message's language.
func TestEveryKindParsesStrictly(t *testing.T) {
	a, st, sink := setup(t, smtpsink.Options{})
	ctx := context.Background()
	for _, p := range []store.Person{{Email: "fr@example.org", Locale: "fr"}, {Email: "en@example.org", Locale: "en"}} {
		if _, err := st.SetPerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	payloads := map[string]map[string]string{
		"meetup-invitation": {"at": "2027-04-06T17:00:00Z", "city": "Lyon", "time_zone": "Europe/Paris"},
		"login-link":        {"path": "/signin/confirm?t=l_secret"},
		"delivery-failed":   {"failed": "holder@example.org", "failed_kind": "due-today", "reason": "550 5.1.1 no such user"},
		"digest":            {"items": "Démocratie et crustacés — due-tomorrow\nDémocratie et crustacés — due-today"},
		"phase-changed":     {"phase": "accompaniment"},
		"dormant":           {"days": "90"},
	}
	tpl, _ := suivimail.LoadTemplates()
	var kinds []string
	for _, k := range tpl.Kinds() {
		if k == "funder-report" {
			continue // a stored report's email: cmd/suivi's TestFunderReportSentOnce parses it
		}
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var msgs []store.Message
	for _, k := range kinds {
		for _, to := range []string{"fr@example.org", "en@example.org"} {
			m := reminder(to, k)
			m.Payload = payloads[k]
			msgs = append(msgs, m)
		}
	}
	if _, err := a.Notify(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	for sink.Count() < len(msgs) {
		res, err := a.DeliverBatch(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if res.Sent == 0 {
			t.Fatalf("%d of %d messages sent; batch %+v", sink.Count(), len(msgs), res)
		}
	}
	dir := t.TempDir()
	kindOf := map[string]string{}
	for i, m := range sink.Messages() {
		name := filepath.Join(dir, fmt.Sprintf("%03d.eml", i))
		if err := os.WriteFile(name, m.Data, 0o600); err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatalf("net/mail: %v", err)
		}
		kind := msg.Header.Get("X-Suivi-Kind")
		kindOf[filepath.Base(name)] = kind + " to " + m.To[0]
		what := kind + " to " + m.To[0]
		for h, want := range map[string]string{"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"} {
			if got := msg.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", what, h, got, want)
			}
		}
		if !strings.HasSuffix(msg.Header.Get("Message-Id"), "@nuitducodecitoyen.example>") {
			t.Errorf("%s: Message-Id %q", what, msg.Header.Get("Message-Id"))
		}
		if has := msg.Header.Get("List-Unsubscribe") != ""; has != suivimail.Unsubscribable(kind) {
			t.Errorf("%s: List-Unsubscribe present = %v, but the unsubscribe stops it = %v", what, has, suivimail.Unsubscribable(kind))
		}
		if _, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
			t.Errorf("%s: subject: %v", what, err)
		}
		var parts []part
		walkMIME(t, msg.Header.Get("Content-Type"), msg.Body, msg.Header.Get("Content-Transfer-Encoding"), nil, &parts)
		var types []string
		for _, p := range parts {
			mt, _, _ := mime.ParseMediaType(p.ctype)
			types = append(types, mt)
			if mt == "text/calendar" && !bytes.Contains(p.body, []byte("ORGANIZER")) {
				t.Errorf("%s: a calendar without ORGANIZER:\n%s", what, p.body)
			}
		}
		if !slices.Contains(types, "text/plain") || !slices.Contains(types, "text/html") {
			t.Errorf("%s: parts %v, want text and HTML", what, types)
		}
		if kind == "meetup-invitation" {
			inAlt := false
			for _, p := range parts {
				if strings.HasPrefix(p.ctype, "text/calendar") && strings.Contains(p.ctype, "method=REQUEST") &&
					slices.Contains(p.parents, "multipart/alternative") {
					inAlt = true
				}
			}
			if !inAlt || strings.Count(strings.Join(types, " "), "text/calendar") != 2 {
				t.Errorf("%s: parts %v; want a text/calendar REQUEST alternative and the .ics attached", what, types)
			}
		}
	}
	py := strictPython(t, dir)
	for name, r := range py {
		what := kindOf[name]
		if len(r.Defects) > 0 {
			t.Errorf("%s: Python's strict email parser found %v", what, r.Defects)
		}
		for _, c := range r.Calendars {
			if !strings.HasSuffix(c.UID, "@nuitducodecitoyen.example") || c.Organizer == "" {
				t.Errorf("%s: calendar UID %q, ORGANIZER %q", what, c.UID, c.Organizer)
			}
			if strings.HasPrefix(what, "meetup-invitation to en@") && !strings.Contains(c.Summary, "Citizen Code Night") {
				t.Errorf("%s: SUMMARY %q is not English", what, c.Summary)
			}
		}
	}
	t.Logf("%d messages of %d kinds read by net/mail, mime/multipart%s", len(sink.Messages()), len(kinds),
		map[bool]string{true: ", Python email (strict) and icalendar", false: ""}[py != nil])
}
