package web_test

import (
	"net/http"

	"github.com/codecitoyen/suivi/workflows"
)

// The pages' rows of the role × route matrix (matrix_test.go). Forms post
// to POST /programs/E/P/actions/A, which decides as the API does: a
// program one may not see is 404, an action one may not take 403, and one
// who may reaches Temporal (503 in the matrix, whose Temporal is a closed
// port). Signed out, every page that needs sign-in is a 303 to /signin.
func init() {
	const (
		ok       = http.StatusOK
		created  = http.StatusCreated
		seeOther = http.StatusSeeOther
		notFound = http.StatusNotFound
	)
	forms := []struct {
		action, body string
		also         []role
	}{
		{workflows.UpdateSelect, "note=", nil},
		{workflows.UpdateReject, "note=hors+sujet", nil},
		{workflows.UpdateSubmit, "milestone=demo&url=https%3A%2F%2Fexample.org%2Fdemo", []role{holder}},
		{workflows.UpdateComplete, "milestone=demo", []role{mentor}},
		{workflows.UpdateWaive, "milestone=explainer-video&note=pas+de+vid%C3%A9o", []role{mentor}},
		{workflows.UpdateScore, "score=15&comment=belle+d%C3%A9mo", []role{jury}},
		{workflows.UpdateAssignMentor, "mentor=m2%40example.org", nil},
		{workflows.UpdateRemoveMentor, "mentor=mentor%40example.org", nil},
		{workflows.UpdateExtend, "milestone=demo&due=2027-06-01", nil},
		{workflows.UpdatePause, "note=%C3%A9t%C3%A9", nil},
		{workflows.UpdateResume, "note=", nil},
		{workflows.UpdateWithdraw, "confirm=on", nil},
		{workflows.UpdateGraduate, "note=", nil},
		{workflows.UpdateAttend, "meetup=2027-04", []role{mentor}},
		{workflows.UpdateAddHolder, "holder=h2%40example.org", nil},
		{workflows.UpdateRemoveHolder, "holder=holder%40example.org", nil},
	}
	var actions []row
	for _, f := range forms {
		actions = append(actions, row{name: f.action, path: "/programs/ncc-2027/demoscampi/actions/" + f.action, body: f.body,
			want: actors(seeOther, reaches, append([]role{global, lyon}, f.also...)...)})
	}
	actions = append(actions,
		// The board opt-in is the read model's, not the workflow's: done.
		row{name: "public", path: "/programs/ncc-2027/demoscampi/actions/public", body: "public=on",
			want: actors(seeOther, seeOther, global, lyon, holder)},
		row{name: "no such action", path: "/programs/ncc-2027/demoscampi/actions/bogus", body: "note=", want: everyone(seeOther, notFound)})

	const preview = "/dashboard/preview?edition=ncc-2027&project=demoscampi&kind=due-in-7-days&milestone=explainer-video&due=2027-04-07&to=holder%40example.org"
	addRows(map[string][]row{
		"GET /static/{file}":           {{path: "/static/suivi.css", want: everyone(ok, ok)}},
		"GET /lang/{lang}":             {{path: "/lang/en?next=/board", want: everyone(seeOther, seeOther)}},
		"GET /board":                   {{want: everyone(ok, ok)}},
		"GET /call/{edition}":          {{path: "/call/ncc-2027", want: everyone(ok, ok)}},
		"GET /call/{edition}/received": {{path: "/call/ncc-2027/received", want: everyone(ok, ok)}},
		// The matrix's clock is past ncc-2027's call: nobody applies.
		"POST /call/{edition}": {{path: "/call/ncc-2027", body: "name=Nouveau&summary=Un+projet&theme=ruralite&city=Lyon&repositories=codecitoyen%2Fnouveau&team=new%40example.org",
			want: everyone(http.StatusConflict, http.StatusConflict)}},
		"GET /calendar/{file}": {{path: "/calendar/c_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics", want: everyone(notFound, notFound)}},
		"GET /dashboard":       {{want: only(seeOther, ok, notFound, global, lyon, tunis)}},
		// The coordinator of Tunis has a dashboard, not this program.
		"GET /dashboard/preview":                              {{path: preview, want: only(seeOther, ok, notFound, global, lyon)}},
		"POST /programs/{edition}/{project}/actions/{action}": actions,
		"GET /jury":                         {{want: only(seeOther, ok, notFound, jury, otherJury)}},
		"GET /me":                           {{want: only(seeOther, ok, notFound, withRole...)}},
		"GET /settings":                     {{want: only(seeOther, ok, notFound, withRole...)}},
		"POST /settings/email":              {{body: "locale=fr&reminders=all", want: only(seeOther, seeOther, notFound, withRole...)}},
		"POST /settings/tokens":             {{body: "name=matrix", want: only(seeOther, created, notFound, withRole...)}},
		"POST /settings/tokens/{id}/revoke": {{path: "/settings/tokens/999999/revoke", body: "x=1", want: everyone(seeOther, notFound)}},
		"POST /settings/calendar":           {{body: "x=1", want: only(seeOther, created, notFound, withRole...)}},
		"POST /settings/calendar/revoke":    {{body: "x=1", want: only(seeOther, seeOther, notFound, withRole...)}},
	})
}
