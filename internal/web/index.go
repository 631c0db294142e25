package web

import (
	"embed"
	"net/http"
	"strings"

	"github.com/codecitoyen/suivi/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

// langCookie remembers the language a person chose with the switch link;
// without it, the browser's Accept-Language decides.
const langCookie = "suivi_lang"

// lang picks the language of a page: the one chosen with the switch, else
// French unless the browser prefers English.
func lang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "fr" || c.Value == "en") {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "fr"):
			return "fr"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "fr"
}

// indexData is the home page: for the public, what Suivi is, the board and
// the open calls; for someone signed in, the programs they may view.
type indexData struct {
	SignedIn bool
	Programs []store.Program
	Board    []boardEntry
	// BoardMore says the board has more programs than the home page shows.
	BoardMore bool
	Calls     []callInfo
}

// homeBoardSize is how many public programs the home page shows before
// linking to the whole board.
const homeBoardSize = 6

func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	d := indexData{SignedIn: viewer(r) != nil}
	var err error
	if d.SignedIn {
		// Each row is decided by auth.Can(ViewProgram).
		if d.Programs, err = h.visiblePrograms(r, store.ProgramFilter{}); err != nil {
			h.writeError(w, r, err)
			return
		}
	} else {
		board, err := h.publicBoard(r)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		d.BoardMore = len(board) > homeBoardSize
		d.Board = board[:min(len(board), homeBoardSize)]
	}
	if d.Calls, err = h.calls(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "index", h.page(r, "Suivi", d))
}
