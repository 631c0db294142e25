package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

// viewScope is exactly the programs who may view, as queries test it:
// auth.ViewScope asks auth.Can of each group of programs and of each
// program that may list them, so a list costs a few dozen decisions
// rather than one per program. It also returns the groups' counts, which
// pages read for their counts and filters.
// Reads also queues are sent with it, in the same round trip.
func (h *handler) viewScope(ctx context.Context, who *auth.Person, also ...func(*store.Batch)) (*auth.Scope, []store.GroupCount, error) {
	var b store.Batch
	var counts []store.GroupCount
	var candidates []auth.Program
	if who != nil {
		b.GroupCounts(&counts)
		b.MemberCandidates(who.Email, &candidates)
	}
	for _, q := range also {
		q(&b)
	}
	if err := h.Store.Send(ctx, &b); err != nil {
		return nil, nil, err
	}
	if who == nil {
		return &auth.Scope{}, nil, nil
	}
	s := auth.ViewScope(who, store.Groups(counts), candidates)
	return &s, counts, nil
}

// visibleWithAuth lists the programs the viewer may view, filtered, with,
// for each program, what the decision read of it (its people and funders),
// which pages reuse for the forms they offer rather than reading the
// funders again.
func (h *handler) visibleWithAuth(r *http.Request, f store.ProgramFilter) ([]store.Program, []*auth.Program, error) {
	s, _, err := h.viewScope(r.Context(), viewer(r))
	if err != nil {
		return nil, nil, err
	}
	f.Scope = s
	return h.listVisible(r, f, true)
}

// listVisible reads the programs f keeps (f.Scope set) and asks auth.Can
// of each one read, as every list always has: the scope already kept
// exactly those, and the decision stays Can's.
// Lists that show no funder's view (the home page, the dashboard, the
// API) read the funders only for who holds a funder grant (withFunders
// false): no other rule of ViewProgram reads them, and leaving them out
// can only turn a yes into a no.
func (h *handler) listVisible(r *http.Request, f store.ProgramFilter, withFunders bool) ([]store.Program, []*auth.Program, error) {
	var b store.Batch
	var got store.Listed
	b.List(f, withFunders || fundersMatter(f.Scope), &got)
	if err := h.Store.Send(r.Context(), &b); err != nil {
		return nil, nil, err
	}
	list, funders := got.Programs, got.Funders
	out, aps := canView(viewer(r), list, funders)
	return out, aps, nil
}

// canView keeps the programs of list (funders[i] fund list[i]) who may
// view, and what auth.Can read of each.
func canView(who *auth.Person, list []store.Program, funders [][]string) ([]store.Program, []*auth.Program) {
	out := list[:0]
	var aps []*auth.Program
	for i, p := range list {
		ap := &auth.Program{Edition: p.Edition, Project: p.Project, City: p.City, Phase: p.Phase,
			Holders: p.Holders, Mentors: p.Mentors}
		if funders != nil {
			ap.Funders = funders[i]
		}
		if auth.Can(who, auth.ViewProgram, ap) {
			out = append(out, p)
			aps = append(aps, ap)
		}
	}
	return out, aps
}

// keptOf counts, from the groups' own counts, the programs f keeps of
// the groups f.Scope sees (those seen through funding or lists alone
// aside), and all programs.
func keptOf(counts []store.GroupCount, f store.ProgramFilter) (kept, all int) {
	for _, g := range counts {
		all += g.Programs
		if f.Scope != nil && (f.Scope.All || slices.Contains(f.Scope.Groups, g.Group)) && f.Matches(g.Group, g.Theme) {
			kept += g.Programs
		}
	}
	return kept, all
}

// fewOf reports whether f keeps few enough programs of all that reading
// them first beats walking every program in order until n match: the
// walk reads about n·all/kept rows, the other way kept, so below about
// the square root of n·all (half of it, to leave the walk what it does
// well). See store.ProgramFilter.Few.
func fewOf(counts []store.GroupCount, f store.ProgramFilter, n int) bool {
	kept, all := keptOf(counts, f)
	return 4*kept*kept < n*all
}

// fundersMatter reports whether the funders of programs can change what
// auth.Can lets the person of scope s view: only for someone holding a
// funder grant (s.Funders), or when no scope says who it is.
func fundersMatter(s *auth.Scope) bool { return s == nil || len(s.Funders) > 0 }

// keyset is where a page of a list starts: after a program, before one
// (the page before it), or, with neither, at page Page of the list from
// its start. Page is also the number the page shows.
type keyset struct {
	After, Before string
	Page          int
}

// readKeyset reads after=, before= and page=: a bad one is a 400 saying
// what to send.
func readKeyset(q url.Values) (keyset, error) {
	k := keyset{After: q.Get("after"), Before: q.Get("before"), Page: 1}
	for name, v := range map[string]string{"after": k.After, "before": k.Before} {
		if v == "" {
			continue
		}
		if _, _, err := validate.ProgramKey(v); err != nil {
			return k, badRequest("%s: %v (follow the page's own links)", name, err)
		}
	}
	if k.After != "" && k.Before != "" {
		return k, badRequest("give after or before, not both (follow the page's own links)")
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			return k, badRequest("page %s is not a page number (1 to %d)", validate.Quote(v), maxPage)
		}
		k.Page = n
	}
	return k, nil
}

// maxPage bounds page=, which reads page after page from the start when
// no after= or before= comes with it.
const maxPage = 10000

// set writes k into q, for a link.
func (k keyset) set(q url.Values) {
	q.Del("after")
	q.Del("before")
	q.Del("page")
	if k.After != "" {
		q.Set("after", k.After)
	}
	if k.Before != "" {
		q.Set("before", k.Before)
	}
	if k.Page > 1 {
		q.Set("page", strconv.Itoa(k.Page))
	}
}

// listPage is one page of a list of programs: its rows, what auth.Can
// read of each, its number and the pages around it.
type listPage struct {
	Rows       []store.Program
	Auth       []*auth.Program
	Page       int
	Prev, Next *keyset
}

// readPage reads the page k of the programs f keeps (f.Scope set), size
// rows at most, in (edition, project) order: one query of size+1 rows
// (the extra one says whether a next page exists), whatever the number
// of programs.
func (h *handler) readPage(r *http.Request, f store.ProgramFilter, k keyset, size int) (listPage, error) {
	var b store.Batch
	pr := queuePage(&b, f, k, size)
	if err := h.Store.Send(r.Context(), &b); err != nil {
		return listPage{}, err
	}
	return pr.page(h, r)
}

// pageRead is a page of programs queued on a batch (queuePage): page
// makes it a listPage once the batch is sent.
type pageRead struct {
	base store.ProgramFilter
	k    keyset
	size int
	got  store.Listed
}

func queuePage(b *store.Batch, base store.ProgramFilter, k keyset, size int) *pageRead {
	pr := &pageRead{base: base, k: k, size: size}
	f := base
	f.Limit = size + 1
	switch {
	case k.After != "":
		f.After = k.After
	case k.Before != "":
		f.Before = k.Before
	default:
		f.Offset = (k.Page - 1) * size
	}
	b.List(f, fundersMatter(base.Scope), &pr.got)
	return pr
}

func (pr *pageRead) page(h *handler, r *http.Request) (listPage, error) {
	k, size := pr.k, pr.size
	rows, aps := canView(viewer(r), pr.got.Programs, pr.got.Funders)
	if k.Before != "" && len(rows) <= size {
		// Nothing left before this page: it is the first one.
		return h.readPage(r, pr.base, keyset{Page: 1}, size)
	}
	pg := listPage{Page: k.Page}
	more := len(rows) > size
	if more {
		if k.Before != "" {
			rows, aps = rows[1:], aps[1:]
		} else {
			rows, aps = rows[:size], aps[:size]
		}
	}
	pg.Rows, pg.Auth = rows, aps
	if len(rows) == 0 {
		return pg, nil
	}
	first, last := rows[0].Edition+"/"+rows[0].Project, rows[len(rows)-1].Edition+"/"+rows[len(rows)-1].Project
	if (k.Before != "" && more) || (k.Before == "" && k.Page > 1) {
		pg.Prev = &keyset{Before: first, Page: max(k.Page-1, 1)}
	}
	if (k.Before == "" && more) || k.Before != "" {
		pg.Next = &keyset{After: last, Page: k.Page + 1}
	}
	return pg, nil
}
