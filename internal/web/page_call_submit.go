package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"go.temporal.io/api/serviceerror"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/worker"
	"github.com/codecitoyen/suivi/workflows"
)

// maxSlugTries bounds the -2, -3… suffixes tried for a project's slug.
const maxSlugTries = 50

// callApply takes an application from the public: within the edition's
// call window only, checked field by field, limited per IP, and started as
// a program in phase applied without any coordinator, as POST
// /api/v1/programs would. The holders are told it arrived and the city's
// coordinators that it is there to review.
func (h *handler) callApply(limit *ipLimiter) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ed, ok := h.callEdition(w, r)
		if !ok {
			return
		}
		if err := r.ParseForm(); err != nil {
			h.writeError(w, r, err)
			return
		}
		f := callForm{Name: r.PostFormValue("name"), Summary: r.PostFormValue("summary"), Theme: r.PostFormValue("theme"),
			City: r.PostFormValue("city"), Repositories: r.PostFormValue("repositories"), Team: r.PostFormValue("team"),
			Licence: r.PostFormValue("licence")}
		l := lang(r)
		if callState(ed, h.now()) != callOpen {
			h.renderCall(w, r, http.StatusConflict, ed, f, nil, tr(l, "call.err.window"))
			return
		}
		prog, list := checkApplication(l, ed, f)
		if len(list) > 0 {
			h.renderCall(w, r, http.StatusBadRequest, ed, f, list, "")
			return
		}
		// Counted once the form is right: a person fixing typos is not
		// held back; each start of a workflow is.
		if !limit.allow(clientIP(r), h.now()) {
			h.renderCall(w, r, http.StatusTooManyRequests, ed, f, nil, tr(l, "call.err.rate", CallsPerIP))
			return
		}
		if err := h.Store.Ping(r.Context()); err != nil {
			h.Logger.Warn("call for projects: Postgres unavailable", "error", err)
			h.renderCall(w, r, http.StatusServiceUnavailable, ed, f, nil, tr(l, "call.err.unavailable"))
			return
		}
		if h.Temporal == nil {
			h.renderCall(w, r, http.StatusServiceUnavailable, ed, f, nil, tr(l, "call.err.unavailable"))
			return
		}
		slug, err := h.startApplication(r.Context(), ed, prog)
		if err != nil {
			var he *httpError
			if errors.As(err, &he) && he.status == http.StatusConflict {
				h.renderCall(w, r, http.StatusConflict, ed, f, nil, tr(l, "call.err.name-taken"))
				return
			}
			h.Logger.Warn("call for projects: start failed", "edition", ed.ID, "error", err)
			h.renderCall(w, r, http.StatusServiceUnavailable, ed, f, nil, tr(l, "call.err.unavailable"))
			return
		}
		h.tellApplication(r.Context(), ed, slug, prog)
		http.Redirect(w, r, "/call/"+ed.ID+"/received", http.StatusSeeOther)
	}
}

// checkApplication checks every field and says, in l, what is wrong with
// each; with no problem it returns the program to start (normalised).
func checkApplication(l string, ed *edition.Edition, f callForm) (workflows.Program, []fieldError) {
	var list []fieldError
	add := func(field, msg string) {
		if msg != "" {
			list = append(list, fieldError{Field: field, Label: tr(l, "call.f."+field), Msg: msg})
		}
	}
	p := workflows.Program{Edition: ed.ID}
	var msg string
	p.Name, msg = checkText(l, f.Name, true, maxNameLen, false)
	add("name", msg)
	p.Summary, msg = checkText(l, f.Summary, true, workflows.MaxSummaryLen, true)
	add("summary", msg)
	if len(ed.Themes) > 0 {
		if _, ok := ed.Theme(f.Theme); !ok {
			add("theme", tr(l, "call.err.theme"))
		}
		p.Theme = f.Theme
	}
	if len(ed.Cities) > 0 {
		c, ok := ed.City(f.City)
		if !ok {
			add("city", tr(l, "call.err.city"))
		}
		p.City = c.Name
	}
	p.Repositories, msg = checkLines(l, f.Repositories, workflows.MaxRepositories, "repo", func(s string) error {
		_, err := validate.GitHubRepo(s)
		return err
	})
	add("repositories", msg)
	p.Holders, msg = checkLines(l, f.Team, workflows.MaxHolders, "email", func(s string) error {
		_, err := validate.Email(s)
		return err
	})
	add("team", msg)
	p.LicenceIntent, msg = checkText(l, f.Licence, false, maxLicenceLen, false)
	add("licence", msg)
	if len(list) > 0 {
		return p, list
	}
	p.Project = slugFrom(p.Name)
	// The workflow's own check, last: it should agree with the above.
	if err := p.Normalize(); err != nil {
		add("name", tr(l, "call.err.other")+" "+joinLines(err))
	}
	return p, list
}

// checkText checks a free text: required or not, at most max characters,
// no control or bidirectional characters (line breaks allowed when
// multiline). It returns the trimmed text, or a message in l.
func checkText(l, v string, required bool, max int, multiline bool) (string, string) {
	v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
	switch {
	case v == "" && required:
		return "", tr(l, "call.err.required")
	case v == "":
		return "", ""
	case !utf8.ValidString(v):
		return "", tr(l, "call.err.chars")
	}
	if n := utf8.RuneCountInString(v); n > max {
		return "", tr(l, "call.err.long", max, n)
	}
	var err error
	if multiline {
		_, err = validate.Note("text", v, max)
	} else {
		_, err = validate.Text("text", v, required, max)
	}
	if err != nil {
		return "", tr(l, "call.err.chars")
	}
	return v, ""
}

// checkLines reads one value a line (blank lines skipped): at least one, at
// most max, each checked; the first bad line is named.
func checkLines(l, v string, max int, what string, check func(string) error) ([]string, string) {
	var out []string
	for _, line := range strings.Split(v, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	switch {
	case len(out) == 0:
		return nil, tr(l, "call.err."+what+".none")
	case len(out) > max:
		// Counted before any line is checked: a list of thousands costs
		// nothing.
		return nil, tr(l, "call.err."+what+".many", max, len(out))
	}
	for i, s := range out {
		if check(s) != nil {
			return nil, tr(l, "call.err."+what, i+1, validate.Quote(s))
		}
	}
	return out, ""
}

// slugFrom derives a project slug from its name: lower case, accents
// folded, every other run of characters a hyphen; "projet" when nothing is
// left. It stays short enough for a "-50" suffix.
func slugFrom(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		s, ok := foldAccents[r]
		if !ok {
			s = string(r)
		}
		for _, c := range s {
			if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
				b.WriteRune(c)
				dash = false
			} else if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 56 {
		s = strings.TrimRight(s[:56], "-")
	}
	if validate.Slug("project", s) != nil {
		return "projet"
	}
	return s
}

// foldAccents writes the letters of French and its neighbours in ASCII.
var foldAccents = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a", 'å': "a", 'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ì': "i", 'ô': "o", 'ö': "o", 'ó': "o", 'ò': "o", 'õ': "o", 'ø': "o",
	'ù': "u", 'û': "u", 'ü': "u", 'ú': "u", 'ÿ': "y", 'ý': "y", 'ñ': "n", 'œ': "oe", 'æ': "ae", 'ß': "ss",
	'’': "", '\'': "",
}

// startApplication starts the program under the first free slug: its name's,
// then -2, -3…. A slug with a row in Postgres, or a workflow Temporal
// already has (just started, or long over), is taken; a free slug has no
// row, so no lost state can hide under it.
func (h *handler) startApplication(ctx context.Context, ed *edition.Edition, p workflows.Program) (string, error) {
	snap, err := ed.Snapshot(p.City)
	if err != nil {
		return "", badRequest("%v", err)
	}
	base := p.Project
	for i := 1; i <= maxSlugTries; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		_, err := h.Store.ProgramRow(ctx, ed.ID, slug)
		if err == nil {
			continue
		}
		if !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
		in := workflows.ProgramInput{Program: p, Snapshot: &snap}
		in.Project = slug
		_, _, err = h.startProgram(ctx, in)
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		switch {
		case errors.As(err, &started):
			continue
		case err != nil:
			return "", fmt.Errorf("call for projects: start %s/%s: %w", ed.ID, slug, err)
		}
		return slug, nil
	}
	return "", conflict("%d projects of edition %s already have this name", maxSlugTries, ed.ID)
}

// tellApplication queues "application received" for the team and "new
// application" for the city's coordinators, through the outbox (keyed so a
// retry queues nothing twice), then wakes its dispatcher. The program is
// started already: a failure here is logged, not shown as a failed
// application.
func (h *handler) tellApplication(ctx context.Context, ed *edition.Edition, slug string, p workflows.Program) {
	var coords []string
	if c, ok := ed.City(p.City); ok {
		coords = c.Coordinators
	}
	msgs := applicationMessages(ed.ID, slug, p.Holders, coords)
	if _, err := h.Store.Enqueue(ctx, msgs); err != nil {
		h.Logger.Warn("call for projects: cannot queue the confirmations", "program", ed.ID+"/"+slug, "error", err)
		return
	}
	if err := worker.WakeOutbox(ctx, h.Temporal); err != nil {
		// The dispatcher also looks every minute.
		h.Logger.Warn("cannot wake the outbox for an application", "error", err)
	}
}

// applicationMessages are the two notices of a new application, keyed by
// (program, kind, recipient) like every other message.
func applicationMessages(editionID, project string, holders, coordinators []string) []store.Message {
	var out []store.Message
	add := func(kind, to string) {
		out = append(out, store.Message{Key: fmt.Sprintf("%s/%s|%s|||%s", editionID, project, kind, strings.ToLower(to)),
			Edition: editionID, Project: project, Kind: kind, Recipient: to})
	}
	for _, to := range holders {
		add(KindApplicationReceived, to)
	}
	for _, to := range coordinators {
		add(KindNewApplication, to)
	}
	return out
}

// Mail kinds of the call for projects (internal/mail/templates).
const (
	KindApplicationReceived = "application-received"
	KindNewApplication      = "new-application"
)
