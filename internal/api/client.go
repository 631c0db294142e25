package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/store"
)

// Client calls a Suivi web server.
type Client struct {
	BaseURL string
	HTTP    *http.Client
	// Token is the API token sent as a Bearer credential; "" sends none.
	Token string
}

// NewClient returns a client for the server at baseURL (SUIVI_URL).
func NewClient(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// StatusError is an answer with a 4xx or 5xx status; Message is the
// server's one-line explanation.
type StatusError struct {
	Status  int
	Message string
	// Problems lists every problem when the server found several.
	Problems []string
}

func (e *StatusError) Error() string { return e.Message }

// StartProgram starts a program's workflow.
func (c *Client) StartProgram(ctx context.Context, req StartProgram) (StartedProgram, error) {
	var res StartedProgram
	return res, c.do(ctx, http.MethodPost, "/api/v1/programs", req, &res)
}

// GetProgram returns one program.
func (c *Client) GetProgram(ctx context.Context, edition, project string) (ProgramDetail, error) {
	var res ProgramDetail
	return res, c.do(ctx, http.MethodGet, "/api/v1/programs/"+url.PathEscape(edition)+"/"+url.PathEscape(project), nil, &res)
}

// ListPrograms lists programs, optionally of one edition or phase.
func (c *Client) ListPrograms(ctx context.Context, edition, phase string) (ProgramList, error) {
	// Every page, following next.
	all := ProgramList{Programs: []store.Program{}}
	after := ""
	for {
		q := url.Values{"limit": {"500"}}
		for k, v := range map[string]string{"edition": edition, "phase": phase, "after": after} {
			if v != "" {
				q.Set(k, v)
			}
		}
		var page ProgramList
		if err := c.do(ctx, http.MethodGet, "/api/v1/programs?"+q.Encode(), nil, &page); err != nil {
			return all, err
		}
		all.Programs = append(all.Programs, page.Programs...)
		if page.Next == "" || page.Next == after {
			return all, nil
		}
		after = page.Next
	}
}

// Health asks /healthz; a 503 is returned as a Health with its checks and a
// *StatusError.
func (c *Client) Health(ctx context.Context) (Health, error) {
	var res Health
	err := c.do(ctx, http.MethodGet, "/healthz", nil, &res)
	return res, err
}

func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	if body == nil {
		return c.doRaw(ctx, method, path, "", nil, out)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	return c.doRaw(ctx, method, path, "application/json", b, out)
}

func (c *Client) doRaw(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return fmt.Errorf("SUIVI_URL %q: %w", c.BaseURL, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach Suivi at %s (start it with `make dev`, or set SUIVI_URL): %w", c.BaseURL, rootCause(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("read answer from %s: %w", c.BaseURL, err)
	}
	if resp.StatusCode >= 400 {
		var e Error
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = fmt.Sprintf("%s %s: %s", method, path, resp.Status)
		}
		// Health answers 503 with its checks: decode them as well.
		if out != nil {
			_ = json.Unmarshal(data, out)
		}
		return &StatusError{Status: resp.StatusCode, Message: e.Error, Problems: e.Errors}
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("decode answer of %s %s: %w", method, path, err)
		}
	}
	return nil
}

func rootCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// ApplyEdition sends an edition file (YAML) to be stored.
func (c *Client) ApplyEdition(ctx context.Context, yaml []byte) (AppliedEdition, error) {
	var res AppliedEdition
	return res, c.doRaw(ctx, http.MethodPost, "/api/v1/editions", "application/yaml", yaml, &res)
}

// GetEdition returns the latest version of an edition.
func (c *Client) GetEdition(ctx context.Context, id string) (EditionDetail, error) {
	var res EditionDetail
	return res, c.do(ctx, http.MethodGet, "/api/v1/editions/"+url.PathEscape(id), nil, &res)
}

// Act sends one action (a workflow Update) to a program.
func (c *Client) Act(ctx context.Context, edition, project, action string, a Action) (ActionDone, error) {
	var res ActionDone
	path := "/api/v1/programs/" + url.PathEscape(edition) + "/" + url.PathEscape(project) + "/actions/" + url.PathEscape(action)
	return res, c.do(ctx, http.MethodPost, path, a, &res)
}

// GetPerson returns a person's choices.
func (c *Client) GetPerson(ctx context.Context, email string) (store.Person, error) {
	var res store.Person
	return res, c.do(ctx, http.MethodGet, "/api/v1/people/"+url.PathEscape(email), nil, &res)
}

// SetPerson changes a person's language or reminders.
func (c *Client) SetPerson(ctx context.Context, email string, p store.Person) (store.Person, error) {
	var res store.Person
	return res, c.do(ctx, http.MethodPut, "/api/v1/people/"+url.PathEscape(email), p, &res)
}

// RepoActivity returns a program's repository metrics over days.
func (c *Client) RepoActivity(ctx context.Context, edition, project string, days int) (RepoActivity, error) {
	var res RepoActivity
	path := "/api/v1/programs/" + url.PathEscape(edition) + "/" + url.PathEscape(project) + "/activity?days=" + strconv.Itoa(days)
	return res, c.do(ctx, http.MethodGet, path, nil, &res)
}

// Forget sets aside the Postgres record of a program whose workflow
// Temporal lost.
func (c *Client) Forget(ctx context.Context, edition, project, actor string) (Forgotten, error) {
	var res Forgotten
	path := "/api/v1/programs/" + url.PathEscape(edition) + "/" + url.PathEscape(project) + "/forget"
	return res, c.do(ctx, http.MethodPost, path, Forget{Actor: actor}, &res)
}

// Signin asks the server to email a sign-in link to email.
func (c *Client) Signin(ctx context.Context, email string) (SigninSent, error) {
	var res SigninSent
	return res, c.do(ctx, http.MethodPost, "/api/v1/signin", SigninRequest{Email: email}, &res)
}

// ExchangeLink turns an emailed sign-in link into an API token.
func (c *Client) ExchangeLink(ctx context.Context, link, name string) (NewToken, error) {
	var res NewToken
	return res, c.do(ctx, http.MethodPost, "/api/v1/tokens/exchange", TokenExchange{Link: link, Name: name}, &res)
}

// Me says who the token belongs to.
func (c *Client) Me(ctx context.Context) (Me, error) {
	var res Me
	return res, c.do(ctx, http.MethodGet, "/api/v1/me", nil, &res)
}

// CreateToken makes an API token for the signed-in person.
func (c *Client) CreateToken(ctx context.Context, name string) (NewToken, error) {
	var res NewToken
	return res, c.do(ctx, http.MethodPost, "/api/v1/tokens", TokenCreate{Name: name}, &res)
}

// Tokens lists the signed-in person's tokens.
func (c *Client) Tokens(ctx context.Context) (TokenList, error) {
	var res TokenList
	return res, c.do(ctx, http.MethodGet, "/api/v1/tokens", nil, &res)
}

// RevokeToken revokes one of the signed-in person's tokens.
func (c *Client) RevokeToken(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodPost, "/api/v1/tokens/"+strconv.FormatInt(id, 10)+"/revoke", struct{}{}, nil)
}

// Users lists everyone Suivi knows and their roles.
func (c *Client) Users(ctx context.Context) (UserList, error) {
	var res UserList
	return res, c.do(ctx, http.MethodGet, "/api/v1/users", nil, &res)
}

// ChangeUser gives (add) or takes back a role; it returns the server's
// one-line answer.
func (c *Client) ChangeUser(ctx context.Context, u UserChange, add bool) (string, error) {
	path := "/api/v1/users"
	if !add {
		path += "/remove"
	}
	var res struct {
		Message string `json:"message"`
	}
	err := c.do(ctx, http.MethodPost, path, u, &res)
	return res.Message, err
}

// Fund links a funder to a program, from since (YYYY-MM-DD, "" for
// today); remove undoes it.
func (c *Client) Fund(ctx context.Context, edition, project, funder, since string, remove bool) (string, error) {
	var res struct {
		Message string `json:"message"`
	}
	path := "/api/v1/programs/" + url.PathEscape(edition) + "/" + url.PathEscape(project) + "/funders"
	if remove {
		path += "/remove"
	}
	err := c.do(ctx, http.MethodPost, path, FundRequest{Funder: funder, Since: since}, &res)
	return res.Message, err
}

// Funders lists every funder.
func (c *Client) Funders(ctx context.Context) ([]FunderView, error) {
	var out []FunderView
	err := c.do(ctx, http.MethodGet, "/api/v1/funders", nil, &out)
	return out, err
}

// AddFunder adds a funder.
func (c *Client) AddFunder(ctx context.Context, f FunderRequest) (FunderView, error) {
	var out FunderView
	err := c.do(ctx, http.MethodPost, "/api/v1/funders", f, &out)
	return out, err
}

// SetFunder changes a funder.
func (c *Client) SetFunder(ctx context.Context, slug string, f FunderRequest) (FunderView, error) {
	var out FunderView
	err := c.do(ctx, http.MethodPut, "/api/v1/funders/"+url.PathEscape(slug), f, &out)
	return out, err
}

// GetFunder shows a funder.
func (c *Client) GetFunder(ctx context.Context, slug string) (FunderView, error) {
	var out FunderView
	err := c.do(ctx, http.MethodGet, "/api/v1/funders/"+url.PathEscape(slug), nil, &out)
	return out, err
}

// FunderReport downloads a funder's report for a month in a format (json,
// pdf or csv), as the server sends it.
func (c *Client) FunderReport(ctx context.Context, slug, month, format string) ([]byte, error) {
	var out []byte
	err := c.do(ctx, http.MethodGet, "/api/v1/funders/"+url.PathEscape(slug)+"/reports/"+url.PathEscape(month)+"?format="+url.QueryEscape(format), nil, &out)
	return out, err
}

// EditionReport downloads an edition's report.
func (c *Client) EditionReport(ctx context.Context, edition, city, month, lang, format string) ([]byte, error) {
	q := url.Values{"format": {format}}
	for k, v := range map[string]string{"city": city, "month": month, "lang": lang} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var out []byte
	err := c.do(ctx, http.MethodGet, "/api/v1/editions/"+url.PathEscape(edition)+"/report?"+q.Encode(), nil, &out)
	return out, err
}
