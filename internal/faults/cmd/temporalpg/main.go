// Command temporalpg is the fault tests' Temporal server: the server library
// Suivi embeds, persisted in PostgreSQL (plugin postgres12) instead of
// SQLite, as a production cluster is. With -setup it first creates the two
// databases and their schemas with Temporal's own SQL tool and the schemas
// embedded in the server module. It prints "temporalpg ready" once the
// namespace answers, and stops cleanly on SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/codecitoyen/suivi/internal/devserver"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	_ "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql" // registers postgres12
	sqltool "go.temporal.io/server/tools/sql"
	"google.golang.org/protobuf/types/known/durationpb"
)

const (
	plugin = "postgres12"
	mainDB = "temporal"
	visDB  = "temporal_visibility"
)

func main() {
	var (
		pgHost    = flag.String("pg-host", "127.0.0.1", "PostgreSQL host")
		pgPort    = flag.Int("pg-port", 5432, "PostgreSQL port")
		pgUser    = flag.String("pg-user", "", "PostgreSQL user")
		addr      = flag.String("addr", "127.0.0.1:7233", "frontend address")
		namespace = flag.String("namespace", "default", "namespaces to register, comma-separated")
		setup     = flag.Bool("setup", false, "create the databases and schemas first")
	)
	flag.Parse()
	// The password comes from the environment, not the command line (ps).
	pgPass := os.Getenv("TEMPORALPG_PASSWORD")
	if err := run(*pgHost, *pgPort, *pgUser, pgPass, *addr, *namespace, *setup); err != nil {
		fmt.Fprintln(os.Stderr, "temporalpg:", err)
		os.Exit(1)
	}
}

func run(pgHost string, pgPort int, user, pass, addr, namespace string, setup bool) error {
	if setup {
		for _, db := range []struct{ name, schema string }{{mainDB, "postgresql/v12/temporal"}, {visDB, "postgresql/v12/visibility"}} {
			base := []string{"temporal-sql-tool", "--plugin", plugin, "--ep", pgHost, "-p", strconv.Itoa(pgPort), "-u", user, "--pw", pass, "--db", db.name}
			for _, args := range [][]string{
				{"create-database"},
				{"setup-schema", "-v", "0.0"},
				{"update-schema", "--schema-name", db.schema},
			} {
				if err := sqltool.RunTool(append(append([]string{}, base...), args...)); err != nil {
					return fmt.Errorf("%s %s: %w", db.name, args[0], err)
				}
			}
		}
	}
	sqlConf := func(db string) *config.SQL {
		return &config.SQL{PluginName: plugin, DatabaseName: db, ConnectAddr: net.JoinHostPort(pgHost, strconv.Itoa(pgPort)),
			ConnectProtocol: "tcp", User: user, Password: pass, MaxConns: 20, MaxIdleConns: 20, MaxConnLifetime: time.Hour}
	}
	srv, err := devserver.NewSingle(devserver.Single{
		FrontendAddr: addr,
		Stores:       map[string]config.DataStore{"default": {SQL: sqlConf(mainDB)}, "visibility": {SQL: sqlConf(visDB)}},
		DefaultStore: "default", VisibilityStore: "visibility", Shards: 4,
		Logger: log.NewZapLogger(log.BuildZapLogger(log.Config{Level: "error", Format: "console"})),
		Dynamic: dynamicconfig.StaticClient{
			dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
			// A namespace registered at start is usable in a second, not ten.
			dynamicconfig.NamespaceCacheRefreshInterval.Key(): time.Second,
		},
	})
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	defer func() { _ = srv.Stop() }()
	for _, ns := range strings.Split(namespace, ",") {
		if err := registerNamespace(addr, ns); err != nil {
			return err
		}
	}
	fmt.Println("temporalpg ready")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	fmt.Println("temporalpg stopping")
	return nil
}

// registerNamespace makes the namespace (SQL persistence starts with none)
// and waits until the frontend serves it.
func registerNamespace(addr, namespace string) error {
	c, err := client.Dial(client.Options{HostPort: addr, Namespace: namespace, Logger: slogDiscard{}})
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		_, err := c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace: namespace, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
		})
		var exists *serviceerror.NamespaceAlreadyExists
		if err == nil || errors.As(err, &exists) {
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("register namespace: %w", err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	for {
		_, err := c.WorkflowService().ListWorkflowExecutions(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: namespace, PageSize: 1})
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("namespace %s not served: %w", namespace, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// slogDiscard silences the SDK client's logs.
type slogDiscard struct{}

func (slogDiscard) Debug(string, ...any) {}
func (slogDiscard) Info(string, ...any)  {}
func (slogDiscard) Warn(string, ...any)  {}
func (slogDiscard) Error(string, ...any) {}
