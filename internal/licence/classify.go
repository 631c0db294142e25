// Package licence tells which licence a project uses, whether it is open in
// the sense Suivi's funders ask for, and why: detection in a checkout or on
// GitHub, classification of licence texts (github.com/google/licenseclassifier
// /v2, extended with the French public-sector licences its corpus lacks), SPDX
// expressions, and the policy table of what counts as open.
package licence

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/licensecheck"
	classifier "github.com/google/licenseclassifier/v2"
	"github.com/google/licenseclassifier/v2/assets"
)

// spdxHeadLines is how many non-blank lines at the top of a licence file
// are read for an SPDX-License-Identifier line.
const spdxHeadLines = 5

// Threshold is the confidence below which a text is not reported as a
// licence. It is licenseclassifier's own calibrated default: below it the
// text differs from the licence in more than wording (missing or changed
// clauses), and a licence is a legal text: "nearly MIT" is not MIT.
const Threshold = 0.8

// Classifier classifies licence texts. The corpus is loaded on first use,
// once: a worker that never checks a licence never pays for it.
type Classifier struct {
	once     sync.Once
	c        *classifier.Classifier
	err      error
	loadTime time.Duration
	// words are the distinct words of every known licence text, to name
	// the nearest one when none matches well enough.
	words map[string]map[string]bool
	// known caches the words of the corpus texts matched (see knownWords).
	known sync.Map
}

// extensions are the licences whose texts licenseclassifier's corpus lacks
// or confuses; their texts come from Google's licensecheck, which has them.
var extensions = []string{"CECILL-B", "CECILL-C", "EUPL-1.2", "ODbL-1.0", "CECILL-2.1", "etalab-2.0"}

func (k *Classifier) load() error {
	k.once.Do(func() {
		start := time.Now()
		c, err := assets.DefaultClassifier()
		if err != nil {
			k.err = fmt.Errorf("licence: load the corpus: %w", err)
			return
		}
		k.words = map[string]map[string]bool{}
		for _, l := range licensecheck.BuiltinLicenses() {
			text := lreText(l.LRE)
			if slices.Contains(extensions, l.ID) {
				c.AddContent("License", l.ID, "licensecheck", []byte(text))
			}
			if len(text) > 200 {
				k.words[l.ID] = wordSet(text)
			}
		}
		// The classifier's own texts of the usual licences are cleaner than
		// the templates above.
		for _, r := range Policy() {
			for _, f := range []string{"pristine.txt", "license.txt"} {
				if b, err := assets.ReadLicenseFile("License/" + r.ID + "/" + f); err == nil {
					k.words[r.ID] = wordSet(string(b))
					break
				}
			}
		}
		k.c, k.loadTime = c, time.Since(start)
	})
	return k.err
}

// LoadTime is how long loading the corpus took (zero before the first use).
func (k *Classifier) LoadTime() time.Duration { return k.loadTime }

var (
	lreComment  = regexp.MustCompile(`(?s)//\*\*.*?\*\*//`)
	lreWildcard = regexp.MustCompile(`__\d+__`)
	lreGroup    = regexp.MustCompile(`\(\(([^()]*?)\)\)(\?\?)?`)
)

// lreText turns a licensecheck "licence regular expression" into plain
// text: comments and wildcards dropped, the first of each alternative kept.
func lreText(lre string) string {
	s := lreComment.ReplaceAllString(lre, "")
	s = lreWildcard.ReplaceAllString(s, "")
	for lreGroup.MatchString(s) {
		s = lreGroup.ReplaceAllStringFunc(s, func(m string) string {
			inner := lreGroup.FindStringSubmatch(m)[1]
			return strings.Split(inner, "||")[0]
		})
	}
	return strings.ReplaceAll(s, "??", "")
}

// TemplateText returns the plain text of one of licensecheck's licence
// templates ("" when it has none): the texts Suivi adds to the corpus.
func TemplateText(id string) string {
	for _, l := range licensecheck.BuiltinLicenses() {
		if l.ID == id {
			return lreText(l.LRE)
		}
	}
	return ""
}

// Text is what one licence text was found to be.
type Text struct {
	// SPDX is an expression, or NOASSERTION (a licence-like text we cannot
	// name with confidence), or NONE (no licence text).
	SPDX       string  `json:"spdx"`
	Confidence float64 `json:"confidence"`
	// Nearest names the closest licence when SPDX is NOASSERTION.
	Nearest string `json:"nearest,omitempty"`
	// Pointer is a file the text refers to instead ("see COPYING").
	Pointer string `json:"pointer,omitempty"`
	How     string `json:"how,omitempty"`
}

// Decode reads a licence file: Latin-1 when it is not UTF-8 (official CeCILL
// texts are), and without carriage returns.
func Decode(b []byte) string {
	s := string(b)
	if !utf8.ValidString(s) {
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		s = string(r)
	}
	s = strings.TrimPrefix(s, "\ufeff")
	return strings.ReplaceAll(s, "\r", "")
}

var (
	spdxLine    = regexp.MustCompile(`(?im)^\W*SPDX-License-Identifier:\s*([^\n*]+?)\s*(?:\*/|-->)?\s*$`)
	pointerRE   = regexp.MustCompile(`(?i)\b(?:see|voir|cf\.?)\s+(?:the\s+|le\s+fichier\s+|the\s+file\s+)?([A-Za-z0-9._/-]*(?:COPYING|LICEN[CS]E)[A-Za-z0-9._-]*)`)
	orLaterRE   = regexp.MustCompile(`(?is)version\s+(\d(?:\.\d)?)\s+of\s+the\s+license,?\s*(?:or|and/or)\s*\(?\s*at\s+your\s+option\s*\)?,?\s*any\s+later\s+version`)
	dualRE      = regexp.MustCompile(`(?i)dual(?:ed)?[- ]licen[cs]ed|licen[cs]ed under (?:either|your choice of)|(?:user's|your|their)\s+choice\s+of\s+(?:the\s+)?\S+\s+(?:licen|source|server|gnu|mit|apache)|at your (?:option|choice)|terms of either licen[cs]e|under either (?:the )?|au choix|sous l'une ou l'autre`)
	rightsRE    = regexp.MustCompile(`(?i)all rights reserved|tous droits réservés`)
	licencishRE = regexp.MustCompile(`(?i)\b(licen[cs]e|permission|copyright|warranty|garantie|droits?)\b`)
)

// signature recognises a licence by its title and distinctive words, for
// the official texts no corpus carries here (French CeCILL, Etalab, EUPL in
// several languages).
type signature struct {
	id    string
	all   []*regexp.Regexp
	none  []*regexp.Regexp
	label string
}

func re(s string) *regexp.Regexp { return regexp.MustCompile(`(?is)` + s) }

var signatures = []signature{
	{"CECILL-B", []*regexp.Regexp{re(`contrat de licence de logiciel libre\s+cecill-b`), re(`cea|cnrs|inria`)}, nil, "CeCILL-B (French text)"},
	{"CECILL-C", []*regexp.Regexp{re(`contrat de licence de logiciel libre\s+cecill-c`), re(`cea|cnrs|inria`)}, nil, "CeCILL-C (French text)"},
	{"CECILL-2.1", []*regexp.Regexp{re(`contrat de licence de logiciel libre\s+cecill\b`), re(`version\s+2\.1`)}, []*regexp.Regexp{re(`cecill-[bc]`)}, "CeCILL 2.1 (French text)"},
	{"etalab-2.0", []*regexp.Regexp{re(`licence\s+ouverte`), re(`version\s+2\.0|v2\.0|2\.0`), re(`r[ée]utilisat`)}, nil, "Licence Ouverte 2.0 (Etalab, French text)"},
	{"etalab-2.0", []*regexp.Regexp{re(`open\s+licence`), re(`version\s+2\.0|2\.0`), re(`etalab|re-?use`)}, nil, "Open Licence 2.0 (Etalab, English text)"},
	{"EUPL-1.2", []*regexp.Regexp{re(`licence\s+publique\s+de\s+l.union\s+europ[ée]enne`), re(`v\.?\s*1\.2`)}, nil, "EUPL 1.2 (French text)"},
	{"EUPL-1.2", []*regexp.Regexp{re(`open-source-lizenz\s+f[üu]r\s+die\s+europ[äa]ische\s+union|europ[äa]ische\s+union\s+public\s+licence`), re(`v\.?\s*1\.2`)}, nil, "EUPL 1.2 (German text)"},
	{"EUPL-1.2", []*regexp.Regexp{re(`licencia\s+p[úu]blica\s+de\s+la\s+uni[óo]n\s+europea`), re(`v\.?\s*1\.2`)}, nil, "EUPL 1.2 (Spanish text)"},
	{"EUPL-1.2", []*regexp.Regexp{re(`licenza\s+pubblica\s+dell.unione\s+europea`), re(`v\.?\s*1\.2`)}, nil, "EUPL 1.2 (Italian text)"},
}

// signatureConfidence is what a signature match is worth: the title, the
// version and a distinctive clause of an official text together are strong
// evidence, but weaker than a word-by-word comparison.
const signatureConfidence = 0.9

// idAliases maps licenseclassifier's names to SPDX ids and expressions.
var idAliases = map[string]string{
	"Commons-Clause":                   "LicenseRef-Commons-Clause",
	"BSD-0-Clause":                     "0BSD",
	"GPL-2.0-with-classpath-exception": "GPL-2.0-only WITH Classpath-exception-2.0",
	"GPL-2.0-with-GCC-exception":       "GPL-2.0-only WITH GCC-exception-2.0",
	"GPL-2.0-with-autoconf-exception":  "GPL-2.0-only WITH Autoconf-exception-2.0",
	"GPL-2.0-with-bison-exception":     "GPL-2.0-only WITH Bison-exception-2.2",
	"GPL-2.0-with-font-exception":      "GPL-2.0-only WITH Font-exception-2.0",
	"GPL-3.0-with-GCC-exception":       "GPL-3.0-only WITH GCC-exception-3.1",
	"GPL-3.0-with-autoconf-exception":  "GPL-3.0-only WITH Autoconf-exception-3.0",
	"GPL-3.0-with-bison-exception":     "GPL-3.0-only WITH Bison-exception-2.2",
	"Apache-with-LLVM-Exception":       "Apache-2.0 WITH LLVM-exception",
	"Apache-2.0-Modified":              "LicenseRef-Apache-2.0-Modified",
	"Business-Source-License-1.1":      "BUSL-1.1",
}

// gplFamily are the ids whose texts do not say "only" or "or later": the
// notice around them does.
var gplFamily = map[string]bool{"GPL-2.0": true, "GPL-3.0": true, "LGPL-2.1": true, "LGPL-3.0": true, "AGPL-3.0": true, "LGPL-2.0": true, "GPL-1.0": true}

// Classify reads one licence text.
func (k *Classifier) Classify(raw []byte) (Text, error) {
	text := Decode(raw)
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return Text{SPDX: "NONE", How: "the file is empty"}, nil
	}
	// An SPDX-License-Identifier line among a licence file's first lines is
	// the holder's own statement, whatever follows it: REUSE-style files put
	// it above the full text, which may be reflowed or annotated so that no
	// word-by-word comparison recognises it. Deeper in a file such a line
	// may be a quotation (a source file header shown as an example), so
	// only the head counts.
	if m := spdxLine.FindStringSubmatch(strings.Join(firstLines(trimmed, spdxHeadLines), "\n")); m != nil {
		if e, err := ParseExpr(m[1]); err == nil {
			return Text{SPDX: e.String(), Confidence: 1, How: "SPDX-License-Identifier line"}, nil
		}
	}
	// A short file that points elsewhere.
	if short := len(trimmed) < 400; short {
		if m := pointerRE.FindStringSubmatch(trimmed); m != nil {
			target := strings.TrimRight(m[1], ".,;:")
			return Text{SPDX: "NOASSERTION", Pointer: target, How: "points to " + target}, nil
		}
	}
	if err := k.load(); err != nil {
		return Text{}, err
	}
	best := map[string]float64{}
	lines := strings.Split(text, "\n")
	// Which lines (1-based, as the classifier counts) a licence's text
	// covers (body), or its standard notice (covered, body included), or a
	// text the corpus knows to accompany it, such as the FSF's appendix
	// (supplement).
	covered := make([]bool, len(lines)+1)
	body := make([]bool, len(lines)+1)
	supplement := make([]bool, len(lines)+1)
	mark := func(set []bool, m *classifier.Match) {
		for l := max(m.StartLine, 1); l <= m.EndLine && l <= len(lines); l++ {
			set[l] = true
		}
	}
	var known []string // the corpus texts matched, to tell the licence's words from added ones
	names := map[string]bool{}
	bodyStart := 0
	matches := k.c.Match([]byte(text)).Matches
	for _, m := range matches {
		if m.MatchType != "License" && m.MatchType != "Header" {
			continue
		}
		id := m.Name
		if a, ok := idAliases[id]; ok {
			id = a
		}
		if m.Confidence > best[id] {
			best[id] = m.Confidence
		}
		if m.Confidence >= Threshold {
			mark(covered, m)
			if m.MatchType == "License" {
				mark(body, m)
				if bodyStart == 0 || m.StartLine < bodyStart {
					bodyStart = max(m.StartLine, 1)
				}
			}
			names[m.Name] = true
			known = append(known, k.knownWords(m.MatchType+"/"+m.Name+"/"+m.Variant, m.Name))
		}
	}
	for _, m := range matches {
		// A supplement counts only beside the licence it accompanies: alone,
		// the FSF's appendix grants nothing.
		if m.MatchType == "Supplement" && m.Confidence >= Threshold && names[m.Name] {
			mark(supplement, m)
		}
		// Every text the corpus keeps for a licence that matched is that
		// licence's own (its other variants, its preamble, appendix or
		// closing notice kept as a supplement, its header), even where the
		// classifier did not line it up: a part shipped reworded or cut
		// still holds the licence's sentences, and those add no terms.
		if names[m.Name] && m.MatchType != "" {
			known = append(known, k.knownWords(m.MatchType+"/"+m.Name+"/"+m.Variant, m.Name))
		}
	}
	for name := range names {
		id := name
		if a, ok := idAliases[id]; ok {
			id = a
		}
		if t := TemplateText(id); t != "" {
			known = append(known, k.knownWords("licensecheck/"+id, id))
		}
	}
	// What the licences and their appendix do not cover: the project's
	// notice or preface, or terms added to the licence. The notice read for
	// "or any later version" keeps the standard notices the classifier
	// matched (the FSF's own "This program is free software…" is how most
	// projects say it), but not the example notice of the appendix.
	appendix := appendixStart(lines, bodyStart)
	var outside, notice []string
	for i, l := range lines {
		n := i + 1
		if n >= appendix || body[n] || supplement[n] {
			continue
		}
		notice = append(notice, l)
		if !covered[n] {
			outside = append(outside, l)
		}
	}
	rest := strings.Join(outside, "\n")
	var ids []string
	conf := 1.0
	for id, c := range best {
		if c >= Threshold {
			ids = append(ids, id)
			conf = min(conf, c)
		}
	}
	how := "compared word by word with the licence's text"
	// Source-available licences the corpus lacks, or cannot match once
	// their parameters are filled in. Their restrictions are their own
	// terms, not terms added to them, so the added-terms check below does
	// not apply: none of them is open, and naming them is the answer.
	sourceAvail := sourceAvailableIDs(text)
	for _, id := range sourceAvail {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
			conf = min(conf, signatureConfidence)
			how = "recognised by its title and distinctive clauses"
		}
	}
	sort.Strings(ids)
	if len(ids) == 0 {
		// A statement naming several licences for different parts quotes
		// titles ("Open Licence V2.0") that the signatures below would take
		// for the whole text of one of them.
		if expr, ok := k.proseStatement(text); ok && strings.ContainsAny(expr, " ") {
			return Text{SPDX: expr, Confidence: proseConfidence, How: "stated in its words"}, nil
		}
		for _, s := range signatures {
			if s.matches(text) {
				return Text{SPDX: s.id, Confidence: signatureConfidence, How: "recognised as " + s.label + " by its title, version and clauses"}, nil
			}
		}
		// A licence file that states the licence in prose ("dual-licensed
		// under the Unlicense and MIT", "le code source est publié sous
		// licence CeCILL 2.1, la documentation sous Licence Ouverte").
		if expr, ok := k.proseStatement(text); ok {
			return Text{SPDX: expr, Confidence: proseConfidence, How: "stated in its words"}, nil
		}
	}
	if len(ids) == 0 {
		t := Text{SPDX: "NOASSERTION"}
		if id, sim := k.nearest(text); sim >= 0.2 {
			t.Nearest, t.Confidence = id, round2(sim)
			t.How = fmt.Sprintf("is closest to %s, but only %.0f%% alike", id, 100*sim)
		} else if rightsRE.MatchString(text) {
			return Text{SPDX: "LicenseRef-All-Rights-Reserved", Confidence: 0.9, How: "says all rights are reserved"}, nil
		} else if !licencishRE.MatchString(text) {
			return Text{SPDX: "NONE", How: "no licence text in it"}, nil
		} else {
			t.How = "looks like a licence but matches none we know"
		}
		return t, nil
	}
	extra := ""
	if len(sourceAvail) == 0 {
		extra = addedTerms(lines, covered, known)
	}
	if extra != "" && commonsClauseRE.MatchString(text) && !slices.Contains(ids, "LicenseRef-Commons-Clause") {
		// A Commons Clause rider in the project's own words: the licence
		// it rides on, and the rider, which forbids selling the software.
		ids, extra = append(ids, "LicenseRef-Commons-Clause"), ""
		conf = min(conf, signatureConfidence)
	}
	if extra != "" {
		// "MIT, but only for non-commercial use": the licence is not the
		// whole story, and the added terms are not a licence we know.
		return Text{SPDX: "NOASSERTION", Confidence: round2(conf), Nearest: ids[0],
			How: fmt.Sprintf("holds %s plus terms of its own (%q)", strings.Join(ids, ", "), extra)}, nil
	}
	for i, id := range ids {
		if gplFamily[id] {
			ids[i] = gplVariant(id, strings.Join(notice, "\n"))
		}
		if strings.Contains(ids[i], " ") {
			ids[i] = "(" + ids[i] + ")"
		}
	}
	op := " AND "
	// Dual-licence wording counts only outside the licence texts: the GPL's
	// own "at your option" is not a choice between licences.
	if len(ids) > 1 && dualRE.MatchString(rest) && !slices.Contains(ids, "LicenseRef-Commons-Clause") {
		op = " OR "
	}
	expr := strings.Join(ids, op)
	if e, err := ParseExpr(expr); err == nil {
		expr = e.String()
	}
	return Text{SPDX: expr, Confidence: round2(conf), How: how}, nil
}

var (
	copyrightLine = regexp.MustCompile(`(?i)^\W*(copyright|\(c\)|©|all rights reserved\W*$|spdx-|#+\s|=+$|-+$)`)
	// restrictRE finds what narrows a licence's grant: a use forbidden, or
	// a condition added to it, such as a payment ("a license fee needs to be
	// paid", "royalties are due") or an agreement to sign first.
	restrictRE = regexp.MustCompile(`(?i)\b(non-?commercial|not for commercial|commercial use|may only|must not|shall not|prohibited|forbidden|proprietary|propriétaire|all rights reserved|tous droits réservés|interdit|restricted|only be used|nuclear|military|no permission|may not|not granted|` +
		`with restrictions|licen[cs]e fees?|(?:must|shall|needs? to|has to|have to|will have to|is to|are to) be paid|(?:must|shall|agrees? to) pay|royalt(?:y|ies) (?:is|are|shall be|must be) (?:due|payable|paid)|` +
		`(?:agreement|contract) (?:needs|has|must|shall) (?:to )?be (?:done|signed|made|concluded|entered))\b`)
)

func (s signature) matches(text string) bool {
	// A licence file, not a mention: long enough, and the title (the first
	// pattern) within its first lines.
	if len(text) < 1200 {
		return false
	}
	head := strings.Join(firstLines(text, 15), "\n")
	if !s.all[0].MatchString(head) {
		return false
	}
	if restrictRE.MatchString(head) {
		return false
	}
	for _, r := range s.all {
		if !r.MatchString(text) {
			return false
		}
	}
	for _, r := range s.none {
		if r.MatchString(text) {
			return false
		}
	}
	return true
}

// gplVariant reads the notice around a GPL-family text: "or (at your
// option) any later version" makes it -or-later; otherwise -only, which is
// what the bare text grants.
func gplVariant(id, text string) string {
	if orLaterRE.MatchString(text) {
		return id + "-or-later"
	}
	return id + "-only"
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+`)

func wordSet(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range wordRE.FindAllString(strings.ToLower(s), -1) {
		if len(w) > 2 {
			set[w] = true
		}
	}
	return set
}

// nearest is the known licence whose words are most like the text's
// (Jaccard similarity of the distinct words), for a helpful "closest to".
func (k *Classifier) nearest(text string) (string, float64) {
	in := wordSet(text)
	best, bestSim := "", 0.0
	ids := make([]string, 0, len(k.words))
	for id := range k.words {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		w := k.words[id]
		inter := 0
		for x := range in {
			if w[x] {
				inter++
			}
		}
		union := len(in) + len(w) - inter
		if union == 0 {
			continue
		}
		if sim := float64(inter) / float64(union); sim > bestSim {
			best, bestSim = id, sim
		}
	}
	return best, bestSim
}

func firstLines(s string, n int) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, l)
		if len(out) == n {
			break
		}
	}
	return out
}
