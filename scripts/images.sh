#!/usr/bin/env bash
# Builds the platform's container images (used by `make images` and `make e2e-kind`), each a
# target of the one root Dockerfile (they share its manifests and deps stages):
#   distributed-dungeon/api-server       --target api-server
#   distributed-dungeon/operator         --target operator
#   distributed-dungeon/character-base   --target character-base (players build FROM it)
# Context: the repository root. Tag: $TAG, else the chart's appVersion (what the chart deploys).
#
#   scripts/images.sh [api-server|operator|character-base ...]
#   REGISTRY=registry.example/dungeon scripts/images.sh   # repository prefix (default distributed-dungeon)
#   PUSH=1 scripts/images.sh                              # push after building
#   KIND_CLUSTER=dungeon scripts/images.sh                # load into that kind cluster after building
#   DOCKER=podman scripts/images.sh                       # another docker-compatible client
#   scripts/images.sh examples                            # also the three example characters
# Without a working Docker, podman (daemonless, Debian's package) builds the same Dockerfile
# unchanged, FROM local test-fixture stand-ins of the base images (testkit/node/stand-ins/) when
# those cannot be pulled; STAND_INS=0 skips making them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${DOCKER:-}" ] && ! docker info >/dev/null 2>&1 && command -v podman >/dev/null 2>&1; then
  echo "images: Docker is not available; building with podman"
  DOCKER=podman
fi
docker="${DOCKER:-docker}"
build_flags=()
if [ "$(basename "$docker")" = podman ]; then
  # The base images resolve locally; builds share the host's network (no bridge to set up);
  # npm in a build trusts the machine's CA bundle, mounted for RUN steps only, never copied in.
  build_flags=(--pull=never --network host --runtime runc --ulimit nofile=20000:20000)
  [ -f /etc/ssl/certs/ca-certificates.crt ] && build_flags+=(--volume /etc/ssl/certs/ca-certificates.crt:/run/dungeon-build-ca/ca-certificates.crt:ro)
  if [ "${STAND_INS:-1}" = 1 ]; then bash "$root/testkit/node/stand-ins/build.sh"; fi
fi

if ! command -v "$docker" >/dev/null 2>&1; then
  echo "Docker engine not available: '$docker' is not installed. Install Docker (or set DOCKER) to build images." >&2
  exit 1
fi
if ! info_err="$("$docker" info 2>&1 >/dev/null)"; then
  echo "Docker engine not available: '$docker info' failed: $(printf '%s' "$info_err" | grep -v '^\s*$' | tail -n 1)" >&2
  echo "Start the Docker daemon (or point DOCKER_HOST at one) and run this again." >&2
  exit 1
fi

app_version="$(sed -n 's/^appVersion:[[:space:]]*"\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$root/charts/dungeon/Chart.yaml")"
tag="${TAG:-$app_version}"
registry="${REGISTRY:-distributed-dungeon}"
[ -n "$tag" ] || { echo "no TAG and no appVersion in charts/dungeon/Chart.yaml" >&2; exit 1; }

known=(api-server operator character-base)
images=()
examples=0
for a in "$@"; do if [ "$a" = examples ]; then examples=1; else images+=("$a"); fi; done
[ ${#images[@]} -gt 0 ] || [ $# -gt 0 ] || images=("${known[@]}")
push() { "$docker" push "$1"; }

for name in "${images[@]}"; do
  [[ " ${known[*]} " == *" $name "* ]] || { echo "unknown image '$name' (known: ${known[*]})" >&2; exit 2; }
  ref="$registry/$name:$tag"
  echo "== building $ref (Dockerfile --target $name)"
  start=$(date +%s)
  # Also tagged :latest, the tag players' `FROM distributed-dungeon/character-base` resolves to.
  DOCKER_BUILDKIT=1 "$docker" build ${build_flags[@]+"${build_flags[@]}"} --file "$root/Dockerfile" --target "$name" --tag "$ref" --tag "$registry/$name:latest" \
    --label "org.opencontainers.image.version=$tag" \
    --label "org.opencontainers.image.source=https://github.com/distributed-dungeon/distributed-dungeon" \
    "$root"
  echo "   built $ref in $(( $(date +%s) - start ))s ($("$docker" image inspect --format '{{.Size}}' "$ref" | awk '{printf "%.0f MB", $1/1000000}'))"
  if [ "${PUSH:-0}" = 1 ]; then push "$ref"; push "$registry/$name:latest"; fi
  if [ -n "${KIND_CLUSTER:-}" ]; then
    command -v kind >/dev/null 2>&1 || { echo "KIND_CLUSTER is set but kind is not installed" >&2; exit 1; }
    kind load docker-image "$ref" --name "$KIND_CLUSTER"
  fi
done

# The examples build FROM distributed-dungeon/character-base:latest, whatever REGISTRY is.
if [ "$examples" = 1 ]; then
  "$docker" tag "$registry/character-base:$tag" distributed-dungeon/character-base:latest
  for example in fighter wizard rogue; do
    ref="$registry/example-$example:1.0.0"
    echo "== building $ref from character-base-image/examples/$example"
    start=$(date +%s)
    "$docker" build ${build_flags[@]+"${build_flags[@]}"} --tag "$ref" "$root/character-base-image/examples/$example"
    echo "   built $ref in $(( $(date +%s) - start ))s"
    if [ "${PUSH:-0}" = 1 ]; then push "$ref"; fi
    if [ -n "${KIND_CLUSTER:-}" ]; then kind load docker-image "$ref" --name "$KIND_CLUSTER"; fi
  done
fi
