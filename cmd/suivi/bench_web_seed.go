package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

// benchFunders fund every third program of the bench (all by the first).
var benchFunders = []string{"metropole", "region", "fondation"}

// seedBenchWeb applies the bench's edition and stores n programs across
// the nine cities, with their milestones, people, phase and funders: the
// rows the worker's projection writes (SaveProgram, Fund), written with
// COPY in one transaction, so 10,000 programs take seconds rather than a
// transaction each. The tables are then analysed, as autovacuum would
// soon do, so the planner sees their real size from the first request.
func seedBenchWeb(ctx context.Context, st *store.Store, n int) error {
	ed, err := edition.Parse([]byte(benchEdition))
	if err != nil {
		return fmt.Errorf("the bench's edition: %w", err)
	}
	spec, err := json.Marshal(ed)
	if err != nil {
		return err
	}
	if _, _, err := st.ApplyEdition(ctx, ed.ID, ed.Hash(), spec); err != nil {
		return err
	}
	snaps := map[string]edition.Snapshot{}
	for _, c := range benchCities {
		if snaps[c], err = ed.Snapshot(c); err != nil {
			return err
		}
	}
	for _, f := range benchFunders {
		err := st.AddFunder(ctx, store.Funder{Slug: f, Name: f, Lang: "fr", Contacts: []string{f + "@bench.example.org"}}, "bench")
		if err != nil && !errors.Is(err, store.ErrFunderExists) {
			return err
		}
	}
	phases := []workflows.Phase{workflows.PhaseAccompaniment, workflows.PhaseAccompaniment, workflows.PhaseAccompaniment,
		workflows.PhaseAccompaniment, workflows.PhaseDemo, workflows.PhaseSelected, workflows.PhaseApplied,
		workflows.PhaseGraduated, workflows.PhaseDormant, workflows.PhaseWithdrawn}
	var programs, people, milestones, phaseRows, funding [][]any
	now := time.Now()
	for i := range n {
		p := benchProgram(i, snaps, phases, ed)
		programs = append(programs, []any{p.Edition, p.Project, p.Name, p.Holders, p.Repositories, p.City, p.Theme, p.Phase,
			p.Paused, p.Mentors, p.JuryComment, p.LastActivityAt, p.WorkflowID, p.StartedAt, p.Seq, p.Summary})
		for _, e := range p.Holders {
			people = append(people, []any{p.Edition, p.Project, strings.ToLower(e), "holder"})
		}
		for _, e := range p.Mentors {
			people = append(people, []any{p.Edition, p.Project, strings.ToLower(e), "mentor"})
		}
		for pos, m := range p.Milestones {
			due, err := time.Parse(time.DateOnly, m.Due)
			if err != nil {
				return fmt.Errorf("the bench's milestone %s: %w", m.ID, err)
			}
			var closed *time.Time
			if !m.ClosedAt.IsZero() {
				closed = &m.ClosedAt
			}
			milestones = append(milestones, []any{p.Edition, p.Project, m.ID, int32(pos), m.TitleFR, m.TitleEN, due, m.Evidence,
				m.Optional, m.Status, m.EvidenceURL, m.Note, closed})
		}
		phaseRows = append(phaseRows, []any{p.Edition, p.Project, p.Seq, p.Phase, p.StartedAt})
		if i%3 == 0 {
			funding = append(funding, []any{p.Edition, p.Project, benchFunders[i%len(benchFunders)], now})
		}
	}
	err = pgx.BeginFunc(ctx, st.Pool(), func(tx pgx.Tx) error {
		for _, c := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"programs", []string{"edition", "project", "name", "holders", "repositories", "city", "theme", "phase",
				"paused", "mentors", "jury_comment", "last_activity_at", "workflow_id", "started_at", "seq", "summary"}, programs},
			{"program_people", []string{"edition", "project", "email", "role"}, people},
			{"milestones", []string{"edition", "project", "id", "position", "title_fr", "title_en", "due", "evidence",
				"optional", "status", "evidence_url", "note", "closed_at"}, milestones},
			{"program_phases", []string{"edition", "project", "seq", "phase", "since"}, phaseRows},
			{"program_funders", []string{"edition", "project", "funder", "funded_at"}, funding},
		} {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
				return fmt.Errorf("copy into %s: %w", c.table, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("the bench's programs: %w", err)
	}
	if _, err := st.Pool().Exec(ctx, `vacuum (full, analyze) program_groups`); err != nil {
		return fmt.Errorf("the bench's programs: %w", err)
	}
	if _, err := st.Pool().Exec(ctx, `vacuum analyze programs, program_people, milestones, program_phases, program_funders`); err != nil {
		return fmt.Errorf("the bench's programs: %w", err)
	}
	return nil
}
