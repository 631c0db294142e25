package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/github"
	"github.com/codecitoyen/suivi/internal/licence"
	"github.com/codecitoyen/suivi/internal/validate"
)

// licenceUsage is the help of `suivi license check`, exit codes included:
// CI scripts rely on them.
const licenceUsage = `suivi license check PATH|GITHUB-URL [--json]

Tells which licence a repository checkout, a single licence file, or a GitHub
repository uses, whether it is open (code, data or docs), and why.

Exit codes, so that CI can gate on the answer (the verdict, or the JSON with
--json, is printed first):
  0  the licence is open
  3  it is not open, there is none (NONE), or it cannot be named (NOASSERTION)
  1  an error: bad arguments, a path that cannot be read, GitHub unreachable`

// exitNotOpen is the exit code of an answer that is not "open": distinct
// from 1, which is a failure of the command, so that CI can tell a licence
// to fix from a check that did not run.
const exitNotOpen = 3

// notOpenError is the answer "not open" (or none, or unknown) once printed:
// not a failure of the command, but it must still reach the shell as a
// non-zero exit code.
type notOpenError struct{ spdx string }

func (e *notOpenError) Error() string { return "licence not open: " + e.spdx }

// exitCode is the process exit code for a command's error: exitNotOpen for
// a licence that is not open, 1 for anything else. main's run() returns it
// for every error. A concrete type, not an ExitCode() interface: errors
// from os/exec have that method too, and a child's code (even 0) must not
// become ours.
func exitCode(err error) int {
	var no *notOpenError
	if errors.As(err, &no) {
		return exitNotOpen
	}
	return 1
}

func runLicence(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, "Usage: "+licenceUsage)
			return nil
		}
		return &usageError{"license", "say `suivi license check PATH|GITHUB-URL`"}
	}
	var cfg config.Config
	var asJSON bool
	fs := newFlags("license check", e, &cfg, "github-token", "github-api-url")
	fs.BoolVar(&asJSON, "json", false, "print the verdict as JSON")
	pos, err := parse("license check", e, fs, licenceUsage, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"license check", "name one directory, file or GitHub repository"}
	}
	if err := validConfig("license check", &cfg); err != nil {
		return err
	}
	rep, err := checkLicence(ctx, &cfg, pos[0])
	if err != nil {
		return err
	}
	if asJSON {
		if err := writeJSON(e.stdout, rep); err != nil {
			return err
		}
	} else {
		verdict := "not open"
		if rep.Open {
			verdict = "open"
		}
		fmt.Fprintf(e.stdout, "%s — %s %s licence (confidence %.2f)\n%s\n", rep.SPDX, verdict, rep.Category, rep.Confidence, rep.Reason)
	}
	if !rep.Open {
		return &notOpenError{rep.SPDX}
	}
	return nil
}

// checkLicence reads the target: a directory, a file, or a GitHub
// repository.
func checkLicence(ctx context.Context, cfg *config.Config, target string) (licence.Report, error) {
	k := &licence.Classifier{}
	fi, statErr := os.Stat(target)
	switch {
	case statErr == nil && fi.IsDir():
		return k.Check(ctx, licence.Dir(target))
	case statErr == nil:
		b, err := readBounded(ctx, target, licence.MaxFileSize)
		if errors.Is(err, errTooLarge) {
			return licence.Report{}, fmt.Errorf("%s is %v: a licence text is far shorter; name the licence file itself", validate.Quote(target), err)
		}
		if err != nil {
			return licence.Report{}, unreadable(target, err)
		}
		return k.CheckFile(b, fi.Name())
	case !errors.Is(statErr, fs.ErrNotExist) || looksLocal(target):
		// A path that exists but cannot be read, or that can only be a
		// path: asking GitHub about it would hide the mistake.
		return licence.Report{}, unreadable(target, statErr)
	}
	owner, repo, perr := validate.RepoName(target)
	if perr != nil {
		return licence.Report{}, &usageError{"license check", fmt.Sprintf("%s is neither a file, a directory nor a GitHub repository (%v)", validate.Quote(target), perr)}
	}
	c, err := github.New(github.Options{APIURL: cfg.GitHubAPIURL, Token: cfg.GitHubToken})
	if err != nil {
		return licence.Report{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	files, err := c.Files(ctx, owner+"/"+repo)
	if err != nil {
		return licence.Report{}, err
	}
	return k.Check(ctx, files)
}

// looksLocal reports whether a target that does not exist was meant as a
// path rather than a GitHub repository.
func looksLocal(target string) bool {
	if target == "." || target == ".." {
		return true
	}
	for _, p := range []string{"/", "./", "../", "~"} {
		if strings.HasPrefix(target, p) {
			return true
		}
	}
	return false
}

// unreadable is the error for a path that cannot be read, naming it quoted
// and cut (it is the caller's input) instead of as os repeats it in full.
func unreadable(target string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("license check: cannot read %s: %w", validate.Quote(target), err)
}
