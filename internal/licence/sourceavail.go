package licence

import (
	"regexp"
	"strings"
)

// Source-available licences are not open, but a holder needs to hear which
// one they chose ("BUSL-1.1, not open because …") rather than "we cannot
// tell". licenseclassifier's corpus lacks some of them (the Redis Source
// Available License, the PolyForm family) and cannot match the others once
// their parameters are filled in (the Business Source License's Licensor,
// Licensed Work, Change Date…). Each is recognised here by a few phrases
// that only its text has, instead of vendoring the texts.

// sourceAvailable is one such licence: its title, and a clause of its
// terms, both required, so that a README that merely names it is not
// taken for it.
type sourceAvailable struct {
	id     string
	title  *regexp.Regexp
	clause *regexp.Regexp
}

var sourceAvailables = []sourceAvailable{
	// The parameters block (Licensor, Licensed Work, Change Date) comes
	// first in every BUSL file, the title after it.
	{"BUSL-1.1", re(`business\s+source\s+license\s+1\.1`), re(`change\s+date.*licensed\s+work|licensed\s+work.*change\s+date`)},
	{"Elastic-2.0", re(`elastic\s+license\s+2\.0`), re(`you\s+may\s+not\s+provide\s+the\s+software\s+to\s+third\s+parties\s+as\s+a\s+hosted\s+or\s+managed\s+service`)},
	{"SSPL-1.0", re(`server\s+side\s+public\s+license`), re(`offering\s+the\s+program\s+as\s+a\s+service|service\s+source\s+code`)},
	{"LicenseRef-RSALv2", re(`redis\s+source\s+available\s+license\s+(?:2\.0|v2)`), re(`you\s+may\s+not\s+make\s+the\s+functionality\s+of\s+the\s+software`)},
}

// polyformRE is the title of a PolyForm licence; the family shares its
// structure ("Acceptance", "Copyright License", "Patent License", "Notices",
// "No Other Rights"), and every member limits use or purpose.
var (
	polyformRE     = regexp.MustCompile(`(?i)\bpolyform[\s-]+(noncommercial|small[\s-]+business|shield|perimeter|internal[\s-]+use|free[\s-]+trial|strict)[\s-]+licen[cs]e[\s-]+(\d+\.\d+\.\d+)`)
	polyformClause = re(`the\s+licensor\s+grants\s+you\s+a\s+copyright\s+license`)
)

// polyformIDs are SPDX's names of the family.
var polyformIDs = map[string]string{
	"noncommercial": "PolyForm-Noncommercial", "smallbusiness": "PolyForm-Small-Business", "shield": "PolyForm-Shield",
	"perimeter": "PolyForm-Perimeter", "internaluse": "PolyForm-Internal-Use", "freetrial": "PolyForm-Free-Trial", "strict": "PolyForm-Strict",
}

// sourceAvailableIDs returns the source-available licences whose text is
// in a licence file, in a stable order.
func sourceAvailableIDs(text string) []string {
	var ids []string
	for _, s := range sourceAvailables {
		if s.title.MatchString(text) && s.clause.MatchString(text) {
			ids = append(ids, s.id)
		}
	}
	if m := polyformRE.FindStringSubmatch(text); m != nil && polyformClause.MatchString(text) {
		key := strings.Join(strings.FieldsFunc(strings.ToLower(m[1]), func(r rune) bool { return r == ' ' || r == '-' || r == '\n' || r == '\t' }), "")
		if id, ok := polyformIDs[key]; ok {
			ids = append(ids, id+"-"+m[2])
		}
	}
	return ids
}

// commonsClauseRE is how a rider names itself: "Commons Clause" License
// Condition v1.0, "Apache 2.0 with Commons Clause", "Commons Clause
// Restriction". The canonical rider is in the classifier's corpus; projects
// often reword it, and then only its name and its terms are left.
var commonsClauseRE = regexp.MustCompile(`(?i)\bcommons\s+clause\b`)
