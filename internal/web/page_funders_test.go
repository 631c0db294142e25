package web_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// A coordinator links a funder from the program's page; a mentor of the
// program gets no form and cannot post one; an unknown funder is a message,
// not a link.
func TestFundFromTheProgramPage(t *testing.T) {
	f := newSite(t, nil)
	page := f.page(t, pLyon, "/programs/ncc-2027/autre", "fr")
	if page.status != http.StatusNotFound {
		t.Fatalf("Tunis's program for a Lyon coordinator = %d", page.status)
	}
	page = f.page(t, pGlobal, "/programs/ncc-2027/demoscampi", "en")
	if !strings.Contains(page.body, `action="/programs/ncc-2027/demoscampi/actions/fund"`) || !strings.Contains(page.body, `<option value="region">`) ||
		strings.Contains(page.body, `<option value="metropole">`) {
		t.Fatalf("the fund form offers the funders not yet funding: %.2000s", page.body)
	}
	if a := f.form(t, pMentor, "/programs/ncc-2027/demoscampi/actions/fund", "funder=region", "en"); a.status != http.StatusForbidden {
		t.Fatalf("a mentor funds = %d", a.status)
	}
	if a := f.form(t, pGlobal, "/programs/ncc-2027/demoscampi/actions/fund", "funder=nobody", "en"); a.status != http.StatusSeeOther {
		t.Fatalf("an unknown funder = %d %.300s", a.status, a.body)
	}
	if a := f.form(t, pGlobal, "/programs/ncc-2027/demoscampi/actions/fund", "funder=region", "en"); a.status != http.StatusSeeOther {
		t.Fatalf("fund = %d %.300s", a.status, a.body)
	}
	// A funder does not learn who else funds the program.
	if a := f.page(t, pFunder, "/programs/ncc-2027/demoscampi", "en"); a.status != http.StatusOK || strings.Contains(a.body, "region") {
		t.Fatalf("a funder's view of the program names the other funders: %d", a.status)
	}
	got, err := f.st.ProgramFunders(context.Background(), "ncc-2027", "demoscampi")
	if err != nil || !slices.Equal(got, []string{"metropole", "region"}) {
		t.Fatalf("funders = %v, %v", got, err)
	}
	// The funders' page: the list and its form, for coordinators of every
	// city only; a bad form is shown again with what is wrong.
	if a := f.page(t, pGlobal, "/funders", "fr"); a.status != http.StatusOK || !strings.Contains(a.body, "Funder metropole") || !strings.Contains(a.body, `action="/funders"`) {
		t.Fatalf("/funders = %d", a.status)
	}
	if a := f.form(t, pGlobal, "/funders", "slug=Bad+Slug&name=&contacts=", "en"); a.status != http.StatusBadRequest ||
		!strings.Contains(a.body, "at least one email address is required") || !strings.Contains(a.body, `value="Bad Slug"`) {
		t.Fatalf("bad funder form = %d %.3000s", a.status, a.body)
	}
}

// The dashboard links to last month's report of what each coordinator
// coordinates, and the link opens.
func TestDashboardLinksToReports(t *testing.T) {
	f := newSite(t, nil)
	lyonLink := "/editions/ncc-2027/report?month=2027-03&amp;city=Lyon"
	if a := f.page(t, pLyon, "/dashboard", "fr"); !strings.Contains(a.body, lyonLink) || strings.Contains(a.body, `report?month=2027-03"`) {
		t.Fatalf("Lyon's dashboard links: %.3000s", a.body)
	}
	if a := f.page(t, pGlobal, "/dashboard", "en"); !strings.Contains(a.body, `/editions/ncc-2027/report?month=2027-03"`) {
		t.Fatal("the global coordinator's dashboard has no link to the edition's report")
	}
	if a := f.page(t, pLyon, strings.ReplaceAll(lyonLink, "&amp;", "&"), "fr"); a.status != http.StatusOK || !strings.Contains(a.body, "Démocratie et crustacés") {
		t.Fatalf("Lyon's report = %d", a.status)
	}
}
