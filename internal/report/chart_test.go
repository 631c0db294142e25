package report

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// weeksOf makes n weeks ending on the week of 2027-03-29, with commits
// given by f.
func weeksOf(n int, f func(i int) int) []Week {
	last := time.Date(2027, 3, 29, 0, 0, 0, 0, Paris)
	ws := make([]Week, n)
	for i := range ws {
		ws[i] = Week{Start: last.AddDate(0, 0, -7*(n-1-i)).Format(time.DateOnly), Commits: f(i)}
	}
	return ws
}

// barPixels counts the pixels of the bars' colour.
func barPixels(t *testing.T, b []byte) int {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode chart: %v", err)
	}
	if got := img.Bounds(); got != image.Rect(0, 0, ChartWidth, ChartHeight) {
		t.Fatalf("chart is %v, want %dx%d", got, ChartWidth, ChartHeight)
	}
	br, bg, bb, _ := chartPalette()[colBar].RGBA()
	n := 0
	for y := range ChartHeight {
		for x := range ChartWidth {
			r, g, b, _ := img.At(x, y).RGBA()
			if r == br && g == bg && b == bb {
				n++
			}
		}
	}
	return n
}

func TestCommitsChart(t *testing.T) {
	cases := []struct {
		name  string
		weeks []Week
		bars  bool
	}{
		{"empty", nil, false},
		{"one week", weeksOf(1, func(int) int { return 7 }), true},
		{"one commit", weeksOf(1, func(int) int { return 1 }), true},
		{"all zero", weeksOf(40, func(int) int { return 0 }), false},
		{"30 weeks", weeksOf(30, func(i int) int { return i % 9 }), true},
		{"104 weeks", weeksOf(MaxWeeks, func(i int) int { return (i * 37) % 120 }), true},
		{"huge", weeksOf(12, func(i int) int { return 1_000_000 * i }), true},
		{"bad date", []Week{{Start: "someday", Commits: 3}}, true},
	}
	dir := os.Getenv("REPORT_LOOK")
	// A canvas drawing chart after chart, as PDF does, must give the
	// same bytes as a fresh one.
	reused, err := newCanvas()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"fr", "en"} {
		for _, c := range cases {
			t.Run(lang+"/"+c.name, func(t *testing.T) {
				b, err := CommitsChart(c.weeks, lang)
				if err != nil {
					t.Fatal(err)
				}
				if n := barPixels(t, b); (n > 0) != c.bars {
					t.Errorf("%d pixels of the bar colour, want bars: %v", n, c.bars)
				}
				again, err := CommitsChart(c.weeks, lang)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(b, again) {
					t.Error("two charts of the same weeks differ")
				}
				if r, err := reused.draw(c.weeks, lang); err != nil || !bytes.Equal(b, r) {
					t.Errorf("a reused canvas draws another chart (error %v)", err)
				}
				if dir != "" {
					name := filepath.Join(dir, "chart-"+lang+"-"+strings.ReplaceAll(c.name, " ", "-")+".png")
					if err := os.WriteFile(name, b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	}
}

func TestNiceScale(t *testing.T) {
	for _, c := range []struct{ max, step, top int }{
		{0, 1, 1}, {1, 1, 1}, {4, 1, 4}, {5, 2, 6}, {9, 5, 10}, {20, 5, 20}, {21, 10, 30}, {119, 50, 150}, {1000, 500, 1000},
	} {
		if step, top := niceScale(c.max); step != c.step || top != c.top {
			t.Errorf("niceScale(%d) = %d, %d; want %d, %d", c.max, step, top, c.step, c.top)
		}
	}
}

func BenchmarkCommitsChart(b *testing.B) {
	weeks := weeksOf(MaxWeeks, func(i int) int { return (i * 37) % 120 })
	run := func(b *testing.B, draw func() ([]byte, error)) {
		b.ReportAllocs()
		var size int
		for b.Loop() {
			png, err := draw()
			if err != nil {
				b.Fatal(err)
			}
			size = len(png)
		}
		b.ReportMetric(float64(size)/1024, "KB")
	}
	b.Run("one", func(b *testing.B) {
		run(b, func() ([]byte, error) { return CommitsChart(weeks, "fr") })
	})
	// As PDF draws them: one canvas for chart after chart.
	b.Run("reused", func(b *testing.B) {
		c, err := newCanvas()
		if err != nil {
			b.Fatal(err)
		}
		run(b, func() ([]byte, error) { return c.draw(weeks, "fr") })
	})
}
