package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// RepoFiles reads a repository's files through the API, for the licence
// check (it satisfies licence.Source).
type RepoFiles struct {
	c           *Client
	owner, name string
	spdx        string
}

// Files returns the files of a repository's default branch, with GitHub's
// own licence detection.
func (c *Client) Files(ctx context.Context, fullName string) (*RepoFiles, error) {
	ctx = Unconditional(ctx)
	owner, name, _ := strings.Cut(fullName, "/")
	repo, _, err := c.gh.Repositories.Get(ctx, owner, name)
	if err != nil {
		return nil, fmt.Errorf("github: %s: %w", fullName, err)
	}
	owner, name, _ = strings.Cut(repo.GetFullName(), "/")
	return &RepoFiles{c: c, owner: owner, name: name, spdx: repo.GetLicense().GetSPDXID()}, nil
}

// GitHubSPDX is GitHub's licence detection for the repository.
func (f *RepoFiles) GitHubSPDX() string { return f.spdx }

// List names a directory's entries; directories end with "/".
func (f *RepoFiles) List(ctx context.Context, dir string) ([]string, error) {
	ctx = Unconditional(ctx)
	_, entries, resp, err := f.c.gh.Repositories.GetContents(ctx, f.owner, f.name, dir, nil)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("github: %s/%s %q: %w", f.owner, f.name, dir, err)
	}
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		name := e.GetName()
		if e.GetType() == "dir" {
			name += "/"
		}
		out = append(out, name)
	}
	return out, nil
}

// Read returns one file's content.
func (f *RepoFiles) Read(ctx context.Context, path string) ([]byte, error) {
	ctx = Unconditional(ctx)
	file, _, _, err := f.c.gh.Repositories.GetContents(ctx, f.owner, f.name, path, nil)
	if err != nil {
		return nil, fmt.Errorf("github: %s/%s %s: %w", f.owner, f.name, path, err)
	}
	if file == nil {
		return nil, fmt.Errorf("github: %s/%s %s is a directory, not a file", f.owner, f.name, path)
	}
	s, err := file.GetContent()
	if err != nil {
		return nil, fmt.Errorf("github: %s/%s %s: %w", f.owner, f.name, path, err)
	}
	return []byte(s), nil
}

// SPDXBudget caps the source files read for SPDX-License-Identifier lines:
// each costs a request here.
func (f *RepoFiles) SPDXBudget() int { return 20 }
