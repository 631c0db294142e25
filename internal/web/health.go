package web

import (
	"context"
	"net/http"
	"time"

	"github.com/codecitoyen/suivi/internal/api"
)

// health answers 200 only when every dependency is ready, and otherwise 503
// naming what is missing.
func (h *handler) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	res := api.Health{Status: "ok", Checks: map[string]string{}}
	for _, c := range h.Checks {
		if err := c.Func(ctx); err != nil {
			res.Status = "unavailable"
			res.Checks[c.Name] = err.Error()
			continue
		}
		res.Checks[c.Name] = "ok"
	}
	status := http.StatusOK
	if res.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, res)
}
