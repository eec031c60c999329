#!/usr/bin/env bash
# The local plane's real node: a kubelet and kube-proxy from the plane's own Kubernetes build,
# containerd 2.2 with runc and gVisor (runsc), CNI on a bridge with a Pod range of its own, the
# local images, a private registry on 127.0.0.1 and a git repository served over HTTP. Called by
# hack/cluster.sh once the control plane answers; configuration in test/cluster/real-node/.
#
#   hack/node.sh up      start it (idempotent); writes .local/plane.env
#   hack/node.sh down    stop it and remove all it added to the host
#   hack/node.sh check   print why this host cannot run it (nothing when it can)
#   hack/node.sh off WHY record in .local/plane.env that there is no real node, and why
#   hack/node.sh leftovers  list what it left on the host; exit 1 if anything (none after down)
#
# What it adds to the host, all removed by `down`: processes (containerd, its shims, kubelet,
# kube-proxy, registry, httpd), the bridge $BRIDGE (and the load balancer pool's route onto it),
# a blackhole route for the fake Pods' range, the file shares' directories under $RUN_DIR,
# iptables rules (its own CIO-GUARD chain, kube-proxy's KUBE-*, the portmap plugin's CNI-*),
# mounts under its directories and containerd's network namespaces, and the kubepods cgroups.
# Only one clone on a machine can run the real node at a time (the bridge and the Pod range are
# host-wide); another clone's plane comes up without one, and says so.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
local_dir=$root/.local
kubeconfig=$local_dir/kubeconfig
pki=$local_dir/kwok/clusters/cio/pki
env_file=$local_dir/plane.env
cfg_dir=$root/test/cluster/real-node

# Addresses: the four ranges are disjoint, and none of them is routed off the machine.
#   10.0.0.0/24   KWOK's fake Pod IPs (kwok's default, stated in hack/cluster.sh)
#   10.96.0.0/16  Service ClusterIPs (--service-cluster-ip-range in hack/cluster.sh)
#   10.244.0.0/24 the real node's Pods, on the bridge
#   10.245.0.0/24 LoadBalancer addresses (MetalLB's pool), routed onto the bridge
export FAKE_POD_CIDR=10.0.0.0/24 SERVICE_CIDR=10.96.0.0/16 POD_CIDR=10.244.0.0/24 LB_CIDR=10.245.0.0/24
# The loadBalancerClass MetalLB serves (Services of no class are left to whoever plays the cloud).
export LOAD_BALANCER_CLASS=containerinstances.dev/local-plane
export NODE_IP=10.244.0.1 BRIDGE=cio0 NODE_NAME=real-node
export NODE_DIR=$local_dir/node
# Sockets must stay under 108 bytes, so runtime state lives in /run, keyed by this clone's path.
export RUN_DIR=/run/cio-node-$(echo "$root" | sha256sum | cut -c1-8)
export CA_CRT=$pki/ca.crt
export PAUSE_IMAGE=localhost/pause:3.10
owner_file=/run/cio-real-node.owner
git_port=8418
registry_user=cio
registry_password_file=$NODE_DIR/registry/password

k8s_bin=$("$root/hack/tools.sh" bindir kubernetes)
ctrd_bin=$("$root/hack/tools.sh" bindir containerd)
gvisor_bin=$("$root/hack/tools.sh" bindir gvisor)
export RUNC=/usr/sbin/runc RUNSC=$gvisor_bin/runsc
kubectl() { "$k8s_bin/kubectl" --kubeconfig "$kubeconfig" "$@"; }
# ctr warns on every call that cgroup v1 is deprecated; that is known (README), so it is dropped.
ctr() { "$ctrd_bin/ctr" --address "$RUN_DIR/containerd.sock" -n k8s.io "$@" 2> >(grep -v 'support for cgroup v1 is deprecated' >&2); }
log() { echo "node: $*" >&2; }

# True when another clone's real node is running (its kubelet is alive); a dead one's leftovers
# are this clone's to clean up.
other_owner_alive() {
  [ -f "$owner_file" ] || return 1
  local owner; owner=$(cat "$owner_file")
  [ "$owner" != "$root" ] && pgrep -f -- "$owner/.local/node/kubelet.yaml" >/dev/null
}

# check: the reason this host cannot run a real node, or nothing.
check() {
  if [ "$(id -u)" -ne 0 ]; then echo "not root (a kubelet and containerd need root)"; return; fi
  local c
  for c in cpu memory pids; do
    if [ ! -w "/sys/fs/cgroup/$c" ] && [ ! -w /sys/fs/cgroup/cgroup.subtree_control ]; then
      echo "no writable cgroup hierarchy for $c under /sys/fs/cgroup"; return
    fi
  done
  if [ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
    echo "the kernel has no bridge netfilter (net.bridge.bridge-nf-call-iptables), which kube-proxy needs"; return
  fi
  if ! grep -qw overlay /proc/filesystems; then echo "the kernel has no overlay filesystem"; return; fi
  if other_owner_alive; then
    echo "another clone ($(cat "$owner_file")) runs the real node on this machine"; return
  fi
  return 0
}

render() { envsubst <"$cfg_dir/$1" >"$2"; }

# start NAME CMD...: a daemon in its own session, its pid in NODE_DIR/NAME.pid, its log in logs/.
start() {
  local name=$1; shift
  setsid "$@" >>"$NODE_DIR/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$NODE_DIR/$name.pid"
}

alive() { [ -f "$NODE_DIR/$1.pid" ] && kill -0 "$(cat "$NODE_DIR/$1.pid")" 2>/dev/null; }

# wait_for WHAT SECONDS CMD...: retry CMD every 0.5 s; on timeout say what and show the log.
wait_for() {
  local what=$1 secs=$2 i; shift 2
  for i in $(seq 1 $((secs * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  log "$what did not come up in $secs s"; return 1
}

# cert NAME SUBJECT EXT: a key and certificate signed by the plane's CA (kwokctl's), so the API
# server and the kubelet authenticate each other with the plane's own trust root.
cert() {
  local name=$1 subj=$2 ext=$3 d=$NODE_DIR/pki
  [ -f "$d/$name.crt" ] && openssl verify -CAfile "$CA_CRT" "$d/$name.crt" >/dev/null 2>&1 && return 0
  openssl req -new -newkey rsa:2048 -nodes -keyout "$d/$name.key" -subj "$subj" -out "$d/$name.csr" 2>/dev/null
  openssl x509 -req -in "$d/$name.csr" -CA "$CA_CRT" -CAkey "$pki/ca.key" -CAcreateserial -days 365 \
    -extfile <(printf '%s\n' "$ext") -out "$d/$name.crt" 2>/dev/null
}

# node_kubeconfig NAME: a kubeconfig for the plane's API server with the NAME client certificate.
node_kubeconfig() {
  local name=$1 out=$NODE_DIR/$1.kubeconfig server
  server=$(kubectl config view -o jsonpath='{.clusters[0].cluster.server}')
  local k=("$k8s_bin/kubectl" --kubeconfig "$out")
  "${k[@]}" config set-cluster cio --server "$server" --certificate-authority "$CA_CRT" --embed-certs >/dev/null
  "${k[@]}" config set-credentials "$name" --client-certificate "$NODE_DIR/pki/$name.crt" \
    --client-key "$NODE_DIR/pki/$name.key" --embed-certs >/dev/null
  "${k[@]}" config set-context cio --cluster cio --user "$name" >/dev/null
  "${k[@]}" config use-context cio >/dev/null
}

# The guard: nothing the plane routes may leave the machine. Past lo and the bridge, it drops what
# a Pod sends and whatever kube-proxy translated (a Service whose endpoint is not on the bridge,
# such as the API server's advertised address, on which it does not listen). It sits in mangle
# POSTROUTING, after every DNAT (kube-proxy's included) and before any NAT on the way out, and
# kube-proxy never touches the mangle table, so its rules cannot get ahead of these.
guard_rules() {
  cat <<RULES
-d $FAKE_POD_CIDR -j DROP
-d $SERVICE_CIDR -j DROP
-d $LB_CIDR -j DROP
-o lo -j RETURN
-o $BRIDGE -j RETURN
-s $POD_CIDR -j DROP
-m conntrack --ctstate DNAT -j DROP
RULES
}

guard_up() {
  iptables -t mangle -N CIO-GUARD 2>/dev/null || iptables -t mangle -F CIO-GUARD
  local rule
  while read -r rule; do
    # shellcheck disable=SC2086 # a rule is words
    iptables -t mangle -A CIO-GUARD $rule -m comment --comment "cio: traffic stays on this machine"
  done < <(guard_rules)
  iptables -t mangle -C POSTROUTING -j CIO-GUARD 2>/dev/null || iptables -t mangle -I POSTROUTING 1 -j CIO-GUARD
  # A fake Pod's address is nowhere: packets DNATed to one die here, not on the default route.
  ip route replace blackhole "$FAKE_POD_CIDR"
}

network_up() {
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
  # kubelet's volume mounts propagate into containers only on a shared root.
  mount --make-rshared /
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then ip link add "$BRIDGE" type bridge; fi
  ip addr replace "$NODE_IP/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # A load balancer address that kube-proxy did not translate (no ready endpoint) goes to the
  # bridge, where the guard drops it, never to the default route.
  ip route replace "$LB_CIDR" dev "$BRIDGE"
  guard_up
}

images_up() {
  "$root/hack/images.sh" build
  local name have pids=() pid failed=0
  have=$(ctr images ls -q)
  mkdir -p "$NODE_DIR/images"
  # Two at a time: each is a copy and a checksum of tens of MB, and two overlap well (a fresh
  # node started in 27 s one at a time, 13 s two at a time), while five at once starved the API
  # server for over 10 s.
  for name in $("$root/hack/images.sh" list); do
    grep -qx "$name" <<<"$have" && continue
    if [ "${#pids[@]}" -ge 2 ]; then wait "${pids[0]}" || failed=1; pids=("${pids[@]:1}"); fi
    import_image "$name" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || { log "an image import failed (above)"; return 1; }
}
import_image() {
  local tar
  tar=$NODE_DIR/images/$(echo "$1" | tr '/:' '__').tar
  "$root/hack/images.sh" archive "$1" "$tar"
  ctr images import "$tar" >/dev/null
  rm -f "$tar"
}

registry_up() {
  mkdir -p "$NODE_DIR/registry/data"
  [ -f "$registry_password_file" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$registry_password_file"
  local pass port
  pass=$(cat "$registry_password_file")
  htpasswd -Bbn "$registry_user" "$pass" >"$NODE_DIR/registry/htpasswd" 2>/dev/null
  if ! alive registry; then
    port=5000
    while ss -Hltn "sport = :$port" | grep -q .; do port=$((port + 1)); done
    echo "$port" >"$NODE_DIR/registry/port"
    REGISTRY_PORT=$port render registry.yaml "$NODE_DIR/registry/config.yaml"
    start registry docker-registry serve "$NODE_DIR/registry/config.yaml"
  fi
  port=$(cat "$NODE_DIR/registry/port")
  wait_for "the registry on 127.0.0.1:$port" 20 curl -fsS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" -u "$registry_user:$pass"
  # A distinct image (images.sh push adds a label), so the pull proves the credentials.
  "$root/hack/images.sh" push localhost/busybox:1.35 "127.0.0.1:$port/private/busybox:1.35" "$registry_user" "$pass"
}

# A small repository (two commits, a tag) served over git's dumb HTTP protocol on the bridge's
# address, where the Pods reach the host.
git_repo_up() {
  local src=$NODE_DIR/git/src www=$NODE_DIR/git/www
  if [ ! -d "$www/hello.git" ]; then
    rm -rf "$src" "$www"; mkdir -p "$src" "$www"
    local g=(git -C "$src" -c user.name=cio -c user.email=cio@localhost -c init.defaultBranch=main)
    "${g[@]}" init -q
    echo "first" >"$src/VERSION"; echo "hello from the plane's git repository" >"$src/README"
    "${g[@]}" add -A; GIT_COMMITTER_DATE=2026-01-01T00:00:00Z "${g[@]}" commit -q -m first --date 2026-01-01T00:00:00Z
    "${g[@]}" tag v1
    echo "second" >"$src/VERSION"
    "${g[@]}" add -A; GIT_COMMITTER_DATE=2026-01-02T00:00:00Z "${g[@]}" commit -q -m second --date 2026-01-02T00:00:00Z
    git clone -q --bare "$src" "$www/hello.git"
    git -C "$www/hello.git" update-server-info
  fi
  alive git-http || start git-http busybox httpd -f -p "$NODE_IP:$git_port" -h "$www"
  wait_for "the git repository on $NODE_IP:$git_port" 10 curl -fsS "http://$NODE_IP:$git_port/hello.git/info/refs"
}

# The add-ons a cloud cluster has and the plane lacks, deployed from their own manifests in the
# pinned Go modules, cut and patched by the kustomizations in addons/: MetalLB's controller gives
# LoadBalancer Services an address, local-path-provisioner backs fileShare claims with host
# directories. Both run as Pods on the real node, from images of the binaries tools.sh built.
addon_manifest() {
  case $1 in
    metallb) echo "$("$root/hack/tools.sh" moddir metallb)/config/manifests/metallb-native.yaml" ;;
    local-path) echo "$("$root/hack/tools.sh" moddir local-path-provisioner)/deploy/local-path-storage.yaml" ;;
  esac
}
addons_up() {
  local name dir server f
  server=$(kubectl config view -o jsonpath='{.clusters[0].cluster.server}')
  export API_PORT=${server##*:} FILE_SHARE_DIR=$RUN_DIR/file-shares
  METALLB_VERSION=$("$root/hack/tools.sh" version metallb)
  LOCAL_PATH_VERSION=$("$root/hack/tools.sh" version local-path-provisioner)
  export METALLB_VERSION LOCAL_PATH_VERSION
  mkdir -p "$FILE_SHARE_DIR"
  # Only these: the manifests hold `$patch` and shell scripts of their own.
  local vars='${API_PORT} ${FILE_SHARE_DIR} ${LB_CIDR} ${LOAD_BALANCER_CLASS} ${METALLB_VERSION} ${LOCAL_PATH_VERSION}'
  for name in metallb local-path; do
    dir=$NODE_DIR/addons/$name
    mkdir -p "$dir"
    cp "$(addon_manifest "$name")" "$dir/"
    chmod u+w "$dir"/*
    for f in "$cfg_dir/addons/$name"/*.yaml; do envsubst "$vars" <"$f" >"$dir/$(basename "$f")"; done
    kubectl apply -k "$dir" >/dev/null
  done
  kubectl wait --for=condition=Established --timeout=60s crd/ipaddresspools.metallb.io >/dev/null
  kubectl apply -f "$NODE_DIR/addons/metallb/pool.yaml" >/dev/null
  addon_ready metallb-system controller
  addon_ready local-path-storage local-path-provisioner
}
# addon_ready NAMESPACE DEPLOYMENT: its current Pod runs (after a change, the new one), or what it
# said is shown.
addon_ready() {
  kubectl -n "$1" rollout status --timeout=90s "deployment/$2" >/dev/null && return 0
  log "$2 in $1 did not become available in 90 s"
  kubectl -n "$1" get pods -o wide >&2 || true
  kubectl -n "$1" logs "deployment/$2" --tail=20 >&2 || true
  return 1
}

node_ready() {
  [ "$(kubectl get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

write_env() {
  local tmp=$env_file.tmp
  if [ -n "${1:-}" ]; then
    printf 'REAL_NODE=\nREAL_NODE_UNAVAILABLE=%q\n' "$1" >"$tmp"
  else
    local port pass
    port=$(cat "$NODE_DIR/registry/port"); pass=$(cat "$registry_password_file")
    cat >"$tmp" <<ENV
REAL_NODE=$NODE_NAME
SANDBOX_RUNTIME_CLASS=gvisor
RUNC_RUNTIME_CLASS=runc
BUSYBOX_IMAGE=localhost/busybox:1.35
GIT_IMAGE=localhost/git:2.39
REGISTRY=127.0.0.1:$port
REGISTRY_USERNAME=$registry_user
REGISTRY_PASSWORD=$pass
PRIVATE_IMAGE=127.0.0.1:$port/private/busybox:1.35
GIT_REPO_URL=http://$NODE_IP:$git_port/hello.git
GIT_REPO_TAG=v1
POD_CIDR=$POD_CIDR
SERVICE_CIDR=$SERVICE_CIDR
FAKE_POD_CIDR=$FAKE_POD_CIDR
LB_CIDR=$LB_CIDR
LOAD_BALANCER_CLASS=$LOAD_BALANCER_CLASS
FILE_SHARE_STORAGE_CLASS=local-path
NODE_IP=$NODE_IP
BRIDGE=$BRIDGE
ENV
  fi
  mv "$tmp" "$env_file"
}

up() {
  local why
  why=$(check)
  if [ -n "$why" ]; then
    log "no real node: $why; the plane has KWOK nodes only, and the tests that need a real node are skipped"
    write_env "$why"; return 0
  fi
  "$root/hack/host-packages.sh"
  "$root/hack/tools.sh" build containerd gvisor
  if alive containerd && alive kubelet && alive kube-proxy && node_ready; then
    ip route replace "$LB_CIDR" dev "$BRIDGE"
    kubectl label node "$NODE_NAME" topology.kubernetes.io/zone=1 --overwrite >/dev/null
    guard_up; images_up; registry_up; git_repo_up
    kubectl apply -f "$cfg_dir/runtime-classes.yaml" >/dev/null
    addons_up
    write_env; log "already up ($NODE_NAME)"; return 0
  fi
  down_quiet
  local start_s=$SECONDS
  echo "$root" >"$owner_file"
  mkdir -p "$NODE_DIR"/{logs,pki,cni/net.d,cni/ipam,kubelet} "$RUN_DIR"
  : >"$NODE_DIR/resolv.conf"
  network_up

  render containerd.toml "$NODE_DIR/containerd.toml"
  render runsc.toml "$NODE_DIR/runsc.toml"
  render cni.conflist "$NODE_DIR/cni/net.d/10-cio.conflist"
  # containerd finds the runsc shim (containerd-shim-runsc-v1) and its own runc shim on PATH.
  start containerd env PATH="$ctrd_bin:$gvisor_bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    "$ctrd_bin/containerd" --config "$NODE_DIR/containerd.toml"
  wait_for containerd 30 ctr version || { tail -20 "$NODE_DIR/logs/containerd.log" >&2; return 1; }
  images_up

  cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "extendedKeyUsage=clientAuth"
  cert kubelet-serving "/CN=$NODE_NAME" "$(printf 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:%s,DNS:%s' "$NODE_IP" "$NODE_NAME")"
  cert kube-proxy "/CN=system:kube-proxy" "extendedKeyUsage=clientAuth"
  node_kubeconfig kubelet
  node_kubeconfig kube-proxy
  render kubelet.yaml "$NODE_DIR/kubelet.yaml"
  render kube-proxy.yaml "$NODE_DIR/kube-proxy.yaml"
  start kubelet "$k8s_bin/kubelet" --config "$NODE_DIR/kubelet.yaml" --kubeconfig "$NODE_DIR/kubelet.kubeconfig" \
    --root-dir "$NODE_DIR/kubelet" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" \
    --node-labels "type=real,containerinstances.dev/real-node=true" --v 1
  wait_for "the node $NODE_NAME" 90 node_ready || { tail -30 "$NODE_DIR/logs/kubelet.log" >&2; return 1; }
  # ACI's zones are "1", "2", "3", matched as written: the node is in zone 1, so a group that
  # asks for it (examples/spot.yaml) runs.
  kubectl label node "$NODE_NAME" topology.kubernetes.io/zone=1 --overwrite >/dev/null
  start kube-proxy "$k8s_bin/kube-proxy" --config "$NODE_DIR/kube-proxy.yaml" --v 1
  wait_for kube-proxy 30 curl -fsS http://127.0.0.1:10256/healthz || { tail -20 "$NODE_DIR/logs/kube-proxy.log" >&2; return 1; }
  kubectl apply -f "$cfg_dir/runtime-classes.yaml" >/dev/null
  registry_up
  git_repo_up
  addons_up
  write_env
  log "up: $NODE_NAME (containerd, runc, gVisor; Pods on $POD_CIDR) in $((SECONDS - start_s)) s"
}

# stop NAME: the daemon started by `start`, then whatever of it outlived its pid file.
stop() {
  local name=$1 pid
  if [ -f "$NODE_DIR/$name.pid" ]; then
    pid=$(cat "$NODE_DIR/$name.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$NODE_DIR/$name.pid"
  fi
}

# Every process in a cgroup tree, killed until the tree is empty, then the tree removed.
kill_cgroups() {
  local tree d
  for tree in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [ -d "$tree" ] || continue
    for _ in 1 2 3 4 5; do
      find "$tree" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null || true
      [ -z "$(find "$tree" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] && break
      sleep 0.2
    done
    find "$tree" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

down_quiet() {
  # Only the clone whose real node runs removes the host-wide parts.
  if other_owner_alive; then
    [ -d "$NODE_DIR" ] && rm -rf "$NODE_DIR"
    return 0
  fi
  [ -d "$NODE_DIR" ] || [ -d "$RUN_DIR" ] || [ -f "$owner_file" ] || ip link show "$BRIDGE" >/dev/null 2>&1 || return 0
  stop kube-proxy; stop kubelet; stop git-http; stop registry
  # Containers and their shims: by cgroup (runc's containers), by containerd's address (shims),
  # by runsc's root (gVisor sandboxes and gofers).
  kill_cgroups
  pkill -9 -f -- "-address $RUN_DIR/containerd.sock" 2>/dev/null || true
  pkill -9 -f -- "$RUN_DIR/runsc" 2>/dev/null || true
  stop containerd
  kill_cgroups
  if [ -x "$k8s_bin/kube-proxy" ] && iptables-save 2>/dev/null | grep -q KUBE-; then
    "$k8s_bin/kube-proxy" --cleanup >/dev/null 2>&1 || true
  fi
  # What is left of the plane's rules: the guard (CIO-), portmap's (CNI-) and the kubelet's
  # (KUBE-FIREWALL, KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT, in IPv4 and IPv6). The jumps to them
  # go first, then every chain is flushed before any is deleted, as they jump to each other.
  local ipt table chains
  for ipt in iptables ip6tables; do
    for table in nat filter mangle; do
      "$ipt-save" -t "$table" 2>/dev/null | grep -E '^-A [A-Z]+ .*-j (CIO|CNI|KUBE)-' | sed 's/^-A /-D /' \
        | xargs -r -L1 "$ipt" -t "$table" 2>/dev/null || true
      chains=$("$ipt-save" -t "$table" 2>/dev/null | grep -oE '^:(CIO|CNI|KUBE)-[A-Za-z0-9-]+' | tr -d :) || true
      for chain in $chains; do "$ipt" -t "$table" -F "$chain" 2>/dev/null || true; done
      for chain in $chains; do "$ipt" -t "$table" -X "$chain" 2>/dev/null || true; done
    done
  done
  ip route del blackhole "$FAKE_POD_CIDR" 2>/dev/null || true
  # Network namespaces containerd pinned, then every mount below the node's directories.
  local m
  for m in $(awk -v a="$NODE_DIR" -v b="$RUN_DIR" 'index($5, a) == 1 || index($5, b) == 1 || $5 ~ "^/(var/)?run/netns/cni-" {print $5}' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  rm -f /run/netns/cni-* 2>/dev/null || true
  rm -rf /var/lib/cni/results/cio-* 2>/dev/null || true
  ip link del "$BRIDGE" 2>/dev/null || true
  rm -rf "$NODE_DIR" "$RUN_DIR"
  rm -f "$owner_file"
  if [ -f "$kubeconfig" ]; then kubectl delete node "$NODE_NAME" --ignore-not-found --wait=false >/dev/null 2>&1 || true; fi
}

# leftovers: what the real node added to the host and is still there (nothing after `down`).
leftovers() {
  local found=0 ipt
  say() { echo "left on the host: $*"; found=1; }
  ip link show "$BRIDGE" >/dev/null 2>&1 && say "the bridge $BRIDGE"
  ip route show | grep -q "blackhole $FAKE_POD_CIDR" && say "the blackhole route $FAKE_POD_CIDR"
  for ipt in iptables ip6tables; do
    "$ipt-save" 2>/dev/null | grep -qE '^:(CIO|CNI|KUBE)-' && say "$ipt chains: $("$ipt-save" | grep -oE '^:(CIO|CNI|KUBE)-[A-Za-z0-9-]+' | tr -d : | sort -u | tr '\n' ' ')"
  done
  pgrep -f -- "$NODE_DIR/|$RUN_DIR" >/dev/null && say "processes: $(pgrep -af -- "$NODE_DIR/|$RUN_DIR" | cut -c1-120 | tr '\n' ';')"
  awk -v a="$NODE_DIR" -v b="$RUN_DIR" 'index($5, a) == 1 || index($5, b) == 1 || $5 ~ "^/(var/)?run/netns/cni-"' /proc/self/mountinfo | grep -q . && say "mounts under $NODE_DIR, $RUN_DIR or /run/netns"
  find /sys/fs/cgroup -maxdepth 2 -name kubepods -type d 2>/dev/null | grep -q . && say "kubepods cgroups"
  [ -e "$owner_file" ] && say "$owner_file"
  [ -e "$NODE_DIR" ] || [ -e "$RUN_DIR" ] && say "$NODE_DIR or $RUN_DIR"
  return "$found"
}

case ${1:-} in
  up) up ;;
  off) write_env "${2:?off needs a reason}" ;;
  leftovers) leftovers ;;
  down) down_quiet; log "down" ;;
  check) check ;;
  *) echo "usage: $0 up|down|check|off WHY|leftovers" >&2; exit 2 ;;
esac
