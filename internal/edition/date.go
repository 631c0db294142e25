package edition

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/validate"
)

// dateLayout is the only spelling of a civil date in edition files and
// snapshots, so two equal dates are always two equal strings.
const dateLayout = "2006-01-02"

// Date is a civil date "YYYY-MM-DD" (JSON/YAML as that string). It carries no
// time zone on purpose: a milestone is due on a day, wherever the project is.
type Date string

// ParseDate checks s is a real calendar date written YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return "", fmt.Errorf("invalid date %s, want YYYY-MM-DD%s", validate.Quote(s), parseReason(err))
	}
	return Date(t.Format(dateLayout)), nil
}

// parseReason returns ": why" for the time.Parse errors that say why
// beyond the layout ("day out of range"), else "". The error itself is not
// wrapped because its message repeats the whole input, which may be
// anything a file holds.
func parseReason(err error) string {
	var pe *time.ParseError
	if errors.As(err, &pe) && pe.Message != "" {
		return ": " + strings.TrimPrefix(pe.Message, ": ")
	}
	return ""
}

// AddDays returns the date n days later (earlier if n < 0). An invalid Date
// yields the empty Date rather than a plausible-looking wrong one.
func (d Date) AddDays(n int) Date {
	t := d.Time()
	if t.IsZero() {
		return ""
	}
	return DateOf(t.AddDate(0, 0, n))
}

// AddMonths returns the date n months later with time.AddDate semantics:
// 31 January + 1 month is 3 March (2 March in a leap year), never clamped,
// so the result is the same whoever computes it. An invalid Date yields "".
func (d Date) AddMonths(n int) Date {
	t := d.Time()
	if t.IsZero() {
		return ""
	}
	return DateOf(t.AddDate(0, n, 0))
}

// Time returns midnight UTC of that date, for arithmetic that must not depend
// on any zone; it is the zero Time if d is not a valid date.
func (d Date) Time() time.Time {
	t, err := time.Parse(dateLayout, string(d))
	if err != nil {
		return time.Time{}
	}
	return t
}

// DateOf returns the civil date of t in t's own location (use Zone.DateOf for
// a date in another zone).
func DateOf(t time.Time) Date {
	return Date(t.Format(dateLayout))
}
