package validate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// QuoteLimit is how many characters of someone's input an error message
// repeats: enough to recognise it, never a 10 MB file or a 100 k slug.
const QuoteLimit = 40

// Quote returns v quoted for an error message, cut to QuoteLimit
// characters with "…" and its full length when longer, so errors stay one
// short line whatever was sent.
func Quote(v string) string {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	n := utf8.RuneCountInString(v)
	if n <= QuoteLimit {
		return fmt.Sprintf("%q", v)
	}
	cut := 0
	for i := range v {
		if cut == QuoteLimit {
			return fmt.Sprintf("%q… (%d characters)", v[:i], n)
		}
		cut++
	}
	return fmt.Sprintf("%q", v)
}

// IsBidiControl reports whether r is one of Unicode's bidirectional
// formatting characters (LRE…RLO, LRI…PDI, LRM, RLM, ALM): invisible, they
// can make a line of a terminal or a page read in another order than it is
// written ("Trojan Source", CVE-2021-42574).
func IsBidiControl(r rune) bool {
	switch {
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	case r == '\u200E', r == '\u200F', r == '\u061C':
		return true
	}
	return false
}

// Unsafe reports whether r must never appear in a name or a line of
// output: a control character (ANSI escapes start with one) or a
// bidirectional formatting character.
func Unsafe(r rune) bool {
	return unicode.IsControl(r) || IsBidiControl(r)
}

// Printable returns v with every unsafe character written as a visible
// escape (\x1b, \u202e), so text someone else typed cannot move the
// cursor, recolour a terminal or fake a line in the CLI's output.
func Printable(v string) string {
	if !strings.ContainsFunc(v, Unsafe) && utf8.ValidString(v) {
		return v
	}
	var b strings.Builder
	for i, r := range v {
		switch {
		case r == utf8.RuneError && isInvalidAt(v, i):
			b.WriteString(`\ufffd`)
		case r < 0x80 && Unsafe(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case Unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isInvalidAt reports whether v holds an invalid byte at i (rather than a
// real U+FFFD).
func isInvalidAt(v string, i int) bool {
	_, size := utf8.DecodeRuneInString(v[i:])
	return size == 1
}

// ByteSize writes a limit for a message: "256 KiB", "1 MiB".
func ByteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
