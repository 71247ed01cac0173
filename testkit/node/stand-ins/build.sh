#!/usr/bin/env bash
# Builds the TEST FIXTURE stand-ins for the base images our Dockerfiles and chart name but this
# machine cannot pull: node:24-slim, gcr.io/distroless/nodejs24-debian12:nonroot, postgres and
# redis. They land in the local podman storage under those exact names, so the Dockerfiles build
# unchanged (with --pull=never). On a real cluster the official images are used instead.
# The Debian root file system (debootstrap) is cached; a warm run only re-tags what exists.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
podman="${PODMAN:-podman}"
suite=bookworm
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
node_bin="$root/node_modules/node/bin/node"
[ -x "$node_bin" ] || { echo "stand-ins: $node_bin is missing (run npm ci first)" >&2; exit 1; }
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
[ -f "$npm_dir/package.json" ] || { echo "stand-ins: npm's folder not found next to $(command -v npm)" >&2; exit 1; }
node_version="$("$node_bin" --version)"
npm_version="$(sed -n 's/^ *"version": *"\(.*\)".*/\1/p' "$npm_dir/package.json" | head -1)"

# Every stand-in is rebuilt when its recipe, the Node binary or npm changes.
recipes="$(cat "$here"/*/Containerfile "$here"/postgres/entrypoint.sh | sha256sum | cut -c1-12)"
cache_root="${DUNGEON_CACHE:-$HOME/.cache/distributed-dungeon}"
cache="$cache_root/stand-ins/${suite}-node-${node_version}-npm-${npm_version}-${recipes}"
started=$(date +%s)
step() { printf '[stand-ins %4ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }

declare -A names=(
  [node-slim]=docker.io/library/node:24-slim
  [distroless-node]=gcr.io/distroless/nodejs24-debian12:nonroot
  [postgres]=docker.io/library/postgres:17.6
  [redis]=docker.io/library/redis:7.4
)
have() { "$podman" image exists "$1" && [ "$("$podman" image inspect --format '{{index .Labels "dungeon.stand-in"}}' "$1")" = "$recipes" ]; }
missing=0
for k in "${!names[@]}"; do have "${names[$k]}" || missing=1; done
if [ "$missing" = 0 ]; then
  step "cached (${names[*]})"
  exit 0
fi

rootfs_tar="$cache_root/stand-ins/debian-$suite-minbase.tar"
if [ ! -f "$rootfs_tar" ]; then
  command -v debootstrap >/dev/null || { echo "stand-ins: debootstrap is required (apt-get install debootstrap)" >&2; exit 1; }
  tmp="$cache_root/stand-ins/rootfs.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp"
  step "debootstrap $suite (minbase) from $mirror; a minute or two the first time"
  debootstrap --variant=minbase "$suite" "$tmp" "$mirror" >"$cache_root/stand-ins/debootstrap.log" 2>&1 \
    || { tail -20 "$cache_root/stand-ins/debootstrap.log" >&2; exit 1; }
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
  tar -C "$tmp" --numeric-owner -cf "$rootfs_tar.tmp" .
  mv "$rootfs_tar.tmp" "$rootfs_tar"
  rm -rf "$tmp"
fi

ctx="$cache/context"
mkdir -p "$ctx"
build() { # stand-in-name [extra podman build args]
  local k="$1"; shift
  local dir="$ctx/$k"
  rm -rf "$dir"; mkdir -p "$dir"
  cp -r "$here/$k/." "$dir/"
  step "building ${names[$k]} (test fixture)"
  "$podman" build --quiet --network host --pull=never --runtime runc --ulimit nofile=20000:20000 \
    --label "dungeon.stand-in=$recipes" --tag "${names[$k]}" "$@" "$dir" >/dev/null
}
for k in node-slim distroless-node; do
  if ! have "${names[$k]}"; then
    mkdir -p "$ctx/files"
    ln -f "$rootfs_tar" "$ctx/files/rootfs.tar" 2>/dev/null || cp "$rootfs_tar" "$ctx/files/rootfs.tar"
    build_dir="$ctx/$k"
    rm -rf "$build_dir"; mkdir -p "$build_dir"
    cp "$here/$k/Containerfile" "$build_dir/"
    ln -f "$ctx/files/rootfs.tar" "$build_dir/rootfs.tar"
    cp "$node_bin" "$build_dir/node"
    [ "$k" = node-slim ] && cp -r "$npm_dir" "$build_dir/npm"
    step "building ${names[$k]} (test fixture)"
    "$podman" build --quiet --network host --pull=never --runtime runc --ulimit nofile=20000:20000 \
      --label "dungeon.stand-in=$recipes" --tag "${names[$k]}" "$build_dir" >/dev/null
    rm -rf "$build_dir"
  fi
done
for k in postgres redis; do
  have "${names[$k]}" || build "$k" --build-arg "BASE=${names[node-slim]}"
done
rm -rf "$ctx"
step "done: ${names[*]}"
