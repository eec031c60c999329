#!/usr/bin/env bash
# The local control plane: kube-apiserver, etcd, kube-controller-manager and kube-scheduler built
# from Go modules (hack/tools.sh), started by kwokctl's binary runtime on 127.0.0.1 only, with
# kwok faking the nodes and Pod lifecycles. State lives in this clone's .local/, so two clones on
# one machine run two planes on different ports and never touch each other.
#
#   hack/cluster.sh up      start (idempotent; repairs or recreates a half-dead plane)
#   hack/cluster.sh down    stop and remove all state
#   hack/cluster.sh status  exit 0 when the plane answers
#
# A second plane beside the default one (benchmarks, chaos tests that restart the API server):
#   CIO_CLUSTER_NAME=bench  cluster name (default cio); any other name defaults its state to
#                           .local/kwok-<name> and its kubeconfig to .local/kubeconfig-<name>
#   CIO_KWOK_WORKDIR, CIO_KUBECONFIG  override those paths
#   CIO_KWOKCTL_ARGS        extra flags for `kwokctl create cluster`, split on spaces, e.g.
#                           "--extra-args kube-apiserver=etcd-compaction-interval=20s"
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
local_dir=$root/.local
name=${CIO_CLUSTER_NAME:-cio}
if [ "$name" = cio ]; then suffix=""; else suffix="-$name"; fi
export KWOK_WORKDIR=${CIO_KWOK_WORKDIR:-$local_dir/kwok$suffix}
kubeconfig=${CIO_KUBECONFIG:-$local_dir/kubeconfig$suffix}

k8s_bin=$("$root/hack/tools.sh" bindir kubernetes)
etcd_bin=$("$root/hack/tools.sh" bindir etcd)
kwok_bin=$("$root/hack/tools.sh" bindir kwok)
kwokctl=$kwok_bin/kwokctl
kubectl() { "$k8s_bin/kubectl" --kubeconfig "$kubeconfig" "$@"; }

log() { echo "cluster: $*" >&2; }

write_config() {
  local cfg=$local_dir/kwokctl$suffix.yaml
  {
    echo "# kwokctl create cluster extra args: ${CIO_KWOKCTL_ARGS:-}"
    cat <<YAML
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  bindAddress: 127.0.0.1
  kubeApiserverBinary: $k8s_bin/kube-apiserver
  kubeControllerManagerBinary: $k8s_bin/kube-controller-manager
  kubeSchedulerBinary: $k8s_bin/kube-scheduler
  kubectlBinary: $k8s_bin/kubectl
  etcdBinary: $etcd_bin/etcd
  kwokControllerBinary: $kwok_bin/kwok
  kubeAuditPolicy: $root/test/cluster/audit-policy.yaml
  kubeAuthorization: true
  nodeLeaseDurationSeconds: 40
# The real node (hack/node.sh) beside the fake ones: kwok manages only the Nodes annotated
# kwok.x-k8s.io/node=fake, the API server reaches kubelets with the plane's admin client
# certificate at their InternalIP, and Service IPs get a range of their own, disjoint from kwok's
# fake Pod IPs (10.0.0.0/24) and the real node's Pods (10.244.0.0/24).
componentsPatches:
  - name: kwok-controller
    extraArgs:
      - {key: manage-all-nodes, value: "false"}
      - {key: manage-nodes-with-annotation-selector, value: kwok.x-k8s.io/node=fake}
      - {key: cidr, value: 10.0.0.0/24}
  # One of each, on a shared and noisy machine: a lease renewal that misses its 10 s deadline
  # (seen while the real node imported its images) makes them exit for good, as nothing restarts
  # them, and Deployments then never get Pods. Without leader election they just retry.
  - name: kube-controller-manager
    extraArgs:
      - {key: leader-elect, value: "false"}
  - name: kube-scheduler
    extraArgs:
      - {key: leader-elect, value: "false"}
  - name: kube-apiserver
    extraArgs:
      - {key: service-cluster-ip-range, value: 10.96.0.0/16}
      - {key: kubelet-client-certificate, value: $KWOK_WORKDIR/clusters/$name/pki/admin.crt}
      - {key: kubelet-client-key, value: $KWOK_WORKDIR/clusters/$name/pki/admin.key}
      - {key: kubelet-preferred-address-types, value: InternalIP}
YAML
    for s in "$root"/test/cluster/stages/*.yaml; do echo "---"; grep -v '^#' "$s"; done
  } > "$cfg"
  echo "$cfg"
}

# The real node runs beside the default plane only (benchmark and chaos planes stay KWOK-only);
# CIO_REAL_NODE=0 leaves it out.
with_real_node() { [ "$name" = cio ] && [ "${CIO_REAL_NODE:-1}" != 0 ]; }

node_up() {
  if with_real_node; then
    "$root/hack/node.sh" up
  elif [ "$name" = cio ]; then
    log "no real node: CIO_REAL_NODE=0"
    "$root/hack/node.sh" off "CIO_REAL_NODE=0 was set"
  fi
}

healthy() {
  [ -f "$kubeconfig" ] && kubectl get --raw /readyz >/dev/null 2>&1
}

wait_nodes() {
  local i
  for i in $(seq 1 120); do
    if [ "$(kubectl get nodes --no-headers 2>/dev/null | awk '$2=="Ready"' | wc -l)" -ge 3 ]; then return 0; fi
    sleep 0.5
  done
  log "nodes did not become Ready in 60 s:"; kubectl get nodes >&2 || true; return 1
}

seed() {
  kubectl apply -f "$root/test/cluster/nodes.yaml" >/dev/null
  kubectl apply -f "$root/test/cluster/storage-class.yaml" >/dev/null
  wait_nodes
}

create() {
  local cfg
  cfg=$(write_config)
  log "creating the plane (kwokctl, binary runtime, loopback only)"
  local extra=()
  if [ -n "${CIO_KWOKCTL_ARGS:-}" ]; then read -r -a extra <<<"$CIO_KWOKCTL_ARGS"; fi
  "$kwokctl" create cluster --name "$name" --config "$cfg" --kubeconfig "$kubeconfig" \
    --wait 2m ${extra[@]+"${extra[@]}"} >"$local_dir/kwokctl-create$suffix.log" 2>&1 || {
      log "kwokctl create failed; its output:"; tail -30 "$local_dir/kwokctl-create$suffix.log" >&2; return 1; }
  cp "$cfg" "$(applied_config)"
}

# The configuration the running plane was created with; a plane created from another one (other
# binaries, Stages or flags, e.g. after a pull) is recreated rather than silently reused.
applied_config() { echo "$KWOK_WORKDIR/created-from.yaml"; }

up() {
  mkdir -p "$local_dir"
  "$root/hack/tools.sh" build
  local cfg
  cfg=$(write_config)
  if "$kwokctl" get clusters 2>/dev/null | grep -qx "$name" && ! cmp -s "$cfg" "$(applied_config)"; then
    log "the plane was created from another configuration (binaries, Stages or flags); recreating it"
    down
    cfg=$(write_config)
  fi
  if healthy; then seed; node_up; log "already up ($(kubectl config view -o jsonpath='{.clusters[0].cluster.server}'))"; return 0; fi
  if "$kwokctl" get clusters 2>/dev/null | grep -qx "$name"; then
    # Half-dead (a killed run, a reboot): try to start the stopped components, else start over.
    log "found a stopped or broken plane; restarting it"
    if "$kwokctl" start cluster --name "$name" >/dev/null 2>&1 && for _ in $(seq 1 60); do healthy && break; sleep 1; done && healthy; then
      seed; node_up; log "restarted"; return 0
    fi
    log "restart failed; recreating"
    down
  fi
  rm -f "$kubeconfig"
  create
  seed
  node_up
  log "up: KUBECONFIG=$kubeconfig ($(kubectl config view -o jsonpath='{.clusters[0].cluster.server}'))"
}

down() {
  if [ "$name" = cio ]; then "$root/hack/node.sh" down 2>/dev/null || true; fi
  if [ -x "$kwokctl" ] && "$kwokctl" get clusters 2>/dev/null | grep -qx "$name"; then
    "$kwokctl" delete cluster --name "$name" >/dev/null 2>&1 || true
  fi
  # Whatever kwokctl could not stop (its pid files lost), stop by this clone's paths only.
  pkill -f -- "$KWOK_WORKDIR/" 2>/dev/null || true
  rm -rf "$KWOK_WORKDIR" "$kubeconfig" "$local_dir/kwokctl$suffix.yaml"
}

case ${1:-} in
  up) up ;;
  down) down; log "down" ;;
  status) healthy ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
