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

  The local control plane is up (fake nodes by KWOK; the Kata RuntimeClass exists) and the
  ContainerGroup CRD is installed. The operator runs below (JSON logs). In another terminal:

    export KUBECONFIG=$KUBECONFIG
    alias kubectl=$kubectl
    kubectl apply -f examples/run-once.yaml -f examples/public-web-server.yaml
    kubectl get cg -w                   # state, IP, FQDN, CPU, memory, GPU
    kubectl describe cg aci-helloworld  # conditions and events
    kubectl get pod,svc,netpol,secret -l app.kubernetes.io/managed-by=container-instances-operator

  There is no cloud load balancer here; play the cloud controller to give the public group its IP:
    kubectl patch svc aci-helloworld --subresource=status --type=merge \
      -p '{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.7"}]}}}'

  Nothing runs inside the fake nodes' Pods; to see the run-once group finish with exit code 0:
    kubectl annotate pod word-count sim.containerinstances.dev/exit-code=0

  Ctrl-C stops the operator; 'make cluster-down' stops the plane.

MSG
exec node "$root/dist/main.js" "$@"
