#!/usr/bin/env bash
# Installs what `make compose-up` needs when no Docker engine answers: podman (with runc and the
# CNI plugins it runs containers with), podman-compose, and the dnsname CNI plugin that lets the
# containers of one compose network find each other by service name. All Debian packages.
set -euo pipefail
if docker info >/dev/null 2>&1 && { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1; }; then
  echo "compose packages: Docker Compose over a Docker engine, nothing to install"
  exit 0
fi
need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v podman-compose >/dev/null 2>&1 || need+=(podman-compose)
[ -x /usr/lib/cni/dnsname ] || need+=(golang-github-containernetworking-plugin-dnsname)
# The base-image stand-ins (testkit/node/stand-ins) are made with debootstrap.
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
# shellcheck source=apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
apt_install_missing "compose packages" "" ${need[@]+"${need[@]}"}
