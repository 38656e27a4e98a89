# undersigned — the two commands a newcomer needs are `make run` and `make test`.

SHELL       := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN      := bin/undersigned
GO_PKGS  := ./server/... ./migrations/... ./mailers/... ./locale/... ./frontend/
LDFLAGS  := -s -w -X main.version=$(VERSION)
export CGO_ENABLED ?= 0

.PHONY: help run build frontend frontend-deps test test-go test-frontend test-e2e lint clean bench fuzz docs image

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

run: build ## build everything and serve on http://localhost:8080 (SQLite, dev outbox, demo campaign)
	./$(BIN) serve

build: frontend ## build the SPA and the binary bin/undersigned with the SPA embedded
	go build -tags embedspa -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./server

# npm ci only when package-lock.json changed since the last install.
frontend/node_modules/.package-lock.json: frontend/package-lock.json frontend/package.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend-deps: frontend/node_modules/.package-lock.json

frontend: frontend-deps ## build the SPA into frontend/dist
	cd frontend && npm run build

test: test-go test-frontend test-e2e ## every test: Go on SQLite (and PostgreSQL with TEST_DATABASE_URL), frontend, browser
	@echo "make test: all suites passed"

# Packages run two per core: all but the api package spend most of their
# time waiting (on child processes, SMTP servers, leases and windows
# running out), and the default of one per core left a core idle.
GO_TEST_PACKAGES ?= $(shell echo $$(( $$(nproc) * 2 )))

test-go: ## Go unit and API tests; PostgreSQL too when TEST_DATABASE_URL is set
	@if [ -z "$${TEST_DATABASE_URL:-}" ]; then echo "note: TEST_DATABASE_URL is unset: Go tests run on SQLite only (.ci/run sets it)"; fi
	go test -count=1 -p $(GO_TEST_PACKAGES) $(GO_PKGS)

test-frontend: frontend-deps ## frontend unit tests (Vitest)
	cd frontend && npm test

# The real binary on a free port with SQLite, an SMTP server and Debian's
# Chromium (/usr/bin/chromium; with CI set, a missing browser fails the run).
test-e2e: build ## browser end-to-end tests (playwright-core, Chromium, axe); SCREENSHOTS=1 rewrites docs/screenshots
	cd frontend && npm run test:e2e

IMAGE_TAG ?= undersigned:$(VERSION)
image: build ## the container image bin/undersigned-image.tar from the same static binary (podman load -i ...), checked
	go run ./server/cmd/image -binary $(BIN) -out bin/undersigned-image.tar -tag $(IMAGE_TAG)
	go run ./server/cmd/image -check bin/undersigned-image.tar -tag $(IMAGE_TAG)

docs: ## render docs/api.md from the OpenAPI document (server/internal/api/openapi.json)
	go run ./server/cmd/apidoc server/internal/api/openapi.json docs/api.md

# Native Go fuzz targets, each run for FUZZTIME (plain `go test`, and so
# `make test`, runs only their seed corpora). A failing input is written to
# the package's testdata/fuzz/ folder: commit it as a regression case.
FUZZTIME ?= 1m
FUZZ_TARGETS := \
	./server/internal/api:FuzzRequestGuard \
	./server/internal/api:FuzzContactImportMatchesSingleContact \
	./server/internal/api:FuzzCampaignFormRoundTrip \
	./server/internal/privacy:FuzzCanonicalEmail \
	./server/internal/markdown:FuzzToHTML \
	./server/internal/digest:FuzzParseLocalTime \
	./server/internal/pow:FuzzVerify \
	./server/internal/auth:FuzzVerify

fuzz: ## run every fuzz target for FUZZTIME each (default 1m; e.g. make fuzz FUZZTIME=4m)
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
	  echo "== $$fn in $$pkg for $(FUZZTIME)"; \
	  go test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) $$pkg 2>&1 | grep -v ' INFO \| WARN ' || exit 1; \
	done

# golangci-lint is built from the Go module proxy at a pinned version into
# bin/tools/golangci-lint-VERSION/ on first use (about a minute, then cached).
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT_DIR     := $(CURDIR)/bin/tools/golangci-lint-$(GOLANGCI_LINT_VERSION)
GOLANGCI_LINT         := $(GOLANGCI_LINT_DIR)/golangci-lint

lint: ## go vet, gofmt and golangci-lint (.golangci.yml)
	go vet $(GO_PKGS)
	@out=$$(gofmt -l server migrations mailers frontend/*.go); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@test -x $(GOLANGCI_LINT) || { echo "installing golangci-lint $(GOLANGCI_LINT_VERSION) into $(GOLANGCI_LINT_DIR)"; \
	  GOBIN=$(GOLANGCI_LINT_DIR) CGO_ENABLED=0 go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION); }
	$(GOLANGCI_LINT) run $(GO_PKGS)

bench: build ## measure sign, confirm, read, pgbench and mail delivery on PostgreSQL (see docs/benchmarks.md)
	@command -v wrk >/dev/null || { echo "installing wrk (Debian package)"; apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }; }
	@command -v pgbench >/dev/null || { echo "pgbench (postgresql-contrib or postgresql-client) is needed"; exit 1; }
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start
	go run ./server/cmd/bench $(BENCH_FLAGS)

clean: ## remove build output (bin/, frontend/dist/); ./data and its SQLite database stay
	rm -rf bin frontend/dist
