package web

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/api"
)

// BenchmarkDecodeAction measures what the duplicate-key check costs on a
// typical action body, beside the bare decoder it guards (the baseline).
func BenchmarkDecodeAction(b *testing.B) {
	body := []byte(`{"actor": "mentor@example.org", "milestone": "demo", "url": "https://demo.example.org/demoscampi", "note": "` +
		strings.Repeat("Très bien, la démo tourne. ", 40) + `", "update_id": "click-1"}`)
	b.Run("baseline-json-decode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var a api.Action
			r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
			dec := json.NewDecoder(r.Body)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&a); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("suivi-decodeJSON", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var a api.Action
			r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
			if err := decodeJSON(r, &a); err != nil {
				b.Fatal(err)
			}
		}
	})
}
