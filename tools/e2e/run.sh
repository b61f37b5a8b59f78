#!/usr/bin/env bash
# `npm run e2e` and `npm run bench:e2e`: builds or reuses the binaries, starts the loopback test
# cluster, the chart server (../shared/charts as `charts.mirror`) and the webhook stand-in, runs the
# given command with their environment, and stops everything it started, whatever happens.
#
#   tools/e2e/run.sh suite   # the mocha suite in test/e2e (prints "N passed, N failed")
#   tools/e2e/run.sh bench   # the benchmark (tools/e2e/bench.ts)
#   tools/e2e/run.sh shell   # a shell with the environment, for poking at the cluster
#
# Nothing here sends traffic outside 127.0.0.0/8: every listener binds a loopback address, the
# engine may not download plugins, and charts come from the loopback chart server.
set -euo pipefail
mode=${1:-suite}
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

t0=$(date +%s)
tools/e2e/build-binaries.sh
eval "$(tools/e2e/build-binaries.sh env)"
echo "[e2e] binaries ready in $(($(date +%s) - t0))s"

run=$(mktemp -d "${TMPDIR:-/tmp}/observability-e2e.XXXXXX")
helpers=()
cleanup() {
  local rc=$?
  for pid in "${helpers[@]}"; do kill "$pid" 2>/dev/null || true; done
  tools/e2e/cluster.sh stop "$run" || true
  if [ "$rc" -eq 0 ] && [ -z "${E2E_KEEP_RUN_DIR:-}" ]; then
    rm -rf "$run"
  else
    echo "[e2e] logs kept in $run/logs"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tools/e2e/cluster.sh start "$run"
# shellcheck disable=SC1091
source "$run/env"

charts_dir=${E2E_CHARTS_DIR:-$repo/../shared/charts}
[ -f "$charts_dir/index.yaml" ] || { echo "[e2e] no Helm repository at $charts_dir (set E2E_CHARTS_DIR)" >&2; exit 1; }
charts_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 "$charts_port" --directory "$charts_dir" >"$run/logs/charts.log" 2>&1 &
helpers+=("$!")
export E2E_CHARTS_URL="http://127.0.0.1:$charts_port"

node bin/tools/e2e/webhook-stand-in.js >"$run/logs/stand-in.log" 2>&1 &
helpers+=("$!")

# The engine: the CLI and the provider from the cache, no plugin downloads, state on local disk.
export PATH="$E2E_PULUMI_ROOT/bin:$E2E_PROVIDER_DIR:$E2E_HELM_DIR:$E2E_KUBECTL_DIR:$PATH"
export E2E_PULUMI_ROOT E2E_PULUMI_VERSION E2E_PROVIDER_SOURCE
export PULUMI_HOME="$run/pulumi-home"
export PULUMI_BACKEND_URL="file://$run/state"
export PULUMI_CONFIG_PASSPHRASE=e2e
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=false
export HELM_CACHE_HOME="$run/helm/cache" HELM_CONFIG_HOME="$run/helm/config" HELM_DATA_HOME="$run/helm/data"
mkdir -p "$run/state" "$PULUMI_HOME"

for _ in $(seq 1 50); do curl -sf "$E2E_CHARTS_URL/index.yaml" >/dev/null && break; sleep 0.1; done

case $mode in
suite) npx mocha --config test/e2e/.mocharc.json ;;
bench) node bin/tools/e2e/bench.js ;;
shell) bash -i ;;
*)
  echo "unknown mode $mode" >&2
  exit 2
  ;;
esac
