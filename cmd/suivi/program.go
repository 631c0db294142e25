package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

// verb is one subcommand of a command group, as its usage lists it.
type verb struct {
	name, summary string
}

// programVerbs are every `suivi program VERB`, in the order help lists them:
// the three that read or start, then the actions, in a program's order.
func programVerbs() []verb {
	vs := []verb{
		{"start", "Starts the program of one project in one edition (--edition --project --name --holder-email --repo)."},
		{"status", "Shows a program: phase, steps, meetups, undelivered email (EDITION/PROJECT [--json])."},
		{"list", "Lists programs, of one edition (--edition) or phase (--phase)."},
	}
	for _, name := range programActionOrder {
		vs = append(vs, verb{name, programActions[name].summary})
	}
	return append(vs,
		verb{"fund", "Records that a funder funds the program (EDITION/PROJECT --funder SLUG [--since DATE])."},
		verb{"unfund", "Ends a funder's funding of the program (EDITION/PROJECT --funder SLUG)."},
		verb{"forget", "Sets aside the record of a program whose workflow Temporal lost, so it can start again (EDITION/PROJECT)."})
}

// programActionOrder is the order help lists programActions in.
var programActionOrder = []string{"select", "reject", "score", "pause", "resume", "withdraw", "graduate"}

// printVerbs writes a group's usage: its synopsis, then one line per verb.
func printVerbs(w io.Writer, synopsis string, verbs []verb, footer string) {
	fmt.Fprintf(w, "Usage: %s\n\n", synopsis)
	for _, v := range verbs {
		fmt.Fprintf(w, "  %-9s %s\n", v.name, v.summary)
	}
	fmt.Fprintf(w, "\n%s\n", footer)
}

func printProgramUsage(w io.Writer) {
	printVerbs(w, "suivi program VERB …", programVerbs(),
		"Run `suivi program VERB --help` for a verb's arguments and flags. These commands talk to a running Suivi (SUIVI_URL).")
}

func runProgram(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		// As runGroup does: the usage, and exit 1 since nothing was done.
		printProgramUsage(e.stdout)
		return &usageError{"program", "say which"}
	}
	switch args[0] {
	case "start":
		return programStart(ctx, e, args[1:])
	case "status":
		return programStatus(ctx, e, args[1:])
	case "list":
		return programList(ctx, e, args[1:])
	case "forget":
		return programForget(ctx, e, args[1:])
	case "fund":
		return programFund(ctx, e, args[1:], false)
	case "unfund":
		return programFund(ctx, e, args[1:], true)
	case "-h", "--help", "-help", "help":
		printProgramUsage(e.stdout)
		return nil
	}
	if s, ok := programActions[args[0]]; ok {
		return act(ctx, e, "program", args[0], s, args[1:])
	}
	return &usageError{"program", fmt.Sprintf("unknown subcommand %q", args[0])}
}

func programStart(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	var req api.StartProgram
	var holders, repos stringList
	var asJSON bool
	fs := newFlags("program start", e, &cfg, clientSettings...)
	fs.StringVar(&req.Edition, "edition", "", "edition slug, e.g. ncc-2027 (required)")
	fs.StringVar(&req.Project, "project", "", "project slug, e.g. demoscampi (required)")
	fs.StringVar(&req.Name, "name", "", "project name as people know it (required)")
	fs.Var(&holders, "holder-email", "email of a project holder (required; repeat for several)")
	fs.Var(&repos, "repo", "GitHub repository URL (required; repeat for several)")
	fs.StringVar(&req.City, "city", "", "city the project is followed in, e.g. Lyon")
	fs.StringVar(&req.Theme, "theme", "", "theme slug, e.g. democratie-numerique")
	fs.BoolVar(&asJSON, "json", false, "print the answer as JSON")
	if err := noArgs("program start", e, fs, "suivi program start --edition E --project P --name N --holder-email EMAIL --repo URL [flags]\n\nStarts the program of one project in one edition (workflow program/E/P).", args); err != nil {
		return err
	}
	if err := validConfig("program start", &cfg); err != nil {
		return err
	}
	req.Holders, req.Repositories = holders, repos
	// Check here too, so a typo is reported without a server round trip.
	in := req
	in.Holders, in.Repositories = slices.Clone(req.Holders), slices.Clone(req.Repositories)
	if err := in.Normalize(); err != nil {
		return &usageError{"program start", err.Error()}
	}
	res, err := apiClient(&cfg).StartProgram(ctx, req)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, res)
	}
	fprintf(e.stdout, "Started program %s/%s (workflow %s, run %s).\n", in.Edition, in.Project, res.WorkflowID, res.RunID)
	if !res.Recorded {
		fmt.Fprintln(e.stdout, "Postgres did not take its first record; the program's workflow will write it once a worker runs and Postgres answers.")
	}
	return nil
}

func programStatus(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	var asJSON bool
	fs := newFlags("program status", e, &cfg, clientSettings...)
	fs.BoolVar(&asJSON, "json", false, "print the status as JSON")
	pos, err := parse("program status", e, fs, "suivi program status EDITION/PROJECT [--json]", args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"program status", "name one program as EDITION/PROJECT, such as ncc-2027/demoscampi"}
	}
	edition, project, err := validate.ProgramKey(pos[0])
	if err != nil {
		return &usageError{"program status", err.Error()}
	}
	if err := validConfig("program status", &cfg); err != nil {
		return err
	}
	d, err := apiClient(&cfg).GetProgram(ctx, edition, project)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, d)
	}
	printStatus(e.stdout, edition, project, d)
	return nil
}

// printStatus prints a program's status. Nearly all of it was typed by
// someone (names, notes, URLs, comments, actors): fprintf escapes it.
func printStatus(w io.Writer, edition, project string, d api.ProgramDetail) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	fprintf(tw, "Program\t%s/%s\n", edition, project)
	wf := d.Workflow
	if wf.Error != "" {
		fprintf(tw, "Phase\tunknown: the workflow did not answer (%s)\n", wf.Error)
	} else {
		phase := string(wf.Phase)
		if wf.Paused {
			phase += " (paused)"
		}
		fprintf(tw, "Phase\t%s\n", phase)
	}
	fprintf(tw, "Workflow\t%s\n", wf.ID)
	p := d.Program
	if p == nil {
		fmt.Fprintln(tw, "Postgres\tnot recorded yet (is a worker running?)")
		return
	}
	fprintf(tw, "Name\t%s\n", p.Name)
	fprintf(tw, "Holders\t%s\n", joined(p.Holders))
	fprintf(tw, "Repositories\t%s\n", joined(p.Repositories))
	if p.City != "" {
		fprintf(tw, "City\t%s\n", p.City)
	}
	if p.Theme != "" {
		fprintf(tw, "Theme\t%s\n", p.Theme)
	}
	if len(wf.Mentors) > 0 {
		fprintf(tw, "Mentors\t%s\n", joined(wf.Mentors))
	}
	if wf.Score != nil {
		fprintf(tw, "Jury\t%d/%d %s\n", *wf.Score, workflows.MaxScore, wf.JuryComment)
	}
	fprintf(tw, "Started\t%s\n", p.StartedAt.Format(time.RFC3339))
	if r := wf.NextReminder; r != nil {
		fprintf(tw, "Next reminder\t%s, %s for %s (to %s)\n", r.At.Format(time.RFC3339), r.Kind, r.Milestone, r.To)
	}
	for i, m := range wf.Milestones {
		label := ""
		if i == 0 {
			label = "Steps"
		}
		extra := ""
		if m.EvidenceURL != "" {
			extra = " " + m.EvidenceURL
		}
		fprintf(tw, "%s\t%-28s due %s  %s%s\n", label, m.ID, m.Due, m.Status, extra)
	}
	for i, a := range wf.Attendance {
		label := ""
		if i == 0 {
			label = "Meetups"
		}
		fprintf(tw, "%s\t%s (recorded by %s)\n", label, a.Meetup, a.RecordedBy)
	}
	for i, m := range d.Undelivered {
		label := ""
		if i == 0 {
			label = "Undelivered"
		}
		fprintf(tw, "%s\t%s to %s: %s (%s)\n", label, m.Kind, m.Recipient, m.Status, m.Payload["error"])
	}
	fprintf(tw, "Postgres\tphase %s, updated %s\n", p.Phase, p.UpdatedAt.Format(time.RFC3339))
}

// phases are the phases `program list --phase` accepts, in a program's
// order, as the workflow names them.
var phases = []workflows.Phase{
	workflows.PhaseApplied, workflows.PhaseSelected, workflows.PhaseRejected,
	workflows.PhaseHackathon, workflows.PhaseDemo, workflows.PhaseAccompaniment,
	workflows.PhaseGraduated, workflows.PhaseWithdrawn, workflows.PhaseDormant,
}

// checkPhase refuses a phase no program can be in, so that a typo is not
// answered "No programs yet".
func checkPhase(phase string) error {
	if phase == "" || slices.Contains(phases, workflows.Phase(phase)) {
		return nil
	}
	return fmt.Errorf("unknown phase %s; phases are %s", validate.Quote(phase), phaseNames())
}

func phaseNames() string {
	names := make([]string, len(phases))
	for i, p := range phases {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}

func programList(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	var edition, phase string
	var asJSON bool
	fs := newFlags("program list", e, &cfg, clientSettings...)
	fs.StringVar(&edition, "edition", "", "only programs of this edition")
	fs.StringVar(&phase, "phase", "", "only programs in this phase: "+phaseNames())
	fs.BoolVar(&asJSON, "json", false, "print the list as JSON")
	if err := noArgs("program list", e, fs, "suivi program list [--edition E] [--phase P] [--json]", args); err != nil {
		return err
	}
	if err := checkPhase(phase); err != nil {
		return &usageError{"program list", err.Error()}
	}
	if err := validConfig("program list", &cfg); err != nil {
		return err
	}
	l, err := apiClient(&cfg).ListPrograms(ctx, edition, phase)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, l)
	}
	if len(l.Programs) == 0 {
		fmt.Fprintln(e.stdout, "No programs yet; start one with `suivi program start`.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROGRAM\tNAME\tPHASE\tCITY\tLICENCE\tSTARTED")
	for _, p := range l.Programs {
		fprintf(tw, "%s/%s\t%s\t%s\t%s\t%s\t%s\n", p.Edition, p.Project, p.Name, p.Phase, p.City, p.Licence, p.StartedAt.Format("2006-01-02"))
	}
	return tw.Flush()
}
