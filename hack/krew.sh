#!/usr/bin/env bash
# Builds the kubectl plugin's krew archive for this machine's platform (.krew.yaml names one per
# platform): the compiled plugin, its production dependencies and the pinned Node.js, so the
# plugin runs where no Node.js is installed.
#
#   hack/krew.sh v0.1.0   writes .local/krew/kubectl-container_group-v0.1.0-linux-amd64.tar.gz
#                         and prints its sha256
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tag=${1:?usage: $0 TAG (e.g. v0.1.0)}
case $(uname -m) in x86_64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
name=kubectl-container_group-$tag-linux-$arch
out=$root/.local/krew
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

node_bin=$("$root/hack/nodejs.sh" install)
(cd "$root" && PATH=$node_bin:$PATH npm run --silent build)
mkdir -p "$stage/bin" "$stage/node/bin" "$out"
cp -R "$root/dist" "$stage/dist"
cp "$root/package.json" "$root/package-lock.json" "$stage/"
cp "$root/bin/kubectl-container_group" "$root/bin/kubectl-cg" "$stage/bin/"
cp "$node_bin/node" "$stage/node/bin/node"
(cd "$stage" && PATH=$node_bin:$PATH npm ci --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
# krew links `bin` into its PATH: a launcher that runs the plugin on the Node.js beside it.
for exe in kubectl-container_group kubectl-cg; do
  cat >"$stage/$exe" <<SH
#!/bin/sh
here=\$(dirname "\$(readlink -f "\$0")")
exec "\$here/node/bin/node" "\$here/bin/$exe" "\$@"
SH
  chmod 755 "$stage/$exe"
done
tar -C "$stage" -czf "$out/$name.tar.gz" .
sha256sum "$out/$name.tar.gz" | cut -d' ' -f1
echo "krew: wrote $out/$name.tar.gz" >&2
