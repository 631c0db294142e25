package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/report"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

// MaxTokens bounds a person's live API tokens.
const MaxTokens = 20

// me says who is signed in.
func (h *handler) me(w http.ResponseWriter, r *http.Request) {
	p := viewer(r)
	writeJSON(w, http.StatusOK, api.Me{Email: p.Email, Roles: nonNilRoles(p.Roles(nil)), Grants: p.Grants})
}

func nonNilRoles(rs []auth.Role) []auth.Role {
	if rs == nil {
		return []auth.Role{}
	}
	return rs
}

// tokenList lists the viewer's API tokens (never their secrets).
func (h *handler) tokenList(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.OwnAccount) {
		return
	}
	ts, err := h.Store.Tokens(r.Context(), viewer(r).Email)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if ts == nil {
		ts = []store.Token{}
	}
	writeJSON(w, http.StatusOK, api.TokenList{Tokens: ts})
}

// tokenCreate makes an API token for the viewer; its secret is shown once.
func (h *handler) tokenCreate(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.OwnAccount) {
		return
	}
	var req api.TokenCreate
	if err := decodeJSON(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	name, err := validate.Text("name", req.Name, true, 80)
	if err != nil {
		h.writeError(w, r, badRequest("%v", err))
		return
	}
	who := viewer(r).Email
	ts, err := h.Store.Tokens(r.Context(), who)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if live := slices.DeleteFunc(ts, func(t store.Token) bool { return !t.RevokedAt.IsZero() }); len(live) >= MaxTokens {
		h.writeError(w, r, conflict("you have %d live tokens, the most one may have; revoke one with `suivi token revoke ID`", MaxTokens))
		return
	}
	token, hash := auth.NewSecret(auth.TokenPrefix)
	t, err := h.Store.CreateToken(r.Context(), who, name, hash)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, api.NewToken{Token: token, Info: t})
}

// tokenRevoke revokes one of the viewer's tokens; another person's token
// is "no token", like one that does not exist.
func (h *handler) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.OwnAccount) {
		return
	}
	id, err := h.revokeOwnToken(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "token " + strconv.FormatInt(id, 10) + " revoked"})
}

// revokeOwnToken revokes the viewer's token named by the path's {id}; a
// token of someone else is "no token", like one that does not exist.
func (h *handler) revokeOwnToken(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("token id %s is not a number; see `suivi token list`", validate.Quote(r.PathValue("id")))
	}
	err = h.Store.RevokeToken(r.Context(), viewer(r).Email, id, h.now())
	if errors.Is(err, store.ErrNotFound) {
		return 0, &httpError{status: http.StatusNotFound, msg: "you have no live token " + strconv.FormatInt(id, 10) + "; see `suivi token list`"}
	}
	return id, err
}

// userList lists everyone Suivi knows: grants, and where programs list them.
func (h *handler) userList(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.ManageUsers) {
		return
	}
	grants, err := h.Store.Grants(r.Context(), "")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	members, err := h.Store.Members(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	byEmail := map[string]*api.User{}
	var order []string
	get := func(email string) *api.User {
		if u, ok := byEmail[email]; ok {
			return u
		}
		u := &api.User{Email: email}
		byEmail[email] = u
		order = append(order, email)
		return u
	}
	for _, g := range grants {
		u := get(g.Email)
		u.Grants = append(u.Grants, g)
	}
	for email, what := range members {
		get(email).Programs = what
	}
	slices.Sort(order)
	out := api.UserList{Users: []api.User{}}
	for _, e := range order {
		out.Users = append(out.Users, *byEmail[e])
	}
	writeJSON(w, http.StatusOK, out)
}

// userAdd gives a role. Coordinator, jury and funder roles are grants;
// mentor and holder name a program and go through its workflow (the
// workflow is where a program's people live).
func (h *handler) userAdd(w http.ResponseWriter, r *http.Request) { h.userChange(w, r, true) }

// userRemove takes a role back.
func (h *handler) userRemove(w http.ResponseWriter, r *http.Request) { h.userChange(w, r, false) }

func (h *handler) userChange(w http.ResponseWriter, r *http.Request, add bool) {
	var req api.UserChange
	if err := decodeJSON(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	email, err := validate.Email(req.Email)
	if err != nil {
		h.writeError(w, r, badRequest("%v", err))
		return
	}
	switch req.Role {
	case auth.Mentor, auth.Holder:
		h.memberChange(w, r, email, req, add)
		return
	case auth.Coordinator, auth.Jury, auth.Funder:
	default:
		h.writeError(w, r, badRequest("role %s: say coordinator, mentor, holder, jury or funder", validate.Quote(string(req.Role))))
		return
	}
	if !h.allow(w, r, auth.ManageUsers) {
		return
	}
	g, err := grantOf(email, req)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if !add {
		err := h.Store.RemoveGrant(r.Context(), g)
		if errors.Is(err, store.ErrNotFound) {
			h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: email + " has no such " + string(g.Role) + " role; see `suivi user list`"})
			return
		}
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"message": email + " is no longer " + grantWords(g)})
		return
	}
	created, err := h.Store.AddGrant(r.Context(), g, viewer(r).Email)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	writeJSON(w, status, map[string]string{"message": email + " is " + grantWords(g)})
}

// grantOf checks the scope a role needs.
func grantOf(email string, req api.UserChange) (auth.Grant, error) {
	g := auth.Grant{Email: strings.ToLower(email), Role: req.Role}
	city, err := validate.Text("city", req.City, false, 100)
	if err != nil {
		return g, badRequest("%v", err)
	}
	switch req.Role {
	case auth.Coordinator:
		g.City = city
		if req.Edition != "" || req.Funder != "" || req.Program != "" {
			return g, badRequest("a coordinator's role takes a city at most (none: every city)")
		}
	case auth.Jury:
		if err := validate.Slug("edition", req.Edition); err != nil || city == "" {
			return g, badRequest("a jury member sits for an edition and a city: give both (--edition ncc-2027 --city Lyon)")
		}
		g.Edition, g.City = req.Edition, city
	case auth.Funder:
		if err := validate.Slug("funder", req.Funder); err != nil {
			return g, badRequest("a funder's role names the funder: %v", err)
		}
		g.Funder = req.Funder
	}
	return g, nil
}

func grantWords(g auth.Grant) string {
	switch {
	case g.Role == auth.Coordinator && g.City == "":
		return "coordinator of every city"
	case g.Role == auth.Coordinator:
		return "coordinator of " + g.City
	case g.Role == auth.Jury:
		return "on the jury of " + g.Edition + " in " + g.City
	}
	return "funder " + g.Funder
}

// memberChange adds or removes a program's mentor or holder through the
// program's workflow, as `suivi mentor assign` does.
func (h *handler) memberChange(w http.ResponseWriter, r *http.Request, email string, req api.UserChange, add bool) {
	edition, project, err := validate.ProgramKey(req.Program)
	if err != nil {
		h.writeError(w, r, badRequest("a %s's role names the program (--program EDITION/PROJECT): %v", req.Role, err))
		return
	}
	update, a := workflows.UpdateAssignMentor, auth.AssignMentor
	areq := workflows.ActionRequest{Mentor: email}
	switch {
	case req.Role == auth.Mentor && !add:
		update, a = workflows.UpdateRemoveMentor, auth.RemoveMentor
	case req.Role == auth.Holder && add:
		update, a, areq = workflows.UpdateAddHolder, auth.AddHolder, workflows.ActionRequest{Holder: email}
	case req.Role == auth.Holder:
		update, a, areq = workflows.UpdateRemoveHolder, auth.RemoveHolder, workflows.ActionRequest{Holder: email}
	}
	if _, _, ok := h.program(w, r, edition, project, a); !ok {
		return
	}
	areq.Actor = viewer(r).Email
	res, err := h.update(r, edition, project, update, newID(), areq)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": res.Message})
}

// fund links a funder to a program.
func (h *handler) fund(w http.ResponseWriter, r *http.Request) {
	edition, project, req, err := fundRequest(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var since time.Time
	if req.Since != "" {
		d, err := time.ParseInLocation("2006-01-02", req.Since, report.Paris)
		if err != nil || d.Year() < 2000 {
			h.writeError(w, r, badRequest("since %s: write the day the funding began as YYYY-MM-DD", validate.Quote(req.Since)))
			return
		}
		if d.After(h.now()) {
			h.writeError(w, r, badRequest("since %s is in the future; fund the program when the funding begins", req.Since))
			return
		}
		since = d
	}
	if _, _, ok := h.program(w, r, edition, project, auth.Fund); !ok {
		return
	}
	if err := h.Store.FundSince(r.Context(), edition, project, req.Funder, since); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": req.Funder + " funds " + edition + "/" + project})
}

// unfund ends a funder's funding of a program.
func (h *handler) unfund(w http.ResponseWriter, r *http.Request) {
	edition, project, req, err := fundRequest(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if _, _, ok := h.program(w, r, edition, project, auth.Fund); !ok {
		return
	}
	ended, err := h.Store.Unfund(r.Context(), edition, project, req.Funder, h.now())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	msg := req.Funder + " no longer funds " + edition + "/" + project
	if !ended {
		// Asking twice is no mistake: say so, and change nothing.
		msg = req.Funder + " did not fund " + edition + "/" + project + "; nothing changed"
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": msg})
}

// setPublic opts a program in or out of the public board.
func (h *handler) setPublic(w http.ResponseWriter, r *http.Request) {
	edition, project, err := programPath(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req api.PublicRequest
	if err := decodeJSON(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if _, _, ok := h.program(w, r, edition, project, auth.SetPublic); !ok {
		return
	}
	if err := h.Store.SetPublic(r.Context(), edition, project, req.Public); err != nil {
		h.writeError(w, r, err)
		return
	}
	msg := edition + "/" + project + " is on the public board"
	if !req.Public {
		msg = edition + "/" + project + " is off the public board"
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": msg})
}

// fundRequest reads the program and body of a fund or unfund request.
func fundRequest(r *http.Request) (edition, project string, req api.FundRequest, err error) {
	if edition, project, err = programPath(r); err != nil {
		return
	}
	if err = decodeJSON(r, &req); err != nil {
		return
	}
	if e := validate.Slug("funder", req.Funder); e != nil {
		err = badRequest("%v", e)
	}
	return
}
