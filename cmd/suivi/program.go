package main

import (
	"context"
	"encoding/json"
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

const programUsage = `suivi program VERB …

  start     --edition E --project P --name N --holder-email EMAIL --repo URL [--city C] [--theme T]
  status    EDITION/PROJECT [--json]
  list      [--edition E] [--phase P] [--json]
  select | reject | pause | resume | withdraw | graduate   EDITION/PROJECT [--note N]
  score     EDITION/PROJECT --score 0-20 [--comment C]

These commands talk to a running Suivi (SUIVI_URL).`

func runProgram(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return &usageError{"program", "say start, status or list"}
	}
	switch args[0] {
	case "start":
		return programStart(ctx, e, args[1:])
	case "status":
		return programStatus(ctx, e, args[1:])
	case "list":
		return programList(ctx, e, args[1:])
	case "-h", "--help", "-help", "help":
		fmt.Fprintln(e.stdout, "Usage: "+programUsage)
		return nil
	}
	if s, ok := programActions[args[0]]; ok {
		return act(ctx, e, "program", args[0], s, args[1:])
	}
	return &usageError{"program", fmt.Sprintf("unknown subcommand %q: see `suivi program --help`", args[0])}
}

func programStart(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	var req api.StartProgram
	var holders, repos stringList
	var asJSON bool
	fs := newFlags("program start", e, &cfg, "server")
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
	res, err := api.NewClient(cfg.URL).StartProgram(ctx, req)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, res)
	}
	fmt.Fprintf(e.stdout, "Started program %s/%s (workflow %s, run %s).\n", in.Edition, in.Project, res.WorkflowID, res.RunID)
	if !res.Recorded {
		fmt.Fprintln(e.stdout, "The worker has not recorded it in Postgres yet; is a worker running?")
	}
	return nil
}

func programStatus(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	var asJSON bool
	fs := newFlags("program status", e, &cfg, "server")
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
	d, err := api.NewClient(cfg.URL).GetProgram(ctx, edition, project)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, d)
	}
	printStatus(e.stdout, edition, project, d)
	return nil
}

func printStatus(w io.Writer, edition, project string, d api.ProgramDetail) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintf(tw, "Program\t%s/%s\n", edition, project)
	wf := d.Workflow
	if wf.Error != "" {
		fmt.Fprintf(tw, "Phase\tunknown: the workflow did not answer (%s)\n", wf.Error)
	} else {
		phase := string(wf.Phase)
		if wf.Paused {
			phase += " (paused)"
		}
		fmt.Fprintf(tw, "Phase\t%s\n", phase)
	}
	fmt.Fprintf(tw, "Workflow\t%s\n", wf.ID)
	p := d.Program
	if p == nil {
		fmt.Fprintln(tw, "Postgres\tnot recorded yet (is a worker running?)")
		return
	}
	fmt.Fprintf(tw, "Name\t%s\n", p.Name)
	fmt.Fprintf(tw, "Holders\t%s\n", strings.Join(p.Holders, ", "))
	fmt.Fprintf(tw, "Repositories\t%s\n", strings.Join(p.Repositories, ", "))
	if p.City != "" {
		fmt.Fprintf(tw, "City\t%s\n", p.City)
	}
	if p.Theme != "" {
		fmt.Fprintf(tw, "Theme\t%s\n", p.Theme)
	}
	if len(wf.Mentors) > 0 {
		fmt.Fprintf(tw, "Mentors\t%s\n", strings.Join(wf.Mentors, ", "))
	}
	if wf.Score != nil {
		fmt.Fprintf(tw, "Jury\t%d/%d %s\n", *wf.Score, workflows.MaxScore, wf.JuryComment)
	}
	fmt.Fprintf(tw, "Started\t%s\n", p.StartedAt.Format(time.RFC3339))
	if r := wf.NextReminder; r != nil {
		fmt.Fprintf(tw, "Next reminder\t%s, %s for %s (to %s)\n", r.At.Format(time.RFC3339), r.Kind, r.Milestone, r.To)
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
		fmt.Fprintf(tw, "%s\t%-28s due %s  %s%s\n", label, m.ID, m.Due, m.Status, extra)
	}
	for i, a := range wf.Attendance {
		label := ""
		if i == 0 {
			label = "Meetups"
		}
		fmt.Fprintf(tw, "%s\t%s (recorded by %s)\n", label, a.Meetup, a.RecordedBy)
	}
	for i, m := range d.Undelivered {
		label := ""
		if i == 0 {
			label = "Undelivered"
		}
		fmt.Fprintf(tw, "%s\t%s to %s: %s (%s)\n", label, m.Kind, m.Recipient, m.Status, m.Payload["error"])
	}
	fmt.Fprintf(tw, "Postgres\tphase %s, updated %s\n", p.Phase, p.UpdatedAt.Format(time.RFC3339))
}

func programList(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	var edition, phase string
	var asJSON bool
	fs := newFlags("program list", e, &cfg, "server")
	fs.StringVar(&edition, "edition", "", "only programs of this edition")
	fs.StringVar(&phase, "phase", "", "only programs in this phase")
	fs.BoolVar(&asJSON, "json", false, "print the list as JSON")
	if err := noArgs("program list", e, fs, "suivi program list [--edition E] [--phase P] [--json]", args); err != nil {
		return err
	}
	if err := validConfig("program list", &cfg); err != nil {
		return err
	}
	l, err := api.NewClient(cfg.URL).ListPrograms(ctx, edition, phase)
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
		fmt.Fprintf(tw, "%s/%s\t%s\t%s\t%s\t%s\t%s\n", p.Edition, p.Project, p.Name, p.Phase, p.City, p.Licence, p.StartedAt.Format("2006-01-02"))
	}
	return tw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
