// Package api holds the JSON shapes of Suivi's HTTP API under /api/v1 and
// a small client for them, which the CLI uses: the CLI is a client of the
// API like any other.
package api

import (
	"time"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/github"
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
	// Recorded tells whether the program's first record is in Postgres
	// (readable at once); false only when Postgres failed right after the
	// start, and then the workflow writes it itself.
	Recorded bool `json:"recorded"`
}

// ProgramDetail answers GET /api/v1/programs/{edition}/{project}: what
// Postgres holds, and what the workflow itself says.
type ProgramDetail struct {
	Program  *store.Program `json:"program"`
	Workflow WorkflowView   `json:"workflow"`
	// Undelivered lists messages that failed or may not have arrived.
	Undelivered []store.Message `json:"undelivered,omitempty"`
}

// WorkflowView is the live state of a program's workflow.
type WorkflowView struct {
	ID string `json:"id"`
	workflows.ProgramStatus
	// Error says why the workflow could not be queried, when it could not.
	Error string `json:"error,omitempty"`
}

// ProgramList answers GET /api/v1/programs.
type ProgramList struct {
	Programs []store.Program `json:"programs"`
	// Next, when set, is the after= of the next page.
	Next string `json:"next,omitempty"`
}

// Health answers GET /healthz.
type Health struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// Error is the body of every 4xx and 5xx answer. Errors lists every
// problem when there are several (an edition file's, with line numbers).
type Error struct {
	Error  string   `json:"error"`
	Errors []string `json:"errors,omitempty"`
}

// AppliedEdition answers POST /api/v1/editions.
type AppliedEdition struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	// Changed is false when the file matched the latest version.
	Changed bool `json:"changed"`
	// Schedules is how many city meetup schedules are in place.
	Schedules int `json:"schedules"`
}

// EditionDetail answers GET /api/v1/editions/{id}.
type EditionDetail struct {
	Version   int             `json:"version"`
	Hash      string          `json:"hash"`
	AppliedAt time.Time       `json:"applied_at"`
	End       time.Time       `json:"accompaniment_end"`
	Edition   edition.Edition `json:"edition"`
}

// Action is the body of POST /api/v1/programs/{edition}/{project}/actions/{action}.
// UpdateID is chosen by the caller: a retried request with the same ID
// returns the first result and acts once.
type Action struct {
	workflows.ActionRequest
	UpdateID string `json:"update_id,omitempty"`
}

// ActionDone answers an action.
type ActionDone struct {
	UpdateID string `json:"update_id"`
	workflows.ActionResult
}

// RepoActivity answers GET /api/v1/programs/{edition}/{project}/activity:
// the program's repositories as last polled, and metrics over a period.
type RepoActivity struct {
	Repos   []store.Repo   `json:"repos"`
	Metrics github.Metrics `json:"metrics"`
}

// Forget is the body of POST /api/v1/programs/{edition}/{project}/forget.
type Forget struct {
	Actor string `json:"actor"`
}

// Forgotten answers a forget: where the old record was set aside.
type Forgotten struct {
	ArchiveID int64  `json:"archive_id"`
	Phase     string `json:"phase"`
}

// SigninRequest is the body of POST /api/v1/signin: email a sign-in link.
type SigninRequest struct {
	Email string `json:"email"`
}

// SigninSent answers it, the same whether the address is known or not.
type SigninSent struct {
	Message string `json:"message"`
}

// TokenExchange is the body of POST /api/v1/tokens/exchange: a sign-in
// link (its address or its secret) for an API token.
type TokenExchange struct {
	Link string `json:"link"`
	Name string `json:"name,omitempty"`
}

// NewToken is a token just made: the secret is shown this once.
type NewToken struct {
	Token string      `json:"token"`
	Info  store.Token `json:"info"`
}

// TokenCreate is the body of POST /api/v1/tokens.
type TokenCreate struct {
	Name string `json:"name"`
}

// TokenList answers GET /api/v1/tokens: the viewer's tokens.
type TokenList struct {
	Tokens []store.Token `json:"tokens"`
}

// Me answers GET /api/v1/me: who is signed in and what they are.
type Me struct {
	Email  string       `json:"email"`
	Roles  []auth.Role  `json:"roles"`
	Grants []auth.Grant `json:"grants"`
}

// UserChange is the body of POST /api/v1/users and /api/v1/users/remove:
// a role given or taken back. Mentor and holder roles name a program
// (EDITION/PROJECT) and go through its workflow.
type UserChange struct {
	Email   string    `json:"email"`
	Role    auth.Role `json:"role"`
	City    string    `json:"city,omitempty"`
	Edition string    `json:"edition,omitempty"`
	Funder  string    `json:"funder,omitempty"`
	Program string    `json:"program,omitempty"`
}

// User is one person as `suivi user list` shows them.
type User struct {
	Email  string       `json:"email"`
	Grants []auth.Grant `json:"grants,omitempty"`
	// Programs says where programs list the person ("holder of E/P").
	Programs []string `json:"programs,omitempty"`
}

// UserList answers GET /api/v1/users.
type UserList struct {
	Users []User `json:"users"`
}

// FundRequest is the body of POST /api/v1/programs/{e}/{p}/funders.
type FundRequest struct {
	Funder string `json:"funder"`
	// Since is the day the funding began (YYYY-MM-DD, not after today),
	// for reports of past months; today when left out. Ignored by
	// .../funders/remove.
	Since string `json:"since,omitempty"`
}

// PublicRequest is the body of POST /api/v1/programs/{e}/{p}/public.
type PublicRequest struct {
	Public bool `json:"public"`
}

// CalendarFeed answers POST /api/v1/calendar: the private feed's address,
// shown this once.
type CalendarFeed struct {
	URL string `json:"url"`
}

// FunderRequest is the body of POST /api/v1/funders (slug required) and
// PUT /api/v1/funders/{slug} (slug from the path).
type FunderRequest struct {
	Slug     string   `json:"slug,omitempty"`
	Name     string   `json:"name"`
	Lang     string   `json:"lang,omitempty"`
	Contacts []string `json:"contacts"`
}

// FunderView is a funder as the API shows it.
type FunderView struct {
	Slug     string   `json:"slug"`
	Name     string   `json:"name"`
	Lang     string   `json:"lang"`
	Contacts []string `json:"contacts"`
	Programs []string `json:"programs"`
	// Reports are the months whose report was made and sent, newest first.
	Reports []string `json:"reports"`
	// Readers hold the funder role: the contacts and anyone else given it.
	Readers []string `json:"readers"`
}
