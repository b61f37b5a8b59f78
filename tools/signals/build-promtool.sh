#!/usr/bin/env bash
# Builds (or finds) promtool, the rule checker and rule unit-test runner of Prometheus, from the Go
# module github.com/prometheus/prometheus through the Go module proxy. The version is the
# Prometheus that kube-prometheus-stack runs at the pinned chart version (82.14.1 runs Prometheus
# v3.10.0, whose Go module version is v0.310.0), so promtool parses and evaluates rules exactly as
# the stack's Prometheus does. Only ./cmd/promtool is built, without the service-discovery plugins
# (build tag remove_all_sd), with -trimpath; it prints the seconds of each phase.
# It lands outside the clone, in ~/.cache/observability-stack/tools/promtool-<version>/, and a
# second run builds nothing. Run by .ci/run before the tool suite, and by that suite itself.
#
# Usage: tools/signals/build-promtool.sh   Prints the binary's path on stdout, progress on stderr.
set -euo pipefail

PROMETHEUS_VERSION=3.10.0
MODULE_VERSION=v0.310.0

cache="${XDG_CACHE_HOME:-$HOME/.cache}/observability-stack/tools"
dir="$cache/promtool-$PROMETHEUS_VERSION"
log() { echo "[build-promtool] $*" >&2; }

if [ -f "$dir/.complete" ]; then
  echo "$dir/promtool"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="/usr/local/go/bin:$PATH"
  else
    log "Go is needed to build promtool $PROMETHEUS_VERSION; install Go 1.25 or newer"
    exit 1
  fi
fi
mkdir -p "$cache"
# One builder at a time; a second caller waits and then finds the binary.
exec 9>"$cache/.promtool-$PROMETHEUS_VERSION.lock"
flock 9
if [ -f "$dir/.complete" ]; then
  echo "$dir/promtool"
  exit 0
fi

# A polite neighbour on a shared machine: niced, at most two compilers.
export GOFLAGS="${GOFLAGS:-} -p=${PROMTOOL_BUILD_P:-2} -buildvcs=false"
export CGO_ENABLED=0
renice -n "${PROMTOOL_BUILD_NICE:-10}" $$ >/dev/null 2>&1 || true

start=$(date +%s)
rm -rf "$dir" && mkdir -p "$dir"
log "building promtool $PROMETHEUS_VERSION (github.com/prometheus/prometheus@$MODULE_VERSION)"
# `go install module@version` refuses a module whose go.mod has replace directives, as
# Prometheus's has: a small work module requires it and carries over its replace and exclude
# directives, so the dependency versions are exactly the ones Prometheus's own build uses.
work="$dir/.work"
mkdir -p "$work"
go mod download -json "github.com/prometheus/prometheus@$MODULE_VERSION" >"$work/dl.json"
gomod=$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p' "$work/dl.json")
{
  printf 'module signals.local/promtool\n\ngo 1.25.0\n\nrequire github.com/prometheus/prometheus %s\n\n' "$MODULE_VERSION"
  # exclude (...) blocks, single-line excludes and replaces, verbatim.
  awk '/^(exclude|replace) \(/{b=1} b{print} b&&/^\)/{b=0; next} /^(exclude|replace) [^(]/{print}' "$gomod"
} >"$work/go.mod"
p=github.com/prometheus/common/version
# remove_all_sd (a build tag of Prometheus's plugins/ package) leaves out the service-discovery
# plugins (AWS, Azure, GCE, Consul, ...), which rule checks and rule tests never use; promtool
# itself still imports file and Kubernetes SD, and its config package the remote-write
# authenticators (SigV4, Azure AD, Google IAM), so those stay. -trimpath keeps the clone's and the
# caches' paths out of the binary. Only the modules that hold promtool's packages are downloaded.
tags=remove_all_sd
phase=$(date +%s)
(cd "$work" && GOFLAGS="$GOFLAGS -mod=mod" go list -deps -tags "$tags" github.com/prometheus/prometheus/cmd/promtool >"$work/packages")
log "modules downloaded in $(($(date +%s) - phase))s ($(wc -l <"$work/packages") packages to build, the standard library's included)"
phase=$(date +%s)
(cd "$work" && GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath -tags "$tags" \
  -ldflags "-s -w -X $p.Version=$PROMETHEUS_VERSION -X $p.Branch=HEAD -X $p.Revision=$MODULE_VERSION" \
  -o "$dir/promtool" github.com/prometheus/prometheus/cmd/promtool)
log "compiled in $(($(date +%s) - phase))s"
rm -rf "$work"
echo $(($(date +%s) - start)) >"$dir/build-seconds"
touch "$dir/.complete"
log "built promtool $PROMETHEUS_VERSION in $(cat "$dir/build-seconds")s: $dir/promtool"
echo "$dir/promtool"
