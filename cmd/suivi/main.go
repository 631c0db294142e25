// Command suivi is the follow-up engine of a civic-tech accelerator: it runs
// the engine (dev, worker, serve, migrate) and is the CLI for people
// (program start|status|list).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/codecitoyen/suivi/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// env is what a command needs from its surroundings, passed down so tests
// run commands in-process with their own environment and outputs.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one subcommand. verbs lists its own subcommands, for help and
// for the test that runs `suivi COMMAND VERB --help` for every one of them.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
	verbs   []string
}

func commands() []command {
	return []command{
		{"dev", "run everything on this machine: embedded Temporal, Postgres, worker and web", runDev, nil},
		{"worker", "run a worker against an external Temporal and DATABASE_URL", runWorker, nil},
		{"serve", "run the web server and JSON API against an external Temporal and DATABASE_URL", runServe, nil},
		{"migrate", "apply (up) or show (status) database migrations", runMigrate, nil},
		{"edition", "apply an edition file, show an edition", runEdition, []string{"apply", "show"}},
		{"program", "start, select, score, pause, graduate… a program; show its status; list programs", runProgram, verbNames(programVerbs())},
		{"step", "complete, waive, submit or extend a program's step", runGroup("step", stepActions, stepOrder), stepOrder},
		{"mentor", "assign or remove a program's mentor", runGroup("mentor", mentorActions, mentorOrder), mentorOrder},
		{"holder", "add or remove a program's project holder", runGroup("holder", holderActions, holderOrder), holderOrder},
		{"meetup", "record a program's attendance at a monthly meetup", runGroup("meetup", meetupActions, meetupOrder), meetupOrder},
		{"repo", "a program's repository activity and metrics", runRepo, []string{"activity"}},
		{"license", "which licence a checkout, a file or a GitHub repository uses, and whether it is open", runLicence, []string{"check"}},
		{"person", "set a person's language and reminder choice", runPerson, []string{"set", "show"}},
		{"login", "sign the CLI in with a link emailed to you; saves an API token for SUIVI_URL", runLogin, nil},
		{"user", "give, list or take back people's roles (coordinator, mentor, holder, jury, funder)", runUser, []string{"add", "list", "remove"}},
		{"token", "create, list or revoke your API tokens", runToken, []string{"create", "list", "revoke"}},
		{"funder", "add, change, show or list funders (who receive monthly reports)", runFunder, []string{"add", "set", "show", "list"}},
		{"report", "a funder's or an edition's monthly report, as PDF, CSV or JSON", runReport, []string{"funder", "edition"}},
		{"mail", "send a test email and show what the server answered", runMail, []string{"test"}},
		{"bench", "measure: `suivi bench mail -n 10000`, `suivi bench github --repos 5000`", runBench, benchVerbs},
		{"version", "print the version", runVersion, nil},
	}
}

// The order help lists each group's verbs in.
var (
	stepOrder   = []string{"complete", "waive", "submit", "extend"}
	mentorOrder = []string{"assign", "remove"}
	holderOrder = []string{"add", "remove"}
	meetupOrder = []string{"attend"}
)

func verbNames(vs []verb) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.name
	}
	return out
}

// run executes one command line and returns the process exit code: 0 on
// success, 1 on any error, which is printed as one line.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	e := env{stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fmt.Fprint(stdout, mainUsage())
		if len(args) == 0 {
			return 1
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, e, args[1:])
			if errors.Is(err, errHelpShown) {
				return 0
			}
			var fe *fileErrors
			switch {
			case errors.As(err, &fe):
				// One line per problem, like a compiler; the problems
				// quote the file and the server: escaped.
				fmt.Fprintln(stderr, "suivi: "+printableLines(fe.Error()))
				return 1
			case err != nil:
				// Errors carry the server's messages: escaped too.
				fmt.Fprintln(stderr, "suivi: "+errorLine(err))
				return exitCode(err)
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "suivi: unknown command %q; run `suivi --help` to see the commands\n", args[0])
	return 1
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

func mainUsage() string {
	var b strings.Builder
	b.WriteString(`Suivi keeps accompanying civic-tech projects after the hackathon: one
long-running Temporal workflow per project, milestones, reminders and reports.

Usage: suivi COMMAND [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	b.WriteString("\nSettings (environment variable, flag, default); flags override the environment:\n")
	for _, s := range config.Settings() {
		def := s.Default
		if def == "" {
			def = "(empty)"
		}
		fmt.Fprintf(&b, "  %-19s --%-13s %s\n      %s\n", s.Env, s.Flag, def, s.Usage)
	}
	b.WriteString("\nRun `suivi COMMAND --help` for a command's flags.\n")
	return b.String()
}

// usageError is a mistake on the command line; it names the help to read.
type usageError struct {
	cmd string
	msg string
}

func (u *usageError) Error() string {
	return fmt.Sprintf("%s; see `suivi %s --help`", u.msg, u.cmd)
}

// newFlags returns a flag set that reports errors instead of printing them,
// bound to the named settings.
func newFlags(cmd string, e env, cfg *config.Config, settings ...string) *flag.FlagSet {
	fs := flag.NewFlagSet("suivi "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if cfg != nil {
		config.Bind(cfg, fs, e.getenv, settings...)
	}
	return fs
}

// parse parses flags that may come before or after positional arguments and
// returns the positional ones. errHelpShown means help was printed.
func parse(cmd string, e env, fs *flag.FlagSet, synopsis string, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printUsage(e.stdout, fs, synopsis)
				return nil, errHelpShown
			}
			return nil, &usageError{cmd, flagMessage(err)}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

var errHelpShown = errors.New("help shown")

func flagMessage(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return "unknown flag --" + strings.TrimLeft(name, "-")
	}
	return msg
}

func printUsage(w io.Writer, fs *flag.FlagSet, synopsis string) {
	fmt.Fprintf(w, "Usage: %s\n\nFlags:\n", synopsis)
	var lines []string
	fs.VisitAll(func(f *flag.Flag) {
		def := ""
		if f.DefValue != "" && f.DefValue != "false" {
			def = fmt.Sprintf(" (default %q)", f.DefValue)
		}
		lines = append(lines, fmt.Sprintf("  --%s\n      %s%s", f.Name, f.Usage, def))
	})
	sort.Strings(lines)
	if len(lines) == 0 {
		lines = []string{"  none"}
	}
	fmt.Fprintln(w, strings.Join(lines, "\n"))
}

// newLogger returns the process logger: stderr, key/value, at the configured level.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}
