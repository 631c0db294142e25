package web_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/codecitoyen/suivi/internal/api"
)

// GET /api/v1/programs comes in pages, in (edition, project) order, each
// pointing to the next; a bad limit or cursor is a 400.
func TestProgramListPages(t *testing.T) {
	f := newFixture(t, nil)
	as := map[string]string{"Authorization": "Bearer " + f.tokens[global]}
	var keys []string
	path := "/api/v1/programs?limit=2"
	for range 5 {
		a := send(t, f.srv, "GET", path, "", "", as)
		if a.status != http.StatusOK {
			t.Fatalf("%s = %d %s", path, a.status, a.body)
		}
		var page api.ProgramList
		if err := json.Unmarshal([]byte(a.body), &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Programs) > 2 {
			t.Fatalf("%s gave %d programs", path, len(page.Programs))
		}
		for _, p := range page.Programs {
			keys = append(keys, p.Edition+"/"+p.Project)
		}
		if page.Next == "" {
			break
		}
		path = "/api/v1/programs?limit=2&after=" + page.Next
	}
	if len(keys) != 3 || keys[0] != "ncc-2027/autre" || keys[1] != "ncc-2027/candidat" || keys[2] != "ncc-2027/demoscampi" {
		t.Fatalf("pages gave %v, want the three programs once each, in order", keys)
	}
	for _, bad := range []string{"?limit=0", "?limit=501", "?limit=x", "?after=nope"} {
		if a := send(t, f.srv, "GET", "/api/v1/programs"+bad, "", "", as); a.status != http.StatusBadRequest {
			t.Errorf("%s = %d, want 400", bad, a.status)
		}
	}
}
