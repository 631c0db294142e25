package licence

import (
	"fmt"
	"strings"

	"github.com/codecitoyen/suivi/internal/validate"
)

// Expr is a parsed SPDX license expression.
type Expr struct {
	Op      string  // "" for a single licence, "AND" or "OR"
	ID      string  // licence id when Op == "", in canonical case when known ("MIT", "Apache-2.0", "LicenseRef-x"), without the trailing "+"
	OrLater bool    // the id was written with a trailing "+", as in "GPL-2.0+"
	With    string  // exception after WITH, e.g. "Classpath-exception-2.0"
	Args    []*Expr // operands when Op != ""
}

// exprMaxDepth bounds parenthesis nesting: expressions come from package
// metadata anyone can write, and real ones never nest more than a few levels.
const exprMaxDepth = 64

// ParseExpr parses an SPDX license expression, with errors that give the position a holder must fix.
func ParseExpr(s string) (*Expr, error) {
	// Operators are case-insensitive and AND binds tighter than OR.
	// Positions are 1-based characters, as people count them.
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("empty licence expression")
	}
	toks, err := exprLex(s)
	if err != nil {
		return nil, err
	}
	p := &exprParser{src: s, toks: toks}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != exprTokEnd {
		if t.kind == exprTokClose {
			return nil, p.errorf("unexpected ')' at %d", t.pos)
		}
		return nil, p.errorf("unexpected %s at %d: expected AND or OR", t.describe(), t.pos)
	}
	return e, nil
}

// String returns the canonical form, so that equal expressions compare and store equal.
func (e *Expr) String() string {
	// Operators in upper case, parentheses only where precedence needs
	// them, known ids in SPDX's case; parsing it again gives the same form.
	var b strings.Builder
	e.write(&b, "")
	return b.String()
}

// IDs returns every licence id once, in order, without "+" or exception, to look each up in the policy.
func (e *Expr) IDs() []string {
	var ids []string
	seen := map[string]bool{}
	e.leaves(func(x *Expr) {
		id := exprCanonical(x.ID)
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	})
	return ids
}

// leaves calls fn on each licence of the expression, left to right, below
// every AND and OR.
func (e *Expr) leaves(fn func(*Expr)) {
	if e == nil {
		return
	}
	if op := strings.ToUpper(e.Op); op == "AND" || op == "OR" {
		for _, a := range e.Args {
			a.leaves(fn)
		}
		return
	}
	fn(e)
}

func (e *Expr) write(b *strings.Builder, parent string) {
	if e == nil {
		return
	}
	op := strings.ToUpper(e.Op)
	if op != "AND" && op != "OR" {
		b.WriteString(exprCanonical(e.ID))
		if e.OrLater {
			b.WriteByte('+')
		}
		if e.With != "" {
			b.WriteString(" WITH ")
			b.WriteString(exprCanonical(e.With))
		}
		return
	}
	var args []*Expr
	for _, a := range e.Args {
		if a != nil {
			args = append(args, a)
		}
	}
	if len(args) == 1 {
		args[0].write(b, parent)
		return
	}
	// Only an OR inside an AND needs parentheses: AND binds tighter, and
	// both operators are associative.
	paren := parent == "AND" && op == "OR"
	if paren {
		b.WriteByte('(')
	}
	for i, a := range args {
		if i > 0 {
			b.WriteString(" " + op + " ")
		}
		a.write(b, op)
	}
	if paren {
		b.WriteByte(')')
	}
}

type exprTokKind int

const (
	exprTokWord exprTokKind = iota
	exprTokOpen
	exprTokClose
	exprTokEnd
)

type exprToken struct {
	kind exprTokKind
	text string
	pos  int // 1-based character position, as people count
}

// describe names a token the way an error message should show it.
func (t exprToken) describe() string {
	switch t.kind {
	case exprTokOpen:
		return "'('"
	case exprTokClose:
		return "')'"
	case exprTokEnd:
		return "end of expression"
	}
	if op := exprOperator(t.text); op != "" {
		return op
	}
	return validate.Quote(t.text)
}

// exprOperator returns the upper-case operator a word spells, or "".
func exprOperator(w string) string {
	for _, op := range []string{"AND", "OR", "WITH"} {
		if strings.EqualFold(w, op) {
			return op
		}
	}
	return ""
}

func exprWordRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		r == '.' || r == '-' || r == '+' || r == ':'
}

func exprLex(s string) ([]exprToken, error) {
	var toks []exprToken
	col, start, startCol := 0, -1, 0
	flush := func(end int) {
		if start >= 0 {
			toks = append(toks, exprToken{kind: exprTokWord, text: s[start:end], pos: startCol})
			start = -1
		}
	}
	for i, r := range s {
		col++
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			flush(i)
		case r == '(' || r == ')':
			flush(i)
			kind := exprTokOpen
			if r == ')' {
				kind = exprTokClose
			}
			toks = append(toks, exprToken{kind: kind, text: string(r), pos: col})
		case exprWordRune(r):
			if start < 0 {
				start, startCol = i, col
			}
		default:
			return nil, fmt.Errorf("licence expression %s: unexpected character %q at %d", validate.Quote(s), r, col)
		}
	}
	flush(len(s))
	return append(toks, exprToken{kind: exprTokEnd, pos: col + 1}), nil
}

type exprParser struct {
	src   string
	toks  []exprToken
	i     int
	depth int
}

func (p *exprParser) peek() exprToken { return p.toks[p.i] }

func (p *exprParser) next() exprToken {
	t := p.toks[p.i]
	if t.kind != exprTokEnd {
		p.i++
	}
	return t
}

func (p *exprParser) errorf(format string, args ...any) error {
	return fmt.Errorf("licence expression %s: %s", validate.Quote(p.src), fmt.Sprintf(format, args...))
}

// atOp tells whether the next token is the operator op.
func (p *exprParser) atOp(op string) bool {
	t := p.peek()
	return t.kind == exprTokWord && exprOperator(t.text) == op
}

func (p *exprParser) parseOr() (*Expr, error) {
	return p.parseList("OR", p.parseAnd)
}

func (p *exprParser) parseAnd() (*Expr, error) {
	return p.parseList("AND", p.parseTerm)
}

// parseList parses operands joined by op, flattening nested lists of the
// same operator so that equal expressions get equal trees.
func (p *exprParser) parseList(op string, operand func() (*Expr, error)) (*Expr, error) {
	var args []*Expr
	for {
		e, err := operand()
		if err != nil {
			return nil, err
		}
		if e.Op == op {
			args = append(args, e.Args...)
		} else {
			args = append(args, e)
		}
		if !p.atOp(op) {
			break
		}
		p.next()
	}
	if len(args) == 1 {
		return args[0], nil
	}
	return &Expr{Op: op, Args: args}, nil
}

func (p *exprParser) parseTerm() (*Expr, error) {
	t := p.next()
	switch t.kind {
	case exprTokOpen:
		if p.depth++; p.depth > exprMaxDepth {
			return nil, p.errorf("parentheses nested more than %d deep at %d", exprMaxDepth, t.pos)
		}
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		p.depth--
		switch c := p.next(); c.kind {
		case exprTokClose:
		case exprTokEnd:
			return nil, p.errorf("missing ')' for the '(' at %d", t.pos)
		default:
			return nil, p.errorf("unexpected %s at %d: expected AND, OR or ')'", c.describe(), c.pos)
		}
		if p.atOp("WITH") {
			return nil, p.errorf("unexpected WITH at %d: an exception applies to a single licence id, not to a parenthesised expression", p.peek().pos)
		}
		return e, nil
	case exprTokWord:
		if exprOperator(t.text) != "" {
			return nil, p.errorf("unexpected %s at %d: expected a licence id or '('", t.describe(), t.pos)
		}
		e, err := p.leaf(t)
		if err != nil {
			return nil, err
		}
		if p.atOp("WITH") {
			w := p.next()
			x := p.next()
			if x.kind != exprTokWord || exprOperator(x.text) != "" {
				return nil, p.errorf("unexpected %s at %d: expected an exception id after the WITH at %d", x.describe(), x.pos, w.pos)
			}
			if !exprValidRef(x.text, "AdditionRef-") {
				return nil, p.errorf("invalid exception id %s at %d", validate.Quote(x.text), x.pos)
			}
			e.With = exprCanonical(x.text)
		}
		return e, nil
	case exprTokClose:
		return nil, p.errorf("unexpected ')' at %d", t.pos)
	default:
		return nil, p.errorf("unexpected end of expression at %d: expected a licence id or '('", t.pos)
	}
}

// leaf checks a licence id: an idstring optionally followed by "+", or a
// LicenseRef (possibly in another document), which takes no "+".
func (p *exprParser) leaf(t exprToken) (*Expr, error) {
	id, orLater := t.text, false
	if base, ok := strings.CutSuffix(id, "+"); ok {
		id, orLater = base, true
		if !exprIDString(id) || exprHasPrefixFold(id, "LicenseRef-") || exprHasPrefixFold(id, "DocumentRef-") || exprOperator(id) != "" {
			return nil, p.errorf("invalid licence id %s at %d: only a plain licence id can end with '+'", validate.Quote(t.text), t.pos)
		}
	} else if !exprValidRef(id, "LicenseRef-") {
		return nil, p.errorf("invalid licence id %s at %d", validate.Quote(t.text), t.pos)
	}
	return &Expr{ID: exprCanonical(id), OrLater: orLater}, nil
}

// exprIDString reports whether s is a non-empty run of [A-Za-z0-9.-].
func exprIDString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// exprValidRef accepts an idstring, "<ref>…", or "DocumentRef-…:<ref>…"
// where ref is "LicenseRef-" for licences and "AdditionRef-" for exceptions.
func exprValidRef(s, ref string) bool {
	if doc, local, ok := strings.Cut(s, ":"); ok {
		return exprHasPrefixFold(doc, "DocumentRef-") && len(doc) > len("DocumentRef-") && exprIDString(doc) &&
			exprHasPrefixFold(local, ref) && len(local) > len(ref) && exprIDString(local)
	}
	if !exprIDString(s) {
		return false
	}
	if exprHasPrefixFold(s, "DocumentRef-") {
		return false
	}
	if exprHasPrefixFold(s, ref) {
		return len(s) > len(ref)
	}
	return true
}

func exprHasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// exprKnown maps lower-case ids to their canonical spelling: the policy's
// ids, plus the deprecated ids and exceptions people still write, so that
// "gpl-2.0+ with classpath-exception-2.0" prints the way SPDX spells it.
var exprKnown = func() map[string]string {
	m := map[string]string{}
	for _, r := range policyRules {
		m[strings.ToLower(r.ID)] = r.ID
	}
	for _, id := range []string{
		"GPL-1.0", "GPL-2.0", "GPL-3.0", "LGPL-2.0", "LGPL-2.1", "LGPL-3.0", "AGPL-1.0", "AGPL-3.0",
		"Classpath-exception-2.0", "LLVM-exception", "GCC-exception-2.0", "GCC-exception-3.1",
		"Autoconf-exception-3.0", "Bison-exception-2.2", "Font-exception-2.0", "Linux-syscall-note",
		"OCaml-LGPL-linking-exception", "Qt-LGPL-exception-1.1", "Universal-FOSS-exception-1.0",
		"WxWindows-exception-3.1", "eCos-exception-2.0", "openvpn-openssl-exception",
		"LGPL-3.0-linking-exception", "GPL-3.0-linking-exception", "u-boot-exception-2.0",
	} {
		m[strings.ToLower(id)] = id
	}
	return m
}()

// exprCanonical spells a known id the SPDX way and fixes the case of the
// LicenseRef-/DocumentRef-/AdditionRef- prefixes; anything else is kept
// as written, since SPDX matches ids case-insensitively anyway.
func exprCanonical(id string) string {
	if c, ok := exprKnown[strings.ToLower(id)]; ok {
		return c
	}
	if doc, local, ok := strings.Cut(id, ":"); ok {
		return exprCanonical(doc) + ":" + exprCanonical(local)
	}
	for _, prefix := range []string{"LicenseRef-", "DocumentRef-", "AdditionRef-"} {
		if exprHasPrefixFold(id, prefix) {
			return prefix + id[len(prefix):]
		}
	}
	return id
}

// NormaliseID maps names people write in metadata and READMEs ("Apache 2.0", "GPLv3", "CeCILL") to SPDX ids.
func NormaliseID(s string) string {
	// Anything unrecognised comes back trimmed but unchanged, so that
	// ParseExpr can still judge it.
	t := strings.TrimSpace(s)
	if id, ok := normaliseAliases[normaliseKey(t)]; ok {
		return id
	}
	return t
}

// normaliseKey reduces a licence name to what distinguishes it: lower
// case, without filler words, separators, a "v" before the version or a
// ".0" at the end of a version number. "Apache License, Version 2.0",
// "Apache 2" and "apache-2.0" all become "apache2".
func normaliseKey(s string) string {
	fields := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == ',' || r == '_' || r == '/' || r == '(' || r == ')'
	})
	var b strings.Builder
	prev := ""
	for _, f := range fields {
		switch f {
		case "license", "licence", "the", "version", "gnu", "international":
			continue
		}
		if f == prev { // "The MIT License (MIT)"
			continue
		}
		prev = f
		b.WriteString(strings.ReplaceAll(f, "-", ""))
	}
	k := b.String()
	var out strings.Builder
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c == 'v' && i > 0 && i+1 < len(k) && isASCIIDigit(k[i+1]) && isASCIILetter(k[i-1]) {
			continue // "gplv3" -> "gpl3"
		}
		if c == '.' && i > 0 && isASCIIDigit(k[i-1]) && i+1 < len(k) && k[i+1] == '0' && (i+2 == len(k) || !isASCIIDigit(k[i+2])) {
			i++ // "2.0" -> "2"
			continue
		}
		out.WriteByte(c)
	}
	return out.String()
}

func isASCIIDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' }

// normaliseAliases maps normaliseKey of every spelling we recognise to its
// SPDX id. The policy's own ids are included, so "mit" or "CC BY-SA 4.0"
// come back in SPDX spelling.
var normaliseAliases = func() map[string]string {
	m := map[string]string{}
	add := func(id string, names ...string) {
		for _, n := range append([]string{id}, names...) {
			k := normaliseKey(n)
			if old, ok := m[k]; ok && old != id {
				panic(fmt.Sprintf("licence: alias %q means both %s and %s", n, old, id))
			}
			m[k] = id
		}
	}
	for _, r := range policyRules {
		if !strings.HasSuffix(r.ID, "-only") && !strings.HasSuffix(r.ID, "-or-later") {
			add(r.ID)
		}
	}
	// The GNU family: a bare version is the deprecated id, which meant "only".
	for _, f := range []struct{ short, long, version string }{
		{"GPL", "General Public", "2.0"},
		{"GPL", "General Public", "3.0"},
		{"LGPL", "Lesser General Public", "2.1"},
		{"LGPL", "Lesser General Public", "3.0"},
		{"AGPL", "Affero General Public", "3.0"},
	} {
		only, later := f.short+"-"+f.version+"-only", f.short+"-"+f.version+"-or-later"
		for _, name := range []string{f.short, f.long} {
			v := name + " " + f.version
			add(only, v, v+" only")
			add(later, v+"+", v+" or later", v+" or-later")
		}
	}
	add("MIT", "MIT License", "Expat")
	add("Apache-2.0", "Apache 2.0", "Apache License 2.0", "Apache-2", "Apache Software License 2.0")
	add("BSD-3-Clause", "BSD", "BSD-3", "New BSD", "Modified BSD", "Revised BSD")
	add("BSD-2-Clause", "BSD-2", "Simplified BSD", "FreeBSD")
	add("CECILL-2.1", "CeCILL", "CeCILL v2.1")
	add("CECILL-B", "CeCILL-B", "CeCILL-B 1.0")
	add("CECILL-C", "CeCILL-C", "CeCILL-C 1.0")
	add("etalab-2.0", "Licence Ouverte", "Licence Ouverte 2.0", "Open Licence 2.0", "Open License 2.0",
		"Etalab 2.0", "Etalab", "Licence Ouverte / Open Licence", "Licence Ouverte / Open Licence 2.0")
	add("ODbL-1.0", "ODbL", "Open Database License", "Open Database License 1.0")
	add("EUPL-1.2", "EUPL", "European Union Public Licence 1.2")
	add("MPL-2.0", "MPL 2.0", "Mozilla Public License 2.0")
	add("EPL-2.0", "Eclipse Public License 2.0")
	add("BSL-1.0", "Boost", "Boost Software License", "Boost Software License 1.0")
	add("CC0-1.0", "CC0")
	for _, v := range []string{"2.0", "2.5", "3.0", "4.0"} {
		add("CC-BY-"+v, "Creative Commons Attribution "+v)
		add("CC-BY-SA-"+v, "Creative Commons Attribution-ShareAlike "+v, "Creative Commons Attribution Share Alike "+v)
	}
	add("LicenseRef-Commons-Clause", "Commons Clause")
	// npm's "UNLICENSED" means proprietary, not the Unlicense.
	add("LicenseRef-All-Rights-Reserved", "UNLICENSED", "Proprietary", "All Rights Reserved")
	return m
}()

// FromGitHub turns the licence GitHub names for a repository (its
// spdx_id) into what Suivi stores and shows: "" when GitHub identified none
// ("NOASSERTION", which it also reports as key "other"), and the current
// SPDX id for a deprecated one (GitHub still answers "LGPL-3.0", "GPL-2.0").
func FromGitHub(spdxID string) string {
	id := strings.TrimSpace(spdxID)
	if id == "" || strings.EqualFold(id, "NOASSERTION") || strings.EqualFold(id, "other") {
		return ""
	}
	return exprCanonical(NormaliseID(id))
}
