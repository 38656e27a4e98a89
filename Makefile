# undersigned — the two commands a newcomer needs are `make run` and `make test`.

SHELL       := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN      := bin/undersigned
GO_PKGS  := ./server/... ./migrations/... ./mailers/... ./frontend/
LDFLAGS  := -s -w -X main.version=$(VERSION)
export CGO_ENABLED ?= 0

.PHONY: help run build frontend frontend-deps test test-go test-frontend lint clean

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

test: test-go test-frontend ## every test: Go on SQLite (and PostgreSQL with TEST_DATABASE_URL), frontend
	@echo "make test: all suites passed"

test-go: ## Go unit and API tests; PostgreSQL too when TEST_DATABASE_URL is set
	@if [ -z "$${TEST_DATABASE_URL:-}" ]; then echo "note: TEST_DATABASE_URL is unset: Go tests run on SQLite only (.ci/run sets it)"; fi
	go test -count=1 $(GO_PKGS)

test-frontend: frontend-deps ## frontend unit tests (Vitest)
	cd frontend && npm test

lint: ## go vet, gofmt and golangci-lint
	go vet $(GO_PKGS)
	@out=$$(gofmt -l server migrations mailers frontend/*.go); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

clean: ## remove build output and the local SQLite data
	rm -rf bin frontend/dist
