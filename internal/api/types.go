// Package api holds the JSON shapes of Suivi's HTTP API under /api/v1 and
// a small client for them, which the CLI uses: the CLI is a client of the
// API like any other.
package api

import (
	"time"

	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

// StartProgram is the body of POST /api/v1/programs: the program as the
// workflow receives it.
type StartProgram = workflows.Program

// StartedProgram answers a successful start (201).
type StartedProgram struct {
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
	// Recorded tells whether the worker had already projected the program
	// into Postgres when the answer was sent.
	Recorded bool `json:"recorded"`
}

// ProgramDetail answers GET /api/v1/programs/{edition}/{project}: what
// Postgres holds, and what the workflow itself says.
type ProgramDetail struct {
	Program  *store.Program `json:"program"`
	Workflow WorkflowView   `json:"workflow"`
}

// WorkflowView is the live state of a program's workflow.
type WorkflowView struct {
	ID        string    `json:"id"`
	Phase     string    `json:"phase,omitempty"`
	StartedAt time.Time `json:"started_at,omitzero"`
	// Error says why the workflow could not be queried, when it could not.
	Error string `json:"error,omitempty"`
}

// ProgramList answers GET /api/v1/programs.
type ProgramList struct {
	Programs []store.Program `json:"programs"`
}

// Health answers GET /healthz.
type Health struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// Error is the body of every 4xx and 5xx answer.
type Error struct {
	Error string `json:"error"`
}
