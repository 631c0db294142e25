package web

import (
	"embed"
	"html/template"
	"net/http"
	"strings"

	"github.com/codecitoyen/suivi/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

var indexTemplate = template.Must(template.ParseFS(templateFS, "templates/index.html"))

// indexText is the page's wording in each language Suivi speaks.
type indexText struct {
	Intro, Programs, Program, Name, Phase, City, Started, None string
}

var indexTexts = map[string]indexText{
	"fr": {
		Intro:    "Suivi accompagne les projets de la Nuit du Code Citoyen après le hackathon : jalons, rencontres mensuelles, rappels.",
		Programs: "Programmes", Program: "Programme", Name: "Nom", Phase: "Étape", City: "Ville", Started: "Début",
		None: "Aucun programme pour l’instant. Pour en démarrer un :",
	},
	"en": {
		Intro:    "Suivi keeps accompanying the projects of La Nuit du Code Citoyen after the hackathon: milestones, monthly meetups, reminders.",
		Programs: "Programs", Program: "Program", Name: "Name", Phase: "Phase", City: "City", Started: "Started",
		None: "No programs yet. To start one:",
	},
}

// lang picks French unless the browser prefers English.
func lang(r *http.Request) string {
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

func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	// The public sees no program here (the board is opt-in); a signed-in
	// person, the programs they may view.
	list := []store.Program{}
	var err error
	if viewer(r) != nil {
		list, err = h.visiblePrograms(r, store.ProgramFilter{})
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	l := lang(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", l)
	if err := indexTemplate.Execute(w, struct {
		Lang     string
		T        indexText
		Programs []store.Program
	}{l, indexTexts[l], list}); err != nil {
		h.Logger.Error("render index", "error", err)
	}
}
