package validate_test

import (
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/validate"
)

func TestQuoteCutsLongInput(t *testing.T) {
	if got := validate.Quote("ncc-2027"); got != `"ncc-2027"` {
		t.Errorf("short: %s", got)
	}
	long := strings.Repeat("é", 100_000)
	got := validate.Quote(long)
	if len(got) > 120 || !strings.Contains(got, "(100000 characters)") {
		t.Errorf("long input quoted as %d bytes: %.80s", len(got), got)
	}
	if got := validate.Quote("a\xffb"); !strings.Contains(got, `\ufffd`) && !strings.Contains(got, "�") {
		t.Errorf("invalid UTF-8 kept: %s", got)
	}
}

func TestPrintableEscapesTerminalTricks(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                     "plain",
		"Démocratie":                "Démocratie",
		"x\x1b[2K\rPhase graduated": `x\x1b[2K\x0dPhase graduated`,
		"a\u202Eevil":               `a\u202eevil`,
		"tab\there":                 `tab\x09here`,
		"bad\xffutf8":               `bad\ufffdutf8`,
	} {
		if got := validate.Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}
