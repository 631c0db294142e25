// Package validate checks the identifiers and addresses people type into
// Suivi, and says in one sentence how to fix a bad one.
package validate

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Slug checks an edition or project identifier: lowercase letters, digits
// and single hyphens, 2 to 63 characters. what names the field in the error.
func Slug(what, v string) error {
	if v == "" {
		return fmt.Errorf("%s is required", what)
	}
	if len(v) < 2 || len(v) > 63 || !slugRE.MatchString(v) {
		return fmt.Errorf("%s %s is not a valid slug: use 2 to 63 lowercase letters, digits and single hyphens, such as ncc-2027", what, Quote(v))
	}
	return nil
}

// ProgramKey splits "edition/project" and checks both halves.
func ProgramKey(v string) (edition, project string, err error) {
	edition, project, ok := strings.Cut(v, "/")
	if !ok {
		return "", "", fmt.Errorf("program %s must be written EDITION/PROJECT, such as ncc-2027/demoscampi", Quote(v))
	}
	if err := Slug("edition", edition); err != nil {
		return "", "", err
	}
	if err := Slug("project", project); err != nil {
		return "", "", err
	}
	return edition, project, nil
}

// MaxEmailLen is the longest address SMTP carries (RFC 5321's path limit).
const MaxEmailLen = 254

// Email checks a bare email address (no display name) and returns it
// trimmed. Control characters are refused so nothing can be smuggled into a
// mail header later.
func Email(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", fmt.Errorf("email address is required")
	}
	if strings.ContainsFunc(v, Unsafe) {
		return "", fmt.Errorf("email address %s contains control characters or bidirectional formatting characters", Quote(v))
	}
	if len(v) > MaxEmailLen {
		return "", fmt.Errorf("email address %s is %d bytes long; the limit is %d", Quote(v), len(v), MaxEmailLen)
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@")+1:], ".") {
		return "", fmt.Errorf("%s is not an email address: write it as name@example.org", Quote(v))
	}
	return v, nil
}

// maxRepoURLLen bounds a pasted repository URL: owner (39) and name (100)
// plus a deep path such as /tree/main/docs/… fit well within it.
const maxRepoURLLen = 512

var (
	ghOwnerRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$`)
	ghRepoRE  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
)

// GitHubRepo checks a GitHub repository URL and returns it in the canonical
// form https://github.com/OWNER/REPO (see RepoName for the forms accepted).
func GitHubRepo(v string) (string, error) {
	owner, repo, err := RepoName(v)
	if err != nil {
		return "", err
	}
	return "https://github.com/" + owner + "/" + repo, nil
}

// RepoName normalises a GitHub repository in any form people paste: https
// or http, with or without "www.", ".git" or a trailing slash, a deeper path
// (/tree/main/docs, /issues/3), git@github.com:OWNER/REPO.git,
// ssh://git@github.com/OWNER/REPO, or just github.com/OWNER/REPO or
// OWNER/REPO. Other hosts are refused.
func RepoName(v string) (owner, repo string, err error) {
	raw := strings.TrimSpace(v)
	bad := func(why string) (string, string, error) {
		return "", "", fmt.Errorf("repository %s %s: give it as https://github.com/OWNER/REPO", Quote(v), why)
	}
	if len(v) > maxRepoURLLen {
		return bad(fmt.Sprintf("is %d bytes long, more than a GitHub URL can be (%d)", len(v), maxRepoURLLen))
	}
	if raw == "" {
		return "", "", fmt.Errorf("repository URL is required: give it as https://github.com/OWNER/REPO")
	}
	if strings.ContainsFunc(raw, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) {
		return bad("contains spaces or control characters")
	}
	if rest, ok := strings.CutPrefix(raw, "git@"); ok {
		host, path, found := strings.Cut(rest, ":")
		if !found {
			return bad("is not a git@HOST:OWNER/REPO address")
		}
		raw = "ssh://git@" + host + "/" + path
	}
	if !strings.Contains(raw, "://") {
		if strings.Count(raw, "/") == 1 && !strings.Contains(raw, ".") {
			raw = "github.com/" + raw // OWNER/REPO
		}
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("is not a URL")
	}
	switch u.Scheme {
	case "https", "http", "ssh", "git":
	default:
		return bad("is not an https, ssh or git URL")
	}
	host := strings.ToLower(u.Hostname())
	if host != "github.com" && host != "www.github.com" {
		return bad("is not on github.com")
	}
	if u.Port() != "" || (u.User != nil && u.User.Username() != "git") {
		return bad("has extra parts")
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 {
		return bad("does not name one repository")
	}
	owner, repo = parts[0], strings.TrimSuffix(parts[1], ".git")
	if !ghOwnerRE.MatchString(owner) {
		return bad("has an invalid owner")
	}
	if !ghRepoRE.MatchString(repo) || repo == "." || repo == ".." {
		return bad("has an invalid repository name")
	}
	// GitHub removes a .git suffix from the names it is given, so none
	// ends in .git once a clone URL's own has been taken off: "o/x.git.git"
	// would be a repository x.git, whose URL names x.
	if strings.HasSuffix(repo, ".git") {
		return bad("has a repository name ending in .git, which GitHub's names never do")
	}
	return owner, repo, nil
}

// Text checks a short free-text field (a name, a city): required or not,
// at most max characters, no control characters.
func Text(what, v string, required bool, max int) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			return "", fmt.Errorf("%s is required", what)
		}
		return "", nil
	}
	if !utf8.ValidString(v) || strings.ContainsFunc(v, Unsafe) {
		return "", fmt.Errorf("%s contains control characters, bidirectional formatting characters or invalid UTF-8", what)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return "", fmt.Errorf("%s is %d characters long; the limit is %d", what, n, max)
	}
	if !strings.ContainsFunc(v, visible) {
		return "", fmt.Errorf("%s has no visible character", what)
	}
	return v, nil
}

// Note checks a free text of several lines (a summary): at most max
// characters, line breaks and tabs allowed, no other control or
// bidirectional formatting character. Empty is fine.
func Note(what, v string, max int) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r != '\n' && r != '\t' && Unsafe(r) }) {
		return "", fmt.Errorf("%s contains control characters, bidirectional formatting characters or invalid UTF-8", what)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return "", fmt.Errorf("%s is %d characters long; the limit is %d", what, n, max)
	}
	return v, nil
}

// visible reports whether r shows on screen: not a space, nor an invisible
// format character such as U+200B (ZERO WIDTH SPACE).
func visible(r rune) bool {
	return unicode.IsGraphic(r) && !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r)
}
