package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Message is one message to send, to one recipient. Key is its business
// idempotency key: queuing the same key twice queues it once.
type Message struct {
	Key       string            `json:"key"`
	Edition   string            `json:"edition"`
	Project   string            `json:"project"`
	Kind      string            `json:"kind"`
	Subject   string            `json:"subject,omitempty"`
	Milestone string            `json:"milestone,omitempty"`
	Due       string            `json:"due,omitempty"`
	Recipient string            `json:"recipient"`
	Payload   map[string]string `json:"payload,omitempty"`
	Status    string            `json:"status,omitempty"`
	CreatedAt time.Time         `json:"created_at,omitzero"`
}

// Enqueue adds messages to the outbox and returns how many were new.
func (s *Store) Enqueue(ctx context.Context, msgs []Message) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, m := range msgs {
			tag, err := tx.Exec(ctx, `
insert into outbox (key, edition, project, kind, subject, milestone, due, recipient, payload)
values ($1, $2, $3, $4, $5, $6, nullif($7, '')::date, $8, $9)
on conflict (key) do nothing`,
				m.Key, m.Edition, m.Project, m.Kind, m.Subject, m.Milestone, m.Due, m.Recipient, nonNilMap(m.Payload))
			if err != nil {
				return err
			}
			n += int(tag.RowsAffected())
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: outbox: %w", err)
	}
	return n, nil
}

// ListOutbox returns the messages queued for one program, oldest first.
func (s *Store) ListOutbox(ctx context.Context, edition, project string) ([]Message, error) {
	rows, err := s.pool.Query(ctx, `
select key, edition, project, kind, subject, milestone, coalesce(to_char(due, 'YYYY-MM-DD'), ''), recipient, payload, status, created_at
from outbox where edition = $1 and project = $2 order by created_at, key`, edition, project)
	if err != nil {
		return nil, fmt.Errorf("store: outbox of %s/%s: %w", edition, project, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) {
		var m Message
		err := r.Scan(&m.Key, &m.Edition, &m.Project, &m.Kind, &m.Subject, &m.Milestone, &m.Due, &m.Recipient, &m.Payload, &m.Status, &m.CreatedAt)
		m.CreatedAt = m.CreatedAt.UTC()
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: outbox of %s/%s: %w", edition, project, err)
	}
	return out, nil
}
