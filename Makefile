# crmframe — `make test` runs every test; `make demo` runs the demo.
SHELL := /bin/bash
GO ?= go
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
# Builds and tests use go1.27.3 (the go command fetches it from the module
# proxy once): go1.26.8's standard library has vulnerabilities fixed later,
# and `make vulncheck` (part of `make test`) must stay clean.
export GOTOOLCHAIN := go1.27.3

# Packages with concurrency run under the race detector.
RACE_PKGS := $(foreach d,injector engine caddymodule,$(if $(wildcard $(d)),./$(d)/...))

.PHONY: all build demo test checks deps lint unit race sdktest benchsmoke bench fuzz vulncheck soak clean

all: build

build:
	$(GO) build -o bin/crmframe ./cmd/crmframe

demo:
	$(GO) run ./cmd/crmframe run

# deps installs what the tests need when it is missing: Chromium through
# apt-get when running as root, otherwise it stops with one instruction.
deps:
	@if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ] && [ -z "$$CHROMIUM" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing chromium (apt-get)"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Chromium is needed for the browser tests: run 'sudo apt-get install -y chromium' (or set CHROMIUM=/path/to/chrome)"; exit 1; \
		fi; \
	fi
	@if ! command -v npm >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing nodejs and npm (apt-get)"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
		else \
			echo "Node.js and npm are needed for the SDK tests: run 'sudo apt-get install -y nodejs npm'"; exit 1; \
		fi; \
	fi

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# The browser suites (two at a time, t.Parallel) take ~10 minutes on 2 idle
# cores: go test's default 10-minute limit would kill them on a busy machine.
unit:
	$(GO) test -count=1 -timeout 45m ./...

race:
	$(GO) test -count=1 -timeout 30m -race $(RACE_PKGS)

# Every benchmark once, so that they cannot rot (figures come from make bench).
benchsmoke:
	$(GO) test -count=1 -run '^$$' -bench . -benchtime=1x ./...

# The SDK's JavaScript tests, TypeScript declarations check and bundle
# freshness check (tools pinned in injector/sdk/test/package-lock.json).
sdktest:
	npm ci --prefix injector/sdk/test --no-audit --no-fund
	npm test --prefix injector/sdk/test

# The browser suites in `unit` leave about half of the machine idle, so the
# other checks run beside them, one after another and at the lowest CPU
# priority (at normal priority they slowed the browser suites by as much as
# they saved). On 2 cores this keeps CI at ~14 minutes with 937 frame-busting
# cases; the frame-busting suite is the critical path (docs/performance.md,
# "How long make test takes").
test: deps lint
	$(MAKE) --no-print-directory -j2 --output-sync=line unit checks

checks:
	nice -n 19 $(MAKE) --no-print-directory sdktest vulncheck race benchsmoke

# One table: crm_frame against plain reverse_proxy in the same run, plus the
# rewriter micro-benchmarks and WebSocket fan-out (writes bench/results.md).
bench:
	$(GO) run ./bench/crmbench $(BENCHFLAGS)

# Every fuzz target for FUZZTIME seconds each (default 60); the seed corpora
# under testdata/fuzz also run in every `go test`.
FUZZTIME ?= 60
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

# govulncheck against a vulnerability database built from the
# golang.org/x/vulndb module (the Go module proxy is all the network CI has).
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018
vulncheck:
	@dir=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/.*"Dir": "\(.*\)",/\1/p'); \
	rm -rf .vulndb && $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns $$dir/data/osv -out .vulndb && \
	$(GO) run golang.org/x/vuln/cmd/govulncheck@v1.9.0 -db file://$(CURDIR)/.vulndb ./...

# The soak: 200 agents, 10,000 contacts, dropped connections and a live
# reload against the real binary; a shorter one runs in `make test`.
soak: build
	$(GO) run ./soak/cmd/crmsoak -bin bin/crmframe $(SOAKFLAGS)

clean:
	rm -rf bin
