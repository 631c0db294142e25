// Package auth decides who may do what in Suivi: one function, Can, reading
// one table, Rules. Deny by default: an action with no rule is refused to
// everyone, and a person who may not view a program is told it does not
// exist (the web layer answers 404).
package auth

import (
	"slices"
	"strings"
)

// Role is what a person is to Suivi. One person may hold several.
type Role string

// The roles of DESIGN.md.
const (
	Coordinator Role = "coordinator"
	Mentor      Role = "mentor"
	Holder      Role = "holder"
	Jury        Role = "jury"
	Funder      Role = "funder"
)

// Roles lists every role, in the order pages and help show them.
var Roles = []Role{Coordinator, Mentor, Holder, Jury, Funder}

// Grant is one role given to a person. Coordinators have a City ("" is
// every city), jury members an Edition and a City, funders a Funder slug.
// Mentors and holders are not granted: programs list them.
type Grant struct {
	ID      int64  `json:"id,omitempty"`
	Email   string `json:"email"`
	Role    Role   `json:"role"`
	City    string `json:"city,omitempty"`
	Edition string `json:"edition,omitempty"`
	Funder  string `json:"funder,omitempty"`
}

// Person is who is signed in, with the grants they hold. A nil *Person is
// nobody: the public.
type Person struct {
	Email  string
	Grants []Grant
	// Member lists the roles held through programs' own lists (Holder,
	// Mentor) in at least one program; whoever loads the person fills it.
	Member []Role
}

// Program is what a decision needs to know about one program.
type Program struct {
	Edition, Project, City, Phase string
	Holders, Mentors, Funders     []string
}

// Action is something a person asks to do.
type Action string

// Actions on a program.
const (
	ViewProgram  Action = "program.view"
	StartProgram Action = "program.start"
	Select       Action = "program.select"
	Reject       Action = "program.reject"
	Score        Action = "program.score"
	Pause        Action = "program.pause"
	Resume       Action = "program.resume"
	Withdraw     Action = "program.withdraw"
	Graduate     Action = "program.graduate"
	Forget       Action = "program.forget"
	Fund         Action = "program.fund"
	SetPublic    Action = "program.public"
	Submit       Action = "step.submit"
	Complete     Action = "step.complete"
	Waive        Action = "step.waive"
	Extend       Action = "step.extend"
	AssignMentor Action = "mentor.assign"
	RemoveMentor Action = "mentor.remove"
	AddHolder    Action = "holder.add"
	RemoveHolder Action = "holder.remove"
	Attend       Action = "meetup.attend"
)

// Actions that concern no one program.
const (
	// ListPrograms is seeing a list at all; each row is then filtered by
	// ViewProgram.
	ListPrograms Action = "programs.list"
	Dashboard    Action = "dashboard.view"
	JuryPage     Action = "jury.view"
	ApplyEdition Action = "edition.apply"
	ViewEdition  Action = "edition.view"
	ManageUsers  Action = "users.manage"
	// OwnAccount is a signed-in person's own settings, tokens and feed.
	OwnAccount Action = "account.own"
	// ManagePeople is changing someone else's email settings.
	ManagePeople Action = "people.manage"
	// ManageFunders adds funders and changes their contacts.
	ManageFunders Action = "funders.manage"
	// FunderReport reads a funder's reports; its Program names the
	// funder in Funders (and nothing else).
	FunderReport Action = "report.funder"
	// EditionReport reads an edition's report; its Program gives the
	// Edition and City ("" for every city).
	EditionReport Action = "report.edition"
)

// scope says which programs a grant reaches for a rule.
type scope int

const (
	// anywhere: the role suffices, whatever the program (or none).
	anywhere scope = iota
	// city: a coordinator of every city, or of the program's city.
	city
	// allCities: a coordinator of every city only.
	allCities
	// member: listed on the program (holders, mentors).
	member
	// jurySeat: a jury member of the program's edition and city.
	jurySeat
	// juryAtDemo: jurySeat, while the program is in its demo phase.
	juryAtDemo
	// funds: a funder of the program.
	funds
)

// Rule lets a role do an action within a scope.
type Rule struct {
	Role  Role
	scope scope
}

func (r Rule) String() string {
	return string(r.Role) + "/" + [...]string{"anywhere", "city", "all cities", "member", "jury seat", "jury at demo", "funds"}[r.scope]
}

// Rules is the whole of who may do what. Tests iterate it.
var Rules = map[Action][]Rule{
	ViewProgram:  {{Coordinator, city}, {Mentor, member}, {Holder, member}, {Jury, jurySeat}, {Funder, funds}},
	StartProgram: {{Coordinator, city}},
	Select:       {{Coordinator, city}},
	Reject:       {{Coordinator, city}},
	Score:        {{Jury, juryAtDemo}, {Coordinator, city}},
	Pause:        {{Coordinator, city}},
	Resume:       {{Coordinator, city}},
	Withdraw:     {{Coordinator, city}},
	Graduate:     {{Coordinator, city}},
	Forget:       {{Coordinator, allCities}},
	Fund:         {{Coordinator, city}},
	SetPublic:    {{Holder, member}, {Coordinator, city}},
	Submit:       {{Holder, member}, {Coordinator, city}},
	Complete:     {{Mentor, member}, {Coordinator, city}},
	Waive:        {{Mentor, member}, {Coordinator, city}},
	Extend:       {{Coordinator, city}},
	AssignMentor: {{Coordinator, city}},
	RemoveMentor: {{Coordinator, city}},
	AddHolder:    {{Coordinator, city}},
	RemoveHolder: {{Coordinator, city}},
	Attend:       {{Mentor, member}, {Coordinator, city}},

	ListPrograms: {{Coordinator, anywhere}, {Mentor, anywhere}, {Holder, anywhere}, {Jury, anywhere}, {Funder, anywhere}},
	Dashboard:    {{Coordinator, anywhere}},
	JuryPage:     {{Jury, anywhere}},
	ApplyEdition: {{Coordinator, allCities}},
	ViewEdition:  {{Coordinator, anywhere}, {Mentor, anywhere}, {Holder, anywhere}, {Jury, anywhere}, {Funder, anywhere}},
	ManageUsers:  {{Coordinator, allCities}},
	OwnAccount:   {{Coordinator, anywhere}, {Mentor, anywhere}, {Holder, anywhere}, {Jury, anywhere}, {Funder, anywhere}},
	ManagePeople: {{Coordinator, allCities}},

	ManageFunders: {{Coordinator, allCities}},
	FunderReport:  {{Coordinator, allCities}, {Funder, funds}},
	EditionReport: {{Coordinator, city}},
}

// Can reports whether p may do a on prog (nil for actions on no program).
// Deny by default: nobody, an unknown action, or no matching rule is no.
func Can(p *Person, a Action, prog *Program) bool {
	if p == nil {
		return false
	}
	for _, r := range Rules[a] {
		if p.holds(r, prog) {
			return true
		}
	}
	return false
}

// Roles returns the roles p holds for prog (or anywhere, when prog is nil):
// what a page says about the viewer.
func (p *Person) Roles(prog *Program) []Role {
	if p == nil {
		return nil
	}
	var out []Role
	for _, role := range Roles {
		sc := anywhere
		if prog != nil {
			sc = map[Role]scope{Coordinator: city, Mentor: member, Holder: member, Jury: jurySeat, Funder: funds}[role]
		}
		if p.holds(Rule{role, sc}, prog) {
			out = append(out, role)
		}
	}
	return out
}

// holds reports whether p has role r.Role within r's scope for prog.
func (p *Person) holds(r Rule, prog *Program) bool {
	switch r.Role {
	case Mentor, Holder:
		if r.scope == anywhere {
			return slices.Contains(p.Member, r.Role)
		}
		if prog == nil || r.scope != member {
			return false
		}
		list := prog.Holders
		if r.Role == Mentor {
			list = prog.Mentors
		}
		return containsFold(list, p.Email)
	}
	for _, g := range p.Grants {
		if g.Role != r.Role {
			continue
		}
		switch r.scope {
		case anywhere:
			return true
		case allCities:
			if g.City == "" {
				return true
			}
		case city:
			if g.City == "" || (prog != nil && strings.EqualFold(g.City, prog.City)) {
				return true
			}
		case jurySeat, juryAtDemo:
			if prog == nil || g.Edition != prog.Edition || !strings.EqualFold(g.City, prog.City) {
				continue
			}
			if r.scope == juryAtDemo && prog.Phase != "demo" {
				continue
			}
			if r.scope == jurySeat && (prog.Phase == "applied" || prog.Phase == "rejected") {
				// The jury sees the demos of selected projects only.
				continue
			}
			return true
		case funds:
			if prog != nil && slices.Contains(prog.Funders, g.Funder) {
				return true
			}
		}
	}
	return false
}

func containsFold(list []string, v string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, v) })
}
