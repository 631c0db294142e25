package licence

import (
	"fmt"
	"slices"
	"strings"
)

// Category is what a licence is meant for.
type Category string

// The categories, so that a dataset under a data licence is not judged as code.
const (
	CategoryCode Category = "code" // software, and the default when unsure
	CategoryData Category = "data" // databases and datasets
	CategoryDocs Category = "docs" // texts, images and videos
)

// Rule is one row of the policy.
type Rule struct {
	ID       string   // SPDX id, in SPDX's spelling
	Category Category // what the licence is meant for
	Open     bool     // whether a contribution under it counts as open
	Why      string   // a short reason, shown to holders
}

// The reasons shared by several rows, written once so they stay consistent.
const (
	whyPermissiveFR = "OSI-approved permissive licence on the French public-sector list of article D323-2-1 CRPA"
	whyCopyleftFR   = "OSI-approved copyleft licence on the French public-sector list of article D323-2-1 CRPA"
	whyPermissive   = "OSI-approved permissive licence"
	whyCopyleft     = "OSI-approved copyleft licence"
	whyCCBY         = "Creative Commons licence that allows reuse, including commercial, with attribution"
	whyCCBYSA       = "Creative Commons licence that allows reuse, including commercial, with attribution and share-alike"
)

// policyRules is the policy: what Suivi accepts as open for code, data
// and documentation. It is the only place where that is decided.
var policyRules = policyTable()

func policyTable() []Rule {
	code := func(id, why string) Rule { return Rule{ID: id, Category: CategoryCode, Open: true, Why: why} }
	notOpen := func(id string, c Category, why string) Rule { return Rule{ID: id, Category: c, Open: false, Why: why} }
	rules := []Rule{
		// Open code licences: OSI- or FSF-approved, or on the French list.
		code("MIT", whyPermissiveFR),
		code("MIT-0", whyPermissive),
		code("Apache-2.0", whyPermissiveFR),
		code("BSD-2-Clause", whyPermissiveFR),
		code("BSD-3-Clause", whyPermissiveFR),
		code("0BSD", whyPermissive),
		code("ISC", whyPermissive),
		code("Zlib", whyPermissive),
		code("Unlicense", "OSI-approved public-domain dedication"),
		code("GPL-2.0-only", whyCopyleft),
		code("GPL-2.0-or-later", whyCopyleft),
		code("GPL-3.0-only", whyCopyleftFR),
		code("GPL-3.0-or-later", whyCopyleftFR),
		code("LGPL-2.1-only", whyCopyleft),
		code("LGPL-2.1-or-later", whyCopyleft),
		code("LGPL-3.0-only", whyCopyleftFR),
		code("LGPL-3.0-or-later", whyCopyleftFR),
		code("AGPL-3.0-only", whyCopyleftFR),
		code("AGPL-3.0-or-later", whyCopyleftFR),
		code("MPL-2.0", whyCopyleftFR),
		code("EPL-1.0", whyCopyleft),
		code("EPL-2.0", whyCopyleft),
		code("EUPL-1.1", whyCopyleft),
		code("EUPL-1.2", whyCopyleft),
		code("CECILL-2.1", whyCopyleftFR),
		code("CECILL-B", whyPermissiveFR),
		code("CECILL-C", whyCopyleftFR),
		code("Artistic-2.0", "OSI-approved licence"),
		code("BSL-1.0", "OSI-approved permissive licence, the Boost Software License"),
		code("WTFPL", "FSF-approved free licence"),
		code("LGPL-2.0-only", whyCopyleft),
		code("LGPL-2.0-or-later", whyCopyleft),
		code("MPL-1.1", "OSI-approved weak copyleft licence"),
		code("CDDL-1.0", "OSI-approved weak copyleft licence"),
		code("MIT-Modern-Variant", "OSI-approved permissive licence"),
		code("BSD-2-Clause-Patent", "OSI-approved permissive licence"),

		// Open data licences. CC0 is also free for code (FSF) and fine for docs.
		{ID: "etalab-2.0", Category: CategoryData, Open: true, Why: "Licence Ouverte, the French public-sector open data licence"},
		{ID: "ODbL-1.0", Category: CategoryData, Open: true, Why: "share-alike open database licence on the French public-sector list"},
		{ID: "CC0-1.0", Category: CategoryData, Open: true, Why: "public-domain dedication, open for data and docs, and free for code according to the FSF"},
	}

	// Open licences for docs and videos; CC-BY-4.0 is also open for data.
	for _, v := range []string{"2.0", "2.5", "3.0", "4.0"} {
		rules = append(rules,
			Rule{ID: "CC-BY-" + v, Category: CategoryDocs, Open: true, Why: whyCCBY},
			Rule{ID: "CC-BY-SA-" + v, Category: CategoryDocs, Open: true, Why: whyCCBYSA},
		)
	}

	// Not open: Creative Commons variants that forbid commercial use or
	// derivative works fail the "reuse for any purpose" test.
	for _, v := range []string{"1.0", "2.0", "2.5", "3.0", "4.0"} {
		rules = append(rules,
			notOpen("CC-BY-NC-"+v, CategoryDocs, "forbids commercial use"),
			notOpen("CC-BY-ND-"+v, CategoryDocs, "forbids derivative works"),
			notOpen("CC-BY-NC-SA-"+v, CategoryDocs, "forbids commercial use"),
			notOpen("CC-BY-NC-ND-"+v, CategoryDocs, "forbids commercial use and derivative works"),
		)
	}
	return append(rules,
		notOpen("SSPL-1.0", CategoryCode, "restricts offering the software as a service; neither OSI- nor FSF-approved"),
		notOpen("BUSL-1.1", CategoryCode, "source-available licence that restricts production use until its change date"),
		notOpen("Elastic-2.0", CategoryCode, "source-available licence that forbids offering the software as a managed service"),
		notOpen("LicenseRef-Commons-Clause", CategoryCode, "the Commons Clause rider forbids selling the software"),
		notOpen("LicenseRef-RSALv2", CategoryCode, "the Redis Source Available License forbids offering the software's functionality as a service"),
		notOpen("PolyForm-Noncommercial-1.0.0", CategoryCode, "source-available licence for noncommercial purposes only"),
		notOpen("PolyForm-Small-Business-1.0.0", CategoryCode, "source-available licence for small businesses only"),
		notOpen("PolyForm-Shield-1.0.0", CategoryCode, "source-available licence that forbids competing with the licensor"),
		notOpen("PolyForm-Perimeter-1.0.0", CategoryCode, "source-available licence that forbids competing with the software"),
		notOpen("PolyForm-Internal-Use-1.0.0", CategoryCode, "source-available licence for internal use only"),
		notOpen("PolyForm-Free-Trial-1.0.0", CategoryCode, "source-available licence for a trial period only"),
		notOpen("PolyForm-Strict-1.0.0", CategoryCode, "source-available licence that forbids changes and distribution"),
		notOpen("JSON", CategoryCode, "its \"Good, not Evil\" clause restricts use, so neither the FSF nor the OSI approve it"),
		notOpen("LicenseRef-All-Rights-Reserved", CategoryCode, "all rights reserved: no licence is granted"),
		notOpen("NONE", CategoryCode, "no licence is granted"),
		notOpen("NOASSERTION", CategoryCode, "no licence could be determined, so we cannot tell"),
	)
}

// policyIndex finds a row by its lower-case id.
var policyIndex = func() map[string]int {
	m := make(map[string]int, len(policyRules))
	for i, r := range policyRules {
		m[strings.ToLower(r.ID)] = i
	}
	return m
}()

// Policy returns the table, as a copy so that callers cannot change it.
func Policy() []Rule { return slices.Clone(policyRules) }

// Lookup finds an id's row case-insensitively, understanding "+", "-only", "-or-later" and deprecated GNU ids.
func Lookup(id string) (Rule, bool) {
	// "GPL-3.0+" and "GPL-3.0-only+" find GPL-3.0-or-later, the deprecated
	// "GPL-3.0" finds GPL-3.0-only (likewise LGPL and AGPL), and "X+" finds
	// X for any other licence.
	key := strings.ToLower(strings.TrimSpace(id))
	if i, ok := policyIndex[key]; ok {
		return policyRules[i], true
	}
	if base, ok := strings.CutSuffix(key, "+"); ok {
		family := strings.TrimSuffix(strings.TrimSuffix(base, "-only"), "-or-later")
		if i, ok := policyIndex[family+"-or-later"]; ok {
			return policyRules[i], true
		}
		if i, ok := policyIndex[base]; ok {
			return policyRules[i], true
		}
		return Rule{}, false
	}
	// Only GNU licences have "-only" rows: a bare version meant "only".
	if i, ok := policyIndex[key+"-only"]; ok {
		return policyRules[i], true
	}
	return Rule{}, false
}

// policyVerdict is what one licence of an expression says.
type policyVerdict struct {
	label string // the licence as written in the expression
	why   string
}

// Open says whether an expression is open, with one sentence naming the licences that decide.
func Open(e *Expr) (bool, string) {
	// With OR one open side is enough, with AND every part must be open,
	// WITH and "+" keep the base licence's answer, unknown ids are not open.
	if e == nil {
		return false, "Not open because there is no licence expression."
	}
	open, verdicts := policyOpen(e)
	var parts []string
	for _, v := range verdicts {
		p := fmt.Sprintf("%s (%s)", v.label, v.why)
		if !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	list, verb := parts[0], "is"
	if len(parts) > 1 {
		list = strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
		verb = "are"
	}
	if open {
		return true, fmt.Sprintf("Open because %s %s open.", list, verb)
	}
	return false, fmt.Sprintf("Not open because %s %s not open.", list, verb)
}

// policyOpen returns the answer and the licences that decide it: the first
// open side of an OR or the first closed part of an AND, otherwise all of
// them. It never returns an empty list.
func policyOpen(e *Expr) (bool, []policyVerdict) {
	op := strings.ToUpper(e.Op)
	if op != "AND" && op != "OR" {
		rule, ok := policyLeafRule(e)
		if !ok {
			return false, []policyVerdict{{e.String(), "unknown licence, not in Suivi's policy"}}
		}
		if e.With != "" && !slices.Contains(knownExceptions, strings.ToLower(e.With)) {
			// Only SPDX's exceptions widen a licence; anything else added
			// "WITH" may restrict it (a Commons Clause, a non-commercial
			// term).
			return false, []policyVerdict{{e.String(), "carries an addition that is not a known SPDX exception"}}
		}
		return rule.Open, []policyVerdict{{e.String(), rule.Why}}
	}
	var all []policyVerdict
	for _, a := range e.Args {
		if a == nil {
			continue
		}
		open, vs := policyOpen(a)
		if open == (op == "OR") {
			return open, vs
		}
		all = append(all, vs...)
	}
	if len(all) == 0 {
		return false, []policyVerdict{{"the empty " + op, "it names no licence"}}
	}
	return op == "AND", all
}

// policyLeafRule finds the row of a single licence; the exception after
// WITH does not matter, since exceptions only grant more.
func policyLeafRule(e *Expr) (Rule, bool) {
	id := e.ID
	if e.OrLater {
		id += "+"
	}
	return Lookup(id)
}

// CategoryOf says what an expression's licences are for, so that data and docs are not judged as code.
func CategoryOf(e *Expr) Category {
	// Data when every licence is a data licence, docs when every one is a
	// Creative Commons licence for docs (or CC0), code otherwise, unknown
	// licences included.
	allData, allDocs, seen := true, true, false
	e.leaves(func(x *Expr) {
		seen = true
		rule, ok := policyLeafRule(x)
		if !ok {
			allData, allDocs = false, false
			return
		}
		if rule.Category != CategoryData {
			allData = false
		}
		if rule.Category != CategoryDocs && rule.ID != "CC0-1.0" {
			allDocs = false
		}
	})
	switch {
	case !seen:
		return CategoryCode
	case allData:
		return CategoryData
	case allDocs:
		return CategoryDocs
	}
	return CategoryCode
}

// knownExceptions are SPDX licence exceptions: each grants more, never less.
var knownExceptions = []string{
	"classpath-exception-2.0", "llvm-exception", "gcc-exception-3.1", "gcc-exception-2.0", "autoconf-exception-3.0",
	"autoconf-exception-2.0", "bison-exception-2.2", "font-exception-2.0", "openvpn-openssl-exception",
	"linux-syscall-note", "qt-gpl-exception-1.0", "qt-lgpl-exception-1.1", "lgpl-3.0-linking-exception",
	"universal-foss-exception-1.0", "ocaml-lgpl-linking-exception", "wxwindows-exception-3.1", "u-boot-exception-2.0",
	"swift-exception", "libtool-exception", "gpl-3.0-linking-exception", "gpl-3.0-linking-source-exception",
	"gpl-cc-1.0", "mif-exception", "digirule-foss-exception", "eclipse-classpath-exception", "389-exception",
}
