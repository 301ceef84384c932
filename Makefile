# crmframe — `make test` runs every test; `make demo` runs the demo.
SHELL := /bin/bash
GO ?= go
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin

# Packages with concurrency run under the race detector.
RACE_PKGS := $(foreach d,injector engine caddymodule,$(if $(wildcard $(d)),./$(d)/...))

.PHONY: all build demo test deps lint unit race e2e benchsmoke bench fuzz clean

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

test: deps lint unit race benchsmoke

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./injector/... ./engine/...

fuzz:
	@echo "see docs/ for fuzz targets"

clean:
	rm -rf bin
