package web

import (
	"net/http"
	"strconv"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
)

// repoActivity answers a program's repository metrics, from what the
// watcher recorded; it never calls GitHub itself.
func (h *handler) repoActivity(w http.ResponseWriter, r *http.Request) {
	edition, project, err := programPath(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	days := 90
	if v := r.URL.Query().Get("days"); v != "" {
		if days, err = strconv.Atoi(v); err != nil || days < 7 || days > 730 {
			h.writeError(w, r, badRequest("days must be a whole number from 7 to 730"))
			return
		}
	}
	p, _, ok := h.program(w, r, edition, project, auth.ViewProgram)
	if !ok {
		return
	}
	act, err := h.programActivity(r.Context(), p, days, h.now())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if act.Repos == nil {
		act.Repos = []store.Repo{}
	}
	writeJSON(w, http.StatusOK, api.RepoActivity{Repos: act.Repos, Metrics: act.Metrics})
}
