// Command fakegithub is the fault tests' GitHub: internal/fakegithub (which
// answers like GitHub: ETags, rate-limit headers, secondary limits) in its
// own process, with a loopback control endpoint:
//
//	POST /force?s=500,500,403   answer the next requests with these statuses
//	                            (403 and 429 are rate limits with retry-after)
//	GET  /stats                 {"requests","charged","limited","max_inflight"}
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
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]int64{"requests": gh.Requests(), "charged": gh.Charged(),
			"limited": gh.Limited(), "max_inflight": gh.MaxInflight(), "not_modified": gh.NotModified()})
	})
	fmt.Printf("fakegithub ready API=%s CONTROL=http://%s\n", gh.URL(), l.Addr())
	_ = http.Serve(l, mux)
}
