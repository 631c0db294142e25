# Suivi: the two commands a newcomer needs are `make dev` and `make test`.

GO ?= go
# Packages that embed the Temporal server are too slow to build and run
# under the race detector on a small machine; everything else runs with it.
HEAVY_PKGS := /cmd/|/internal/devserver
PKGS = $(shell $(GO) list ./...)
RACE_PKGS = $(shell $(GO) list ./... | grep -v -E '$(HEAVY_PKGS)')
PLAIN_PKGS = $(shell $(GO) list ./... | grep -E '$(HEAVY_PKGS)')
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: dev test test-deps build vet clean histories bench
.PHONY: lint lint-tools vulncheck
.PHONY: fuzz

# Test-only npm packages, kept out of the repository in a cache directory:
# axe-core checks the pages' accessibility in the browser test, and
# @redocly/cli lints the OpenAPI description as an independent validator.
SUIVI_AXE_DIR ?= $(HOME)/.cache/suivi-test-npm
export SUIVI_AXE_DIR
SUIVI_REDOCLY ?= $(SUIVI_AXE_DIR)/node_modules/.bin/redocly
export SUIVI_REDOCLY

## dev: build and run everything on this machine (embedded Temporal, Postgres, worker, web)
dev: build
	./bin/suivi dev

## test: vet, then every test (race detector where affordable)
test: vet test-deps
	$(GO) test -race -count=1 $(RACE_PKGS)
	$(GO) test -count=1 $(PLAIN_PKGS)

vet:
	$(GO) vet ./...

test-deps:
	@if [ ! -f "$(SUIVI_AXE_DIR)/node_modules/axe-core/axe.min.js" -o ! -x "$(SUIVI_AXE_DIR)/node_modules/.bin/redocly" ] && command -v npm >/dev/null 2>&1; then \
		echo "installing axe-core and @redocly/cli into $(SUIVI_AXE_DIR)"; \
		mkdir -p "$(SUIVI_AXE_DIR)" && npm install --silent --no-audit --no-fund --prefix "$(SUIVI_AXE_DIR)" axe-core@4.14.1 @redocly/cli@2.77.0 >/dev/null; \
	fi

## lint: go vet, staticcheck over the module, workflowcheck over the workflows
## (tools pinned here, installed into a cache directory, kept out of go.mod)
STATICCHECK_VERSION := v0.8.2
WORKFLOWCHECK_VERSION := v0.6.0
GOVULNCHECK_VERSION := v1.9.0
SUIVI_TOOLS_BIN ?= $(HOME)/.cache/suivi-tools/bin
STATICCHECK := $(SUIVI_TOOLS_BIN)/staticcheck-$(STATICCHECK_VERSION)
WORKFLOWCHECK := $(SUIVI_TOOLS_BIN)/workflowcheck-$(WORKFLOWCHECK_VERSION)
GOVULNCHECK := $(SUIVI_TOOLS_BIN)/govulncheck-$(GOVULNCHECK_VERSION)

lint: vet $(STATICCHECK) $(WORKFLOWCHECK)
	$(GO) vet -tags faults ./internal/faults/...
	$(STATICCHECK) -tags faults ./...
	$(WORKFLOWCHECK) -config workflows/workflowcheck.config.yaml ./workflows/...

lint-tools: $(STATICCHECK) $(WORKFLOWCHECK)

# One binary per version, so that changing a pin above reinstalls it.
$(STATICCHECK):
	@mkdir -p $(SUIVI_TOOLS_BIN)
	GOBIN=$(SUIVI_TOOLS_BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(SUIVI_TOOLS_BIN)/staticcheck $@
$(WORKFLOWCHECK):
	@mkdir -p $(SUIVI_TOOLS_BIN)
	GOBIN=$(SUIVI_TOOLS_BIN) $(GO) install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)
	mv $(SUIVI_TOOLS_BIN)/workflowcheck $@
$(GOVULNCHECK):
	@mkdir -p $(SUIVI_TOOLS_BIN)
	GOBIN=$(SUIVI_TOOLS_BIN) $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)
	mv $(SUIVI_TOOLS_BIN)/govulncheck $@

## vulncheck: known vulnerabilities in the code Suivi calls (govulncheck). For
## operators, not CI: it needs vuln.go.dev, which the CI machines cannot reach.
vulncheck: $(GOVULNCHECK)
	$(GOVULNCHECK) ./...

## fuzz: run every fuzz target for FUZZTIME each (go test takes one -fuzz
## target per run). Their seed corpora (testdata/fuzz) also run, as plain
## tests, under `make test`. Minimising each new input for a count rather
## than Go's default of a minute keeps a short run fuzzing, and a slow
## target's worker from being restarted when the minute runs out.
FUZZTIME ?= 5s
FUZZMINIMIZETIME ?= 100x
fuzz:
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' . | sort); do \
		for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "fuzz: $$t in ./$$(dirname $${f#./}) for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./$$(dirname $${f#./}); \
		done; \
	done

## histories: record workflow histories from the end-to-end scenarios into
## workflows/testdata (the replay test replays every file there; keep the old
## ones: programs started by older code must still replay)
histories:
	$(GO) test -count=1 -run 'TestEndToEnd|TestLifecycleEndToEnd|TestReusedUpdateIDIsAConflict|TestLostTemporalState|TestFunderReportSentOnce' ./cmd/suivi -record-histories

## bench: the 24-month program simulation
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./workflows/

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/suivi ./cmd/suivi

clean:
	rm -rf bin

## faults: the fault harness (issue 14): Temporal on PostgreSQL, Suivi's
## PostgreSQL, two workers, two serves, an SMTP relay and a fake GitHub, each
## a process; the tests kill and break them and count what was lost
.PHONY: faults
faults:
	$(GO) test -tags faults -count=1 -v -timeout 25m ./internal/faults
