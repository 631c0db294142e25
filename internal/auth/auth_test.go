package auth_test

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/auth"
)

// The people of the matrix, each holding one kind of access to the program
// ncc-2027/demoscampi in Lyon (or to something else).
var people = map[string]*auth.Person{
	"nobody":         nil,
	"coord-all":      {Email: "all@x.org", Grants: []auth.Grant{{Role: auth.Coordinator}}},
	"coord-lyon":     {Email: "lyon@x.org", Grants: []auth.Grant{{Role: auth.Coordinator, City: "Lyon"}}},
	"coord-tunis":    {Email: "tunis@x.org", Grants: []auth.Grant{{Role: auth.Coordinator, City: "Tunis"}}},
	"mentor":         {Email: "Mentor@X.org", Member: []auth.Role{auth.Mentor}},
	"other-mentor":   {Email: "m2@x.org", Member: []auth.Role{auth.Mentor}},
	"holder":         {Email: "holder@x.org", Member: []auth.Role{auth.Holder}},
	"jury-lyon":      {Email: "j@x.org", Grants: []auth.Grant{{Role: auth.Jury, Edition: "ncc-2027", City: "Lyon"}}},
	"jury-tunis":     {Email: "j2@x.org", Grants: []auth.Grant{{Role: auth.Jury, Edition: "ncc-2027", City: "Tunis"}}},
	"jury-2026":      {Email: "j3@x.org", Grants: []auth.Grant{{Role: auth.Jury, Edition: "ncc-2026", City: "Lyon"}}},
	"funder":         {Email: "f@x.org", Grants: []auth.Grant{{Role: auth.Funder, Funder: "metropole-de-lyon"}}},
	"other-funder":   {Email: "f2@x.org", Grants: []auth.Grant{{Role: auth.Funder, Funder: "region"}}},
	"signed-in-only": {Email: "who@x.org"},
}

func program(phase string) *auth.Program {
	return &auth.Program{Edition: "ncc-2027", Project: "demoscampi", City: "Lyon", Phase: phase,
		Holders: []string{"holder@x.org"}, Mentors: []string{"mentor@x.org"}, Funders: []string{"metropole-de-lyon"}}
}

// want lists, per action on a program in its demo phase, who may do it.
// A new action without a row here fails TestEveryRuleIsInTheMatrix.
var want = map[auth.Action][]string{
	auth.ViewProgram:  {"coord-all", "coord-lyon", "mentor", "holder", "jury-lyon", "funder"},
	auth.StartProgram: {"coord-all", "coord-lyon"},
	auth.Select:       {"coord-all", "coord-lyon"},
	auth.Reject:       {"coord-all", "coord-lyon"},
	auth.Score:        {"coord-all", "coord-lyon", "jury-lyon"},
	auth.Pause:        {"coord-all", "coord-lyon"},
	auth.Resume:       {"coord-all", "coord-lyon"},
	auth.Withdraw:     {"coord-all", "coord-lyon"},
	auth.Graduate:     {"coord-all", "coord-lyon"},
	auth.Forget:       {"coord-all"},
	auth.Fund:         {"coord-all", "coord-lyon"},
	auth.SetPublic:    {"coord-all", "coord-lyon", "holder"},
	auth.Submit:       {"coord-all", "coord-lyon", "holder"},
	auth.Complete:     {"coord-all", "coord-lyon", "mentor"},
	auth.Waive:        {"coord-all", "coord-lyon", "mentor"},
	auth.Extend:       {"coord-all", "coord-lyon"},
	auth.AssignMentor: {"coord-all", "coord-lyon"},
	auth.RemoveMentor: {"coord-all", "coord-lyon"},
	auth.AddHolder:    {"coord-all", "coord-lyon"},
	auth.RemoveHolder: {"coord-all", "coord-lyon"},
	auth.Attend:       {"coord-all", "coord-lyon", "mentor"},

	auth.ListPrograms: {"coord-all", "coord-lyon", "coord-tunis", "mentor", "other-mentor", "holder", "jury-lyon", "jury-tunis", "jury-2026", "funder", "other-funder"},
	auth.Dashboard:    {"coord-all", "coord-lyon", "coord-tunis"},
	auth.JuryPage:     {"jury-lyon", "jury-tunis", "jury-2026"},
	auth.ApplyEdition: {"coord-all"},
	auth.ViewEdition:  {"coord-all", "coord-lyon", "coord-tunis", "mentor", "other-mentor", "holder", "jury-lyon", "jury-tunis", "jury-2026", "funder", "other-funder"},
	auth.ManageUsers:  {"coord-all"},
	auth.OwnAccount:   {"coord-all", "coord-lyon", "coord-tunis", "mentor", "other-mentor", "holder", "jury-lyon", "jury-tunis", "jury-2026", "funder", "other-funder"},
	auth.ManagePeople: {"coord-all"},

	auth.ManageFunders: {"coord-all"},
	auth.FunderReport:  {"coord-all", "funder"},
	auth.EditionReport: {"coord-all", "coord-lyon"},
}

// programActions are the actions whose decision depends on the program.
var programActions = map[auth.Action]bool{
	auth.ViewProgram: true, auth.StartProgram: true, auth.Select: true, auth.Reject: true, auth.Score: true,
	auth.Pause: true, auth.Resume: true, auth.Withdraw: true, auth.Graduate: true, auth.Forget: true,
	auth.Fund: true, auth.SetPublic: true, auth.Submit: true, auth.Complete: true, auth.Waive: true,
	auth.Extend: true, auth.AssignMentor: true, auth.RemoveMentor: true, auth.Attend: true,
	auth.AddHolder: true, auth.RemoveHolder: true, auth.FunderReport: true, auth.EditionReport: true,
}

func TestMatrix(t *testing.T) {
	names := make([]string, 0, len(people))
	for n := range people {
		names = append(names, n)
	}
	sort.Strings(names)
	for action, allowed := range want {
		var prog *auth.Program
		if programActions[action] {
			prog = program("demo")
		}
		for _, n := range names {
			got := auth.Can(people[n], action, prog)
			if exp := slices.Contains(allowed, n); got != exp {
				t.Errorf("%s by %s: %v, want %v", action, n, got, exp)
			}
		}
	}
}

func TestEveryRuleIsInTheMatrix(t *testing.T) {
	for action := range auth.Rules {
		if _, ok := want[action]; !ok {
			t.Errorf("action %s has rules but no row in the test matrix", action)
		}
	}
	for action := range want {
		if _, ok := auth.Rules[action]; !ok {
			t.Errorf("the matrix has a row for %s, which no rule mentions", action)
		}
	}
}

func TestDenyByDefault(t *testing.T) {
	for n, p := range people {
		if auth.Can(p, "program.delete-everything", program("demo")) {
			t.Errorf("%s may do an action nobody wrote a rule for", n)
		}
	}
	// Acting on no program where one is needed is refused.
	if auth.Can(people["mentor"], auth.Complete, nil) || auth.Can(people["coord-lyon"], auth.Select, nil) {
		t.Error("a program action was allowed without a program")
	}
}

// The jury scores only during the demo, and sees only selected programs.
func TestJuryFollowsThePhase(t *testing.T) {
	j := people["jury-lyon"]
	for _, phase := range []string{"applied", "selected", "hackathon", "accompaniment", "graduated"} {
		if auth.Can(j, auth.Score, program(phase)) {
			t.Errorf("the jury may score in phase %s", phase)
		}
	}
	for phase, ok := range map[string]bool{"applied": false, "rejected": false, "selected": true, "demo": true, "accompaniment": true} {
		if got := auth.Can(j, auth.ViewProgram, program(phase)); got != ok {
			t.Errorf("the jury sees a %s program: %v, want %v", phase, got, ok)
		}
	}
}

func TestCityMatchIgnoresCase(t *testing.T) {
	p := program("demo")
	p.City = "lyon"
	if !auth.Can(people["coord-lyon"], auth.Select, p) || !auth.Can(people["jury-lyon"], auth.Score, p) {
		t.Error("Lyon and lyon are different cities")
	}
}

func TestRolesSaysWhatTheViewerIs(t *testing.T) {
	both := &auth.Person{Email: "holder@x.org", Grants: []auth.Grant{{Role: auth.Jury, Edition: "ncc-2027", City: "Lyon"}}, Member: []auth.Role{auth.Holder}}
	got := both.Roles(program("demo"))
	if strings.Join(roleNames(got), ",") != "holder,jury" {
		t.Errorf("roles = %v", got)
	}
	if (*auth.Person)(nil).Roles(nil) != nil {
		t.Error("nobody has roles")
	}
}

func roleNames(rs []auth.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// ViewScope is Can: for every kind of person of the matrix, and people
// holding several roles or written in another case, the programs their
// scope covers are exactly those Can lets them view, over programs of
// every phase, of cities written in several cases (Unicode too), listing
// people in several cases, funded or not.
func TestViewScopeIsCan(t *testing.T) {
	persons := maps.Clone(people)
	persons["coord-LYON"] = &auth.Person{Email: "l2@x.org", Grants: []auth.Grant{{Role: auth.Coordinator, City: "LYON"}}}
	persons["coord-évry"] = &auth.Person{Email: "e@x.org", Grants: []auth.Grant{{Role: auth.Coordinator, City: "Évry"}}}
	persons["jury-évry"] = &auth.Person{Email: "je@x.org", Grants: []auth.Grant{{Role: auth.Jury, Edition: "ncc-2027", City: "ÉVRY"}}}
	persons["coord-tunis+funder+mentor"] = &auth.Person{Email: "mentor@x.org", Member: []auth.Role{auth.Mentor},
		Grants: []auth.Grant{{Role: auth.Coordinator, City: "Tunis"}, {Role: auth.Funder, Funder: "region"}}}
	persons["jury+funder"] = &auth.Person{Email: "jf@x.org", Grants: []auth.Grant{{Role: auth.Jury, Edition: "ncc-2026", City: "Lyon"}, {Role: auth.Funder, Funder: "metropole-de-lyon"}}}
	persons["holder-élodie"] = &auth.Person{Email: "élodie@x.org", Member: []auth.Role{auth.Holder}}
	persons["holder-kelvin"] = &auth.Person{Email: "kim@x.org", Member: []auth.Role{auth.Holder}}

	var progs []*auth.Program
	n := 0
	for _, edition := range []string{"ncc-2027", "ncc-2026"} {
		for _, phase := range []string{"applied", "rejected", "selected", "hackathon", "demo", "accompaniment", "graduated", "dormant", "withdrawn", "paused-or-new"} {
			for _, city := range []string{"Lyon", "lyon", "LYON", "Tunis", "", "Évry", "évry"} {
				for _, people := range [][2][]string{
					{{"holder@x.org"}, {"mentor@x.org"}},
					{{"HOLDER@X.ORG", "other@x.org"}, {"MENTOR@x.org"}},
					{{"Élodie@x.org"}, nil},
					{{"\u212aim@x.org"}, {"m2@x.org"}}, // a Kelvin sign: EqualFold to k
					{nil, nil},
				} {
					for _, funders := range [][]string{nil, {"metropole-de-lyon"}, {"region", "other"}} {
						n++
						progs = append(progs, &auth.Program{Edition: edition, Project: fmt.Sprintf("p%d", n), City: city, Phase: phase,
							Holders: people[0], Mentors: people[1], Funders: funders})
					}
				}
			}
		}
	}
	var groups []auth.Group
	for _, p := range progs {
		if g := (auth.Group{Edition: p.Edition, City: p.City, Phase: p.Phase}); !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	candidates := make([]auth.Program, len(progs))
	for i, p := range progs {
		candidates[i] = *p
	}
	for name, who := range persons {
		s := auth.ViewScope(who, groups, candidates)
		seen := 0
		for _, p := range progs {
			can := auth.Can(who, auth.ViewProgram, p)
			if got := s.Covers(p); got != can {
				t.Errorf("%s, program %+v: scope says %v, Can says %v", name, *p, got, can)
			}
			if can {
				seen++
			}
		}
		if who != nil && name != "signed-in-only" && name != "other-mentor" && seen == 0 {
			t.Errorf("%s sees nothing: the test proves little for them", name)
		}
	}
	if !auth.ViewScope(nil, groups, candidates).Empty() {
		t.Error("nobody's scope is not empty")
	}
}

// ViewScope knows how each rule for ViewProgram reads a program; a rule
// with another scope must be taught to it first.
func TestViewScopeKnowsEveryRule(t *testing.T) {
	if !auth.ViewRulesKnown() {
		t.Errorf("a rule for %s reads something ViewScope does not separate (rules: %v): add it to ViewScope, its proof and viewScopes", auth.ViewProgram, auth.Rules[auth.ViewProgram])
	}
}
