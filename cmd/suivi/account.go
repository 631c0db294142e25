package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/validate"
)

// runLogin signs the CLI in: the server emails a link, the person pastes
// it here, and the CLI keeps the API token it is exchanged for.
func runLogin(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	var email, link string
	fs := newFlags("login", e, &cfg, "server")
	fs.StringVar(&email, "email", "", "your address; Suivi emails a sign-in link to it (required unless --link)")
	fs.StringVar(&link, "link", "", "the sign-in link from the email (else it is read from standard input)")
	err := noArgs("login", e, fs, "suivi login --email YOU@EXAMPLE.ORG [flags]\n\n"+
		"Emails you a sign-in link, then asks you to paste it: the link is exchanged\n"+
		"once for an API token, saved for SUIVI_URL in your user config directory\n"+
		"(readable by you only). Other commands then send it.", args)
	if err != nil {
		return err
	}
	if err := validConfig("login", &cfg); err != nil {
		return err
	}
	c := api.NewClient(cfg.URL)
	if link == "" {
		addr, err := validate.Email(email)
		if err != nil {
			return &usageError{"login", "--email: " + err.Error()}
		}
		res, err := c.Signin(ctx, addr)
		if err != nil {
			return err
		}
		fprintf(e.stdout, "%s.\nPaste the link from the email here, then press Enter:\n", strings.TrimSuffix(res.Message, "."))
		line, err := readLine(ctx, os.Stdin)
		if err != nil {
			return fmt.Errorf("no link read: %w", err)
		}
		link = line
	}
	host, _ := os.Hostname()
	res, err := c.ExchangeLink(ctx, strings.TrimSpace(link), "suivi login on "+host+" by "+osUser()+", "+time.Now().Format("2006-01-02"))
	if err != nil {
		return err
	}
	path, err := saveToken(cfg.URL, res.Token)
	if err != nil {
		return err
	}
	fprintf(e.stdout, "Signed in as %s; token %d saved in %s.\n", res.Info.Email, res.Info.ID, path)
	return nil
}

// readLine reads one line, or gives up when ctx ends.
func readLine(ctx context.Context, r io.Reader) (string, error) {
	done := make(chan struct{})
	var line string
	var err error
	go func() {
		defer close(done)
		line, err = bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
		if err == io.EOF && line != "" {
			err = nil
		}
	}()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-done:
		return strings.TrimSpace(line), err
	}
}

const userUsage = `suivi user add --email EMAIL --role ROLE [scope]
       suivi user remove --email EMAIL --role ROLE [scope]
       suivi user list [--json]

Roles and their scope:
  coordinator  [--city Lyon]                    every city without --city
  mentor       --program ncc-2027/demoscampi    through the program's workflow
  holder       --program ncc-2027/demoscampi    through the program's workflow
  jury         --edition ncc-2027 --city Lyon   scores the demos of that city
  funder       --funder metropole-de-lyon       reads the programs it funds
A person may hold several roles. Giving and taking roles is for coordinators
of every city (mentors and holders: coordinators of the program's city).`

func runUser(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "remove" && args[0] != "list") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, "Usage: "+userUsage)
			return nil
		}
		fmt.Fprintln(e.stdout, "Usage: "+userUsage)
		return &usageError{"user", "say add, remove or list"}
	}
	verb := args[0]
	var cfg config.Config
	var u api.UserChange
	var role string
	var asJSON bool
	fs := newFlags("user "+verb, e, &cfg, clientSettings...)
	if verb != "list" {
		fs.StringVar(&u.Email, "email", "", "the person's address (required)")
		fs.StringVar(&role, "role", "", "coordinator, mentor, holder, jury or funder (required)")
		fs.StringVar(&u.City, "city", "", "a coordinator's or jury member's city")
		fs.StringVar(&u.Edition, "edition", "", "a jury member's edition")
		fs.StringVar(&u.Funder, "funder", "", "a funder's slug")
		fs.StringVar(&u.Program, "program", "", "a mentor's or holder's program, EDITION/PROJECT")
	} else {
		fs.BoolVar(&asJSON, "json", false, "print the list as JSON")
	}
	if err := noArgs("user "+verb, e, fs, userUsage, args[1:]); err != nil {
		return err
	}
	if err := validConfig("user", &cfg); err != nil {
		return err
	}
	c := apiClient(&cfg)
	if verb == "list" {
		l, err := c.Users(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(e.stdout, l)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tROLES")
		for _, p := range l.Users {
			var roles []string
			for _, g := range p.Grants {
				roles = append(roles, grantLabel(g))
			}
			roles = append(roles, p.Programs...)
			fprintf(tw, "%s\t%s\n", p.Email, strings.Join(roles, "; "))
		}
		return tw.Flush()
	}
	if _, err := validate.Email(u.Email); err != nil {
		return &usageError{"user " + verb, "--email: " + err.Error()}
	}
	u.Role = auth.Role(role)
	msg, err := c.ChangeUser(ctx, u, verb == "add")
	if err != nil {
		return err
	}
	fprintf(e.stdout, "%s.\n", msg)
	return nil
}

func grantLabel(g auth.Grant) string {
	switch g.Role {
	case auth.Coordinator:
		if g.City == "" {
			return "coordinator (every city)"
		}
		return "coordinator of " + g.City
	case auth.Jury:
		return "jury of " + g.Edition + " in " + g.City
	case auth.Funder:
		return "funder " + g.Funder
	}
	return string(g.Role)
}

const tokenUsage = `suivi token create --name NAME
       suivi token list [--json]
       suivi token revoke ID

API tokens act as you, with your roles, for scripts and integrations: send
one as SUIVI_TOKEN (or Authorization: Bearer TOKEN). The token is shown once.`

func runToken(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "list" && args[0] != "revoke") {
		fmt.Fprintln(e.stdout, "Usage: "+tokenUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return &usageError{"token", "say create, list or revoke"}
	}
	verb := args[0]
	var cfg config.Config
	var name string
	var asJSON bool
	fs := newFlags("token "+verb, e, &cfg, clientSettings...)
	if verb == "create" {
		fs.StringVar(&name, "name", "", "what the token is for, e.g. \"CI of demoscampi\" (required)")
	}
	fs.BoolVar(&asJSON, "json", false, "print the answer as JSON")
	pos, err := parse("token "+verb, e, fs, tokenUsage, args[1:])
	if err != nil {
		return err
	}
	if err := validConfig("token", &cfg); err != nil {
		return err
	}
	c := apiClient(&cfg)
	switch verb {
	case "create":
		if len(pos) > 0 {
			return &usageError{"token create", "name the token with --name"}
		}
		res, err := c.CreateToken(ctx, name)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(e.stdout, res)
		}
		fprintf(e.stdout, "Token %d (%s), shown this once:\n%s\n", res.Info.ID, res.Info.Name, res.Token)
	case "list":
		l, err := c.Tokens(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(e.stdout, l)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tCREATED\tLAST USED\tREVOKED")
		for _, t := range l.Tokens {
			fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.CreatedAt.Format("2006-01-02"), day(t.LastUsedAt), day(t.RevokedAt))
		}
		return tw.Flush()
	case "revoke":
		if len(pos) != 1 {
			return &usageError{"token revoke", "name one token by its ID (see `suivi token list`)"}
		}
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil || id <= 0 {
			return &usageError{"token revoke", "the token ID is a number (see `suivi token list`)"}
		}
		if err := c.RevokeToken(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Token %d revoked.\n", id)
	}
	return nil
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02")
}
