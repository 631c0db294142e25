package web

import (
	"html/template"
	"net/http"

	"github.com/codecitoyen/suivi/internal/auth"
)

var programTemplate = template.Must(template.ParseFS(templateFS, "templates/program.html"))

type programText struct {
	Phase, Paused, Steps, Step, Due, Status, Evidence, Undelivered string
}

var programTexts = map[string]programText{
	"fr": {Phase: "Étape", Paused: "en pause", Steps: "Jalons", Step: "Jalon", Due: "Échéance", Status: "État",
		Evidence: "Livrable", Undelivered: "Messages non remis"},
	"en": {Phase: "Phase", Paused: "paused", Steps: "Milestones", Step: "Milestone", Due: "Due", Status: "Status",
		Evidence: "Deliverable", Undelivered: "Undelivered messages"},
}

// programPage is where emails link to: a program's steps and what could not
// be delivered.
func (h *handler) programPage(w http.ResponseWriter, r *http.Request) {
	edition, project, err := programPath(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if _, _, ok := h.program(w, r, edition, project, auth.ViewProgram); !ok {
		return
	}
	p, err := h.Store.GetProgram(r.Context(), edition, project)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	undelivered, err := h.Store.Undelivered(r.Context(), edition, project)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	l := lang(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = programTemplate.Execute(w, map[string]any{"Lang": l, "T": programTexts[l], "P": p, "Undelivered": undelivered})
}
