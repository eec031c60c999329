#!/usr/bin/env bash
# `make e2e-kind`, on a host with a Docker engine (a developer's machine, CI): creates a kind
# cluster, builds the operator image and loads it into the cluster, installs the Helm chart with no
# RuntimeClass (kind has no Kata), waits until the operator's Deployment is Available (the real
# container answering its probes), then runs the integration suite against the cluster with
# TEST_KUBECONFIG. The cluster is deleted afterwards unless KEEP_CLUSTER=1.
#
#   KIND_CLUSTER=cio-e2e  KIND_VERSION=v0.33.0  KIND_NODE_IMAGE=(kind's default)
#   IMAGE=container-instances-operator:e2e  KEEP_CLUSTER=0  E2E_ARTIFACTS=.local/e2e-kind
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cluster=${KIND_CLUSTER:-cio-e2e}
kind_version=${KIND_VERSION:-v0.33.0}
image=${IMAGE:-container-instances-operator:e2e}
namespace=container-instances-system
release=container-instances-operator
artifacts=${E2E_ARTIFACTS:-$root/.local/e2e-kind}
kubeconfig=$root/.local/kind-kubeconfig
cache=${CIO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/container-instances-operator}

log() { echo "e2e-kind: $*" >&2; }
die() { log "$*"; exit 1; }

command -v docker >/dev/null 2>&1 || die "docker is not installed: this target needs a host with a Docker engine"
docker info >/dev/null 2>&1 || die "no Docker engine answers (docker info failed): this target needs a host with Docker"

# kind: the one on PATH, else the pinned version built from the Go module proxy into the cache.
kind=$(command -v kind || true)
if [ -z "$kind" ]; then
  kind=$cache/kind-$kind_version/kind
  if [ ! -x "$kind" ]; then
    command -v go >/dev/null 2>&1 || die "kind is not on PATH and Go is not installed to build it"
    log "building kind $kind_version"
    GOBIN=$(dirname "$kind") CGO_ENABLED=0 go install "sigs.k8s.io/kind@$kind_version"
  fi
fi

# The pinned kubectl and helm (hack/tools.sh); the integration suite uses the same kubectl.
"$root/hack/tools.sh" build kubernetes helm
kubectl="$("$root/hack/tools.sh" bindir kubernetes)/kubectl --kubeconfig $kubeconfig"
helm="$("$root/hack/tools.sh" bindir helm)/helm --kubeconfig $kubeconfig"

mkdir -p "$root/.local" "$artifacts"

collect() {
  local status=$?
  if [ $status -ne 0 ]; then
    log "failed ($status); collecting logs into $artifacts"
    $kubectl get all,cg -A -o wide >"$artifacts/objects.txt" 2>&1 || true
    $kubectl -n "$namespace" describe deployment,pods >"$artifacts/operator-describe.txt" 2>&1 || true
    $kubectl -n "$namespace" logs deployment/$release --all-containers --tail=-1 >"$artifacts/operator.log" 2>&1 || true
    "$kind" export logs "$artifacts/kind" --name "$cluster" >/dev/null 2>&1 || true
  fi
  if [ "${KEEP_CLUSTER:-0}" != 1 ]; then
    "$kind" delete cluster --name "$cluster" >/dev/null 2>&1 || true
  else
    log "kept the cluster: KUBECONFIG=$kubeconfig (delete: $kind delete cluster --name $cluster)"
  fi
  exit $status
}
trap collect EXIT

if "$kind" get clusters 2>/dev/null | grep -qx "$cluster"; then
  log "reusing kind cluster $cluster"
  "$kind" export kubeconfig --name "$cluster" --kubeconfig "$kubeconfig"
else
  log "creating kind cluster $cluster"
  "$kind" create cluster --name "$cluster" --kubeconfig "$kubeconfig" --wait 180s \
    ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"}
fi

log "building $image"
docker build --build-arg VERSION="$(node -p 'require("./package.json").version')" -t "$image" "$root"
"$kind" load docker-image "$image" --name "$cluster"

log "installing the chart (config.runtimeClass empty: kind has no Kata)"
$kubectl create namespace "$namespace" --dry-run=client -o yaml | $kubectl apply -f - >/dev/null
$kubectl label namespace "$namespace" --overwrite pod-security.kubernetes.io/enforce=restricted >/dev/null
$helm upgrade --install "$release" "$root/manifests/chart/container-instances-operator" \
  --namespace "$namespace" --take-ownership --wait --timeout 5m \
  --set image.repository="${image%:*}" --set image.tag="${image##*:}" --set image.pullPolicy=Never \
  --set config.runtimeClass= --set config.confidentialRuntimeClass= \
  --set replicaCount="${E2E_OPERATOR_REPLICAS:-1}"
$kubectl -n "$namespace" rollout status "deployment/$release" --timeout=180s
log "the operator is Available (its /readyz answered the kubelet)"

# The installed operator is proven (it became Available through its readiness probe). The suite
# starts its own operator per test file, each watching only its namespace; scale the installed one
# down so that no group has two operators.
$kubectl -n "$namespace" scale "deployment/$release" --replicas=0 >/dev/null

log "running the integration suite on the kind cluster"
cd "$root"
# kind has no Kata: the suite's operators run without a RuntimeClass, as the chart was installed.
TEST_KUBECONFIG=$kubeconfig CIO_TEST_IMAGE=$image TEST_OPERATOR_ARGS="--runtime-class= --confidential-runtime-class=" \
  npx vitest run --project integration
