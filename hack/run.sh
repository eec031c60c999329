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

plane_env=$root/.local/plane.env
REAL_NODE=""
# shellcheck disable=SC1090 # written by hack/node.sh
[ -f "$plane_env" ] && . "$plane_env"

if [ -n "$REAL_NODE" ]; then
  # Groups run in gVisor sandboxes on the real node, gitRepo volumes clone with the plane's own git
  # image, fileShare volumes that name no class keep their data on the node (local-path), and
  # Public groups get addresses from the plane's load balancer (MetalLB); flags given to make run
  # (ARGS) still win, coming last.
  set -- "--runtime-class=$SANDBOX_RUNTIME_CLASS" "--git-image=$GIT_IMAGE" \
    "--file-share-storage-class=$FILE_SHARE_STORAGE_CLASS" "--load-balancer-class=$LOAD_BALANCER_CLASS" "$@"
  cat <<MSG

  The local control plane is up, with a real node ($REAL_NODE: kubelet, containerd, gVisor) beside
  the fake KWOK nodes, and the ContainerGroup CRD is installed. The operator runs below (JSON logs)
  and puts every group in a gVisor sandbox on the real node. In another terminal:

    export KUBECONFIG=$KUBECONFIG
    alias kubectl=$kubectl
    kubectl apply -f examples/local-web-server.yaml
    kubectl wait cg/hello-local --for=jsonpath='{.status.state}'=Running --timeout=90s
    kubectl get cg hello-local                # state, IP, CPU, memory
    curl http://\$(kubectl get cg hello-local -o jsonpath='{.status.ipAddress.ip}')/
    kubectl logs hello-local                  # what the container printed
    kubectl exec -it hello-local -- sh        # a shell inside it (try: dmesg | head -1; uname -r)
    kubectl describe cg hello-local           # conditions and events
    kubectl delete cg hello-local

  Ctrl-C stops the operator; 'make cluster-down' stops the plane and the real node.

MSG
else
  cat <<MSG

  The local control plane is up with fake nodes only (no real node: ${REAL_NODE_UNAVAILABLE:-unknown}),
  and the ContainerGroup CRD is installed. The operator runs below (JSON logs). In another terminal:

    export KUBECONFIG=$KUBECONFIG
    alias kubectl=$kubectl
    kubectl apply -f examples/run-once.yaml -f examples/public-web-server.yaml
    kubectl get cg -w                   # state, IP, FQDN, CPU, memory, GPU
    kubectl describe cg aci-helloworld  # conditions and events
    kubectl get pod,svc,netpol,secret -l app.kubernetes.io/managed-by=container-instances-operator

  There is no cloud load balancer here; play the cloud controller to give the public group its IP:
    kubectl patch svc aci-helloworld --subresource=status --type=merge \\
      -p '{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.7"}]}}}'

  Nothing runs inside the fake nodes' Pods; to see the run-once group finish with exit code 0:
    kubectl annotate pod word-count sim.containerinstances.dev/exit-code=0

  Ctrl-C stops the operator; 'make cluster-down' stops the plane.

MSG
fi
exec node "$root/dist/main.js" "$@"
