package validate_test

import (
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/validate"
)

func TestSlug(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"ncc-2027", true}, {"demoscampi", true}, {"a1", true},
		{"", false}, {"a", false}, {"NCC-2027", false}, {"ncc--2027", false}, {"-ncc", false},
		{"ncc-", false}, {"ncc_2027", false}, {"ncc 2027", false}, {"épée", false}, {strings.Repeat("a", 64), false},
	} {
		if err := validate.Slug("edition", tt.in); (err == nil) != tt.ok {
			t.Errorf("Slug(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

func TestProgramKey(t *testing.T) {
	e, p, err := validate.ProgramKey("ncc-2027/demoscampi")
	if err != nil || e != "ncc-2027" || p != "demoscampi" {
		t.Fatalf("ProgramKey = %q, %q, %v", e, p, err)
	}
	for _, bad := range []string{"ncc-2027", "ncc-2027/", "/demoscampi", "ncc-2027/demo/scampi", "NCC/demoscampi"} {
		if _, _, err := validate.ProgramKey(bad); err == nil {
			t.Errorf("ProgramKey(%q) accepted", bad)
		}
	}
}

func TestEmail(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"holder@example.org", "holder@example.org", true},
		{"  holder@example.org ", "holder@example.org", true},
		{"prénom.nom@exemple.fr", "prénom.nom@exemple.fr", true},
		{"", "", false},
		{"nope", "", false},
		{"holder@localhost", "", false},
		{"Holder <holder@example.org>", "", false},
		{"holder@example.org\r\nBcc: x@example.org", "", false},
		{"a@b@example.org", "", false},
	} {
		got, err := validate.Email(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Email(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestGitHubRepo(t *testing.T) {
	const canon = "https://github.com/CodeCitoyen/Demoscampi"
	for _, tt := range []struct {
		in, want string
	}{
		{"https://github.com/CodeCitoyen/Demoscampi", canon},
		{"https://github.com/CodeCitoyen/Demoscampi/", canon},
		{"https://github.com/CodeCitoyen/Demoscampi.git", canon},
		{"http://github.com/CodeCitoyen/Demoscampi", canon},
		{"github.com/CodeCitoyen/Demoscampi", canon},
		{"https://www.github.com/CodeCitoyen/Demoscampi", canon},
		{"git@github.com:CodeCitoyen/Demoscampi.git", canon},
		{"https://github.com/a/b.c-d_e", "https://github.com/a/b.c-d_e"},
		{"", ""},
		{"https://gitlab.com/CodeCitoyen/Demoscampi", ""},
		{"https://github.com/CodeCitoyen", ""},
		{"https://github.com/CodeCitoyen/Demoscampi/issues", canon},
		{"https://github.com/CodeCitoyen/Demoscampi/tree/main/docs", canon},
		{"ssh://git@github.com/CodeCitoyen/Demoscampi.git", canon},
		{"CodeCitoyen/Demoscampi", canon},
		{"https://github.com/CodeCitoyen/Demoscampi?tab=readme", canon},
		{"https://github.com/CodeCitoyen/Demoscampi#readme", canon},
		{"https://gitlab.com/CodeCitoyen", ""},
		{"git@gitlab.com:a/b.git", ""},
		{"https://github.com/a b/c", ""},
		{"https://github.com/-bad/repo", ""},
		{"https://github.com/owner/..", ""},
		{"ftp://github.com/a/b", ""},
		{"https://user:pw@github.com/a/b", ""},
		{"https://github.com.evil.example/a/b", ""},
		// GitHub takes .git off a name it is given: no repository's ends so.
		{"git@github.com:8/.git.git", ""},
		{"https://github.com/o/x.git.git", ""},
		{"https://github.com/o/x.gitlab", "https://github.com/o/x.gitlab"},
	} {
		got, err := validate.GitHubRepo(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("GitHubRepo(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	if v, err := validate.Text("name", "  Démocratie et crustacés ", true, 120); err != nil || v != "Démocratie et crustacés" {
		t.Fatalf("Text = %q, %v", v, err)
	}
	if _, err := validate.Text("name", "", true, 120); err == nil {
		t.Fatal("required empty name accepted")
	}
	if v, err := validate.Text("city", "", false, 64); err != nil || v != "" {
		t.Fatalf("optional empty city = %q, %v", v, err)
	}
	if _, err := validate.Text("name", "a\nBcc: x", true, 120); err == nil {
		t.Fatal("control characters accepted")
	}
	if _, err := validate.Text("city", strings.Repeat("é", 65), false, 64); err == nil {
		t.Fatal("over-long city accepted")
	}
}

// oneShortLine fails t unless err is one line of at most 600 bytes: an
// error quotes at most QuoteLimit characters of what it was given, each at
// most 10 bytes once escaped (\U000e1861), and says how many more there are.
func oneShortLine(t *testing.T, in string, err error) {
	t.Helper()
	if msg := err.Error(); strings.Contains(msg, "\n") || len(msg) > 600 {
		t.Fatalf("%.60q: the error is not one short line (%d bytes): %.300q", in, len(msg), msg)
	}
}

// FuzzRepoName: never panics; a refusal says why in one short line;
// anything accepted is stable (normalising the canonical URL gives the same
// name) and uses only GitHub's characters. The corpus in
// testdata/fuzz/FuzzRepoName holds real repositories in the forms people
// paste them (see testdata/fuzz/README.md).
func FuzzRepoName(f *testing.F) {
	for _, s := range []string{"https://github.com/CodeCitoyen/Demoscampi", "git@github.com:a/b.git", "a/b",
		"https://www.github.com/o/r/tree/main/x", "ssh://git@github.com/o/r", "http://github.com/o/r.git/", "github.com/o"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		owner, repo, err := validate.RepoName(in)
		if err != nil {
			oneShortLine(t, in, err)
			return
		}
		o2, r2, err := validate.RepoName("https://github.com/" + owner + "/" + repo)
		if err != nil || o2 != owner || r2 != repo {
			t.Fatalf("%q -> %s/%s, which normalises to %s/%s (%v)", in, owner, repo, o2, r2, err)
		}
		if strings.ContainsAny(owner+repo, "/ \t\n:@?#") {
			t.Fatalf("%q -> %s/%s has forbidden characters", in, owner, repo)
		}
	})
}

// FuzzEmail: every address anyone types (holders, mentors, coordinators,
// funders' contacts, sign-in) goes through Email, in the web handlers and
// again in the workflow's validators. Never a panic; a refusal in one short
// line; an accepted address is trimmed, within MaxEmailLen, free of
// control and bidirectional characters, has a dot in its domain, and is
// accepted again unchanged.
func FuzzEmail(f *testing.F) {
	for _, s := range []string{"holder@example.org", " Autre@Example.org\r\n", "a@b", "Name <a@example.org>", "a@@example.org",
		"\u202eadmin@example.org", "a\x00@example.org", `"quoted local"@example.org`, "a@[127.0.0.1]", "é@exemple.fr", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := validate.Email(in)
		if err != nil {
			oneShortLine(t, in, err)
			return
		}
		if out != strings.TrimSpace(out) || len(out) > validate.MaxEmailLen || strings.ContainsFunc(out, validate.Unsafe) ||
			!strings.Contains(out[strings.LastIndex(out, "@")+1:], ".") {
			t.Fatalf("Email(%q) = %q", in, out)
		}
		if again, err := validate.Email(out); err != nil || again != out {
			t.Fatalf("Email(%q) = %q, which gives %q, %v", in, out, again, err)
		}
	})
}
