package mail

import (
	"strings"
	"testing"
	"time"
)

// A carriage return in a summary never reaches the .ics raw, whoever
// called: it is escaped here, not only refused upstream.
func TestCalendarTextEscapesLineBreaks(t *testing.T) {
	at := time.Date(2027, 4, 6, 17, 0, 0, 0, time.UTC)
	for _, summary := range []string{"Demo\rATTENDEE:mailto:evil@example.org", "Demo\r\nX-EVIL:1", "Demo\nX-EVIL:1"} {
		out := string(Event{UID: "u@example.org", Summary: summary, Location: "Lyon\rX", Start: at, AllDay: true}.ICS(at))
		for _, line := range strings.Split(out, "\r\n") {
			if strings.ContainsRune(line, '\r') || strings.ContainsRune(line, '\n') {
				t.Fatalf("a raw line break inside a line: %q", line)
			}
			if strings.HasPrefix(line, "X-EVIL") || strings.HasPrefix(line, "ATTENDEE:mailto:evil") {
				t.Fatalf("%q made a property of its own:\n%s", summary, out)
			}
		}
		if !strings.Contains(out, `SUMMARY:Demo\n`) {
			t.Errorf("summary %q not escaped as \\n:\n%s", summary, out)
		}
	}
}

// The button of a sign-in email says sign in, not "open the program".
func TestSignInEmailButton(t *testing.T) {
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"fr": "Me connecter", "en": "Sign in"} {
		r, err := tpl.Render("login-link", Data{Lang: lang, Link: "https://suivi.example.org/signin/confirm?t=x"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.HTML, want) || strings.Contains(r.HTML, "programme") || strings.Contains(r.HTML, "program's") {
			t.Errorf("%s sign-in email's button: %s", lang, r.HTML)
		}
	}
}
