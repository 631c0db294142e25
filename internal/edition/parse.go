package edition

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/codecitoyen/suivi/internal/validate"
)

// LineError is one problem in an edition file, with the line to look at.
type LineError struct {
	Line int // 0 when the YAML parser gave no line
	Msg  string
}

// Error formats the problem as "line N: msg", the form editors jump to.
func (e LineError) Error() string {
	if e.Line <= 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// ErrorList is every problem found in an edition file, sorted by line, so a
// coordinator fixes them all in one pass instead of one per run.
type ErrorList []LineError

// Error joins the problems with newlines, one per line of output.
func (l ErrorList) Error() string {
	return strings.Join(l.Strings(), "\n")
}

// Strings returns one message per problem, for a list in JSON or a terminal.
func (l ErrorList) Strings() []string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return msgs
}

// yamlLineRE picks the line out of a yaml.v3 syntax error such as
// "yaml: line 3: mapping values are not allowed in this context".
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlUnknownAnchorRE matches the one yaml.v3 error that repeats the file's
// text, an alias to no anchor, and that has no line.
var yamlUnknownAnchorRE = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

// yamlDepthRE matches yaml.v3's refusal of lists and mappings nested deeper
// than it parses (10,000 levels), in its parser's words and sometimes without
// a line.
var yamlDepthRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?exceeded max depth of (\d+)$`)

func syntaxError(err error, data []byte) ErrorList {
	msg := err.Error()
	if m := yamlUnknownAnchorRE.FindStringSubmatch(msg); m != nil {
		// An alias all the same: refuse it like the others, at its line.
		return ErrorList{{Line: lineOf(data, "*"+m[1]), Msg: anchorMsg}}
	}
	if m := yamlDepthRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1]) // 0, no line, when yaml.v3 gives none
		return ErrorList{{Line: line, Msg: "YAML syntax: lists or mappings nested more than " + m[2] + " levels deep; an edition nests four at most"}}
	}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return ErrorList{{Line: line, Msg: "YAML syntax: " + cut(m[2])}}
	}
	return ErrorList{{Msg: "YAML syntax: " + cut(strings.TrimPrefix(msg, "yaml: "))}}
}

// lineOf returns the line of the first s in data, or 1 if there is none.
func lineOf(data []byte, s string) int {
	i := bytes.Index(data, []byte(s))
	if i < 0 {
		return 1
	}
	return lineAt(data, i)
}

// cut shortens a message from the YAML parser, in case a future version
// repeats the input in it, as it already does for unknown anchors.
func cut(msg string) string {
	const max = 200
	if len(msg) <= max {
		return msg
	}
	return strings.ToValidUTF8(msg[:max], "") + "…"
}

// Parse reads and checks an edition file. Unknown keys are errors, so a typo
// such as "acompaniment_months" cannot silently fall back to a default. On
// any problem it returns a nil Edition and an ErrorList with every problem
// found, sorted by line (at most MaxErrors of them).
//
// The file may come from anyone with a coordinator's access, so before any
// decoding Parse refuses what would make it slow or its result large: files
// over MaxFileSize, binary files, and YAML anchors and aliases, which let a
// few kilobytes expand into gigabytes. Lists and strings are bounded too
// (see limits.go).
func Parse(data []byte) (*Edition, error) {
	if err := checkText(data); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrorList{{Line: 1, Msg: "the file is empty: an edition needs at least id, name, time_zone, call_for_projects, hackathon, accompaniment_months and milestones"}}
		}
		return nil, syntaxError(err, data)
	}
	if err := checkNoAnchors(&doc); err != nil {
		return nil, err
	}
	// A second document would be ignored by the decoder; say so instead.
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, syntaxError(err, data)
		}
		return nil, ErrorList{{Line: extra.Line, Msg: "a second YAML document: an edition file holds exactly one edition"}}
	}

	d := &decoder{lines: map[any]int{}, failed: map[any]bool{}}
	var e Edition
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	d.decode(root, reflect.ValueOf(&e).Elem(), "")
	d.validate(&e)
	if len(d.errs) > 0 {
		return nil, d.sorted()
	}
	return &e, nil
}

// sorted returns the problems in line order, cut to MaxErrors plus one
// last line saying how many were left out.
func (d *decoder) sorted() ErrorList {
	sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].Line < d.errs[j].Line })
	if len(d.errs) <= MaxErrors {
		return d.errs
	}
	more := len(d.errs) - MaxErrors
	return append(d.errs[:MaxErrors:MaxErrors], LineError{Msg: fmt.Sprintf("and %d more problems: fix these first, then check the file again", more)})
}

// decoder walks a yaml.Node tree into Go values guided by their yaml tags,
// collecting every problem rather than stopping at the first, and records the
// line each field came from so validation can point at it.
type decoder struct {
	errs ErrorList
	// lines maps a pointer to a decoded field (such as &e.Cities[2].TimeZone)
	// to the line of its value, or of its parent when the file leaves it out.
	lines map[any]int
	// failed holds fields whose value had the wrong shape: they were already
	// reported, so validation stays quiet about them.
	failed map[any]bool
}

func (d *decoder) errorf(line int, format string, args ...any) {
	d.errs = append(d.errs, LineError{Line: line, Msg: fmt.Sprintf(format, args...)})
}

// at reports a problem with the field ptr points to, at its line.
func (d *decoder) at(ptr any, format string, args ...any) {
	if !d.failed[ptr] {
		d.errorf(d.lines[ptr], format, args...)
	}
}

// fail reports a value of the wrong shape and silences later checks on it
// and on everything inside it.
func (d *decoder) fail(v reflect.Value, line int, format string, args ...any) {
	d.errorf(line, format, args...)
	d.walkFields(v, func(ptr any) { d.failed[ptr] = true })
}

// walkFields calls f with a pointer to v and to each field nested in it.
func (d *decoder) walkFields(v reflect.Value, f func(ptr any)) {
	f(v.Addr().Interface())
	if v.Kind() == reflect.Struct {
		for i := range v.NumField() {
			d.walkFields(v.Field(i), f)
		}
	}
}

// decode fills v, which must be addressable, from n; path names the value in
// messages ("cities.time_zone").
//
// Parse has refused aliases before, so n holds no alias node, and decode
// does not follow them: copying aliased values is how a small file becomes
// a huge edition.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	// Fields the file leaves out point at their parent's line.
	d.walkFields(v, func(ptr any) { d.lines[ptr] = n.Line })
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "key:" with no value: the zero value, for validation to judge
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(v, n.Line, "%s must be a list (lines starting with \"- \"), not %s", name(path), describe(n))
			return
		}
		if len(n.Content) == 0 {
			return // nil, like an absent key, so both hash the same
		}
		if l, ok := listLimits[path]; ok && len(n.Content) > l.max {
			d.fail(v, n.Line, "%s has %d entries; %s at most %d %s: remove some", path, len(n.Content), l.in, l.max, l.of)
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content)))
		for i, c := range n.Content {
			d.decode(c, v.Index(i), path)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(v, n.Line, "%s must be a single value, not %s", name(path), describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		var i int
		if n.Kind != yaml.ScalarNode || n.Decode(&i) != nil {
			d.fail(v, n.Line, "%s must be a whole number, not %s", name(path), describe(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
			d.fail(v, n.Line, "%s must be true or false, not %s", name(path), describe(n))
			return
		}
		v.SetBool(b)
	default:
		panic(fmt.Sprintf("edition: no YAML decoding for %s", v.Type())) // a new field type needs a case here
	}
}

// decodeStruct fills a struct from a mapping, accepting exactly the keys
// named by the struct's yaml tags.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(v, n.Line, "%s must be a mapping of keys to values, not %s", name(path), describe(n))
		return
	}
	t := v.Type()
	fields := map[string]int{}
	keys := make([]string, t.NumField())
	for i := range t.NumField() {
		keys[i], _, _ = strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		fields[keys[i]] = i
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		f, ok := fields[k.Value]
		if !ok {
			d.errorf(k.Line, "unknown field %s in %s: the fields here are %s", validate.Quote(k.Value), name(path), strings.Join(keys, ", "))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k.Line, "field %s appears twice in %s (first at line %d)", validate.Quote(k.Value), name(path), first)
			continue
		}
		seen[k.Value] = k.Line
		d.decode(val, v.Field(f), strings.TrimPrefix(path+"."+k.Value, "."))
	}
}

// name turns a path into words for a message.
func name(path string) string {
	if path == "" {
		return "the edition"
	}
	return path
}

// describe says what a node holds, for "must be X, not Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	default:
		return validate.Quote(n.Value)
	}
}

// listLimits bounds the lists of an edition, by path, so that neither
// decoding nor any program's snapshot grows with a hostile file.
var listLimits = map[string]struct {
	max    int
	in, of string
}{
	"themes":              {MaxThemes, "an edition has", "themes"},
	"cities":              {MaxCities, "an edition has", "cities"},
	"cities.coordinators": {MaxCoordinators, "a city has", "coordinators"},
	"milestones":          {MaxMilestones, "an edition has", "milestones"},
}
