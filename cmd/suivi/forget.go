package main

import (
	"context"
	"fmt"

	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/validate"
)

// programForget runs `suivi program forget E/P`: the way out when Temporal
// lost a program's workflow and Postgres still holds its record.
func programForget(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	var asJSON bool
	fs := newFlags("program forget", e, &cfg, clientSettings...)
	fs.BoolVar(&asJSON, "json", false, "print the answer as JSON")
	pos, err := parse("program forget", e, fs, "suivi program forget EDITION/PROJECT [flags]\n\n"+
		"Sets aside the Postgres record of a program whose workflow Temporal no longer has\n"+
		"(Temporal's state was lost), so the project can be started again. The whole record\n"+
		"(milestones, attendance, audit log) is kept in the archived_programs table. Refused\n"+
		"while Temporal still has the program's workflow: withdraw it instead.", args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"program forget", "name one program as EDITION/PROJECT, such as ncc-2027/demoscampi"}
	}
	ed, project, err := validate.ProgramKey(pos[0])
	if err != nil {
		return &usageError{"program forget", err.Error()}
	}
	if err := validConfig("program forget", &cfg); err != nil {
		return err
	}
	res, err := apiClient(&cfg).Forget(ctx, ed, project, "")
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, res)
	}
	fmt.Fprintf(e.stdout, "%s/%s (phase %s) set aside as archive %d; start it again with `suivi program start`.\n", ed, project, res.Phase, res.ArchiveID)
	return nil
}

// programFund runs `suivi program fund E/P --funder SLUG [--since DATE]`
// and, with remove, `suivi program unfund E/P --funder SLUG`.
func programFund(ctx context.Context, e env, args []string, remove bool) error {
	verb := "program fund"
	if remove {
		verb = "program unfund"
	}
	var cfg config.Config
	var funder, since string
	fs := newFlags(verb, e, &cfg, clientSettings...)
	fs.StringVar(&funder, "funder", "", "the funder's slug, e.g. metropole-de-lyon (required)")
	usage := "suivi program fund EDITION/PROJECT --funder SLUG [--since YYYY-MM-DD]\n\n" +
		"Records that a funder (`suivi funder add`) funds the program: its people may then read\n" +
		"the program, and its monthly reports include it from --since (default today)."
	if remove {
		usage = "suivi program unfund EDITION/PROJECT --funder SLUG\n\n" +
			"Ends a funder's funding of the program: its people no longer see it, and reports\n" +
			"of the months after leave it out (those of the months it was funded keep it)."
	} else {
		fs.StringVar(&since, "since", "", "the day the funding began, YYYY-MM-DD (default today)")
	}
	pos, err := parse(verb, e, fs, usage, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{verb, "name one program as EDITION/PROJECT, such as ncc-2027/demoscampi"}
	}
	ed, project, err := validate.ProgramKey(pos[0])
	if err != nil {
		return &usageError{verb, err.Error()}
	}
	if err := validate.Slug("funder", funder); err != nil {
		return &usageError{verb, "--funder: " + err.Error()}
	}
	if err := validConfig(verb, &cfg); err != nil {
		return err
	}
	msg, err := apiClient(&cfg).Fund(ctx, ed, project, funder, since, remove)
	if err != nil {
		return err
	}
	fprintf(e.stdout, "%s.\n", msg)
	return nil
}
