package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/report"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/worker"
)

// reportView is a report's page: the figures, the summary chart as a PNG
// (the same picture the email and PDF show) and a sparkline per program.
type reportView struct {
	R *report.Report
	// Chart is the summary's PNG as a data: URL, made here from numbers
	// only, which is why it may be a template.URL.
	Chart template.URL
	// Self is the page's address, to which ?format=pdf or csv is added.
	Self     string
	Programs []reportProgram
}

type reportProgram struct {
	report.Program
	Spark *spark
}

// reportPage draws a report in the web app's layout.
func (h *handler) reportPage(w http.ResponseWriter, r *http.Request, f *report.Files) {
	rep := f.Report
	png, err := report.CommitsChart(rep.Summary.Weeks, rep.Lang)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	q.Del("format")
	self := r.URL.Path
	if len(q) > 0 {
		self += "?" + q.Encode() + "&"
	} else {
		self += "?"
	}
	v := reportView{R: rep, Chart: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), Self: self}
	for _, p := range rep.Programs {
		counts := make([]int, len(p.Health.Weeks))
		for i, wk := range p.Health.Weeks {
			counts[i] = wk.Commits
		}
		v.Programs = append(v.Programs, reportProgram{Program: p, Spark: sparkOf(counts)})
	}
	title := report.T(rep.Lang, "title.funder", rep.Title)
	if rep.Kind == "edition" {
		title = report.T(rep.Lang, "title.edition", rep.Title)
	}
	page := h.page(r, title, v)
	// The report is in its own language (a funder's is the funder's);
	// the page around it follows it, so the two never mix.
	page.Lang, page.OtherLang = rep.Lang, otherLang(rep.Lang)
	page.NoLangSwitch = rep.Kind == "funder"
	h.render(w, r, http.StatusOK, "report", page)
}

// funderPage lists a funder's programs and the months it can read.
func (h *handler) funderPage(w http.ResponseWriter, r *http.Request) {
	f, ok := h.funder(w, r, r.PathValue("slug"), auth.FunderReport)
	if !ok {
		return
	}
	stored, err := h.Store.FunderReports(r.Context(), f.Slug)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// The last complete month is readable before its report is sent.
	months := stored
	if last := report.PreviousMonth(h.now()); len(months) == 0 || months[0] != last {
		months = append([]string{last}, months...)
	}
	type monthLink struct{ Month, Name, Href string }
	var links []monthLink
	for _, m := range months {
		links = append(links, monthLink{Month: m, Name: report.MonthName(m, lang(r)), Href: "/funders/" + url.PathEscape(f.Slug) + "/reports/" + m})
	}
	h.render(w, r, http.StatusOK, "funder", h.page(r, f.Name, map[string]any{"F": f, "Months": links}))
}

// editionReportPage is an edition's report as a page, for its coordinators.
func (h *handler) editionReportPage(w http.ResponseWriter, r *http.Request) {
	if strings.TrimSpace(r.URL.Query().Get("format")) == "" {
		q := r.URL.Query()
		q.Set("format", "html")
		r.URL.RawQuery = q.Encode()
	}
	h.editionReport(w, r)
}

// fundersData is the coordinators' funders page: the list and the form.
type fundersData struct {
	Funders []store.Funder
	// Form holds what was typed when it must be shown again, Error why.
	Form  api.FunderRequest
	Error string
}

// fundersPage lists every funder, with a form to add one (coordinators of
// every city).
func (h *handler) fundersPage(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.ManageFunders) {
		return
	}
	h.renderFunders(w, r, http.StatusOK, fundersData{Form: api.FunderRequest{Lang: lang(r)}})
}

func (h *handler) renderFunders(w http.ResponseWriter, r *http.Request, status int, d fundersData) {
	list, err := h.Store.ListFunders(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	d.Funders = list
	h.render(w, r, status, "funders", h.page(r, tr(lang(r), "funders.title"), d))
}

// fundersAdd adds a funder from the page's form.
func (h *handler) fundersAdd(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.ManageFunders) {
		return
	}
	req := api.FunderRequest{Slug: strings.TrimSpace(r.PostFormValue("slug")), Name: r.PostFormValue("name"), Lang: r.PostFormValue("lang"),
		Contacts: strings.FieldsFunc(r.PostFormValue("contacts"), func(c rune) bool { return c == '\n' || c == '\r' || c == ',' || c == ' ' })}
	f, err := funderRequest(req)
	if err == nil {
		if err = worker.EnsureFunderSchedule(r.Context(), h.Temporal, f.Slug); err == nil {
			err = h.Store.AddFunder(r.Context(), f, viewer(r).Email)
		}
	}
	if err != nil {
		status, msg, _ := classify(err)
		if status >= 500 {
			h.writeError(w, r, err)
			return
		}
		h.renderFunders(w, r, status, fundersData{Form: req, Error: msg})
		return
	}
	h.flash(r, tr(lang(r), "flash.done.funder", f.Name), "", false)
	http.Redirect(w, r, "/funders/"+url.PathEscape(f.Slug), http.StatusSeeOther)
}
