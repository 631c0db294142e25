package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Person is someone Suivi writes to, with their choices.
type Person struct {
	Email     string `json:"email"`
	Locale    string `json:"locale"`    // fr or en
	Reminders string `json:"reminders"` // all, digest or escalations
}

// GetPerson returns a person's choices; someone never seen gets the
// defaults (French, all reminders).
func (s *Store) GetPerson(ctx context.Context, email string) (Person, error) {
	p := Person{Email: email, Locale: "fr", Reminders: "all"}
	err := s.pool.QueryRow(ctx, `select locale, reminders from people where email = lower($1)`, email).Scan(&p.Locale, &p.Reminders)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return p, fmt.Errorf("store: person %s: %w", email, err)
	}
	return p, nil
}

// SetPerson stores a person's choices; empty fields keep their value.
func (s *Store) SetPerson(ctx context.Context, p Person) (Person, error) {
	err := s.pool.QueryRow(ctx, `
insert into people (email, locale, reminders) values (lower($1), coalesce(nullif($2, ''), 'fr'), coalesce(nullif($3, ''), 'all'))
on conflict (email) do update set
    locale = coalesce(nullif($2, ''), people.locale),
    reminders = coalesce(nullif($3, ''), people.reminders),
    updated_at = now()
returning locale, reminders`, p.Email, p.Locale, p.Reminders).Scan(&p.Locale, &p.Reminders)
	if err != nil {
		return p, fmt.Errorf("store: person %s: %w", p.Email, err)
	}
	return p, nil
}

// Claimed is an outbox message claimed for sending, with its recipient's
// choices.
type Claimed struct {
	Message
	Attempts int
	Person   Person
	// ClaimedAt identifies this claim: Begin and Release act only on the
	// claim they were given, never on a later claim of the same message.
	ClaimedAt time.Time
}

// Claim marks up to limit pending messages as being sent and returns them,
// oldest first. A claimed message is never claimed again: if the sender
// dies before marking it, it stays "sending" and is later declared
// uncertain rather than sent twice. Concurrent claimers skip each other's
// rows.
func (s *Store) Claim(ctx context.Context, limit int) ([]Claimed, error) {
	rows, err := s.pool.Query(ctx, `
with next as (
    select key from outbox where status = 'pending' and (next_attempt_at is null or next_attempt_at <= now())
    order by created_at, key limit $1 for update skip locked
)
update outbox o set status = 'sending', claimed_at = now(), started_at = null, attempts = attempts + 1
from next where o.key = next.key
returning o.claimed_at, o.key, o.edition, o.project, o.kind, o.subject, o.milestone, coalesce(to_char(o.due, 'YYYY-MM-DD'), ''),
    o.recipient, o.payload, o.created_at, o.attempts,
    coalesce((select locale from people where email = lower(o.recipient)), 'fr'),
    coalesce((select reminders from people where email = lower(o.recipient)), 'all')`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Claimed, error) {
		var c Claimed
		err := r.Scan(&c.ClaimedAt, &c.Key, &c.Edition, &c.Project, &c.Kind, &c.Subject, &c.Milestone, &c.Due, &c.Recipient,
			&c.Payload, &c.CreatedAt, &c.Attempts, &c.Person.Locale, &c.Person.Reminders)
		c.Person.Email, c.Status = c.Recipient, "sending"
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	return out, nil
}

// Settle records what became of a claimed message: sent, failed,
// uncertain, held, skipped, or pending again (a temporary failure).
func (s *Store) Settle(ctx context.Context, key, status, reply, errMsg string) error {
	_, err := s.pool.Exec(ctx, `
update outbox set status = $2, reply = $3, error = $4,
    sent_at = case when $2 = 'sent' then now() else sent_at end,
    -- A sign-in link is a credential: once its message is settled, its
    -- path (holding the secret) is no longer kept.
    payload = case when kind = 'login-link' and $2 <> 'pending' then payload - 'path' else payload end
where key = $1 and status = 'sending'`, key, status, reply, errMsg)
	if err != nil {
		return fmt.Errorf("store: settle %s: %w", key, err)
	}
	return nil
}

// Retry puts a claimed message back after a temporary failure, to be tried
// again after delay (measured by the database's clock, as Claim is).
func (s *Store) Retry(ctx context.Context, key, reply, errMsg string, delay time.Duration) error {
	_, err := s.pool.Exec(ctx, `
update outbox set status = 'pending', reply = $2, error = $3, next_attempt_at = now() + make_interval(secs => $4)
where key = $1 and status = 'sending'`, key, reply, errMsg, delay.Seconds())
	if err != nil {
		return fmt.Errorf("store: retry %s: %w", key, err)
	}
	return nil
}

// Begin marks a claimed message as handed to the relay, just before its
// SMTP exchange; false means the claim is no longer this sender's (it was
// released as never started, and perhaps claimed again): skip it.
func (s *Store) Begin(ctx context.Context, key string, claimedAt time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
update outbox set started_at = now()
where key = $1 and status = 'sending' and claimed_at = $2 and started_at is null`, key, claimedAt)
	if err != nil {
		return false, fmt.Errorf("store: begin %s: %w", key, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Release puts claimed messages that were never tried back, at once and
// without counting the attempt; a message claimed again since is left to
// its new claim.
func (s *Store) Release(ctx context.Context, claims []Claimed) error {
	if len(claims) == 0 {
		return nil
	}
	keys := make([]string, len(claims))
	at := make([]time.Time, len(claims))
	for i, c := range claims {
		keys[i], at[i] = c.Key, c.ClaimedAt
	}
	_, err := s.pool.Exec(ctx, `
update outbox o set status = 'pending', attempts = greatest(o.attempts - 1, 0), started_at = null
from unnest($1::text[], $2::timestamptz[]) as c(key, claimed_at)
where o.key = c.key and o.claimed_at = c.claimed_at and o.status = 'sending'`, keys, at)
	if err != nil {
		return fmt.Errorf("store: release: %w", err)
	}
	return nil
}

// Unstarted puts back messages claimed more than after ago and never
// handed to the relay: their batch's sender died (or is that slow, and
// Begin will tell it to skip them). It returns how many.
func (s *Store) Unstarted(ctx context.Context, after time.Duration) (int, error) {
	tag, err := s.pool.Exec(ctx, `
update outbox set status = 'pending', attempts = greatest(attempts - 1, 0)
where status = 'sending' and started_at is null and claimed_at < now() - make_interval(secs => $1)`, after.Seconds())
	if err != nil {
		return 0, fmt.Errorf("store: unstarted outbox: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Abandoned marks messages handed to the relay longer than after ago and
// still "sending" as uncertain: their sender died mid-way, and whether the server accepted
// them cannot be known. It returns them so coordinators can be told.
func (s *Store) Abandoned(ctx context.Context, after time.Duration) ([]Message, error) {
	rows, err := s.pool.Query(ctx, `
update outbox set status = 'uncertain', error = 'the sender stopped while sending; the message may or may not have been delivered'
where status = 'sending' and started_at < now() - make_interval(secs => $1)
returning key, edition, project, kind, milestone, coalesce(to_char(due, 'YYYY-MM-DD'), ''), recipient`, after.Seconds())
	if err != nil {
		return nil, fmt.Errorf("store: abandoned outbox: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) {
		var m Message
		err := r.Scan(&m.Key, &m.Edition, &m.Project, &m.Kind, &m.Milestone, &m.Due, &m.Recipient)
		m.Status = "uncertain"
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: abandoned outbox: %w", err)
	}
	return out, nil
}

// Digest gathers the reminders held for people who chose a weekly digest,
// oldest first, and marks them digested in the same transaction, calling
// build to queue each person's digest.
func (s *Store) Digest(ctx context.Context, build func(recipient string, items []Message) (Message, bool)) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
select key, edition, project, kind, milestone, coalesce(to_char(due, 'YYYY-MM-DD'), ''), recipient, payload, created_at
from outbox where status = 'held' order by recipient, created_at for update`)
		if err != nil {
			return err
		}
		held, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) {
			var m Message
			err := r.Scan(&m.Key, &m.Edition, &m.Project, &m.Kind, &m.Milestone, &m.Due, &m.Recipient, &m.Payload, &m.CreatedAt)
			return m, err
		})
		if err != nil {
			return err
		}
		for i := 0; i < len(held); {
			j := i
			for j < len(held) && held[j].Recipient == held[i].Recipient {
				j++
			}
			d, ok := build(held[i].Recipient, held[i:j])
			if !ok {
				i = j
				continue
			}
			tag, err := tx.Exec(ctx, `
insert into outbox (key, edition, project, kind, recipient, payload) values ($1, $2, $3, $4, $5, $6)
on conflict (key) do nothing`, d.Key, d.Edition, d.Project, d.Kind, d.Recipient, nonNilMap(d.Payload))
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				// This week's digest went out already: keep these for the
				// next one rather than lose them.
				i = j
				continue
			}
			n++
			for _, m := range held[i:j] {
				if _, err := tx.Exec(ctx, `update outbox set status = 'digested' where key = $1`, m.Key); err != nil {
					return err
				}
			}
			i = j
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: digest: %w", err)
	}
	return n, nil
}

// Undelivered returns a program's messages that failed or may not have
// been delivered, for its page and status.
func (s *Store) Undelivered(ctx context.Context, edition, project string) ([]Message, error) {
	rows, err := s.pool.Query(ctx, `
select key, kind, milestone, recipient, status, error, created_at from outbox
where edition = $1 and project = $2 and status in ('failed', 'uncertain') order by created_at`, edition, project)
	if err != nil {
		return nil, fmt.Errorf("store: undelivered of %s/%s: %w", edition, project, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) {
		var m Message
		var errMsg string
		err := r.Scan(&m.Key, &m.Kind, &m.Milestone, &m.Recipient, &m.Status, &errMsg, &m.CreatedAt)
		m.Edition, m.Project = edition, project
		m.Payload = map[string]string{"error": errMsg}
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: undelivered of %s/%s: %w", edition, project, err)
	}
	return out, nil
}

// MakeDue makes a message put back for later due now (tests, and an
// operator who fixed the cause).
func (s *Store) MakeDue(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, `update outbox set next_attempt_at = now() where key = $1 and status = 'pending'`, key)
	return err
}
