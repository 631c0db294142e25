package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/workflows"
)

// MeetupScheduleID is the ID of the Schedule announcing one city's meetups.
func MeetupScheduleID(editionID, city string) string {
	return "meetups/" + editionID + "/" + edition.CitySlug(city)
}

// InviteDay is the day of the month, at 09:00 in the city, on which the next
// meetup is announced: about a week before the first week of the next month.
const InviteDay = 24

// EnsureMeetupSchedules creates or updates, for every city of the edition
// with a meetup rule, a Temporal Schedule in the city's time zone that runs
// MeetupWorkflow each month during the accompaniment. Overlaps are skipped
// and a day of missed runs is caught up.
func EnsureMeetupSchedules(ctx context.Context, c client.Client, ed *edition.Edition) (int, error) {
	sc := c.ScheduleClient()
	n := 0
	for _, city := range ed.Cities {
		if city.Meetup == "" {
			continue
		}
		snap, err := ed.Snapshot(city.Name)
		if err != nil {
			return n, err
		}
		id := MeetupScheduleID(ed.ID, city.Name)
		spec := client.ScheduleSpec{
			Calendars: []client.ScheduleCalendarSpec{{
				DayOfMonth: []client.ScheduleRange{{Start: InviteDay}},
				Hour:       []client.ScheduleRange{{Start: 9}},
				Month:      []client.ScheduleRange{{Start: 1, End: 12}},
				DayOfWeek:  []client.ScheduleRange{{Start: 0, End: 6}},
			}},
			TimeZoneName: city.TimeZone,
			StartAt:      snap.HackathonEnd.Add(-31 * 24 * time.Hour),
			EndAt:        snap.AccompanimentEnd,
		}
		action := &client.ScheduleWorkflowAction{
			ID:        "meetup/" + ed.ID + "/" + edition.CitySlug(city.Name),
			Workflow:  workflows.MeetupWorkflow,
			Args:      []any{activities.MeetupInput{Edition: ed.ID, City: city.Name}},
			TaskQueue: config.TaskQueue,
		}
		policy := client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: 24 * time.Hour}
		_, err = sc.Create(ctx, client.ScheduleOptions{
			ID: id, Spec: spec, Action: action,
			Overlap: policy.Overlap, CatchupWindow: policy.CatchupWindow,
			Note: fmt.Sprintf("monthly meetup invitations for %s, %s (%s)", ed.ID, city.Name, city.Meetup),
		})
		var exists *serviceerror.AlreadyExists
		switch {
		case errors.Is(err, temporal.ErrScheduleAlreadyRunning) || errors.As(err, &exists):
			err = sc.GetHandle(ctx, id).Update(ctx, client.ScheduleUpdateOptions{
				DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
					s := in.Description.Schedule
					s.Spec, s.Action = &spec, action
					s.Policy = &policy
					return &client.ScheduleUpdate{Schedule: &s}, nil
				},
			})
			if err != nil {
				return n, fmt.Errorf("temporal: update schedule %s: %w", id, err)
			}
		case err != nil:
			return n, fmt.Errorf("temporal: create schedule %s: %w", id, err)
		}
		n++
	}
	return n, nil
}

// DigestScheduleID is the Schedule of the weekly digest.
const DigestScheduleID = "digest-weekly"

// EnsureDigestSchedule creates, once, the Schedule that builds the weekly
// digests every Monday at 08:00, Paris time.
func EnsureDigestSchedule(ctx context.Context, c client.Client) error {
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: DigestScheduleID,
		Spec: client.ScheduleSpec{
			Calendars: []client.ScheduleCalendarSpec{{
				DayOfWeek:  []client.ScheduleRange{{Start: 1}},
				Hour:       []client.ScheduleRange{{Start: 8}},
				Month:      []client.ScheduleRange{{Start: 1, End: 12}},
				DayOfMonth: []client.ScheduleRange{{Start: 1, End: 31}},
			}},
			TimeZoneName: "Europe/Paris",
		},
		Action:        &client.ScheduleWorkflowAction{ID: "digest", Workflow: workflows.DigestWorkflow, TaskQueue: config.TaskQueue},
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: 24 * time.Hour,
		Note:          "weekly digest of held reminders",
	})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) && !errors.As(err, &exists) {
		return fmt.Errorf("temporal: create schedule %s: %w", DigestScheduleID, err)
	}
	return nil
}

// FunderScheduleID is the Schedule of a funder's monthly report.
func FunderScheduleID(slug string) string { return "funder-report/" + slug }

// EnsureFunderSchedule creates or updates the Schedule that reports to a
// funder every month: at 08:00 Paris time on each of the month's first
// seven weekdays, of which the workflow keeps the first working day
// (a Schedule's calendar knows weekdays, not public holidays). Overlaps are
// skipped; a run missed while Temporal was down is caught up within three
// days, and still reports on the month it was meant for.
func EnsureFunderSchedule(ctx context.Context, c client.Client, slug string) error {
	sc := c.ScheduleClient()
	id := FunderScheduleID(slug)
	spec := client.ScheduleSpec{
		Calendars: []client.ScheduleCalendarSpec{{
			DayOfMonth: []client.ScheduleRange{{Start: 1, End: 7}},
			DayOfWeek:  []client.ScheduleRange{{Start: 1, End: 5}},
			Hour:       []client.ScheduleRange{{Start: 8}},
			Month:      []client.ScheduleRange{{Start: 1, End: 12}},
		}},
		TimeZoneName: "Europe/Paris",
	}
	action := &client.ScheduleWorkflowAction{
		ID:        "funder-report/" + slug,
		Workflow:  workflows.FunderReportWorkflowName,
		Args:      []any{activities.FunderReportInput{Funder: slug}},
		TaskQueue: config.TaskQueue,
	}
	policy := client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: 3 * 24 * time.Hour}
	_, err := sc.Create(ctx, client.ScheduleOptions{
		ID: id, Spec: spec, Action: action, Overlap: policy.Overlap, CatchupWindow: policy.CatchupWindow,
		Note: "monthly progress report to funder " + slug + " (first working day, 08:00 Europe/Paris)",
	})
	var exists *serviceerror.AlreadyExists
	switch {
	case errors.Is(err, temporal.ErrScheduleAlreadyRunning) || errors.As(err, &exists):
		err = sc.GetHandle(ctx, id).Update(ctx, client.ScheduleUpdateOptions{
			DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				s := in.Description.Schedule
				s.Spec, s.Action, s.Policy = &spec, action, &policy
				return &client.ScheduleUpdate{Schedule: &s}, nil
			},
		})
		if err != nil {
			return fmt.Errorf("temporal: update schedule %s: %w", id, err)
		}
	case err != nil:
		return fmt.Errorf("temporal: create schedule %s: %w", id, err)
	}
	return nil
}
