package web_test

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A body that stops arriving is the client's connection, not an outage: 408
// saying so, not "Postgres is unavailable".
func TestIncompleteBodyIs408(t *testing.T) {
	f := newFixture(t, nil)
	srv := &http.Server{Handler: f.srv.Config.Handler, ReadTimeout: 500 * time.Millisecond}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := "POST /api/v1/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + f.tokens[lyon] +
		"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"name\":"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body strings.Builder
	_, _ = bufio.NewReader(resp.Body).WriteTo(&body)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(body.String(), "did not arrive in full") {
		t.Fatalf("a body cut short = %d %s", resp.StatusCode, body.String())
	}
}
