package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
)

// MeetupInput names one city of one edition.
type MeetupInput struct {
	Edition string `json:"edition"`
	City    string `json:"city"`
}

// MeetupResult says which meetup was announced and to how many people.
type MeetupResult struct {
	Meetup  string    `json:"meetup"` // YYYY-MM
	At      time.Time `json:"at"`
	Invited int       `json:"invited"`
}

// InviteMeetup queues an invitation to the city's next meetup (this month's
// if it is still ahead, otherwise next month's) for the holders of every
// program in accompaniment there. Keyed by (program, meetup, recipient).
func (a *Activities) InviteMeetup(ctx context.Context, in MeetupInput) (MeetupResult, error) {
	ed, err := a.edition(ctx, in.Edition)
	if err != nil {
		return MeetupResult{}, err
	}
	city, ok := ed.City(in.City)
	if !ok {
		return MeetupResult{}, fmt.Errorf("edition %s has no city %q", in.Edition, in.City)
	}
	rule, err := edition.ParseRule(city.Meetup)
	if err != nil {
		return MeetupResult{}, fmt.Errorf("city %s: %w", city.Name, err)
	}
	loc, err := time.LoadLocation(city.TimeZone)
	if err != nil {
		return MeetupResult{}, fmt.Errorf("city %s: %w", city.Name, err)
	}
	now := a.now().In(loc)
	at := meetupAt(rule, now.Year(), now.Month(), loc)
	if at.Before(now) {
		next := now.AddDate(0, 1, 1-now.Day())
		at = meetupAt(rule, next.Year(), next.Month(), loc)
	}
	res := MeetupResult{Meetup: at.Format("2006-01"), At: at.UTC()}
	programs, err := a.Store.ListPrograms(ctx, store.ProgramFilter{Edition: in.Edition, City: city.Name, Phase: "accompaniment"})
	if err != nil {
		return res, err
	}
	var msgs []store.Message
	for _, p := range programs {
		for _, h := range p.Holders {
			msgs = append(msgs, store.Message{
				Key:     fmt.Sprintf("%s/%s|meetup-invitation|%s|%s|%s", p.Edition, p.Project, res.Meetup, at.Format("2006-01-02"), h),
				Edition: p.Edition, Project: p.Project, Kind: "meetup-invitation",
				Milestone: res.Meetup, Due: at.Format("2006-01-02"), Recipient: h,
				Payload: map[string]string{"at": res.At.Format(time.RFC3339), "city": city.Name, "time_zone": city.TimeZone},
			})
		}
	}
	if res.Invited, err = a.Notify(ctx, msgs); err != nil {
		return res, err
	}
	return res, nil
}

func meetupAt(r edition.Rule, year int, month time.Month, loc *time.Location) time.Time {
	d := r.Date(year, month).Time()
	return time.Date(d.Year(), d.Month(), d.Day(), r.Hour, r.Minute, 0, 0, loc)
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}
