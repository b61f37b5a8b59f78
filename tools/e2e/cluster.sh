#!/usr/bin/env bash
# Starts or stops the e2e test cluster: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler and kwok, every one listening on 127.0.0.1 only, plus fake nodes that kwok keeps
# Ready. The Service CIDR is inside 127.0.0.0/8, so when the API server calls a webhook or an
# APIService it dials a loopback address; aggregator routing stays off, so it never dials a pod IP.
#
#   tools/e2e/cluster.sh start RUN_DIR   # writes RUN_DIR/env (KUBECONFIG, ports, CIDR) and RUN_DIR/pids
#   tools/e2e/cluster.sh stop RUN_DIR    # stops exactly the processes it started (RUN_DIR/pids)
#
# The binaries come from tools/e2e/build-binaries.sh (its `env` output). Knobs:
#   E2E_SERVICE_CIDR  default 127.77.0.0/16
#   E2E_NODES         number of fake nodes, default 4 (prod's anti-affinity wants 3 hosts)
set -euo pipefail

cmd=${1:?usage: cluster.sh start|stop RUN_DIR}
run=${2:?usage: cluster.sh start|stop RUN_DIR}
here="$(cd "$(dirname "$0")" && pwd)"

log() { echo "[cluster] $*" >&2; }

stop() {
  [ -f "$run/pids" ] || return 0
  # Reverse start order: kwok and the controllers before the API server, etcd last.
  tac "$run/pids" | while read -r name pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      log "stopped $name ($pid)"
    fi
  done
  rm -f "$run/pids"
}

if [ "$cmd" = stop ]; then
  stop
  exit 0
fi
[ "$cmd" = start ] || { log "unknown command $cmd"; exit 2; }

eval "$("$here/build-binaries.sh" env)"
for b in "$E2E_ETCD_DIR/etcd" "$E2E_KUBE_DIR/kube-apiserver" "$E2E_KWOK_DIR/kwok" "$E2E_KUBECTL_DIR/kubectl"; do
  [ -x "$b" ] || { log "missing $b: run tools/e2e/build-binaries.sh"; exit 1; }
done

mkdir -p "$run/pki" "$run/logs"
cidr=${E2E_SERVICE_CIDR:-127.77.0.0/16}
case $cidr in 127.*) ;; *) log "E2E_SERVICE_CIDR must be inside 127.0.0.0/8"; exit 1 ;; esac
nodes=${E2E_NODES:-4}

# Free loopback ports, so that several worktrees can run a cluster side by side.
read -r etcd_port etcd_peer api_port cm_port sched_port kwok_port < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
)

# PKI: one CA, the API server's serving certificate, an admin client (system:masters) and the
# service-account signing key.
pki=$run/pki
first_ip=$(python3 -c 'import ipaddress,sys; print(next(ipaddress.ip_network(sys.argv[1]).hosts()))' "$cidr")
(
  cd "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=e2e-ca" -keyout ca.key -out ca.crt 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout apiserver.key -out apiserver.csr 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,IP:%s,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' "$first_ip" >apiserver.ext
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile apiserver.ext -out apiserver.crt 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=e2e-admin" -keyout admin.key -out admin.csr 2>/dev/null
  openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out admin.crt 2>/dev/null
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
)

kubeconfig=$run/kubeconfig
cat >"$kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: e2e
    cluster:
      server: https://127.0.0.1:$api_port
      certificate-authority: $pki/ca.crt
users:
  - name: e2e-admin
    user:
      client-certificate: $pki/admin.crt
      client-key: $pki/admin.key
contexts:
  - name: e2e
    context: { cluster: e2e, user: e2e-admin }
current-context: e2e
EOF

: >"$run/pids"
# spawn NAME CMD...: starts a process in the background, its output in logs/NAME.log.
spawn() {
  local name=$1
  shift
  "$@" >"$run/logs/$name.log" 2>&1 &
  echo "$name $!" >>"$run/pids"
}

start=$(date +%s.%N)
spawn etcd "$E2E_ETCD_DIR/etcd" --name e2e --data-dir "$run/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-cluster "e2e=http://127.0.0.1:$etcd_peer" --listen-metrics-urls "" \
  --unsafe-no-fsync --quota-backend-bytes 4294967296

spawn kube-apiserver "$E2E_KUBE_DIR/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --client-ca-file "$pki/ca.crt" \
  --service-cluster-ip-range "$cidr" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --authorization-mode RBAC \
  --enable-aggregator-routing=false \
  --endpoint-reconciler-type none \
  --allow-privileged=true \
  --profiling=false

kubectl() { "$E2E_KUBECTL_DIR/kubectl" --kubeconfig "$kubeconfig" "$@"; }
for _ in $(seq 1 300); do
  kubectl get --raw /readyz >/dev/null 2>&1 && break
  sleep 0.2
done
kubectl get --raw /readyz >/dev/null || { log "the API server did not become ready: $run/logs/kube-apiserver.log"; tail -20 "$run/logs/kube-apiserver.log" >&2; exit 1; }

# kwok's node heartbeat is slower than the default 50 s grace period: the node would flap NotReady.
spawn kube-controller-manager "$E2E_KUBE_DIR/kube-controller-manager" \
  --kubeconfig "$kubeconfig" --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$cm_port" \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --use-service-account-credentials=false --leader-elect=false \
  --node-monitor-grace-period 5m \
  --service-cluster-ip-range "$cidr"

spawn kube-scheduler "$E2E_KUBE_DIR/kube-scheduler" \
  --kubeconfig "$kubeconfig" --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$sched_port" --leader-elect=false

# Pod IPs cannot be loopback addresses: EndpointSlices refuse them, and a Service without endpoints
# leaves an APIService unavailable (which stalls namespace deletion). They come from 198.18.0.0/16
# (reserved for benchmarks, never this machine's network) and nothing dials them: aggregator
# routing is off, and webhooks and APIServices are called at their Service's loopback cluster IP.
spawn kwok "$E2E_KWOK_DIR/kwok" --kubeconfig "$kubeconfig" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
  --cidr 198.18.0.1/16 --node-ip 127.0.0.1 \
  --server-address "127.0.0.1:$kwok_port" \
  --node-lease-duration-seconds 40 \
  --config "$E2E_KWOK_DIR/stages.yaml"

kubectl apply -f "$E2E_KWOK_DIR/storage-class.yaml" >/dev/null
for i in $(seq 1 "$nodes"); do
  kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    topology.kubernetes.io/zone: zone-$(((i - 1) % 3 + 1))
    node-role.kubernetes.io/worker: ""
status:
  allocatable: { cpu: "64", memory: 512Gi, pods: "250", ephemeral-storage: 1Ti }
  capacity: { cpu: "64", memory: 512Gi, pods: "250", ephemeral-storage: 1Ti }
EOF
done
kubectl wait --for=condition=Ready node --all --timeout=60s >/dev/null
# The default ServiceAccount of a namespace is made by the controller manager: wait for it.
for _ in $(seq 1 100); do kubectl -n default get serviceaccount default >/dev/null 2>&1 && break; sleep 0.2; done

cat >"$run/env" <<EOF
export KUBECONFIG=$kubeconfig
export E2E_KUBE_CONTEXT=e2e
export E2E_SERVICE_CIDR=$cidr
export E2E_API_PORT=$api_port
export E2E_RUN_DIR=$run
EOF
log "cluster up in $(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$start" "$(date +%s.%N)")s: API server https://127.0.0.1:$api_port, services $cidr, $nodes kwok nodes; logs in $run/logs"
