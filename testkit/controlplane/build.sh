#!/usr/bin/env bash
# Builds the local Kubernetes control plane from upstream sources through the Go module proxy:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok. The result is cached
# outside the repository, keyed by every pinned version, so a warm run does nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

cache_root="${DUNGEON_CACHE:-$HOME/.cache/distributed-dungeon}"
key="k8s-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
# helm lives beside the control plane binaries but has its own cache folder so that a helm bump
# does not rebuild Kubernetes.
helm_dest="$cache_root/helm/$HELM_VERSION"
dest="$cache_root/controlplane/$key"
bin="$dest/bin"
want=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)

complete() { for b in "${want[@]}"; do [ -x "$bin/$b" ] || return 1; done; [ -f "$dest/.complete" ] && [ -x "$helm_dest/helm" ]; }
if complete; then
  echo "control plane: cached at $bin"
  exit 0
fi

command -v go >/dev/null || { echo "control plane: Go is required to build it (go not found on PATH)" >&2; exit 1; }
mkdir -p "$bin" "$dest/work"
work="$dest/work"
log="$dest/build.log"
: >"$log"
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
started=$(date +%s)
step() { printf '[control plane %3ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
timed() { # run a build step, keeping its output in the log and reporting peak memory
  local name="$1"; shift
  if ! /usr/bin/time -f "$name peak_rss_kb=%M elapsed_s=%e" -a -o "$dest/memory.log" "$@" >>"$log" 2>&1; then
    echo "control plane: step '$name' failed; last lines of $log:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
}

# --- Kubernetes: a wrapper module that pins k8s.io/kubernetes and points every staging module
# at its published v0.Y.Z twin (the list comes from the release's own go.mod).
k8s="$work/kubernetes"
mkdir -p "$k8s"
if [ ! -x "$bin/kube-apiserver" ] || [ ! -x "$bin/kube-controller-manager" ] || [ ! -x "$bin/kube-scheduler" ] || [ ! -x "$bin/kubectl" ]; then
  step "fetching k8s.io/kubernetes@$KUBERNETES_VERSION module metadata"
  gomod=$(cd "$k8s" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$gomod" ] || { echo "control plane: could not download k8s.io/kubernetes@$KUBERNETES_VERSION go.mod" >&2; exit 1; }
  staging_version="v0.${KUBERNETES_VERSION#v1.}"
  {
    echo "module dungeon.local/controlplane"
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
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	_ "k8s.io/kubernetes/cmd/kube-scheduler/app"
	_ "k8s.io/kubectl/pkg/cmd"
)
GO
  step "resolving Kubernetes dependencies (first time downloads a few hundred MB)"
  (cd "$k8s" && timed k8s-mod-tidy go mod tidy -e)
  major="${KUBERNETES_VERSION#v}"; major="${major%%.*}"
  minor="${KUBERNETES_VERSION#v*.}"; minor="${minor%%.*}"
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  n=1
  for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    if [ ! -x "$bin/$cmd" ]; then
      step "compiling $cmd ($n/4 Kubernetes binaries; the first is the longest)"
      (cd "$k8s" && timed "$cmd" go build -trimpath -ldflags "$ldflags" -o "$bin/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd")
      mv "$bin/$cmd.tmp" "$bin/$cmd"
    fi
    n=$((n + 1))
  done
fi

# --- etcd: a two-line main around etcdmain.Main, in its own module so its dependency graph
# never meets Kubernetes'.
if [ ! -x "$bin/etcd" ]; then
  etcd="$work/etcd"
  mkdir -p "$etcd"
  cat >"$etcd/go.mod" <<GOMOD
module dungeon.local/etcd

go 1.25.0

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
GOMOD
  cat >"$etcd/main.go" <<'GO'
// Command etcd runs the upstream etcd server.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  step "resolving etcd $ETCD_VERSION dependencies"
  (cd "$etcd" && timed etcd-mod-tidy go mod tidy -e)
  step "compiling etcd $ETCD_VERSION"
  (cd "$etcd" && timed etcd go build -trimpath -ldflags "-s -w" -o "$bin/etcd.tmp" .)
  mv "$bin/etcd.tmp" "$bin/etcd"
fi

if [ ! -x "$bin/kwok" ]; then
  step "compiling kwok $KWOK_VERSION"
  timed kwok env GOBIN="$work/gobin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  mv "$work/gobin/kwok" "$bin/kwok"
fi

if [ ! -x "$helm_dest/helm" ]; then
  step "compiling helm $HELM_VERSION"
  mkdir -p "$helm_dest"
  timed helm env GOBIN="$work/gobin" go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
  mv "$work/gobin/helm" "$helm_dest/helm"
fi
ln -sf "$helm_dest/helm" "$bin/helm"

"$bin/kube-apiserver" --version >>"$log" 2>&1
touch "$dest/.complete"
step "done; binaries in $bin"
sed 's/^/  /' "$dest/memory.log"
