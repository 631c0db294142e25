package auth

import (
	"slices"
)

// Group is what coordinator and jury grants read of a program: its
// edition, city and phase. Every program is in exactly one group, and a
// whole edition holds a few dozen of them, however many programs it has.
type Group struct{ Edition, City, Phase string }

// Scope is exactly the programs a person may view (ViewProgram), of the
// groups it was built from, in the three parts a query can test without
// deciding program by program: those of Groups, those Funders fund, and
// Members (edition, project), the programs that list the person. All says
// that every one of those groups is in Groups: the person sees every
// program, and a query needs no condition (lists still ask Can of each
// row they read, which also decides a program of a group born since).
// ViewScope builds it with Can, and Covers reads it; TestViewScopeIsCan
// holds the two to Can.
type Scope struct {
	All     bool
	Groups  []Group
	Funders []string
	Members [][2]string
}

// ViewScope returns the programs p may view, exactly, given every group
// that holds a program (groups) and every program that may list p as a
// holder or mentor (candidates, with their people: a superset of those
// that do).
//
// Why it is exact: the rules for ViewProgram read disjoint parts of a
// program — coordinators its city, the jury its edition, city and phase,
// mentors and holders its lists of people, funders its funders — so Can
// says yes to a program exactly when it says yes to one of: the program
// reduced to its group (Can decides each group), the program as a
// candidate (Can decides each candidate, so a candidate listed for its
// city as well changes nothing), or a funder of the program in Funders,
// the funders of p's grants that a funds rule reads. Emptying a program's
// lists of people or funders never turns a no into a yes (the rules look
// for a match in them), so none of the three lets in a program Can
// refuses, and no rule reads the project's own name. A rule reading
// anything else (a new scope) must be added here: TestViewScopeKnowsEveryRule
// fails until it is.
func ViewScope(p *Person, groups []Group, candidates []Program) Scope {
	var s Scope
	if p == nil {
		return s
	}
	for _, g := range groups {
		if Can(p, ViewProgram, &Program{Edition: g.Edition, City: g.City, Phase: g.Phase}) {
			s.Groups = append(s.Groups, g)
		}
	}
	s.All = len(groups) > 0 && len(s.Groups) == len(groups)
	for _, r := range Rules[ViewProgram] {
		if r.scope != funds {
			continue
		}
		for _, g := range p.Grants {
			if g.Role == r.Role && g.Funder != "" && !slices.Contains(s.Funders, g.Funder) {
				s.Funders = append(s.Funders, g.Funder)
			}
		}
	}
	slices.Sort(s.Funders)
	for _, c := range candidates {
		c.Funders = nil // a funder's programs are Funders' part
		if Can(p, ViewProgram, &c) {
			s.Members = append(s.Members, [2]string{c.Edition, c.Project})
		}
	}
	return s
}

// Covers reports whether prog is within s, as a query built from s
// decides: for tests, and for programs held in memory.
func (s Scope) Covers(prog *Program) bool {
	if s.All || slices.Contains(s.Groups, Group{prog.Edition, prog.City, prog.Phase}) ||
		slices.Contains(s.Members, [2]string{prog.Edition, prog.Project}) {
		return true
	}
	return slices.ContainsFunc(prog.Funders, func(f string) bool { return slices.Contains(s.Funders, f) })
}

// Empty reports whether s holds no program at all.
func (s Scope) Empty() bool {
	return !s.All && len(s.Groups) == 0 && len(s.Funders) == 0 && len(s.Members) == 0
}

// viewScopes are the scopes ViewScope separates; see its comment.
var viewScopes = []scope{city, jurySeat, member, funds}

// ViewRulesKnown reports whether every rule for ViewProgram reads only
// what ViewScope separates (for its test).
func ViewRulesKnown() bool {
	for _, r := range Rules[ViewProgram] {
		if !slices.Contains(viewScopes, r.scope) {
			return false
		}
	}
	return true
}
