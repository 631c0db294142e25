package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

const mailTestSynopsis = "suivi mail test --to ADDRESS [--lang fr|en]"

func runMail(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "test" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, "Usage: "+mailTestSynopsis+"\n\n  test  sends a test message with the SMTP settings and prints exactly what the\n        server answered; without SMTP_URL, writes it to SUIVI_MAIL_DIR or to the\n        mail folder of `suivi dev` (<data-dir>/mail, listed at /dev/mail)")
			return nil
		}
		return &usageError{"mail", "say `suivi mail test --to ADDRESS`"}
	}
	var cfg config.Config
	var to, lang string
	fs := newFlags("mail test", e, &cfg, "smtp-url", "smtp-from", "smtp-timeout", "mail-dir", "public-url", "data-dir", "server")
	fs.StringVar(&to, "to", "", "address to send the test message to (required)")
	fs.StringVar(&lang, "lang", "fr", "language of the message: fr or en")
	if err := noArgs("mail test", e, fs, mailTestSynopsis, args[1:]); err != nil {
		return err
	}
	if err := validConfig("mail test", &cfg); err != nil {
		return err
	}
	addr, err := validate.Email(to)
	if err != nil {
		return &usageError{"mail test", "--to: " + err.Error()}
	}
	if lang != "fr" && lang != "en" {
		return &usageError{"mail test", "--lang: say fr or en"}
	}
	// Without SUIVI_PUBLIC_URL, the test message links to the server the
	// CLI talks to (SUIVI_URL), which is where `suivi dev` listens.
	if cfg.PublicURL == "" {
		cfg.PublicURL = cfg.URL
	}
	devDir := devMailDir(&cfg)
	if cfg.SMTPURL == "" && cfg.MailDir == "" && devDir == "" {
		return fmt.Errorf("no way to send the test message: set SMTP_URL (smtp://user:password@host:587) to send it, or SUIVI_MAIL_DIR to write it as an .eml file; no `suivi dev` data dir at %s either (start `suivi dev`, or set SUIVI_DATA_DIR to its data dir)", cfg.DataDir)
	}
	m, dir, err := newMailer(&cfg, devDir, mail.Tokens{Secret: []byte("test-message-links-are-not-checked")}, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	r, err := m.Templates.Render("test", mail.Data{Lang: lang, Link: cfg.PublicBaseURL()})
	if err != nil {
		return err
	}
	email := mail.Email{Key: "test|" + addr + "|" + time.Now().UTC().Format(time.RFC3339Nano), From: m.From, To: addr,
		Subject: r.Subject, Text: r.Text, HTML: r.HTML}
	res, err := mail.SendAll(ctx, m.Sender, []mail.Email{email})
	if err != nil {
		return fmt.Errorf("test message not sent: %w", err)
	}
	if res[0].Outcome != mail.Sent {
		return fmt.Errorf("test message %s: %s %v", res[0].Outcome, res[0].Reply, res[0].Err)
	}
	if dir == "" {
		// The SMTP server's reply is its own text: escaped like the rest.
		fprintf(e.stdout, "Sent to %s. The server answered: %s\n", addr, res[0].Reply)
		return nil
	}
	// Nothing left this machine: never say "Sent".
	path := strings.TrimPrefix(res[0].Reply, "written to ")
	if dir == devDir && cfg.MailDir == "" {
		fprintf(e.stdout, "Written to %s (no SMTP_URL: this is suivi dev's mail folder, listed at %s/dev/mail)\n", path, strings.TrimRight(cfg.PublicBaseURL(), "/"))
	} else {
		fprintf(e.stdout, "Written to %s (no SMTP_URL: nothing is sent, .eml files are written to SUIVI_MAIL_DIR)\n", path)
	}
	return nil
}

// devMailDir is the mail folder of `suivi dev` in the data dir
// (SUIVI_DATA_DIR), where its /dev/mail page lists messages; "" when there
// is no such data dir, so that mail test does not write where nobody reads.
func devMailDir(cfg *config.Config) string {
	if fi, err := os.Stat(cfg.DataDir); err != nil || !fi.IsDir() {
		return ""
	}
	return filepath.Join(cfg.DataDir, "mail")
}

func runPerson(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || (args[0] != "set" && args[0] != "show") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, "Usage: suivi person set EMAIL [--locale fr|en] [--reminders all|digest|escalations]\n       suivi person show EMAIL\n\nA person's language and how many reminders they get (they can change it\nthemselves from the link at the bottom of every email).")
			return nil
		}
		return &usageError{"person", "say set or show"}
	}
	var cfg config.Config
	var p store.Person
	fs := newFlags("person "+args[0], e, &cfg, clientSettings...)
	if args[0] == "set" {
		fs.StringVar(&p.Locale, "locale", "", "language of the emails: fr or en")
		fs.StringVar(&p.Reminders, "reminders", "", "all, digest (one email a week) or escalations (important alerts only)")
	}
	pos, err := parse("person "+args[0], e, fs, "suivi person "+args[0]+" EMAIL [flags]", args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"person " + args[0], "name one email address"}
	}
	addr, err := validate.Email(pos[0])
	if err != nil {
		return &usageError{"person " + args[0], err.Error()}
	}
	if err := validConfig("person", &cfg); err != nil {
		return err
	}
	c := apiClient(&cfg)
	if args[0] == "set" {
		if p.Locale == "" && p.Reminders == "" {
			return &usageError{"person set", "say what to change: --locale or --reminders"}
		}
		p, err = c.SetPerson(ctx, addr, p)
	} else {
		p, err = c.GetPerson(ctx, addr)
	}
	if err != nil {
		return err
	}
	fprintf(e.stdout, "%s: language %s, reminders %s\n", addr, p.Locale, p.Reminders)
	return nil
}
