package web

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"slices"
)

// openapiJSON describes the API under /api/v1 in OpenAPI 3.1. It is written
// by hand; openapi_test.go holds it to the routes (every one, and none
// more), to the Go types of the bodies and to real answers.
//
//go:embed openapi.json
var openapiJSON []byte

// openapiETag lets clients and proxies revalidate the description cheaply.
var openapiETag = func() string {
	sum := sha256.Sum256(openapiJSON)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

// OpenAPI returns the API's OpenAPI 3.1 description, as GET
// /api/v1/openapi.json serves it.
func OpenAPI() []byte { return slices.Clone(openapiJSON) }

// openapi serves the description: public, as the shape of the API is no
// secret (what each person may see is decided per request).
func (h *handler) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("ETag", openapiETag)
	w.Header().Set("Cache-Control", "public, max-age=300")
	if r.Header.Get("If-None-Match") == openapiETag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openapiJSON)
}
