#!/usr/bin/env bash
# Installs the Debian packages the real node needs, by name, when any is missing. Nothing else on
# the host is changed; without root or apt-get it only says what is missing.
#
#   hack/host-packages.sh          install what is missing (idempotent)
#   hack/host-packages.sh missing  print the missing package names, install nothing
set -euo pipefail

# Why each one:
#   iptables, conntrack             kube-proxy's Service rules, portmap, the plane's guard rules
#   containernetworking-plugins     CNI bridge, host-local, portmap, loopback (/usr/lib/cni)
#   runc                            the OCI runtime under containerd's runc shim (built with seccomp)
#   busybox-static                  the local busybox image (sh, httpd, wget, nc, sleep)
#   git                             the local git image, and the repository the plane serves
#   umoci, skopeo                   OCI image building and copying, without Docker
#   docker-registry, apache2-utils  the private registry on 127.0.0.1 and its htpasswd (bcrypt)
#   openssl                         the kubelet's client and serving certificates
#   iproute2                        the bridge, routes
#   gcc, libc6-dev                  the pause image (static build of Kubernetes' pause.c)
#   patch                           applies test/tools/gvisor/shim-oom-score.patch
#   curl, gettext-base (envsubst)   health checks, and filling in test/cluster/real-node/ templates
packages=(iptables conntrack containernetworking-plugins runc busybox-static git umoci skopeo
  docker-registry apache2-utils openssl iproute2 gcc libc6-dev curl gettext-base patch)

missing() {
  local p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

case ${1:-install} in
  missing) missing ;;
  install)
    mapfile -t need < <(missing)
    [ ${#need[@]} -eq 0 ] && exit 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
      echo "host-packages: missing ${need[*]} (needs root and apt-get)" >&2; exit 1
    fi
    echo "host-packages: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    ;;
  *) echo "usage: $0 [install|missing]" >&2; exit 2 ;;
esac
