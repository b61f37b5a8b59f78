#!/usr/bin/env bash
# Installs the pinned actionlint, the GitHub Actions workflow linter that the test suite runs on
# .github/workflows, into a cache outside the repository. It is built from source with
# `go install` through the Go module proxy, so it needs Go and nothing else; a second run finds
# the binary and does nothing. test/workflows.test.ts reads the version from this file.
set -euo pipefail

ACTIONLINT_VERSION=1.7.12

dir="${XDG_CACHE_HOME:-$HOME/.cache}/observability-stack/actionlint-${ACTIONLINT_VERSION}"
if [ -x "$dir/actionlint" ]; then
  echo "actionlint ${ACTIONLINT_VERSION} is installed: $dir/actionlint"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-actionlint: Go is needed to build actionlint ${ACTIONLINT_VERSION}; install Go 1.25 or newer" >&2
  exit 1
fi
mkdir -p "$dir"
GOBIN="$dir" go install "github.com/rhysd/actionlint/cmd/actionlint@v${ACTIONLINT_VERSION}"
echo "actionlint ${ACTIONLINT_VERSION} installed: $dir/actionlint"
