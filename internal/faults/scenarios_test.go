//go:build faults

package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/pglocal"
)

// TestWorkerKill9: kill -9 a random worker every few seconds while 200
// reminders fall due and go out; each must be in the mailbox exactly once.
// A killed worker may leave the one message it was handing to the relay
// "sending" (declared uncertain after 10 minutes): at most one per kill.
func TestWorkerKill9(t *testing.T) {
	e := sys
	ctx := context.Background()
	// 50 programs × 2 holders × 2 milestones = 200 reminders. The relay
	// takes 100 ms a message, so batches are under way when kills land.
	e.mailMode(t, "m=normal&delay=100ms")
	defer e.mailMode(t, "m=normal&delay=0s")
	r := e.startPrograms(t, ctx, "kill9", 50, 35*time.Second)
	stop := time.Now().Add(time.Until(r.fire) + 50*time.Second)
	kills := 0
	for time.Now().Before(stop) {
		time.Sleep(time.Duration(2000+rand.IntN(3000)) * time.Millisecond)
		w := e.workers[rand.IntN(len(e.workers))]
		w.kill9()
		kills++
		if err := w.start(e.dir); err != nil {
			t.Fatalf("restart %s after kill -9: %v", w.name, err)
		}
	}
	t.Logf("%d kill -9 of a worker; the last at %s", kills, time.Now().Format(time.TimeOnly))
	e.mailMode(t, "delay=0s")
	o := r.settle(t, ctx, 4*time.Minute)
	e.check(t, "worker kill -9", kills, o, true, fmt.Sprintf("200 reminders; uncertain ≤ kills (%d)", kills))
	if o.uncertain > kills {
		t.Errorf("%d messages uncertain after %d kills: the README allows one SMTP exchange per kill", o.uncertain, kills)
	}
}

// TestSMTPFaults: the relay down for two minutes, then answering 421/451
// for a while, then accepting each message and dropping the connection
// when the client goes on: every message is delivered once, none dropped.
// Three editions, whose reminders fall due inside each fault.
func TestSMTPFaults(t *testing.T) {
	// Beside the GitHub faults, which do not use the relay.
	t.Parallel()
	e := sys
	ctx := context.Background()
	defer e.mailMode(t, "m=normal&delay=0s")
	// Each window begins once the previous fault's messages are out (the
	// batch retried 5+10+20+40+80 s after the relay went down; a 4xx
	// message a minute later), so each edition meets its own fault.
	down := e.startPrograms(t, ctx, "smtp-down", 10, 25*time.Second)
	temp := e.startPrograms(t, ctx, "smtp-tempfail", 10, 25*time.Second+170*time.Second)
	drop := e.startPrograms(t, ctx, "smtp-drop", 10, 25*time.Second+170*time.Second+75*time.Second)
	at := func(when time.Time, mode string) {
		time.Sleep(time.Until(when))
		e.mailMode(t, mode)
		t.Logf("%s relay: %s", time.Now().Format(time.TimeOnly), mode)
	}
	at(down.fire.Add(-5*time.Second), "m=down")
	at(down.fire.Add(115*time.Second), "m=normal")
	at(temp.fire.Add(-5*time.Second), "m=tempfail")
	at(temp.fire.Add(55*time.Second), "m=normal")
	at(drop.fire.Add(-5*time.Second), "m=drop")
	at(drop.fire.Add(25*time.Second), "m=normal")
	for _, c := range []struct {
		r    *run
		name string
	}{{down, "SMTP down 2 min"}, {temp, "SMTP 421/451 1 min"}, {drop, "SMTP accept then drop"}} {
		o := c.r.settle(t, ctx, 4*time.Minute)
		e.check(t, c.name, 1, o, false, "")
	}
}

// TestSuiviPostgresStop: Suivi's Postgres stopped for 30 s as 100
// reminders fall due: no program fails, the local activities retry, the
// read model catches up (Postgres's next reminder is the workflow's), no
// row twice.
func TestSuiviPostgresStop(t *testing.T) {
	e := sys
	ctx := context.Background()
	r := e.startPrograms(t, ctx, "pg-stop", 25, 30*time.Second)
	time.Sleep(time.Until(r.fire.Add(-5 * time.Second)))
	if err := e.suiviPG.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: Suivi's Postgres stopped", time.Now().Format(time.TimeOnly))
	time.Sleep(30 * time.Second)
	pg, err := pglocal.Start(ctx, pglocal.Options{Dir: e.suiviPG.Dir(), Database: "suivi", Port: e.suiviPort})
	if err != nil {
		t.Fatalf("start Suivi's Postgres again: %v", err)
	}
	e.suiviPG = pg
	t.Logf("%s: Suivi's Postgres back on port %d", time.Now().Format(time.TimeOnly), e.suiviPort)
	o := r.settle(t, ctx, 4*time.Minute)
	note := ""
	for _, p := range append(append([]*proc{}, e.workers...), e.serves...) {
		if !p.running() {
			t.Errorf("%s exited during the outage:\n%s", p.name, p.lastLines())
			note += p.name + " exited; "
		}
	}
	// The read model caught up, and holds each row once.
	deadline := time.Now().Add(time.Minute)
	for {
		behind, err := r.behind(ctx)
		if err == nil && behind == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the read model is behind the workflows for %d programs (%v)", behind, err)
			o.lost += behind
			break
		}
		time.Sleep(2 * time.Second)
	}
	if dups, err := e.duplicateRows(ctx, r.edition); err != nil || dups > 0 {
		t.Errorf("%d duplicate rows (%v)", dups, err)
		o.duplicated += dups
	}
	e.check(t, "Suivi Postgres down 30 s", 1, o, false, note+"read model caught up")
}

// TestTemporalRestartAndServeKill: the Temporal server stopped (SIGTERM)
// and started again on its Postgres across the reminders' instant, then a
// serve killed (kill -9) while it waits for an Update, the same request
// (same Update ID) sent again to the other serve: programs resume where
// they were, reminders go out once, each Update acts once.
func TestTemporalRestartAndServeKill(t *testing.T) {
	e := sys
	ctx := context.Background()
	r := e.startPrograms(t, ctx, "restart", 10, 35*time.Second)
	time.Sleep(time.Until(r.fire.Add(-10 * time.Second)))
	e.temporal.stop()
	t.Logf("%s: Temporal stopped", time.Now().Format(time.TimeOnly))
	time.Sleep(15 * time.Second)
	if err := e.startTemporal(false); err != nil {
		t.Fatalf("start Temporal again: %v", err)
	}
	t.Logf("%s: Temporal back", time.Now().Format(time.TimeOnly))
	o := r.settle(t, ctx, 3*time.Minute)
	e.check(t, "Temporal restart", 1, o, false, "timers due while it was down fired after")

	// Updates through a serve killed mid-request, retried on the other.
	due := r.localDay(70)
	var u outcome
	for i := range r.programs {
		id := fmt.Sprintf("extend-later-p%03d", i)
		path := fmt.Sprintf("/api/v1/programs/%s/p%03d/actions/extend", r.edition, i)
		body := []byte(fmt.Sprintf(`{"update_id":%q,"milestone":"later","due":%q,"note":"moved"}`, id, due))
		victim := i % 2
		sent := make(chan struct{})
		go func() {
			close(sent)
			_, _, _ = e.api(ctx, victim, http.MethodPost, path, "application/json", body)
		}()
		<-sent
		time.Sleep(time.Duration(rand.IntN(60)) * time.Millisecond)
		e.serves[victim].kill9()
		if _, err := e.postAt(ctx, victim+1, path, "application/json", body); err != nil {
			t.Errorf("retry %s on the other serve: %v", id, err)
		}
		// Once more, later: the same answer, no second action.
		if _, err := e.postAt(ctx, victim+1, path, "application/json", body); err != nil {
			t.Errorf("second retry %s: %v", id, err)
		}
		if err := e.serves[victim].start(e.dir); err != nil {
			t.Fatalf("restart %s: %v", e.serves[victim].name, err)
		}
		u.messages++
	}
	// Each acted once: one audit entry per Update ID, the due date moved.
	conn, err := pgx.Connect(ctx, e.suiviURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	deadline := time.Now().Add(time.Minute)
	for {
		var entries, programs, moved int
		err := conn.QueryRow(ctx, `select count(*), count(distinct project) from audit_log where edition = $1 and action = 'extend'`, r.edition).Scan(&entries, &programs)
		if err == nil {
			err = conn.QueryRow(ctx, `select count(*) from milestones where edition = $1 and id = 'later' and due = $2::date`, r.edition, due).Scan(&moved)
		}
		if err == nil && programs == r.programs && moved == r.programs || time.Now().After(deadline) {
			u.duplicated = max(entries-programs, 0)
			u.lost = r.programs - moved
			if err != nil {
				t.Error(err)
			}
			break
		}
		time.Sleep(time.Second)
	}
	e.check(t, "serve kill -9 in an Update", r.programs, u, false, "same Update ID retried on the other serve")
}
