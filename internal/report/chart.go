package report

// The commits chart is drawn here by hand, with image and the Go fonts,
// rather than with github.com/go-analyze/charts (v0.6.4):
//
//   - that library is ~39,000 lines for dozens of chart kinds, pulls in
//     github.com/golang/freetype (unmaintained since 2017) and
//     go-analyze/bulk, and requires testify v1.12.1, which would upgrade
//     the module's testify; we need one bar chart;
//   - its PNGs are RGBA; fpdf must then split off an alpha channel and
//     re-deflate each one, which costs dearly for 1,000 charts. Drawing
//     on a small palette gives tiny PNGs that fpdf embeds as they are;
//   - owning the ~300 lines makes the bytes deterministic by
//     construction (integer geometry, no maps, no clocks), and the only
//     new module is golang.org/x/image, which fpdf requires anyway.

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"math"
	"sync"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// ChartWidth and ChartHeight are the PNG's size: 640 px fills an email's
// column at 100% and 17 cm of A4 at about 96 dpi.
const (
	ChartWidth  = 640
	ChartHeight = 200
)

// Plot area inside the image: room on the left for the scale, at the top
// for the title and at the bottom for months and years.
const (
	plotLeft   = 46
	plotRight  = ChartWidth - 14
	plotTop    = 32
	plotBottom = ChartHeight - 36
)

// Palette indexes. Text is antialiased with inkLevels shades from white
// to the text colour, so that the picture stays paletted; text is only
// drawn on white.
const (
	colBackground = iota
	colBar
	colGrid
	colAxis
	colInk0 // first of inkLevels shades, the last being full ink
)

// inkLevels makes 20 colours: 8-bit pixels, which image/png writes a
// row at a time (below 16 colours it packs pixel by pixel, slower).
const inkLevels = 16

// chartPalette is immutable once built.
var chartPalette = sync.OnceValue(func() color.Palette {
	ink := color.RGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xff}
	p := color.Palette{
		color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
		color.RGBA{R: 0x2e, G: 0x6e, B: 0xb4, A: 0xff}, // bars
		color.RGBA{R: 0xe4, G: 0xe4, B: 0xe4, A: 0xff},
		color.RGBA{R: 0x88, G: 0x88, B: 0x88, A: 0xff},
	}
	for k := 1; k <= inkLevels; k++ {
		mix := func(c uint8) uint8 { return uint8(255 - (255-int(c))*k/inkLevels) }
		p = append(p, color.RGBA{R: mix(ink.R), G: mix(ink.G), B: mix(ink.B), A: 0xff})
	}
	return p
})

// Fonts are parsed once; faces are made per chart because an opentype
// face caches glyphs and may not be shared between goroutines.
var (
	regularFont = sync.OnceValues(func() (*opentype.Font, error) { return opentype.Parse(goregular.TTF) })
	boldFont    = sync.OnceValues(func() (*opentype.Font, error) { return opentype.Parse(gobold.TTF) })
)

func newFace(f func() (*opentype.Font, error), size float64) (font.Face, error) {
	fnt, err := f()
	if err != nil {
		return nil, fmt.Errorf("parse Go font: %w", err)
	}
	face, err := opentype.NewFace(fnt, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("font face: %w", err)
	}
	return face, nil
}

var shortMonths = [2][12]string{
	{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
	{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
}

func shortMonth(m time.Month, lang string) string {
	if lang == "en" {
		return shortMonths[1][m-1]
	}
	return shortMonths[0][m-1]
}

// CommitsChart draws weeks as a bar chart of commits per week and
// returns it as a PNG. The same weeks and lang give the same bytes.
// Without weeks it draws an empty frame with a dash, not an error.
func CommitsChart(weeks []Week, lang string) ([]byte, error) {
	c, err := newCanvas()
	if err != nil {
		return nil, err
	}
	return c.draw(weeks, lang)
}

// draw draws one chart on c, which may have drawn others before.
func (c *canvas) draw(weeks []Week, lang string) ([]byte, error) {
	clear(c.img.Pix)
	c.top = 0
	c.text(c.title, 8, 20, T(lang, "commits_per_week"))
	if len(weeks) == 0 {
		c.hline(plotLeft, plotRight, plotBottom, colAxis)
		d := T(lang, "no_data")
		c.text(c.big, (plotLeft+plotRight-c.width(c.big, d))/2, (plotTop+plotBottom)/2+8, d)
	} else {
		c.scale(weeks, lang)
		c.bars(weeks)
		c.months(weeks, lang)
	}
	return c.encode()
}

// canvas draws charts: the paletted picture, and what is kept
// from one chart to the next by a caller drawing many (PDF), on one
// goroutine: faces, the texts already rasterized, the PNG compressor.
type canvas struct {
	img               *image.Paletted
	title, small, big font.Face
	top               int // the scale's top value
	texts             map[textKey]*textImg
	pw                pngWriter
}

// textKey is a text as one face draws it.
type textKey struct {
	face font.Face
	s    string
}

// textImg is a rasterized text: its mask, where the mask's corner lies
// from the text's origin on the baseline, and its advance.
type textImg struct {
	mask *image.Alpha
	off  image.Point
	adv  int
}

func newCanvas() (*canvas, error) {
	c := &canvas{
		img:   image.NewPaletted(image.Rect(0, 0, ChartWidth, ChartHeight), chartPalette()),
		texts: map[textKey]*textImg{},
	}
	var err error
	if c.title, err = newFace(boldFont, 14); err != nil {
		return nil, err
	}
	if c.small, err = newFace(regularFont, 11); err != nil {
		return nil, err
	}
	if c.big, err = newFace(regularFont, 24); err != nil {
		return nil, err
	}
	return c, nil
}

// raster rasterizes s once per canvas: the same month names, years and
// ticks come back on every chart of a report.
func (c *canvas) raster(face font.Face, s string) *textImg {
	k := textKey{face, s}
	if t, ok := c.texts[k]; ok {
		return t
	}
	b, adv := font.BoundString(face, s)
	off := image.Pt(b.Min.X.Floor(), b.Min.Y.Floor())
	mask := image.NewAlpha(image.Rect(0, 0, b.Max.X.Ceil()-off.X, b.Max.Y.Ceil()-off.Y))
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: face, Dot: fixed.P(-off.X, -off.Y)}
	d.DrawString(s)
	t := &textImg{mask: mask, off: off, adv: adv.Ceil()}
	c.texts[k] = t
	return t
}

func (c *canvas) width(face font.Face, s string) int { return c.raster(face, s).adv }

// text draws s with its baseline at y, starting at x. Its coverage
// becomes one of the ink shades; where texts touch, the darker wins
// (shades are in order of darkness).
func (c *canvas) text(face font.Face, x, y int, s string) {
	t := c.raster(face, s)
	at := image.Pt(x, y).Add(t.off)
	r := t.mask.Rect.Add(at).Intersect(c.img.Rect)
	for py := r.Min.Y; py < r.Max.Y; py++ {
		src := t.mask.Pix[(py-at.Y)*t.mask.Stride:]
		dst := c.img.Pix[py*c.img.Stride:]
		for px := r.Min.X; px < r.Max.X; px++ {
			k := (int(src[px-at.X])*inkLevels + 127) / 255
			if k == 0 {
				continue
			}
			if idx := uint8(colInk0 + k - 1); dst[px] < colInk0 || dst[px] < idx {
				dst[px] = idx
			}
		}
	}
}

func (c *canvas) fill(r image.Rectangle, idx uint8) {
	r = r.Intersect(c.img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := c.img.Pix[y*c.img.Stride:]
		for x := r.Min.X; x < r.Max.X; x++ {
			row[x] = idx
		}
	}
}

func (c *canvas) hline(x0, x1, y int, idx uint8) { c.fill(image.Rect(x0, y, x1, y+1), idx) }

// niceScale returns the step and top of a y scale holding most with at
// most four steps of 1, 2 or 5 times a power of ten.
func niceScale(most int) (step, top int) {
	most = max(most, 1)
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			step = m * p
			if n := (most + step - 1) / step; n <= 4 {
				return step, n * step
			}
		}
	}
}

// scale draws the horizontal grid and the labelled ticks.
func (c *canvas) scale(weeks []Week, lang string) {
	most := 0
	for _, w := range weeks {
		most = max(most, w.Commits)
	}
	step, top := niceScale(most)
	c.top = top
	for v := 0; v <= top; v += step {
		y := c.y(v)
		idx := uint8(colGrid)
		if v == 0 {
			idx = colAxis
		}
		c.hline(plotLeft, plotRight, y, idx)
		s := compact(v, lang)
		c.text(c.small, plotLeft-6-c.width(c.small, s), y+4, s)
	}
}

// compact writes a tick value short enough for the left margin:
// 12 000 as "12 k", 1 500 000 as "1,5 M".
func compact(v int, lang string) string {
	switch {
	case v >= 1_000_000:
		return Number(float64(v)/1e6, lang) + " M"
	case v >= 10_000:
		return Number(float64(v)/1e3, lang) + " k"
	}
	return fmt.Sprint(v)
}

// y is the pixel row of value v on the scale.
func (c *canvas) y(v int) int {
	return plotBottom - int(math.Round(float64(v)*float64(plotBottom-plotTop)/float64(c.top)))
}

// slot is the horizontal extent of week i's slot among n.
func slot(i, n int) (x0, x1 int) {
	w := float64(plotRight-plotLeft) / float64(n)
	return plotLeft + int(math.Round(float64(i)*w)), plotLeft + int(math.Round(float64(i+1)*w))
}

func (c *canvas) bars(weeks []Week) {
	for i, w := range weeks {
		if w.Commits <= 0 {
			continue
		}
		x0, x1 := slot(i, len(weeks))
		// A quarter of the slot as a gap, at least a pixel when there is
		// room, and bars no wider than 36 px when weeks are few.
		gap := (x1 - x0) / 4
		if gap == 0 && x1-x0 > 2 {
			gap = 1
		}
		if x1-x0-gap > 36 {
			gap = x1 - x0 - 36
		}
		x0 += gap / 2
		x1 -= gap - gap/2
		if x1 <= x0 {
			x1 = x0 + 1
		}
		top := c.y(w.Commits)
		if top >= plotBottom {
			top = plotBottom - 1 // a single commit stays visible
		}
		c.fill(image.Rect(x0, top, x1, plotBottom), colBar)
	}
}

type monthLabel struct {
	x     int
	month time.Month
	year  int
}

// months labels the weeks where a month begins, every month or every
// few months so that labels never overlap, with the year under the
// first label and under each January.
func (c *canvas) months(weeks []Week, lang string) {
	var cands []monthLabel
	prev := time.Month(0)
	for i, w := range weeks {
		t, err := time.Parse(time.DateOnly, w.Start)
		if err != nil {
			continue
		}
		// The week holding the 1st of a month (or the first week) starts it.
		end := t.AddDate(0, 0, 6)
		m, y := t.Month(), t.Year()
		if end.Day() <= 7 {
			m, y = end.Month(), end.Year()
		}
		if m != prev {
			x0, _ := slot(i, len(weeks))
			cands = append(cands, monthLabel{x: x0, month: m, year: y})
			c.fill(image.Rect(x0, plotBottom, x0+1, plotBottom+4), colAxis)
			prev = m
		}
	}
	width := func(l monthLabel) int { return c.width(c.small, shortMonth(l.month, lang)) }
	var kept []monthLabel
	for _, stride := range []int{1, 2, 3, 4, 6, 12} {
		kept = kept[:0]
		for _, l := range cands {
			if (int(l.month)-1)%stride == 0 {
				kept = append(kept, l)
			}
		}
		// The first week's month is a candidate whatever the stride.
		if len(cands) > 0 && (len(kept) == 0 || kept[0] != cands[0]) {
			kept = append([]monthLabel{cands[0]}, kept...)
		}
		if fits(kept, width) {
			break
		}
	}
	// The first label may still collide with the next: drop it.
	if len(kept) > 1 && kept[0].x+width(kept[0])+6 > kept[1].x {
		kept = kept[1:]
	}
	lastYear := 0
	for _, l := range kept {
		if l.x+width(l) > ChartWidth {
			continue
		}
		c.text(c.small, l.x, plotBottom+15, shortMonth(l.month, lang))
		if l.year != lastYear {
			c.text(c.small, l.x, plotBottom+29, fmt.Sprint(l.year))
			lastYear = l.year
		}
	}
}

// fits tells whether labels, the first excepted, leave 6 px between them.
func fits(ls []monthLabel, width func(monthLabel) int) bool {
	for i := 2; i < len(ls); i++ {
		if ls[i-1].x+width(ls[i-1])+6 > ls[i].x {
			return false
		}
	}
	return true
}

// encode writes the PNG.
func (c *canvas) encode() ([]byte, error) {
	b, err := c.pw.encode(c.img)
	if err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return b, nil
}

// pngWriter writes paletted PNGs with zlib level 3, keeping its
// compressor from chart to chart. image/png offers the default level
// (1 ms a chart here, and a new megabyte of compressor state each time)
// or BestSpeed (three times the bytes); level 3 is about as fast as
// BestSpeed and a third larger than the default.
type pngWriter struct {
	zw  *zlib.Writer
	raw []byte
	z   bytes.Buffer
}

func (pw *pngWriter) encode(img *image.Paletted) ([]byte, error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	// Each row starts with its filter, 0: paletted rows compress best
	// unfiltered.
	pw.raw = pw.raw[:0]
	for y := range h {
		pw.raw = append(pw.raw, 0)
		pw.raw = append(pw.raw, img.Pix[y*img.Stride:y*img.Stride+w]...)
	}
	pw.z.Reset()
	if pw.zw == nil {
		zw, err := zlib.NewWriterLevel(&pw.z, 3)
		if err != nil {
			return nil, err
		}
		pw.zw = zw
	} else {
		pw.zw.Reset(&pw.z)
	}
	if _, err := pw.zw.Write(pw.raw); err != nil {
		return nil, err
	}
	if err := pw.zw.Close(); err != nil {
		return nil, err
	}

	var out bytes.Buffer
	out.Grow(pw.z.Len() + 128)
	out.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 3 // 8-bit palette indexes; no interlace
	chunk(&out, "IHDR", ihdr[:])
	plte := make([]byte, 0, 3*len(img.Palette))
	for _, c := range img.Palette {
		r, g, b, _ := c.RGBA()
		plte = append(plte, uint8(r>>8), uint8(g>>8), uint8(b>>8))
	}
	chunk(&out, "PLTE", plte)
	chunk(&out, "IDAT", pw.z.Bytes())
	chunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

// chunk writes one PNG chunk: length, type, data, CRC of type and data.
func chunk(out *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	out.WriteString(typ)
	out.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	out.Write(n[:])
}
