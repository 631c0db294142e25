package web

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
)

// BenchmarkDashboardRender times drawing one full page of the dashboard
// (DashPageSize programs, each with its coordinator's forms, and as many
// overdue steps) for a coordinator of every city: the part of GET
// /dashboard that is Go's own once Postgres has answered.
//
//	go test -run '^$' -bench DashboardRender ./internal/web/
func BenchmarkDashboardRender(b *testing.B) {
	who := &auth.Person{Email: "c@example.org", Grants: []auth.Grant{{Role: auth.Coordinator}}}
	now := time.Date(2027, 6, 15, 9, 0, 0, 0, time.UTC)
	d := dashData{Total: 10000, Matching: 10000, Page: 2, Pages: 400, PrevURL: "/dashboard?before=e/p", NextURL: "/dashboard?after=e/p&page=3"}
	for i := range DashPageSize {
		phase := []string{"applied", "accompaniment", "demo", "selected"}[i%4]
		p := store.Program{Edition: "ncc-2027", Project: fmt.Sprintf("projet-%04d", i), Name: fmt.Sprintf("Projet citoyen n° %d", i),
			City: "Lyon", Phase: phase, Holders: []string{"h@example.org", "h2@example.org"}, Mentors: []string{"m@example.org"},
			Licence: "unchecked", Milestones: []store.Milestone{
				{ID: "demo", TitleFR: "Démo", TitleEN: "Demo", Due: "2027-03-07", Status: "open"},
				{ID: "video", TitleFR: "Vidéo", TitleEN: "Video", Due: "2027-05-07", Status: "submitted"},
				{ID: "release", TitleFR: "Version", TitleEN: "Release", Due: "2027-08-07", Status: "open"},
			}}
		ap := &auth.Program{Edition: p.Edition, Project: p.Project, City: p.City, Phase: p.Phase, Holders: p.Holders, Mentors: p.Mentors}
		v := newProgramView(who, ap, p, nil, now, "/dashboard#p")
		v.ThemeTitle = "Démocratie numérique"
		v.Spark = newSpark(nil, now)
		d.Programs = append(d.Programs, v)
		d.Overdue = append(d.Overdue, overdueRow{Program: p, Milestone: p.Milestones[0]})
	}
	v := &view{Lang: "en", Title: "Dashboard", Self: "/dashboard", OtherLang: "fr", Email: who.Email, Roles: who.Roles(nil), Nav: navFor("en", who, "/dashboard")}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		d.ProgramRows, d.OverdueRows = dashRows("en", d.Programs), overdueRows("en", d.Overdue)
		v.D = d
		if err := pages["en"]["dashboard"].ExecuteTemplate(&buf, "layout", v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
}
