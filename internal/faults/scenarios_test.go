//go:build faults

package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
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
	r := e.startPrograms(t, ctx, "kill9", 50, 45*time.Second)
	stop := time.Now().Add(time.Until(r.fire) + 60*time.Second)
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
