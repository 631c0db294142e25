package workflows

import (
	"strings"
	"unicode/utf8"

	"github.com/codecitoyen/suivi/internal/validate"
)

// Limits on what a caller can put into a program. The workflow carries its
// whole state through continue-as-new and answers queries with it, and a
// Temporal payload is limited to 2 MB (beyond, the workflow task fails and
// every later Update waits, then fails): every field has a maximum length
// and every list that grows has a maximum count, so that no sequence of
// accepted requests can take the state past MaxStateBytes. The API checks
// the same limits first (CheckRequest), and the Update validators again.
const (
	// MaxActorLen is the longest actor: an email address (RFC 5321) or
	// "cli:USER".
	MaxActorLen = 254
	// MaxNoteLen bounds notes and the jury's comment, in characters.
	MaxNoteLen = 2000
	// MaxAttendanceNoteLen bounds a note kept with one meetup's attendance.
	MaxAttendanceNoteLen = 280
	// MaxURLLen bounds a deliverable's address, in bytes (what browsers
	// and servers reliably accept).
	MaxURLLen = 2048
	// MaxMentors is the most mentors a program can have at once.
	MaxMentors = 10
	// MaxAttendance is the most meetups a program's state remembers; one
	// a month inside the edition's span is far fewer.
	MaxAttendance = 72
	// MaxPendingAudit is the most changes that may wait for their
	// projection into Postgres. While Postgres is slow or down the
	// projection retries; beyond this, Updates are refused with a 503
	// ("try again shortly") instead of piling up in the state.
	MaxPendingAudit = 20
	// MaxUpdateIDLen bounds a caller-chosen Update ID.
	MaxUpdateIDLen = 128
	// MaxHolders and MaxRepositories bound a program's start.
	MaxHolders      = 20
	MaxRepositories = 10
	// MaxSummaryLen bounds a project's summary, in characters.
	MaxSummaryLen = 1000
	// MaxStateBytes is the documented bound on a program's state as JSON
	// (TestStateStaysBounded builds the worst case and checks it), well
	// under Temporal's 2 MB payload limit.
	MaxStateBytes = 1536 << 10
)

// ErrBusy is the error type of an Update refused because the program's
// changes are waiting for Postgres: the API answers 503 with Retry-After.
const ErrBusy = "Busy"

// CheckRequest checks the parts of an action that do not depend on the
// program's state: who acts, and the length of every field. The API runs it
// before sending the Update; the validator runs it again.
func CheckRequest(action string, req ActionRequest) error {
	actor := strings.TrimSpace(req.Actor)
	switch {
	case actor == "":
		return invalid("say who acts (actor)")
	case len(actor) > MaxActorLen:
		return invalid("actor is %d bytes long; the limit is %d (an email address)", len(actor), MaxActorLen)
	case !utf8.ValidString(actor) || strings.ContainsFunc(actor, validate.Unsafe):
		return invalid("actor %s contains control or bidirectional formatting characters", validate.Quote(actor))
	}
	if n := utf8.RuneCountInString(req.Note); n > MaxNoteLen {
		return invalid("note is %d characters long; the limit is %d", n, MaxNoteLen)
	}
	if n := utf8.RuneCountInString(req.Comment); n > MaxNoteLen {
		return invalid("comment is %d characters long; the limit is %d", n, MaxNoteLen)
	}
	if action == UpdateAttend {
		if n := utf8.RuneCountInString(req.Note); n > MaxAttendanceNoteLen {
			return invalid("an attendance note is %d characters long; the limit is %d", n, MaxAttendanceNoteLen)
		}
	}
	for _, f := range []struct{ name, v string }{{"note", req.Note}, {"comment", req.Comment}} {
		if !utf8.ValidString(f.v) || strings.ContainsFunc(f.v, unsafeInText) {
			return invalid("%s contains control or bidirectional formatting characters (line breaks and tabs are fine)", f.name)
		}
	}
	if len(req.URL) > MaxURLLen {
		return invalid("url is %d bytes long; the limit is %d", len(req.URL), MaxURLLen)
	}
	if len(req.Mentor) > MaxActorLen {
		return invalid("mentor is %d bytes long; the limit is %d (an email address)", len(req.Mentor), MaxActorLen)
	}
	if len(req.Holder) > MaxActorLen {
		return invalid("holder is %d bytes long; the limit is %d (an email address)", len(req.Holder), MaxActorLen)
	}
	if req.OnBehalfOf != "" {
		if _, err := validate.Email(req.OnBehalfOf); err != nil {
			return invalid("on_behalf_of: %v", err)
		}
	}
	if len(req.Milestone) > 63 {
		return invalid("step %s is not a step id (at most 63 characters)", validate.Quote(req.Milestone))
	}
	if len(req.Meetup) > 7 {
		return invalid("meetup %s: name it by its month, YYYY-MM", validate.Quote(req.Meetup))
	}
	return nil
}

// unsafeInText is validate.Unsafe minus the line breaks and tabs a note
// may hold.
func unsafeInText(r rune) bool {
	return r != '\n' && r != '\t' && validate.Unsafe(r)
}

// CheckDeliverable checks a deliverable's address for a step's evidence
// kind, as the submit validator does.
func CheckDeliverable(kind, raw string) error {
	_, err := deliverableURL(kind, raw)
	return err
}
