// Package github watches the programs' repositories through GitHub's REST
// API (go-github), cheaply: conditional requests whose validators persist in
// Postgres, rate limits honoured by pausing rather than failing, a cap on
// requests in flight, and a token that never leaves the API host.
package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// Validators remembers, per request URL, the ETag and Last-Modified of the
// last 200, so the next request can be conditional. The Postgres store
// implements it, so a restart keeps them.
type Validators interface {
	GetValidators(ctx context.Context, key string) (etag, lastModified string, err error)
	PutValidators(ctx context.Context, key, etag, lastModified string) error
}

// MemValidators keeps validators in memory, for benchmarks and tests; its
// zero value is ready. Production keeps them in Postgres.
type MemValidators struct {
	mu sync.Mutex
	m  map[string][2]string
}

// GetValidators returns what PutValidators stored for key, or empty strings.
func (v *MemValidators) GetValidators(_ context.Context, key string) (string, string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	e := v.m[key]
	return e[0], e[1], nil
}

// PutValidators stores the validators of key.
func (v *MemValidators) PutValidators(_ context.Context, key, etag, lastModified string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[string][2]string{}
	}
	v.m[key] = [2]string{etag, lastModified}
	return nil
}

// Pending holds the validators of one poll until its observation is saved:
// written earlier, a poll that fails half-way would leave ETags behind, and
// the retry would read "unchanged" and lose the change.
type Pending struct {
	mu sync.Mutex
	m  map[string][2]string
}

type pendingKey struct{}

type unconditionalKey struct{}

// Unconditional returns a context whose requests are plain: no validators
// sent or kept (the licence check reads files it needs in full).
func Unconditional(ctx context.Context) context.Context {
	return context.WithValue(ctx, unconditionalKey{}, true)
}

// WithPending returns a context whose requests keep their new validators in
// the returned Pending instead of storing them.
func WithPending(ctx context.Context) (context.Context, *Pending) {
	p := &Pending{m: map[string][2]string{}}
	return context.WithValue(ctx, pendingKey{}, p), p
}

// Flush stores the validators of a poll whose observation was saved.
func (p *Pending) Flush(ctx context.Context, v Validators) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, e := range p.m {
		if err := v.PutValidators(ctx, k, e[0], e[1]); err != nil {
			return err
		}
	}
	p.m = map[string][2]string{}
	return nil
}

func (p *Pending) get(k string) ([2]string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.m[k]
	return e, ok
}

func (p *Pending) put(k, etag, lm string) {
	p.mu.Lock()
	p.m[k] = [2]string{etag, lm}
	p.mu.Unlock()
}

// RateLimited means GitHub asked us to wait until Until: polling pauses.
type RateLimited struct {
	Until  time.Time
	Reason string
}

func (e *RateLimited) Error() string {
	return fmt.Sprintf("github: rate limited (%s) until %s", e.Reason, e.Until.UTC().Format(time.RFC3339))
}

// Transport is the http.RoundTripper between go-github and the network.
type Transport struct {
	Base http.RoundTripper
	// Token is sent only to APIHost (host:port of GITHUB_API_URL).
	Token   string
	APIHost string
	// Validators, when set, make GET requests conditional.
	Validators Validators
	Now        func() time.Time
	// Pace is the least time between two requests' starts (zero: none),
	// so that an hourly burst stays under GitHub's points a minute.
	Pace time.Duration
	// SleepUntil waits until t on the transport's clock; nil is a real
	// timer. A simulated clock lets simulated time pass.
	SleepUntil func(ctx context.Context, t time.Time) error

	sem         chan struct{}
	nextSlot    time.Time
	mu          sync.Mutex
	pausedUntil time.Time
	backoff     time.Duration

	// Counters for logs and benchmarks.
	Requests, NotModified, Limited, Inflight, MaxInflight atomic.Int64
}

// NewTransport caps requests in flight at maxInflight (default 10).
func NewTransport(base http.RoundTripper, token, apiHost string, maxInflight int, v Validators) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	if maxInflight <= 0 {
		maxInflight = 10
	}
	return &Transport{Base: base, Token: token, APIHost: apiHost, Validators: v, sem: make(chan struct{}, maxInflight)}
}

func (t *Transport) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// PausedUntil is when GitHub allows requests again (zero: now).
func (t *Transport) PausedUntil() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pausedUntil
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if until := t.PausedUntil(); t.now().Before(until) {
		return nil, &RateLimited{Until: until, Reason: "paused"}
	}
	select {
	case t.sem <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	defer func() { <-t.sem }()
	if err := t.pace(req.Context()); err != nil {
		return nil, err
	}
	n := t.Inflight.Add(1)
	defer t.Inflight.Add(-1)
	for m := t.MaxInflight.Load(); n > m && !t.MaxInflight.CompareAndSwap(m, n); m = t.MaxInflight.Load() {
	}
	t.Requests.Add(1)

	req = req.Clone(req.Context())
	// The token goes to the API host only: a redirect elsewhere (or a
	// crafted URL) never carries it.
	req.Header.Del("Authorization")
	if t.Token != "" && strings.EqualFold(req.URL.Host, t.APIHost) {
		req.Header.Set("Authorization", "Bearer "+t.Token)
	}
	key := ""
	plain, _ := req.Context().Value(unconditionalKey{}).(bool)
	if req.Method == http.MethodGet && t.Validators != nil && !plain && strings.EqualFold(req.URL.Host, t.APIHost) {
		key = req.URL.RequestURI()
		etag, lm, err := t.Validators.GetValidators(req.Context(), key)
		if err != nil {
			return nil, err
		}
		if p, _ := req.Context().Value(pendingKey{}).(*Pending); p != nil {
			if e, ok := p.get(key); ok {
				etag, lm = e[0], e[1]
			}
		}
		// The ETag when there is one: GitHub has been seen to answer 304 to
		// If-Modified-Since for data that had changed.
		switch {
		case etag != "":
			req.Header.Set("If-None-Match", etag)
		case lm != "":
			req.Header.Set("If-Modified-Since", lm)
		}
	}
	resp, err := t.Base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if until, reason, limited := t.rateLimit(resp); limited {
		t.Limited.Add(1)
		resp.Body.Close()
		t.mu.Lock()
		if until.After(t.pausedUntil) {
			t.pausedUntil = until
		}
		t.mu.Unlock()
		return nil, &RateLimited{Until: until, Reason: reason}
	}
	t.mu.Lock()
	t.backoff = 0
	t.mu.Unlock()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		t.NotModified.Add(1)
	case resp.StatusCode == http.StatusOK && key != "":
		etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		if etag != "" || lm != "" {
			if p, _ := req.Context().Value(pendingKey{}).(*Pending); p != nil {
				p.put(key, etag, lm)
			} else if err := t.Validators.PutValidators(req.Context(), key, etag, lm); err != nil {
				resp.Body.Close()
				return nil, err
			}
		}
	}
	return resp, nil
}

// rateLimit reads a 403 or 429: wait for retry-after, else until
// x-ratelimit-reset, else at least 60 s, doubling while it lasts.
func (t *Transport) rateLimit(resp *http.Response) (time.Time, string, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return time.Time{}, "", false
	}
	h := resp.Header
	retryAfter := h.Get("Retry-After")
	exhausted := h.Get("X-RateLimit-Remaining") == "0"
	if resp.StatusCode == http.StatusForbidden && retryAfter == "" && !exhausted {
		// A 403 may be a real permission error: look for GitHub's words,
		// old ("You have triggered an abuse detection mechanism") and new
		// ("You have exceeded a secondary rate limit", "API rate limit
		// exceeded").
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body = io.NopCloser(bytes.NewReader(body))
		lower := bytes.ToLower(body)
		if !bytes.Contains(lower, []byte("rate limit")) && !bytes.Contains(lower, []byte("abuse detection")) {
			return time.Time{}, "", false
		}
	}
	now := t.now()
	if s, err := strconv.Atoi(retryAfter); err == nil && s >= 0 {
		reason := "secondary limit, retry-after"
		if exhausted {
			reason = "primary limit, retry-after"
		}
		return now.Add(time.Duration(s) * time.Second), reason, true
	}
	reason := "secondary limit"
	if exhausted {
		reason = "primary limit"
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil && time.Unix(reset, 0).After(now) {
			return time.Unix(reset, 0), reason, true
		}
		// The quota is spent but GitHub did not say until when: wait as
		// for a secondary limit (GitHub's own advice), doubling.
		reason = "primary limit, no reset given"
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.backoff = max(time.Minute, 2*t.backoff)
	return now.Add(t.backoff), reason, true
}

// IsRateLimited reports whether err means "wait", and until when: our
// transport's RateLimited, or go-github's own errors (it refuses requests
// locally once it has seen the quota exhausted). A wait go-github gives as
// a duration counts from now, which callers take from the clock their
// transport uses.
func IsRateLimited(err error, now time.Time) (time.Time, bool) {
	var rl *RateLimited
	var primary *gh.RateLimitError
	var abuse *gh.AbuseRateLimitError
	switch {
	case errors.As(err, &rl):
		return rl.Until, true
	case errors.As(err, &primary):
		return primary.Rate.Reset.Time, true
	case errors.As(err, &abuse):
		return now.Add(max(abuse.GetRetryAfter(), time.Minute)), true
	}
	return time.Time{}, false
}

// Limited is IsRateLimited on the client's own clock.
func (c *Client) Limited(err error) (time.Time, bool) { return IsRateLimited(err, c.Transport.now()) }

// pace waits for the next free slot: requests start at least Pace apart.
func (t *Transport) pace(ctx context.Context) error {
	// A simulated clock (Now set) without a way to let its time pass
	// cannot be waited on: tests that use one and no sleeper are unpaced.
	if t.Pace <= 0 || (t.Now != nil && t.SleepUntil == nil) {
		return nil
	}
	now := t.now()
	t.mu.Lock()
	slot := t.nextSlot
	if slot.Before(now) {
		slot = now
	}
	t.nextSlot = slot.Add(t.Pace)
	t.mu.Unlock()
	if !slot.After(now) {
		return nil
	}
	if t.SleepUntil != nil {
		return t.SleepUntil(ctx, slot)
	}
	timer := time.NewTimer(slot.Sub(now))
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
