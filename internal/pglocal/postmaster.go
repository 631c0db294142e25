package pglocal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// postmaster is a server process started by launch, as our own child
// rather than through `pg_ctl start`: pg_ctl leaves the server to PID 1,
// and where PID 1 does not reap (many containers) a killed server stays a
// zombie that PostgreSQL's lock file check takes for a live server, so no
// new one could start in its data directory. Our child we reap ourselves,
// and its exit tells the watchdog at once.
type postmaster struct {
	pid    int
	exited chan struct{} // closed once the process is reaped
	err    error         // its exit status, set before exited is closed
}

// launchTimeout bounds a start, as pg_ctl's -t did.
const launchTimeout = 60 * time.Second

// launch starts the server on c.port and waits until it accepts connections.
func (c *Cluster) launch(ctx context.Context) error {
	logf, err := os.OpenFile(c.logFile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("pglocal: server log: %w", err)
	}
	defer logf.Close() // the child has its own copy
	if err := c.chown(c.logFile()); err != nil {
		return err
	}
	// Not ctx: the server outlives the start; Stop ends it.
	cmd := c.command(context.Background(), "postgres", "-D", c.dataDir(), "-p", strconv.Itoa(c.port))
	cmd.Stdout, cmd.Stderr = logf, logf
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	// A session of its own, as pg_ctl does: Ctrl-C in the terminal is
	// for us, and we stop the server in order.
	cmd.SysProcAttr.Setsid = true
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pglocal: start postgres: %w", err)
	}
	pm := &postmaster{pid: cmd.Process.Pid, exited: make(chan struct{})}
	go func() {
		pm.err = cmd.Wait()
		close(pm.exited)
	}()
	c.pm = pm
	if err := c.waitReady(ctx, pm); err != nil {
		log, _ := os.ReadFile(c.logFile())
		return fmt.Errorf("%w; server log: %s", err, lastLines(string(log), 5))
	}
	c.log.Info("private PostgreSQL started", "port", c.port, "dir", c.dataDir(), "pid", pm.pid)
	return nil
}

// waitReady waits until the server says, in its lock file, that it
// accepts connections; a server that does not get there is shut down.
func (c *Cluster) waitReady(ctx context.Context, pm *postmaster) error {
	ctx, cancel := context.WithTimeout(ctx, launchTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !c.ready(pm.pid) {
		select {
		case <-pm.exited:
			return fmt.Errorf("pglocal: postgres exited while starting (%v)", pm.err)
		case <-ctx.Done():
			_ = syscall.Kill(pm.pid, syscall.SIGINT) // fast shutdown
			pm.reap()
			return fmt.Errorf("pglocal: postgres did not accept connections within %s: %w", launchTimeout, ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}

// ready reads the lock file, whose first line is the server's PID and
// eighth its status ("ready" once it accepts connections).
func (c *Cluster) ready(pid int) bool {
	b, err := os.ReadFile(filepath.Join(c.dataDir(), "postmaster.pid"))
	if err != nil {
		return false
	}
	lines := strings.Split(string(b), "\n")
	return len(lines) >= 8 && strings.TrimSpace(lines[0]) == strconv.Itoa(pid) && strings.TrimSpace(lines[7]) == "ready"
}

// done is closed when the process has exited; nil (never ready) for no
// process, so a select on it waits for something else.
func (pm *postmaster) done() <-chan struct{} {
	if pm == nil {
		return nil
	}
	return pm.exited
}

// reap waits a little for the process to be collected after a stop, so no
// zombie is left behind.
func (pm *postmaster) reap() {
	if pm == nil {
		return
	}
	select {
	case <-pm.exited:
	case <-time.After(10 * time.Second):
	}
}
