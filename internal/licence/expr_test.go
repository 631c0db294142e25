package licence_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/licence"
)

// exprShape prints an expression with every operator parenthesised, so a
// test can see how it was grouped.
func exprShape(e *licence.Expr) string {
	if e == nil {
		return "<nil>"
	}
	if e.Op == "" {
		s := e.ID
		if e.OrLater {
			s += "+"
		}
		if e.With != "" {
			s += " WITH " + e.With
		}
		return s
	}
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		parts[i] = exprShape(a)
	}
	return "(" + strings.Join(parts, " "+e.Op+" ") + ")"
}

func TestExprString(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"MIT", "MIT"},
		{"mit", "MIT"},
		{"apache-2.0", "Apache-2.0"},
		{"MIT OR Apache-2.0", "MIT OR Apache-2.0"},
		{"mit or apache-2.0", "MIT OR Apache-2.0"},
		{"(MIT OR Apache-2.0) AND CC-BY-4.0", "(MIT OR Apache-2.0) AND CC-BY-4.0"},
		{"((MIT))", "MIT"},
		{"(MIT AND Apache-2.0) OR CC0-1.0", "MIT AND Apache-2.0 OR CC0-1.0"},
		{"GPL-2.0+ WITH Classpath-exception-2.0", "GPL-2.0+ WITH Classpath-exception-2.0"},
		{"gpl-2.0+ with classpath-exception-2.0", "GPL-2.0+ WITH Classpath-exception-2.0"},
		{"CECILL-2.1 AND etalab-2.0", "CECILL-2.1 AND etalab-2.0"},
		{"cecill-2.1 and ETALAB-2.0", "CECILL-2.1 AND etalab-2.0"},
		{"a AND b OR c", "a AND b OR c"},
		{"a AND (b OR c)", "a AND (b OR c)"},
		{"LicenseRef-Commons-Clause", "LicenseRef-Commons-Clause"},
		{"licenseref-commons-clause", "LicenseRef-Commons-Clause"},
		{"licenseref-Acme", "LicenseRef-Acme"},
		{"documentref-spdx:licenseref-Acme", "DocumentRef-spdx:LicenseRef-Acme"},
		{"Some-Unknown-1.0", "Some-Unknown-1.0"},
		{"  MIT\tOR\nISC  ", "MIT OR ISC"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			e, err := licence.ParseExpr(tt.in)
			if err != nil {
				t.Fatalf("ParseExpr(%q): %v", tt.in, err)
			}
			if got := e.String(); got != tt.want {
				t.Errorf("ParseExpr(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExprShape(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"a AND b OR c", "((a AND b) OR c)"},
		{"a OR b AND c", "(a OR (b AND c))"},
		{"a OR b OR c", "(a OR b OR c)"},
		{"(a OR b) OR c", "(a OR b OR c)"},
		{"a AND (b AND c)", "(a AND b AND c)"},
		{"(MIT OR Apache-2.0) AND CC-BY-4.0", "((MIT OR Apache-2.0) AND CC-BY-4.0)"},
		{"a WITH x AND b", "(a WITH x AND b)"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			e, err := licence.ParseExpr(tt.in)
			if err != nil {
				t.Fatalf("ParseExpr(%q): %v", tt.in, err)
			}
			if got := exprShape(e); got != tt.want {
				t.Errorf("ParseExpr(%q) groups as %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestExprFields(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want *licence.Expr
	}{
		{"MIT", &licence.Expr{ID: "MIT"}},
		{"GPL-2.0+ WITH Classpath-exception-2.0", &licence.Expr{ID: "GPL-2.0", OrLater: true, With: "Classpath-exception-2.0"}},
		{"GPL-3.0-or-later", &licence.Expr{ID: "GPL-3.0-or-later"}},
		{"LicenseRef-Commons-Clause", &licence.Expr{ID: "LicenseRef-Commons-Clause"}},
		{"MIT OR Apache-2.0", &licence.Expr{Op: "OR", Args: []*licence.Expr{{ID: "MIT"}, {ID: "Apache-2.0"}}}},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := licence.ParseExpr(tt.in)
			if err != nil {
				t.Fatalf("ParseExpr(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseExpr(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestExprErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "empty licence expression"},
		{"   ", "empty licence expression"},
		{"MIT OR", "unexpected end of expression at 7"},
		{"(MIT", "missing ')' for the '(' at 1"},
		{"MIT)", "unexpected ')' at 4"},
		{"AND MIT", "unexpected AND at 1"},
		{"MIT WITH", "unexpected end of expression at 9"},
		{"MIT  OR  OR Apache-2.0", "unexpected OR at 10"},
		{"MIT Apache-2.0", `unexpected "Apache-2.0" at 5`},
		{"(MIT OR Apache-2.0) WITH x", "unexpected WITH at 21"},
		{"MIT WITH AND", "unexpected AND at 10"},
		{"MIT/Apache-2.0", "unexpected character '/' at 4"},
		{"é OR MIT", "unexpected character 'é' at 1"},
		{"LicenseRef-x+", `invalid licence id "LicenseRef-x+" at 1`},
		{"GPL-2.0++", `invalid licence id "GPL-2.0++" at 1`},
		{"MIT:x", `invalid licence id "MIT:x" at 1`},
		{"LicenseRef-", `invalid licence id "LicenseRef-" at 1`},
		{"MIT WITH x+", `invalid exception id "x+" at 10`},
		{"()", "unexpected ')' at 2"},
		{strings.Repeat("(", 100) + "MIT" + strings.Repeat(")", 100), "nested more than 64 deep"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			_, err := licence.ParseExpr(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseExpr(%q) error = %v, want one containing %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestExprErrorsAreOneLine(t *testing.T) {
	_, err := licence.ParseExpr("MIT\nOR\n)")
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("ParseExpr error = %q, want a one-line error", err)
	}
}

func TestExprIDs(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"MIT", []string{"MIT"}},
		{"(MIT OR Apache-2.0) AND CC-BY-4.0", []string{"MIT", "Apache-2.0", "CC-BY-4.0"}},
		{"mit OR MIT AND Apache-2.0 OR apache-2.0", []string{"MIT", "Apache-2.0"}},
		{"GPL-2.0+ WITH Classpath-exception-2.0 OR GPL-2.0", []string{"GPL-2.0"}},
	} {
		t.Run(tt.in, func(t *testing.T) {
			e, err := licence.ParseExpr(tt.in)
			if err != nil {
				t.Fatalf("ParseExpr(%q): %v", tt.in, err)
			}
			if got := e.IDs(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseExpr(%q).IDs() = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExprStringHandBuilt(t *testing.T) {
	for _, tt := range []struct {
		name string
		e    *licence.Expr
		want string
	}{
		{"nil", nil, ""},
		{"OR inside AND", &licence.Expr{Op: "AND", Args: []*licence.Expr{{Op: "OR", Args: []*licence.Expr{{ID: "mit"}, {ID: "isc"}}}, {ID: "cc-by-4.0"}}}, "(MIT OR ISC) AND CC-BY-4.0"},
		{"single operand", &licence.Expr{Op: "OR", Args: []*licence.Expr{{ID: "MIT"}}}, "MIT"},
		{"nil operand", &licence.Expr{Op: "AND", Args: []*licence.Expr{nil, {ID: "MIT"}, {ID: "ISC"}}}, "MIT AND ISC"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNormaliseID(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"MIT", "MIT"},
		{"mit", "MIT"},
		{"MIT License", "MIT"},
		{"The MIT License (MIT)", "MIT"},
		{"Apache 2.0", "Apache-2.0"},
		{"Apache License 2.0", "Apache-2.0"},
		{"Apache-2", "Apache-2.0"},
		{"Apache License, Version 2.0", "Apache-2.0"},
		{"apache-2.0", "Apache-2.0"},
		{"GPLv3", "GPL-3.0-only"},
		{"GPL-3", "GPL-3.0-only"},
		{"GPL v3", "GPL-3.0-only"},
		{"GPL-3.0", "GPL-3.0-only"},
		{"GPL-3.0+", "GPL-3.0-or-later"},
		{"GPLv3+", "GPL-3.0-or-later"},
		{"GPL v3 or later", "GPL-3.0-or-later"},
		{"GPL-3.0-or-later", "GPL-3.0-or-later"},
		{"GPL-3.0-only", "GPL-3.0-only"},
		{"GNU General Public License v3.0", "GPL-3.0-only"},
		{"GPL-2.0", "GPL-2.0-only"},
		{"GPLv2", "GPL-2.0-only"},
		{"GPL-2.0+", "GPL-2.0-or-later"},
		{"LGPL-2.1", "LGPL-2.1-only"},
		{"LGPLv2.1+", "LGPL-2.1-or-later"},
		{"LGPL-3.0", "LGPL-3.0-only"},
		{"LGPLv3", "LGPL-3.0-only"},
		{"LGPL-3.0+", "LGPL-3.0-or-later"},
		{"AGPL-3.0", "AGPL-3.0-only"},
		{"AGPLv3", "AGPL-3.0-only"},
		{"AGPL-3.0+", "AGPL-3.0-or-later"},
		{"GNU Affero General Public License v3.0 or later", "AGPL-3.0-or-later"},
		{"BSD", "BSD-3-Clause"},
		{"BSD-3", "BSD-3-Clause"},
		{"BSD 3-Clause", "BSD-3-Clause"},
		{"BSD-2-Clause", "BSD-2-Clause"},
		{"CeCILL", "CECILL-2.1"},
		{"CECILL", "CECILL-2.1"},
		{"CeCILL v2.1", "CECILL-2.1"},
		{"CECILL-2.1", "CECILL-2.1"},
		{"CeCILL-B", "CECILL-B"},
		{"CeCILL-C", "CECILL-C"},
		{"Licence Ouverte", "etalab-2.0"},
		{"Licence Ouverte 2.0", "etalab-2.0"},
		{"Licence Ouverte / Open Licence 2.0", "etalab-2.0"},
		{"Open Licence 2.0", "etalab-2.0"},
		{"Etalab 2.0", "etalab-2.0"},
		{"etalab-2.0", "etalab-2.0"},
		{"ODbL", "ODbL-1.0"},
		{"EUPL", "EUPL-1.2"},
		{"EUPL 1.2", "EUPL-1.2"},
		{"EUPL v1.1", "EUPL-1.1"},
		{"MPL 2.0", "MPL-2.0"},
		{"CC BY 4.0", "CC-BY-4.0"},
		{"CC-BY 4.0", "CC-BY-4.0"},
		{"CC BY-SA 4.0", "CC-BY-SA-4.0"},
		{"CC BY-NC 4.0", "CC-BY-NC-4.0"},
		{"CC BY-ND 3.0", "CC-BY-ND-3.0"},
		{"CC BY-NC-SA 4.0", "CC-BY-NC-SA-4.0"},
		{"CC0", "CC0-1.0"},
		{"CC0 1.0", "CC0-1.0"},
		{"Unlicense", "Unlicense"},
		{"The Unlicense", "Unlicense"},
		{"UNLICENSED", "LicenseRef-All-Rights-Reserved"},
		{"ISC", "ISC"},
		{"ISC License", "ISC"},
		{"0BSD", "0BSD"},
		{"  MIT  ", "MIT"},
		{"  Some Licence 1.0 ", "Some Licence 1.0"},
		{"GPL", "GPL"},
		{"Apache", "Apache"},
		{"Licence Ouverte 1.0", "Licence Ouverte 1.0"},
		{"", ""},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := licence.NormaliseID(tt.in); got != tt.want {
				t.Errorf("NormaliseID(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestNormaliseIDKnownByPolicy checks that every id NormaliseID produces for a
// known name is a valid SPDX expression the policy knows.
func TestNormaliseIDKnownByPolicy(t *testing.T) {
	for _, in := range []string{"MIT License", "Apache 2.0", "GPLv3", "GPL-2.0+", "LGPLv2.1", "AGPL-3.0", "BSD", "CeCILL", "CeCILL-B",
		"Licence Ouverte", "ODbL", "EUPL", "MPL 2.0", "CC BY-SA 4.0", "CC0", "UNLICENSED"} {
		t.Run(in, func(t *testing.T) {
			if _, ok := licence.Lookup(licence.NormaliseID(in)); !ok {
				t.Errorf("NormaliseID(%q) = %q, which the policy does not know", in, licence.NormaliseID(in))
			}
		})
	}
}

func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{
		"MIT", "mit", "MIT OR Apache-2.0", "(MIT OR Apache-2.0) AND CC-BY-4.0", "GPL-2.0+ WITH Classpath-exception-2.0",
		"CECILL-2.1 AND etalab-2.0", "a AND b OR c", "LicenseRef-Commons-Clause", "DocumentRef-a:LicenseRef-b",
		"", "MIT OR", "(MIT", "MIT)", "AND MIT", "MIT WITH", "MIT  OR  OR Apache-2.0", "((a))", "a+ with b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := licence.ParseExpr(s)
		if err != nil {
			// At most two quotations (the expression, a token) of
			// validate.QuoteLimit characters, each up to 10 bytes escaped.
			if strings.Contains(err.Error(), "\n") || len(err.Error()) > 1000 {
				t.Fatalf("ParseExpr(%.80q) error is not one short line: %.300q", s, err)
			}
			return
		}
		canon := e.String()
		again, err := licence.ParseExpr(canon)
		if err != nil {
			t.Fatalf("ParseExpr(%q).String() = %q, which does not parse: %v", s, canon, err)
		}
		if got := again.String(); got != canon {
			t.Fatalf("ParseExpr(%q).String() = %q, but parsing that gives %q", s, canon, got)
		}
	})
}

func TestFromGitHub(t *testing.T) {
	for in, want := range map[string]string{
		"NOASSERTION": "", "": "", "other": "", "MIT": "MIT", "LGPL-3.0": "LGPL-3.0-only", "GPL-2.0": "GPL-2.0-only",
		"AGPL-3.0": "AGPL-3.0-only", "GPL-3.0": "GPL-3.0-only", "Apache-2.0": "Apache-2.0", "EUPL-1.2": "EUPL-1.2",
	} {
		if got := licence.FromGitHub(in); got != want {
			t.Errorf("FromGitHub(%q) = %q, want %q", in, got, want)
		}
	}
}
