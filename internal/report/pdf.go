package report

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Page geometry, in millimetres, and text sizes, in points.
const (
	pageMargin   = 15.0
	bottomMargin = 18.0 // leaves room for the footer
	lineH        = 4.6  // body line
	cellLineH    = 4.0  // table line
	cellPad      = 0.9  // above and below a table row's text
	chartW       = 170.0
	chartH       = chartW * ChartHeight / ChartWidth
	bodySize     = 9.5
	tableSize    = 8.5
	fontFamily   = "go"
)

// Colours as RGB.
var (
	inkRGB    = [3]int{0x22, 0x22, 0x22}
	mutedRGB  = [3]int{0x66, 0x66, 0x66}
	accentRGB = [3]int{0x1f, 0x4e, 0x8c}
	linkRGB   = [3]int{0x1a, 0x5f, 0xb4}
	fillRGB   = [3]int{0xec, 0xf1, 0xf7}
	ruleRGB   = [3]int{0xd0, 0xd0, 0xd0}
)

// PDF renders r as an A4 portrait PDF in r.Lang. The same report gives
// the same bytes: the dates come from r.To and resources are sorted.
func PDF(r *Report) ([]byte, error) {
	r = printable(r)
	charts, wait := renderCharts(r)
	defer wait()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	// fpdf writes dates without a zone, which readers take as UTC.
	f.SetCreationDate(r.To.UTC())
	f.SetModificationDate(r.To.UTC())
	f.SetCompression(true)
	f.SetLang(r.Lang)
	f.SetMargins(pageMargin, pageMargin, pageMargin)
	f.SetAutoPageBreak(true, bottomMargin)
	// Go fonts cover Latin, Greek and Cyrillic; as UTF-8 fonts they are
	// embedded as subsets, with no cp1252 translation.
	f.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	f.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)

	d := &pdfDoc{f: f, lang: r.Lang, charts: charts}
	title := d.title(r)
	f.SetTitle(title, true)
	f.SetSubject(d.period(r), true)
	f.SetAuthor("Suivi", true)
	f.SetCreator("Suivi", true)
	f.SetFooterFunc(func() { d.footer(r) })

	f.AddPage()
	d.cover(r, title)
	d.summary(r)
	for i := range r.Programs {
		d.program(&r.Programs[i])
	}
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("render PDF: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// pdfDoc is a PDF being written.
type pdfDoc struct {
	f    *fpdf.Fpdf
	lang string
	// charts maps weeks (by weeksKey) to their PNG; registered is the
	// set already given to fpdf, by image name.
	charts     map[string]*chartPNG
	registered map[string]bool
}

type chartPNG struct {
	name  string
	weeks []Week
	done  chan struct{} // closed when png or err is set
	png   []byte
	err   error
}

// weeksKey identifies a series of weeks, so that identical charts are
// drawn and embedded once.
func weeksKey(weeks []Week) string {
	var b strings.Builder
	for _, w := range weeks {
		b.WriteString(w.Start)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(w.Commits))
		b.WriteByte(',')
	}
	return b.String()
}

// renderCharts starts drawing every distinct chart of r, on every core,
// while the caller lays out pages: charts are much of the work for a
// large report. Each chart's done is closed once drawn; wait returns
// when all are.
func renderCharts(r *Report) (charts map[string]*chartPNG, wait func()) {
	charts = map[string]*chartPNG{}
	var order []*chartPNG
	add := func(weeks []Week) {
		k := weeksKey(weeks)
		if _, ok := charts[k]; !ok {
			c := &chartPNG{name: fmt.Sprintf("chart%d", len(order)), weeks: weeks, done: make(chan struct{})}
			charts[k] = c
			order = append(order, c)
		}
	}
	add(r.Summary.Weeks)
	for _, p := range r.Programs {
		if len(p.Health.Weeks) > 0 {
			add(p.Health.Weeks)
		}
	}
	next := make(chan *chartPNG, len(order))
	for _, c := range order {
		next <- c
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(order)) {
		wg.Go(func() {
			cv, err := newCanvas()
			for c := range next {
				if err == nil {
					c.png, c.err = cv.draw(c.weeks, r.Lang)
				} else {
					c.err = err
				}
				close(c.done)
			}
		})
	}
	return charts, wg.Wait
}

func (d *pdfDoc) title(r *Report) string {
	key := "title.funder"
	if r.Kind == "edition" {
		key = "title.edition"
	}
	t := T(d.lang, key, r.Title)
	if r.City != "" {
		t += " — " + r.City
	}
	return t
}

func (d *pdfDoc) period(r *Report) string {
	return T(d.lang, "period", MonthName(r.Month, d.lang), Date(r.To.AddDate(0, 0, -1), d.lang))
}

func (d *pdfDoc) footer(r *Report) {
	f := d.f
	f.SetY(-12)
	d.font("", 8, mutedRGB)
	w, _ := f.GetPageSize()
	half := (w - 2*pageMargin) / 2
	f.CellFormat(half, 5, d.fit(MonthName(r.Month, d.lang)+" · "+r.Title, half), "", 0, "L", false, 0, "")
	f.CellFormat(half, 5, T(d.lang, "page", f.PageNo()), "", 0, "R", false, 0, "")
}

func (d *pdfDoc) font(style string, size float64, rgb [3]int) {
	d.f.SetFont(fontFamily, style, size)
	d.f.SetTextColor(rgb[0], rgb[1], rgb[2])
}

// fit shortens s with an ellipsis until it holds in w.
func (d *pdfDoc) fit(s string, w float64) string {
	if d.f.GetStringWidth(s) <= w-2*d.f.GetCellMargin() {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && d.f.GetStringWidth(string(rs)+"…") > w-2*d.f.GetCellMargin() {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// need starts a new page unless h millimetres are left on this one, so
// that a heading is never left alone at a page's foot.
func (d *pdfDoc) need(h float64) {
	if d.overflows(h) {
		d.f.AddPage()
	}
}

func (d *pdfDoc) heading(s string, size float64, space float64) {
	d.need(space)
	d.font("B", size, accentRGB)
	d.f.MultiCell(0, size*0.5, s, "", "L", false)
	d.f.Ln(1)
}

func (d *pdfDoc) subheading(s string) {
	d.f.Ln(1.5)
	d.heading(s, 10.5, 20)
}

// para writes wrapped body text; MultiCell breaks long words and pages.
func (d *pdfDoc) para(s string) {
	d.font("", bodySize, inkRGB)
	d.f.MultiCell(0, lineH, s, "", "L", false)
}

// pair writes "label : value" with the label in bold.
func (d *pdfDoc) pair(label, value string) {
	f := d.f
	d.need(lineH)
	d.font("B", bodySize, inkRGB)
	l := label + T(d.lang, "colon")
	left, _, right, _ := f.GetMargins()
	pw, _ := f.GetPageSize()
	lw := f.GetStringWidth(l) + 2*f.GetCellMargin()
	if lw > (pw-left-right)/2 {
		// A long label gets a line of its own.
		f.MultiCell(0, lineH, l, "", "L", false)
		d.para(value)
		return
	}
	f.CellFormat(lw, lineH, l, "", 0, "L", false, 0, "")
	d.font("", bodySize, inkRGB)
	// The value wraps within the rest of the line.
	f.MultiCell(0, lineH, value, "", "L", false)
}

func (d *pdfDoc) chart(weeks []Week) {
	c := d.charts[weeksKey(weeks)]
	if c == nil {
		return
	}
	f := d.f
	<-c.done
	if c.err != nil {
		f.SetError(fmt.Errorf("commits chart: %w", c.err))
		return
	}
	opts := fpdf.ImageOptions{ImageType: "PNG"}
	if !d.registered[c.name] {
		if d.registered == nil {
			d.registered = map[string]bool{}
		}
		info := f.RegisterImageOptionsReader(c.name, opts, bytes.NewReader(c.png))
		if info == nil {
			return // f.Error says why
		}
		if err := orderImage(info, len(d.registered)); err != nil {
			f.SetError(err)
			return
		}
		d.registered[c.name] = true
	}
	f.Ln(1)
	d.need(chartH + 2)
	x, y := f.GetX(), f.GetY()
	f.ImageOptions(c.name, x, y, chartW, chartH, false, opts, 0, "")
	f.SetY(y + chartH + 2)
}

// orderImage gives the k-th image a place of its own in the file.
// fpdf v0.12.0 writes images sorted by width alone, even with
// SetCatalogSort, so images of the same width come out in map order and
// the bytes change from one run to the next. Adding k millionths of a
// pixel to the width it sorts on fixes their order; it writes /Width
// truncated, so the PDF still says 640. ImageInfoType's fields are
// unexported: its Gob encoding is the one way to change the width.
func orderImage(info *fpdf.ImageInfoType, k int) error {
	buf, err := info.GobEncode()
	if err != nil {
		return fmt.Errorf("order image: %w", err)
	}
	var (
		data, smask, pal []byte
		n, bpc           int
		w, h, scale, dpi float64
		cs, filter, dp   string
		trns             []int
	)
	// The order of fpdf's GobEncode.
	fields := []any{&data, &smask, &n, &w, &h, &cs, &pal, &bpc, &filter, &dp, &trns, &scale, &dpi}
	dec := gob.NewDecoder(bytes.NewReader(buf))
	for _, v := range fields {
		if err := dec.Decode(v); err != nil {
			return fmt.Errorf("order image: fpdf's image encoding changed: %w", err)
		}
	}
	if w != ChartWidth || h != ChartHeight {
		return fmt.Errorf("order image: fpdf's image encoding changed: %gx%g is not the chart's size", w, h)
	}
	w += float64(k+1) / 1e6
	var out bytes.Buffer
	enc := gob.NewEncoder(&out)
	for _, v := range []any{data, smask, n, w, h, cs, pal, bpc, filter, dp, trns, scale, dpi} {
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("order image: %w", err)
		}
	}
	if err := info.GobDecode(out.Bytes()); err != nil {
		return fmt.Errorf("order image: %w", err)
	}
	return nil
}

func (d *pdfDoc) cover(r *Report, title string) {
	d.font("B", 17, accentRGB)
	d.f.MultiCell(0, 8, title, "", "L", false)
	d.f.Ln(1)
	d.font("", 10, mutedRGB)
	d.f.MultiCell(0, 5, d.period(r), "", "L", false)
	d.f.Ln(4)
}

func (d *pdfDoc) summary(r *Report) {
	s := r.Summary
	lang := d.lang
	d.heading(T(lang, "summary"), 14, 40)
	d.pair(T(lang, "programs"), strconv.Itoa(s.Programs))

	d.subheading(T(lang, "phases"))
	rows := make([][]cell, 0, len(s.Phases))
	for _, p := range s.Phases {
		rows = append(rows, []cell{
			{text: T(lang, "phase."+p.Phase)},
			{text: strconv.Itoa(p.Start), right: true},
			{text: strconv.Itoa(p.End), right: true},
			{text: signed(p.End - p.Start), right: true},
		})
	}
	if len(rows) == 0 {
		d.para(T(lang, "none"))
	} else {
		d.table([]float64{70, 36, 36, 36}, []string{T(lang, "phase"), T(lang, "start_of_month"), T(lang, "end_of_month"), T(lang, "change")}, rows)
	}

	d.subheading(T(lang, "milestones"))
	d.pair(T(lang, "on_time"), strconv.Itoa(s.OnTime))
	d.pair(T(lang, "late"), strconv.Itoa(s.Late))
	d.pair(T(lang, "overdue"), strconv.Itoa(s.Overdue))
	d.pair(T(lang, "done_this_month"), strconv.Itoa(s.DoneThisMonth))

	d.subheading(T(lang, "repositories"))
	d.pair(T(lang, "open_licence"), T(lang, "pdf.open_share", Percent(s.OpenRepos, s.Repos), s.OpenRepos, s.Repos))

	d.subheading(T(lang, "meetups"))
	d.para(MeetupsLine(r))

	d.subheading(T(lang, "quiet"))
	if len(s.Quiet) == 0 {
		d.para(T(lang, "none"))
	}
	for _, q := range s.Quiet {
		line := T(lang, "quiet_days", q.Name, q.Days)
		if q.Never {
			line = T(lang, "quiet_never", q.Name)
		}
		d.para("• " + line)
	}

	// The chart has its own title: the heading is just "Commits".
	d.subheading(T(lang, "commits"))
	d.pair(T(lang, "pdf.commits_month"), strconv.Itoa(s.Commits))
	d.chart(s.Weeks)
}

// signed writes a change with its sign: +2, −1, 0.
func signed(n int) string {
	switch {
	case n > 0:
		return "+" + strconv.Itoa(n)
	case n < 0:
		return "−" + strconv.Itoa(-n)
	}
	return "0"
}

func (d *pdfDoc) program(p *Program) {
	lang := d.lang
	f := d.f
	f.Ln(4)
	// A program starts with room for its heading and first lines.
	d.need(45)
	left, _, right, _ := f.GetMargins()
	pw, _ := f.GetPageSize()
	f.SetDrawColor(accentRGB[0], accentRGB[1], accentRGB[2])
	f.SetLineWidth(0.4)
	f.Line(left, f.GetY(), pw-right, f.GetY())
	f.Ln(2)
	d.heading(p.Name, 13, 0)

	var info []string
	add := func(key, v string) {
		if v != "" {
			info = append(info, T(lang, key)+T(lang, "colon")+v)
		}
	}
	add("city", p.City)
	add("theme", p.Theme)
	add("phase", T(lang, "phase."+p.Phase))
	add("started", Date(p.Started, lang))
	d.para(strings.Join(info, "  ·  "))

	if len(p.Phases) > 0 {
		steps := make([]string, len(p.Phases))
		for i, ph := range p.Phases {
			steps[i] = fmt.Sprintf("%s (%s)", T(lang, "phase."+ph.Phase), Date(ph.Since, lang))
		}
		d.pair(T(lang, "phase_history"), strings.Join(steps, " → "))
	}

	d.subheading(T(lang, "milestones"))
	d.milestones(p.Milestones)
	d.subheading(T(lang, "repositories"))
	d.repos(p.Repos)
	d.subheading(T(lang, "health"))
	d.health(p.Health)
	if len(p.Health.Weeks) > 0 {
		d.chart(p.Health.Weeks)
	}

	d.subheading(T(lang, "attendance"))
	if len(p.Attended) == 0 {
		d.para(T(lang, "none"))
	} else {
		months := make([]string, len(p.Attended))
		for i, m := range p.Attended {
			months[i] = MonthName(m, lang)
		}
		d.para(fmt.Sprintf("%s (%d)", strings.Join(months, ", "), len(p.Attended)))
	}

	d.subheading(T(lang, "mentor_note"))
	if p.Note == "" {
		d.para(T(lang, "no_data"))
		return
	}
	d.font("", 8.5, mutedRGB)
	by := Date(p.NoteAt, lang)
	if p.NoteBy != "" {
		by = T(lang, "pdf.note_by", by, p.NoteBy)
	}
	f.MultiCell(0, lineH, by, "", "L", false)
	d.para(p.Note)
}

func (d *pdfDoc) milestones(ms []Milestone) {
	lang := d.lang
	if len(ms) == 0 {
		d.para(T(lang, "none"))
		return
	}
	rows := make([][]cell, 0, len(ms))
	for _, m := range ms {
		title := m.Title
		if m.Optional {
			title += " (" + T(lang, "pdf.optional") + ")"
		}
		rows = append(rows, []cell{
			{text: title},
			{text: dueDate(m.Due, lang)},
			{text: T(lang, "state."+m.State)},
			{text: Date(m.ClosedAt, lang)},
			{text: orDash(m.Evidence), link: m.Evidence},
		})
	}
	d.table([]float64{52, 22, 28, 22, 56},
		[]string{T(lang, "pdf.milestone"), T(lang, "due"), T(lang, "status"), T(lang, "pdf.closed"), T(lang, "evidence")}, rows)
}

// dueDate writes a YYYY-MM-DD day the way Date writes instants.
func dueDate(s, lang string) string {
	if lang == "en" || len(s) != len("2006-01-02") {
		return s
	}
	return s[8:10] + "/" + s[5:7] + "/" + s[0:4]
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (d *pdfDoc) repos(repos []Repo) {
	lang := d.lang
	if len(repos) == 0 {
		d.para(T(lang, "none"))
		return
	}
	rows := make([][]cell, 0, len(repos))
	for _, r := range repos {
		name := r.URL
		if r.RenamedFrom != "" {
			name += "\n" + T(lang, "renamed_from", r.RenamedFrom)
		}
		state := T(lang, "licence.unknown")
		if r.Open != nil && *r.Open {
			state = T(lang, "licence.open")
		} else if r.Open != nil {
			state = T(lang, "licence.closed")
		}
		lic := state
		if r.Licence != "" {
			lic = r.Licence + " — " + state
		}
		rows = append(rows, []cell{{text: name, link: r.URL}, {text: lic}})
	}
	d.table([]float64{110, 70}, []string{T(lang, "pdf.repository"), T(lang, "licence")}, rows)
}

func (d *pdfDoc) health(h Health) {
	lang := d.lang
	count := func(n int) string {
		if n < 0 {
			return T(lang, "no_data")
		}
		return strconv.Itoa(n)
	}
	hours := T(lang, "no_data")
	if h.FirstResponseHours >= 0 {
		hours = T(lang, "hours", Number(h.FirstResponseHours, lang))
	}
	items := [][2]string{
		{T(lang, "pdf.commits_total"), count(h.Commits)},
		{T(lang, "pdf.commits_month"), count(h.MonthCommits)},
		{T(lang, "active"), count(h.Active)},
		{T(lang, "team"), count(h.Team)},
		{T(lang, "newcomers"), count(h.Newcomers)},
		{T(lang, "inactive"), count(h.Inactive)},
		{T(lang, "closure_ratio"), Number(h.ClosureRatio, lang)},
		{T(lang, "first_response"), hours},
		{T(lang, "releases"), count(h.Releases)},
		{T(lang, "absence_factor"), count(h.AbsenceFactor)},
		{T(lang, "last_commit"), Date(h.LastCommit, lang)},
	}
	// Two label-value pairs a row keep the figures on a few lines.
	var rows [][]cell
	for i := 0; i < len(items); i += 2 {
		row := []cell{{text: items[i][0], muted: true}, {text: items[i][1], right: true}, {}, {}}
		if i+1 < len(items) {
			row[2] = cell{text: items[i+1][0], muted: true}
			row[3] = cell{text: items[i+1][1], right: true}
		}
		rows = append(rows, row)
	}
	d.table([]float64{64, 26, 64, 26}, nil, rows)
}

// cell is one table cell: text, wrapped to the column; a link makes the
// whole cell clickable.
type cell struct {
	text  string
	link  string
	right bool
	muted bool
}

// table draws rows under a header row (none when header is nil). A row
// never splits across pages; the header is repeated on a new page.
func (d *pdfDoc) table(widths []float64, header []string, rows [][]cell) {
	if len(rows) == 0 {
		return
	}
	var head *rowLayout
	if header != nil {
		hc := make([]cell, len(header))
		for i, h := range header {
			// A heading sits on the same side as its figures.
			hc[i] = cell{text: h, right: rows[0][i].right}
		}
		head = d.layout(widths, hc, true)
	}
	for i, r := range rows {
		row := d.layout(widths, r, false)
		switch {
		case i == 0 && head != nil:
			// The header goes to the next page with the first row.
			d.need(head.h + row.h)
			d.row(widths, head)
		case d.overflows(row.h):
			d.f.AddPage()
			if head != nil {
				d.row(widths, head)
			}
		}
		d.row(widths, row)
	}
	d.f.Ln(1)
}

// overflows tells whether a row of height h would cross the page's foot.
func (d *pdfDoc) overflows(h float64) bool {
	_, ph := d.f.GetPageSize()
	return d.f.GetY()+h > ph-bottomMargin
}

// maxCellLines bounds a cell so that a row always fits on one page.
func maxCellLines() int {
	return int((297 - pageMargin - bottomMargin - 20) / cellLineH)
}

func (d *pdfDoc) cellLines(c cell, w float64, bold bool) []string {
	style := ""
	if bold {
		style = "B"
	}
	d.f.SetFont(fontFamily, style, tableSize)
	var lines []string
	for _, par := range strings.Split(c.text, "\n") {
		if par == "" {
			lines = append(lines, "")
			continue
		}
		lines = append(lines, d.f.SplitText(par, w)...)
	}
	if n := maxCellLines(); len(lines) > n {
		lines = append(lines[:n-1], lines[n-1]+"…")
	}
	return lines
}

// rowLayout is a table row with its cells' text cut into lines.
type rowLayout struct {
	cells  []cell
	lines  [][]string
	h      float64
	header bool
}

func (d *pdfDoc) layout(widths []float64, cells []cell, header bool) *rowLayout {
	l := &rowLayout{cells: cells, lines: make([][]string, len(cells)), header: header}
	n := 1
	for i, c := range cells {
		l.lines[i] = d.cellLines(c, widths[i], header)
		n = max(n, len(l.lines[i]))
	}
	l.h = float64(n)*cellLineH + 2*cellPad
	return l
}

func (d *pdfDoc) row(widths []float64, l *rowLayout) {
	f := d.f
	// Page breaks are decided by table, not in the middle of a row.
	f.SetAutoPageBreak(false, bottomMargin)
	defer f.SetAutoPageBreak(true, bottomMargin)

	left, _, _, _ := f.GetMargins()
	y := f.GetY()
	total := 0.0
	for _, w := range widths {
		total += w
	}
	if l.header {
		f.SetFillColor(fillRGB[0], fillRGB[1], fillRGB[2])
		f.Rect(left, y, total, l.h, "F")
	}
	x := left
	for i, c := range l.cells {
		style, rgb := "", inkRGB
		switch {
		case l.header:
			style = "B"
		case c.link != "":
			rgb = linkRGB
		case c.muted:
			rgb = mutedRGB
		}
		d.font(style, tableSize, rgb)
		align := "L"
		if c.right {
			align = "R"
		}
		for j, line := range l.lines[i] {
			f.SetXY(x, y+cellPad+float64(j)*cellLineH)
			f.CellFormat(widths[i], cellLineH, line, "", 0, align, false, 0, "")
		}
		if c.link != "" {
			f.LinkString(x, y, widths[i], l.h, c.link)
		}
		x += widths[i]
	}
	f.SetDrawColor(ruleRGB[0], ruleRGB[1], ruleRGB[2])
	f.SetLineWidth(0.2)
	f.Line(left, y+l.h, left+total, y+l.h)
	f.SetXY(left, y+l.h)
}
