// Command fakegithub is the fault tests' GitHub: internal/fakegithub (which
// answers like GitHub: ETags, rate-limit headers, secondary limits) in its
// own process, with a loopback control endpoint:
//
//	POST /force?s=500,500,403   answer the next requests with these statuses
//	                            (403 and 429 are rate limits with retry-after)
//	POST /limits?primary=N&window=1m&no_retry_after=true
//	                            change the primary quota, its window, and
//	                            whether forced rate limits carry retry-after
//	POST /repos?names=o/a,o/b   add public MIT-licensed repositories
//	GET  /stats                 {"requests","charged","limited","primary_refused","max_inflight"}
//
// It prints "fakegithub ready API=URL CONTROL=URL".
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/fakegithub"
)

func main() {
	token := flag.String("token", "faults-token", "the token clients must send")
	flag.Parse()
	gh := fakegithub.Start(*token, fakegithub.Limits{}, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakegithub:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /force", func(w http.ResponseWriter, r *http.Request) {
		var statuses []int
		for _, s := range strings.Split(r.URL.Query().Get("s"), ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				http.Error(w, "bad status "+s, http.StatusBadRequest)
				return
			}
			statuses = append(statuses, n)
		}
		gh.Force(statuses...)
	})
	mux.HandleFunc("POST /limits", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var err error
		gh.SetLimits(func(l *fakegithub.Limits) {
			if v := q.Get("primary"); v != "" {
				l.Primary, err = strconv.Atoi(v)
			}
			if v := q.Get("window"); v != "" && err == nil {
				l.Window, err = time.ParseDuration(v)
			}
			if v := q.Get("no_retry_after"); v != "" && err == nil {
				l.NoRetryAfter, err = strconv.ParseBool(v)
			}
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	mux.HandleFunc("POST /repos", func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().UTC()
		for _, n := range strings.Split(r.URL.Query().Get("names"), ",") {
			owner, name, ok := strings.Cut(n, "/")
			if !ok {
				http.Error(w, "bad name "+n, http.StatusBadRequest)
				return
			}
			gh.Add(fakegithub.Repo{Owner: owner, Name: name, Created: now.AddDate(-1, 0, 0), Pushed: now, Updated: now,
				DefaultBranch: "main", License: "MIT", Files: map[string]string{"LICENSE": mitText}})
		}
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]int64{"requests": gh.Requests(), "charged": gh.Charged(),
			"limited": gh.Limited(), "primary_refused": gh.PrimaryRefused(), "max_inflight": gh.MaxInflight(), "not_modified": gh.NotModified()})
	})
	fmt.Printf("fakegithub ready API=%s CONTROL=http://%s\n", gh.URL(), l.Addr())
	_ = http.Serve(l, mux)
}

// mitText is the MIT licence, so the licence check finds it open.
const mitText = `MIT License

Copyright (c) 2026 Faults

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`
