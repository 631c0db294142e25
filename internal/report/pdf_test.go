package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// needTool finds a poppler tool: without it the test is skipped on a
// workstation but fails under CI, where it must be installed
// (apt-get install -y poppler-utils).
func needTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: apt-get install -y poppler-utils", name)
		}
		t.Skipf("%s is missing (apt-get install -y poppler-utils)", name)
	}
	return path
}

func renderPDF(t testing.TB, r *Report) (data []byte, file string) {
	t.Helper()
	data, err := PDF(r)
	if err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(t.TempDir(), "report-"+r.Lang+".pdf")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("REPORT_LOOK"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(file)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return data, file
}

var spaces = regexp.MustCompile(`\s+`)

// pdfText is the PDF's text with every run of white space as one space.
func pdfText(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command(needTool(t, "pdftotext"), "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return spaces.ReplaceAllString(string(out), " ")
}

func TestPDFText(t *testing.T) {
	words := map[string][]string{
		"fr": {"Rapport d'avancement — Fondation Démocratie et crustacés", "Période : mars 2027 (données connues au 31/03/2027)",
			"Synthèse", "Projets par phase", "Jalons", "Faits à temps", "Dépôts sous licence ouverte", "Rencontres du mois",
			"Projets devenus silencieux", "Commits du mois", "Historique des phases", "Échéance", "Preuve",
			"fait en retard", "en retard", "dispensé", "à venir", "non vérifiée", "non ouverte", "anciennement",
			"Santé des dépôts (CHAOSS)", "Facteur d'absence des contributeurs", "Présence aux rencontres",
			"Dernière note du mentor", "Élodie Müller", "Page 1", "Page 2"},
		"en": {"Progress report — Fondation Démocratie et crustacés", "Period: March 2027 (data known on 2027-03-31)",
			"Summary", "Programs by phase", "Milestones", "Done on time", "Repositories under an open licence", "Meetups this month",
			"Programs gone quiet", "Commits this month", "Phase history", "Due", "Evidence",
			"done late", "overdue", "waived", "upcoming", "not checked", "not open", "formerly",
			"Repository health (CHAOSS)", "Contributor absence factor", "Meetup attendance",
			"Mentor's latest note", "Page 1", "Page 2"},
	}
	// Words of the other language that must not leak in.
	foreign := map[string][]string{"fr": {"Summary", "Milestones", "Period:"}, "en": {"Synthèse", "Jalons", "Période"}}
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			r := sampleReport(24, lang)
			_, file := renderPDF(t, r)
			text := pdfText(t, file)
			for _, w := range words[lang] {
				if !strings.Contains(text, w) {
					t.Errorf("%q missing", w)
				}
			}
			for _, w := range foreign[lang] {
				if strings.Contains(text, w) {
					t.Errorf("%q shown in a %s report", w, lang)
				}
			}
			for _, p := range r.Programs {
				if !strings.Contains(text, p.Name) {
					t.Errorf("program %q missing", p.Name)
				}
				if p.Health.FirstResponseHours >= 0 {
					if h := T(lang, "hours", Number(p.Health.FirstResponseHours, lang)); !strings.Contains(text, h) {
						t.Errorf("program %q: first response %q missing", p.Name, h)
					}
				}
				for _, repo := range p.Repos {
					if !strings.Contains(text, repo.URL) {
						t.Errorf("program %q: repository %q missing", p.Name, repo.URL)
					}
				}
				for _, m := range p.Milestones {
					if !strings.Contains(text, m.Title) {
						t.Errorf("program %q: milestone %q missing", p.Name, m.Title)
					}
				}
			}
			share := Percent(r.Summary.OpenRepos, r.Summary.Repos)
			if !strings.Contains(text, share) {
				t.Errorf("open licence share %q missing", share)
			}
			if !strings.Contains(text, "<script>alert(1)</script>") {
				t.Error("the <script> name is not shown as text")
			}
		})
	}
}

func TestPDFPages(t *testing.T) {
	r := sampleReport(40, "fr")
	_, file := renderPDF(t, r)
	out, err := exec.Command(needTool(t, "pdfinfo"), file).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	info := string(out)
	if !regexp.MustCompile(`Page size:\s+595\.2\d* x 841\.89 pts \(A4\)`).MatchString(info) {
		t.Errorf("not A4 portrait:\n%s", info)
	}
	for _, want := range []string{"Title:", "Fondation Démocratie et crustacés", "Author:", "Suivi", "Subject:", "mars 2027"} {
		if !strings.Contains(info, want) {
			t.Errorf("metadata %q missing:\n%s", want, info)
		}
	}
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("no page count:\n%s", info)
	}
	// About a page a program, and never a page of its own per table row.
	if pages, _ := strconv.Atoi(m[1]); pages < len(r.Programs)/2 || pages > 2*len(r.Programs)+2 {
		t.Errorf("%d pages for %d programs", pages, len(r.Programs))
	}
}

func TestPDFDeterministic(t *testing.T) {
	a, err := PDF(sampleReport(30, "fr"))
	if err != nil {
		t.Fatal(err)
	}
	// Map order changes from run to run: a few runs catch it.
	for range 3 {
		b, err := PDF(sampleReport(30, "fr"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatal("two renders of the same report differ")
		}
	}
	// Every program with weeks has its chart, and the summary one.
	if n, want := bytes.Count(a, []byte("/Subtype /Image")), 30; n != want {
		t.Errorf("%d images, want %d", n, want)
	}
	if !bytes.Contains(a, []byte("/CreationDate (D:20270331220000)")) {
		t.Error("the creation date is not the month's end")
	}
}

func TestPDFLinks(t *testing.T) {
	data, err := PDF(sampleReport(8, "en"))
	if err != nil {
		t.Fatal(err)
	}
	// Compression leaves annotations in the clear.
	if !bytes.Contains(data, []byte("/URI (https://git.example.org/projet-0/-/releases/v0.0)")) {
		t.Error("the evidence link is not clickable")
	}
}

func TestPDFEmpty(t *testing.T) {
	for _, r := range []*Report{
		{Kind: "edition", Title: "2027", City: "Lyon", Lang: "fr", Month: "2027-03"},
		{Kind: "funder", Title: "Nobody", Lang: "en", Month: "2027-03", Programs: []Program{{Name: "Bare"}}},
	} {
		if _, err := PDF(r); err != nil {
			t.Errorf("%s report: %v", r.Kind, err)
		}
	}
}

func BenchmarkPDF1000(b *testing.B) {
	r := sampleReport(1000, "fr")
	b.ReportAllocs()
	var size int
	for b.Loop() {
		data, err := PDF(r)
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size)/1024, "KB")
}

// A table longer than a page breaks between rows, header repeated, and
// a long note wraps: nothing is lost.
func TestPDFLongTable(t *testing.T) {
	r := sampleReport(1, "fr")
	p := &r.Programs[0]
	p.Milestones = nil
	for i := range 80 {
		p.Milestones = append(p.Milestones, Milestone{Title: "Jalon numéro " + strconv.Itoa(i), Due: "2027-01-15", State: "open", Evidence: longURL})
	}
	p.Note = strings.Repeat("Une note très longue, avec des accents et des détails. ", 120)
	_, file := renderPDF(t, r)
	text := pdfText(t, file)
	for _, m := range p.Milestones {
		if !strings.Contains(text, m.Title+" ") {
			t.Errorf("%q missing", m.Title)
		}
	}
	if n := strings.Count(text, "Échéance"); n < 3 {
		t.Errorf("table header shown %d times, want it on every page of the table", n)
	}
}
