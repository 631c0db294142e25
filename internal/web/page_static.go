package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/codecitoyen/suivi/internal/validate"
)

//go:embed static
var staticFS embed.FS

// staticTypes are the only files /static serves, by extension.
var staticTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// staticVersions maps each static file to a short hash of its content:
// pages link to /static/FILE?v=HASH, so the file can be cached for a year
// and a new release is fetched at once.
var staticVersions = hashStatic()

func hashStatic() map[string]string {
	out := map[string]string{}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		panic("web: static files: " + err.Error())
	}
	for _, e := range entries {
		b, err := fs.ReadFile(staticFS, "static/"+e.Name())
		if err != nil {
			panic("web: static files: " + err.Error())
		}
		sum := sha256.Sum256(b)
		out[e.Name()] = hex.EncodeToString(sum[:6])
	}
	return out
}

// staticPath is a static file's versioned address.
func staticPath(name string) string {
	return "/static/" + name + "?v=" + staticVersions[name]
}

// staticFile serves the embedded stylesheet (and any small script): public,
// cached for a year since every link carries the content's hash.
func (h *handler) staticFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	ctype, ok := staticTypes[path.Ext(name)]
	if _, known := staticVersions[name]; !ok || !known || strings.ContainsAny(name, "/\\") {
		h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "no static file " + validate.Quote(name)})
		return
	}
	b, err := fs.ReadFile(staticFS, "static/"+name)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	if r.URL.Query().Get("v") == staticVersions[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// Unversioned (the error and sign-in pages, drawn without the
		// layout's helpers): an hour, so a release shows within it.
		w.Header().Set("Cache-Control", "public, max-age=3600")
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("ETag", `"`+staticVersions[name]+`"`)
	if r.Header.Get("If-None-Match") == `"`+staticVersions[name]+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(b)
}
