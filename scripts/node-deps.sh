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
# shellcheck source=apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
apt_install_missing "node packages" containerd ${need[@]+"${need[@]}"}
