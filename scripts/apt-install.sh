# Sourced by system-deps.sh and node-deps.sh: installs Debian packages that are missing.
#   apt_install_missing <label> <services to stop afterwards, comma-separated> <package>...
# Debian starts the services it installs; the harness runs its own on ports and sockets of its
# own, so those are stopped again.
apt_install_missing() {
  local label="$1" services="$2"; shift 2
  if [ $# -eq 0 ]; then
    echo "$label: present"
    return 0
  fi
  echo "$label: installing $*"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root or sudo to apt-get install $*" >&2; return 1; }
    sudo=sudo
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  local svc
  for svc in ${services//,/ }; do
    if command -v systemctl >/dev/null 2>&1; then $sudo systemctl stop "$svc" >/dev/null 2>&1 || true; fi
  done
  echo "$label: installed $*"
}
