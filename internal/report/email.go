package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"
	"time"
)

// Email is a report as a message: both bodies, the charts the HTML shows
// inline (by Content-ID: mail clients do not render SVG and many block
// remote images), and the files attached.
type Email struct {
	Subject string
	Text    string
	HTML    string
	// Inline maps a Content-ID ("commits.png") to its PNG.
	Inline      []Inline
	Attachments []Attachment
}

// Inline is an image shown in the HTML body.
type Inline struct {
	ContentID string
	PNG       []byte
}

// Attachment is a file attached to the message.
type Attachment struct {
	Name, ContentType string
	Data              []byte
}

// ChartID is the Content-ID of the summary's commits chart.
const ChartID = "commits.png"

var emailTemplate = template.Must(template.New("email").Funcs(template.FuncMap{
	"t":       func(lang, key string, args ...any) string { return T(lang, key, args...) },
	"percent": Percent,
	"month":   MonthName,
	"meetups": MeetupsLine,
	"day":     func(t time.Time, lang string) string { return Date(t.Add(-time.Second), lang) },
}).Parse(`<!DOCTYPE html>
<html lang="{{.R.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;max-width:640px;margin:0 auto;padding:16px">
<h1 style="font-size:22px;color:#0b3d91">{{.Heading}}</h1>
{{if .Link}}<p>{{.Intro}} <a href="{{.Link}}" style="color:#0b3d91">{{.Link}}</a></p>{{else}}<p>{{t .R.Lang "period" (month .R.Month .R.Lang) (day .R.To .R.Lang)}}</p>{{end}}
<h2 style="font-size:18px">{{t .R.Lang "summary"}}</h2>
<table style="border-collapse:collapse" cellpadding="4">
<tr><th align="left">{{t .R.Lang "phase"}}</th><th align="right">{{t .R.Lang "start_of_month"}}</th><th align="right">{{t .R.Lang "end_of_month"}}</th></tr>
{{range .R.Summary.Phases}}<tr><td>{{t $.R.Lang (printf "phase.%s" .Phase)}}</td><td align="right">{{.Start}}</td><td align="right">{{.End}}</td></tr>
{{end}}</table>
<ul>
<li>{{t .R.Lang "on_time"}}{{t $.R.Lang "colon"}}{{.R.Summary.OnTime}} · {{t .R.Lang "late"}}{{t $.R.Lang "colon"}}{{.R.Summary.Late}} · {{t .R.Lang "overdue"}}{{t $.R.Lang "colon"}}{{.R.Summary.Overdue}} · {{t .R.Lang "done_this_month"}}{{t $.R.Lang "colon"}}{{.R.Summary.DoneThisMonth}}</li>
<li>{{t .R.Lang "open_licence"}}{{t $.R.Lang "colon"}}{{percent .R.Summary.OpenRepos .R.Summary.Repos}} ({{.R.Summary.OpenRepos}}/{{.R.Summary.Repos}})</li>
<li>{{t .R.Lang "meetups"}}{{t .R.Lang "colon"}}{{meetups .R}}</li>
</ul>
<p><img src="{{.ChartSrc}}" alt="{{t .R.Lang "commits_per_week"}}" width="640" style="max-width:100%;height:auto"></p>
<h2 style="font-size:18px">{{t .R.Lang "quiet"}}</h2>
{{if .R.Summary.Quiet}}<ul>{{range .R.Summary.Quiet}}<li>{{if .Never}}{{t $.R.Lang "quiet_never" .Name}}{{else}}{{t $.R.Lang "quiet_days" .Name .Days}}{{end}}</li>{{end}}</ul>{{else}}<p>{{t .R.Lang "none"}}</p>{{end}}
<h2 style="font-size:18px">{{t .R.Lang "programs"}}</h2>
<ul>{{range .R.Programs}}<li><strong>{{.Name}}</strong> — {{t $.R.Lang (printf "phase.%s" .Phase)}}{{if .City}}, {{.City}}{{end}} · {{t $.R.Lang "commits"}}{{t $.R.Lang "colon"}}{{.Health.MonthCommits}}</li>{{end}}</ul>
</body></html>`))

// MakeEmail renders the report's message; link is the report's page.
func MakeEmail(f *Files, link string) (Email, error) {
	r := f.Report
	heading := reportTitle(r)
	period := MonthName(r.Month, r.Lang)
	e := Email{Subject: T(r.Lang, "email.subject", period, r.Title)}
	chart, err := CommitsChart(r.Summary.Weeks, r.Lang)
	if err != nil {
		return Email{}, err
	}
	intro := T(r.Lang, "email.intro", period)
	var html bytes.Buffer
	if err := emailTemplate.Execute(&html, map[string]any{"R": r, "Subject": e.Subject, "Heading": heading, "Intro": intro,
		"Link": link, "ChartSrc": template.URL("cid:" + ChartID)}); err != nil {
		return Email{}, fmt.Errorf("report email: %w", err)
	}
	e.HTML = html.String()
	e.Text = emailText(r, heading, intro, link)
	e.Inline = []Inline{{ContentID: ChartID, PNG: chart}}
	base := fileBase(r)
	e.Attachments = []Attachment{
		{Name: base + ".pdf", ContentType: "application/pdf", Data: f.PDF},
		{Name: base + ".csv", ContentType: "text/csv; charset=utf-8", Data: f.CSV},
	}
	return e, nil
}

func reportTitle(r *Report) string {
	if r.Kind == "edition" {
		t := T(r.Lang, "title.edition", r.Title)
		if r.City != "" {
			t += " — " + r.City
		}
		return t
	}
	return T(r.Lang, "title.funder", r.Title)
}

// FileBase is the files' name without extension: "suivi-metropole-de-lyon-2027-05".
func FileBase(r *Report) string { return fileBase(r) }

func fileBase(r *Report) string {
	base := "suivi-" + r.Subject
	if r.City != "" {
		base += "-" + strings.ToLower(strings.ReplaceAll(r.City, " ", "-"))
	}
	return base + "-" + r.Month
}

func emailText(r *Report, heading, intro, link string) string {
	var b strings.Builder
	s := r.Summary
	fmt.Fprintf(&b, "%s\n\n%s %s\n\n%s\n", heading, intro, link, T(r.Lang, "summary"))
	for _, p := range s.Phases {
		fmt.Fprintf(&b, "- %s: %d → %d\n", T(r.Lang, "phase."+p.Phase), p.Start, p.End)
	}
	fmt.Fprintf(&b, "- %s: %d, %s: %d, %s: %d, %s: %d\n", T(r.Lang, "on_time"), s.OnTime, T(r.Lang, "late"), s.Late,
		T(r.Lang, "overdue"), s.Overdue, T(r.Lang, "done_this_month"), s.DoneThisMonth)
	fmt.Fprintf(&b, "- %s: %s (%d/%d)\n", T(r.Lang, "open_licence"), Percent(s.OpenRepos, s.Repos), s.OpenRepos, s.Repos)
	fmt.Fprintf(&b, "- %s%s%s\n", T(r.Lang, "meetups"), T(r.Lang, "colon"), MeetupsLine(r))
	fmt.Fprintf(&b, "\n%s\n", T(r.Lang, "quiet"))
	if len(s.Quiet) == 0 {
		fmt.Fprintf(&b, "- %s\n", T(r.Lang, "none"))
	}
	for _, q := range s.Quiet {
		if q.Never {
			fmt.Fprintf(&b, "- %s\n", T(r.Lang, "quiet_never", q.Name))
		} else {
			fmt.Fprintf(&b, "- %s\n", T(r.Lang, "quiet_days", q.Name, q.Days))
		}
	}
	fmt.Fprintf(&b, "\n%s\n", T(r.Lang, "programs"))
	for _, p := range r.Programs {
		fmt.Fprintf(&b, "- %s — %s\n", p.Name, T(r.Lang, "phase."+p.Phase))
	}
	return b.String()
}

// HTMLDocument is the report as one self-contained HTML file (the email's
// body, its chart as a data: URL), for `suivi report --format html`.
func HTMLDocument(f *Files) ([]byte, error) {
	r := f.Report
	chart, err := CommitsChart(r.Summary.Weeks, r.Lang)
	if err != nil {
		return nil, err
	}
	var html bytes.Buffer
	err = emailTemplate.Execute(&html, map[string]any{"R": r, "Subject": reportTitle(r), "Heading": reportTitle(r),
		// Made here from numbers only: a PNG we drew, safe as a URL.
		"ChartSrc": template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(chart))})
	if err != nil {
		return nil, fmt.Errorf("report html: %w", err)
	}
	return html.Bytes(), nil
}
