#!/usr/bin/env bash
# Builds the real node's programs: kubelet and kube-proxy from the same k8s.io/kubernetes wrapper
# module as the control plane, CoreDNS, kube-router (NetworkPolicy enforcement) and the
# distribution registry from their Go modules, and the sandbox's pause binary from pause.c.
# Cached outside the repository, keyed by every pinned version, so a warm run does nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../controlplane/versions.env
source "$here/../controlplane/versions.env"
# shellcheck source=versions.env
source "$here/versions.env"

cache_root="${DUNGEON_CACHE:-$HOME/.cache/distributed-dungeon}"
key="k8s-${KUBERNETES_VERSION}_coredns-${COREDNS_VERSION}_kube-router-${KUBE_ROUTER_VERSION}_registry-${DISTRIBUTION_VERSION}_pause-${PAUSE_VERSION}"
dest="$cache_root/node/$key"
bin="$dest/bin"
want=(kubelet kube-proxy coredns kube-router registry pause)

complete() { for b in "${want[@]}"; do [ -x "$bin/$b" ] || return 1; done; [ -f "$dest/.complete" ]; }
if complete; then
  echo "node: cached at $bin"
  exit 0
fi

command -v go >/dev/null || { echo "node: Go is required to build it (go not found on PATH)" >&2; exit 1; }
command -v gcc >/dev/null || { echo "node: gcc is required to build the pause binary" >&2; exit 1; }
mkdir -p "$bin" "$dest/work"
work="$dest/work"
log="$dest/build.log"
: >>"$log"
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
started=$(date +%s)
step() { printf '[node %4ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
timed() { # run a build step, keeping its output in the log and its duration and peak memory
  local name="$1"; shift
  if ! /usr/bin/time -f "$name peak_rss_kb=%M elapsed_s=%e" -a -o "$dest/times.log" "$@" >>"$log" 2>&1; then
    echo "node: step '$name' failed; last lines of $log:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
}

if [ ! -x "$bin/pause" ]; then
  step "compiling pause (static C)"
  timed pause gcc -Os -static -s -o "$bin/pause.tmp" "$here/pause.c"
  mv "$bin/pause.tmp" "$bin/pause"
fi

# --- kubelet and kube-proxy: the control plane's wrapper module (same go.mod recipe), in a
# folder of its own so the two builds never write to each other's module files.
if [ ! -x "$bin/kubelet" ] || [ ! -x "$bin/kube-proxy" ]; then
  k8s="$work/kubernetes"
  mkdir -p "$k8s"
  step "fetching k8s.io/kubernetes@$KUBERNETES_VERSION module metadata"
  gomod=$(cd "$k8s" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$gomod" ] || { echo "node: could not download k8s.io/kubernetes@$KUBERNETES_VERSION go.mod" >&2; exit 1; }
  staging_version="v0.${KUBERNETES_VERSION#v1.}"
  {
    echo "module dungeon.local/node"
    echo
    echo "go 1.25.0"
    echo
    echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
    echo
    grep -E '=> \./staging/' "$gomod" | awk -v v="$staging_version" '{print "replace " $1 " => " $1 " " v}'
  } >"$k8s/go.mod"
  cat >"$k8s/tools.go" <<'GO'
//go:build tools

// Package tools pins the commands this module builds.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-proxy/app"
	_ "k8s.io/kubernetes/cmd/kubelet/app"
)
GO
  step "resolving kubelet and kube-proxy dependencies"
  (cd "$k8s" && timed k8s-mod-tidy go mod tidy -e)
  major="${KUBERNETES_VERSION#v}"; major="${major%%.*}"
  minor="${KUBERNETES_VERSION#v*.}"; minor="${minor%%.*}"
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  for cmd in kubelet kube-proxy; do
    if [ ! -x "$bin/$cmd" ]; then
      step "compiling $cmd $KUBERNETES_VERSION"
      (cd "$k8s" && timed "$cmd" go build -trimpath -ldflags "$ldflags" -o "$bin/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd")
      mv "$bin/$cmd.tmp" "$bin/$cmd"
    fi
  done
fi

# The other three have no replace directives, so `go install module/cmd@version` builds each
# with exactly its own go.mod.
install() { # name package@version [ldflags]
  local name="$1" pkg="$2" flags="${3:-}"
  if [ ! -x "$bin/$name" ]; then
    step "compiling $name ($pkg)"
    timed "$name" env GOBIN="$work/gobin" go install -trimpath -ldflags "-s -w $flags" "$pkg"
    mv "$work/gobin/$(basename "${pkg%@*}")" "$bin/$name"
  fi
}
install coredns "github.com/coredns/coredns@$COREDNS_VERSION"
install kube-router "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$KUBE_ROUTER_VERSION" \
  "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION"
install registry "github.com/distribution/distribution/v3/cmd/registry@$DISTRIBUTION_VERSION"

"$bin/kubelet" --version >>"$log" 2>&1
touch "$dest/.complete"
step "done; binaries in $bin"
sed 's/^/  /' "$dest/times.log"
