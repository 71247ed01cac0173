#!/usr/bin/env bash
# The chart ships copies of files that have one source elsewhere in the repo:
#   crds/*.yaml                    -> charts/dungeon/crds/        (the Character CRD)
#   operator/rbac/clusterrole.yaml -> charts/dungeon/files/operator-clusterrole.yaml
#   operator/rbac/player-namespace-clusterrole.yaml -> charts/dungeon/files/operator-player-namespace-clusterrole.yaml
# `scripts/sync-chart-crds.sh` copies them; `--check` copies nothing and exits 1 naming every copy
# that differs from its source (CI and the chart's unit test use the same comparison).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
chart="$root/charts/dungeon"
mode="${1:-sync}"
case "$mode" in sync|--check) ;; *) echo "usage: $0 [--check]" >&2; exit 2 ;; esac

pairs=()
for crd in "$root"/crds/*.yaml; do
  [ -e "$crd" ] || { echo "no CRDs in crds/ (the operator's gen:crd writes them)" >&2; exit 1; }
  pairs+=("$crd:$chart/crds/$(basename "$crd")")
done
pairs+=("$root/operator/rbac/clusterrole.yaml:$chart/files/operator-clusterrole.yaml")
pairs+=("$root/operator/rbac/player-namespace-clusterrole.yaml:$chart/files/operator-player-namespace-clusterrole.yaml")

status=0
for pair in "${pairs[@]}"; do
  src="${pair%%:*}" dst="${pair#*:}"
  rel_src="${src#"$root"/}" rel_dst="${dst#"$root"/}"
  if [ ! -f "$src" ]; then
    echo "missing source: $rel_src" >&2; status=1; continue
  fi
  if cmp -s "$src" "$dst"; then continue; fi
  if [ "$mode" = --check ]; then
    echo "out of date: $rel_dst differs from $rel_src (run scripts/sync-chart-crds.sh)" >&2; status=1
  else
    mkdir -p "$(dirname "$dst")"; cp "$src" "$dst"; echo "copied $rel_src -> $rel_dst"
  fi
done
# A chart CRD whose source is gone is stale too.
for copy in "$chart"/crds/*.yaml; do
  [ -e "$copy" ] || continue
  if [ ! -f "$root/crds/$(basename "$copy")" ]; then
    if [ "$mode" = --check ]; then echo "stale: ${copy#"$root"/} has no source in crds/" >&2; status=1
    else rm "$copy"; echo "removed stale ${copy#"$root"/}"; fi
  fi
done
exit "$status"
