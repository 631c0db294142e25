package report

import (
	"strings"
	"testing"
)

// Names in scripts the Go fonts lack, and emoji, print as "?" instead of
// failing the whole report (fpdf refuses characters beyond U+FFFF) or
// printing empty boxes; French, Polish, Greek and Cyrillic stay whole.
func TestPDFPrintsAnyName(t *testing.T) {
	r := sampleReport(3, "fr")
	r.Title = "Fusée 🚀 بلدية تونس 東京都"
	r.Programs[0].Name = "Żółć Ελληνικά Кириллица — démo"
	r.Programs[1].Name = "𝐀𝐁 😀"
	_, file := renderPDF(t, r)
	if r.Programs[1].Name != "𝐀𝐁 😀" {
		t.Fatal("PDF changed the report it was given")
	}
	if got := drawableText("Fusée 🚀 بلد"); got != "Fusée ? ???" {
		t.Errorf("drawableText = %q", got)
	}
	if text := strings.Join(strings.Fields(pdfText(t, file)), " "); text != "" {
		for _, want := range []string{"Żółć Ελληνικά Кириллица — démo", "Fusée ?"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF lacks %q", want)
			}
		}
	}
}
