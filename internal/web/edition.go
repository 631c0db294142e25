package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/worker"
)

// editionApply stores an edition file (YAML body) as a new version, unless
// it is unchanged, and puts its cities' meetup schedules in place.
func (h *handler) editionApply(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.ApplyEdition) {
		return
	}
	data, err := io.ReadAll(r.Body) // bounded by guard
	if err != nil {
		h.writeError(w, r, fmt.Errorf("read the edition file: %w", err))
		return
	}
	ed, err := edition.Parse(data)
	var list edition.ErrorList
	if errors.As(err, &list) {
		h.writeError(w, r, &httpError{status: http.StatusBadRequest, msg: problemCount(len(list)) + "; nothing was stored", list: list.Strings()})
		return
	}
	if err != nil {
		h.writeError(w, r, badRequest("%v", err))
		return
	}
	spec, err := json.Marshal(ed)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if h.Temporal == nil {
		h.writeError(w, r, unavailable("temporal is not connected"))
		return
	}
	// Schedules first: if Temporal is down, nothing is stored and the
	// coordinator simply applies the file again.
	n, err := worker.EnsureMeetupSchedules(r.Context(), h.Temporal, ed)
	if err != nil {
		h.writeError(w, r, &httpError{status: http.StatusServiceUnavailable, msg: "Temporal could not put the meetup schedules in place; nothing was stored, apply the file again in a moment", cause: err})
		return
	}
	version, changed, err := h.Store.ApplyEdition(r.Context(), ed.ID, ed.Hash(), spec)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if changed {
		status = http.StatusCreated
	}
	writeJSON(w, status, api.AppliedEdition{ID: ed.ID, Version: version, Changed: changed, Schedules: n})
}

func (h *handler) editionGet(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.ViewEdition) {
		return
	}
	id := r.PathValue("id")
	if err := validate.Slug("edition", id); err != nil {
		h.writeError(w, r, badRequest("%v", err))
		return
	}
	rec, err := h.Store.GetEdition(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "edition " + id + " does not exist; apply its file with `suivi edition apply FILE`"})
		return
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ed, err := rec.Decode()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.EditionDetail{Version: rec.Version, Hash: rec.Hash, AppliedAt: rec.AppliedAt, End: ed.End(), Edition: *ed})
}

func (h *handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func cityNames(ed *edition.Edition) string {
	names := make([]string, len(ed.Cities))
	for i, c := range ed.Cities {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

func themeIDs(ed *edition.Edition) string {
	ids := make([]string, len(ed.Themes))
	for i, t := range ed.Themes {
		ids[i] = t.ID
	}
	return strings.Join(ids, ", ")
}

// problemCount says how many problems an edition file has; Parse stops
// listing after edition.MaxErrors and adds a line saying how many more.
func problemCount(n int) string {
	if n > edition.MaxErrors {
		return fmt.Sprintf("the edition file has more than %d problems", edition.MaxErrors)
	}
	return fmt.Sprintf("the edition file has %d problem(s)", n)
}
