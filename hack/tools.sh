#!/usr/bin/env bash
# Builds the local control plane's binaries from the pinned Go modules in test/tools/<name>/
# into a cache outside the repository, keyed by a hash of each module's go.mod and go.sum, so a
# fresh clone on the same machine reuses them and a changed pin builds anew.
#
#   hack/tools.sh build        build whatever is missing (idempotent, safe to run concurrently)
#   hack/tools.sh bindir NAME  print the directory that holds NAME's binaries
#   hack/tools.sh version NAME print the pinned version of NAME's main module
#   hack/tools.sh moddir NAME  print where the Go module cache holds NAME's main module (its
#                              manifests), downloading it when missing
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${CIO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/container-instances-operator}
tools=(kubernetes etcd kwok helm helm4 containerd gvisor metallb local-path-provisioner)

# module NAME: the tool's main module.
module() {
  case $1 in
    kubernetes) echo k8s.io/kubernetes ;;
    etcd) echo go.etcd.io/etcd/server/v3 ;;
    kwok) echo sigs.k8s.io/kwok ;;
    helm) echo helm.sh/helm/v3 ;;
    helm4) echo helm.sh/helm/v4 ;;
    containerd) echo github.com/containerd/containerd/v2 ;;
    gvisor) echo gvisor.dev/gvisor ;;
    metallb) echo go.universe.tf/metallb ;;
    local-path-provisioner) echo github.com/rancher/local-path-provisioner ;;
    *) echo "tools: unknown tool $1" >&2; return 1 ;;
  esac
}

# version NAME: the pinned version of the tool's main module, read from its go.mod.
version() {
  local mod
  mod=$(module "$1")
  awk -v mod="$mod" '$1 !~ "^//" { for (i = 1; i < NF; i++) if ($i == mod && $(i+1) ~ /^v[0-9]/) { print $(i+1); exit } }' \
    "$root/test/tools/$1/go.mod"
}

# recipe NAME: the lines of build_one below that build NAME.
recipe() { sed -n "/^      $1)\$/,/;;/p" "${BASH_SOURCE[0]}"; }

bindir() {
  local name=$1 sum
  # The recipe (this script's build step for the tool) is part of the key, so adding a binary
  # to a tool's build never reuses an entry that lacks it.
  sum=$( { find "$root/test/tools/$name" -type f | LC_ALL=C sort | xargs cat; recipe "$name"; } | sha256sum | cut -c1-12)
  echo "$cache/tools/$name-$(version "$name")-$sum/bin"
}

build_one() {
  local name=$1 dir out ver tmp
  dir=$root/test/tools/$name
  out=$(bindir "$name")
  [ -f "$out/.complete" ] && return 0
  ver=$(version "$name")
  mkdir -p "$cache/tools"
  # Leftovers of builds that were killed (a trap cannot run on SIGKILL); no build takes 3 hours.
  find "$cache/tools" -maxdepth 1 -name '.build-*' -mmin +180 -exec rm -rf {} + 2>/dev/null || true
  # Build into a private temp dir and rename it into place, so a killed build never leaves a
  # half-filled cache entry and two clones building at once do not trip over each other.
  tmp=$(mktemp -d "$cache/tools/.build-$name-XXXXXX")
  trap 'rm -rf "$tmp"' RETURN
  local start=$SECONDS
  echo "tools: building $name $ver (first time on this machine; cached in $out)" >&2
  (
    cd "$dir"
    export CGO_ENABLED=0 GOFLAGS=-mod=mod
    case $name in
      kubernetes)
        local minor=${ver#v1.}; minor=${minor%%.*}
        local ld="-s -w -X k8s.io/component-base/version.gitVersion=$ver -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=$ver -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
        for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy; do
          go build -trimpath -ldflags "$ld" -o "$tmp/$cmd" "k8s.io/kubernetes/cmd/$cmd"
        done ;;
      etcd)
        go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" . ;;
      kwok)
        local ld="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$ver -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$(version kubernetes)"
        go build -trimpath -ldflags "$ld" -o "$tmp/kwok" sigs.k8s.io/kwok/cmd/kwok
        go build -trimpath -ldflags "$ld" -o "$tmp/kwokctl" sigs.k8s.io/kwok/cmd/kwokctl ;;
      helm)
        local kv; kv=$(version kubernetes); local kminor=${kv#v1.}; kminor=${kminor%%.*}
        local ld="-s -w -X helm.sh/helm/v3/internal/version.version=$ver -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$kminor -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$kminor"
        go build -trimpath -ldflags "$ld" -o "$tmp/helm" helm.sh/helm/v3/cmd/helm ;;
      helm4)
        go build -trimpath -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$ver" -o "$tmp/helm" helm.sh/helm/v4/cmd/helm ;;
      containerd)
        # Tags as upstream's Makefile, minus the cgo-only snapshotters; the shim drops gRPC as there.
        local ld="-s -w -X github.com/containerd/containerd/v2/version.Version=$ver"
        local tags="no_btrfs no_devmapper no_zfs urfave_cli_no_docs"
        go build -trimpath -tags "$tags" -ldflags "$ld" -o "$tmp/containerd" github.com/containerd/containerd/v2/cmd/containerd
        go build -trimpath -tags "$tags" -ldflags "$ld" -o "$tmp/ctr" github.com/containerd/containerd/v2/cmd/ctr
        go build -trimpath -tags "$tags no_grpc" -ldflags "$ld" -o "$tmp/containerd-shim-runc-v2" github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 ;;
      gvisor)
        # A copy of the pinned module with shim-oom-score.patch applied, used through a replace
        # in a copy of this go.mod (go.sum still pins every dependency). A patch that no longer
        # applies fails the build, so moving the pin re-checks it.
        local work=$tmp/.gvisor-src
        go mod download gvisor.dev/gvisor
        mkdir "$work"
        cp -R "$(go list -m -f '{{.Dir}}' gvisor.dev/gvisor)" "$work/src"
        chmod -R u+w "$work"
        patch -d "$work/src" -p1 --forward --batch --fuzz=0 <shim-oom-score.patch >&2 ||
          { echo "tools: shim-oom-score.patch does not apply to gvisor.dev/gvisor $ver" >&2; exit 1; }
        cp go.mod "$work/build.mod"; cp go.sum "$work/build.sum"
        go mod edit -modfile="$work/build.mod" -replace=gvisor.dev/gvisor="$work/src"
        local ld="-s -w -X gvisor.dev/gvisor/runsc/version.version=$ver"
        go build -modfile="$work/build.mod" -trimpath -ldflags "$ld" -o "$tmp/runsc" gvisor.dev/gvisor/runsc
        go build -modfile="$work/build.mod" -trimpath -ldflags "-s -w" -o "$tmp/containerd-shim-runsc-v1" gvisor.dev/gvisor/shim
        rm -rf "$work" ;;
      metallb)
        go build -trimpath -ldflags "-s -w" -o "$tmp/controller" go.universe.tf/metallb/controller ;;
      local-path-provisioner)
        go build -trimpath -ldflags "-s -w" -o "$tmp/local-path-provisioner" github.com/rancher/local-path-provisioner ;;
    esac
  )
  chmod 755 "$tmp"
  touch "$tmp/.complete"
  mkdir -p "$(dirname "$out")"
  # Another clone may have finished the same build meanwhile; either copy is good.
  mv -T "$tmp" "$out" 2>/dev/null || rm -rf "$tmp"
  echo "tools: built $name in $((SECONDS - start)) s" >&2
}

case ${1:-build} in
  build) for t in "${@:2}"; do build_one "$t"; done; [ $# -le 1 ] && for t in "${tools[@]}"; do build_one "$t"; done; true ;;
  bindir) bindir "$2" ;;
  version) version "$2" ;;
  moddir)
    (cd "$root/test/tools/$2" && GOFLAGS=-mod=mod go mod download "$(module "$2")" &&
      GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' "$(module "$2")") ;;
  *) echo "usage: $0 build [NAME...] | bindir NAME | version NAME | moddir NAME" >&2; exit 2 ;;
esac
