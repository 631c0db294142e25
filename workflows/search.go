package workflows

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/codecitoyen/suivi/internal/config"
)

// Typed search attributes kept on every program workflow, so operators can
// ask Temporal directly, e.g. SuiviPhase='accompaniment' AND SuiviCity='Lyon'.
var (
	SearchEdition = temporal.NewSearchAttributeKeyKeyword("SuiviEdition")
	SearchProject = temporal.NewSearchAttributeKeyKeyword("SuiviProject")
	SearchCity    = temporal.NewSearchAttributeKeyKeyword("SuiviCity")
	SearchTheme   = temporal.NewSearchAttributeKeyKeyword("SuiviTheme")
	SearchPhase   = temporal.NewSearchAttributeKeyKeyword("SuiviPhase")
	SearchNextDue = temporal.NewSearchAttributeKeyTime("SuiviNextDue")
)

// SearchAttributes lists Suivi's search attributes with their Temporal types,
// for registration on a namespace.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		SearchEdition.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchProject.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchCity.GetName():    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchTheme.GetName():   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchPhase.GetName():   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchNextDue.GetName(): enumspb.INDEXED_VALUE_TYPE_DATETIME,
	}
}

// StartOptions are the options every program start uses: the one workflow
// ID, the task queue, duplicate rejection and the initial search attributes.
func StartOptions(in ProgramInput) client.StartWorkflowOptions {
	sa := []temporal.SearchAttributeUpdate{
		SearchEdition.ValueSet(in.Edition),
		SearchProject.ValueSet(in.Project),
		SearchPhase.ValueSet(string(PhaseApplied)),
	}
	if in.City != "" {
		sa = append(sa, SearchCity.ValueSet(in.City))
	}
	if in.Theme != "" {
		sa = append(sa, SearchTheme.ValueSet(in.Theme))
	}
	if in.Snapshot != nil {
		// The first due date depends on the milestones only, not on the
		// start's instant.
		if due := newState(in.Snapshot, time.Time{}).nextDue(in.Snapshot.Zone); !due.IsZero() {
			sa = append(sa, SearchNextDue.ValueSet(due))
		}
	}
	return client.StartWorkflowOptions{
		ID:        ProgramWorkflowID(in.Edition, in.Project),
		TaskQueue: config.TaskQueue,
		// A program exists once per edition: never start it again, even
		// after it ended.
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		// Without this the SDK hands back the running workflow as if it
		// had just been started.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		TypedSearchAttributes:                    temporal.NewSearchAttributes(sa...),
	}
}
