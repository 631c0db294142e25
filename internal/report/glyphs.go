package report

import (
	"strings"
	"sync"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// The PDF's Go fonts draw Latin, Greek and Cyrillic. A name in another
// script (Arabic, Chinese…) or with an emoji would print as empty boxes,
// and a character beyond U+FFFF makes fpdf fail outright, so the PDF shows
// such characters as "?" and keeps every other; the page, the CSV, the
// JSON and the email carry the names whole.

var goFont = sync.OnceValue(func() *sfnt.Font {
	f, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		panic("the embedded Go font does not parse: " + err.Error())
	}
	return f
})

var glyphCache sync.Map // rune → bool

// drawable reports whether the PDF's font has a glyph for r.
func drawable(r rune) bool {
	if r < 0x80 {
		return true
	}
	if r > 0xFFFF {
		return false
	}
	if ok, seen := glyphCache.Load(r); seen {
		return ok.(bool)
	}
	var buf sfnt.Buffer
	i, err := goFont().GlyphIndex(&buf, r)
	ok := err == nil && i != 0
	glyphCache.Store(r, ok)
	return ok
}

// drawableText replaces what the font cannot draw with "?".
func drawableText(s string) string {
	for _, r := range s {
		if !drawable(r) {
			return strings.Map(func(r rune) rune {
				if drawable(r) || r == '\n' {
					return r
				}
				return '?'
			}, s)
		}
	}
	return s
}

// printable is a copy of r whose every text the PDF shows can be drawn.
func printable(r *Report) *Report {
	c := *r
	c.Title, c.City = drawableText(r.Title), drawableText(r.City)
	c.Summary.Quiet = make([]Quiet, len(r.Summary.Quiet))
	for i, q := range r.Summary.Quiet {
		q.Name = drawableText(q.Name)
		c.Summary.Quiet[i] = q
	}
	c.Programs = make([]Program, len(r.Programs))
	for i, p := range r.Programs {
		p.Name, p.City, p.Theme, p.Note, p.NoteBy = drawableText(p.Name), drawableText(p.City), drawableText(p.Theme), drawableText(p.Note), drawableText(p.NoteBy)
		ms := make([]Milestone, len(p.Milestones))
		for j, m := range p.Milestones {
			m.Title, m.Evidence = drawableText(m.Title), drawableText(m.Evidence)
			ms[j] = m
		}
		p.Milestones = ms
		rs := make([]Repo, len(p.Repos))
		for j, rp := range p.Repos {
			rp.URL, rp.RenamedFrom, rp.Licence = drawableText(rp.URL), drawableText(rp.RenamedFrom), drawableText(rp.Licence)
			rs[j] = rp
		}
		p.Repos = rs
		c.Programs[i] = p
	}
	return &c
}
