// Command mailbox is the fault tests' SMTP relay: a real SMTP server
// (go-smtp, as internal/smtpsink) in its own process that keeps every
// message it accepts, and whose behaviour a loopback HTTP endpoint switches
// at run time, so a test can break the relay under a running Suivi:
//
//	POST /mode?m=normal      accept everything
//	POST /mode?m=down        close the SMTP port (connection refused)
//	POST /mode?m=tempfail    421 to MAIL FROM, 451 to RCPT TO, alternately
//	POST /mode?m=drop        answer 250 to a message, then drop the
//	                         connection when the client goes on
//	POST /mode?delay=100ms   wait that long before answering each message
//	GET  /messages           every message kept: [{"message_id","to","at"}]
//
// It prints "mailbox ready SMTP=host:port HTTP=host:port".
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one accepted message, as GET /messages lists it.
type Message struct {
	MessageID string    `json:"message_id"`
	To        []string  `json:"to"`
	At        time.Time `json:"at"`
}

type box struct {
	mu       sync.Mutex
	msgs     []Message
	mode     string
	delay    time.Duration
	turn     atomic.Int64
	smtpAddr string
	l        net.Listener
	srv      *smtp.Server
}

func main() {
	smtpAddr := flag.String("smtp", "127.0.0.1:0", "SMTP address")
	httpAddr := flag.String("http", "127.0.0.1:0", "control address")
	flag.Parse()
	b := &box{mode: "normal"}
	if err := b.listen(*smtpAddr); err != nil {
		fmt.Fprintln(os.Stderr, "mailbox:", err)
		os.Exit(1)
	}
	hl, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mailbox:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /mode", b.setMode)
	mux.HandleFunc("GET /messages", func(w http.ResponseWriter, _ *http.Request) {
		b.mu.Lock()
		defer b.mu.Unlock()
		_ = json.NewEncoder(w).Encode(b.msgs)
	})
	fmt.Printf("mailbox ready SMTP=%s HTTP=%s\n", b.smtpAddr, hl.Addr())
	_ = http.Serve(hl, mux)
}

// listen (re)opens the SMTP port; the first call picks it.
func (b *box) listen(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{b: b, conn: c}, nil }))
	srv.Domain = "mailbox.localhost"
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	srv.MaxMessageBytes = 10 << 20
	srv.AllowInsecureAuth = true
	b.l, b.srv, b.smtpAddr = l, srv, l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	return nil
}

func (b *box) setMode(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if d := r.URL.Query().Get("delay"); d != "" {
		v, err := time.ParseDuration(d)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b.delay = v
	}
	m := r.URL.Query().Get("m")
	switch m {
	case "":
	case "normal", "tempfail", "drop":
		if b.mode == "down" {
			if err := b.listen(b.smtpAddr); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		b.mode = m
	case "down":
		if b.mode != "down" {
			// Close refuses new connections and ends the open ones.
			_ = b.srv.Close()
		}
		b.mode = m
	default:
		http.Error(w, "unknown mode "+m, http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "mode=%s delay=%s\n", b.mode, b.delay)
}

func (b *box) current() (string, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.mode, b.delay
}

type session struct {
	b    *box
	conn *smtp.Conn
	to   []string
	// accepted is set once a message got its 250 in drop mode: the next
	// command finds the connection gone.
	accepted bool
}

func (s *session) Reset() { s.to = nil }

func (s *session) Logout() error { return nil }

func (s *session) Mail(string, *smtp.MailOptions) error {
	mode, _ := s.b.current()
	if mode == "drop" && s.accepted {
		_ = s.conn.Close()
		return errors.New("connection dropped")
	}
	if mode == "tempfail" && s.b.turn.Add(1)%2 == 0 {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service not available, try again later"}
	}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if mode, _ := s.b.current(); mode == "tempfail" {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Local error in processing, try again later"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	mode, delay := s.b.current()
	if delay > 0 {
		time.Sleep(delay)
	}
	id := ""
	if m, err := mail.ReadMessage(bytes.NewReader(buf.Bytes())); err == nil {
		id = m.Header.Get("Message-Id")
	}
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, Message{MessageID: id, To: s.to, At: time.Now().UTC()})
	s.b.mu.Unlock()
	if mode == "drop" {
		s.accepted = true
	}
	return nil
}
