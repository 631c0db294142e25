package web_test

import "net/http"

// The funders' and reports' routes in the role × route matrix. The
// fixture's clock is 1 April 2027, so March 2027 is the last month over.
func init() {
	const (
		ok        = http.StatusOK
		seeOther  = http.StatusSeeOther
		forbidden = http.StatusForbidden
		notFound  = http.StatusNotFound
		unauth    = http.StatusUnauthorized
	)
	// Only a coordinator of every city changes a funder; its own funder
	// sees it (403 on a change), anyone else is told there is none.
	set := only(unauth, ok, notFound, global)
	set[otherFunder] = forbidden
	addRows(map[string][]row{
		"GET /funders":                        {{want: only(seeOther, ok, notFound, global)}},
		"POST /funders":                       {{body: "slug=form-funder&name=F&contacts=ff%40example.org", want: only(seeOther, reaches, notFound, global)}},
		"GET /funders/{slug}":                 {{path: "/funders/metropole", want: only(seeOther, ok, notFound, global, funder)}},
		"GET /funders/{slug}/reports/{month}": {{path: "/funders/metropole/reports/2027-03", want: only(seeOther, ok, notFound, global, funder)}},
		"GET /editions/{edition}/report": {
			{name: "Lyon", path: "/editions/ncc-2027/report?city=Lyon&month=2027-03", want: only(seeOther, ok, notFound, global, lyon)},
			{name: "every city", path: "/editions/ncc-2027/report?month=2027-03", want: only(seeOther, ok, notFound, global)},
		},
		"GET /api/v1/funders":        {{want: only(unauth, ok, notFound, global)}},
		"POST /api/v1/funders":       {{body: `{"slug": "new-funder", "name": "Nouveau", "contacts": ["nf@example.org"]}`, want: only(unauth, reaches, notFound, global)}},
		"GET /api/v1/funders/{slug}": {{path: "/api/v1/funders/metropole", want: only(unauth, ok, notFound, global, funder)}},
		"PUT /api/v1/funders/{slug}": {{path: "/api/v1/funders/region", body: `{"name": "Région", "contacts": ["other-funder@example.org"]}`, want: set}},
		"GET /api/v1/funders/{slug}/reports/{month}": {
			{name: "json", path: "/api/v1/funders/metropole/reports/2027-03", want: only(unauth, ok, notFound, global, funder)},
			{name: "pdf", path: "/api/v1/funders/metropole/reports/2027-03?format=pdf", want: only(unauth, ok, notFound, global, funder)},
		},
		"GET /api/v1/editions/{edition}/report": {{path: "/api/v1/editions/ncc-2027/report?city=Lyon&month=2027-03&format=csv", want: only(unauth, ok, notFound, global, lyon)}},
	})
}
