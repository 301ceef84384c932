#!/usr/bin/env bash
# Runs every Go fuzz target of the repository, one after the other, for the
# given number of seconds each (default 60). New crashers are written to
# the package's testdata/fuzz/<FuzzName>/ by `go test`: commit them.
set -euo pipefail
secs="${1:-60}"
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
fail=0
for pkg in $(go list ./...); do
	targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
	for t in $targets; do
		echo "== $pkg $t (${secs}s)"
		if ! go test -run "^$" -fuzz "^${t}\$" -fuzztime "${secs}s" -fuzzminimizetime 20x "$pkg"; then
			echo "!! $pkg $t found a failure (see testdata/fuzz/$t/)"
			fail=1
		fi
	done
done
exit $fail
