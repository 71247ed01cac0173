#!/usr/bin/env bash
# Installs the Debian packages the real node (testkit/src/node.ts) runs as they are: containerd,
# runc, the CNI plugins, iptables and ipset (kube-proxy, kube-router), podman/buildah (image
# builds without Docker) and debootstrap (the base-image stand-ins).
set -euo pipefail
need=()
command -v containerd >/dev/null 2>&1 || need+=(containerd)
command -v runc >/dev/null 2>&1 || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v ipset >/dev/null 2>&1 || need+=(ipset)
command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
if [ ${#need[@]} -eq 0 ]; then
  echo "node packages: present"
  exit 0
fi
echo "node packages: installing ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root or sudo to apt-get install ${need[*]}" >&2; exit 1; }
  sudo=sudo
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts containerd as a service; the node runs its own on a socket of its own.
if command -v systemctl >/dev/null 2>&1; then $sudo systemctl stop containerd >/dev/null 2>&1 || true; fi
echo "node packages: installed ${need[*]}"
