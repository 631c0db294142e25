package web

import (
	"sync"
	"time"
)

// Application limits: a network may send CallsPerIP applications within
// CallWindow. The count lives in memory, per serve process (no table of
// its own): a restart forgets it and each process counts for itself, which
// bounds a flood without adding state to Postgres. Behind a reverse proxy
// every request comes from the proxy, so the limit then holds for the whole
// site, which errs on the safe side.
const (
	CallsPerIP = 10
	CallWindow = time.Hour
	// callLimiterSize bounds how many addresses the limiter remembers;
	// when that many are within their window, new ones are refused until
	// some expire rather than letting the map grow.
	callLimiterSize = 10_000
)

// ipLimiter counts recent events per IP in a bounded map.
type ipLimiter struct {
	mu       sync.Mutex
	max      int
	window   time.Duration
	capacity int
	hits     map[string][]time.Time
}

func newIPLimiter(max int, window time.Duration, capacity int) *ipLimiter {
	return &ipLimiter{max: max, window: window, capacity: capacity, hits: map[string][]time.Time{}}
}

// allow records an event from ip at now and reports whether it is within
// the limit; a refused event is not recorded.
func (l *ipLimiter) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	since := now.Add(-l.window)
	recent := l.hits[ip][:0]
	for _, t := range l.hits[ip] {
		if t.After(since) {
			recent = append(recent, t)
		}
	}
	if len(recent) >= l.max {
		l.hits[ip] = recent
		return false
	}
	if _, known := l.hits[ip]; !known && len(l.hits) >= l.capacity {
		l.prune(since)
		if len(l.hits) >= l.capacity {
			return false
		}
	}
	l.hits[ip] = append(recent, now)
	return true
}

// prune forgets the addresses with no event since since.
func (l *ipLimiter) prune(since time.Time) {
	for ip, ts := range l.hits {
		if len(ts) == 0 || !ts[len(ts)-1].After(since) {
			delete(l.hits, ip)
		}
	}
}
