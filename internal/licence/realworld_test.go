package licence_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/licence"
)

// TestRealWorldLicences runs the check on licence files as projects ship
// them (testdata/realworld, see its README.md) and compares with
// expected.tsv. An entry that is a directory is checked as a checkout, a
// file as `suivi license check FILE` does. A wrong verdict fails the test,
// and so does a wrong SPDX expression unless the table marks the entry
// ambiguous.
func TestRealWorldLicences(t *testing.T) {
	dir := filepath.Join("testdata", "realworld")
	f, err := os.Open(filepath.Join(dir, "expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	k := &licence.Classifier{}
	n, verdictRight, spdxRight, falseOpen := 0, 0, 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 3 {
			t.Fatalf("expected.tsv: %q has fewer than 3 columns", line)
		}
		name, spdx, open := cols[0], cols[1], cols[2] == "true"
		ambiguous := len(cols) > 3 && strings.HasPrefix(cols[3], "ambiguous")
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		var r licence.Report
		if fi.IsDir() {
			r, err = k.Check(context.Background(), licence.Dir(p))
		} else {
			var b []byte
			if b, err = os.ReadFile(p); err == nil {
				r, err = k.CheckFile(b, name)
			}
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n++
		if r.Open == open {
			verdictRight++
		} else {
			t.Errorf("%s: open %v, want %v (%s)", name, r.Open, open, r.Reason)
			if r.Open {
				falseOpen++
			}
		}
		if r.SPDX == spdx {
			spdxRight++
		} else if !ambiguous {
			t.Errorf("%s: %s, want %s (%s)", name, r.SPDX, spdx, r.Reason)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("realworld: %d files, verdict right %d/%d, SPDX right %d/%d, false open %d\n", n, verdictRight, n, spdxRight, n, falseOpen)
}
