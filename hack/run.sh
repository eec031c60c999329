#!/usr/bin/env bash
# `make run`: with the local plane up and the code built, installs the CRD and runs the operator in
# the foreground against the plane, then tells the user what to apply and look at.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export KUBECONFIG=$root/.local/kubeconfig
kubectl=$("$root/hack/tools.sh" bindir kubernetes)/kubectl

if [ -d "$root/crds" ] && compgen -G "$root/crds/*.yaml" >/dev/null; then
  "$kubectl" apply --server-side --force-conflicts -f "$root/crds/" >/dev/null
  "$kubectl" wait --for=condition=Established --timeout=60s -f "$root/crds/" >/dev/null
fi

cat <<MSG

  The local control plane is up (fake nodes by KWOK; the Kata RuntimeClass exists).
  In another terminal:

    export KUBECONFIG=$KUBECONFIG
    alias kubectl=$kubectl
    kubectl apply -f examples/public-web-server.yaml
    kubectl get cg -w                  # state, IP, FQDN, CPU, memory, GPU
    kubectl describe cg hello-web      # conditions and events
    kubectl get pod,svc,netpol -l app.kubernetes.io/managed-by=container-instances-operator

  Ctrl-C stops the operator; 'make cluster-down' stops the plane.

MSG
exec node "$root/dist/main.js" "$@"
