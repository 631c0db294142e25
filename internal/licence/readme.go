package licence

import (
	"regexp"
	"strings"
	"unicode"
)

// ReadmeSection returns the body of a README's first licence section ("" if none), where many projects state their licence.
func ReadmeSection(readme string) string {
	// The heading is "License", "Licence", "Licensing", "Licenses",
	// "Licences", "Licence / License", "Lizenz" or "Licencia", in any case
	// and at any level: ATX ("## License"), underlined ("License\n=====",
	// any reStructuredText adornment, with or without overline) or a line in
	// bold ("**License**"). Lines in fenced code blocks are never headings.
	// The section runs to the next heading of the same or higher level; it
	// is returned trimmed, with CRLF turned into LF, and is always a
	// substring of that text.
	text := strings.TrimPrefix(strings.ReplaceAll(readme, "\r\n", "\n"), "\ufeff")
	lines := strings.Split(text, "\n")
	offsets := make([]int, len(lines)+1)
	for i, l := range lines {
		offsets[i+1] = min(offsets[i]+len(l)+1, len(text))
	}
	heads := readmeHeadings(lines)
	for k, h := range heads {
		if !readmeIsLicenceHeading(h.text) {
			continue
		}
		end := len(lines)
		for _, n := range heads[k+1:] {
			if n.level <= h.level {
				end = n.start
				break
			}
		}
		if h.body >= end {
			return ""
		}
		return strings.TrimSpace(text[offsets[h.body]:offsets[end]])
	}
	return ""
}

// readmeHeading is a heading found in a README.
type readmeHeading struct {
	start int // first line of the heading (the overline or the text)
	body  int // first line after it
	level int // 1 is the highest
	text  string
}

// readmeBoldLevel ranks bold lines below every real heading: they are the
// poor man's heading of READMEs that have no other.
const readmeBoldLevel = 7

// readmeHeadings lists a README's headings in order. Underline levels
// follow Markdown ("=" is 1, "-" is 2); other reStructuredText adornments
// get levels 3 to 6 in order of first appearance, and an overlined title
// is level 1.
func readmeHeadings(lines []string) []readmeHeading {
	var heads []readmeHeading
	rstLevels := map[byte]int{'=': 1, '-': 2}
	nextLevel := 3
	underlineLevel := func(c byte) int {
		if l, ok := rstLevels[c]; ok {
			return l
		}
		rstLevels[c] = nextLevel
		if nextLevel < 6 {
			nextLevel++
		}
		return rstLevels[c]
	}
	var fenceChar byte
	fenceLen := 0 // > 0 inside a fenced code block
	para := -1    // first line of the current paragraph, -1 outside one
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if fenceLen > 0 {
			if readmeFenceClose(line, fenceChar, fenceLen) {
				fenceLen = 0
			}
			continue
		}
		adorn, isAdorn := readmeAdornment(line)
		// A row of tildes right under a line at least as long is a
		// reStructuredText underline, not a Markdown fence.
		tildeUnderline := isAdorn && adorn == '~' && para >= 0 &&
			len(strings.TrimSpace(line)) >= len(strings.TrimSpace(lines[i-1]))
		if c, n, ok := readmeFenceOpen(line); ok && !tildeUnderline {
			fenceChar, fenceLen, para = c, n, -1
			continue
		}
		if strings.TrimSpace(line) == "" {
			para = -1
			continue
		}
		if level, t, ok := readmeATX(line); ok {
			heads = append(heads, readmeHeading{start: i, body: i + 1, level: level, text: t})
			para = -1
			continue
		}
		if isAdorn {
			switch {
			case para >= 0:
				heads = append(heads, readmeHeading{start: para, body: i + 1, level: underlineLevel(adorn), text: strings.Join(lines[para:i], " ")})
			case i+2 < len(lines) && strings.TrimSpace(lines[i+1]) != "" && !readmeIsAdornment(lines[i+1]) && readmeSameAdornment(lines[i+2], adorn):
				heads = append(heads, readmeHeading{start: i, body: i + 3, level: 1, text: lines[i+1]})
				i += 2
			}
			// Otherwise a thematic break, or a stray row of punctuation.
			para = -1
			continue
		}
		if readmeBlockStart(line) {
			para = -1 // list items, quotes and tables are not heading text
			continue
		}
		if para < 0 {
			if readmeIndent(line) >= 4 {
				continue // indented code
			}
			if t, ok := readmeBold(line); ok && !(i+1 < len(lines) && readmeIsAdornment(lines[i+1])) {
				heads = append(heads, readmeHeading{start: i, body: i + 1, level: readmeBoldLevel, text: t})
				continue
			}
			para = i
		}
	}
	return heads
}

// readmeIndent counts leading columns, a tab counting as four.
func readmeIndent(line string) int {
	n := 0
	for _, r := range line {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n
		}
	}
	return n
}

// readmeFenceOpen recognises a Markdown code fence: up to three spaces,
// then at least three backticks or tildes (a backtick fence's info string
// cannot contain backticks).
func readmeFenceOpen(line string) (byte, int, bool) {
	if readmeIndent(line) > 3 {
		return 0, 0, false
	}
	t := strings.TrimLeft(line, " ")
	if t == "" || (t[0] != '`' && t[0] != '~') {
		return 0, 0, false
	}
	c := t[0]
	n := len(t) - len(strings.TrimLeft(t, string(c)))
	if n < 3 || (c == '`' && strings.Contains(t[n:], "`")) {
		return 0, 0, false
	}
	return c, n, true
}

// readmeFenceClose recognises the fence that closes one opened with n c's.
func readmeFenceClose(line string, c byte, n int) bool {
	if readmeIndent(line) > 3 {
		return false
	}
	t := strings.TrimLeft(line, " ")
	run := len(t) - len(strings.TrimLeft(t, string(c)))
	return run >= n && strings.TrimSpace(t[run:]) == ""
}

// readmeATX recognises "## Heading ##": up to three spaces, one to six
// '#', then a space or the end of the line.
func readmeATX(line string) (int, string, bool) {
	if readmeIndent(line) > 3 {
		return 0, "", false
	}
	t := strings.TrimLeft(line, " ")
	level := len(t) - len(strings.TrimLeft(t, "#"))
	if level < 1 || level > 6 {
		return 0, "", false
	}
	rest := t[level:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0, "", false
	}
	rest = strings.TrimSpace(rest)
	if closed := strings.TrimRight(rest, "#"); closed == "" || strings.HasSuffix(closed, " ") || strings.HasSuffix(closed, "\t") {
		rest = strings.TrimSpace(closed)
	}
	return level, rest, true
}

// readmeAdornmentChars are the characters reStructuredText recommends for
// underlines; "=" and "-" are also Markdown's setext underlines.
const readmeAdornmentChars = "=-~^\"'`:._*+#<>"

// readmeAdornment recognises an underline or overline: at least three of
// the same punctuation character, nothing else.
func readmeAdornment(line string) (byte, bool) {
	if readmeIndent(line) > 3 {
		return 0, false
	}
	t := strings.TrimSpace(line)
	if len(t) < 3 || !strings.ContainsRune(readmeAdornmentChars, rune(t[0])) || strings.Trim(t, t[:1]) != "" {
		return 0, false
	}
	return t[0], true
}

func readmeIsAdornment(line string) bool {
	_, ok := readmeAdornment(line)
	return ok
}

func readmeSameAdornment(line string, c byte) bool {
	d, ok := readmeAdornment(line)
	return ok && d == c
}

var readmeOrderedItem = regexp.MustCompile(`^\d{1,9}[.)](\s|$)`)

// readmeBlockStart recognises lines that start a list item, a quote or a
// table row: text on them is never a setext heading's.
func readmeBlockStart(line string) bool {
	if readmeIndent(line) > 3 {
		return false
	}
	t := strings.TrimSpace(line)
	switch {
	case t == "-" || t == "*" || t == "+" || t == ">":
		return true
	case strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") || strings.HasPrefix(t, "+ ") || strings.HasPrefix(t, ">") || strings.HasPrefix(t, "|"):
		return true
	}
	return readmeOrderedItem.MatchString(t)
}

// readmeBold recognises a line that is entirely in bold, such as
// "**License**" or "__Licence:__", and returns its text.
func readmeBold(line string) (string, bool) {
	t := strings.TrimSuffix(strings.TrimSpace(line), ":")
	for _, d := range []string{"**", "__"} {
		if len(t) > 2*len(d) && strings.HasPrefix(t, d) && strings.HasSuffix(t, d) {
			inner := t[len(d) : len(t)-len(d)]
			if !strings.Contains(inner, d) {
				return inner, true
			}
		}
	}
	return "", false
}

var (
	readmeHTMLTag  = regexp.MustCompile(`<[^>]*>`)
	readmeLinkText = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
)

// readmeLicenceHeadings are the heading texts that announce a licence
// section, once normalised.
var readmeLicenceHeadings = map[string]bool{
	"license": true, "licence": true, "licensing": true, "licenses": true, "licences": true,
	"licence/license": true, "license/licence": true, "lizenz": true, "licencia": true,
}

// readmeIsLicenceHeading compares a heading's text, ignoring case,
// emphasis, links, HTML anchors, numbering, emoji and a trailing colon:
// "## 📜 License:", "## 5. Licence" and "## [License](LICENSE)" all count.
func readmeIsLicenceHeading(text string) bool {
	t := readmeLinkText.ReplaceAllString(text, "$1")
	t = readmeHTMLTag.ReplaceAllString(t, "")
	t = strings.NewReplacer("*", "", "_", "", "`", "").Replace(strings.ToLower(t))
	t = strings.TrimFunc(t, func(r rune) bool { return !unicode.IsLetter(r) })
	t = strings.Join(strings.Fields(t), " ")
	t = strings.ReplaceAll(strings.ReplaceAll(t, " /", "/"), "/ ", "/")
	return readmeLicenceHeadings[t]
}
