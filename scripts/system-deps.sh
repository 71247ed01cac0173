#!/usr/bin/env bash
# Installs the Debian packages the harness needs when they are missing: PostgreSQL's server
# programs, redis-server (with redis-benchmark), openssl, python3-venv (for make fuzz), chromium (the browser suite). Go and Node come with the machine;
# Node 24 itself is pinned as an npm package.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-benchmark >/dev/null 2>&1 || need+=(redis-tools)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# make fuzz installs schemathesis into a virtualenv of its own.
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
[ -x /usr/bin/time ] || need+=(time)
# The browser suite drives Debian's Chromium through playwright-core (a tool's own browser
# download cannot reach its servers).
[ -x /usr/bin/chromium ] || need+=(chromium)
# shellcheck source=apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
apt_install_missing "system packages" redis-server,postgresql ${need[@]+"${need[@]}"}
