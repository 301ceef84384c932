# crmframe — `make test` runs every test; `make demo` runs the demo.
SHELL := /bin/bash
GO ?= go
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin

# Packages with concurrency run under the race detector.
RACE_PKGS := $(foreach d,injector engine caddymodule,$(if $(wildcard $(d)),./$(d)/...))

.PHONY: all build demo test deps lint unit race sdktest benchsmoke bench fuzz clean

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

unit:
	$(GO) test -count=1 ./...

race:
	$(GO) test -count=1 -race $(RACE_PKGS)

# Every benchmark once, so that they cannot rot (figures come from make bench).
benchsmoke:
	$(GO) test -count=1 -run '^$$' -bench . -benchtime=1x ./...

# The SDK's JavaScript tests, TypeScript declarations check and bundle
# freshness check (tools pinned in injector/sdk/test/package-lock.json).
sdktest:
	npm ci --prefix injector/sdk/test --no-audit --no-fund
	npm test --prefix injector/sdk/test

test: deps lint unit race sdktest benchsmoke

# One table: crm_frame against plain reverse_proxy in the same run, plus the
# rewriter micro-benchmarks and WebSocket fan-out (writes bench/results.md).
bench:
	$(GO) run ./bench/crmbench $(BENCHFLAGS)

fuzz:
	@echo "see docs/ for fuzz targets"

clean:
	rm -rf bin
