package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/validate"
)

func runEdition(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return &usageError{"edition", "say apply or show"}
	}
	switch args[0] {
	case "apply":
		return editionApply(ctx, e, args[1:])
	case "show":
		return editionShow(ctx, e, args[1:])
	case "-h", "--help", "-help", "help":
		fmt.Fprintln(e.stdout, "Usage: suivi edition apply FILE | suivi edition show ID [--json]\n\n  apply  store an edition file (YAML; see examples/ncc-2027.yaml) as a new version;\n         an unchanged file is a no-op; every problem is reported with its line\n  show   the latest version of an edition")
		return nil
	}
	return &usageError{"edition", fmt.Sprintf("unknown subcommand %q: say apply or show", args[0])}
}

// fileErrors is an edition file's problems, one per line as FILE:LINE: msg.
type fileErrors struct {
	file  string
	lines []string
}

func (f *fileErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s has %d problem(s); nothing was stored:", f.file, len(f.lines))
	for _, l := range f.lines {
		if rest, ok := strings.CutPrefix(l, "line "); ok {
			b.WriteString("\n  " + f.file + ":" + rest)
		} else {
			b.WriteString("\n  " + f.file + ": " + l)
		}
	}
	return b.String()
}

func editionApply(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	var asJSON bool
	fs := newFlags("edition apply", e, &cfg, clientSettings...)
	fs.BoolVar(&asJSON, "json", false, "print the answer as JSON")
	pos, err := parse("edition apply", e, fs, "suivi edition apply FILE [--json]", args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"edition apply", "name one edition file, such as examples/ncc-2027.yaml"}
	}
	if err := validConfig("edition apply", &cfg); err != nil {
		return err
	}
	data, err := readBounded(ctx, pos[0], edition.MaxFileSize)
	if errors.Is(err, errTooLarge) {
		return fmt.Errorf("edition file %s is %v; an edition file is at most %d KiB", validate.Quote(pos[0]), err, edition.MaxFileSize>>10)
	}
	if err != nil {
		return fmt.Errorf("read edition file: %w", err)
	}
	// Check locally first: every problem, with its line, without a server.
	if _, err := edition.Parse(data); err != nil {
		var list edition.ErrorList
		if errors.As(err, &list) {
			return &fileErrors{file: pos[0], lines: list.Strings()}
		}
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	res, err := apiClient(&cfg).ApplyEdition(ctx, data)
	if err != nil {
		var se *api.StatusError
		if errors.As(err, &se) && len(se.Problems) > 0 {
			return &fileErrors{file: pos[0], lines: se.Problems}
		}
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, res)
	}
	if res.Changed {
		fprintf(e.stdout, "Edition %s stored as version %d; %d city meetup schedule(s) in place.\n", res.ID, res.Version, res.Schedules)
	} else {
		fprintf(e.stdout, "Edition %s unchanged (version %d).\n", res.ID, res.Version)
	}
	return nil
}

func editionShow(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	var asJSON bool
	fs := newFlags("edition show", e, &cfg, clientSettings...)
	fs.BoolVar(&asJSON, "json", false, "print the edition as JSON")
	pos, err := parse("edition show", e, fs, "suivi edition show ID [--json]", args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"edition show", "name one edition, such as ncc-2027"}
	}
	if err := validate.Slug("edition", pos[0]); err != nil {
		return &usageError{"edition show", err.Error()}
	}
	if err := validConfig("edition show", &cfg); err != nil {
		return err
	}
	d, err := apiClient(&cfg).GetEdition(ctx, pos[0])
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, d)
	}
	ed := d.Edition
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fprintf(tw, "Edition\t%s — %s (version %d)\n", ed.ID, ed.Name.FR, d.Version)
	fprintf(tw, "Call for projects\t%s → %s\n", ed.CallForProjects.Opens, ed.CallForProjects.Closes)
	fprintf(tw, "Hackathon\t%s → %s (local time in each city)\n", ed.Hackathon.Starts, ed.Hackathon.Ends)
	fprintf(tw, "Accompaniment\t%d months, until %s\n", ed.AccompanimentMonths, d.End.Format("2006-01-02"))
	fmt.Fprintln(tw, "Cities\t")
	for _, c := range ed.Cities {
		fprintf(tw, "  %s\t%s, meetups %s\n", c.Name, c.TimeZone, c.Meetup)
	}
	fmt.Fprintln(tw, "Themes\t")
	for _, t := range ed.Themes {
		fprintf(tw, "  %s\t%s\n", t.ID, t.Title.FR)
	}
	fmt.Fprintln(tw, "Milestones\t")
	for _, m := range ed.Milestones {
		opt := ""
		if m.Optional {
			opt = ", optional"
		}
		fprintf(tw, "  %s\t%s (due %s, evidence %s%s)\n", m.ID, m.Title.FR, m.Due, m.Evidence, opt)
	}
	return tw.Flush()
}
