package web

import (
	"embed"
	"html/template"
	"maps"
	"net/http"
	"net/url"
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
// the open calls; for someone signed in, the programs they may view, a
// page at a time.
type indexData struct {
	SignedIn bool
	Programs []store.Program
	// Rows are Programs drawn (html.go).
	Rows template.HTML
	// Page is the number of this page of Programs; PrevURL and NextURL
	// lead to the pages around it ("" on the first, on the last).
	Page             int
	PrevURL, NextURL string
	Board            []boardEntry
	// BoardMore says the board has more programs than the home page shows.
	BoardMore bool
	Calls     []callInfo
}

// homeBoardSize is how many public programs the home page shows before
// linking to the whole board.
const homeBoardSize = 6

// HomePageSize is how many programs one page of the home page lists.
const HomePageSize = 50

func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	d := indexData{SignedIn: viewer(r) != nil}
	var err error
	var heads []store.Edition
	if d.SignedIn {
		k, err := readKeyset(r.URL.Query())
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		s, counts, err := h.viewScope(r.Context(), viewer(r), func(b *store.Batch) { b.EditionHeads(&heads) })
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		// Each row is decided by auth.Can(ViewProgram) too.
		f := store.ProgramFilter{Scope: s, Brief: true}
		f.Few = fewOf(counts, f, HomePageSize+1)
		pg, err := h.readPage(r, f, k, HomePageSize)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		d.Programs, d.Page = pg.Rows, pg.Page
		d.Rows = indexRows(lang(r), pg.Rows)
		d.PrevURL, d.NextURL = pageURL("/", r.URL.Query(), pg.Prev, "#programs"), pageURL("/", r.URL.Query(), pg.Next, "#programs")
	} else {
		var board []store.Program
		var b store.Batch
		b.PublicBoard(homeBoardSize+1, &board)
		b.EditionHeads(&heads)
		if err := h.Store.Send(r.Context(), &b); err != nil {
			h.writeError(w, r, err)
			return
		}
		d.BoardMore = len(board) > homeBoardSize
		d.Board = h.boardEntries(r, board[:min(len(board), homeBoardSize)])
	}
	if d.Calls, err = h.callsOf(r, heads); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "index", h.page(r, "Suivi", d))
}

// pageURL is the address of page k of the list at path with the query
// q (nil k: "").
func pageURL(path string, q url.Values, k *keyset, fragment string) string {
	if k == nil {
		return ""
	}
	q = maps.Clone(q)
	if q == nil {
		q = url.Values{}
	}
	k.set(q)
	if len(q) == 0 {
		return path + fragment
	}
	return path + "?" + q.Encode() + fragment
}
