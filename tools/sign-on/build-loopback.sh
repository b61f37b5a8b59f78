#!/usr/bin/env bash
# Builds (or finds) the two programs of the loopback sign-on test: oauth2-proxy, the version the
# oauth2-proxy chart pin runs (components/sign-on/charts.ts), and a mock OIDC issuer
# (tools/sign-on/mockoidc, on github.com/oauth2-proxy/mockoidc at the version oauth2-proxy's own
# go.mod requires). Both come from Go modules through the Go module proxy, with -trimpath, niced.
# They land outside the clone, in ~/.cache/observability-stack/tools/sign-on-<version>/; a second
# run builds nothing. Run by .ci/run before the tool suite, and by that suite itself.
#
# Usage: tools/sign-on/build-loopback.sh   Prints the directory on stdout, progress on stderr.
set -euo pipefail

OAUTH2_PROXY_VERSION=v7.15.6
MOCKOIDC_VERSION=v0.0.0-20261103160011-e06ed0b7cb7f

here="$(cd "$(dirname "$0")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/observability-stack/tools"
# The directory's name carries a hash of the mock's source, so an edit rebuilds it.
src_hash=$(cat "$here/mockoidc/main.go" "$here/build-loopback.sh" | sha256sum | cut -c1-12)
dir="$cache/sign-on-$OAUTH2_PROXY_VERSION-$src_hash"
log() { echo "[build-loopback] $*" >&2; }

if [ -f "$dir/.complete" ]; then
  echo "$dir"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="/usr/local/go/bin:$PATH"
  else
    log "Go is needed to build oauth2-proxy $OAUTH2_PROXY_VERSION; install Go 1.26 or newer"
    exit 1
  fi
fi
mkdir -p "$cache"
exec 9>"$cache/.sign-on-$OAUTH2_PROXY_VERSION.lock"
flock 9
if [ -f "$dir/.complete" ]; then
  echo "$dir"
  exit 0
fi

export GOFLAGS="${GOFLAGS:-} -p=${SIGN_ON_BUILD_P:-2} -buildvcs=false -mod=mod"
export CGO_ENABLED=0
renice -n "${SIGN_ON_BUILD_NICE:-10}" $$ >/dev/null 2>&1 || true

start=$(date +%s)
rm -rf "$dir" && mkdir -p "$dir"
work="$dir/.work"
mkdir -p "$work/mockoidc"
cp "$here/mockoidc/main.go" "$work/mockoidc/main.go"
printf 'module signon.local/loopback\n\ngo 1.26.0\n\nrequire (\n\tgithub.com/oauth2-proxy/oauth2-proxy/v7 %s\n\tgithub.com/oauth2-proxy/mockoidc %s\n)\n' \
  "$OAUTH2_PROXY_VERSION" "$MOCKOIDC_VERSION" >"$work/go.mod"
log "building oauth2-proxy $OAUTH2_PROXY_VERSION and mockoidc $MOCKOIDC_VERSION"
phase=$(date +%s)
(cd "$work" && go list -deps github.com/oauth2-proxy/oauth2-proxy/v7 ./mockoidc >"$work/packages")
log "modules downloaded in $(($(date +%s) - phase))s ($(wc -l <"$work/packages") packages to build)"
phase=$(date +%s)
(cd "$work" && go build -trimpath \
  -ldflags "-s -w -X github.com/oauth2-proxy/oauth2-proxy/v7/pkg/version.VERSION=$OAUTH2_PROXY_VERSION" \
  -o "$dir/oauth2-proxy" github.com/oauth2-proxy/oauth2-proxy/v7)
(cd "$work" && go build -trimpath -ldflags "-s -w" -o "$dir/mockoidc" ./mockoidc)
log "compiled in $(($(date +%s) - phase))s"
rm -rf "$work"
echo $(($(date +%s) - start)) >"$dir/build-seconds"
touch "$dir/.complete"
log "built in $(cat "$dir/build-seconds")s: $dir"
echo "$dir"
