package github

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/licence"
)

// Fresh is what one GraphQL query says of a repository: enough to know
// whether it changed since the last poll, for a hundred repositories at a
// time. A REST conditional GET answers the same question for one
// repository and costs a point whenever anything moved (a star, an issue);
// a GraphQL query of a hundred costs one point in all.
type Fresh struct {
	// Name is the repository's owner/name today: a rename shows here.
	Name          string
	Found         bool
	PushedAt      time.Time
	CreatedAt     time.Time
	DefaultBranch string
	Archived      bool
	Stars, Forks  int
	// OpenIssues counts open issues and pull requests, as REST's
	// open_issues_count does.
	OpenIssues int
	License    string
}

// GraphQL reports whether the client can ask GraphQL: it needs a token.
func (c *Client) GraphQL() bool { return c.Transport.Token != "" }

// FreshBatch is how many repositories one GraphQL query asks about.
const FreshBatch = 100

// repoName is what a repository's owner and name may hold on GitHub; the
// query is built from them, so nothing else is let through.
var repoName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)

// graphqlURL is the GraphQL endpoint beside the REST base: api.github.com
// serves /graphql, GitHub Enterprise /api/graphql beside /api/v3/.
func (c *Client) graphqlURL() string {
	u := *c.gh.BaseURL
	if p, ok := strings.CutSuffix(u.Path, "/api/v3/"); ok {
		u.Path = p + "/api/graphql"
	} else {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/graphql"
	}
	return u.String()
}

type graphqlRepo struct {
	NameWithOwner    string    `json:"nameWithOwner"`
	PushedAt         time.Time `json:"pushedAt"`
	CreatedAt        time.Time `json:"createdAt"`
	IsArchived       bool      `json:"isArchived"`
	StargazerCount   int       `json:"stargazerCount"`
	ForkCount        int       `json:"forkCount"`
	DefaultBranchRef *struct {
		Name string `json:"name"`
	} `json:"defaultBranchRef"`
	LicenseInfo *struct {
		SPDXID string `json:"spdxId"`
	} `json:"licenseInfo"`
	Issues       struct{ TotalCount int } `json:"issues"`
	PullRequests struct{ TotalCount int } `json:"pullRequests"`
}

// Freshness asks GraphQL about repositories (owner/name), FreshBatch per
// query, and returns what it says of each, by the name asked. A name GitHub
// does not know (deleted, private) comes back with Found false.
func (c *Client) Freshness(ctx context.Context, names []string) (map[string]Fresh, error) {
	out := make(map[string]Fresh, len(names))
	for start := 0; start < len(names); start += FreshBatch {
		batch := names[start:min(start+FreshBatch, len(names))]
		var q strings.Builder
		q.WriteString("query {")
		asked := map[string]string{}
		for i, n := range batch {
			owner, name, ok := strings.Cut(n, "/")
			if !ok || !repoName.MatchString(owner) || !repoName.MatchString(name) {
				return out, fmt.Errorf("github: %q is not owner/name", n)
			}
			alias := fmt.Sprintf("r%d", i)
			asked[alias] = n
			fmt.Fprintf(&q, ` %s: repository(owner: %q, name: %q) { nameWithOwner pushedAt createdAt isArchived stargazerCount forkCount defaultBranchRef { name } licenseInfo { spdxId } issues(states: OPEN) { totalCount } pullRequests(states: OPEN) { totalCount } }`, alias, owner, name)
		}
		q.WriteString(" }")
		req, err := c.gh.NewRequest(http.MethodPost, c.graphqlURL(), map[string]string{"query": q.String()})
		if err != nil {
			return out, err
		}
		var resp struct {
			Data   map[string]*graphqlRepo `json:"data"`
			Errors []struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"errors"`
		}
		if _, err := c.gh.Do(ctx, req, &resp); err != nil {
			return out, fmt.Errorf("github: graphql: %w", err)
		}
		for _, e := range resp.Errors {
			// NOT_FOUND for a repository is an answer, not a failure.
			if e.Type != "NOT_FOUND" {
				return out, fmt.Errorf("github: graphql: %s", e.Message)
			}
		}
		for alias, n := range asked {
			r := resp.Data[alias]
			if r == nil {
				out[n] = Fresh{Name: n}
				continue
			}
			f := Fresh{Name: r.NameWithOwner, Found: true, PushedAt: r.PushedAt, CreatedAt: r.CreatedAt, Archived: r.IsArchived,
				Stars: r.StargazerCount, Forks: r.ForkCount, OpenIssues: r.Issues.TotalCount + r.PullRequests.TotalCount}
			if r.DefaultBranchRef != nil {
				f.DefaultBranch = r.DefaultBranchRef.Name
			}
			if r.LicenseInfo != nil {
				f.License = licence.FromGitHub(r.LicenseInfo.SPDXID)
			}
			out[n] = f
		}
	}
	return out, nil
}
