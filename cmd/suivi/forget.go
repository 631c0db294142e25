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
