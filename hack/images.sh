#!/usr/bin/env bash
# Builds the local plane's OCI images from Debian packages and Kubernetes' pause.c with real image
# tools (umoci builds, skopeo copies), without Docker and without the network. Each image is an
# OCI layout in a cache outside the repository, keyed by a hash of its recipe inputs (this script,
# the Debian package versions, the library files, pause.c), so a fresh clone reuses it and a
# changed input builds anew.
#
#   hack/images.sh build                             build whatever is missing (idempotent, safe
#                                                    to run concurrently)
#   hack/images.sh archive NAME OUT.tar              docker-archive of NAME, tagged NAME, for
#                                                    `ctr -n k8s.io images import OUT.tar`
#   hack/images.sh push NAME DEST_REF USER PASS      NAME plus a label, to a registry (plain HTTP)
#   hack/images.sh list                              the image names, one per line
#   hack/images.sh dir NAME                          the OCI layout of NAME (tag: NAME's tag)
#
# Needs busybox-static, git, umoci, skopeo, gcc, libc6-dev (hack/host-packages.sh) and go (for the
# add-ons' binaries, and for pause.c when k8s.io/kubernetes is not yet in the module cache). Root
# is not needed to build.
set -euo pipefail
shopt -s inherit_errexit
umask 022

root=$(cd "$(dirname "$0")/.." && pwd)
self=$root/hack/images.sh
cache=${CIO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/container-instances-operator}
tools=$root/hack/tools.sh
# The real node's add-ons (test/cluster/real-node/addons/): one static Go binary each, from the
# module hack/tools.sh builds, tagged with its pinned version.
images=(localhost/busybox:1.35 localhost/git:2.39 localhost/pause:3.10
  "localhost/metallb-controller:$("$tools" version metallb)"
  "localhost/local-path-provisioner:$("$tools" version local-path-provisioner)")
# Every timestamp in the images (config, history, file mtimes): fixed, so a rebuild from the same
# inputs gives the same layers.
epoch=1704067200
created=2024-01-01T00:00:00Z
path_env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
busybox_bin=/bin/busybox # busybox-static's binary

build_tmp= # the build in progress, removed if the script fails
trap 'rc=$?; if [ -n "$build_tmp" ]; then rm -rf "$build_tmp"; echo "images: build failed (exit $rc)" >&2; fi' EXIT

die() { echo "images: $*" >&2; exit 1; }

# short NAME: busybox, git, pause, metallb-controller or local-path-provisioner.
# tag NAME: the tag, which is also the tag inside the layout.
short() { local n=${1#localhost/}; echo "${n%%:*}"; }
tag() { echo "${1##*:}"; }
known() { local i; for i in "${images[@]}"; do [ "$i" = "$1" ] && return 0; done; die "unknown image $1 (known: ${images[*]})"; }

pkgver() {
  dpkg-query -W -f='${Version}' "$1" 2>/dev/null | grep . ||
    die "Debian package $1 is not installed (run hack/host-packages.sh)"
}

# git_files: the git package's programs and data, relative to /; no docs, man pages, translations,
# Perl modules or shell completion.
git_files() {
  dpkg -L git | grep -E '^/(usr/bin|usr/lib/git-core|usr/share/git-core|var/lib/git)(/|$)' | sed 's|^/||' | LC_ALL=C sort
}

# git_libs: every shared library (and the dynamic loader) that git's ELF programs load, as ldd
# resolves them on this host.
git_libs() {
  local f magic elfs=() out
  while read -r f; do
    [ -f "/$f" ] && [ ! -L "/$f" ] || continue
    LC_ALL=C read -r -n 4 magic <"/$f" || true
    if [ "$magic" = $'\x7fELF' ]; then elfs+=("/$f"); fi
  done < <(git_files)
  [ ${#elfs[@]} -gt 0 ] || die "no programs in Debian's git package"
  out=$(ldd "${elfs[@]}" 2>&1) || true # non-zero when one of them is static
  if grep -q 'not found' <<<"$out"; then die "ldd: $(grep 'not found' <<<"$out" | head -1)"; fi
  awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' <<<"$out" | LC_ALL=C sort -u
}

# pause_dir: Kubernetes' pause.c, from the k8s.io/kubernetes module the plane pins.
pause_dir() {
  local dir
  dir=$("$tools" moddir kubernetes)/build/pause || die "cannot download the pinned k8s.io/kubernetes for pause.c"
  [ -f "$dir/linux/pause.c" ] || die "no $dir/linux/pause.c"
  echo "$dir"
}
# tool_binary SHORT: the add-on image's binary (built first when missing) and where it goes.
tool_binary() {
  case $1 in
    metallb-controller) echo "$("$tools" bindir metallb)/controller /controller" ;;
    local-path-provisioner) echo "$("$tools" bindir local-path-provisioner)/local-path-provisioner /usr/bin/local-path-provisioner" ;;
  esac
}
tool_name() { case $1 in metallb-controller) echo metallb ;; *) echo "$1" ;; esac; }

# pause_version: upstream's -DVERSION, v$(TAG)-$(REV), where REV is the release tag.
pause_version() { echo "v$(awk '$1 == "TAG" && $2 == "?=" { print $3; exit }' "$1/Makefile")-$("$tools" version kubernetes)"; }

# inputs SHORT: everything the image is made from; its hash is the cache key.
inputs() {
  echo "script $(sha256sum <"$self" | cut -d' ' -f1)"
  if [ -d "$root/test/images" ]; then
    find "$root/test/images" -type f | LC_ALL=C sort | while read -r f; do echo "recipe ${f#"$root/"} $(sha256sum <"$f" | cut -d' ' -f1)"; done
  fi
  case $1 in
    busybox) echo "busybox-static $(pkgver busybox-static)" ;;
    git)
      echo "busybox-static $(pkgver busybox-static)"
      echo "git $(pkgver git)"
      local l
      git_libs | while read -r l; do echo "lib $l $(sha256sum <"$l" | cut -d' ' -f1)"; done ;;
    pause)
      local d; d=$(pause_dir)
      echo "pause.c $(sha256sum <"$d/linux/pause.c" | cut -d' ' -f1) $(pause_version "$d")"
      echo "gcc $(pkgver gcc) $(gcc -dumpfullversion) libc6-dev $(pkgver libc6-dev)" ;;
    metallb-controller | local-path-provisioner)
      "$tools" build "$(tool_name "$1")" >&2
      local bin; read -r bin _ < <(tool_binary "$1")
      echo "binary $(sha256sum <"$bin" | cut -d' ' -f1)" ;;
  esac
}

layout() {
  local s key
  s=$(short "$1")
  key=$(inputs "$s" | sha256sum | cut -c1-12)
  echo "$cache/images/$s-$key"
}

# --- rootfs recipes --------------------------------------------------------------------------

# base_rootfs DIR: busybox with all its applets as symlinks, users and groups, /tmp.
base_rootfs() {
  local r=$1 p
  [ -x "$busybox_bin" ] || die "no $busybox_bin (busybox-static; run hack/host-packages.sh)"
  install -d -m 755 "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin" "$r/etc" "$r/home" "$r/var" \
    "$r/dev" "$r/proc" "$r/sys"
  install -d -m 700 "$r/root"
  install -d -m 1777 "$r/tmp"
  install -m 755 "$busybox_bin" "$r/bin/busybox"
  while read -r p; do
    case $p in bin/busybox | linuxrc | */../* | /*) ;; */*) ln -s /bin/busybox "$r/$p" ;; esac
  done < <("$busybox_bin" --list-full)
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
    'user:x:1000:1000:user:/home/user:/bin/sh' >"$r/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' 'user:x:1000:' >"$r/etc/group"
  printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' 'hosts: files dns' >"$r/etc/nsswitch.conf"
  chmod 644 "$r/etc/passwd" "$r/etc/group" "$r/etc/nsswitch.conf"
}

# git_rootfs DIR: the base, plus git's programs and data and the libraries they load.
git_rootfs() {
  local r=$1 l dest
  base_rootfs "$r"
  git_files | tar -C / --no-recursion -cf - -T - | tar -C "$r" -xpf -
  install -d -m 755 "$r/usr/lib/x86_64-linux-gnu" "$r/usr/lib64"
  while read -r l; do
    dest=/usr${l#/usr} # merged /usr, as on Debian 12: /lib and /lib64 are links into /usr
    install -d -m 755 "$r$(dirname "$dest")"
    cp -L --preserve=mode "$l" "$r$dest"
  done < <(git_libs)
  ln -s usr/lib "$r/lib"
  ln -s usr/lib64 "$r/lib64"
  # Identical programs (/usr/bin/git and /usr/lib/git-core/git, ...) become hard links.
  find "$r/usr/bin" "$r/usr/lib/git-core" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum |
    awk '{ f = substr($0, 67); if ($1 in first) print first[$1] "\t" f; else first[$1] = f }' |
    while IFS=$'\t' read -r a b; do ln -f "$a" "$b"; done
}

# pause_rootfs DIR: /pause alone, statically linked, as upstream's Makefile builds it.
pause_rootfs() {
  local r=$1 d
  d=$(pause_dir)
  install -d -m 755 "$r"
  gcc -Os -Wall -Werror -static -DVERSION="$(pause_version "$d")" -o "$r/pause" "$d/linux/pause.c"
  strip "$r/pause"
  chmod 755 "$r/pause"
}

# tool_rootfs DIR SHORT: the add-on's static binary alone, and a /tmp.
tool_rootfs() {
  local r=$1 bin dest
  read -r bin dest < <(tool_binary "$2")
  install -d -m 755 "$r" "$r$(dirname "$dest")" "$r/etc"
  install -d -m 1777 "$r/tmp"
  install -m 755 "$bin" "$r$dest"
}

# --- image assembly --------------------------------------------------------------------------

# layer ROOTFS HOMES OUT.tar: one uncompressed layer, owned by root, fixed mtimes, sorted; the
# home directories under HOMES are appended owned by their user (uid 1000).
layer() {
  local r=$1 homes=$2 out=$3
  local opts=(--sort=name --mtime="@$epoch" --numeric-owner --format=posix
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
  mapfile -t top < <(cd "$r" && LC_ALL=C ls -A)
  tar -C "$r" -cf "$out" "${opts[@]}" --owner=0 --group=0 "${top[@]}"
  if [ -d "$homes/home/user" ]; then
    tar -C "$homes" -rf "$out" "${opts[@]}" --owner=1000 --group=1000 home/user
  fi
}

build_one() {
  local name=$1 s t out tmp start=$SECONDS
  s=$(short "$name"); t=$(tag "$name")
  out=$(layout "$name")
  [ -f "$out/index.json" ] && return 0
  command -v umoci >/dev/null || die "no umoci (run hack/host-packages.sh)"
  mkdir -p "$cache/images"
  # Leftovers of builds that were killed (a trap cannot run on SIGKILL); no build takes an hour.
  find "$cache/images" -maxdepth 1 -name '.build-*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
  # Build into a private temp dir and rename the finished layout into place, so a killed build
  # never leaves a half-filled entry and two builds at once do not trip over each other.
  tmp=$(mktemp -d "$cache/images/.build-$s-XXXXXX")
  build_tmp=$tmp
  echo "images: building $name (cached in $out)" >&2
  local rootfs=$tmp/rootfs homes=$tmp/homes oci=$tmp/oci by cfg=()
  mkdir -p "$rootfs" "$homes"
  case $s in
    busybox)
      base_rootfs "$rootfs"; install -d -m 755 "$homes/home/user"
      by="hack/images.sh: busybox-static $(pkgver busybox-static)"
      cfg=(--config.env "$path_env" --config.cmd sh) ;;
    git)
      git_rootfs "$rootfs"; install -d -m 755 "$homes/home/user"
      by="hack/images.sh: git $(pkgver git), busybox-static $(pkgver busybox-static)"
      cfg=(--config.env "$path_env" --config.cmd sh) ;;
    pause)
      pause_rootfs "$rootfs"
      by="hack/images.sh: pause.c $(pause_version "$(pause_dir)"), gcc -Os -static"
      cfg=(--config.env "$path_env" --config.entrypoint /pause --config.user 65535:65535) ;;
    metallb-controller | local-path-provisioner)
      tool_rootfs "$rootfs" "$s"
      local dest; read -r _ dest < <(tool_binary "$s")
      by="hack/images.sh: $(tool_name "$s") $("$tools" version "$(tool_name "$s")") from its Go module"
      cfg=(--config.env "$path_env")
      # MetalLB's manifests run the image's entrypoint; local-path-provisioner's name the command.
      if [ "$s" = metallb-controller ]; then cfg+=(--config.entrypoint "$dest"); fi ;;
  esac
  layer "$rootfs" "$homes" "$tmp/layer.tar"
  umoci init --layout "$oci"
  umoci new --image "$oci:$t"
  umoci raw add-layer --image "$oci:$t" --history.created "$created" --history.created_by "$by" "$tmp/layer.tar"
  umoci config --image "$oci:$t" --no-history --created "$created" --os linux --architecture amd64 \
    --config.workingdir / "${cfg[@]}"
  umoci gc --layout "$oci"
  inputs "$s" >"$oci/.inputs" # what the key was made of, for whoever wonders
  mkdir -p "$(dirname "$out")"
  # Another build may have finished the same image meanwhile; either copy is good.
  mv -T "$oci" "$out" 2>/dev/null || true
  rm -rf "$tmp"; build_tmp=
  echo "images: built $name in $((SECONDS - start)) s" >&2
}

# ref NAME: the skopeo reference of NAME's cached layout, built first when missing.
ref() {
  local out
  known "$1"
  out=$(layout "$1")
  [ -f "$out/index.json" ] || build_one "$1"
  echo "oci:$out:$(tag "$1")"
}

usage() {
  echo "usage: $0 build [NAME...] | archive NAME OUT.tar | push NAME DEST_REF USER PASS | list | dir NAME" >&2
  exit 2
}

case ${1:-build} in
  build)
    if [ $# -gt 1 ]; then for n in "${@:2}"; do known "$n"; build_one "$n"; done
    else for n in "${images[@]}"; do build_one "$n"; done; fi ;;
  archive)
    [ $# -eq 3 ] || usage
    src=$(ref "$2")
    rm -f "$3" # docker-archive cannot add to an existing file
    skopeo --insecure-policy copy --quiet "$src" "docker-archive:$3:$2" ;;
  push)
    # The pushed image is NAME with one label more (where it was pushed to), so its image ID is
    # not NAME's. Pushing the very same image would be wrong twice over: a pull of it would prove
    # nothing the local image does not, and containerd 2.2's CRI image store, keyed by image ID,
    # then loses the imported name (Pods using NAME fail to "pull" it from https://localhost).
    [ $# -eq 5 ] || usage
    src=$(ref "$2"); src=${src#oci:}; src=${src%:*}
    copy=$(mktemp -d)
    cp -a "$src" "$copy/layout"
    umoci config --image "$copy/layout:$(tag "$2")" --tag pushed --no-history \
      --config.label "containerinstances.dev/pushed-as=$3"
    skopeo --insecure-policy copy --quiet --dest-tls-verify=false --dest-creds "$4:$5" \
      "oci:$copy/layout:pushed" "docker://$3"
    rm -rf "$copy" ;;
  list) printf '%s\n' "${images[@]}" ;;
  dir) [ $# -eq 2 ] || usage; known "$2"; layout "$2" ;;
  *) usage ;;
esac
