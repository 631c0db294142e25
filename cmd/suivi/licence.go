package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/github"
	"github.com/codecitoyen/suivi/internal/licence"
	"github.com/codecitoyen/suivi/internal/validate"
)

func runLicence(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, "Usage: suivi license check PATH|GITHUB-URL [--json]\n\nTells which licence a repository checkout, a single licence file, or a GitHub\nrepository uses, whether it is open (code, data or docs), and why.")
			return nil
		}
		return &usageError{"license", "say `suivi license check PATH|GITHUB-URL`"}
	}
	var cfg config.Config
	var asJSON bool
	fs := newFlags("license check", e, &cfg, "github-token", "github-api-url")
	fs.BoolVar(&asJSON, "json", false, "print the verdict as JSON")
	pos, err := parse("license check", e, fs, "suivi license check PATH|GITHUB-URL [--json]", args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"license check", "name one directory, file or GitHub repository"}
	}
	if err := validConfig("license check", &cfg); err != nil {
		return err
	}
	k := &licence.Classifier{}
	target := pos[0]
	var rep licence.Report
	if fi, statErr := os.Stat(target); statErr == nil {
		if fi.IsDir() {
			rep, err = k.Check(ctx, licence.Dir(target))
		} else {
			var b []byte
			if b, err = os.ReadFile(target); err == nil {
				rep, err = k.CheckFile(b, fi.Name())
			}
		}
	} else {
		owner, repo, perr := validate.RepoName(target)
		if perr != nil {
			return &usageError{"license check", fmt.Sprintf("%q is neither a file, a directory nor a GitHub repository (%v)", target, perr)}
		}
		c, cerr := github.New(github.Options{APIURL: cfg.GitHubAPIURL, Token: cfg.GitHubToken})
		if cerr != nil {
			return cerr
		}
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		files, ferr := c.Files(ctx, owner+"/"+repo)
		if ferr != nil {
			return ferr
		}
		rep, err = k.Check(ctx, files)
	}
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, rep)
	}
	verdict := "not open"
	if rep.Open {
		verdict = "open"
	}
	fmt.Fprintf(e.stdout, "%s — %s %s licence (confidence %.2f)\n%s\n", rep.SPDX, verdict, rep.Category, rep.Confidence, rep.Reason)
	return nil
}
