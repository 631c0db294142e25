package mail

import (
	"fmt"
	"strings"
	"time"
)

var (
	monthsFR = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	daysFR   = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
)

// FormatDate writes a civil date (YYYY-MM-DD) the way a reader of lang
// expects: "7 mai 2027", "7 May 2027".
func FormatDate(date, lang string) string {
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		return date
	}
	if lang == "en" {
		return d.Format("2 January 2006")
	}
	return fmt.Sprintf("%d %s %d", d.Day(), monthsFR[d.Month()-1], d.Year())
}

// FormatDateTime writes an instant in loc: "mardi 6 avril 2027 à 19:00",
// "Tuesday 6 April 2027 at 19:00".
func FormatDateTime(t time.Time, loc *time.Location, lang string) string {
	t = t.In(loc)
	if lang == "en" {
		return t.Format("Monday 2 January 2006 at 15:04")
	}
	return fmt.Sprintf("%s %d %s %d à %s", daysFR[t.Weekday()], t.Day(), monthsFR[t.Month()-1], t.Year(), t.Format("15:04"))
}

// EvidenceText says what a step expects, in lang.
func EvidenceText(kind, lang string) string {
	fr := map[string]string{"url": "un lien", "video": "un lien vers la vidéo", "repository": "l’adresse du dépôt"}
	en := map[string]string{"url": "a link", "video": "a link to the video", "repository": "the repository's address"}
	if lang == "en" {
		return en[kind]
	}
	return fr[kind]
}

// IsReminder reports whether a kind is a reminder, which people may choose
// to get as a weekly digest or not at all; escalations and transactional
// messages (welcome, login link, reports) always go out.
func IsReminder(kind string) bool {
	switch {
	case strings.HasPrefix(kind, "due-"), strings.HasPrefix(kind, "overdue-"):
		return true
	}
	switch kind {
	case "meetup-invitation", "licence-missing", "repository-inactive":
		return true
	}
	return false
}

// Unsubscribable reports whether the one-click unsubscribe stops a kind:
// it switches a person to escalations only, which ends reminders and the
// digest of held ones. Other kinds (sign-in links, escalations, failures,
// reports, applications) are transactional and carry no List-Unsubscribe.
func Unsubscribable(kind string) bool { return IsReminder(kind) || kind == "digest" }

// Domain is the domain of a sender address ("Suivi <suivi@example.org>"
// gives "example.org"), for identifiers that must not collide between two
// installations; "suivi.invalid" when there is none.
func Domain(from string) string {
	if i := strings.LastIndex(from, "@"); i >= 0 {
		if d := strings.ToLower(strings.Trim(from[i+1:], "> ")); d != "" {
			return d
		}
	}
	return "suivi.invalid"
}
