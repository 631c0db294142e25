package web

import (
	"bytes"
	"html/template"
	"mime"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

var devMailTemplate = template.Must(template.New("devmail").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Suivi — mail written by suivi dev</title>
<style>body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; } td, th { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; }</style></head>
<body><h1>Mail written by <code>suivi dev</code></h1>
<p>No SMTP_URL is set, so messages are written to <code>{{.Dir}}</code> instead of being sent. Newest first.</p>
{{if .Mails}}<table><tr><th>File</th><th>To</th><th>Subject</th></tr>
{{range .Mails}}<tr><td><a href="/dev/mail/{{.Name}}">{{.Name}}</a></td><td>{{.To}}</td><td>{{.Subject}}</td></tr>
{{end}}</table>{{else}}<p>Nothing yet.</p>{{end}}
</body></html>`))

type devMail struct{ Name, To, Subject string }

// devMailList lists the .eml files `suivi dev` wrote, newest first.
func (h *handler) devMailList(w http.ResponseWriter, r *http.Request) {
	if h.MailDir == "" {
		h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "emails are sent over SMTP here, not written to files"})
		return
	}
	files, _ := filepath.Glob(filepath.Join(h.MailDir, "*.eml"))
	slices.Sort(files)
	slices.Reverse(files)
	var mails []devMail
	for _, f := range files {
		m := devMail{Name: filepath.Base(f)}
		if b, err := os.ReadFile(f); err == nil {
			if msg, err := mail.ReadMessage(bytes.NewReader(b)); err == nil {
				m.To = msg.Header.Get("To")
				m.Subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			}
		}
		mails = append(mails, m)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = devMailTemplate.Execute(w, map[string]any{"Dir": h.MailDir, "Mails": mails})
}

// devMailShow shows one .eml file as it would have been sent.
func (h *handler) devMailShow(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if h.MailDir == "" || strings.ContainsAny(name, `/\`) || !strings.HasSuffix(name, ".eml") {
		h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "no such message"})
		return
	}
	b, err := os.ReadFile(filepath.Join(h.MailDir, name))
	if err != nil {
		h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "no such message"})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(b)
}
