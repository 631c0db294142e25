// Package pglocal runs a private PostgreSQL cluster from the machine's own
// initdb, postgres and pg_ctl, for `suivi dev` and for tests, when no
// DATABASE_URL is given. The cluster lives in a directory of its own,
// listens on a free loopback port with a generated password, and is
// stopped on exit; Watch restarts it if it dies in between.
package pglocal

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoPostgres means neither initdb nor pg_ctl could be found.
var ErrNoPostgres = errors.New("no PostgreSQL server binaries (initdb, pg_ctl) found")

// Options configure a private cluster.
type Options struct {
	// Dir holds the cluster: data/, the log and the generated password.
	Dir string
	// BinDir holds initdb and pg_ctl; empty searches PATH, then
	// /usr/lib/postgresql/*/bin (newest first).
	BinDir string
	// Database is created on first start; default "suivi".
	Database string
	// Port, when set, is the port to listen on (default: a free one), so
	// a cluster stopped and started again keeps its address.
	Port   int
	Logger *slog.Logger
}

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	dir, bin, database, password string
	port                         int
	cred                         *syscall.Credential
	log                          *slog.Logger

	// mu guards the watchdog's lifecycle, so Stop never races a restart.
	mu        sync.Mutex
	stopping  bool
	stopWatch context.CancelFunc
	watchDone chan struct{}
	// pm is the server process, our child; nil for a server we did not
	// start. Written by Start and the watchdog, read after endWatch.
	pm *postmaster
}

const superuser = "suivi"

// FindBinDir returns the directory holding initdb and pg_ctl.
func FindBinDir(hint string) (string, error) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
			if fi, err := os.Stat(filepath.Join(dir, b)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if hint != "" {
		if has(hint) {
			return hint, nil
		}
		return "", fmt.Errorf("%w in %s (SUIVI_PG_BINDIR)", ErrNoPostgres, hint)
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		// Debian links initdb into PATH; resolve the link so postgres is found beside it.
		if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
		if has(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Prefer the newest major version.
	for i := len(dirs) - 1; i >= 0; i-- {
		if has(dirs[i]) {
			return dirs[i], nil
		}
	}
	return "", ErrNoPostgres
}

// Start creates the cluster on first use and starts it on a free port.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	if o.Database == "" {
		o.Database = "suivi"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	bin, err := FindBinDir(o.BinDir)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("pglocal: %w", err)
	}
	c := &Cluster{dir: dir, bin: bin, database: o.Database, log: o.Logger, port: o.Port}
	if err := c.dropPrivileges(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, fmt.Errorf("pglocal: create %s: %w", c.dir, err)
	}
	if err := c.chown(c.dir); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx); err != nil {
			return nil, err
		}
	}
	pw, err := os.ReadFile(c.passwordFile())
	if err != nil {
		return nil, fmt.Errorf("pglocal: read password: %w", err)
	}
	c.password = strings.TrimSpace(string(pw))
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	if err := c.ensureDatabase(ctx); err != nil {
		_ = c.Stop()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) dataDir() string      { return filepath.Join(c.dir, "data") }
func (c *Cluster) passwordFile() string { return filepath.Join(c.dir, "password") }
func (c *Cluster) logFile() string      { return filepath.Join(c.dir, "postgres.log") }

// URL is the connection URL of the cluster's database.
func (c *Cluster) URL() string { return c.urlFor(c.database) }

func (c *Cluster) urlFor(db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(superuser, c.password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// Port is the TCP port the cluster listens on.
func (c *Cluster) Port() int { return c.port }

// Dir is the directory holding the cluster (it may differ from the one asked
// for when running as root; see dropPrivileges).
func (c *Cluster) Dir() string { return c.dir }

// dropPrivileges prepares to run the server as an unprivileged user when we
// are root: PostgreSQL refuses to run as root.
func (c *Cluster) dropPrivileges() error {
	cred, err := serverCredential()
	if cred == nil || err != nil {
		return err
	}
	c.cred = cred
	uid, gid := int(cred.Uid), int(cred.Gid)
	// Parents we create must be traversable by that user.
	if err := os.MkdirAll(filepath.Dir(c.dir), 0o755); err != nil {
		return fmt.Errorf("pglocal: create %s: %w", filepath.Dir(c.dir), err)
	}
	if !reachable(filepath.Dir(c.dir), uid, gid) {
		// The server user cannot walk to the directory (e.g. under /root):
		// keep the cluster in a stable place of its own instead.
		sum := sha256.Sum256([]byte(c.dir))
		alt := filepath.Join(os.TempDir(), "suivi-postgres-"+hex.EncodeToString(sum[:6]))
		c.log.Warn("data dir is not reachable by the postgres user; keeping the cluster elsewhere",
			"wanted", c.dir, "using", alt)
		c.dir = alt
	}
	return nil
}

// serverCredential is the user PostgreSQL runs as when it cannot run as us
// (it refuses root); nil when it runs as us.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var u *user.User
	var err error
	for _, name := range []string{"postgres", "nobody"} {
		if u, err = user.Lookup(name); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("pglocal: running as root and no 'postgres' or 'nobody' user to run PostgreSQL as: set DATABASE_URL instead")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// ServerGroup is the group of the user PostgreSQL will run as when that is
// not us (we are root), so the caller can let that group, and it alone,
// traverse the private directory holding a cluster; ok is false when the
// server runs as us and needs nothing.
func ServerGroup() (gid int, ok bool, err error) {
	cred, err := serverCredential()
	if cred == nil || err != nil {
		return 0, false, err
	}
	return int(cred.Gid), true, nil
}

// reachable reports whether uid/gid may traverse every directory down to dir.
func reachable(dir string, uid, gid int) bool {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err == nil {
			st, ok := fi.Sys().(*syscall.Stat_t)
			if !ok {
				return false
			}
			m := fi.Mode().Perm()
			okx := m&0o001 != 0 || (int(st.Gid) == gid && m&0o010 != 0) || (int(st.Uid) == uid && m&0o100 != 0)
			if !okx {
				return false
			}
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

func (c *Cluster) chown(path string) error {
	if c.cred == nil {
		return nil
	}
	if err := os.Chown(path, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
		return fmt.Errorf("pglocal: chown %s: %w", path, err)
	}
	return nil
}

func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Env = []string{"PATH=" + c.bin + ":/usr/bin:/bin", "LC_ALL=C", "TZ=UTC"}
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	cmd := c.command(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pglocal: %s: %w: %s", name, err, lastLines(out.String(), 5))
	}
	return nil
}

func (c *Cluster) initdb(ctx context.Context) error {
	c.log.Info("creating private PostgreSQL cluster", "dir", c.dataDir())
	buf := make([]byte, 18)
	if _, err := rand.Read(buf); err != nil {
		return fmt.Errorf("pglocal: password: %w", err)
	}
	if err := os.WriteFile(c.passwordFile(), []byte(hex.EncodeToString(buf)+"\n"), 0o600); err != nil {
		return fmt.Errorf("pglocal: write password: %w", err)
	}
	if err := c.chown(c.passwordFile()); err != nil {
		return err
	}
	// A half-created data dir from an interrupted initdb would block every
	// later start; start clean.
	_ = os.RemoveAll(c.dataDir())
	if err := c.run(ctx, "initdb", "-D", c.dataDir(), "-U", superuser, "--pwfile", c.passwordFile(),
		"-A", "scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		_ = os.RemoveAll(c.dataDir())
		return err
	}
	// Loopback TCP only: no Unix socket to clash with a system server.
	conf := "\n# suivi dev\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n" +
		"max_connections = 100\nshared_buffers = 64MB\nfsync = on\n"
	f, err := os.OpenFile(filepath.Join(c.dataDir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("pglocal: configure: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(conf); err != nil {
		return fmt.Errorf("pglocal: configure: %w", err)
	}
	return nil
}

func (c *Cluster) start(ctx context.Context) error {
	// Callers own the directory exclusively (suivi dev locks its data dir),
	// so a server still running here was left behind by a crash: stop it.
	if pid, running := c.running(); running {
		c.log.Warn("stopping a PostgreSQL server left running by an earlier run", "pid", pid)
		if err := c.run(ctx, "pg_ctl", "stop", "-D", c.dataDir(), "-m", "fast", "-w"); err != nil {
			return err
		}
	}
	if c.port == 0 {
		port, err := freePort()
		if err != nil {
			return err
		}
		c.port = port
	}
	return c.launch(ctx)
}

// running reports whether the server of this data dir is up.
func (c *Cluster) running() (int, bool) {
	pid := c.postmasterPID()
	return pid, alive(pid)
}

// postmasterPID is the PID the server wrote in its lock file, 0 when there
// is none. The file outlives a killed server: check the process too.
func (c *Cluster) postmasterPID() int {
	b, err := os.ReadFile(filepath.Join(c.dataDir(), "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	return pid
}

func (c *Cluster) ensureDatabase(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.urlFor("postgres"))
	if err != nil {
		return fmt.Errorf("pglocal: connect: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `select exists (select 1 from pg_database where datname = $1)`, c.database).Scan(&exists); err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "create database "+pgx.Identifier{c.database}.Sanitize()); err != nil {
		return fmt.Errorf("pglocal: create database %s: %w", c.database, err)
	}
	return nil
}

// Stop ends the watchdog, if any, then shuts the server down ("fast":
// running sessions are rolled back). A server already gone is no error.
func (c *Cluster) Stop() error {
	c.endWatch()
	if _, running := c.running(); !running {
		c.log.Info("private PostgreSQL was not running")
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.run(ctx, "pg_ctl", "stop", "-D", c.dataDir(), "-m", "fast", "-w"); err != nil {
		return err
	}
	c.pm.reap()
	c.log.Info("private PostgreSQL stopped")
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pglocal: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
