package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/github"
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
	if _, _, ok := h.program(w, r, edition, project, auth.ViewProgram); !ok {
		return
	}
	repos, err := h.Store.ProgramRepos(r.Context(), edition, project)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	now := h.now()
	names := make([]string, len(repos))
	archived := len(repos) > 0
	var oldest time.Time
	for i, rp := range repos {
		names[i] = rp.Name
		archived = archived && rp.Archived
		if !rp.CreatedAt.IsZero() && (oldest.IsZero() || rp.CreatedAt.Before(oldest)) {
			oldest = rp.CreatedAt
		}
	}
	since := now.AddDate(0, 0, -max(days, int(github.Window.Hours()/24)))
	hist, err := h.Store.RepoHistory(r.Context(), names, since)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if repos == nil {
		repos = []store.Repo{}
	}
	writeJSON(w, http.StatusOK, api.RepoActivity{Repos: repos, Metrics: github.Compute(now, days, hist, archived, oldest)})
}
