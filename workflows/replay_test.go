package workflows_test

import (
	"log/slog"
	"path/filepath"
	"testing"

	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/codecitoyen/suivi/worker"
)

// TestReplayRecordedHistories replays every recorded history in testdata/
// against today's workflow code. A change that is not behind
// workflow.GetVersion makes it fail with a non-determinism error.
//
// Histories are recorded by the end-to-end test in cmd/suivi:
//
//	make histories
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in workflows/testdata")
	}
	r := sdkworker.NewWorkflowReplayer()
	worker.RegisterWorkflows(r)
	logger := sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if err := r.ReplayWorkflowHistoryFromJSONFile(logger, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
