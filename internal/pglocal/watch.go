package pglocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// WatchOptions tune Watch; zero values take the defaults.
type WatchOptions struct {
	// Interval between two checks of the postmaster; default 1s.
	Interval time.Duration
	// Attempts is how many restarts are tried before giving up; default 3.
	Attempts int
	// Backoff is the wait before the second attempt, doubled before each
	// later one; default 1s. Backends orphaned by a killed postmaster hold
	// its shared memory for a moment, and a new server refuses to start
	// until they are gone.
	Backoff time.Duration
}

func (o *WatchOptions) defaults() {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
}

// Watch keeps the server up until Stop: when its postmaster dies, the
// server is started again on the same data directory, port and password,
// so pools holding the URL reconnect by themselves. The channel receives
// one error when the server died and could not be restarted; watching
// then ends. Calling Watch again, or after Stop, watches nothing.
func (c *Cluster) Watch(o WatchOptions) <-chan error {
	o.defaults()
	failed := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopping || c.stopWatch != nil {
		cancel()
		return failed
	}
	done := make(chan struct{})
	c.stopWatch, c.watchDone = cancel, done
	go func() {
		defer close(done)
		if err := c.watch(ctx, o); err != nil {
			failed <- err
		}
	}()
	return failed
}

// endWatch stops the watchdog and waits for it, so that no restart starts
// or is under way once it returns (a restart in progress completes first).
func (c *Cluster) endWatch() {
	c.mu.Lock()
	c.stopping = true
	cancel, done := c.stopWatch, c.watchDone
	c.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

func (c *Cluster) watch(ctx context.Context, o WatchOptions) error {
	tick := time.NewTicker(o.Interval)
	defer tick.Stop()
	exited := c.pm.done()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-exited:
			exited = nil // seen; the lock file says the rest
		case <-tick.C:
		}
		// Ask the lock file rather than only our child: a server someone
		// restarted by hand is adopted, not fought over.
		pid := c.postmasterPID()
		if alive(pid) {
			continue
		}
		c.log.Warn("the private PostgreSQL died; restarting it", "pid", pid, "port", c.port, "log", c.logFile())
		err := c.restart(ctx, o)
		if ctx.Err() != nil {
			return nil // stopping: Stop takes it from here
		}
		if err != nil {
			return fmt.Errorf("the private Postgres in %s died and could not be restarted: %w; see %s", c.dir, err, c.logFile())
		}
		exited = c.pm.done()
		c.log.Warn("the private PostgreSQL died and was restarted", "old_pid", pid, "pid", c.postmasterPID(), "port", c.port)
	}
}

// restart starts the server again, trying o.Attempts times with backoff.
func (c *Cluster) restart(ctx context.Context, o WatchOptions) error {
	var err error
	wait := o.Backoff
	for attempt := 1; attempt <= o.Attempts; attempt++ {
		if attempt > 1 {
			c.log.Warn("the private PostgreSQL did not restart; trying again", "attempt", attempt, "in", wait, "error", err)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
			wait *= 2
		}
		// An earlier attempt may have left a server starting up slowly.
		if alive(c.postmasterPID()) {
			return nil
		}
		// Not ctx: Stop waits for a restart under way (bounded by
		// launchTimeout) rather than abandoning a server half-started.
		if err = c.launch(context.Background()); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%d attempts: %w", o.Attempts, err)
}

// alive reports whether pid is a running postgres process.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if errors.Is(err, os.ErrNotExist) && procMounted() {
		return false // gone since the signal
	}
	if err != nil {
		return true // no /proc (not Linux): trust the signal
	}
	return runningPostgres(stat)
}

// runningPostgres reads /proc/PID/stat, "PID (comm) STATE ...". A killed
// postmaster whose parent does not reap it (PID 1 of some containers)
// stays a zombie, which kill(pid, 0) still finds; and a PID reused by
// another program is not our server.
func runningPostgres(stat []byte) bool {
	open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || end < open || end+2 >= len(stat) {
		return true // unknown format: trust the signal
	}
	comm, state := string(stat[open+1:end]), stat[end+2]
	return comm == "postgres" && state != 'Z' && state != 'X'
}

func procMounted() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}
