#!/usr/bin/env bash
# Measures secmgr export and plan against openpyxl and against the zip/XML
# floor on the same synthetic rows, and prints a markdown table.
#
#   bench/compare.sh                                   # ~300k rows: 40k users, 4-8 memberships each (the defaults)
#   bench/compare.sh -users 120000 -scale-users 12000  # ~1M rows, with the time-per-row check
#
# Flags go to bench/compare (see bench/README.md, or bench/compare.sh -h).
# Needs Go, GNU time and Python 3 with openpyxl:
#   apt-get install time python3-openpyxl
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/time ]]; then
	echo "compare.sh: /usr/bin/time is missing: apt-get install time" >&2
	exit 1
fi
if ! command -v go >/dev/null; then
	echo "compare.sh: go is not on PATH" >&2
	exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/secmgr-compare.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Build both programs first, so no step pays for compiling.
go build -o "$TMP/secmgr" ./cmd/secmgr
go build -o "$TMP/compare" ./bench/compare

"$TMP/compare" -secmgr "$TMP/secmgr" "$@"
