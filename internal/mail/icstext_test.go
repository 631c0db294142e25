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
