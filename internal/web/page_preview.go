package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

// mailTemplates are the email templates, parsed once, for previews.
var mailTemplates = func() *mail.Templates {
	t, err := mail.LoadTemplates()
	if err != nil {
		panic("web: mail templates: " + err.Error())
	}
	return t
}()

// previewKinds are the kinds the dashboard plans, hence previews.
var (
	previewKinds = []string{"due-in-7-days", "due-tomorrow", "due-today", "escalate-mentors", "escalate-coordinators"}
	overdueRE    = regexp.MustCompile(`^overdue-week-([1-9][0-9]{0,2})$`)
)

type previewData struct {
	Program   store.Program
	Kind, To  string
	Milestone store.Milestone
	Due       string
	Person    store.Person
	// Held says the recipient's choice keeps this reminder back: "digest"
	// (it joins their weekly digest) or "escalations" (not sent).
	Held     string
	Rendered mail.Rendered
}

// preview shows a planned message as its recipient will read it: the
// mail templates, in the recipient's language, with the program's own
// words. Its personal preferences link is left out: a preview must not
// hand a coordinator someone else's signed link.
func (h *handler) preview(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.Dashboard) {
		return
	}
	q := r.URL.Query()
	ed, project := q.Get("edition"), q.Get("project")
	if validate.Slug("edition", ed) != nil || validate.Slug("project", project) != nil {
		h.writeError(w, r, badRequest("name the program: edition and project"))
		return
	}
	if _, _, ok := h.program(w, r, ed, project, auth.ViewProgram); !ok {
		return
	}
	p, err := h.Store.GetProgram(r.Context(), ed, project)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	kind := q.Get("kind")
	days := 0
	if m := overdueRE.FindStringSubmatch(kind); m != nil {
		n, _ := strconv.Atoi(m[1])
		days = 7 * n
	} else if !slices.Contains(previewKinds, kind) {
		h.writeError(w, r, badRequest("no preview for kind %s", validate.Quote(kind)))
		return
	}
	switch kind {
	case "escalate-mentors":
		days = activities.EscalateMentorsAfter
	case "escalate-coordinators":
		days = activities.EscalateCoordinatorsAfter
	}
	i := slices.IndexFunc(p.Milestones, func(m store.Milestone) bool { return m.ID == q.Get("milestone") })
	if i < 0 {
		h.writeError(w, r, badRequest("the program has no step %s", validate.Quote(q.Get("milestone"))))
		return
	}
	m := p.Milestones[i]
	due, err := edition.ParseDate(q.Get("due"))
	if err != nil {
		h.writeError(w, r, badRequest("due: %v", err))
		return
	}
	snap, err := h.editions(r.Context()).snapshot(p.Edition, p.City)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	to := strings.TrimSpace(q.Get("to"))
	people := slices.Concat(p.Holders, p.Mentors)
	if snap != nil {
		people = append(people, snap.Coordinators...)
	}
	if !slices.ContainsFunc(people, func(s string) bool { return strings.EqualFold(s, to) }) {
		h.writeError(w, r, badRequest("%s gets no message of this program", validate.Quote(to)))
		return
	}
	person, err := h.Store.GetPerson(r.Context(), to)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ml := person.Locale
	md := mail.Data{Lang: ml, Program: p.Name, Edition: p.Edition, City: p.City, Phase: p.Phase,
		Milestone: m.TitleFR, Evidence: mail.EvidenceText(m.Evidence, ml), Due: mail.FormatDate(string(due), ml), Days: days,
		Link: h.baseURL(r) + "/programs/" + url.PathEscape(p.Edition) + "/" + url.PathEscape(p.Project)}
	if ml == "en" {
		md.Milestone = m.TitleEN
	}
	rendered, err := mailTemplates.Render(kind, md)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	d := previewData{Program: p, Kind: kind, To: to, Milestone: m, Due: string(due), Person: person, Rendered: rendered}
	if mail.IsReminder(kind) && person.Reminders != "all" {
		d.Held = person.Reminders
	}
	l := lang(r)
	h.render(w, r, http.StatusOK, "preview", h.page(r, tr(l, "preview.title"), d))
}

// baseURL is this site's address as the browser reached it: https when
// Suivi is served over https (the session cookie is Secure then).
func (h *handler) baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || h.SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
