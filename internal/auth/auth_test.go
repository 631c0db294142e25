package auth_test

import (
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

// Reach narrows queries before Can decides: every program Can lets a person
// view must be within their Reach, whatever its phase or city.
func TestReachCoversCan(t *testing.T) {
	for _, phase := range []string{"applied", "selected", "demo", "accompaniment", "graduated"} {
		for _, city := range []string{"Lyon", "lyon", "Tunis", ""} {
			prog := program(phase)
			prog.City = city
			for n, p := range people {
				if auth.Can(p, auth.ViewProgram, prog) && !auth.ReachOf(p).Covers(prog) {
					t.Errorf("%s may view a %s program in %q but it is out of their reach", n, phase, city)
				}
			}
		}
	}
	if r := auth.ReachOf(nil); r.All || r.Email != "" {
		t.Errorf("nobody reaches %+v", r)
	}
}
