#!/usr/bin/env bash
# The one Node.js that make runs everything on: the version in .node-version, installed from the
# npm registry's official binaries (the node-linux-<arch> packages that the `node` package itself
# installs), checked against the integrity pinned below, into a cache outside the repository.
# The machine's own Node (any >= 20 with npm) only runs npm to fetch it.
#
#   hack/nodejs.sh install   install the pinned Node when missing (idempotent); prints its bin dir
#   hack/nodejs.sh bindir    print the directory that holds the pinned node binary
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${CIO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/container-instances-operator}
version=$(tr -d '[:space:]' <"$root/.node-version")

# The npm registry's integrity of node-<platform>@<version>, so a changed pin has to change these
# too (npm pack checks the tarball against the registry's record; this checks the record).
integrity() {
  case $1@$version in
    linux-x64@24.22.3) echo 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' ;;
    linux-arm64@24.22.3) echo 'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==' ;;
    *) return 1 ;;
  esac
}

platform() {
  local arch
  case $(uname -m) in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) arch=$(uname -m) ;;
  esac
  echo "$(uname -s | tr '[:upper:]' '[:lower:]')-$arch"
}

bindir() { echo "$cache/tools/node-$version-$(platform)/bin"; }

tmp=
install() {
  local out plat want
  out=$(bindir)
  if [ -x "$out/node" ]; then echo "$out"; return; fi
  plat=$(platform)
  if ! want=$(integrity "$plat"); then
    echo "nodejs: no pinned integrity for node-$plat@$version; add it to hack/nodejs.sh (npm view node-$plat@$version dist.integrity)" >&2
    exit 1
  fi
  command -v npm >/dev/null || { echo "nodejs: npm is needed once, to fetch Node.js $version: install any Node.js >= 20 with npm" >&2; exit 1; }
  mkdir -p "$cache/tools"
  tmp=$(mktemp -d "$cache/tools/.build-node-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  echo "nodejs: installing Node.js $version (node-$plat from the npm registry; cached in $out)" >&2
  local got
  got=$(cd "$tmp" && npm pack --json --silent "node-$plat@$version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].integrity))')
  if [ "$got" != "$want" ]; then
    echo "nodejs: node-$plat@$version has integrity $got, pinned $want; refusing it" >&2
    exit 1
  fi
  tar -xzf "$tmp"/node-*.tgz -C "$tmp" package/bin/node
  "$tmp/package/bin/node" --version >/dev/null
  mkdir -p "$(dirname "$(dirname "$out")")"
  # Another clone may have installed it meanwhile; either copy is good.
  mv -T "$tmp/package" "$(dirname "$out")" 2>/dev/null || true
  echo "$out"
}

case ${1:-install} in
  install) install ;;
  bindir) bindir ;;
  *) echo "usage: $0 install | bindir" >&2; exit 2 ;;
esac
