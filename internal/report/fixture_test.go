package report

import (
	"fmt"
	"time"
)

// sampleNames are the names the renderers must show as they are:
// accents, Polish, Greek and Cyrillic letters, and markup that must stay
// text.
var sampleNames = []string{
	"Démocratie et crustacés",
	"Żółć — budżet obywatelski",
	"Ελληνικά ανοιχτά δεδομένα",
	"Кириллица для всех",
	"<script>alert(1)</script>",
	"Cantine à l'école",
	"Vélos partagés",
	"Jardins ouvriers",
}

var samplePhases = []string{"selected", "hackathon", "demo", "accompaniment", "accompaniment", "graduated", "withdrawn", "dormant"}

var sampleThemes = []string{"Démocratie", "Alimentation", "Mobilité", "Environnement", "Éducation"}

var sampleCities = []string{"Lyon", "Marseille", "Lille", "Nantes", ""}

// longURL has no space for a line break: renderers must wrap it.
const longURL = "https://docs.example.org/projets/demo/livrables/2027/rapport-final-de-la-phase-d-accompagnement-avec-annexes-et-tableaux-de-bord-complets.pdf?version=3&format=a4&lang=fr"

// sampleReport builds a report of n programs for March 2027 in lang, with
// every case a renderer meets: each phase, milestones in every state,
// repositories with an open, a closed and an unchecked licence and one
// renamed, health figures with no data (-1), 30 to 104 weeks of commits,
// notes with accents and a long URL, and program 5 with no repository
// nor weeks. The same n and lang always give the same report.
func sampleReport(n int, lang string) *Report {
	from, to, err := ParseMonth("2027-03")
	if err != nil {
		panic(err)
	}
	r := &Report{
		Kind:    "funder",
		Subject: "fondation-crustaces",
		Title:   "Fondation Démocratie et crustacés",
		Lang:    lang,
		Month:   "2027-03",
		From:    from,
		To:      to,
	}
	// The last week of every program is the one holding the month's end.
	lastWeek := time.Date(2027, 3, 29, 0, 0, 0, 0, Paris)
	summary := make([]int, MaxWeeks)
	phaseStart := map[string]int{}
	phaseEnd := map[string]int{}
	for i := range n {
		p := sampleProgram(i, lang, lastWeek)
		r.Programs = append(r.Programs, p)
		for j, w := range p.Health.Weeks {
			summary[MaxWeeks-len(p.Health.Weeks)+j] += w.Commits
		}
		r.Summary.Commits += p.Health.MonthCommits
		phaseEnd[p.Phase]++
		phaseStart[p.Phases[max(0, len(p.Phases)-2)].Phase]++
		for _, m := range p.Milestones {
			switch m.State {
			case "on_time":
				r.Summary.OnTime++
			case "late":
				r.Summary.Late++
			case "overdue":
				r.Summary.Overdue++
			}
			if !m.ClosedAt.IsZero() && !m.ClosedAt.Before(from) {
				r.Summary.DoneThisMonth++
			}
		}
		for _, repo := range p.Repos {
			r.Summary.Repos++
			if repo.Open != nil && *repo.Open {
				r.Summary.OpenRepos++
			}
		}
		if p.Phase == "accompaniment" {
			r.Summary.Expected++
			if i%3 != 0 {
				r.Summary.Attended++
			}
		}
		if i%7 == 3 {
			r.Summary.Quiet = append(r.Summary.Quiet, Quiet{Edition: p.Edition, Project: p.Project, Name: p.Name, Days: 30 + i%40, Never: i%14 == 10})
		}
	}
	r.Summary.Programs = n
	r.Summary.Meetups = 4
	for _, ph := range []string{"applied", "selected", "hackathon", "demo", "accompaniment", "graduated", "withdrawn", "dormant"} {
		if phaseStart[ph]+phaseEnd[ph] > 0 {
			r.Summary.Phases = append(r.Summary.Phases, PhaseCount{Phase: ph, Start: phaseStart[ph], End: phaseEnd[ph]})
		}
	}
	for j, c := range summary {
		start := lastWeek.AddDate(0, 0, -7*(MaxWeeks-1-j))
		r.Summary.Weeks = append(r.Summary.Weeks, Week{Start: start.Format(time.DateOnly), Commits: c})
	}
	return r
}

func sampleProgram(i int, lang string, lastWeek time.Time) Program {
	name := sampleNames[i%len(sampleNames)]
	if i >= len(sampleNames) {
		name = fmt.Sprintf("%s n°%d", name, i)
	}
	started := time.Date(2025, time.Month(1+i%12), 1+i%27, 9, 0, 0, 0, Paris)
	p := Program{
		Edition: fmt.Sprintf("hackathon-%d", 2025+i%2),
		Project: fmt.Sprintf("projet-%d", i),
		Name:    name,
		City:    sampleCities[i%len(sampleCities)],
		Theme:   sampleThemes[i%len(sampleThemes)],
		Phase:   samplePhases[i%len(samplePhases)],
		Started: started,
	}
	// The lifecycle up to the program's phase; withdrawn and dormant
	// programs left it on the way.
	stop := map[string]string{"withdrawn": "hackathon", "dormant": "accompaniment"}[p.Phase]
	if stop == "" {
		stop = p.Phase
	}
	for k, ph := range []string{"applied", "selected", "hackathon", "demo", "accompaniment", "graduated"} {
		p.Phases = append(p.Phases, PhaseChange{Phase: ph, Since: started.AddDate(0, 2*k, 0)})
		if ph == stop {
			break
		}
	}
	if stop != p.Phase {
		p.Phases = append(p.Phases, PhaseChange{Phase: p.Phase, Since: started.AddDate(1, 0, 0)})
	}
	p.Milestones = sampleMilestones(i, lang, started)
	if i != 5 {
		p.Repos = sampleRepos(i)
		p.Health = sampleHealth(i, lastWeek)
	} else {
		p.Health = Health{ClosureRatio: -1, FirstResponseHours: -1}
	}
	for m := 0; m < i%5; m++ {
		p.Attended = append(p.Attended, fmt.Sprintf("2026-%02d", 10+m%3))
	}
	if i%4 != 2 {
		p.Note = fmt.Sprintf("Très bonne séance ; l'équipe a présenté la démo à la mairie. Prochaine étape : intégrer les retours des élus et publier la documentation sur %s (note n°%d).", longURL, i)
		p.NoteAt = time.Date(2027, 3, 1+i%28, 18, 30, 0, 0, Paris)
		p.NoteBy = "Élodie Müller"
	}
	return p
}

func sampleMilestones(i int, lang string, started time.Time) []Milestone {
	titles := map[string][]string{
		"fr": {"Charte d'équipe signée", "Prototype fonctionnel", "Premier utilisateur réel", "Licence ouverte choisie", "Démonstration publique", "Rapport final"},
		"en": {"Team charter signed", "Working prototype", "First real user", "Open licence chosen", "Public demo", "Final report"},
	}[lang]
	if titles == nil {
		titles = []string{"Charte d'équipe signée", "Prototype fonctionnel", "Premier utilisateur réel", "Licence ouverte choisie", "Démonstration publique", "Rapport final"}
	}
	states := []struct{ state, status string }{
		{"on_time", "completed"}, {"late", "completed"}, {"overdue", "open"},
		{"waived", "waived"}, {"open", "submitted"}, {"open", "open"},
	}
	var ms []Milestone
	for k := 0; k < 3+i%4; k++ {
		s := states[(k+i)%len(states)]
		due := started.AddDate(0, 3*(k+1), 0)
		m := Milestone{
			ID:       fmt.Sprintf("m%d-%d", i, k),
			Title:    titles[k%len(titles)],
			Due:      due.Format(time.DateOnly),
			Optional: k == 4,
			Status:   s.status,
			State:    s.state,
		}
		if s.status == "completed" {
			m.ClosedAt = due.AddDate(0, 0, -3)
			if s.state == "late" {
				m.ClosedAt = due.AddDate(0, 0, 12)
			}
			m.Evidence = fmt.Sprintf("https://git.example.org/projet-%d/-/releases/v0.%d", i, k)
			if k%2 == 1 {
				m.Evidence = longURL
			}
		}
		ms = append(ms, m)
	}
	return ms
}

func sampleRepos(i int) []Repo {
	yes, no := true, false
	repos := []Repo{{URL: fmt.Sprintf("https://github.com/codecitoyen/projet-%d", i), Licence: "AGPL-3.0-or-later", Open: &yes}}
	switch i % 4 {
	case 1:
		repos = append(repos, Repo{URL: fmt.Sprintf("https://gitlab.com/collectif-%d/application-mobile", i), Licence: "LicenseRef-proprietary", Open: &no})
	case 2:
		repos = append(repos, Repo{URL: fmt.Sprintf("https://codeberg.org/collectif-%d/donnees", i)})
	case 3:
		repos = append(repos, Repo{URL: fmt.Sprintf("https://github.com/codecitoyen/projet-%d-api", i), RenamedFrom: fmt.Sprintf("https://github.com/hackathon-2025/equipe-%d-api", i), Licence: "MIT OR Apache-2.0", Open: &yes})
	}
	return repos
}

func sampleHealth(i int, lastWeek time.Time) Health {
	n := 30 + (i*7)%(MaxWeeks-29)
	h := Health{
		Active:             1 + i%6,
		Team:               3 + i%4,
		Newcomers:          i % 3,
		Inactive:           i % 2,
		ClosureRatio:       float64(i%5) / 4,
		FirstResponseHours: float64(3+i%50) + 0.25,
		Releases:           i % 4,
		AbsenceFactor:      1 + i%3,
		LastCommit:         time.Date(2027, 3, 1+i%28, 14, 0, 0, 0, Paris),
	}
	if i%3 == 0 {
		h.ClosureRatio = -1
	}
	if i%4 == 1 {
		h.FirstResponseHours = -1
	}
	for j := range n {
		start := lastWeek.AddDate(0, 0, -7*(n-1-j))
		// Busy around the hackathon, then waves, some quiet weeks.
		c := ((j*13 + i*7) % 17) - 4
		if j < 4 {
			c += 25
		}
		c = max(c, 0)
		h.Weeks = append(h.Weeks, Week{Start: start.Format(time.DateOnly), Commits: c})
		h.Commits += c
		if j >= n-5 && start.Month() == time.March {
			h.MonthCommits += c
		}
	}
	return h
}
