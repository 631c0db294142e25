package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/report"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/worker"
)

// Limits of a funder, documented in the README.
const (
	MaxFunderName     = 120
	MaxFunderContacts = 20
)

// funderRequest checks a funder's body and returns it in canonical form.
func funderRequest(req api.FunderRequest) (store.Funder, error) {
	var problems []string
	f := store.Funder{Slug: req.Slug, Lang: req.Lang}
	if err := validate.Slug("funder slug", req.Slug); err != nil {
		problems = append(problems, err.Error())
	}
	name, err := validate.Text("name", req.Name, true, MaxFunderName)
	if err != nil {
		problems = append(problems, err.Error())
	}
	f.Name = name
	switch f.Lang {
	case "":
		f.Lang = "fr"
	case "fr", "en":
	default:
		problems = append(problems, fmt.Sprintf("lang %s: say fr or en", validate.Quote(req.Lang)))
	}
	switch {
	case len(req.Contacts) == 0:
		problems = append(problems, "contacts: at least one email address is required, to receive the report")
	case len(req.Contacts) > 10*MaxFunderContacts:
		// Refused before reading each: a list of thousands costs nothing.
		problems = append(problems, fmt.Sprintf("%d contacts: a funder has at most %d", len(req.Contacts), MaxFunderContacts))
	default:
		for _, c := range req.Contacts {
			addr, err := validate.Email(c)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			addr = strings.ToLower(addr)
			if !slices.Contains(f.Contacts, addr) {
				f.Contacts = append(f.Contacts, addr)
			}
		}
		// Counted once duplicates (in any case) are merged.
		if len(f.Contacts) > MaxFunderContacts {
			problems = append(problems, fmt.Sprintf("%d contacts: a funder has at most %d", len(f.Contacts), MaxFunderContacts))
		}
	}
	if len(problems) > 0 {
		return f, &httpError{status: http.StatusBadRequest, msg: strings.Join(problems, "; "), list: problems}
	}
	return f, nil
}

func funderView(f store.Funder, months []string) api.FunderView {
	v := api.FunderView{Slug: f.Slug, Name: f.Name, Lang: f.Lang, Contacts: f.Contacts, Programs: f.Programs, Reports: months, Readers: f.Readers}
	for _, l := range []*[]string{&v.Contacts, &v.Programs, &v.Reports, &v.Readers} {
		if *l == nil {
			*l = []string{}
		}
	}
	return v
}

// funderList lists every funder (coordinators of every city).
func (h *handler) funderList(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.ManageFunders) {
		return
	}
	list, err := h.Store.ListFunders(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]api.FunderView, 0, len(list))
	for _, f := range list {
		out = append(out, funderView(f, nil))
	}
	writeJSON(w, http.StatusOK, out)
}

// funderAdd adds a funder and its monthly Schedule.
func (h *handler) funderAdd(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.ManageFunders) {
		return
	}
	var req api.FunderRequest
	if err := decodeJSON(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	f, err := funderRequest(req)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// The Schedule first: it is idempotent, and one whose funder is
	// missing does nothing. A funder without its Schedule would get no
	// report, silently.
	if err := worker.EnsureFunderSchedule(r.Context(), h.Temporal, f.Slug); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.Store.AddFunder(r.Context(), f, viewer(r).Email); err != nil {
		h.writeError(w, r, err)
		return
	}
	f.Programs, f.Readers = []string{}, f.Contacts
	writeJSON(w, http.StatusCreated, funderView(f, nil))
}

// funderSet changes a funder's name, language and contacts.
func (h *handler) funderSet(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	current, ok := h.funder(w, r, slug, auth.ManageFunders)
	if !ok {
		return
	}
	var req api.FunderRequest
	if err := decodeJSON(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if req.Slug != "" && req.Slug != slug {
		h.writeError(w, r, badRequest("the body names funder %s but the path %s; a funder's slug cannot change", validate.Quote(req.Slug), validate.Quote(slug)))
		return
	}
	req.Slug = slug
	if req.Lang == "" {
		req.Lang = current.Lang // a change of name keeps the language
	}
	f, err := funderRequest(req)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.Store.SetFunder(r.Context(), f, viewer(r).Email); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.funderGet(w, r)
}

// funder loads a funder for action a: one the viewer may not see is "not
// found", as one that does not exist; one they see but may not change is
// 403.
func (h *handler) funder(w http.ResponseWriter, r *http.Request, slug string, a auth.Action) (store.Funder, bool) {
	if err := validate.Slug("funder", slug); err != nil {
		h.writeError(w, r, badRequest("%v", err))
		return store.Funder{}, false
	}
	obj := &auth.Program{Funders: []string{slug}}
	who := viewer(r)
	if !auth.Can(who, auth.FunderReport, obj) {
		h.writeError(w, r, noFunder(slug))
		return store.Funder{}, false
	}
	f, err := h.Store.GetFunder(r.Context(), slug)
	if errors.Is(err, store.ErrNotFound) {
		h.writeError(w, r, noFunder(slug))
		return store.Funder{}, false
	}
	if err != nil {
		h.writeError(w, r, err)
		return store.Funder{}, false
	}
	if a != auth.FunderReport && !auth.Can(who, a, obj) {
		h.writeError(w, r, &httpError{status: http.StatusForbidden, msg: "you may read this funder's reports but not change it; ask a coordinator"})
		return store.Funder{}, false
	}
	return f, true
}

func noFunder(slug string) error {
	return &httpError{status: http.StatusNotFound, msg: "no funder " + validate.Quote(slug) + "; see `suivi funder list`"}
}

// funderGet shows a funder, its programs and the months reported.
func (h *handler) funderGet(w http.ResponseWriter, r *http.Request) {
	f, ok := h.funder(w, r, r.PathValue("slug"), auth.FunderReport)
	if !ok {
		return
	}
	months, err := h.Store.FunderReports(r.Context(), f.Slug)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, funderView(f, months))
}

// reportFormat reads ?format= (json on the API, html on pages).
func reportFormat(r *http.Request, def string) (string, error) {
	f := r.URL.Query().Get("format")
	if f == "" {
		return def, nil
	}
	allowed := []string{"json", "html", "pdf", "csv"}
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		allowed = []string{"html", "pdf", "csv"}
	}
	if !slices.Contains(allowed, f) {
		return "", badRequest("format %s: say %s", validate.Quote(f), strings.Join(allowed, ", "))
	}
	return f, nil
}

// funderReport answers a funder's report for a month, as stored once sent,
// else computed from what was known at the month's end: the API's JSON (or
// a file), or the page.
func (h *handler) funderReport(w http.ResponseWriter, r *http.Request) {
	f, ok := h.funder(w, r, r.PathValue("slug"), auth.FunderReport)
	if !ok {
		return
	}
	def := "json"
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		def = "html" // the page, /funders/{slug}/reports/{month}
	}
	format, err := reportFormat(r, def)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	month := r.PathValue("month")
	if _, _, err := report.ParseMonth(month); err != nil {
		h.writeError(w, r, badRequest("%v", err))
		return
	}
	if !h.reportSlot(w, r) {
		return
	}
	defer func() { <-h.reports }()
	files, err := report.ForFunder(r.Context(), h.Store, f.Slug, month, h.now(), false)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeReport(w, r, files, format)
}

// reportSlot waits for one of the ReportsAtOnce places to build a report;
// when the request's time runs out first, it answers 503.
func (h *handler) reportSlot(w http.ResponseWriter, r *http.Request) bool {
	select {
	case h.reports <- struct{}{}:
		return true
	case <-r.Context().Done():
		h.writeError(w, r, unavailable("reports are being built for others; try again in a moment"))
		return false
	}
}

// editionReport answers an edition's report (?month=, ?city=, ?lang=) for
// its coordinators: those of every city, or of the city asked.
func (h *handler) editionReport(w http.ResponseWriter, r *http.Request) {
	id, q := r.PathValue("edition"), r.URL.Query()
	if err := validate.Slug("edition", id); err != nil {
		h.writeError(w, r, badRequest("%v", err))
		return
	}
	city := q.Get("city")
	if !auth.Can(viewer(r), auth.EditionReport, &auth.Program{Edition: id, City: city}) {
		msg := "not found"
		if city == "" && auth.Can(viewer(r), auth.Dashboard, nil) {
			// A city's coordinator asked for every city: say how to ask.
			msg = "a report on every city is for coordinators of every city; name your city (city= in the API, --city in the CLI)"
		}
		h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: msg})
		return
	}
	if l := q.Get("lang"); l != "" && l != "fr" && l != "en" {
		h.writeError(w, r, badRequest("lang %s: say fr or en", validate.Quote(l)))
		return
	}
	if city != "" {
		e, err := h.Store.GetEdition(r.Context(), id)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		ed, err := e.Decode()
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if _, ok := ed.City(city); !ok {
			h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "edition " + id + " has no city " + validate.Quote(city)})
			return
		}
	}
	def := "json"
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		def = "html"
	}
	format, err := reportFormat(r, def)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	month := q.Get("month")
	if month == "" {
		month = report.PreviousMonth(h.now())
	}
	if _, _, err := report.ParseMonth(month); err != nil {
		h.writeError(w, r, badRequest("%v", err))
		return
	}
	l := q.Get("lang")
	if l != "en" && l != "fr" {
		l = lang(r)
	}
	if !h.reportSlot(w, r) {
		return
	}
	defer func() { <-h.reports }()
	files, err := report.ForEdition(r.Context(), h.Store, id, city, month, l, h.now())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeReport(w, r, files, format)
}

// writeReport sends a report in a format: JSON figures, the PDF or CSV as
// a download, or the HTML page.
func (h *handler) writeReport(w http.ResponseWriter, r *http.Request, f *report.Files, format string) {
	name := report.FileBase(f.Report)
	hd := w.Header()
	switch format {
	case "json":
		hd.Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, f.Report)
	case "pdf", "csv":
		ctype, data := "application/pdf", f.PDF
		if format == "csv" {
			ctype, data = "text/csv; charset=utf-8", f.CSV
		}
		hd.Set("Content-Type", ctype)
		hd.Set("Content-Disposition", `attachment; filename="`+name+"."+format+`"`)
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(data)
	case "html":
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			h.reportPage(w, r, f)
			return
		}
		// The API's HTML is a file to keep, not a page of this site.
		doc, err := report.HTMLDocument(f)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		hd.Set("Content-Type", "text/html; charset=utf-8")
		hd.Set("Content-Disposition", `attachment; filename="`+name+`.html"`)
		hd.Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(doc)
	}
}
