package licence_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/codecitoyen/suivi/internal/licence"
)

// FuzzCheckFile reads bytes as a licence file, as `suivi license check
// FILE` and the repository watcher do. Its seeds are the real-world
// licence files of testdata/realworld up to 12 KB (the larger ones cost
// the fuzzer more time per run than they add) and, in
// testdata/fuzz/FuzzCheckFile, files in the shapes and encodings projects
// ship (see testdata/fuzz/README.md). Whatever the bytes: no panic, no
// error; a verdict that is NONE, NOASSERTION or a canonical SPDX
// expression; open only for a named licence; a confidence between 0 and 1;
// and a reason in one line that does not echo the file.
func FuzzCheckFile(f *testing.F) {
	dir := filepath.Join("testdata", "realworld")
	var seeds []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".tsv") || d.Name() == "README.md" {
			return err
		}
		if fi, err := d.Info(); err == nil && fi.Size() <= 12<<10 {
			seeds = append(seeds, p)
		}
		return nil
	})
	if len(seeds) < 15 {
		f.Fatalf("%d real-world licence files of at most 12 KB in %s; want the set README.md lists", len(seeds), dir)
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	k := &licence.Classifier{}
	f.Fuzz(func(t *testing.T, b []byte) {
		text := licence.Decode(b)
		if !utf8.ValidString(text) || strings.Contains(text, "\r") {
			t.Fatalf("Decode gives invalid UTF-8 or a carriage return: %q", text[:min(len(text), 200)])
		}
		r, err := k.CheckFile(b, "LICENSE")
		if err != nil {
			t.Fatalf("CheckFile: %v", err)
		}
		switch r.SPDX {
		case "NONE", "NOASSERTION":
			if r.Open {
				t.Fatalf("%s is open", r.SPDX)
			}
		default:
			e, err := licence.ParseExpr(r.SPDX)
			if err != nil || e.String() != r.SPDX {
				t.Fatalf("verdict %q is not a canonical SPDX expression (%v)", r.SPDX, err)
			}
		}
		if r.Confidence < 0 || r.Confidence > 1 {
			t.Fatalf("confidence %v", r.Confidence)
		}
		if r.Reason == "" || strings.Contains(r.Reason, "\n") || len(r.Reason) > 1000 {
			t.Fatalf("reason of %d bytes, not one short line: %.300q", len(r.Reason), r.Reason)
		}
	})
}
