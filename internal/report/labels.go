package report

import (
	"fmt"
	"strings"
	"time"
)

// labels are every word a report shows, in French and English. Every
// format (HTML, PDF, CSV headings stay English: they are an interface)
// takes its words from here, so the page and the PDF cannot disagree.
var labels = map[string][2]string{
	"title.funder":        {"Rapport d'avancement — %s", "Progress report — %s"},
	"title.edition":       {"Rapport de l'édition %s", "Edition report — %s"},
	"period":              {"Période : %s (données connues au %s)", "Period: %s (data known on %s)"},
	"summary":             {"Synthèse", "Summary"},
	"programs":            {"Projets", "Programs"},
	"phase":               {"Phase", "Phase"},
	"phases":              {"Projets par phase", "Programs by phase"},
	"start_of_month":      {"Début du mois", "Start of month"},
	"end_of_month":        {"Fin du mois", "End of month"},
	"change":              {"Évolution", "Change"},
	"milestones":          {"Jalons", "Milestones"},
	"on_time":             {"Faits à temps", "Done on time"},
	"late":                {"Faits en retard", "Done late"},
	"overdue":             {"En retard, non faits", "Overdue"},
	"done_this_month":     {"Faits ce mois-ci", "Done this month"},
	"open_licence":        {"Dépôts sous licence ouverte", "Repositories under an open licence"},
	"meetups":             {"Rencontres du mois", "Meetups this month"},
	"meetups_line":        {"%d rencontre(s), %d projet(s) présent(s) sur %d attendu(s)", "%d meetup(s), %d of %d expected program(s) attended"},
	"meetups_none":        {"aucune ce mois-ci (aucun projet en accompagnement dans une ville qui en tient)", "none this month (no program in accompaniment in a city that holds them)"},
	"quiet":               {"Projets devenus silencieux", "Programs gone quiet"},
	"quiet_days":          {"%s : aucune activité depuis %d jours", "%s: no activity for %d days"},
	"quiet_never":         {"%s : aucune activité depuis le début", "%s: no activity since it started"},
	"none":                {"Aucun", "None"},
	"commits_per_week":    {"Commits par semaine", "Commits per week"},
	"commits":             {"Commits", "Commits"},
	"city":                {"Ville", "City"},
	"theme":               {"Thème", "Theme"},
	"started":             {"Démarré le", "Started"},
	"phase_history":       {"Historique des phases", "Phase history"},
	"due":                 {"Échéance", "Due"},
	"status":              {"État", "Status"},
	"evidence":            {"Preuve", "Evidence"},
	"repositories":        {"Dépôts", "Repositories"},
	"licence":             {"Licence", "Licence"},
	"licence.open":        {"ouverte", "open"},
	"licence.closed":      {"non ouverte", "not open"},
	"licence.unknown":     {"non vérifiée", "not checked"},
	"renamed_from":        {"anciennement %s", "formerly %s"},
	"health":              {"Santé des dépôts (CHAOSS)", "Repository health (CHAOSS)"},
	"active":              {"Contributeurs actifs (90 j)", "Active contributors (90 d)"},
	"team":                {"Équipe du hackathon", "Hackathon team"},
	"newcomers":           {"Nouveaux contributeurs hors équipe", "New contributors from outside the team"},
	"inactive":            {"Membres de l'équipe inactifs (60 j)", "Inactive team members (60 d)"},
	"closure_ratio":       {"Ratio de clôture des demandes de changement (90 j)", "Change request closure ratio (90 d)"},
	"first_response":      {"Délai médian de première réponse (90 j)", "Median time to first response (90 d)"},
	"releases":            {"Versions publiées (365 j)", "Releases (365 d)"},
	"absence_factor":      {"Facteur d'absence des contributeurs", "Contributor absence factor"},
	"last_commit":         {"Dernier commit", "Last commit"},
	"attendance":          {"Présence aux rencontres", "Meetup attendance"},
	"mentor_note":         {"Dernière note du mentor", "Mentor's latest note"},
	"no_data":             {"—", "—"},
	"hours":               {"%s h", "%s h"},
	"state.on_time":       {"fait à temps", "done on time"},
	"state.late":          {"fait en retard", "done late"},
	"state.overdue":       {"en retard", "overdue"},
	"state.waived":        {"dispensé", "waived"},
	"state.open":          {"à venir", "upcoming"},
	"state.submitted":     {"soumis", "submitted"},
	"phase.applied":       {"candidature", "applied"},
	"phase.selected":      {"sélectionné", "selected"},
	"phase.rejected":      {"non retenu", "rejected"},
	"phase.hackathon":     {"hackathon", "hackathon"},
	"phase.demo":          {"démo", "demo"},
	"phase.accompaniment": {"accompagnement", "accompaniment"},
	"phase.graduated":     {"diplômé", "graduated"},
	"phase.withdrawn":     {"retiré", "withdrawn"},
	"phase.dormant":       {"en sommeil", "dormant"},
	"page":                {"Page %d", "Page %d"},
	"colon":               {" : ", ": "},
	// Words only the PDF uses.
	"pdf.commits_total": {"Commits depuis le début", "Commits since the start"},
	"pdf.commits_month": {"Commits du mois", "Commits this month"},
	"pdf.milestone":     {"Jalon", "Milestone"},
	"pdf.closed":        {"Clôturé le", "Closed"},
	"pdf.repository":    {"Dépôt", "Repository"},
	"pdf.optional":      {"facultatif", "optional"},
	"pdf.note_by":       {"%s, par %s", "%s, by %s"},
	"pdf.open_share":    {"%s (%d sur %d)", "%s (%d of %d)"},
	"email.subject":     {"Suivi — rapport d'avancement %s, %s", "Suivi — progress report %s, %s"},
	"email.intro":       {"Voici le rapport d'avancement des projets que vous financez pour %s. Le PDF et le CSV sont joints ; le rapport est aussi en ligne :", "Here is the progress report on the programs you fund for %s. The PDF and CSV are attached; the report is also online:"},
}

// T is the label key in lang ("fr" or "en"), formatted with args.
func T(lang, key string, args ...any) string {
	l, ok := labels[key]
	if !ok {
		return key
	}
	s := l[0]
	if lang == "en" {
		s = l[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

var monthsFR = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// MonthName writes "2027-03" as "mars 2027" or "March 2027".
func MonthName(month, lang string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	if lang == "en" {
		return t.Format("January 2006")
	}
	return monthsFR[t.Month()-1] + " " + t.Format("2006")
}

// Date writes an instant's day in Paris: "31/03/2027" or "2027-03-31".
func Date(t time.Time, lang string) string {
	if t.IsZero() {
		return "—"
	}
	if lang == "en" {
		return t.In(Paris).Format("2006-01-02")
	}
	return t.In(Paris).Format("02/01/2006")
}

// Number writes a ratio or a duration with two decimals at most, with the
// language's decimal mark; negative values (no data) are "—".
func Number(f float64, lang string) string {
	if f < 0 {
		return "—"
	}
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
	if lang != "en" {
		s = strings.ReplaceAll(s, ".", ",")
	}
	return s
}

// Percent writes part of whole as a whole percentage, "—" when whole is 0.
func Percent(part, whole int) string {
	if whole == 0 {
		return "—"
	}
	return fmt.Sprintf("%d %%", (part*100+whole/2)/whole)
}

// MeetupsLine says the month's meetups and who came, or that there were none.
func MeetupsLine(r *Report) string {
	s := r.Summary
	if s.Expected == 0 {
		return T(r.Lang, "meetups_none")
	}
	return T(r.Lang, "meetups_line", s.Meetups, s.Attended, s.Expected)
}
