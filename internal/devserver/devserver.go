// Package devserver embeds a single-node Temporal server, persisted in a
// SQLite file, and the Temporal Web UI, for `suivi dev`. Production runs a
// real Temporal cluster instead; nothing else in Suivi knows the difference.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// Options configure the embedded server.
type Options struct {
	// DBFile is the SQLite file holding every workflow; created with its
	// schema when missing, reused otherwise.
	DBFile string
	// FrontendAddr is the gRPC address clients dial, e.g. 127.0.0.1:7233.
	FrontendAddr string
	// UIAddr is where the Web UI listens; empty starts no UI.
	UIAddr string
	// Namespace is created when missing, with SearchAttributes registered.
	Namespace        string
	SearchAttributes map[string]enumspb.IndexedValueType
	Logger           *slog.Logger
	// LogLevel filters the server's own logs, which are chatty at info.
	LogLevel slog.Level
	// HistoryCacheSize is how many workflows' state the history service
	// keeps in memory; 0 leaves Temporal's 128,000, each kept an hour
	// after its last use (about 40 KiB of RSS a program: `suivi dev` with
	// 10,000 programs touched within the hour held 360 MiB more than with
	// 1,000).
	HistoryCacheSize int
}

// Server is a running embedded Temporal server and its UI.
type Server struct {
	srv   temporal.Server
	ui    *uiserver.Server
	opts  Options
	level *slog.LevelVar
}

const (
	clusterName = "active"
	// devClusterID is fixed so the server does not mint a new one per start.
	devClusterID = "5c0d7d6e-3a6f-4b4e-9f2b-51a1e7a0c0de"
)

// Start runs the server and returns when its frontend accepts connections.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if _, _, err := splitHostPort(o.FrontendAddr); err != nil {
		return nil, fmt.Errorf("temporal frontend address: %w", err)
	}
	sqlConf, err := sqliteConfig(o)
	if err != nil {
		return nil, err
	}
	level := new(slog.LevelVar)
	level.Set(o.LogLevel)
	dyn := dynamicconfig.StaticClient{
		// The UI and `suivi program list` read visibility often; the
		// default per-namespace limit is tuned for clusters, not laptops.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}
	if o.HistoryCacheSize > 0 {
		dyn[dynamicconfig.HistoryCacheHostLevelMaxSize.Key()] = o.HistoryCacheSize
	}
	srv, err := NewSingle(Single{
		FrontendAddr: o.FrontendAddr,
		Stores:       map[string]config.DataStore{"sqlite": {SQL: sqlConf}},
		DefaultStore: "sqlite", VisibilityStore: "sqlite", Shards: 1,
		ClusterID: devClusterID,
		Logger:    newServerLogger(o.Logger.With("component", "temporal"), level),
		Dynamic:   dyn,
	})
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, dbError(o.DBFile, fmt.Errorf("temporal: start: %w", err))
	}
	s := &Server{srv: srv, opts: o, level: level}
	if o.UIAddr != "" {
		if err := s.startUI(ctx); err != nil {
			_ = srv.Stop()
			return nil, err
		}
	}
	return s, nil
}

// sqliteConfig points the server at the SQLite file, creating its schema on
// first use and the namespace when it is missing.
func sqliteConfig(o Options) (*config.SQL, error) {
	conf := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      o.DBFile,
		ConnectAttributes: map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "normal"},
	}
	_, err := os.Stat(o.DBFile)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := createDB(conf); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("temporal: %w", err)
	default:
		if err := tightenDBFiles(o.DBFile, o.Logger); err != nil {
			return nil, err
		}
		if err := checkDB(o.DBFile); err != nil {
			return nil, err
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, o.Namespace, false, o.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("temporal: namespace %s: %w", o.Namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(conf, ns); err != nil {
		return nil, dbError(o.DBFile, fmt.Errorf("temporal: namespace %s: %w", o.Namespace, err))
	}
	return conf, nil
}

func (s *Server) startUI(ctx context.Context) error {
	host, port, err := splitHostPort(s.opts.UIAddr)
	if err != nil {
		return fmt.Errorf("temporal UI address: %w", err)
	}
	s.ui = uiserver.NewServer(uiserveroptions.WithConfigProvider(&uiconfig.Config{
		Host:                host,
		Port:                port,
		TemporalGRPCAddress: s.opts.FrontendAddr,
		EnableUI:            true,
		DefaultNamespace:    s.opts.Namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true,
		// No internet here or on many laptops: do not fetch news.
		DisableNewsFetch: true,
	}))
	errc := make(chan error, 1)
	go func() { errc <- s.ui.Start() }()
	// Start blocks while serving; wait until it answers or fails.
	url := "http://" + s.opts.UIAddr + "/"
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-errc:
			return fmt.Errorf("temporal UI on %s: %w", s.opts.UIAddr, err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return nil
		}
	}
	return fmt.Errorf("temporal UI on %s did not answer within 15s", s.opts.UIAddr)
}

// Stop stops the UI, then the server, then moves what the -wal file holds
// into the database file.
func (s *Server) Stop() {
	// Services complain about each other while they stop; that is noise.
	s.level.Set(slog.LevelError + 4)
	if s.ui != nil {
		s.ui.Stop()
	}
	if err := s.srv.Stop(); err != nil {
		s.opts.Logger.Warn("temporal: stop", "error", err)
	}
	if err := checkpoint(s.opts.DBFile); err != nil {
		s.opts.Logger.Warn("temporal: recent changes stay in the -wal file beside the database; copy both", "file", s.opts.DBFile, "error", err)
	}
}

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("%q has no valid port", addr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return host, port, nil
}

// freePorts asks the kernel for n distinct free ports on host.
func freePorts(host string, n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, fmt.Errorf("temporal: find a free port on %s: %w", host, err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
