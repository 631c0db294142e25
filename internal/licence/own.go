package licence

import (
	"regexp"
	"strings"

	"github.com/google/licenseclassifier/v2/assets"
)

// A licence file as projects ship it holds more than the terms: the FSF's
// GPL-3.0 COPYING ends with "How to Apply These Terms to Your New Programs",
// which speaks of "proprietary programs" and shows an example notice "either
// version 3 of the License, or (at your option) any later version". Both
// are the licence's own words: they neither add terms nor say which version
// the project chose. This file tells them apart from a project's own words.

// appendixRE is the title of the FSF's appendix to the GNU licences.
var appendixRE = regexp.MustCompile(`(?i)^\W*how to apply these terms to your new (?:programs|libraries)\W*$`)

// appendixStart is the 1-based line where the FSF's appendix begins, after
// the start of a licence's text (bodyStart), or len(lines)+1 when there is
// none. What follows it is read as the licence's, never as the project's
// notice: a notice the project writes after the appendix is missed, and the
// text then reads as "-only", which is what the bare licence grants.
func appendixStart(lines []string, bodyStart int) int {
	if bodyStart == 0 {
		return len(lines) + 1
	}
	for i := bodyStart; i <= len(lines); i++ {
		if appendixRE.MatchString(lines[i-1]) {
			return i
		}
	}
	return len(lines) + 1
}

// urlRE finds a web address, bracketed ones even when a line break or a
// space cuts them (licensecheck's copies of the FSF texts have
// "<https://www.gnu.org/\nlicenses /why-not-lgpl.html>").
var urlRE = regexp.MustCompile(`(?i)<\s*(?:https?://|www\.)[^<>]{0,120}>|\b(?:https?://|www\.)[^\s<>]+`)

// ownWords is a text as the sequence of its words, lower-cased and padded
// with spaces so that a search finds whole words. Addresses are left out:
// the FSF moved its pages from http to https and from /philosophy to
// /licenses without changing a word of the terms. An "address" that holds
// restricting words is kept, so that no term hides in angle brackets.
func ownWords(s string) string {
	s = urlRE.ReplaceAllStringFunc(strings.ToLower(s), func(u string) string {
		if restrictRE.MatchString(u) {
			return u
		}
		return " "
	})
	return " " + strings.Join(wordRE.FindAllString(s, -1), " ") + " "
}

// knownWords returns the words of a corpus text the classifier matched
// ("Supplement/GPL-3.0/application-a.txt"), read once; for the licences
// Suivi adds to the corpus, licensecheck's template of id.
func (k *Classifier) knownWords(path, id string) string {
	if w, ok := k.known.Load(path); ok {
		return w.(string)
	}
	text := TemplateText(id)
	if b, err := assets.ReadLicenseFile(path); err == nil {
		text = string(b)
	}
	w := ownWords(text)
	k.known.Store(path, w)
	return w
}

// paragraph returns the lines around lines[i] up to the blank lines that
// delimit it.
func paragraph(lines []string, i int) string {
	start, end := i, i+1
	for start > 0 && strings.TrimSpace(lines[start-1]) != "" {
		start--
	}
	for end < len(lines) && strings.TrimSpace(lines[end]) != "" {
		end++
	}
	return strings.Join(lines[start:end], "\n")
}

// inKnown reports whether s is, word for word, part of one of the known
// texts.
func inKnown(s string, known []string) bool {
	w := ownWords(s)
	if strings.TrimSpace(w) == "" {
		return false
	}
	for _, k := range known {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// addedTerms returns the first line outside the licence texts that
// restricts what they allow, or "". covered marks (1-based) the lines a
// licence's text or standard notice covers. Elsewhere, a restricting line
// is the licence's own when its whole paragraph is, word for word, in one
// of the known texts the classifier matched: the paragraph, not the line,
// so that a restriction written into the FSF's appendix, or glued from
// fragments of the licence, still counts as added.
func addedTerms(lines []string, covered []bool, known []string) string {
	var found []string
	for i, raw := range lines {
		l := strings.TrimSpace(raw)
		if covered[i+1] || l == "" || copyrightLine.MatchString(l) || !restrictRE.MatchString(l) {
			continue
		}
		if inKnown(paragraph(lines, i), known) || sentencesKnown(lines, i, known) {
			continue
		}
		found = append(found, l)
	}
	if len(found) == 0 {
		return ""
	}
	// Name the line the project wrote rather than a line of the licence
	// that shares its paragraph.
	extra := found[0]
	for _, l := range found {
		if !inKnown(l, known) {
			extra = l
			break
		}
	}
	if r := []rune(extra); len(r) > 80 {
		extra = string(r[:80]) + "…" // whole characters: the line is the project's, in any script
	}
	return extra
}

// sentenceEnd splits a paragraph into sentences.
var sentenceEnd = regexp.MustCompile(`[.;!?](?:\s+|$)`)

// sentencesKnown reports whether every sentence of lines[i]'s paragraph
// that restricts is, word for word, a sentence of one of the known texts.
// A licence's preamble or appendix is often shipped reflowed, with an
// address moved or a sentence added or left out around the restricting
// one ("use material in ways otherwise restricted by copyright"): the
// paragraph is then no longer in the corpus as a whole, but each of its
// restricting sentences still is. A restriction the project wrote is a
// sentence of its own, and is still caught.
func sentencesKnown(lines []string, i int, known []string) bool {
	para := strings.Join(strings.Fields(paragraph(lines, i)), " ")
	found := false
	for _, s := range sentenceEnd.Split(para, -1) {
		if !restrictRE.MatchString(s) {
			continue
		}
		found = true
		// Too short a sentence ("You may not.") proves nothing.
		if len(strings.Fields(s)) < 6 || !inKnown(s, known) {
			return false
		}
	}
	return found
}
