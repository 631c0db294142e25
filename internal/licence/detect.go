package licence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Source is a repository to look into: a checkout, or GitHub's API.
type Source interface {
	// GitHubSPDX is GitHub's own detection ("" for a checkout).
	GitHubSPDX() string
	// List names the entries of a directory ("" is the root); directories
	// end with "/".
	List(ctx context.Context, dir string) ([]string, error)
	// Read returns a file's content.
	Read(ctx context.Context, path string) ([]byte, error)
}

// FileResult is what one file says.
type FileResult struct {
	Path       string  `json:"path"`
	SPDX       string  `json:"spdx"`
	Confidence float64 `json:"confidence"`
}

// Report is the verdict on a repository (or a single file).
type Report struct {
	SPDX       string       `json:"spdx"`
	Open       bool         `json:"open"`
	Category   Category     `json:"category"`
	Confidence float64      `json:"confidence"`
	Files      []FileResult `json:"files"`
	// Reason is one sentence a holder can act on.
	Reason string `json:"reason"`
}

var (
	licenceFileRE = regexp.MustCompile(`(?i)^(licen[cs]e|copying|unlicense)([._-].*)?$`)
	sourceFileRE  = regexp.MustCompile(`(?i)\.(go|js|ts|py|rb|php|java|rs|c|h|cs|kt|swift|sh|json|ya?ml|toml|html|css)$`)
	thirdPartyRE  = regexp.MustCompile(`(?i)third|3rd|notice|vendor|dependenc|authors`)
	readmeRE      = regexp.MustCompile(`(?i)^readme(\.(md|markdown|rst|txt|adoc))?$`)
	skipDirs      = map[string]bool{".git": true, "node_modules": true, "vendor": true, "dist": true, "build": true, "target": true,
		".venv": true, "third_party": true, "third-party": true, "thirdparty": true, "external": true, "examples": true, "docs": true, "doc": true}
)

// maxSPDXFiles bounds how many source files are read for
// SPDX-License-Identifier lines.
const maxSPDXFiles = 300

// Check finds a repository's licence, in this order: GitHub's own detection
// when it names a real licence; licence files at the root and in LICENSES/
// (REUSE); SPDX-License-Identifier lines; the README's licence section;
// package metadata.
func (k *Classifier) Check(ctx context.Context, src Source) (Report, error) {
	root, err := src.List(ctx, "")
	if err != nil {
		return Report{}, err
	}
	if id := src.GitHubSPDX(); id != "" && id != "NOASSERTION" && !strings.EqualFold(id, "other") {
		if e, err := ParseExpr(NormaliseID(id)); err == nil {
			// GitHub reads only the root licence file: what LICENSES/
			// (REUSE) adds still applies.
			expr, files := e.String(), []FileResult{}
			if slices.Contains(root, "LICENSES/") {
				entries, err := src.List(ctx, "LICENSES")
				if err != nil {
					return Report{}, err
				}
				for _, n := range entries {
					if strings.HasSuffix(n, "/") {
						continue
					}
					fr, err := k.file(ctx, src, "LICENSES/"+n, root)
					if err != nil {
						return Report{}, err
					}
					files = append(files, fr)
					if fr.SPDX != expr {
						expr = "(" + expr + ") AND (" + fr.SPDX + ")"
					}
				}
			}
			if pe, err := ParseExpr(expr); err == nil {
				expr = pe.String()
			}
			return verdict(expr, 1, files, "GitHub identifies it"), nil
		}
	}
	// Licence files.
	var files []FileResult
	var licenceFiles []string
	for _, name := range root {
		if licenceFileRE.MatchString(name) && !strings.HasSuffix(name, "/") && !sourceFileRE.MatchString(name) && !thirdPartyRE.MatchString(name) {
			licenceFiles = append(licenceFiles, name)
		}
	}
	if slices.Contains(root, "LICENSES/") {
		entries, err := src.List(ctx, "LICENSES")
		if err != nil {
			return Report{}, err
		}
		for _, e := range entries {
			if !strings.HasSuffix(e, "/") {
				licenceFiles = append(licenceFiles, "LICENSES/"+e)
			}
		}
	}
	for _, p := range licenceFiles {
		fr, err := k.file(ctx, src, p, root)
		if err != nil {
			return Report{}, err
		}
		files = append(files, fr)
	}
	if expr, conf, ok := combine(files, licenceFiles); ok {
		return verdict(expr, conf, files, "found in "+names(files)), nil
	}
	// SPDX-License-Identifier lines.
	if ids, where, err := spdxLines(ctx, src); err != nil {
		return Report{}, err
	} else if len(ids) > 0 {
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = "(" + id + ")"
		}
		expr := strings.Join(parts, " AND ")
		if e, err := ParseExpr(expr); err == nil {
			expr = e.String()
		}
		return verdict(expr, 0.95, files, "declared by SPDX-License-Identifier lines ("+where+")"), nil
	}
	// README section.
	for _, name := range root {
		if !readmeRE.MatchString(name) {
			continue
		}
		b, err := src.Read(ctx, name)
		if err != nil {
			return Report{}, err
		}
		if sec := ReadmeSection(Decode(b)); sec != "" {
			if expr, conf, ok := k.fromProse(sec); ok {
				files = append(files, FileResult{Path: name, SPDX: expr, Confidence: conf})
				return verdict(expr, conf, files, "stated in the licence section of "+name), nil
			}
		}
	}
	// Package metadata.
	for _, name := range []string{"package.json", "composer.json", "Cargo.toml", "pyproject.toml"} {
		if !slices.Contains(root, name) {
			continue
		}
		b, err := src.Read(ctx, name)
		if err != nil {
			return Report{}, err
		}
		if expr := metadataLicence(name, Decode(b)); expr != "" {
			files = append(files, FileResult{Path: name, SPDX: expr, Confidence: 0.9})
			return verdict(expr, 0.9, files, "declared in "+name), nil
		}
	}
	if len(files) > 0 {
		// Licence files we could not name.
		r := verdict("NOASSERTION", files[0].Confidence, files, "")
		r.Reason = fmt.Sprintf("%s looks like a licence but matches none with confidence; use the unmodified text of an open licence", files[0].Path)
		return r, nil
	}
	r := verdict("NONE", 0, nil, "")
	r.Reason = "No licence found: add a LICENSE file at the root of the repository with the text of an open licence (for example MIT, Apache-2.0, EUPL-1.2 or CeCILL-2.1; for data, etalab-2.0 or ODbL-1.0)."
	return r, nil
}

// file classifies one licence file, following a pointer ("see COPYING")
// once.
func (k *Classifier) file(ctx context.Context, src Source, p string, root []string) (FileResult, error) {
	b, err := src.Read(ctx, p)
	if err != nil {
		return FileResult{}, err
	}
	t, err := k.Classify(b)
	if err != nil {
		return FileResult{}, err
	}
	if t.Pointer != "" {
		target := path.Clean(path.Join(path.Dir(p), t.Pointer))
		// Stay inside the repository.
		if target != p && !strings.HasPrefix(target, "../") && target != ".." && !path.IsAbs(t.Pointer) &&
			(slices.Contains(root, target) || strings.Contains(target, "/")) {
			if b, err := src.Read(ctx, target); err == nil {
				if t2, err := k.Classify(b); err == nil && t2.Pointer == "" {
					t = t2
				}
			}
		}
	}
	return FileResult{Path: p, SPDX: t.SPDX, Confidence: t.Confidence}, nil
}

// combine joins what several licence files say. Every file applies (AND),
// except root files each named after the licence it holds (LICENSE-MIT,
// LICENSE-APACHE), which by convention are alternatives (OR). A file we
// cannot name makes the whole unknown.
func combine(files []FileResult, paths []string) (string, float64, bool) {
	var named []FileResult
	for _, f := range files {
		switch f.SPDX {
		case "NONE":
			continue
		case "NOASSERTION":
			return "", 0, false
		}
		named = append(named, f)
	}
	if len(named) == 0 {
		return "", 0, false
	}
	conf := 1.0
	alternatives := len(named) > 1
	for _, f := range named {
		conf = min(conf, f.Confidence)
		if strings.HasPrefix(strings.ToLower(f.Path), "licenses/") || !namesItsLicence(f) {
			alternatives = false
		}
	}
	op := " AND "
	if alternatives {
		op = " OR "
	}
	// The main licence (a plain LICENSE or COPYING) first, then the others.
	slices.SortStableFunc(named, func(a, b FileResult) int {
		return boolInt(namesItsLicence(a) || strings.Contains(a.Path, "/") || strings.ContainsAny(path.Base(a.Path), "-_")) -
			boolInt(namesItsLicence(b) || strings.Contains(b.Path, "/") || strings.ContainsAny(path.Base(b.Path), "-_"))
	})
	var parts []string
	for _, f := range named {
		part := "(" + f.SPDX + ")"
		if !slices.Contains(parts, part) {
			parts = append(parts, part)
		}
	}
	e, err := ParseExpr(strings.Join(parts, op))
	if err != nil {
		return "", 0, false
	}
	return e.String(), conf, true
}

// namesItsLicence reports whether a file's name says which licence it holds
// (LICENSE-MIT holding MIT, LICENSE.APACHE holding Apache-2.0).
func namesItsLicence(f FileResult) bool {
	name := strings.ToLower(path.Base(f.Path))
	suffix := strings.Trim(licenceFileRE.ReplaceAllString(name, "$2"), "._-")
	suffix = strings.TrimSuffix(strings.TrimSuffix(suffix, ".txt"), ".md")
	if suffix == "" {
		return false
	}
	id := strings.ToLower(f.SPDX)
	return strings.HasPrefix(id, suffix) || strings.Contains(id, suffix)
}

func names(files []FileResult) string {
	var n []string
	for _, f := range files {
		if f.SPDX != "NOASSERTION" && f.SPDX != "NONE" {
			n = append(n, f.Path)
		}
	}
	return strings.Join(n, ", ")
}

var sourceExt = regexp.MustCompile(`(?i)\.(go|js|ts|tsx|jsx|py|rb|php|java|kt|c|h|cc|cpp|hpp|rs|cs|swift|scala|sh|css|scss|html|vue|svelte|sql|yaml|yml|toml)$`)

// spdxLines reads SPDX-License-Identifier lines from source files, breadth
// first, up to maxSPDXFiles.
func spdxLines(ctx context.Context, src Source) ([]string, string, error) {
	var ids []string
	var where []string
	queue := []string{""}
	read, budget := 0, maxSPDXFiles
	if b, ok := src.(interface{ SPDXBudget() int }); ok {
		budget = b.SPDXBudget()
	}
	for len(queue) > 0 && read < budget {
		dir := queue[0]
		queue = queue[1:]
		entries, err := src.List(ctx, dir)
		if err != nil {
			return nil, "", err
		}
		read++ // a listing costs like a file
		for _, e := range entries {
			p := strings.TrimPrefix(path.Join(dir, e), "/")
			if strings.HasSuffix(e, "/") {
				if !skipDirs[strings.TrimSuffix(e, "/")] && dir == "" || (strings.Count(p, "/") < 4 && !skipDirs[strings.TrimSuffix(e, "/")]) {
					queue = append(queue, strings.TrimSuffix(p, "/"))
				}
				continue
			}
			if !sourceExt.MatchString(e) || read >= budget {
				continue
			}
			read++
			b, err := src.Read(ctx, p)
			if err != nil {
				continue
			}
			head := b
			if len(head) > 4096 {
				head = head[:4096]
			}
			for _, m := range spdxLine.FindAllStringSubmatch(Decode(head), -1) {
				e, err := ParseExpr(m[1])
				if err != nil {
					continue
				}
				if s := e.String(); !slices.Contains(ids, s) {
					ids = append(ids, s)
					where = append(where, p)
				}
			}
		}
	}
	if len(where) > 3 {
		where = append(where[:3], "…")
	}
	return ids, strings.Join(where, ", "), nil
}

var nameInProse = regexp.MustCompile(`(?i)\b(MIT|Apache[- ]?(?:License[, ]*)?(?:v(?:ersion)?\s*)?2(?:\.0)?|GPL[- ]?v?[23](?:\.0)?(?:\+| or later)?|AGPL[- ]?v?3(?:\.0)?|LGPL[- ]?v?[23](?:\.[01])?|MPL[- ]?2\.0|BSD[- ]?[23][- ]Clause|CeCILL(?:[- ]?[BC]|[- ]?v?2\.1)?|EUPL[- ]?v?1\.2|Licence Ouverte(?:\s*(?:/\s*Open Licence)?\s*(?:v|version)?\s*2\.0)?|Open Licence 2\.0|Etalab[- ]?2\.0|ODbL|CC[- ]BY(?:[- ](?:SA|NC|ND))*(?:[- ]\d\.\d)?|CC0|Unlicense|ISC)\b`)

var (
	// "plus" alone is not a negation ("pour plus de détails"); "ne … plus"
	// and "n'est plus" are.
	proseNegation  = regexp.MustCompile(`(?i)\b(not|no longer|pas|ne\s+(?:\S+\s+)?plus|n'est plus|nicht|todo|tbd|choose|choisir|à définir|to be decided)\b|propriet|propriét|all rights reserved|tous droits|alle rechte`)
	proseLicensing = regexp.MustCompile(`(?i)licen[cs]|lizenz|licencia|sous|under|publi|released|distribu|régi|governed`)
	// proseCompatible introduces a licence named only for comparison ("Open
	// Licence V2.0 is compatible with the CC-By-SA 2.0 license").
	proseCompatible = regexp.MustCompile(`(?i)compatib\w*\s+(?:with|avec)\b[^.;\n]{0,40}$`)
	// proseBare is a licence section that is nothing but a name or an id,
	// once emphasis, links and punctuation are removed ("MIT", "**Apache
	// 2.0**", "[EUPL-1.2](LICENSE)").
	proseBareStrip = regexp.MustCompile("[*_`#>\\[\\]]|\\([^)]*\\)")
)

// proseConfidence is what a statement in prose is worth: clear words, but
// no text to compare.
const proseConfidence = 0.85

// maxProseLicence bounds the licence files read as prose statements: a
// statement is a paragraph or two; a longer text that no corpus matched is
// a licence of its own, which merely naming an open licence does not make
// open.
const maxProseLicence = 4000

// fromProse reads a README's licence section: an SPDX line, a full text,
// or licence names ("under the MIT licence", "code: CeCILL, data: Licence
// Ouverte"). Anything hesitant or negative ("not MIT", "TODO: choose") is
// not an answer.
func (k *Classifier) fromProse(sec string) (string, float64, bool) {
	if m := spdxLine.FindStringSubmatch(sec); m != nil {
		if e, err := ParseExpr(m[1]); err == nil {
			return e.String(), 1, true
		}
	}
	// A section that is only a licence's name or SPDX id.
	if bare := strings.Trim(proseBareStrip.ReplaceAllString(sec, " "), " \t\n.:;!"); bare != "" && !strings.ContainsAny(bare, "\n") {
		if e, err := ParseExpr(NormaliseID(bare)); err == nil {
			if open, _ := Open(e); open || knownIDs(e) {
				return e.String(), proseConfidence, true
			}
		}
	}
	if proseNegation.MatchString(sec) || !proseLicensing.MatchString(sec) {
		return "", 0, false
	}
	if len(sec) > 600 {
		if t, err := k.Classify([]byte(sec)); err == nil && t.SPDX != "NOASSERTION" && t.SPDX != "NONE" {
			return t.SPDX, t.Confidence, true
		}
	}
	if expr, ok := proseNames(sec); ok {
		return expr, proseConfidence, true
	}
	return "", 0, false
}

// knownIDs reports whether every licence of an expression is in the policy.
func knownIDs(e *Expr) bool {
	ok := true
	e.leaves(func(x *Expr) {
		if _, found := policyLeafRule(x); !found {
			ok = false
		}
	})
	return ok
}

// proseStatement reads a licence file that states its licence in prose
// rather than holding its text: short, affirmative, with no restriction of
// its own (a custom licence that names an open one for comparison is not
// that licence).
func (k *Classifier) proseStatement(text string) (string, bool) {
	if len(text) > maxProseLicence || proseNegation.MatchString(text) || !proseLicensing.MatchString(text) {
		return "", false
	}
	for _, l := range strings.Split(text, "\n") {
		if restrictRE.MatchString(l) && !copyrightLine.MatchString(strings.TrimSpace(l)) {
			return "", false
		}
	}
	return proseNames(text)
}

// proseNames joins the licences a statement names: OR when it offers a
// choice ("either … or", "at your option"), AND otherwise — different
// licences for different parts ("source code under CeCILL 2.1,
// documentation under Licence Ouverte") all apply. A licence named only as
// compatible with another is not one the project chose.
func proseNames(sec string) (string, bool) {
	var ids []string
	for _, loc := range nameInProse.FindAllStringIndex(sec, -1) {
		m := sec[loc[0]:loc[1]]
		if strings.EqualFold(m, "mit") && m != "MIT" {
			continue // "mit" is a German word
		}
		if proseCompatible.MatchString(sec[max(0, loc[0]-60):loc[0]]) {
			continue
		}
		id := NormaliseID(strings.TrimSpace(m))
		if _, ok := Lookup(id); ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return "", false
	}
	op := " AND "
	if dualRE.MatchString(sec) {
		op = " OR "
	}
	e, err := ParseExpr(strings.Join(ids, op))
	if err != nil {
		return "", false
	}
	return e.String(), true
}

// metadataLicence reads the licence a package manifest declares.
func metadataLicence(name, content string) string {
	var raw string
	switch name {
	case "package.json", "composer.json":
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(content), &m) != nil {
			return ""
		}
		v := m["license"]
		var s string
		var list []string
		var obj struct{ Type string }
		switch {
		case json.Unmarshal(v, &s) == nil:
			raw = s
		case json.Unmarshal(v, &list) == nil && len(list) > 0:
			raw = "(" + strings.Join(list, " OR ") + ")"
		case json.Unmarshal(v, &obj) == nil:
			raw = obj.Type
		}
	case "Cargo.toml", "pyproject.toml":
		m := regexp.MustCompile(`(?m)^\s*license\s*=\s*(?:"([^"]+)"|\{\s*text\s*=\s*"([^"]+)")`).FindStringSubmatch(content)
		if m != nil {
			raw = m[1] + m[2]
		}
		if raw == "" {
			if m := regexp.MustCompile(`(?m)^\s*License\s*::\s*OSI Approved\s*::\s*(.+?)\s*["',]`).FindStringSubmatch(content); m != nil {
				raw = m[1]
			}
		}
	}
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.EqualFold(raw, "UNLICENSED") || strings.EqualFold(raw, "proprietary") {
		if strings.EqualFold(raw, "UNLICENSED") || strings.EqualFold(raw, "proprietary") {
			return "LicenseRef-All-Rights-Reserved"
		}
		return ""
	}
	if e, err := ParseExpr(raw); err == nil {
		return e.String()
	}
	if e, err := ParseExpr(NormaliseID(raw)); err == nil {
		return e.String()
	}
	return ""
}

// verdict builds the report: open or not by the policy, and a reason.
func verdict(expr string, conf float64, files []FileResult, where string) Report {
	r := Report{SPDX: expr, Confidence: round2(conf), Files: files, Category: CategoryCode}
	if r.Files == nil {
		r.Files = []FileResult{}
	}
	e, err := ParseExpr(expr)
	if err != nil {
		r.Reason = fmt.Sprintf("%q is not a licence expression we can read", expr)
		return r
	}
	open, why := Open(e)
	r.Open, r.Category = open, CategoryOf(e)
	if where != "" {
		where = " (" + where + ")"
	}
	if open {
		r.Reason = fmt.Sprintf("Open: %s%s. %s", e.String(), where, why)
	} else {
		r.Reason = fmt.Sprintf("Not open: %s%s. %s", e.String(), where, why)
	}
	return r
}

// Dir is a Source on a checkout.
type Dir string

// GitHubSPDX implements Source: a checkout has no GitHub detection.
func (d Dir) GitHubSPDX() string { return "" }

// List implements Source.
func (d Dir) List(_ context.Context, dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(string(d), filepath.FromSlash(dir)))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			name += "/"
		}
		out = append(out, name)
	}
	return out, nil
}

// MaxFileSize is the most of one file the check reads: licence texts and
// manifests are far shorter, and a longer one is cut there.
const MaxFileSize = 1 << 20

// Read implements Source; files over MaxFileSize are cut. Only regular
// files are read: a FIFO or a device named LICENSE in a checkout would
// block or never end.
func (d Dir) Read(_ context.Context, p string) ([]byte, error) {
	name := filepath.Join(string(d), filepath.FromSlash(p))
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxFileSize))
}

// CheckFile reads one file as a licence text.
func (k *Classifier) CheckFile(b []byte, name string) (Report, error) {
	t, err := k.Classify(b)
	if err != nil {
		return Report{}, err
	}
	files := []FileResult{{Path: name, SPDX: t.SPDX, Confidence: t.Confidence}}
	switch t.SPDX {
	case "NONE":
		r := verdict("NONE", 0, files, "")
		r.Reason = name + " holds no licence text: use the unmodified text of an open licence (for example MIT, Apache-2.0, EUPL-1.2 or CeCILL-2.1)."
		return r, nil
	case "NOASSERTION":
		r := verdict("NOASSERTION", t.Confidence, files, "")
		if t.Pointer != "" {
			r.Reason = name + " only points to " + t.Pointer + ": check that file."
		} else if t.Nearest != "" {
			// How says "is closest to X" or "holds X plus terms of its own".
			r.Reason = fmt.Sprintf("%s %s; use the unmodified text so it can be recognised.", name, t.How)
		} else {
			r.Reason = name + " " + t.How + "; use the unmodified text of an open licence."
		}
		return r, nil
	}
	return verdict(t.SPDX, t.Confidence, files, t.How), nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
