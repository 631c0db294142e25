package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/internal/pgtest"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestIndexSpeaksFrenchAndEnglish(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, web.Deps{Store: st})
	defer srv.Close()

	get := func(acceptLanguage string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		req.Header.Set("Authorization", bearer(srv))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(""); code != 200 || !strings.Contains(body, "Aucun programme") || !strings.Contains(body, `lang="fr"`) {
		t.Fatalf("empty index, default language = %d:\n%s", code, body)
	}
	if err := st.UpsertProgram(ctx, store.Program{Edition: "ncc-2027", Project: "demoscampi", Name: "Démocratie & crustacés",
		Phase: "applied", WorkflowID: "program/ncc-2027/demoscampi", StartedAt: time.Now(), Seq: 1}); err != nil {
		t.Fatal(err)
	}
	code, body := get("en-GB,en;q=0.9,fr;q=0.5")
	if code != 200 || !strings.Contains(body, "Programs") || !strings.Contains(body, "ncc-2027/demoscampi") ||
		!strings.Contains(body, "Démocratie &amp; crustacés") || !strings.Contains(body, `lang="en"`) {
		t.Fatalf("index in English with a program = %d:\n%s", code, body)
	}
	if code, body := get("fr-FR"); code != 200 || !strings.Contains(body, "Programmes") {
		t.Fatalf("index in French = %d:\n%s", code, body)
	}
	if code, _ := get("de"); code != 200 {
		t.Fatalf("index for an unknown language = %d", code)
	}
}
