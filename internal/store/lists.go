package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/auth"
)

// Lists of programs that stay fast at 10,000 programs: who may see what is
// decided per group of programs (auth.Scope) rather than per program,
// filters and counts are SQL, and pages are keyset pages that read only
// their rows. Migration 009 holds the indexes these queries use.

// Batch gathers reads sent to Postgres together, in one round trip: a
// page queues what it needs at each step, and each read fills its result
// when Send returns without error. The Store methods of the same names
// are one read each.
type Batch struct{ b pgx.Batch }

// Send runs b's reads.
func (s *Store) Send(ctx context.Context, b *Batch) error {
	if b.b.Len() == 0 {
		return nil
	}
	return s.pool.SendBatch(ctx, &b.b).Close()
}

// GroupCount is how many programs one (edition, city, phase, theme)
// holds.
type GroupCount struct {
	auth.Group
	Theme    string
	Programs int
}

// GroupCounts returns every (edition, city, phase, theme) that holds
// programs, with how many, in no order: a few hundred rows of the
// program_groups table, which a trigger keeps exactly in step with
// programs (migration 009), however many programs there are.
func (s *Store) GroupCounts(ctx context.Context) ([]GroupCount, error) {
	var out []GroupCount
	var b Batch
	b.GroupCounts(&out)
	return out, s.Send(ctx, &b)
}

// GroupCounts queues Store.GroupCounts.
func (b *Batch) GroupCounts(out *[]GroupCount) {
	// program_groups is read as it lies: sorting its rows costs more than
	// reading them, and no reader needs them in order.
	b.b.Queue(`select edition, city, phase, theme, programs from program_groups where programs > 0`).Query(func(rows pgx.Rows) error {
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (GroupCount, error) {
			var g GroupCount
			err := r.Scan(&g.Edition, &g.City, &g.Phase, &g.Theme, &g.Programs)
			return g, err
		})
		if err != nil {
			return fmt.Errorf("store: program groups: %w", err)
		}
		*out = list
		return nil
	})
}

// Groups are the distinct groups of counts.
func Groups(counts []GroupCount) []auth.Group {
	seen := make(map[auth.Group]bool, len(counts))
	var out []auth.Group
	for _, c := range counts {
		if !seen[c.Group] {
			seen[c.Group] = true
			out = append(out, c.Group)
		}
	}
	return out
}

// ScopeInputs are GroupCounts and MemberCandidates of email, read in one
// round trip: what deciding a person's auth.Scope needs.
func (s *Store) ScopeInputs(ctx context.Context, email string) ([]GroupCount, []auth.Program, error) {
	var counts []GroupCount
	var candidates []auth.Program
	var b Batch
	b.GroupCounts(&counts)
	b.MemberCandidates(email, &candidates)
	return counts, candidates, s.Send(ctx, &b)
}

// MemberCandidates returns, with their people, the programs that may list
// email (as Person lowers it) as a holder or mentor: every program that
// does (auth.Can compares addresses with strings.EqualFold), and perhaps
// a few that do not, which auth.ViewScope then leaves out.
//
// program_people holds Postgres's lower() of every address a program
// lists. For an address and a listed one that are equal under EqualFold:
// when both are ASCII, lower() of the listed one is the address (lower()
// maps an ASCII letter to its lower case, or, in a Turkish locale, to a
// letter that is not ASCII); when only the listed one is not ASCII, its
// letters that fold to ASCII ones are the Kelvin sign, which lower() makes
// k (or leaves alone), and the long s, which it leaves alone, so the row
// is that address or not ASCII; when the address is not ASCII, likeFold
// matches the row. So the three arms below find every program listing
// the person; the index of non-ASCII rows keeps the second arm cheap.
func (s *Store) MemberCandidates(ctx context.Context, email string) ([]auth.Program, error) {
	var out []auth.Program
	var b Batch
	b.MemberCandidates(email, &out)
	return out, s.Send(ctx, &b)
}

// MemberCandidates queues Store.MemberCandidates.
func (b *Batch) MemberCandidates(email string, out *[]auth.Program) {
	// An address in ASCII needs no pattern (the third arm): a statement of
	// its own, which Postgres plans once rather than at every request.
	sql, args := `
select p.edition, p.project, p.city, p.phase, p.holders, p.mentors from programs p
join (select edition, project from program_people where email = $1
    union select edition, project from program_people where email !~ '^[\x01-\x7f]*$') k
    on k.edition = p.edition and k.project = p.project`, []any{email}
	if !isASCII(email) {
		sql, args = `
select p.edition, p.project, p.city, p.phase, p.holders, p.mentors from programs p
join (select edition, project from program_people where email = $1
    union select edition, project from program_people where email !~ '^[\x01-\x7f]*$'
    union select edition, project from program_people where email like $2) k
    on k.edition = p.edition and k.project = p.project`, []any{email, likeFold(email)}
	}
	b.b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (auth.Program, error) {
			var p auth.Program
			err := r.Scan(&p.Edition, &p.Project, &p.City, &p.Phase, &p.Holders, &p.Mentors)
			return p, err
		})
		if err != nil {
			return fmt.Errorf("store: programs of %s: %w", email, err)
		}
		*out = list
		return nil
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// likeFold is a LIKE pattern matching lower() of every address equal to
// email under strings.EqualFold: each rune of the one matches a rune of
// the other; an ASCII letter may be matched by the Kelvin sign, the long
// s or a Turkish dotless i, one character each (_); a rune beyond ASCII
// by whatever lower() makes of its case variants (%); the rest (digits,
// @, dots…) only by itself.
func likeFold(email string) string {
	var b strings.Builder
	for _, r := range email {
		switch {
		case r >= utf8.RuneSelf:
			if !strings.HasSuffix(b.String(), "%") {
				b.WriteByte('%')
			}
		case 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z':
			b.WriteByte('_')
		case r == '%' || r == '_' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// query builds a statement's parameters and conditions.
type query struct {
	args  []any
	conds []string
}

// arg adds a parameter and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

func (q *query) where(cond string) { q.conds = append(q.conds, cond) }

// clause is the conditions joined, or "true".
func (q *query) clause() string {
	if len(q.conds) == 0 {
		return "true"
	}
	return strings.Join(q.conds, " and ")
}

// scope keeps the programs (aliased p) of s.
func (q *query) scope(s *auth.Scope) {
	if s == nil || s.All {
		return
	}
	var any []string
	if len(s.Groups) > 0 {
		// The groups' cities too, which say nothing more but let Postgres
		// see that an index on the city finds these programs.
		var cities []string
		for _, g := range s.Groups {
			if !slices.Contains(cities, g.City) {
				cities = append(cities, g.City)
			}
		}
		any = append(any, "(p.city = any("+q.arg(cities)+"::text[]) and (p.edition, p.city, p.phase) in ("+q.groups(s.Groups)+"))")
	}
	if len(s.Funders) > 0 {
		any = append(any, "(p.edition, p.project) in (select edition, project from program_funders where funder = any("+
			q.arg(s.Funders)+"::text[]) and unfunded_at is null)")
	}
	if len(s.Members) > 0 {
		eds, projects := make([]string, len(s.Members)), make([]string, len(s.Members))
		for i, m := range s.Members {
			eds[i], projects[i] = m[0], m[1]
		}
		any = append(any, "(p.edition, p.project) in (select * from unnest("+q.arg(eds)+"::text[], "+q.arg(projects)+"::text[]))")
	}
	if len(any) == 0 {
		q.where("false")
		return
	}
	q.where("(" + strings.Join(any, " or ") + ")")
}

// groups is a subquery of the groups gs.
func (q *query) groups(gs []auth.Group) string {
	eds, cities, phases := make([]string, len(gs)), make([]string, len(gs)), make([]string, len(gs))
	for i, g := range gs {
		eds[i], cities[i], phases[i] = g.Edition, g.City, g.Phase
	}
	return "select * from unnest(" + q.arg(eds) + "::text[], " + q.arg(cities) + "::text[], " + q.arg(phases) + "::text[])"
}

// filters keeps the programs (aliased p) that f's filters match (not its
// scope nor its page).
func (q *query) filters(f ProgramFilter) {
	if f.Edition != "" {
		q.where("p.edition = " + q.arg(f.Edition))
	}
	if f.Phase != "" {
		q.where("p.phase = " + q.arg(f.Phase))
	}
	if f.City != "" {
		q.where("lower(p.city) = lower(" + q.arg(f.City) + ")")
	}
	if f.Cities != nil {
		q.where("p.city = any(" + q.arg(f.Cities) + "::text[])")
	}
	if f.Theme != "" {
		q.where("p.theme = " + q.arg(f.Theme))
	}
	if f.Public {
		q.where("p.public and p.phase <> 'rejected'")
	}
}

// Matches reports whether f's filters keep the programs of group g with
// theme, as filters does in SQL; City (which Postgres lowers) and Public
// are not group filters and are not read: pages give Cities.
func (f ProgramFilter) Matches(g auth.Group, theme string) bool {
	return (f.Edition == "" || g.Edition == f.Edition) && (f.Phase == "" || g.Phase == f.Phase) &&
		(f.Cities == nil || slices.Contains(f.Cities, g.City)) && (f.Theme == "" || theme == f.Theme)
}

// ProgramCount is how many programs of a scope there are, and how many a
// filter keeps, for one (edition, city, theme).
type ProgramCount struct {
	Edition, City, Theme string
	Matching, Total      int
}

// CountPrograms counts the programs of f.Scope, and those of them that
// f's filters keep, by edition, city and theme, leaving out those of the
// groups in outside (which GroupCounts counts): pages count the programs
// a person sees through funding or lists, not their groups, with it.
func (s *Store) CountPrograms(ctx context.Context, f ProgramFilter, outside []auth.Group) ([]ProgramCount, error) {
	var out []ProgramCount
	var b Batch
	b.CountPrograms(f, outside, &out)
	return out, s.Send(ctx, &b)
}

// CountPrograms queues Store.CountPrograms.
func (b *Batch) CountPrograms(f ProgramFilter, outside []auth.Group, out *[]ProgramCount) {
	var q, fq query
	q.scope(f.Scope)
	if len(outside) > 0 {
		q.where("(p.edition, p.city, p.phase) not in (" + q.groups(outside) + ")")
	}
	fq.args = q.args
	fq.filters(f)
	b.b.Queue(`select p.edition, p.city, p.theme, count(*) filter (where `+fq.clause()+`), count(*)
from programs p where `+q.clause()+` group by 1, 2, 3`, fq.args...).Query(func(rows pgx.Rows) error {
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ProgramCount, error) {
			var c ProgramCount
			err := r.Scan(&c.Edition, &c.City, &c.Theme, &c.Matching, &c.Total)
			return c, err
		})
		if err != nil {
			return fmt.Errorf("store: count programs: %w", err)
		}
		*out = list
		return nil
	})
}

// CityToday is the date in a city of an edition, which says what is
// overdue there.
type CityToday struct {
	Edition, City string
	Today         string // YYYY-MM-DD
}

// OverdueStep is a step past its due date, still open or submitted.
type OverdueStep struct {
	Edition, Project, Name string
	Milestone              Milestone
}

// Overdue is what OverdueSteps finds: the first steps, how many there are
// in all, counting no further than it was asked (Over: there are more).
type Overdue struct {
	Steps []OverdueStep
	N     int
	Over  bool
}

// OverdueQuery says which overdue steps OverdueSteps finds: those of the
// programs Filter keeps that are past their due date in the program's
// city (Today gives each city's date, UTCToday the others'), most overdue
// first, at most Limit of them, counted no further than Limit+UpTo.
type OverdueQuery struct {
	Filter      ProgramFilter
	Today       []CityToday
	UTCToday    string
	Limit, UpTo int
	// Few says that Filter keeps few programs, fewer than about half the
	// square root of (Limit+UpTo) times all programs: reading their steps
	// is then cheaper than walking every overdue step until enough of
	// theirs come up (a coordinator of a small city, narrow filters).
	Few bool
}

// OverdueSteps finds what q asks.
func (s *Store) OverdueSteps(ctx context.Context, q OverdueQuery) (Overdue, error) {
	var out Overdue
	var b Batch
	b.OverdueSteps(q, &out)
	return out, s.Send(ctx, &b)
}

// OverdueSteps queues Store.OverdueSteps.
func (b *Batch) OverdueSteps(oq OverdueQuery, out *Overdue) {
	var q query
	q.scope(oq.Filter.Scope)
	q.filters(oq.Filter)
	limit, upTo := oq.Limit, oq.UpTo
	sameDay := true
	eds, cities, days := make([]string, len(oq.Today)), make([]string, len(oq.Today)), make([]string, len(oq.Today))
	latest := oq.UTCToday
	for i, t := range oq.Today {
		eds[i], cities[i], days[i] = t.Edition, t.City, t.Today
		latest = max(latest, t.Today)
		sameDay = sameDay && t.Today == oq.UTCToday
	}
	walk := strconv.Itoa(limit + upTo + 1)
	var sql string
	switch {
	case sameDay && !oq.Few:
		// The same day in every city: the walk down the overdue index
		// reads the index alone, keeping the steps of the programs kept
		// (a hash of them, when the scope or filters keep only some), and
		// reads steps and names for those shown only (a step by its
		// program and position, which ApplyChange numbers from 0).
		kept := ""
		if len(q.conds) > 0 {
			// "is true" keeps Postgres from joining: the programs are
			// hashed once and each step looked up, in the index's order.
			kept = ` and ((m.edition, m.project) in (select p.edition, p.project from programs p where ` + q.clause() + `)) is true`
		}
		sql = `select m.edition, m.project, p.name, d.id, d.title_fr, d.title_en, to_char(d.due, 'YYYY-MM-DD'), d.evidence, d.optional, d.status, m.n
from (select x.*, count(*) over () as n from (
    select m.edition, m.project, m.position, m.due
    from milestones m where m.status in ('open', 'submitted') and m.due < ` + q.arg(oq.UTCToday) + `::date` + kept + `
    order by m.due, m.edition, m.project, m.position limit ` + walk + `) x
  order by x.due, x.edition, x.project, x.position limit ` + strconv.Itoa(limit) + `) m
join milestones d on d.edition = m.edition and d.project = m.project and d.position = m.position
join programs p on p.edition = m.edition and p.project = m.project
order by m.due, m.edition, m.project, m.position`
	default:
		scoped := q.clause()
		due := "m.due < " + q.arg(latest) + "::date and m.due < coalesce((select t.day from unnest(" + q.arg(eds) + "::text[], " +
			q.arg(cities) + "::text[], " + q.arg(days) + "::date[]) t(edition, city, day) where t.edition = p.edition and t.city = p.city), " +
			q.arg(oq.UTCToday) + "::date)"
		from := `from milestones m join programs p on p.edition = m.edition and p.project = m.project
    where m.status in ('open', 'submitted') and ` + scoped + ` and ` + due
		if oq.Few {
			// The programs first, then their steps.
			from = `from (select p.edition, p.project, p.name, p.city from programs p where ` + scoped + ` offset 0) p
    join milestones m on m.edition = p.edition and m.project = p.project
    where m.status in ('open', 'submitted') and ` + due
		}
		// One walk, limit+upTo+1 rows at most: the window counts them,
		// the first limit are kept.
		sql = `select * from (select x.*, count(*) over () from (
    select p.edition, p.project, p.name, m.id, m.title_fr, m.title_en, to_char(m.due, 'YYYY-MM-DD'), m.evidence, m.optional, m.status
    ` + from + `
    order by m.due, m.edition, m.project, m.position limit ` + walk + `) x) y limit ` + strconv.Itoa(limit)
	}
	b.b.Queue(sql, q.args...).Query(func(rows pgx.Rows) error {
		n := 0
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OverdueStep, error) {
			var o OverdueStep
			m := &o.Milestone
			err := r.Scan(&o.Edition, &o.Project, &o.Name, &m.ID, &m.TitleFR, &m.TitleEN, &m.Due, &m.Evidence, &m.Optional, &m.Status, &n)
			return o, err
		})
		if err != nil {
			return fmt.Errorf("store: overdue steps: %w", err)
		}
		*out = Overdue{Steps: list, N: min(n, limit+upTo), Over: n > limit+upTo}
		return nil
	})
}

// UndeliveredMessage is a message that failed or may not have arrived,
// with its program's name.
type UndeliveredMessage struct {
	Name    string
	Message Message
}

// Undelivered is what UndeliveredMessages finds, as Overdue.
type Undelivered struct {
	Messages []UndeliveredMessage
	N        int
	Over     bool
}

// UndeliveredMessages returns the failed or uncertain messages of the
// programs f keeps, in program order then oldest first, at most limit,
// and how many there are, counting no further than limit+upTo.
func (s *Store) UndeliveredMessages(ctx context.Context, f ProgramFilter, limit, upTo int) (Undelivered, error) {
	var out Undelivered
	var b Batch
	b.UndeliveredMessages(f, limit, upTo, &out)
	return out, s.Send(ctx, &b)
}

// UndeliveredMessages queues Store.UndeliveredMessages.
func (b *Batch) UndeliveredMessages(f ProgramFilter, limit, upTo int, out *Undelivered) {
	var q query
	q.scope(f.Scope)
	q.filters(f)
	b.b.Queue(`select * from (select x.*, count(*) over () from (
    select p.name, o.edition, o.project, o.key, o.kind, o.milestone, o.recipient, o.status, o.error, o.created_at
    from outbox o join programs p on p.edition = o.edition and p.project = o.project
    where o.status in ('failed', 'uncertain') and `+q.clause()+`
    order by o.edition, o.project, o.created_at, o.key limit `+strconv.Itoa(limit+upTo+1)+`) x) y limit `+strconv.Itoa(limit),
		q.args...).Query(func(rows pgx.Rows) error {
		n := 0
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (UndeliveredMessage, error) {
			var u UndeliveredMessage
			m := &u.Message
			var errMsg string
			err := r.Scan(&u.Name, &m.Edition, &m.Project, &m.Key, &m.Kind, &m.Milestone, &m.Recipient, &m.Status, &errMsg, &m.CreatedAt, &n)
			m.Payload = map[string]string{"error": errMsg}
			m.CreatedAt = m.CreatedAt.UTC()
			return u, err
		})
		if err != nil {
			return fmt.Errorf("store: undelivered: %w", err)
		}
		*out = Undelivered{Messages: list, N: min(n, limit+upTo), Over: n > limit+upTo}
		return nil
	})
}

// UndeliveredCounts returns how many failed or uncertain messages each of
// programs has, keyed "edition/project" (none: absent).
func (s *Store) UndeliveredCounts(ctx context.Context, programs []Program) (map[string]int, error) {
	var out map[string]int
	var b Batch
	b.UndeliveredCounts(programs, &out)
	return out, s.Send(ctx, &b)
}

// UndeliveredCounts queues Store.UndeliveredCounts.
func (b *Batch) UndeliveredCounts(programs []Program, out *map[string]int) {
	eds, projects := programKeys(programs)
	b.b.Queue(`
select edition, project, count(*) from outbox
where status in ('failed', 'uncertain') and (edition, project) in (select * from unnest($1::text[], $2::text[]))
group by 1, 2`, eds, projects).Query(func(rows pgx.Rows) error {
		m := map[string]int{}
		for rows.Next() {
			var ed, project string
			var n int
			if err := rows.Scan(&ed, &project, &n); err != nil {
				return fmt.Errorf("store: undelivered counts: %w", err)
			}
			m[ed+"/"+project] = n
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: undelivered counts: %w", err)
		}
		*out = m
		return nil
	})
}

// MilestonesOf returns the milestones of the programs listed, keyed
// "edition/project", in their order, with what lists show of them (not
// their evidence links, notes or closing times): one query where a list
// would make one per program. Go puts them in order: Postgres sorting the
// rows cost more than finding them.
func (s *Store) MilestonesOf(ctx context.Context, programs []Program) (map[string][]Milestone, error) {
	var out map[string][]Milestone
	var b Batch
	b.MilestonesOf(programs, &out)
	return out, s.Send(ctx, &b)
}

// MilestonesOf queues Store.MilestonesOf: one row per program, its
// milestones' columns as arrays.
func (b *Batch) MilestonesOf(programs []Program, out *map[string][]Milestone) {
	eds, projects := programKeys(programs)
	b.b.Queue(`
select edition, project, array_agg(position), array_agg(id), array_agg(title_fr), array_agg(title_en), array_agg(due),
    array_agg(evidence), array_agg(optional), array_agg(status)
from milestones where (edition, project) in (select * from unnest($1::text[], $2::text[]))
group by edition, project`, eds, projects).Query(func(rows pgx.Rows) error {
		m := make(map[string][]Milestone, len(programs))
		for rows.Next() {
			var ed, project string
			var pos []int32
			var ids, fr, en, evidence, status []string
			var due []time.Time
			var optional []bool
			if err := rows.Scan(&ed, &project, &pos, &ids, &fr, &en, &due, &evidence, &optional, &status); err != nil {
				return fmt.Errorf("store: milestones: %w", err)
			}
			order := make([]int, len(ids))
			for i := range order {
				order[i] = i
			}
			slices.SortFunc(order, func(a, b int) int { return int(pos[a] - pos[b]) })
			list := make([]Milestone, len(ids))
			for i, j := range order {
				list[i] = Milestone{ID: ids[j], TitleFR: fr[j], TitleEN: en[j], Due: due[j].Format(time.DateOnly),
					Evidence: evidence[j], Optional: optional[j], Status: status[j]}
			}
			m[ed+"/"+project] = list
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: milestones: %w", err)
		}
		*out = m
		return nil
	})
}

// CommitDates returns the dates of the commits of each repository (by
// name) since since: what a page of sparklines needs, in one query.
func (s *Store) CommitDates(ctx context.Context, names []string, since time.Time) (map[string][]time.Time, error) {
	var out map[string][]time.Time
	var b Batch
	b.CommitDates(names, since, &out)
	return out, s.Send(ctx, &b)
}

// CommitDates queues Store.CommitDates.
func (b *Batch) CommitDates(names []string, since time.Time, out *map[string][]time.Time) {
	b.b.Queue(`select repo, committed_at from repo_commits where repo = any($1) and committed_at >= $2`, nonNil(names), since).Query(func(rows pgx.Rows) error {
		m := map[string][]time.Time{}
		for rows.Next() {
			var repo string
			var at time.Time
			if err := rows.Scan(&repo, &at); err != nil {
				return fmt.Errorf("store: commits: %w", err)
			}
			m[repo] = append(m[repo], at.UTC())
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: commits: %w", err)
		}
		*out = m
		return nil
	})
}

// Listed is what List finds: programs, and when asked the funders of
// each (Funders[i] are Programs[i]'s).
type Listed struct {
	Programs []Program
	Funders  [][]string
}

// List queues ListPrograms (with the funders of each when withFunders).
func (b *Batch) List(f ProgramFilter, withFunders bool, out *Listed) {
	b.list(f, withFunders, func(l Listed) { *out = l })
}

func (b *Batch) list(f ProgramFilter, withFunders bool, done func(Listed)) {
	var q query
	q.scope(f.Scope)
	q.filters(f)
	order := "p.edition, p.project"
	if ed, project, ok := strings.Cut(f.After, "/"); ok {
		q.where("(p.edition, p.project) > (" + q.arg(ed) + ", " + q.arg(project) + ")")
	}
	if ed, project, ok := strings.Cut(f.Before, "/"); ok {
		q.where("(p.edition, p.project) < (" + q.arg(ed) + ", " + q.arg(project) + ")")
		// The page just before: read backwards, then put in order.
		order = "p.edition desc, p.project desc"
	}
	cols := programColumns
	if f.Brief {
		cols = briefColumns
		if f.Licence {
			cols += ", " + licenceColumn
		}
	}
	if withFunders {
		cols += `, array(select pf.funder from program_funders pf
    where pf.edition = p.edition and pf.project = p.project and pf.unfunded_at is null order by pf.funder)`
	}
	sql := "select " + cols + " from programs p where " + q.clause() + " order by " + order
	if f.Few {
		// The few programs first (by the indexes their filters use), then
		// in order: not a walk down every program until enough match.
		sql = "with k as materialized (select p.edition, p.project from programs p where " + q.clause() + ")\nselect " + cols +
			" from k join programs p on p.edition = k.edition and p.project = k.project order by " + order
	}
	if f.Limit > 0 {
		sql += " limit " + strconv.Itoa(f.Limit)
	}
	if f.Offset > 0 {
		sql += " offset " + strconv.Itoa(f.Offset)
	}
	b.b.Queue(sql, q.args...).Query(func(rows pgx.Rows) error {
		l := Listed{Programs: []Program{}}
		for rows.Next() {
			var p Program
			var fs []string
			if err := scanListed(rows, &p, f.Brief, f.Brief && !f.Licence, withFunders, &fs); err != nil {
				return fmt.Errorf("store: list programs: %w", err)
			}
			l.Programs = append(l.Programs, p)
			if withFunders {
				l.Funders = append(l.Funders, fs)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: list programs: %w", err)
		}
		if f.Before != "" {
			slices.Reverse(l.Programs)
			slices.Reverse(l.Funders)
		}
		done(l)
		return nil
	})
}

// listPrograms is ListPrograms with each program's funders when withFunders.
func (s *Store) listPrograms(ctx context.Context, f ProgramFilter, withFunders bool) ([]Program, [][]string, error) {
	var out Listed
	var b Batch
	b.List(f, withFunders, &out)
	if err := s.Send(ctx, &b); err != nil {
		return nil, nil, err
	}
	return out.Programs, out.Funders, nil
}

// briefColumns are what pages' lists show of a program (and what deciding
// their forms reads): no summary, jury comment, reminder dates or run ids.
const briefColumns = `p.edition, p.project, p.name, p.holders, p.repositories, p.city, p.theme, p.phase, p.paused, p.mentors, p.started_at`

func scanListed(rows pgx.Rows, p *Program, brief, noLicence, withFunders bool, funders *[]string) error {
	if !brief {
		var sc programScan
		dest := sc.dest(p)
		if withFunders {
			dest = append(dest, funders)
		}
		err := rows.Scan(dest...)
		sc.done(p)
		return err
	}
	dest := []any{&p.Edition, &p.Project, &p.Name, &p.Holders, &p.Repositories, &p.City, &p.Theme, &p.Phase, &p.Paused, &p.Mentors, &p.StartedAt}
	if !noLicence {
		dest = append(dest, &p.Licence)
	}
	if withFunders {
		dest = append(dest, funders)
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	p.StartedAt = p.StartedAt.UTC()
	return nil
}

// PublicBoard returns the programs whose holders put them on the public
// board (never a rejected one), in (edition, project) order; limit 0 is
// all of them.
func (s *Store) PublicBoard(ctx context.Context, limit int) ([]Program, error) {
	out, _, err := s.listPrograms(ctx, ProgramFilter{Public: true, Limit: limit}, false)
	return out, err
}

// PublicBoard queues Store.PublicBoard.
func (b *Batch) PublicBoard(limit int, out *[]Program) {
	b.list(ProgramFilter{Public: true, Limit: limit}, false, func(l Listed) { *out = l.Programs })
}
