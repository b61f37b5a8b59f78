#!/usr/bin/env bash
# `npm run e2e` and `npm run bench:e2e`: builds or reuses the binaries, starts the loopback test
# cluster, the chart server (../shared/charts as `charts.mirror`) and the webhook stand-in, runs the
# given command with their environment, and stops everything it started, whatever happens.
#
#   tools/e2e/run.sh suite   # the mocha suite in test/e2e (prints "N passed, N failed")
#   tools/e2e/run.sh interruptions   # the fault-injection suite (test/e2e/interruptions.e2e.ts)
#   tools/e2e/run.sh bench   # the benchmark (tools/e2e/bench.ts)
#   tools/e2e/run.sh shell   # a shell with the environment, for poking at the cluster
#
# Nothing here sends traffic outside 127.0.0.0/8: every listener binds a loopback address, the
# engine may not download plugins, and charts come from the loopback chart server.
set -euo pipefail
mode=${1:-suite}
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

# E2E_TARGET=loopback (default): the loopback cluster built here. E2E_TARGET=kind: an existing kind
# cluster (the GitHub workflow's), the public chart repositories, the Pulumi CLI at E2E_PULUMI_ROOT
# and the provider the engine downloads; the real-pod checks run there.
target=${E2E_TARGET:-loopback}
export E2E_TARGET=$target
# E2E_RUN_DIR: where logs, state and a failure's diagnostics go (the workflow uploads it); a fresh
# temporary directory by default.
if [ -n "${E2E_RUN_DIR:-}" ]; then
  run=$E2E_RUN_DIR
  mkdir -p "$run"
else
  run=$(mktemp -d "${TMPDIR:-/tmp}/observability-e2e.XXXXXX")
fi
export E2E_RUN_DIR=$run
helpers=()
# Each phase's wall time, printed as it ends and all together at exit.
phases=()
phase_start=$(date +%s)
run_start=$phase_start
phase_done() {
  local now
  now=$(date +%s)
  phases+=("$1: $((now - phase_start))s")
  echo "[e2e] $1: $((now - phase_start))s"
  phase_start=$now
}
cleanup() {
  local rc=$?
  for pid in "${helpers[@]}"; do kill "$pid" 2>/dev/null || true; done
  tools/e2e/cluster.sh stop "$run" || true
  # The upgrade test's worktrees of earlier revisions.
  for wt in "$run"/base-*; do
    [ -d "$wt" ] && git worktree remove --force "$wt" 2>/dev/null || true
  done
  git worktree prune 2>/dev/null || true
  phase_done "cleanup"
  echo "[e2e] phases: ${phases[*]}; total $(($(date +%s) - run_start))s"
  if [ "$rc" -eq 0 ] && [ -z "${E2E_KEEP_RUN_DIR:-}" ]; then
    rm -rf "$run"
  else
    echo "[e2e] logs kept in $run"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export PULUMI_HOME="$run/pulumi-home"
export PULUMI_BACKEND_URL="file://$run/state"
export PULUMI_CONFIG_PASSPHRASE=e2e
export PULUMI_SKIP_UPDATE_CHECK=true
export HELM_CACHE_HOME="$run/helm/cache" HELM_CONFIG_HOME="$run/helm/config" HELM_DATA_HOME="$run/helm/data"
mkdir -p "$run/state" "$PULUMI_HOME" "$run/logs" "$run/pki"

if [ "$target" = kind ]; then
  : "${E2E_PULUMI_ROOT:?set E2E_PULUMI_ROOT to the Pulumi CLI install (<root>/bin/pulumi)}"
  export E2E_KUBE_CONTEXT=${E2E_KUBE_CONTEXT:-kind-observability}
  # The kind cluster's name, for `kind export logs` when a check fails.
  export E2E_KIND_CLUSTER=${E2E_KIND_CLUSTER:-${E2E_KUBE_CONTEXT#kind-}}
  export E2E_PULUMI_VERSION=${E2E_PULUMI_VERSION:-$("$E2E_PULUMI_ROOT/bin/pulumi" version | sed 's/^v//')}
  export E2E_PROVIDER_SOURCE=${E2E_PROVIDER_SOURCE:-"the pulumi-resource-kubernetes plugin release the SDK asks for, downloaded by the engine"}
  export PATH="$E2E_PULUMI_ROOT/bin:$PATH"
  # The test's own API client reads the kind cluster's credentials from these files.
  kubectl config view --raw --minify --context "$E2E_KUBE_CONTEXT" -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$run/pki/ca.crt"
  kubectl config view --raw --minify --context "$E2E_KUBE_CONTEXT" -o jsonpath='{.users[0].user.client-certificate-data}' | base64 -d >"$run/pki/admin.crt"
  kubectl config view --raw --minify --context "$E2E_KUBE_CONTEXT" -o jsonpath='{.users[0].user.client-key-data}' | base64 -d >"$run/pki/admin.key"
  server=$(kubectl config view --raw --minify --context "$E2E_KUBE_CONTEXT" -o jsonpath='{.clusters[0].cluster.server}')
  case $server in https://127.0.0.1:*) ;; *) echo "[e2e] expected kind's API server on https://127.0.0.1:<port>, got $server" >&2; exit 1 ;; esac
  export E2E_API_PORT=${server##*:}
  phase_done "kind credentials"
else
  # The chart source first: a missing one stops the run before the binaries' build (up to 40 minutes
  # cold). E2E_CHARTS_DIR, else ../shared/charts beside the clone, else what `npm run fetch:upstream`
  # wrote into the cache (tools/lib/upstream.ts decides, as for the tool tests).
  charts_dir=${E2E_CHARTS_DIR:-$(node -p 'require("./bin/tools/lib/upstream").upstreamPath("charts")')}
  [ -f "$charts_dir/index.yaml" ] || {
    echo "[e2e] no Helm repository at $charts_dir (no index.yaml): run \`npm run fetch:upstream\` (needs network), put ../shared beside the clone, or set E2E_CHARTS_DIR" >&2
    exit 1
  }
  tools/e2e/build-binaries.sh
  eval "$(tools/e2e/build-binaries.sh env)"
  phase_done "binaries ready"

  tools/e2e/cluster.sh start "$run"
  # shellcheck disable=SC1091
  source "$run/env"

  charts_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  python3 -m http.server --bind 127.0.0.1 "$charts_port" --directory "$charts_dir" >"$run/logs/charts.log" 2>&1 &
  helpers+=("$!")
  export E2E_CHARTS_URL="http://127.0.0.1:$charts_port"
  for _ in $(seq 1 50); do curl -sf "$E2E_CHARTS_URL/index.yaml" >/dev/null && break; sleep 0.1; done

  node bin/tools/e2e/webhook-stand-in.js >"$run/logs/stand-in.log" 2>&1 &
  helpers+=("$!")

  # No grafana.com either: the community dashboards come from a loopback dashboards.source
  # (tools/e2e/dashboard-source.ts), fetched by every preview and up as users' are.
  dashboards_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  node bin/tools/e2e/dashboard-source.js "$dashboards_port" "$run/logs/dashboards.log" >"$run/logs/dashboard-source.log" 2>&1 &
  helpers+=("$!")
  export E2E_DASHBOARDS_URL="http://127.0.0.1:$dashboards_port"
  for _ in $(seq 1 50); do curl -s -o /dev/null "$E2E_DASHBOARDS_URL/" && break; sleep 0.1; done

  # The engine: the CLI and the provider from the cache, and no plugin downloads (traffic off the machine).
  export PATH="$E2E_PULUMI_ROOT/bin:$E2E_PROVIDER_DIR:$E2E_HELM_DIR:$E2E_KUBECTL_DIR:$PATH"
  export E2E_PULUMI_ROOT E2E_PULUMI_VERSION E2E_PROVIDER_SOURCE
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  phase_done "loopback cluster, chart server and stand-ins started"
fi

case $mode in
suite)
  rc=0
  npx mocha --config test/e2e/.mocharc.json || rc=$?
  phase_done "suite"
  exit "$rc"
  ;;
interruptions)
  rc=0
  npx mocha --config test/e2e/.mocharc.interruptions.json || rc=$?
  phase_done "interruptions"
  exit "$rc"
  ;;
bench) node bin/tools/e2e/bench.js ;;
shell) bash -i ;;
*)
  echo "unknown mode $mode" >&2
  exit 2
  ;;
esac
