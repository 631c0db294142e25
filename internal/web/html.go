package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

// The rows that pages repeat by the dozen (the home page's programs, the
// dashboard's programs with their forms, its overdue steps, undelivered
// emails and planned messages) are written here in Go: html/template
// spends a few microseconds of reflection on every value it prints, which
// for a page of 50 programs with their forms came to more than everything
// else the page did. The markup is the templates' own, and is written only
// from constants: markup is its own type, which a string variable does not
// convert to, so every value goes through text or attr, which escape it.
// TestRowsAreTheTemplates holds each piece to the template it replaces.

// markup is constant HTML.
type markup string

// htmlWriter builds HTML from constant markup and escaped values.
type htmlWriter struct {
	b strings.Builder
	l string
}

// m writes constant markup.
func (w *htmlWriter) m(s markup) { w.b.WriteString(string(s)) }

// htmlEscaper escapes as html/template does, in text and in quoted
// attributes alike.
var htmlEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// text writes a value as text, escaped.
func (w *htmlWriter) text(s string) { _, _ = htmlEscaper.WriteString(&w.b, s) }

// attr writes a value inside a double-quoted attribute, escaped.
func (w *htmlWriter) attr(s string) { _, _ = htmlEscaper.WriteString(&w.b, s) }

// urlPart writes a value as one part of a URL (a path segment, a query
// value) in an attribute: every byte but letters, digits and -._~
// percent-encoded, as html/template does.
func (w *htmlWriter) urlPart(s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			w.b.WriteByte(c)
			continue
		}
		w.b.WriteByte('%')
		w.b.WriteByte(hex[c>>4])
		w.b.WriteByte(hex[c&15])
	}
}

// t writes a wording of the page's language.
func (w *htmlWriter) t(id string, args ...any) { w.text(tr(w.l, id, args...)) }

// int writes a number.
func (w *htmlWriter) int(n int) { w.b.WriteString(strconv.Itoa(n)) }

// programHref writes the path of a program's page (an attribute value).
func (w *htmlWriter) programHref(edition, project string) {
	w.m("/programs/")
	w.urlPart(edition)
	w.m("/")
	w.urlPart(project)
}

// html is what was written, for a template.
func (w *htmlWriter) html() template.HTML { return template.HTML(w.b.String()) }

// phaseBadge is the template phase-badge.
func (w *htmlWriter) phaseBadge(phase string, paused bool) {
	switch phase {
	case "accompaniment", "graduated", "selected", "hackathon", "demo":
		w.m(`<span class="badge ok">`)
	case "dormant", "withdrawn", "rejected":
		w.m(`<span class="badge warn">`)
	default:
		w.m(`<span class="badge neutral">`)
	}
	w.t("phase." + phase)
	w.m(`</span>`)
	if paused {
		w.m(` <span class="badge warn">`)
		w.t("program.paused")
		w.m(`</span>`)
	}
}

// licenceBadge is the template licence-badge.
func (w *htmlWriter) licenceBadge(licence string) {
	switch licence {
	case "open", "completed by hand":
		w.m(`<span class="badge ok">`)
	case "not open":
		w.m(`<span class="badge bad">`)
	default:
		w.m(`<span class="badge neutral">`)
	}
	w.t("licence." + strings.ReplaceAll(licence, " ", "-"))
	w.m(`</span>`)
}

// spark is the template spark.
func (w *htmlWriter) spark(s *spark) {
	if s == nil {
		w.m(`<span class="muted">—</span>`)
		return
	}
	w.m(`<svg class="spark" width="`)
	w.int(s.W)
	w.m(`" height="`)
	w.int(s.H)
	w.m(`" viewBox="0 0 `)
	w.int(s.W)
	w.m(` `)
	w.int(s.H)
	w.m(`" role="img" aria-label="`)
	w.attr(tr(w.l, "spark.label", s.Text))
	w.m(`"><line class="base" x1="0" y1="`)
	w.int(s.H)
	w.m(`" x2="`)
	w.int(s.W)
	w.m(`" y2="`)
	w.int(s.H)
	w.m(`"/><polyline points="`)
	w.attr(s.Points)
	w.m(`"/></svg> <span class="muted">`)
	w.t("spark.total", s.Total)
	w.m(`</span>`)
}

// milestoneTitle is the template function title.
func milestoneTitle(m store.Milestone, l string) string {
	if l == "en" && m.TitleEN != "" {
		return m.TitleEN
	}
	return m.TitleFR
}

// hidden writes the fields every action form carries (template hidden).
func (w *htmlWriter) hidden(back, u string) {
	w.m(`<input type="hidden" name="back" value="`)
	w.attr(back)
	w.m(`"><input type="hidden" name="update_id" value="`)
	w.attr(u)
	w.m(`">`)
}

// formStart opens a form posting action to p, with its hidden fields.
func (w *htmlWriter) formStart(p programView, action string, row bool, u string) {
	w.m(`<form method="post" action="`)
	w.programHref(p.Edition, p.Project)
	w.m(`/actions/`)
	w.attr(action)
	if row {
		w.m(`" class="row-form">`)
	} else {
		w.m(`">`)
	}
	w.hidden(p.Back, u)
}

// button writes a submit button of class (none when ""), worded id, and,
// when named, the program's name for screen readers.
func (w *htmlWriter) button(class markup, id string, p programView, named bool) {
	w.m(`<button type="submit"`)
	if class != "" {
		w.m(` class="` + class + `"`)
	}
	w.m(`>`)
	w.t(id)
	if named {
		w.m(`<span class="vh"> — `)
		w.text(p.Name)
		w.m(`</span>`)
	}
	w.m(`</button></form>`)
}

// field writes a labelled input: its label worded id, its element id
// prefix+u, and the input's other attributes (constant).
func (w *htmlWriter) field(prefix markup, u, label string, attrs markup) {
	w.m(`<div><label for="` + prefix)
	w.attr(u)
	w.m(`">`)
	w.t(label)
	w.m(`</label><input id="` + prefix)
	w.attr(u)
	w.m(`" ` + attrs + `></div>`)
}

// coordForms is the coordinators' forms on a program (p.Can says which):
// the dashboard's (full false) or the program page's (full true).
func (w *htmlWriter) coordForms(p programView, full bool) {
	w.m(`<div class="actions">` + "\n")
	if p.Can[workflows.UpdateSelect] {
		u := newID()
		w.formStart(p, "select", false, u)
		w.button("", "form.select", p, true)
		w.m("\n")
	}
	if p.Can[workflows.UpdateReject] {
		u := newID()
		w.formStart(p, "reject", true, u)
		w.m("\n")
		w.field("r", u, "form.reject-why", `name="note" type="text" maxlength="2000"`)
		w.m("\n")
		w.button("danger", "form.reject", p, true)
		w.m("\n")
	}
	if p.Can[workflows.UpdateAssignMentor] {
		u := newID()
		w.formStart(p, "assign-mentor", true, u)
		w.m("\n")
		w.field("m", u, "form.mentor-email", `name="mentor" type="email" required maxlength="254" autocomplete="off"`)
		w.m("\n")
		w.button("secondary", "form.assign", p, true)
		w.m("\n")
	}
	if full {
		if p.Can[workflows.UpdateRemoveMentor] {
			u := newID()
			w.formStart(p, "remove-mentor", true, u)
			w.m("\n")
			w.people("x", u, "form.mentor-remove", "mentor", p.Mentors)
			w.m("\n")
			w.button("secondary", "form.remove", p, false)
			w.m("\n")
		}
		if p.Can[workflows.UpdateAddHolder] {
			u := newID()
			w.formStart(p, "add-holder", true, u)
			w.m("\n")
			w.field("h", u, "form.holder-email", `name="holder" type="email" required maxlength="254" autocomplete="off"`)
			w.m("\n")
			w.button("secondary", "form.add", p, false)
			w.m("\n")
		}
		if p.Can[workflows.UpdateRemoveHolder] {
			u := newID()
			w.formStart(p, "remove-holder", true, u)
			w.m("\n")
			w.people("y", u, "form.holder-remove", "holder", p.Holders)
			w.m("\n")
			w.button("secondary", "form.remove", p, false)
			w.m("\n")
		}
	} else if p.Can[workflows.UpdateExtend] && len(p.Open) > 0 {
		u := newID()
		w.formStart(p, "extend", true, u)
		w.m("\n" + `<div><label for="s`)
		w.attr(u)
		w.m(`">`)
		w.t("form.step")
		w.m(`</label><select id="s`)
		w.attr(u)
		w.m(`" name="milestone" required>`)
		for _, m := range p.Open {
			w.m(`<option value="`)
			w.attr(m.ID)
			w.m(`">`)
			w.text(milestoneTitle(m, w.l))
			w.m(` (`)
			w.text(mail.FormatDate(m.Due, w.l))
			w.m(`)</option>`)
		}
		w.m(`</select></div>` + "\n" + `<div><label for="d`)
		w.attr(u)
		w.m(`">`)
		w.t("form.new-due")
		w.m(`</label><input id="d`)
		w.attr(u)
		w.m(`" name="due" type="date" required min="`)
		w.attr(p.Today)
		w.m(`"`)
		if p.LastDue != "" {
			w.m(` max="`)
			w.attr(p.LastDue)
			w.m(`"`)
		}
		w.m(`></div>` + "\n")
		w.button("secondary", "form.extend", p, true)
		w.m("\n")
	}
	if p.Can[workflows.UpdatePause] {
		u := newID()
		w.formStart(p, "pause", false, u)
		w.button("secondary", "form.pause", p, true)
		w.m("\n")
	}
	if p.Can[workflows.UpdateResume] {
		u := newID()
		w.formStart(p, "resume", false, u)
		w.button("", "form.resume", p, true)
		w.m("\n")
	}
	if full {
		if p.Can[workflows.UpdateGraduate] {
			u := newID()
			w.formStart(p, "graduate", false, u)
			w.button("", "form.graduate", p, false)
			w.m("\n")
		}
		if p.Can[workflows.UpdateWithdraw] {
			u := newID()
			w.formStart(p, "withdraw", true, u)
			w.m("\n")
			w.field("q", u, "form.withdraw-why", `name="note" type="text" maxlength="2000"`)
			w.m("\n" + `<div><label class="choice"><input type="checkbox" name="confirm" required> `)
			w.t("form.withdraw-confirm")
			w.m(`</label></div>` + "\n")
			w.button("danger", "form.withdraw", p, false)
			w.m("\n")
		}
	}
	w.m(`</div>`)
}

// people writes a labelled choice among a program's people.
func (w *htmlWriter) people(prefix markup, u, label string, name markup, list []string) {
	w.m(`<div><label for="` + prefix)
	w.attr(u)
	w.m(`">`)
	w.t(label)
	w.m(`</label><select id="` + prefix)
	w.attr(u)
	w.m(`" name="` + name + `" required>`)
	for _, e := range list {
		w.m(`<option value="`)
		w.attr(e)
		w.m(`">`)
		w.text(e)
		w.m(`</option>`)
	}
	w.m(`</select></div>`)
}

// newWriter is a writer for l with room for n bytes.
func newWriter(l string, n int) *htmlWriter {
	w := &htmlWriter{l: l}
	w.b.Grow(n)
	return w
}

// indexRows are the home page's programs.
func indexRows(l string, ps []store.Program) template.HTML {
	w := newWriter(l, 250*len(ps))
	for _, p := range ps {
		w.m(`<tr><th scope="row"><a href="`)
		w.programHref(p.Edition, p.Project)
		w.m(`">`)
		w.text(p.Edition + "/" + p.Project)
		w.m(`</a></th><td>`)
		w.text(p.Name)
		w.m(`</td><td>`)
		w.phaseBadge(p.Phase, p.Paused)
		w.m(`</td><td>`)
		w.text(p.City)
		w.m(`</td><td>`)
		w.text(p.StartedAt.Format("2006-01-02"))
		w.m(`</td></tr>` + "\n")
	}
	return w.html()
}

// dashRows are the dashboard's programs, with their forms.
func dashRows(l string, vs []programView) template.HTML {
	w := newWriter(l, 3500*len(vs))
	for _, v := range vs {
		w.m(`<tr id="p-`)
		w.attr(v.Edition + "-" + v.Project)
		w.m(`">` + "\n" + `<th scope="row"><a href="`)
		w.programHref(v.Edition, v.Project)
		w.m(`">`)
		w.text(v.Name)
		w.m(`</a><br><small class="muted">`)
		w.text(v.Edition + "/" + v.Project)
		if v.ThemeTitle != "" {
			w.m(` · `)
			w.text(v.ThemeTitle)
		}
		w.m(`</small>` + "\n")
		if v.Can.Coordination() || v.Can[workflows.UpdateExtend] {
			w.m(`<details><summary>`)
			w.t("dash.actions")
			w.m(`<span class="vh"> — `)
			w.text(v.Name)
			w.m(`</span></summary>`)
			w.coordForms(v, false)
			w.m(`</details>`)
		}
		w.m(`</th>` + "\n" + `<td>`)
		w.text(v.City)
		w.m(`</td>` + "\n" + `<td>`)
		w.phaseBadge(v.Phase, v.Paused)
		w.m(`</td>` + "\n" + `<td>`)
		w.licenceBadge(v.Licence)
		w.m(`</td>` + "\n" + `<td class="num">`)
		if len(v.Overdue) > 0 {
			w.m(`<span class="badge bad">`)
			w.int(len(v.Overdue))
			w.m(`</span>`)
		} else {
			w.m(`0`)
		}
		w.m(`</td>` + "\n" + `<td class="num">`)
		if v.Undelivered > 0 {
			w.m(`<a href="`)
			w.programHref(v.Edition, v.Project)
			w.m(`#emails"><span class="badge bad">`)
			w.int(v.Undelivered)
			w.m(`</span></a>`)
		} else {
			w.m(`0`)
		}
		w.m(`</td>` + "\n" + `<td class="nowrap">`)
		w.spark(v.Spark)
		w.m(`</td>` + "\n" + `</tr>` + "\n")
	}
	return w.html()
}

// overdueRows are the dashboard's overdue steps.
func overdueRows(l string, rows []overdueRow) template.HTML {
	w := newWriter(l, 200*len(rows))
	for _, o := range rows {
		w.m(`<tr><th scope="row">`)
		w.text(milestoneTitle(o.Milestone, l))
		if o.Milestone.Optional {
			w.m(` <span class="muted">(`)
			w.t("program.optional")
			w.m(`)</span>`)
		}
		w.m(`</th><td><a href="`)
		w.programHref(o.Program.Edition, o.Program.Project)
		w.m(`">`)
		w.text(o.Program.Name)
		w.m(`</a></td><td>`)
		w.text(mail.FormatDate(o.Milestone.Due, l))
		w.m(`</td><td>`)
		w.t("status." + o.Milestone.Status)
		w.m(`</td></tr>` + "\n")
	}
	return w.html()
}

// undeliveredRows are the dashboard's undelivered emails.
func undeliveredRows(l string, rows []undeliveredRow) template.HTML {
	w := newWriter(l, 300*len(rows))
	for _, u := range rows {
		w.m(`<tr><th scope="row">`)
		w.text(u.Message.Recipient)
		w.m(`</th><td><a href="`)
		w.programHref(u.Program.Edition, u.Program.Project)
		w.m(`#emails">`)
		w.text(u.Program.Name)
		w.m(`</a></td><td>`)
		w.text(kindWords(l, u.Message.Kind))
		w.m(`</td><td>`)
		w.t("mail." + u.Message.Status)
		w.m(`</td><td lang="en">`)
		w.text(u.Message.Payload["error"])
		w.m(`</td></tr>` + "\n")
	}
	return w.html()
}

// plannedRows are the dashboard's messages of the coming week.
func plannedRows(l string, rows []planned) template.HTML {
	w := newWriter(l, 600*len(rows))
	zones := map[string]*time.Location{}
	for _, pl := range rows {
		w.m(`<tr><th scope="row">`)
		loc, ok := zones[pl.Zone]
		if !ok {
			loc = time.UTC
			if z, err := time.LoadLocation(pl.Zone); err == nil && pl.Zone != "" {
				loc = z
			}
			zones[pl.Zone] = loc
		}
		w.text(whenIn(pl.At, loc))
		w.m(`<br><small class="muted">`)
		w.text(pl.Zone)
		w.m(`</small></th><td><a href="`)
		w.programHref(pl.Edition, pl.Project)
		w.m(`">`)
		w.text(pl.Name)
		w.m(`</a></td><td>`)
		w.text(kindWords(l, pl.Kind))
		w.m(`</td><td>`)
		w.text(milestoneTitle(pl.Milestone, l))
		w.m(` (`)
		w.text(mail.FormatDate(string(pl.Due), l))
		w.m(`)</td>` + "\n" + `<td>`)
		if len(pl.Recipients) == 0 {
			w.m(`<span class="badge warn">`)
			w.t("dash.nobody")
			w.m(`</span>`)
		} else {
			w.m(`<ul>`)
			for _, to := range pl.Recipients {
				w.m(`<li>`)
				w.text(to)
				w.m(` — <a href="/dashboard/preview?edition=`)
				w.urlPart(pl.Edition)
				w.m(`&amp;project=`)
				w.urlPart(pl.Project)
				w.m(`&amp;kind=`)
				w.urlPart(pl.Kind)
				w.m(`&amp;milestone=`)
				w.urlPart(pl.Milestone.ID)
				w.m(`&amp;due=`)
				w.urlPart(string(pl.Due))
				w.m(`&amp;to=`)
				w.urlPart(to)
				w.m(`">`)
				w.t("dash.preview")
				w.m(`<span class="vh"> — `)
				w.text(kindWords(l, pl.Kind))
				w.m(`, `)
				w.text(to)
				w.m(`</span></a></li>`)
			}
			w.m(`</ul>`)
		}
		w.m(`</td></tr>` + "\n")
	}
	return w.html()
}

// whenIn writes an instant in loc, as the template function when does.
func whenIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	s := t.In(loc).Format("2006-01-02 15:04")
	if loc == time.UTC {
		s += " UTC"
	}
	return s
}
