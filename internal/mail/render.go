package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"strings"
	"text/template"
)

//go:embed templates
var templateFS embed.FS

// Data is what a template may use. Fields not relevant to a kind stay empty.
type Data struct {
	Lang      string
	Program   string // the project's name
	Edition   string
	City      string
	Phase     string
	Milestone string // the step's title in Lang
	Due       string // the due date, written in Lang
	Evidence  string // what is expected, written in Lang
	Days      int    // days overdue or idle
	MeetupAt  string // the meetup's date and time, written in Lang
	Items     []string
	// Failed, FailedKind and Reason describe an undelivered message.
	Failed, FailedKind, Reason string
	// Link is the page where the person can act; PrefsLink changes what
	// they receive without logging in.
	Link      string
	PrefsLink string
}

// Rendered is a message's subject and both bodies.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// Templates holds every kind's templates, parsed once.
type Templates struct {
	kinds  map[string]*template.Template
	layout *htmltemplate.Template
}

// Kinds lists the message kinds that have a template.
func (t *Templates) Kinds() []string {
	out := make([]string, 0, len(t.kinds))
	for k := range t.kinds {
		out = append(out, k)
	}
	return out
}

// LoadTemplates parses the embedded templates; an error here is a bug the
// tests catch, not a surprise in production.
func LoadTemplates() (*Templates, error) {
	t := &Templates{kinds: map[string]*template.Template{}}
	files, err := fs.Glob(templateFS, "templates/*.tmpl")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		kind := strings.TrimSuffix(path.Base(f), ".tmpl")
		tt, err := template.New(kind).Option("missingkey=error").ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("mail template %s: %w", kind, err)
		}
		for _, name := range []string{"fr.subject", "fr.body", "en.subject", "en.body"} {
			if tt.Lookup(name) == nil {
				return nil, fmt.Errorf("mail template %s: no %q", kind, name)
			}
		}
		t.kinds[kind] = tt
	}
	t.layout, err = htmltemplate.ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("mail layout: %w", err)
	}
	return t, nil
}

// TemplateKind maps an outbox kind to its template: every weekly overdue
// reminder shares one.
func TemplateKind(kind string) string {
	if strings.HasPrefix(kind, "overdue-week-") {
		return "overdue"
	}
	return kind
}

var words = map[string]map[string]string{
	"fr": {"sep": " : ", "action": "Ouvrir la page du programme", "signature": "Suivi, La Nuit du Code Citoyen", "prefs": "Choisir les messages que je reçois",
		"action.login-link": "Me connecter", "action.none": "Ouvrir Suivi"},
	"en": {"sep": ": ", "action": "Open the program's page", "signature": "Suivi, La Nuit du Code Citoyen", "prefs": "Choose which messages I get",
		"action.login-link": "Sign in", "action.none": "Open Suivi"},
}

// actionWords names the message's button by where its link goes.
func actionWords(w map[string]string, kind string, d Data) string {
	if a, ok := w["action."+kind]; ok {
		return a
	}
	if d.Program == "" {
		return w["action.none"]
	}
	return w["action"]
}

// Render writes a message of one kind in one language (fr unless "en").
func (t *Templates) Render(kind string, d Data) (Rendered, error) {
	tt, ok := t.kinds[TemplateKind(kind)]
	if !ok {
		return Rendered{}, fmt.Errorf("no mail template for kind %q", kind)
	}
	if d.Lang != "en" {
		d.Lang = "fr"
	}
	var subject, body bytes.Buffer
	if err := tt.ExecuteTemplate(&subject, d.Lang+".subject", d); err != nil {
		return Rendered{}, fmt.Errorf("mail %s/%s subject: %w", kind, d.Lang, err)
	}
	if err := tt.ExecuteTemplate(&body, d.Lang+".body", d); err != nil {
		return Rendered{}, fmt.Errorf("mail %s/%s body: %w", kind, d.Lang, err)
	}
	w := words[d.Lang]
	r := Rendered{Subject: oneLine(subject.String())}
	paragraphs := splitParagraphs(body.String())
	var text strings.Builder
	text.WriteString(strings.Join(paragraphs, "\n\n"))
	if d.Link != "" {
		fmt.Fprintf(&text, "\n\n%s%s%s", actionWords(w, kind, d), w["sep"], d.Link)
	}
	fmt.Fprintf(&text, "\n\n-- \n%s", w["signature"])
	if d.PrefsLink != "" {
		fmt.Fprintf(&text, "\n%s%s%s", w["prefs"], w["sep"], d.PrefsLink)
	}
	r.Text = text.String() + "\n"
	var html bytes.Buffer
	err := t.layout.Execute(&html, map[string]any{
		"Lang": d.Lang, "Subject": r.Subject, "Paragraphs": paragraphs, "Link": d.Link, "Action": actionWords(w, kind, d),
		"Signature": w["signature"], "PrefsLink": d.PrefsLink, "Prefs": w["prefs"],
	})
	if err != nil {
		return Rendered{}, fmt.Errorf("mail %s/%s html: %w", kind, d.Lang, err)
	}
	r.HTML = html.String()
	return r, nil
}

func splitParagraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// oneLine removes line breaks and other control characters, so nothing a
// person typed can add a header (a "\r\nBcc:" in a project name).
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)), " ")
}

// TemplateError means a message could not be written; retrying will not
// help.
type TemplateError struct{ Err error }

func (e *TemplateError) Error() string { return e.Err.Error() }
func (e *TemplateError) Unwrap() error { return e.Err }
