package edition

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/codecitoyen/suivi/internal/validate"
)

// Rule is a monthly meetup rule such as "first tuesday 19:00": the Petites
// Nuits du Code Citoyen happen on the same weekday of every month, in the
// city's local time.
type Rule struct {
	Ordinal int // 1..4, or -1 for the last such weekday of the month
	Weekday time.Weekday
	Hour    int
	Minute  int
}

// Coordinators write these by hand, in French or English, so both are
// accepted, with and without accents.
var (
	ordinals = map[string]int{
		"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1,
		"premier": 1, "deuxième": 2, "deuxieme": 2, "troisième": 3, "troisieme": 3,
		"quatrième": 4, "quatrieme": 4, "dernier": -1,
	}
	ordinalNames = map[int]string{1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
	weekdays     = map[string]time.Weekday{
		"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
		"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
		"dimanche": time.Sunday, "lundi": time.Monday, "mardi": time.Tuesday, "mercredi": time.Wednesday,
		"jeudi": time.Thursday, "vendredi": time.Friday, "samedi": time.Saturday,
	}
	// 19:00, 19h00, 19h, 9:30.
	ruleTimeRE = regexp.MustCompile(`^([01]?[0-9]|2[0-3])(?::([0-5][0-9])|h([0-5][0-9])?)$`)
)

// ruleForms ends every ParseRule error, so whoever typed a bad rule sees
// what to write instead.
const ruleForms = `write "first tuesday 19:00" (first, second, third, fourth or last; monday to sunday; HH:MM) ` +
	`or "premier mardi 19h00" (premier, deuxième, troisième, quatrième ou dernier; lundi à dimanche; 19h00 ou 19:00)`

// ParseRule reads "first|second|third|fourth|last <weekday> HH:MM" or its
// French form "premier|deuxième|troisième|quatrième|dernier <lundi..dimanche>
// 19h00" (or 19:00), in any case, with an optional "at"/"à" before the time.
func ParseRule(s string) (Rule, error) {
	if n := utf8.RuneCountInString(s); n > MaxMeetupLength {
		return Rule{}, fmt.Errorf("the rule is %d characters long, at most %d: %s", n, MaxMeetupLength, ruleForms)
	}
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 4 && (f[2] == "at" || f[2] == "à") {
		f = append(f[:2], f[3])
	}
	if len(f) != 3 {
		return Rule{}, fmt.Errorf("want three words, ordinal, weekday and time: %s", ruleForms)
	}
	ord, ok := ordinals[f[0]]
	if !ok {
		return Rule{}, fmt.Errorf("unknown ordinal %s: %s", validate.Quote(f[0]), ruleForms)
	}
	wd, ok := weekdays[f[1]]
	if !ok {
		return Rule{}, fmt.Errorf("unknown weekday %s: %s", validate.Quote(f[1]), ruleForms)
	}
	m := ruleTimeRE.FindStringSubmatch(f[2])
	if m == nil {
		return Rule{}, fmt.Errorf("invalid time %s: %s", validate.Quote(f[2]), ruleForms)
	}
	hour, _ := strconv.Atoi(m[1]) // the pattern guarantees digits
	minute := 0
	if mm := m[2] + m[3]; mm != "" {
		minute, _ = strconv.Atoi(mm)
	}
	return Rule{Ordinal: ord, Weekday: wd, Hour: hour, Minute: minute}, nil
}

// Date returns the meetup's civil date in that month. r must come from
// ParseRule; an invalid rule yields the empty Date.
func (r Rule) Date(year int, month time.Month) Date {
	if _, ok := ordinalNames[r.Ordinal]; !ok || r.Weekday < time.Sunday || r.Weekday > time.Saturday {
		return ""
	}
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	if r.Ordinal > 0 {
		day := 1 + (int(r.Weekday)-int(first.Weekday())+7)%7 + 7*(r.Ordinal-1)
		return DateOf(first.AddDate(0, 0, day-1))
	}
	last := first.AddDate(0, 1, -1)
	return DateOf(last.AddDate(0, 0, -((int(last.Weekday()) - int(r.Weekday) + 7) % 7)))
}

// String returns the canonical English form, which ParseRule reads back to
// the same Rule; that is the form stored in snapshots.
func (r Rule) String() string {
	name, ok := ordinalNames[r.Ordinal]
	if !ok {
		name = fmt.Sprintf("ordinal(%d)", r.Ordinal)
	}
	return fmt.Sprintf("%s %s %02d:%02d", name, strings.ToLower(r.Weekday.String()), r.Hour, r.Minute)
}
