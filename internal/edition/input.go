package edition

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// checkText refuses what is not a plausible edition file before the YAML
// parser sees it: too large, or not UTF-8 text. The YAML parser would stop
// at a NUL byte and call a binary file "empty", which sends whoever uploaded
// a PDF looking for a missing edition.
func checkText(data []byte) error {
	if len(data) > MaxFileSize {
		kib := (len(data) + 1023) / 1024 // rounded up, so 256 KiB + 1 byte is not "256 KiB"
		return ErrorList{{Msg: fmt.Sprintf("the file is %d KiB; an edition file is at most %d KiB", kib, MaxFileSize/1024)}}
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return ErrorList{{Line: 1, Msg: "the file is UTF-16 text; save it as UTF-8, the encoding of edition files"}}
	}
	if i := notText(data); i >= 0 {
		return ErrorList{{Line: lineAt(data, i), Msg: fmt.Sprintf("not a text file: byte %d is not UTF-8 text; an edition file is YAML text", i)}}
	}
	if i := notYAMLChar(data); i >= 0 {
		r, _ := utf8.DecodeRune(data[i:])
		return ErrorList{{Line: lineAt(data, i), Msg: fmt.Sprintf("byte %d is the control character U+%04X, which a YAML file cannot hold: remove it", i, r)}}
	}
	return nil
}

// lineAt returns the line of byte i of data, from 1.
func lineAt(data []byte, i int) int {
	return 1 + bytes.Count(data[:i], []byte("\n"))
}

// notText returns the offset (from 0) of the first NUL byte or byte that is
// not part of valid UTF-8, or -1 if there is none.
func notText(data []byte) int {
	if utf8.Valid(data) {
		return bytes.IndexByte(data, 0)
	}
	for i := 0; i < len(data); {
		if data[i] == 0 {
			return i
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1 // not reached: data is not valid UTF-8
}

// notYAMLChar returns the offset of the first character of valid UTF-8
// data that YAML forbids (the controls other than tab and newlines, and
// U+FFFE, U+FFFF), or -1. The YAML parser refuses them too, but without a
// line.
func notYAMLChar(data []byte) int {
	for i, r := range string(data) {
		switch {
		case r == '\t', r == '\n', r == '\r', r == 0x85:
		case r < 0x20, r >= 0x7F && r < 0xA0, r == 0xFFFE, r == 0xFFFF:
			return i
		}
	}
	return -1
}

// anchorMsg refuses YAML anchors (&a) and aliases (*a). Nothing in an
// edition needs them, and each alias is a copy made when decoding, so a
// 60 KB file of aliases of aliases ("billion laughs") decodes into
// gigabytes.
const anchorMsg = "YAML anchors and aliases (&a, *a) are not allowed in an edition file; write the value out"

// checkNoAnchors refuses the first anchor or alias in doc, in file order.
// yaml.v3 builds a Node tree without expanding aliases (an alias node only
// points at its anchor), and this walk follows Content, never Alias, so it
// visits each node of the file once however the aliases nest.
func checkNoAnchors(doc *yaml.Node) error {
	stack := []*yaml.Node{doc}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Anchor != "" || n.Kind == yaml.AliasNode {
			return ErrorList{{Line: n.Line, Msg: anchorMsg}}
		}
		// Push children last first, so they come off in file order.
		for i := len(n.Content) - 1; i >= 0; i-- {
			stack = append(stack, n.Content[i])
		}
	}
	return nil
}
