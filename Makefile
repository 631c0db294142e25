# Suivi: the two commands a newcomer needs are `make dev` and `make test`.

GO ?= go
# Packages that embed the Temporal server are too slow to build and run
# under the race detector on a small machine; everything else runs with it.
HEAVY_PKGS := /cmd/|/internal/devserver
PKGS = $(shell $(GO) list ./...)
RACE_PKGS = $(shell $(GO) list ./... | grep -v -E '$(HEAVY_PKGS)')
PLAIN_PKGS = $(shell $(GO) list ./... | grep -E '$(HEAVY_PKGS)')
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: dev test build vet clean histories bench

## dev: build and run everything on this machine (embedded Temporal, Postgres, worker, web)
dev: build
	./bin/suivi dev

## test: vet, then every test (race detector where affordable)
test: vet
	$(GO) test -race -count=1 $(RACE_PKGS)
	$(GO) test -count=1 $(PLAIN_PKGS)

vet:
	$(GO) vet ./...

## histories: record workflow histories from the end-to-end scenarios into
## workflows/testdata (the replay test replays every file there; keep the old
## ones: programs started by older code must still replay)
histories:
	$(GO) test -count=1 -run 'TestEndToEnd|TestLifecycleEndToEnd|TestReusedUpdateIDIsAConflict|TestLostTemporalState' ./cmd/suivi -record-histories

## bench: the 24-month program simulation
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./workflows/

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/suivi ./cmd/suivi

clean:
	rm -rf bin
