package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/codecitoyen/suivi/internal/validate"
)

// Most of what the CLI prints was typed by other people: program names,
// notes, comments, URLs, actors, the server's error messages. A control
// character, an ANSI escape or a bidi override in it could move the cursor
// or reorder a line, and make `suivi program status` show a line that is not
// there ("\x1b[2K\rPhase graduated"). Every printer of such text goes
// through fprintf, and every error through errorLine.

// fprintf is fmt.Fprintf with every text argument escaped by
// validate.Printable. The format itself is ours and is kept as is.
func fprintf(w io.Writer, format string, args ...any) {
	safe := make([]any, len(args))
	for i, a := range args {
		safe[i] = printable(a)
	}
	fmt.Fprintf(w, format, safe...)
}

// printable returns a with its text escaped: strings, string types such as
// workflows.Phase, errors and Stringers; anything else (numbers) unchanged.
func printable(a any) any {
	switch v := a.(type) {
	case string:
		return validate.Printable(v)
	case error:
		return validate.Printable(v.Error())
	case fmt.Stringer:
		return validate.Printable(v.String())
	}
	if rv := reflect.ValueOf(a); rv.IsValid() && rv.Kind() == reflect.String {
		return validate.Printable(rv.String())
	}
	return a
}

// joined is a list of other people's text as one escaped string.
func joined(list []string) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = validate.Printable(s)
	}
	return strings.Join(out, ", ")
}

// errorLine is err as the one line run prints: newlines become "; " and
// what the server or a file sent is escaped.
func errorLine(err error) string {
	return validate.Printable(oneLine(err))
}

// printableLines escapes each line of s, keeping the line breaks (a file's
// problems are printed one per line, like a compiler's).
func printableLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = validate.Printable(l)
	}
	return strings.Join(lines, "\n")
}

// writeJSON prints v as indented JSON. encoding/json leaves DEL, C1 controls
// and bidi characters raw; they are written as \uXXXX, which is the same
// JSON for a program and harmless on a terminal. They can only occur inside
// strings: everything else the encoder writes is ASCII.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	var out strings.Builder
	for _, r := range buf.String() {
		if r != '\n' && validate.Unsafe(r) {
			fmt.Fprintf(&out, `\u%04x`, r)
			continue
		}
		out.WriteRune(r)
	}
	_, err := io.WriteString(w, out.String())
	return err
}
