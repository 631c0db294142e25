package edition

import "github.com/codecitoyen/suivi/internal/validate"

// Limits on an edition file. Edition files come from coordinators through
// the CLI and the API, so Parse must stay cheap whatever it is sent, and
// what it accepts must stay small: every program's workflow state carries a
// Snapshot of its edition, and Temporal refuses payloads over 2 MB. A real
// edition (examples/ncc-2027.yaml) is about 5 KB with 9 cities, 6 themes and
// 7 milestones, far inside every limit.
const (
	// MaxFileSize is the largest edition file Parse reads, in bytes.
	MaxFileSize = 256 << 10

	// MaxCities, MaxThemes and MaxMilestones bound the lists of an edition,
	// and MaxCoordinators the coordinators of one city.
	MaxCities       = 50
	MaxCoordinators = 20
	MaxThemes       = 30
	MaxMilestones   = 40

	// MaxIDLength is the longest edition, theme or milestone id: the limit
	// of validate.Slug, repeated here so it can be documented and tested.
	MaxIDLength = 63
	// MaxTitleLength is the longest edition name or theme or milestone
	// title, in characters, in each language.
	MaxTitleLength = 200
	// MaxCityNameLength is the longest city name, in characters.
	MaxCityNameLength = 100
	// MaxTimeZoneLength is the longest time zone name, in bytes; the longest
	// IANA name, America/Argentina/ComodRivadavia, has 32.
	MaxTimeZoneLength = 64
	// MaxMeetupLength is the longest meetup rule, in characters;
	// "troisième mercredi à 19h00" has 26.
	MaxMeetupLength = 64
	// MaxEmailLength is the longest coordinator address, in bytes (RFC
	// 5321's path limit), the one validate.Email applies.
	MaxEmailLength = validate.MaxEmailLen
	// MaxDueLength is the longest milestone due, in bytes: a date has 10,
	// "+3650d" has 6.
	MaxDueLength = 16

	// MinYear and MaxYear bound the years of the call for projects and of
	// the hackathon. Every other date of an edition (milestones, the end of
	// the accompaniment) is checked against these, so none is far away.
	MinYear = 2000
	MaxYear = 2100

	// MaxHackathonDays is the longest hackathon, from start to end: La Nuit
	// du Code Citoyen lasts 48 hours. A longer one is almost always a typo
	// in a year, and it would stretch every snapshot's time zone table.
	MaxHackathonDays = 14

	// MinAccompanimentMonths and MaxAccompanimentMonths bound
	// accompaniment_months.
	MinAccompanimentMonths = 1
	MaxAccompanimentMonths = 60

	// MaxErrors is how many problems Parse reports, in line order, before
	// saying how many more there are: a garbled file should not turn into
	// megabytes of messages.
	MaxErrors = 100

	// MaxSnapshotBytes bounds the JSON encoding of any Snapshot of an
	// edition Parse accepts. TestSnapshotAtEveryMaximum builds the largest
	// one, with every list full and every string at its longest, and gets
	// about 132 KiB: 40 milestones × 2 titles × 200 characters, each up to 6
	// bytes of JSON (encoding/json writes "<" as \u003c), make 94 KiB; 20
	// coordinators × 254 bytes of "&" make 29 KiB; time zone offsets over
	// at most 9 years make 2 KiB. The bound leaves room for a few more
	// fields, and is a small part of Temporal's 2 MB payload limit.
	MaxSnapshotBytes = 160 << 10
)
