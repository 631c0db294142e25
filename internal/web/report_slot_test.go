package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// With every place to build a report taken, a request waits until its
// time runs out and then answers 503, not a pile of concurrent builds.
func TestReportSlotsAreBounded(t *testing.T) {
	h := &handler{Deps: Deps{Logger: slog.New(slog.DiscardHandler)}, reports: make(chan struct{}, 1)}
	r := httptest.NewRequest("GET", "/api/v1/funders/x/reports/2027-03", nil)
	w := httptest.NewRecorder()
	if !h.reportSlot(w, r) {
		t.Fatal("the first report found no place")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w = httptest.NewRecorder()
	if h.reportSlot(w, r.WithContext(ctx)) || w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Fatalf("a second report while the place is taken = %d %q", w.Code, w.Body.String())
	}
	<-h.reports
	if !h.reportSlot(httptest.NewRecorder(), r) {
		t.Fatal("a freed place was not given")
	}
}
