// Package fakegithub is an HTTP server on loopback that behaves like the
// parts of GitHub's REST API Suivi uses: ETag and 304, x-ratelimit-*
// headers, primary and secondary limits (403 and 429 with retry-after), 202
// from /stats/*, 301 for renamed repositories, 404, Link pagination, and a
// quota counter that charges like GitHub (a 304 to an authenticated request
// is free). Tests and `suivi bench github` point go-github at it.
package fakegithub

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Commit, Issue, Comment and Release are a repository's history.
type Commit struct {
	SHA    string
	Author string
	Date   time.Time
}

// Issue is an issue or, with PR set, a pull request.
type Issue struct {
	Number   int
	PR       bool
	Author   string
	Created  time.Time
	Closed   time.Time
	Comments []Comment
	// Reactions change the list's body (and ETag) but not updated_at, as
	// on GitHub; labels and pushes to a pull request's branch change both.
	Reactions int
	Labels    []string
	Touched   time.Time
}

// Comment is a comment on an issue.
type Comment struct {
	Author  string
	Created time.Time
}

// Release is a published release. Downloads is its asset's download
// count, which changes the list's ETag all day long on GitHub.
type Release struct {
	Tag       string
	Published time.Time
	Downloads int
}

// Repo is one repository's state.
type Repo struct {
	ID            int64
	Owner, Name   string
	Stars, Forks  int
	Created       time.Time
	Pushed        time.Time
	Updated       time.Time
	DefaultBranch string
	Archived      bool
	License       string // SPDX id, "" for none
	Commits       []Commit
	Issues        []Issue
	Releases      []Release
	// Files are the default branch's files, by path ("LICENSE", "docs/x").
	Files map[string]string
	// Deleted answers 404; RenamedTo answers 301 to the new name.
	Deleted   bool
	RenamedTo string
}

// Limits shape the rate limiting.
type Limits struct {
	// Primary is the number of charged requests per hour per token (0: 5000).
	Primary int
	// MaxConcurrent, when positive, answers a secondary limit to requests
	// beyond that many in flight.
	MaxConcurrent int
	// SecondaryStatus is 403 (default) or 429 for secondary limits.
	SecondaryStatus int
	// RetryAfter is the retry-after of secondary limits, in seconds.
	RetryAfter int
	// PointsPerMinute is GitHub's secondary limit on REST requests (a GET
	// is one point, 304s included); 0 is GitHub's 900, -1 none.
	PointsPerMinute int
	// Window is the primary limit's window (0: GitHub's hour); the fault
	// tests shorten it to see polling pause and resume.
	Window time.Duration
	// NoRetryAfter leaves retry-after out of forced rate limits, so the
	// client must read x-ratelimit-reset or back off on its own.
	NoRetryAfter bool
}

// Secondary-limit answers as GitHub documents them ("About secondary rate
// limits", docs.github.com): retry-after only sometimes.
const secondaryMessage = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. " +
	"If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222:3333:44444444."

// Server is a running fake.
type Server struct {
	srv    *httptest.Server
	token  string
	limits Limits
	now    func() time.Time

	mu        sync.Mutex
	repos     map[string]*Repo // by lower(owner/name)
	byID      map[int64]*Repo
	nextID    int64
	statsSeen map[string]bool
	used      int       // charged requests in the current window
	window    time.Time // start of the current rate-limit window
	forced    []int     // statuses to answer next, for tests
	points    int       // requests in the current minute
	minute    time.Time // start of the current minute
	secondary int       // secondary limits answered, to vary retry-after

	charged, requests, notModified, limited atomic.Int64
	graphqlPoints                           atomic.Int64
	primaryRefused                          atomic.Int64
	inflight, maxInflight                   atomic.Int64
}

// Start serves on a free loopback port; token is the one a client must send
// to be "authenticated" (empty: none).
func Start(token string, limits Limits, now func() time.Time) *Server {
	if limits.Primary == 0 {
		limits.Primary = 5000
	}
	if limits.SecondaryStatus == 0 {
		limits.SecondaryStatus = http.StatusForbidden
	}
	if limits.Window == 0 {
		limits.Window = time.Hour
	}
	if limits.PointsPerMinute == 0 {
		limits.PointsPerMinute = 900
	}
	if limits.MaxConcurrent == 0 {
		limits.MaxConcurrent = 100 // GitHub's documented maximum
	}
	if now == nil {
		now = time.Now
	}
	s := &Server{token: token, limits: limits, now: now, repos: map[string]*Repo{}, byID: map[int64]*Repo{}, statsSeen: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /repos/{owner}/{repo}", s.repo)
	mux.HandleFunc("GET /repositories/{id}", s.repoByID)
	mux.HandleFunc("GET /repos/{owner}/{repo}/commits", s.commits)
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues", s.issues)
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues/{number}/comments", s.comments)
	mux.HandleFunc("GET /repos/{owner}/{repo}/releases", s.releases)
	mux.HandleFunc("GET /repos/{owner}/{repo}/stats/participation", s.participation)
	mux.HandleFunc("GET /repos/{owner}/{repo}/contents", s.contents)
	mux.HandleFunc("GET /repos/{owner}/{repo}/contents/{path...}", s.contents)
	mux.HandleFunc("POST /graphql", s.graphql)
	s.srv = httptest.NewServer(s.limit(mux))
	return s
}

// URL is the API's base URL, ending with a slash as go-github wants.
func (s *Server) URL() string { return s.srv.URL + "/" }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// GraphQLCharged is how many points GraphQL queries cost (one per query
// of at most a hundred repositories, as GitHub computes it for a query
// without connections' nodes).
func (s *Server) GraphQLCharged() int64 { return s.graphqlPoints.Load() }

// Charged is how many requests counted against the primary quota.
func (s *Server) Charged() int64 { return s.charged.Load() }

// Requests is how many requests arrived.
func (s *Server) Requests() int64 { return s.requests.Load() }

// NotModified is how many 304s were answered.
func (s *Server) NotModified() int64 { return s.notModified.Load() }

// Limited is how many requests were refused by a rate limit.
func (s *Server) Limited() int64 { return s.limited.Load() }

// MaxInflight is the most requests seen in flight at once.
func (s *Server) MaxInflight() int64 { return s.maxInflight.Load() }

// Force makes the next requests answer these statuses (403 or 429 are
// rate limits with retry-after), in order.
func (s *Server) Force(statuses ...int) {
	s.mu.Lock()
	s.forced = append(s.forced, statuses...)
	s.mu.Unlock()
}

// PrimaryRefused is how many requests came while the primary quota was
// spent (each answered 403 with x-ratelimit-remaining 0).
func (s *Server) PrimaryRefused() int64 { return s.primaryRefused.Load() }

// SetLimits changes the limits of a running server.
func (s *Server) SetLimits(f func(*Limits)) {
	s.mu.Lock()
	f(&s.limits)
	s.mu.Unlock()
}

// Add creates or replaces a repository.
func (s *Server) Add(r Repo) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	r.ID = s.nextID
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	if r.Created.IsZero() {
		r.Created = s.now().AddDate(-1, 0, 0)
	}
	if r.Updated.IsZero() {
		r.Updated = r.Created
	}
	p := &r
	s.repos[strings.ToLower(r.Owner+"/"+r.Name)] = p
	s.byID[r.ID] = p
	return p
}

// Update changes a repository under the server's lock.
func (s *Server) Update(fullName string, f func(r *Repo)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.repos[strings.ToLower(fullName)]; r != nil {
		f(r)
		r.Updated = s.now()
	}
}

// UpdateQuiet changes a repository without touching its updated_at, as
// GitHub does for issue and pull request activity.
func (s *Server) UpdateQuiet(fullName string, f func(r *Repo)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.repos[strings.ToLower(fullName)]; r != nil {
		f(r)
	}
}

// PushAuthored adds a commit authored at date, pushed now.
func (s *Server) PushAuthored(fullName, author string, date time.Time) {
	s.Update(fullName, func(r *Repo) {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d/%d", fullName, len(r.Commits), time.Now().UnixNano())))
		r.Commits = append(r.Commits, Commit{SHA: hex.EncodeToString(sum[:20]), Author: author, Date: date})
		r.Pushed = s.now()
	})
}

// Push adds n commits by author now.
func (s *Server) Push(fullName, author string, n int) {
	s.Update(fullName, func(r *Repo) {
		for i := 0; i < n; i++ {
			sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d/%d", fullName, len(r.Commits), time.Now().UnixNano())))
			r.Commits = append(r.Commits, Commit{SHA: hex.EncodeToString(sum[:20]), Author: author, Date: s.now()})
		}
		r.Pushed = s.now()
	})
}

// Rename moves a repository; its old name answers 301.
func (s *Server) Rename(fullName, newName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repos[strings.ToLower(fullName)]
	if r == nil {
		return
	}
	moved := *r
	owner, name, _ := strings.Cut(newName, "/")
	moved.Owner, moved.Name = owner, name
	np := &moved
	s.repos[strings.ToLower(newName)] = np
	s.byID[r.ID] = np
	r.RenamedTo = newName
}

// limit applies the rate limits and the quota, and tracks requests in flight.
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		n := s.inflight.Add(1)
		defer s.inflight.Add(-1)
		for {
			m := s.maxInflight.Load()
			if n <= m || s.maxInflight.CompareAndSwap(m, n) {
				break
			}
		}
		authed := s.token != "" && r.Header.Get("Authorization") == "Bearer "+s.token
		s.mu.Lock()
		if s.now().Sub(s.window) >= s.limits.Window {
			s.window, s.used = s.now(), 0
		}
		limit := s.limits.Primary
		if !authed {
			limit = 60
		}
		var forced int
		if len(s.forced) > 0 {
			forced, s.forced = s.forced[0], s.forced[1:]
		}
		remaining, reset := limit-s.used, s.window.Add(s.limits.Window)
		noRetryAfter := s.limits.NoRetryAfter
		if s.now().Sub(s.minute) >= time.Minute {
			s.minute, s.points = s.now(), 0
		}
		s.points++
		overPoints := s.limits.PointsPerMinute > 0 && s.points > s.limits.PointsPerMinute
		retry := ""
		if overPoints || (s.limits.MaxConcurrent > 0 && n > int64(s.limits.MaxConcurrent)) {
			s.secondary++
			if s.secondary%2 == 1 || s.limits.RetryAfter > 0 {
				retry = strconv.Itoa(max(s.limits.RetryAfter, 60))
			}
		}
		used := s.used
		s.mu.Unlock()
		h := w.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		h.Set("X-RateLimit-Resource", "core")
		h.Set("X-RateLimit-Used", strconv.Itoa(used))
		switch {
		case forced == http.StatusForbidden || forced == http.StatusTooManyRequests:
			s.limited.Add(1)
			h.Set("X-RateLimit-Remaining", strconv.Itoa(max(remaining, 0)))
			if !noRetryAfter {
				h.Set("Retry-After", strconv.Itoa(max(s.limits.RetryAfter, 1)))
			}
			writeJSON(w, forced, map[string]string{"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."})
			return
		case forced != 0:
			writeJSON(w, forced, map[string]string{"message": http.StatusText(forced)})
			return
		case overPoints || (s.limits.MaxConcurrent > 0 && n > int64(s.limits.MaxConcurrent)):
			s.limited.Add(1)
			if retry != "" {
				h.Set("Retry-After", retry)
			}
			writeJSON(w, s.limits.SecondaryStatus, map[string]string{"message": secondaryMessage,
				"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"})
			return
		case remaining <= 0:
			s.limited.Add(1)
			s.primaryRefused.Add(1)
			h.Set("X-RateLimit-Remaining", "0")
			writeJSON(w, http.StatusForbidden, map[string]string{"message": "API rate limit exceeded for user ID 1.",
				"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit"})
			return
		}
		if r.URL.Path == "/graphql" {
			// GraphQL has its own quota (GraphQLCharged), not REST's: 5,000
			// points an hour.
			used := s.graphqlPoints.Load() + 1
			h.Set("X-RateLimit-Resource", "graphql")
			h.Set("X-RateLimit-Limit", "5000")
			h.Set("X-RateLimit-Used", strconv.FormatInt(used, 10))
			h.Set("X-RateLimit-Remaining", strconv.FormatInt(max(5000-used, 0), 10))
			next.ServeHTTP(w, r)
			return
		}
		rec := &recorder{ResponseWriter: w, status: 200, authed: authed, s: s, remaining: remaining}
		next.ServeHTTP(rec, r)
	})
}

// recorder charges the quota once the status is known: a 304 to an
// authenticated request is free, like GitHub.
type recorder struct {
	http.ResponseWriter
	status    int
	authed    bool
	s         *Server
	remaining int
	written   bool
}

func (r *recorder) WriteHeader(code int) {
	if r.written {
		return
	}
	r.written, r.status = true, code
	free := code == http.StatusNotModified && r.authed
	if code == http.StatusNotModified {
		r.s.notModified.Add(1)
	}
	rem := r.remaining
	if !free {
		r.s.charged.Add(1)
		r.s.mu.Lock()
		r.s.used++
		rem = r.s.limits.Primary - r.s.used
		if !r.authed {
			rem = 60 - r.s.used
		}
		r.s.mu.Unlock()
	}
	r.Header().Set("X-RateLimit-Remaining", strconv.Itoa(max(rem, 0)))
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.written {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// serveJSON answers v with an ETag, or 304 when the client has it already.
func serveJSON(w http.ResponseWriter, r *http.Request, v any) {
	body, _ := json.Marshal(v)
	sum := sha256.Sum256(body)
	// Strong on a 200, as GitHub sends it; the client may send it back
	// weak (W/"…"), and If-None-Match compares weakly (RFC 9110 §13.1.2).
	tag := `"` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", tag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && weakMatch(inm, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (s *Server) find(w http.ResponseWriter, r *http.Request) (*Repo, bool) {
	s.mu.Lock()
	repo := s.repos[strings.ToLower(r.PathValue("owner")+"/"+r.PathValue("repo"))]
	var renamedID int64
	if repo != nil && repo.RenamedTo != "" && !repo.Deleted {
		renamedID = repo.ID
	}
	s.mu.Unlock()
	// Answer without the lock: writing charges the quota, which takes it.
	switch {
	case repo == nil || repo.Deleted:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return nil, false
	case renamedID != 0:
		rest := strings.TrimPrefix(r.URL.Path, "/repos/"+r.PathValue("owner")+"/"+r.PathValue("repo"))
		w.Header().Set("Location", strings.TrimSuffix(s.URL(), "/")+"/repositories/"+strconv.FormatInt(renamedID, 10)+rest)
		writeJSON(w, http.StatusMovedPermanently, map[string]string{"message": "Moved Permanently"})
		return nil, false
	}
	return repo, true
}

func (s *Server) repoJSON(repo *Repo) map[string]any {
	m := map[string]any{
		"id": repo.ID, "name": repo.Name, "full_name": repo.Owner + "/" + repo.Name,
		"owner":          map[string]any{"login": repo.Owner},
		"html_url":       "https://github.com/" + repo.Owner + "/" + repo.Name,
		"default_branch": repo.DefaultBranch, "archived": repo.Archived,
		"stargazers_count": repo.Stars, "forks_count": repo.Forks,
		"open_issues_count": openIssues(repo), "open_issues": openIssues(repo),
		"watchers_count": repo.Stars, "watchers": repo.Stars, "forks": repo.Forks,
		"private": false, "fork": false, "visibility": "public", "has_issues": true, "has_wiki": true,
		"node_id": "R_kgDO" + strconv.FormatInt(repo.ID, 36), "url": "https://api.github.com/repos/" + repo.Owner + "/" + repo.Name,
		"size": 100 + len(repo.Commits), "language": "Go", "topics": []string{},
		"created_at": repo.Created.UTC().Format(time.RFC3339),
		"updated_at": repo.Updated.UTC().Format(time.RFC3339),
	}
	if !repo.Pushed.IsZero() {
		m["pushed_at"] = repo.Pushed.UTC().Format(time.RFC3339)
	}
	if repo.License != "" {
		m["license"] = map[string]any{"spdx_id": repo.License, "key": strings.ToLower(repo.License)}
	}
	return m
}

func openIssues(repo *Repo) int {
	n := 0
	for _, i := range repo.Issues {
		if i.Closed.IsZero() {
			n++
		}
	}
	return n
}

func (s *Server) repo(w http.ResponseWriter, r *http.Request) {
	repo, ok := s.find(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	v := s.repoJSON(repo)
	s.mu.Unlock()
	serveJSON(w, r, v)
}

func (s *Server) repoByID(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	repo := s.byID[id]
	var v map[string]any
	if repo != nil {
		v = s.repoJSON(repo)
	}
	s.mu.Unlock()
	if repo == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	serveJSON(w, r, v)
}

// page cuts items by per_page and page, and writes the Link header.
func page[T any](w http.ResponseWriter, r *http.Request, items []T) []T {
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 {
		per = 30
	}
	per = min(per, 100)
	p, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if p <= 0 {
		p = 1
	}
	last := max(1, (len(items)+per-1)/per)
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		q.Set("per_page", strconv.Itoa(per))
		u := *r.URL
		u.RawQuery = q.Encode()
		return "<http://" + r.Host + u.RequestURI() + ">"
	}
	var links []string
	if p < last {
		links = append(links, link(p+1)+`; rel="next"`, link(last)+`; rel="last"`)
	}
	if p > 1 {
		links = append(links, link(1)+`; rel="first"`, link(p-1)+`; rel="prev"`)
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	start := (p - 1) * per
	if start >= len(items) {
		return []T{}
	}
	return items[start:min(start+per, len(items))]
}

func since(r *http.Request) time.Time {
	t, _ := time.Parse(time.RFC3339, r.URL.Query().Get("since"))
	return t
}

func (s *Server) commits(w http.ResponseWriter, r *http.Request) {
	repo, ok := s.find(w, r)
	if !ok {
		return
	}
	from := since(r)
	s.mu.Lock()
	if len(repo.Commits) == 0 {
		s.mu.Unlock()
		writeJSON(w, http.StatusConflict, map[string]string{"message": "Git Repository is empty."})
		return
	}
	var out []map[string]any
	for i := len(repo.Commits) - 1; i >= 0; i-- {
		c := repo.Commits[i]
		if c.Date.Before(from) {
			continue
		}
		out = append(out, map[string]any{
			"sha":    c.SHA,
			"author": map[string]any{"login": c.Author},
			"commit": map[string]any{"author": map[string]any{"name": c.Author, "date": c.Date.UTC().Format(time.RFC3339)}},
		})
	}
	s.mu.Unlock()
	if out == nil {
		out = []map[string]any{}
	}
	serveJSON(w, r, page(w, r, out))
}

func (s *Server) issues(w http.ResponseWriter, r *http.Request) {
	repo, ok := s.find(w, r)
	if !ok {
		return
	}
	from := since(r)
	s.mu.Lock()
	var out []map[string]any
	for _, i := range repo.Issues {
		updated := i.Created
		if i.Closed.After(updated) {
			updated = i.Closed
		}
		for _, c := range i.Comments {
			if c.Created.After(updated) {
				updated = c.Created
			}
		}
		if i.Touched.After(updated) {
			updated = i.Touched
		}
		if updated.Before(from) {
			continue
		}
		labels := []map[string]any{}
		for _, l := range i.Labels {
			labels = append(labels, map[string]any{"name": l})
		}
		m := map[string]any{
			"number": i.Number, "user": map[string]any{"login": i.Author}, "comments": len(i.Comments),
			"created_at": i.Created.UTC().Format(time.RFC3339), "updated_at": updated.UTC().Format(time.RFC3339),
			"state": "open", "labels": labels, "reactions": map[string]any{"total_count": i.Reactions, "+1": i.Reactions},
		}
		if !i.Closed.IsZero() {
			m["state"], m["closed_at"] = "closed", i.Closed.UTC().Format(time.RFC3339)
		}
		if i.PR {
			m["pull_request"] = map[string]any{"url": "x"}
		}
		out = append(out, m)
	}
	s.mu.Unlock()
	slices.Reverse(out)
	if r.URL.Query().Get("sort") == "updated" {
		// Newest update first, as GitHub sorts with sort=updated.
		slices.SortStableFunc(out, func(a, b map[string]any) int {
			return strings.Compare(b["updated_at"].(string), a["updated_at"].(string))
		})
	}
	if out == nil {
		out = []map[string]any{}
	}
	serveJSON(w, r, page(w, r, out))
}

func (s *Server) comments(w http.ResponseWriter, r *http.Request) {
	repo, ok := s.find(w, r)
	if !ok {
		return
	}
	n, _ := strconv.Atoi(r.PathValue("number"))
	s.mu.Lock()
	out := []map[string]any{}
	for _, i := range repo.Issues {
		if i.Number == n {
			for _, c := range i.Comments {
				out = append(out, map[string]any{"user": map[string]any{"login": c.Author}, "created_at": c.Created.UTC().Format(time.RFC3339)})
			}
		}
	}
	s.mu.Unlock()
	serveJSON(w, r, page(w, r, out))
}

func (s *Server) releases(w http.ResponseWriter, r *http.Request) {
	repo, ok := s.find(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	out := []map[string]any{}
	for i := len(repo.Releases) - 1; i >= 0; i-- {
		rel := repo.Releases[i]
		out = append(out, map[string]any{"tag_name": rel.Tag, "published_at": rel.Published.UTC().Format(time.RFC3339),
			"assets": []map[string]any{{"name": rel.Tag + ".zip", "download_count": rel.Downloads}}})
	}
	s.mu.Unlock()
	serveJSON(w, r, page(w, r, out))
}

// participation answers 202 the first time, like GitHub computing stats.
func (s *Server) participation(w http.ResponseWriter, r *http.Request) {
	repo, ok := s.find(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	key := strings.ToLower(repo.Owner + "/" + repo.Name)
	seen := s.statsSeen[key]
	s.statsSeen[key] = true
	weeks := make([]int, 52)
	now := s.now()
	for _, c := range repo.Commits {
		if w := int(now.Sub(c.Date).Hours() / (24 * 7)); w >= 0 && w < 52 {
			weeks[51-w]++
		}
	}
	s.mu.Unlock()
	if !seen {
		writeJSON(w, http.StatusAccepted, map[string]any{})
		return
	}
	serveJSON(w, r, map[string]any{"all": weeks, "owner": make([]int, 52)})
}

// contents answers a file (base64, as GitHub does) or a directory listing.
func (s *Server) contents(w http.ResponseWriter, r *http.Request) {
	repo, ok := s.find(w, r)
	if !ok {
		return
	}
	p := strings.Trim(r.PathValue("path"), "/")
	s.mu.Lock()
	content, isFile := repo.Files[p]
	var entries []map[string]any
	seen := map[string]bool{}
	for name := range repo.Files {
		rest, ok := strings.CutPrefix(name, p+"/")
		if p == "" {
			rest, ok = name, true
		}
		if !ok {
			continue
		}
		head, _, isDir := strings.Cut(rest, "/")
		if seen[head] {
			continue
		}
		seen[head] = true
		typ := "file"
		if isDir {
			typ = "dir"
		}
		full := strings.TrimPrefix(p+"/"+head, "/")
		entries = append(entries, map[string]any{"name": head, "path": full, "type": typ})
	}
	s.mu.Unlock()
	switch {
	case isFile:
		serveJSON(w, r, map[string]any{"type": "file", "name": path.Base(p), "path": p, "encoding": "base64",
			"content": base64.StdEncoding.EncodeToString([]byte(content))})
	case len(entries) > 0:
		slices.SortFunc(entries, func(a, b map[string]any) int { return strings.Compare(a["name"].(string), b["name"].(string)) })
		serveJSON(w, r, entries)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	}
}

// weakMatch reports whether an If-None-Match list holds tag, weakly.
func weakMatch(list, tag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}

// React adds a reaction to a repository's latest issue: its list's body
// changes, its updated_at does not.
func (s *Server) React(fullName string) {
	s.UpdateQuiet(fullName, func(r *Repo) {
		if n := len(r.Issues); n > 0 {
			r.Issues[n-1].Reactions++
		}
	})
}

// Label labels a repository's latest issue (its updated_at moves).
func (s *Server) Label(fullName, label string) {
	s.UpdateQuiet(fullName, func(r *Repo) {
		if n := len(r.Issues); n > 0 {
			r.Issues[n-1].Labels = append(r.Issues[n-1].Labels, label)
			r.Issues[n-1].Touched = s.now()
		}
	})
}

// Download counts n downloads of a repository's latest release's asset.
func (s *Server) Download(fullName string, n int) {
	s.UpdateQuiet(fullName, func(r *Repo) {
		if k := len(r.Releases); k > 0 {
			r.Releases[k-1].Downloads += n
		}
	})
}

// Release publishes a release now: its tag is pushed too.
func (s *Server) Release(fullName, tag string) {
	s.Update(fullName, func(r *Repo) {
		r.Releases = append(r.Releases, Release{Tag: tag, Published: s.now()})
		r.Pushed = s.now()
	})
}

var graphqlRepo = regexp.MustCompile(`(r\d+): repository\(owner: "([^"]+)", name: "([^"]+)"\)`)

// graphql answers the one query shape Suivi sends (github.Freshness):
// aliased repository lookups, null and a NOT_FOUND error for unknown ones;
// a renamed repository answers under its new nameWithOwner, as GitHub does.
func (s *Server) graphql(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Query string `json:"query"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	data := map[string]any{}
	var errs []map[string]any
	s.mu.Lock()
	for _, m := range graphqlRepo.FindAllStringSubmatch(body.Query, -1) {
		alias, key := m[1], strings.ToLower(m[2]+"/"+m[3])
		repo := s.repos[key]
		for repo != nil && repo.RenamedTo != "" && !repo.Deleted {
			repo = s.repos[strings.ToLower(repo.RenamedTo)]
		}
		if repo == nil || repo.Deleted {
			data[alias] = nil
			errs = append(errs, map[string]any{"type": "NOT_FOUND", "path": []string{alias},
				"message": "Could not resolve to a Repository with the name '" + m[2] + "/" + m[3] + "'."})
			continue
		}
		open, prs := 0, 0
		for _, i := range repo.Issues {
			if i.Closed.IsZero() {
				if i.PR {
					prs++
				} else {
					open++
				}
			}
		}
		v := map[string]any{
			"nameWithOwner": repo.Owner + "/" + repo.Name, "createdAt": repo.Created.UTC().Format(time.RFC3339),
			"isArchived": repo.Archived, "stargazerCount": repo.Stars, "forkCount": repo.Forks,
			"defaultBranchRef": map[string]any{"name": repo.DefaultBranch},
			"issues":           map[string]any{"totalCount": open}, "pullRequests": map[string]any{"totalCount": prs},
			"licenseInfo": nil,
		}
		if !repo.Pushed.IsZero() {
			v["pushedAt"] = repo.Pushed.UTC().Format(time.RFC3339)
		}
		if repo.License != "" {
			v["licenseInfo"] = map[string]any{"spdxId": repo.License}
		}
		data[alias] = v
	}
	s.mu.Unlock()
	s.graphqlPoints.Add(1)
	w.Header().Set("X-RateLimit-Resource", "graphql")
	out := map[string]any{"data": data}
	if errs != nil {
		out["errors"] = errs
	}
	writeJSON(w, http.StatusOK, out)
}
