package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/codecitoyen/suivi/internal/store"
)

// Files is a report and the files made from it.
type Files struct {
	Report *Report
	PDF    []byte
	CSV    []byte
	// ID is the stored report's id, 0 when it was not stored.
	ID int64
}

// ErrMonthNotOver refuses a report for a month that has not ended: its
// figures would change until it does.
var ErrMonthNotOver = errors.New("month not over")

// CheckMonth validates month and refuses one not over at now.
func CheckMonth(month string, now time.Time) error {
	_, to, err := ParseMonth(month)
	if err != nil {
		return err
	}
	if now.Before(to) {
		return fmt.Errorf("%w: %s ends on %s; the latest complete month is %s", ErrMonthNotOver, month, to.Format("2006-01-02"), PreviousMonth(now))
	}
	return nil
}

// ForFunder returns a funder's report for a month: the stored one when it
// exists (a report once made never changes), else one built from the facts
// known at the month's end, stored when keep is set.
func ForFunder(ctx context.Context, st *store.Store, slug, month string, now time.Time, keep bool) (*Files, error) {
	if err := CheckMonth(month, now); err != nil {
		return nil, err
	}
	f, err := st.GetFunder(ctx, slug)
	if err != nil {
		return nil, err
	}
	if stored, err := st.FindReport(ctx, "funder", slug, "", month, f.Lang); err == nil {
		return decode(stored)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	from, to, _ := ParseMonth(month)
	facts, err := st.ReportFacts(ctx, store.ReportScope{Funder: slug, From: from}, to)
	if err != nil {
		return nil, err
	}
	files, err := render(Meta{Kind: "funder", Subject: slug, Title: f.Name, Lang: f.Lang, Month: month}, facts)
	if err != nil {
		return nil, err
	}
	if keep {
		data, err := json.Marshal(files.Report)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		id, wrote, err := st.SaveReport(ctx, store.StoredReport{Kind: "funder", Subject: slug, Month: month, Lang: f.Lang, Data: data, PDF: files.PDF, CSV: files.CSV})
		if err != nil {
			return nil, err
		}
		if !wrote {
			// Another run stored it first: that one is the report.
			stored, err := st.GetReport(ctx, id)
			if err != nil {
				return nil, err
			}
			return decode(stored)
		}
		files.ID = id
	}
	return files, nil
}

// ForEdition builds an edition's report (one city, or all) for a month,
// for coordinators; it is not stored.
func ForEdition(ctx context.Context, st *store.Store, editionID, city, month, lang string, now time.Time) (*Files, error) {
	if err := CheckMonth(month, now); err != nil {
		return nil, err
	}
	e, err := st.GetEdition(ctx, editionID)
	if err != nil {
		return nil, err
	}
	ed, err := e.Decode()
	if err != nil {
		return nil, err
	}
	if city != "" {
		c, ok := ed.City(city)
		if !ok {
			return nil, fmt.Errorf("%w: edition %s has no city %q", store.ErrNotFound, editionID, trim(city))
		}
		city = c.Name
	}
	title := ed.Name.FR
	if lang == "en" {
		title = ed.Name.EN
	}
	_, to, _ := ParseMonth(month)
	facts, err := st.ReportFacts(ctx, store.ReportScope{Edition: editionID, City: city}, to)
	if err != nil {
		return nil, err
	}
	return render(Meta{Kind: "edition", Subject: editionID, Title: title, City: city, Lang: lang, Month: month}, facts)
}

func render(meta Meta, facts *store.ReportFacts) (*Files, error) {
	r, err := Build(meta, facts)
	if err != nil {
		return nil, err
	}
	pdf, err := PDF(r)
	if err != nil {
		return nil, fmt.Errorf("report %s %s: pdf: %w", meta.Subject, meta.Month, err)
	}
	csv, err := CSV(r)
	if err != nil {
		return nil, err
	}
	return &Files{Report: r, PDF: pdf, CSV: csv}, nil
}

// Decode reads a stored report back.
func Decode(s store.StoredReport) (*Files, error) { return decode(s) }

func decode(s store.StoredReport) (*Files, error) {
	var r Report
	if err := json.Unmarshal(s.Data, &r); err != nil {
		return nil, fmt.Errorf("report %d: stored figures: %w", s.ID, err)
	}
	return &Files{Report: &r, PDF: s.PDF, CSV: s.CSV, ID: s.ID}, nil
}

// FirstWorkingDay is the first day of t's month (in Paris) that is neither
// a weekend nor a French public holiday.
func FirstWorkingDay(year int, month time.Month) time.Time {
	for d := time.Date(year, month, 1, 0, 0, 0, 0, Paris); ; d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday && !holiday(d) {
			return d
		}
	}
}

// holiday reports the French public holidays (Code du travail, L3133-1)
// that can fall in a month's first days: 1 January, Easter Monday, 1 and 8
// May, Ascension Thursday, Whit Monday, 1 November (the others fall later
// in their month and never delay a first working day).
func holiday(d time.Time) bool {
	m, day := d.Month(), d.Day()
	if (m == time.January && day == 1) || (m == time.May && (day == 1 || day == 8)) || (m == time.November && day == 1) {
		return true
	}
	easter := easterSunday(d.Year())
	for _, offset := range []int{1, 39, 50} { // Monday, Ascension, Whit Monday
		h := easter.AddDate(0, 0, offset)
		if h.Month() == m && h.Day() == day {
			return true
		}
	}
	return false
}

// easterSunday is the Gregorian Easter (the anonymous "Meeus/Jones/Butcher"
// algorithm).
func easterSunday(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, Paris)
}
