package web_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// page asks for a page as r, in language l ("" sends no Accept-Language).
func (f *site) page(t *testing.T, r persona, path, l string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l != "" {
		req.Header.Set("Accept-Language", l)
	}
	if r != pAnon {
		req.Header.Set("Authorization", "Bearer "+f.tokens[r])
	}
	return do(t, req)
}

// form posts a form as r, from Suivi's own page (same origin).
func (f *site) form(t *testing.T, r persona, path, body, l string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", f.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if l != "" {
		req.Header.Set("Accept-Language", l)
	}
	if r != pAnon {
		req.Header.Set("Authorization", "Bearer "+f.tokens[r])
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	return doWith(t, pageClient, req)
}

func doWith(t *testing.T, c *http.Client, req *http.Request) answer {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b), resp.Header}
}

var (
	headingRE = regexp.MustCompile(`<h([1-6])[\s>]`)
	controlRE = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	idRE      = regexp.MustCompile(`\bid="([^"]+)"`)
	typeRE    = regexp.MustCompile(`\btype="([^"]+)"`)
	labelRE   = regexp.MustCompile(`(?s)<label\b[^>]*>.*?</label>`)
	idAttrRE  = regexp.MustCompile(`\bid="([^"]*)"`)
)

// checkAccessible checks what a page must have for assistive technology,
// in the page's source: its language, one h1, headings that never skip a
// level down, a skip link to main, a label for every control (by for= or
// around it), and ids used once.
func checkAccessible(t *testing.T, what, body, l string) {
	t.Helper()
	if !strings.Contains(body, `<html lang="`+l+`">`) {
		t.Errorf("%s: not in %s", what, l)
	}
	if n := strings.Count(body, "<h1"); n != 1 {
		t.Errorf("%s: %d h1, want one", what, n)
	}
	if !strings.Contains(body, `class="skip" href="#main"`) || !strings.Contains(body, `<main id="main"`) {
		t.Errorf("%s: no skip link to main", what)
	}
	last := 0
	for _, m := range headingRE.FindAllStringSubmatch(body, -1) {
		level := int(m[1][0] - '0')
		if level > last+1 {
			t.Errorf("%s: an h%d follows an h%d", what, level, last)
		}
		last = level
	}
	labels := labelRE.FindAllStringIndex(body, -1)
	for _, loc := range controlRE.FindAllStringIndex(body, -1) {
		tag := body[loc[0]:loc[1]]
		if m := typeRE.FindStringSubmatch(tag); m != nil && (m[1] == "hidden" || m[1] == "submit") {
			continue
		}
		inside := false
		for _, lb := range labels {
			if lb[0] < loc[0] && loc[1] <= lb[1] {
				inside = true
			}
		}
		if inside {
			continue
		}
		id := idRE.FindStringSubmatch(tag)
		if id == nil || !strings.Contains(body, `for="`+id[1]+`"`) {
			t.Errorf("%s: a control without a label: %.120s", what, tag)
		}
	}
	seen := map[string]bool{}
	for _, m := range idAttrRE.FindAllStringSubmatch(body, -1) {
		if seen[m[1]] {
			t.Errorf("%s: id %q used twice", what, m[1])
		}
		seen[m[1]] = true
	}
	// A table's header cells say what they head.
	if strings.Contains(body, "<th>") {
		t.Errorf("%s: a th without scope", what)
	}
}
