#!/usr/bin/env bash
# The integration suite on each Kubernetes version the local plane can be built at
# (test/tools/kubernetes/<minor>/), one after another: the plane, and the real node's kubelet and
# kube-proxy, are rebuilt and recreated at each version. Prints one line per version and writes
# them to .local/test-matrix.tsv; exits non-zero when any version failed.
#
#   KUBE_VERSIONS="1.35 1.37" hack/test-matrix.sh   some versions only (default: all)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ -n "${TEST_KUBECONFIG:-}" ]; then
  echo "test-matrix: runs on the local plane only; unset TEST_KUBECONFIG (make test-integration runs on that cluster)" >&2
  exit 2
fi
read -r -a versions <<<"${KUBE_VERSIONS:-$(hack/tools.sh kube-versions | paste -sd' ')}"
results=$root/.local/test-matrix.tsv
mkdir -p "$root/.local"
printf 'version\tresult\tseconds\tdate\n' >"$results"
trap 'hack/cluster.sh down >/dev/null 2>&1 || true' EXIT

failed=0
for v in "${versions[@]}"; do
  start=$SECONDS
  echo "test-matrix: Kubernetes $v" >&2
  # Down first, so a failed version's plane never leaks into the next one.
  hack/cluster.sh down >/dev/null 2>&1 || true
  if KUBE_VERSION=$v hack/tools.sh build && KUBE_VERSION=$v vitest run --project integration; then
    result=passed
  else
    result=failed; failed=1
  fi
  line=$(printf '%s\t%s\t%s\t%s' "$(KUBE_VERSION=$v hack/tools.sh version kubernetes)" "$result" "$((SECONDS - start))" "$(date -u +%F)")
  echo "$line" >>"$results"
  echo "test-matrix: $line" >&2
done
echo "test-matrix: done ($results):" >&2
column -t -s $'\t' "$results" >&2
exit "$failed"
