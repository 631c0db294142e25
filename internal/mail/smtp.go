// Package mail turns outbox messages into emails and delivers them: SMTP
// settings, templates in French and English, iCalendar attachments, and two
// senders (SMTP, or .eml files when no server is configured).
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTP are the settings of an SMTP server, parsed from SMTP_URL.
type SMTP struct {
	Host     string
	Port     int
	TLS      string // starttls (required), tls (implicit) or none
	Auth     string // plain, login, cram-md5, or "" without credentials
	Username string
	Password string
	Timeout  time.Duration
	// TLSConfig overrides the TLS settings (tests trust their own CA).
	TLSConfig *tls.Config
}

// ParseURL reads SMTP_URL: smtp://user:pass@host:587?tls=starttls (the
// default for smtp://), smtps://… for implicit TLS, tls=none for a local
// relay; auth=plain|login|cram-md5 (default plain when a user is given).
func ParseURL(raw string) (SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return SMTP{}, errors.New("SMTP_URL is not a URL: write it as smtp://user:password@host:587?tls=starttls")
	}
	s := SMTP{Host: u.Hostname(), Timeout: 30 * time.Second}
	q := u.Query()
	switch u.Scheme {
	case "smtp":
		s.TLS, s.Port = "starttls", 587
	case "smtps":
		s.TLS, s.Port = "tls", 465
	default:
		return SMTP{}, fmt.Errorf("SMTP_URL scheme %q: use smtp:// or smtps://", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil || s.Port <= 0 || s.Port > 65535 {
			return SMTP{}, fmt.Errorf("SMTP_URL port %q is not a port number", p)
		}
	}
	if t := q.Get("tls"); t != "" {
		if t != "starttls" && t != "tls" && t != "none" {
			return SMTP{}, fmt.Errorf("SMTP_URL tls=%q: use starttls, tls or none", t)
		}
		s.TLS = t
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
		s.Auth = "plain"
	}
	if a := strings.ToLower(q.Get("auth")); a != "" {
		if a != "plain" && a != "login" && a != "cram-md5" {
			return SMTP{}, fmt.Errorf("SMTP_URL auth=%q: use plain, login or cram-md5", a)
		}
		if s.Username == "" {
			return SMTP{}, errors.New("SMTP_URL names an auth method but no user: smtp://user:password@host")
		}
		s.Auth = a
	}
	for k := range q {
		if k != "tls" && k != "auth" {
			return SMTP{}, fmt.Errorf("SMTP_URL has an unknown parameter %q (known: tls, auth)", k)
		}
	}
	return s, nil
}

// String describes the server without its password, for logs and errors.
func (s SMTP) String() string {
	return fmt.Sprintf("%s (tls=%s)", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), s.TLS)
}

// client builds a go-mail client for these settings.
func (s SMTP) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(s.Timeout)}
	switch s.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(s.TLSConfig))
	} else {
		opts = append(opts, gomail.WithTLSConfig(&tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}))
	}
	if s.Auth != "" {
		auth := map[string]gomail.SMTPAuthType{
			"plain": gomail.SMTPAuthPlain, "login": gomail.SMTPAuthLogin, "cram-md5": gomail.SMTPAuthCramMD5,
		}[s.Auth]
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	c, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp %s: %w", s, err)
	}
	return c, nil
}

// dial connects and authenticates, once per batch.
func (s SMTP) dial(ctx context.Context) (*gomail.Client, error) {
	c, err := s.client()
	if err != nil {
		return nil, err
	}
	if err := c.DialWithContext(ctx); err != nil {
		return nil, &TempError{Err: fmt.Errorf("smtp %s: %w", s, err)}
	}
	return c, nil
}

// TempError is a failure worth retrying later: the server is unreachable or
// answered 4xx.
type TempError struct{ Err error }

func (e *TempError) Error() string { return e.Err.Error() }
func (e *TempError) Unwrap() error { return e.Err }
