// Package smtpsink is a small SMTP server on loopback that records (or just
// counts) what it receives: the real peer for mail tests and for
// `suivi bench mail`. It can require STARTTLS and AUTH (PLAIN, LOGIN,
// CRAM-MD5) and answer chosen recipients with chosen errors.
package smtpsink

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a sink.
type Options struct {
	// TLS enables STARTTLS with this configuration.
	TLS *tls.Config
	// Username and Password, when set, are required through AUTH.
	Username, Password string
	// Discard counts messages without keeping them (benchmarks).
	Discard bool
	// Reject returns the error to answer a recipient with, or nil.
	Reject func(rcpt string) *smtp.SMTPError
	// DropAfterData, when it returns true for a stored message, closes the
	// connection instead of answering: the server has the message but the
	// client never hears so.
	DropAfterData func(r Received) bool
	// RejectFrom, when set, answers every MAIL FROM with this error.
	RejectFrom *smtp.SMTPError
}

// Received is one message as the server got it.
type Received struct {
	From string
	To   []string
	Data []byte
}

// Sink is a running server.
type Sink struct {
	srv       *smtp.Server
	l         net.Listener
	opts      Options
	mu        sync.Mutex
	msgs      []Received
	count     atomic.Int64
	conns     atomic.Int64
	authFails atomic.Int64
}

// Start listens on a free loopback port.
func Start(o Options) (*Sink, error) {
	s := &Sink{opts: o}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		// STARTTLS starts a new session on the same connection.
		if _, secure := c.TLSConnectionState(); !secure {
			s.conns.Add(1)
		}
		return &session{sink: s, conn: c}, nil
	}))
	s.srv.Domain = "sink.localhost"
	s.srv.TLSConfig = o.TLS
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	s.srv.MaxMessageBytes = 10 << 20
	// Loopback only: AUTH without TLS is allowed when TLS is not set up.
	s.srv.AllowInsecureAuth = o.TLS == nil
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtpsink: %w", err)
	}
	s.l = l
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// Addr is host:port of the server.
func (s *Sink) Addr() string { return s.l.Addr().String() }

// Port is the server's port.
func (s *Sink) Port() int { return s.l.Addr().(*net.TCPAddr).Port }

// Count is how many messages were accepted.
func (s *Sink) Count() int { return int(s.count.Load()) }

// Connections is how many connections were opened.
func (s *Sink) Connections() int { return int(s.conns.Load()) }

// Messages returns the messages kept so far.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Close stops the server.
func (s *Sink) Close() error { return s.srv.Close() }

type session struct {
	sink   *Sink
	conn   *smtp.Conn
	authed bool
	cur    Received
}

func (ss *session) Reset()        { ss.cur = Received{} }
func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.sink.opts.RejectFrom != nil {
		return ss.sink.opts.RejectFrom
	}
	if ss.sink.opts.Username != "" && !ss.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	ss.cur.From = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if r := ss.sink.opts.Reject; r != nil {
		if err := r(to); err != nil {
			return err
		}
	}
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	ss.cur.Data = buf.Bytes()
	ss.sink.count.Add(1)
	if !ss.sink.opts.Discard {
		ss.sink.mu.Lock()
		ss.sink.msgs = append(ss.sink.msgs, ss.cur)
		ss.sink.mu.Unlock()
	}
	if f := ss.sink.opts.DropAfterData; f != nil && f(ss.cur) {
		_ = ss.conn.Close()
		return errors.New("connection dropped")
	}
	return nil
}

func (ss *session) AuthMechanisms() []string {
	if ss.sink.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain, sasl.Login, "CRAM-MD5"}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	o := ss.sink.opts
	ok := func(user, pass string) error {
		if user != o.Username || pass != o.Password {
			ss.sink.authFails.Add(1)
			return errors.New("invalid credentials")
		}
		ss.authed = true
		return nil
	}
	switch strings.ToUpper(mech) {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return ok(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: ok}, nil
	case "CRAM-MD5":
		return &cramServer{check: func(user, digest string) error {
			if user != o.Username {
				return ok(user, "")
			}
			return ok(user, o.Password)
		}, password: o.Password}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// loginServer is the (non-standard but common) LOGIN mechanism.
type loginServer struct {
	step       int
	user, pass string
	check      func(user, pass string) error
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if len(resp) > 0 {
			l.user = string(resp)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.user, l.step = string(resp), 2
		return []byte("Password:"), false, nil
	default:
		l.pass = string(resp)
		return nil, true, l.check(l.user, l.pass)
	}
}

// cramServer is CRAM-MD5 (RFC 2195).
type cramServer struct {
	challenge []byte
	password  string
	check     func(user, digest string) error
}

func (c *cramServer) Next(resp []byte) ([]byte, bool, error) {
	if c.challenge == nil {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		c.challenge = []byte(fmt.Sprintf("<%x.%d@sink.localhost>", b, time.Now().UnixNano()))
		return c.challenge, false, nil
	}
	user, digest, found := strings.Cut(string(resp), " ")
	if !found {
		return nil, true, errors.New("malformed CRAM-MD5 response")
	}
	mac := hmac.New(md5.New, []byte(c.password))
	mac.Write(c.challenge)
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(digest)) {
		return nil, true, errors.New("invalid credentials")
	}
	return nil, true, c.check(user, digest)
}
