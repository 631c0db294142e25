package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/report"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

// pageNames are the pages drawn with the shared layout; each is
// templates/NAME.html defining "main".
var pageNames = []string{"index", "board", "call", "call_received", "dashboard", "preview", "program",
	"jury", "me", "settings", "prefs", "report", "funder", "funders", "unsubscribe"}

// pages holds, per language, every page parsed with the layout: one set of
// templates, parsed once at start, its "t" function bound to the language
// so templates say {{t "nav.home"}} and never pick a wording themselves.
var pages = parsePages()

func parsePages() map[string]map[string]*template.Template {
	out := map[string]map[string]*template.Template{}
	for _, l := range languages {
		out[l] = map[string]*template.Template{}
		for _, name := range pageNames {
			t := template.New("layout.html").Funcs(pageFuncs(l))
			out[l][name] = template.Must(t.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
		}
	}
	return out
}

// pageFuncs are the helpers templates may call, for language l. None
// returns template.HTML but coordForms, drawn by html.go from constant
// markup and escaped values: everything a person typed stays text.
func pageFuncs(l string) template.FuncMap {
	return template.FuncMap{
		"t": func(id string, args ...any) string { return tr(l, id, args...) },
		// coordForms are the coordinators' forms on a program (html.go).
		"coordForms": func(v programView, full bool) template.HTML {
			w := &htmlWriter{l: l}
			w.coordForms(v, full)
			return w.html()
		},
		"static": staticPath,
		// day writes a civil date (YYYY-MM-DD) as a reader of l expects.
		"day": func(d string) string { return mail.FormatDate(d, l) },
		// when writes an instant, in UTC unless a zone name is given.
		"when": func(t time.Time, zone ...string) string {
			if t.IsZero() {
				return "—"
			}
			loc := time.UTC
			if len(zone) > 0 && zone[0] != "" {
				if z, err := time.LoadLocation(zone[0]); err == nil {
					loc = z
				}
			}
			s := t.In(loc).Format("2006-01-02 15:04")
			if loc == time.UTC {
				s += " UTC"
			}
			return s
		},
		"title": func(m store.Milestone) string {
			if l == "en" && m.TitleEN != "" {
				return m.TitleEN
			}
			return m.TitleFR
		},
		"phase":  func(p string) string { return tr(l, "phase."+p) },
		"status": func(s string) string { return tr(l, "status."+s) },
		"role":   func(r auth.Role) string { return tr(l, "role."+string(r)) },
		"kind":   func(k string) string { return kindWords(l, k) },
		// href is a link a person typed, only when it is http(s): anything
		// else is shown as text and never linked.
		"href": httpLink,
		"join": strings.Join,
		"pct":  func(f float64) string { return fmt.Sprintf("%.0f %%", f*100) },
		"id":   newID,
		// args passes several values to a shared template:
		// {{template "step-forms" args "P" $p "M" .}}.
		"args": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				if k, ok := kv[i].(string); ok {
					m[k] = kv[i+1]
				}
			}
			return m
		},
		// holderView and mentorView keep a program's step forms to one
		// role's, for the sections of "My projects".
		"holderView": func(v programView) programView {
			v.Can = actionSet{workflows.UpdateSubmit: v.Can[workflows.UpdateSubmit]}
			return v
		},
		"mentorView": func(v programView) programView {
			v.Can = actionSet{workflows.UpdateComplete: v.Can[workflows.UpdateComplete], workflows.UpdateWaive: v.Can[workflows.UpdateWaive]}
			return v
		},
		"licence": func(s string) string { return tr(l, "licence."+strings.ReplaceAll(s, " ", "-")) },
		// The report's own words and number formats (internal/report), so
		// the page, the PDF and the email say the same.
		"rt":       func(key string, args ...any) string { return report.T(l, key, args...) },
		"rnum":     func(f float64) string { return report.Number(f, l) },
		"rdate":    func(t time.Time) string { return report.Date(t, l) },
		"rpct":     report.Percent,
		"rmeetups": report.MeetupsLine,
		"deref":    func(b *bool) bool { return b != nil && *b },
		"rmonth":   func(m string) string { return report.MonthName(m, l) },
	}
}

// httpLink returns s when it is an absolute http(s) URL with a host, else "".
func httpLink(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	return u.String()
}

// view is what every page's template receives: the layout's needs, then
// the page's own data in D.
type view struct {
	Lang  string
	Title string
	// Self is the page's own GET address, where the language switch
	// returns to (a page drawn in answer to a POST says which).
	Self        string
	OtherLang   string
	Email       string
	Roles       []auth.Role
	Nav         []navItem
	Flash       string
	FlashDetail string
	FlashError  bool
	// NoLangSwitch hides the switch on pages whose address holds a
	// secret (the signed preferences link).
	NoLangSwitch bool
	D            any
}

type navItem struct {
	Href, Label string
	Current     bool
}

// page starts the view of a page for the viewer, in the request's language.
func (h *handler) page(r *http.Request, title string, d any) *view {
	l := lang(r)
	v := &view{Lang: l, Title: title, Self: r.URL.RequestURI(), OtherLang: otherLang(l), D: d}
	if r.Method != http.MethodGet {
		v.Self = r.URL.Path
	}
	who := viewer(r)
	if who != nil {
		v.Email, v.Roles = who.Email, who.Roles(nil)
	}
	v.Nav = navFor(l, who, r.URL.Path)
	if h.Sessions != nil {
		ctx := r.Context()
		v.Flash = h.Sessions.PopString(ctx, "flash")
		v.FlashDetail = h.Sessions.PopString(ctx, "flash_detail")
		v.FlashError = h.Sessions.PopBool(ctx, "flash_error")
	}
	return v
}

// navFor lists the pages the viewer's roles open, each decided by auth.Can.
func navFor(l string, who *auth.Person, path string) []navItem {
	items := []navItem{{Href: "/", Label: tr(l, "nav.home")}}
	if auth.Can(who, auth.Dashboard, nil) {
		items = append(items, navItem{Href: "/dashboard", Label: tr(l, "nav.dashboard")})
	}
	if auth.Can(who, auth.JuryPage, nil) {
		items = append(items, navItem{Href: "/jury", Label: tr(l, "nav.jury")})
	}
	if auth.Can(who, auth.ManageFunders, nil) {
		items = append(items, navItem{Href: "/funders", Label: tr(l, "nav.funders")})
	}
	if hasOwnPrograms(who) {
		items = append(items, navItem{Href: "/me", Label: tr(l, "nav.me")})
	}
	items = append(items, navItem{Href: "/board", Label: tr(l, "nav.board")})
	if auth.Can(who, auth.OwnAccount, nil) {
		items = append(items, navItem{Href: "/settings", Label: tr(l, "nav.settings")})
	}
	for i := range items {
		items[i].Current = items[i].Href == path
	}
	return items
}

// hasOwnPrograms reports whether "My projects" means something to who: a
// mentor, holder or funder somewhere.
func hasOwnPrograms(who *auth.Person) bool {
	if !auth.Can(who, auth.ListPrograms, nil) {
		return false
	}
	roles := who.Roles(nil)
	return slices.Contains(roles, auth.Mentor) || slices.Contains(roles, auth.Holder) || slices.Contains(roles, auth.Funder)
}

// render draws a page with the layout. It renders into a buffer first, so
// a template error is a clean 500 page rather than half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	t := pages[v.Lang][name]
	if t == nil {
		h.writeError(w, r, fmt.Errorf("web: no page %q", name))
		return
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			renderBuffers.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, "layout", v); err != nil {
		h.writeError(w, r, fmt.Errorf("web: render %s: %w", name, err))
		return
	}
	pageHeaders(w, v.Lang, name == "preview")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderBuffers keep the buffers pages are drawn into, for the next pages.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// pageHeaders are every page's: no caching of what is private, no
// framing, no referrer sent to the sites deliverables link to, and a
// content policy that allows this site's own stylesheet only. The mail
// preview also allows the inline styles of emails, inside its sandbox.
func pageHeaders(w http.ResponseWriter, l string, inlineStyles bool) {
	style := "style-src 'self'"
	if inlineStyles {
		style += " 'unsafe-inline'"
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Language", l)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Content-Security-Policy", "default-src 'none'; "+style+"; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
}

// flash keeps a one-line message for the next page the viewer sees (after
// a redirect); detail is the server's own words, shown as they are.
func (h *handler) flash(r *http.Request, msg, detail string, isError bool) {
	if h.Sessions == nil {
		return
	}
	ctx := r.Context()
	h.Sessions.Put(ctx, "flash", msg)
	h.Sessions.Put(ctx, "flash_detail", detail)
	h.Sessions.Put(ctx, "flash_error", isError)
}
