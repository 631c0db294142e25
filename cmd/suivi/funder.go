package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/report"
	"github.com/codecitoyen/suivi/internal/validate"
)

const funderUsage = `suivi funder add SLUG --name NAME --contact EMAIL [--contact EMAIL…] [--lang fr|en]
       suivi funder set SLUG --name NAME --contact EMAIL… [--lang fr|en]
       suivi funder show SLUG
       suivi funder list

A funder receives, on the first working day of every month at 08:00 (Paris),
a progress report on the programs it funds (` + "`suivi program fund E/P --funder SLUG`" + `),
in its language, by email to its contacts with the PDF and CSV attached.
Each contact gets the funder role and can read the reports signed in.
"set" replaces the name, language and contacts (contacts left out lose the role).`

// runFunder runs `suivi funder add|set|show|list` (coordinators of every
// city).
func runFunder(ctx context.Context, e env, args []string) error {
	verbs := []string{"add", "set", "show", "list"}
	if len(args) == 0 || !containsString(verbs, args[0]) {
		fmt.Fprintln(e.stdout, "Usage: "+funderUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return &usageError{"funder", "say add, set, show or list"}
	}
	verb := args[0]
	var cfg config.Config
	var req api.FunderRequest
	var contacts stringList
	var asJSON bool
	fs := newFlags("funder "+verb, e, &cfg, clientSettings...)
	if verb == "add" || verb == "set" {
		fs.StringVar(&req.Name, "name", "", "the funder's name, e.g. \"Métropole de Lyon\" (required)")
		fs.Var(&contacts, "contact", "email of who receives the report (required; repeat for several)")
		def, what := "fr", "the report's language: fr or en"
		if verb == "set" {
			def, what = "", "the report's language: fr or en (default: unchanged)"
		}
		fs.StringVar(&req.Lang, "lang", def, what)
	}
	fs.BoolVar(&asJSON, "json", false, "print the answer as JSON")
	pos, err := parse("funder "+verb, e, fs, funderUsage, args[1:])
	if err != nil {
		return err
	}
	if verb == "list" {
		if len(pos) > 0 {
			return &usageError{"funder list", "takes no argument"}
		}
	} else if len(pos) != 1 {
		return &usageError{"funder " + verb, "name one funder by its slug, such as metropole-de-lyon"}
	} else if err := validate.Slug("funder", pos[0]); err != nil {
		return &usageError{"funder " + verb, err.Error()}
	}
	if err := validConfig("funder", &cfg); err != nil {
		return err
	}
	c := apiClient(&cfg)
	var f api.FunderView
	switch verb {
	case "list":
		list, err := c.Funders(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(e.stdout, list)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SLUG\tNAME\tLANG\tPROGRAMS\tCONTACTS")
		for _, f := range list {
			fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", f.Slug, f.Name, f.Lang, len(f.Programs), strings.Join(f.Contacts, ", "))
		}
		return tw.Flush()
	case "add":
		req.Slug, req.Contacts = pos[0], contacts
		f, err = c.AddFunder(ctx, req)
	case "set":
		req.Contacts = contacts
		f, err = c.SetFunder(ctx, pos[0], req)
	case "show":
		f, err = c.GetFunder(ctx, pos[0])
	}
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, f)
	}
	fprintf(e.stdout, "%s — %s (%s)\ncontacts: %s\nreaders (funder role): %s\nprograms: %s\nreports sent: %s\n", f.Slug, f.Name, f.Lang,
		listOrNone(f.Contacts), listOrNone(f.Readers), listOrNone(f.Programs), listOrNone(f.Reports))
	if verb == "add" {
		fprintf(e.stdout, "Link its programs with `suivi program fund EDITION/PROJECT --funder %s`.\n", f.Slug)
	}
	return nil
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

const reportUsage = `suivi report funder SLUG [--month YYYY-MM] [--format html|pdf|csv|json] [-o FILE]
       suivi report edition EDITION [--city CITY] [--month YYYY-MM] [--lang fr|en] [--format …] [-o FILE]

A report covers one month that is over (the last complete one by default),
computed from what Suivi knew at that month's end: run it again, get the same
figures. A funder's report once sent is the one returned. Without -o, the
file is written in the current directory under its own name
(suivi-SLUG-YYYY-MM.pdf); -o - writes to standard output.`

// runReport runs `suivi report funder|edition`.
func runReport(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || (args[0] != "funder" && args[0] != "edition") {
		fmt.Fprintln(e.stdout, "Usage: "+reportUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return &usageError{"report", "say funder or edition"}
	}
	verb := args[0]
	var cfg config.Config
	var month, format, out, city, lang string
	fs := newFlags("report "+verb, e, &cfg, clientSettings...)
	fs.StringVar(&month, "month", "", "the month, YYYY-MM (default: the last complete month)")
	fs.StringVar(&format, "format", "pdf", "html, pdf, csv or json (the figures)")
	fs.StringVar(&out, "o", "", "where to write it (default: its own name here; - for standard output)")
	if verb == "edition" {
		fs.StringVar(&city, "city", "", "one city (coordinators of one city must give theirs)")
		fs.StringVar(&lang, "lang", "fr", "fr or en")
	}
	pos, err := parse("report "+verb, e, fs, reportUsage, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"report " + verb, "name one " + map[string]string{"funder": "funder by its slug", "edition": "edition, such as ncc-2027"}[verb]}
	}
	if err := validate.Slug(verb, pos[0]); err != nil {
		return &usageError{"report " + verb, err.Error()}
	}
	if month == "" {
		month = report.PreviousMonth(time.Now())
	} else if _, _, err := report.ParseMonth(month); err != nil {
		return &usageError{"report " + verb, "--month: " + err.Error()}
	}
	if !containsString([]string{"html", "pdf", "csv", "json"}, format) {
		return &usageError{"report " + verb, "--format: say html, pdf, csv or json"}
	}
	if lang != "" && lang != "fr" && lang != "en" {
		return &usageError{"report " + verb, "--lang: say fr or en"}
	}
	if err := validConfig("report", &cfg); err != nil {
		return err
	}
	c := apiClient(&cfg)
	var data []byte
	if verb == "funder" {
		data, err = c.FunderReport(ctx, pos[0], month, format)
	} else {
		data, err = c.EditionReport(ctx, pos[0], city, month, lang, format)
	}
	if err != nil {
		return err
	}
	if out == "-" {
		_, err := e.stdout.Write(data)
		return err
	}
	if out == "" {
		name := "suivi-" + pos[0]
		if city != "" {
			name += "-" + strings.ToLower(strings.ReplaceAll(city, " ", "-"))
		}
		out = name + "-" + month + "." + format
	}
	// Written whole or not at all: a report half-written is worse than none.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".suivi-report-*")
	if err != nil {
		return fmt.Errorf("-o %s: %w", out, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("-o %s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("-o %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("-o %s: %w", out, err)
	}
	fprintf(e.stdout, "Report for %s written to %s (%d bytes).\n", report.MonthName(month, "en"), out, len(data))
	return nil
}
