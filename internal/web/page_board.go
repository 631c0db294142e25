package web

import (
	"net/http"

	"github.com/codecitoyen/suivi/internal/store"
)

// boardEntry is what the public board says of a program whose holders
// opted in: the project as presented, never its people.
type boardEntry struct {
	Edition, Project, Name, Summary, City, Theme, Phase string
	Repositories                                        []string
}

// publicBoard lists the programs on the public board: opted in by their
// holders (store.Program.Public), and not rejected.
func (h *handler) publicBoard(r *http.Request) ([]boardEntry, error) {
	list, err := h.Store.PublicBoard(r.Context(), 0)
	if err != nil {
		return nil, err
	}
	return h.boardEntries(r, list), nil
}

// boardEntries are public programs as the board shows them.
func (h *handler) boardEntries(r *http.Request, list []store.Program) []boardEntry {
	l := lang(r)
	eds := h.editions(r.Context())
	var out []boardEntry
	for _, p := range list {
		out = append(out, boardEntry{Edition: p.Edition, Project: p.Project, Name: p.Name, Summary: p.Summary,
			City: p.City, Theme: eds.themeTitle(p.Edition, p.Theme, l), Phase: p.Phase, Repositories: p.Repositories})
	}
	return out
}

// board is the public project board.
func (h *handler) board(w http.ResponseWriter, r *http.Request) {
	entries, err := h.publicBoard(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "board", h.page(r, tr(lang(r), "board.title"), entries))
}
