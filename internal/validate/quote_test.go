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

func TestNamesAndAddressesRefuseInvisibleTricks(t *testing.T) {
	for _, bad := range []string{"gro.live\u202e@x.org", "a\u2066b@x.org", "a\u200fb@example.org"} {
		if _, err := validate.Email(bad); err == nil {
			t.Errorf("Email(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"\u200b", "\u200b\u200b ", "a\u202eb"} {
		if _, err := validate.Text("name", bad, true, 120); err == nil {
			t.Errorf("Text(%q) accepted", bad)
		}
	}
	if v, err := validate.Text("name", " Démocratie et crustacés ", true, 120); err != nil || v != "Démocratie et crustacés" {
		t.Errorf("a real name: %q %v", v, err)
	}
}
