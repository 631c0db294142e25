package licence_test

import (
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/licence"
)

func policyMustParse(t *testing.T, s string) *licence.Expr {
	t.Helper()
	e, err := licence.ParseExpr(s)
	if err != nil {
		t.Fatalf("ParseExpr(%q): %v", s, err)
	}
	return e
}

func TestPolicyLookupRow(t *testing.T) {
	for _, row := range licence.Policy() {
		t.Run(row.ID, func(t *testing.T) {
			if got, ok := licence.Lookup(row.ID); !ok || got != row {
				t.Errorf("Lookup(%q) = %+v, %v; want %+v", row.ID, got, ok, row)
			}
		})
	}
}

func TestPolicyLookupRowAnyCase(t *testing.T) {
	for _, row := range licence.Policy() {
		t.Run(row.ID, func(t *testing.T) {
			if got, ok := licence.Lookup(strings.ToLower(row.ID)); !ok || got != row {
				t.Errorf("Lookup(%q) = %+v, %v; want %+v", strings.ToLower(row.ID), got, ok, row)
			}
		})
	}
}

func TestPolicyOpenRow(t *testing.T) {
	for _, row := range licence.Policy() {
		t.Run(row.ID, func(t *testing.T) {
			if got, why := licence.Open(policyMustParse(t, row.ID)); got != row.Open {
				t.Errorf("Open(%s) = %v (%s), want %v", row.ID, got, why, row.Open)
			}
		})
	}
}

func TestPolicyRowHasWhy(t *testing.T) {
	for _, row := range licence.Policy() {
		t.Run(row.ID, func(t *testing.T) {
			if strings.TrimSpace(row.Why) == "" {
				t.Errorf("row %s has no Why", row.ID)
			}
		})
	}
}

func TestPolicyRowIDIsCanonical(t *testing.T) {
	for _, row := range licence.Policy() {
		t.Run(row.ID, func(t *testing.T) {
			if got := policyMustParse(t, strings.ToUpper(row.ID)).String(); got != row.ID {
				t.Errorf("ParseExpr(%q).String() = %q, want the row's id %q", strings.ToUpper(row.ID), got, row.ID)
			}
		})
	}
}

func TestPolicyIDsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, row := range licence.Policy() {
		k := strings.ToLower(row.ID)
		if seen[k] {
			t.Errorf("id %s appears twice in the policy", row.ID)
		}
		seen[k] = true
	}
}

func TestPolicyReturnsACopy(t *testing.T) {
	p := licence.Policy()
	p[0].Open = !p[0].Open
	if licence.Policy()[0].Open == p[0].Open {
		t.Errorf("changing Policy()'s result changed the policy")
	}
}

// TestPolicyCoversTheBrief pins the answers Suivi's rules require, so that
// deleting or flipping a row fails a test.
func TestPolicyCoversTheBrief(t *testing.T) {
	type want struct {
		open bool
		cat  licence.Category
	}
	cases := map[string]want{}
	for _, id := range []string{"MIT", "MIT-0", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "ISC", "Zlib", "Unlicense",
		"GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later",
		"LGPL-3.0-only", "LGPL-3.0-or-later", "AGPL-3.0-only", "AGPL-3.0-or-later", "MPL-2.0", "EPL-1.0", "EPL-2.0",
		"EUPL-1.1", "EUPL-1.2", "CECILL-2.1", "CECILL-B", "CECILL-C", "Artistic-2.0", "BSL-1.0", "WTFPL"} {
		cases[id] = want{true, licence.CategoryCode}
	}
	for _, id := range []string{"etalab-2.0", "ODbL-1.0", "CC0-1.0"} {
		cases[id] = want{true, licence.CategoryData}
	}
	for _, v := range []string{"2.0", "2.5", "3.0", "4.0"} {
		cases["CC-BY-"+v] = want{true, licence.CategoryDocs}
		cases["CC-BY-SA-"+v] = want{true, licence.CategoryDocs}
	}
	for _, v := range []string{"1.0", "2.0", "2.5", "3.0", "4.0"} {
		for _, kind := range []string{"NC", "ND", "NC-SA", "NC-ND"} {
			cases["CC-BY-"+kind+"-"+v] = want{false, licence.CategoryDocs}
		}
	}
	for _, id := range []string{"SSPL-1.0", "BUSL-1.1", "Elastic-2.0", "LicenseRef-Commons-Clause", "JSON",
		"LicenseRef-All-Rights-Reserved", "NONE", "NOASSERTION"} {
		cases[id] = want{false, licence.CategoryCode}
	}
	for id, w := range cases {
		t.Run(id, func(t *testing.T) {
			row, ok := licence.Lookup(id)
			if got := (want{row.Open, row.Category}); !ok || got != w {
				t.Errorf("Lookup(%q) = %+v, %v; want Open=%v Category=%s", id, row, ok, w.open, w.cat)
			}
		})
	}
}

func TestPolicyLookupVariants(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"GPL-3.0+", "GPL-3.0-or-later"},
		{"gpl-3.0+", "GPL-3.0-or-later"},
		{"GPL-3.0", "GPL-3.0-only"},
		{"GPL-2.0", "GPL-2.0-only"},
		{"GPL-2.0-only+", "GPL-2.0-or-later"},
		{"GPL-2.0-or-later+", "GPL-2.0-or-later"},
		{"LGPL-2.1", "LGPL-2.1-only"},
		{"LGPL-2.1+", "LGPL-2.1-or-later"},
		{"LGPL-3.0", "LGPL-3.0-only"},
		{"AGPL-3.0", "AGPL-3.0-only"},
		{"AGPL-3.0+", "AGPL-3.0-or-later"},
		{"MIT+", "MIT"},
		{" mit ", "MIT"},
		{"ETALAB-2.0", "etalab-2.0"},
		{"unknown-licence", ""},
		{"MIT-only", ""},
		{"", ""},
		{"+", ""},
	} {
		t.Run(tt.in, func(t *testing.T) {
			row, _ := licence.Lookup(tt.in)
			if row.ID != tt.want {
				t.Errorf("Lookup(%q) found %q, want %q", tt.in, row.ID, tt.want)
			}
		})
	}
}

func TestPolicyOpenExpr(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"MIT OR CC-BY-NC-4.0", true},
		{"CC-BY-NC-4.0 OR MIT", true},
		{"MIT AND CC-BY-NC-4.0", false},
		{"MIT AND LicenseRef-Commons-Clause", false},
		{"GPL-3.0+", true},
		{"GPL-3.0", true},
		{"GPL-2.0+ WITH Classpath-exception-2.0", true},
		{"Apache-2.0 WITH LLVM-exception", true},
		{"CC-BY-NC-4.0 WITH LLVM-exception", false},
		{"NOASSERTION", false},
		{"NONE", false},
		{"unknown-licence", false},
		{"unknown-licence OR MIT", true},
		{"unknown-licence AND MIT", false},
		{"CECILL-2.1 AND etalab-2.0", true},
		{"(MIT OR SSPL-1.0) AND (CC-BY-NC-4.0 OR CC-BY-4.0)", true},
		{"(MIT AND SSPL-1.0) OR (CC-BY-NC-4.0 AND CC-BY-4.0)", false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got, why := licence.Open(policyMustParse(t, tt.in)); got != tt.want {
				t.Errorf("Open(%s) = %v (%s), want %v", tt.in, got, why, tt.want)
			}
		})
	}
}

func TestPolicyOpenNil(t *testing.T) {
	if open, why := licence.Open(nil); open {
		t.Errorf("Open(nil) = true (%s), want false", why)
	}
}

func TestPolicyOpenReason(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"MIT", "Open because MIT ("},
		{"MIT OR CC-BY-NC-4.0", "Open because MIT ("},
		{"MIT AND CC-BY-NC-4.0", "Not open because CC-BY-NC-4.0 (forbids commercial use) is not open."},
		{"MIT AND LicenseRef-Commons-Clause", "Not open because LicenseRef-Commons-Clause ("},
		{"unknown-licence", "unknown licence"},
		{"CC-BY-NC-4.0 OR SSPL-1.0", "CC-BY-NC-4.0 (forbids commercial use) and SSPL-1.0 ("},
		{"CECILL-2.1 AND etalab-2.0", "CECILL-2.1 ("},
		{"GPL-2.0+ WITH Classpath-exception-2.0", "GPL-2.0+ WITH Classpath-exception-2.0 ("},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if _, why := licence.Open(policyMustParse(t, tt.in)); !strings.Contains(why, tt.want) {
				t.Errorf("Open(%s) says %q, want it to contain %q", tt.in, why, tt.want)
			}
		})
	}
}

func TestPolicyOpenReasonIsOneSentence(t *testing.T) {
	for _, in := range []string{"MIT", "unknown-licence", "MIT AND CC-BY-NC-4.0", "(MIT OR SSPL-1.0) AND CC-BY-4.0", "NOASSERTION"} {
		t.Run(in, func(t *testing.T) {
			_, why := licence.Open(policyMustParse(t, in))
			if !strings.HasSuffix(why, ".") || strings.Count(why, ". ") != 0 || strings.Contains(why, "\n") {
				t.Errorf("Open(%s) says %q, want one sentence ending with a full stop", in, why)
			}
		})
	}
}

func TestPolicyCategoryOf(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want licence.Category
	}{
		{"etalab-2.0", licence.CategoryData},
		{"ODbL-1.0 OR etalab-2.0", licence.CategoryData},
		{"CC0-1.0", licence.CategoryData},
		{"CC-BY-SA-4.0", licence.CategoryDocs},
		{"CC-BY-4.0 OR CC0-1.0", licence.CategoryDocs},
		{"CECILL-2.1 AND etalab-2.0", licence.CategoryCode},
		{"MIT", licence.CategoryCode},
		{"unknown-licence", licence.CategoryCode},
		{"etalab-2.0 AND unknown-licence", licence.CategoryCode},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := licence.CategoryOf(policyMustParse(t, tt.in)); got != tt.want {
				t.Errorf("CategoryOf(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestPolicyCategoryOfNil(t *testing.T) {
	if got := licence.CategoryOf(nil); got != licence.CategoryCode {
		t.Errorf("CategoryOf(nil) = %s, want %s", got, licence.CategoryCode)
	}
}
