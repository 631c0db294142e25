package main

import (
	"context"
	"fmt"
	"os/user"
	"strconv"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

// actionSpec describes one CLI action: the Update it sends and the
// positional arguments and flags it takes after EDITION/PROJECT.
type actionSpec struct {
	update  string
	args    []string // names of positional arguments after the program
	summary string
}

// act runs `suivi GROUP VERB EDITION/PROJECT ARGS… [flags]`.
func act(ctx context.Context, e env, group, verb string, spec actionSpec, args []string) error {
	cmd := group + " " + verb
	var cfg config.Config
	var req api.Action
	var due, score string
	var asJSON bool
	fs := newFlags(cmd, e, &cfg, clientSettings...)
	fs.StringVar(&req.Note, "note", "", "a note kept with the step and in the audit log")
	fs.StringVar(&req.OnBehalfOf, "on-behalf-of", "", "a coordinator recording this for someone else (an email): the audit log keeps both names")
	fs.StringVar(&req.UpdateID, "request-id", "", "an ID of your choice: sending the same ID again returns the first result and acts once (default: random)")
	fs.BoolVar(&asJSON, "json", false, "print the answer as JSON")
	switch spec.update {
	case workflows.UpdateSubmit:
		fs.StringVar(&req.URL, "url", "", "the deliverable's URL: a demo, a video, the repository (required)")
	case workflows.UpdateExtend:
		fs.StringVar(&due, "due", "", "the new due date, YYYY-MM-DD (required)")
	case workflows.UpdateScore:
		fs.StringVar(&score, "score", "", fmt.Sprintf("the jury's score, 0 to %d (required)", workflows.MaxScore))
		fs.StringVar(&req.Comment, "comment", "", "the jury's comment")
	}
	synopsis := fmt.Sprintf("suivi %s EDITION/PROJECT", cmd)
	for _, a := range spec.args {
		synopsis += " " + a
	}
	synopsis += " [flags]\n\n" + spec.summary
	pos, err := parse(cmd, e, fs, synopsis, args)
	if err != nil {
		return err
	}
	if len(pos) != 1+len(spec.args) {
		return &usageError{cmd, "usage: " + fmt.Sprintf("suivi %s EDITION/PROJECT %v", cmd, spec.args)}
	}
	ed, project, err := validate.ProgramKey(pos[0])
	if err != nil {
		return &usageError{cmd, err.Error()}
	}
	if err := validConfig(cmd, &cfg); err != nil {
		return err
	}
	for i, name := range spec.args {
		v := pos[1+i]
		switch name {
		case "STEP":
			req.Milestone = v
		case "EMAIL":
			req.Mentor = v
		case "HOLDER":
			req.Holder = v
		case "MONTH":
			req.Meetup = v
		}
	}
	if spec.update == workflows.UpdateExtend {
		d, err := edition.ParseDate(due)
		if err != nil {
			return &usageError{cmd, "--due must be a date, YYYY-MM-DD"}
		}
		req.Due = d
	}
	if spec.update == workflows.UpdateScore {
		n, err := strconv.Atoi(score)
		if err != nil {
			return &usageError{cmd, fmt.Sprintf("--score must be a whole number from 0 to %d", workflows.MaxScore)}
		}
		req.Score = &n
	}
	res, err := apiClient(&cfg).Act(ctx, ed, project, spec.update, req)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, res)
	}
	fprintf(e.stdout, "%s/%s: %s (phase %s).\n", ed, project, res.Message, res.Phase)
	return nil
}

func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// programActions are `suivi program VERB`.
var programActions = map[string]actionSpec{
	"select":   {update: workflows.UpdateSelect, summary: "Selects an applied program (coordinator)."},
	"reject":   {update: workflows.UpdateReject, summary: "Rejects an applied program (coordinator)."},
	"pause":    {update: workflows.UpdatePause, summary: "Pauses reminders and dormancy (coordinator)."},
	"resume":   {update: workflows.UpdateResume, summary: "Resumes a paused program."},
	"withdraw": {update: workflows.UpdateWithdraw, summary: "Withdraws the program: it ends here."},
	"graduate": {update: workflows.UpdateGraduate, summary: "Graduates a program in accompaniment: it ends well."},
	"score":    {update: workflows.UpdateScore, summary: "Records the jury's score (--score) and comment (--comment); accompaniment starts."},
}

// stepActions are `suivi step VERB`.
var stepActions = map[string]actionSpec{
	"complete": {update: workflows.UpdateComplete, args: []string{"STEP"}, summary: "Marks a step complete (mentor)."},
	"waive":    {update: workflows.UpdateWaive, args: []string{"STEP"}, summary: "Waives a step, with a note saying why (mentor)."},
	"submit":   {update: workflows.UpdateSubmit, args: []string{"STEP"}, summary: "Submits a deliverable (--url) for a step (holder)."},
	"extend":   {update: workflows.UpdateExtend, args: []string{"STEP"}, summary: "Moves a step's due date (--due YYYY-MM-DD) and its reminders (coordinator)."},
}

// mentorActions are `suivi mentor VERB`.
// holderActions are `suivi holder VERB`.
var holderActions = map[string]actionSpec{
	"add":    {update: workflows.UpdateAddHolder, args: []string{"HOLDER"}, summary: "Adds a project holder (an email) to the program (coordinator)."},
	"remove": {update: workflows.UpdateRemoveHolder, args: []string{"HOLDER"}, summary: "Removes a project holder from the program (coordinator)."},
}

var mentorActions = map[string]actionSpec{
	"assign": {update: workflows.UpdateAssignMentor, args: []string{"EMAIL"}, summary: "Assigns a mentor to the program."},
	"remove": {update: workflows.UpdateRemoveMentor, args: []string{"EMAIL"}, summary: "Removes a mentor from the program."},
}

// meetupActions are `suivi meetup VERB`.
var meetupActions = map[string]actionSpec{
	"attend": {update: workflows.UpdateAttend, args: []string{"MONTH"}, summary: "Records the program's attendance at its city's meetup of MONTH (YYYY-MM)."},
}

func runGroup(group string, actions map[string]actionSpec, order []string) func(context.Context, env, []string) error {
	return func(ctx context.Context, e env, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
			verbs := make([]verb, len(order))
			for i, v := range order {
				verbs[i] = verb{v, actions[v].summary}
			}
			printVerbs(e.stdout, "suivi "+group+" VERB EDITION/PROJECT … [flags]", verbs,
				"Run `suivi "+group+" VERB --help` for a verb's arguments and flags. These commands talk to a running Suivi (SUIVI_URL).")
			if len(args) == 0 {
				return &usageError{group, "say which"}
			}
			return nil
		}
		s, ok := actions[args[0]]
		if !ok {
			return &usageError{group, fmt.Sprintf("unknown subcommand %q", args[0])}
		}
		return act(ctx, e, group, args[0], s, args[1:])
	}
}
