package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

func runMail(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "test" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, "Usage: suivi mail test --to ADDRESS [--lang fr|en]\n\nSends a test message with the SMTP settings (or writes it to SUIVI_MAIL_DIR)\nand prints exactly what the server answered.")
			return nil
		}
		return &usageError{"mail", "say `suivi mail test --to ADDRESS`"}
	}
	var cfg config.Config
	var to, lang string
	fs := newFlags("mail test", e, &cfg, "smtp-url", "smtp-from", "smtp-timeout", "mail-dir", "public-url")
	fs.StringVar(&to, "to", "", "address to send the test message to (required)")
	fs.StringVar(&lang, "lang", "fr", "language of the message: fr or en")
	if err := noArgs("mail test", e, fs, "suivi mail test --to ADDRESS [--lang fr|en]", args[1:]); err != nil {
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
	m, _, err := newMailer(&cfg, "", mail.Tokens{Secret: []byte("test-message-links-are-not-checked")}, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	r, err := m.Templates.Render("test", mail.Data{Lang: lang, Link: cfg.PublicURL})
	if err != nil {
		return err
	}
	email := mail.Email{Key: "test|" + addr + "|" + time.Now().UTC().Format(time.RFC3339Nano), From: m.From, To: addr,
		Subject: r.Subject, Text: r.Text, HTML: r.HTML}
	res, err := mail.SendAll(ctx, m.Sender, []mail.Email{email})
	if err != nil {
		return fmt.Errorf("test message not sent: %w", err)
	}
	switch res[0].Outcome {
	case mail.Sent:
		fmt.Fprintf(e.stdout, "Sent to %s. The server answered: %s\n", addr, res[0].Reply)
		return nil
	default:
		return fmt.Errorf("test message %s: %s %v", res[0].Outcome, res[0].Reply, res[0].Err)
	}
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
	fs := newFlags("person "+args[0], e, &cfg, "server")
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
	c := api.NewClient(cfg.URL)
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
	fmt.Fprintf(e.stdout, "%s: language %s, reminders %s\n", addr, p.Locale, p.Reminders)
	return nil
}
