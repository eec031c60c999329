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
#   hack/tools.sh kube-versions  print the Kubernetes minors the plane can be built at, oldest first
#
# KUBE_VERSION=1.36 (a minor under test/tools/kubernetes/) picks the Kubernetes that `kubernetes`
# means: the plane's components, kubectl, and the real node's kubelet and kube-proxy. Default: the
# newest.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${CIO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/container-instances-operator}
tools=(kubernetes etcd kwok helm helm4 containerd gvisor metallb local-path-provisioner lua)

kube_versions() {
  find "$root/test/tools/kubernetes" -mindepth 1 -maxdepth 1 -type d -name '1.*' -printf '%f\n' | sort -V
}

# kube_minor: the Kubernetes minor that `kubernetes` means (KUBE_VERSION, else the newest).
kube_minor() {
  local want=${KUBE_VERSION:-$(kube_versions | tail -1)}
  if [ ! -f "$root/test/tools/kubernetes/$want/go.mod" ]; then
    echo "tools: KUBE_VERSION=$want is not one of the Kubernetes versions in test/tools/kubernetes/ ($(kube_versions | paste -sd' ')); add one with test/tools/kubernetes/gen-gomod.sh" >&2
    return 1
  fi
  echo "$want"
}

# tooldir NAME: the Go module that builds NAME.
tooldir() {
  local minor
  if [ "$1" != kubernetes ]; then echo "$root/test/tools/$1"; return; fi
  minor=$(kube_minor) || return 1
  echo "$root/test/tools/kubernetes/$minor"
}

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
    lua) echo github.com/yuin/gopher-lua ;;
    *) echo "tools: unknown tool $1" >&2; return 1 ;;
  esac
}

# version NAME: the pinned version of the tool's main module, read from its go.mod.
version() {
  local mod dir
  mod=$(module "$1")
  dir=$(tooldir "$1") || return 1
  awk -v mod="$mod" '$1 !~ "^//" { for (i = 1; i < NF; i++) if ($i == mod && $(i+1) ~ /^v[0-9]/) { print $(i+1); exit } }' \
    "$dir/go.mod"
}

# recipe NAME: the lines of build_one below that build NAME.
recipe() { sed -n "/^      $1)\$/,/;;/p" "${BASH_SOURCE[0]}"; }

bindir() {
  local name=$1 sum dir ver
  # Checked here, not inside $(...), where bash drops set -e.
  dir=$(tooldir "$name") || return 1
  ver=$(version "$name") || return 1
  # The recipe (this script's build step for the tool) is part of the key, so adding a binary
  # to a tool's build never reuses an entry that lacks it.
  sum=$( { find "$dir" -type f | LC_ALL=C sort | xargs cat; recipe "$name"; } | sha256sum | cut -c1-12)
  echo "$cache/tools/$name-$ver-$sum/bin"
}

build_one() {
  local name=$1 dir out ver tmp
  dir=$(tooldir "$name")
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
        # The newest Kubernetes whatever KUBE_VERSION says: one kwok build serves every plane.
        local ld="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$ver -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$(KUBE_VERSION='' version kubernetes)"
        go build -trimpath -ldflags "$ld" -o "$tmp/kwok" sigs.k8s.io/kwok/cmd/kwok
        go build -trimpath -ldflags "$ld" -o "$tmp/kwokctl" sigs.k8s.io/kwok/cmd/kwokctl ;;
      helm)
        local kv; kv=$(KUBE_VERSION='' version kubernetes); local kminor=${kv#v1.}; kminor=${kminor%%.*}
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
      lua)
        # Argo CD's health-script runner (test/tools/lua/main.go), for docs/argocd.md's test.
        go build -trimpath -ldflags "-s -w" -o "$tmp/lua-health" . ;;
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
  kube-versions) kube_versions ;;
  moddir)
    (cd "$(tooldir "$2")" && GOFLAGS=-mod=mod go mod download "$(module "$2")" &&
      GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' "$(module "$2")") ;;
  *) echo "usage: $0 build [NAME...] | bindir NAME | version NAME | moddir NAME | kube-versions" >&2; exit 2 ;;
esac
