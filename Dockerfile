# syntax=docker/dockerfile:1.7
# The platform's three images, one file so the stages they share exist once. Build context: the
# repository root (the npm workspace); pick the image with --target (scripts/images.sh does this):
#   docker build --target api-server     -t distributed-dungeon/api-server:0.1.0 .
#   docker build --target operator       -t distributed-dungeon/operator:0.1.0 .
#   docker build --target character-base -t distributed-dungeon/character-base:latest .
# Stages: manifests (every workspace's package.json) -> deps (npm ci of the whole workspace, the
# contracts) -> <image>-build (tsc -b the workspace's tsconfig.build.json: src/ only, no tests; the
# operator's is then bundled by esbuild) and <image>-prod-deps (its production dependencies only;
# the operator's bundle needs none) -> the image: distroless Node 24 non-root
# for the api-server and the operator, Node 24 slim as user 1000 for the character base (players
# build FROM it and add one file, see character-base-image/examples/*/Dockerfile).
ARG NODE_IMAGE=node:24-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# Every workspace's package.json, so npm reads the same workspace tree the lock describes.
COPY package.json package-lock.json ./
COPY contracts/package.json contracts/
COPY testkit/package.json testkit/
COPY api-server/package.json api-server/
COPY operator/package.json operator/
COPY character-base-image/package.json character-base-image/
COPY e2e/package.json e2e/
COPY web/package.json web/

FROM manifests AS deps
# Exactly what the lock pins. No install scripts: tsc needs none. The image's node runs tsc
# directly (the root's pinned `node` package is not set up without scripts). Each <image>-build
# below deletes from dist/ what runs nothing: source maps, build info, the api-server's and the
# operator's declarations, and the contracts' unit tests (contracts/tsconfig.json compiles src/
# whole; the other workspaces' tsconfig.build.json leave their tests out).
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts
COPY tsconfig.base.json tsconfig.json ./
COPY contracts/ contracts/

# ---- api-server ----
FROM deps AS api-server-build
COPY api-server/ api-server/
COPY web/ web/
# The web client, served by the api-server at / (api-server/src/humans/web-client.ts).
RUN cd web && NODE_ENV=production node "$(dirname "$(node -p "require.resolve('vite/package.json', { paths: ['.'] })")")/bin/vite.js" build --logLevel warn
RUN node node_modules/typescript/bin/tsc -b api-server/tsconfig.build.json \
 && find contracts/dist api-server/dist \( -name '*.test.*' -o -name '*.map' -o -name '*.d.ts' -o -name '*.tsbuildinfo' \) -delete

FROM manifests AS api-server-prod-deps
# Runtime dependencies of the api-server and the workspaces it imports, nothing else.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace=api-server --ignore-scripts \
 && rm -f node_modules/@distributed-dungeon/testkit node_modules/@distributed-dungeon/operator \
    node_modules/@distributed-dungeon/character-sdk node_modules/@distributed-dungeon/e2e

FROM ${RUNTIME_IMAGE} AS api-server
WORKDIR /app
ENV NODE_ENV=production
COPY --from=api-server-prod-deps /app/package.json ./
COPY --from=api-server-prod-deps /app/node_modules node_modules
COPY --from=api-server-build /app/contracts/package.json contracts/
COPY --from=api-server-build /app/contracts/dist contracts/dist
COPY --from=api-server-build /app/api-server/package.json api-server/
COPY --from=api-server-build /app/api-server/dist api-server/dist
COPY --from=api-server-build /app/web/dist web/dist
# Read at run time next to dist/: SQL migrations and the bundled worlds.
COPY api-server/migrations api-server/migrations
COPY api-server/worlds api-server/worlds
# distroless `nonroot` (65532); the chart runs it with a read-only root filesystem.
USER 65532:65532
EXPOSE 8080
# The distroless entrypoint is node.
CMD ["api-server/dist/main.js"]

# ---- operator ----
FROM deps AS operator-build
COPY operator/ operator/
# tsc -b type-checks the operator as the other images do; what runs is esbuild's bundle
# (operator/build/bundle.ts): src/main.ts and every dependency it imports in one ES module, with
# the lazily imported @kubernetes/client-node in a chunk of its own, no source maps. One file
# instead of the hundreds of modules node_modules holds: ~6 MiB less RSS before the first
# Character (75 against 81 MiB, operator/README.md), and the image needs no node_modules.
RUN node node_modules/typescript/bin/tsc -b operator/tsconfig.build.json \
 && node operator/build/bundle.ts /app/operator/bundle

FROM ${RUNTIME_IMAGE} AS operator
WORKDIR /app
ENV NODE_ENV=production
COPY --from=operator-build /app/operator/bundle operator/
# distroless `nonroot` (65532); the chart runs it with a read-only root filesystem.
USER 65532:65532
EXPOSE 8081
# The distroless entrypoint is node.
CMD ["operator/main.mjs"]

# ---- character-base ----
FROM deps AS character-base-build
COPY character-base-image/ character-base-image/
RUN node node_modules/typescript/bin/tsc -b character-base-image/tsconfig.build.json \
 && find contracts/dist character-base-image/dist \( -name '*.test.*' -o -name '*.map' -o -name '*.tsbuildinfo' \) -delete

FROM manifests AS character-base-prod-deps
# Runtime dependencies of the SDK (and the contracts it imports), nothing else.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace=@distributed-dungeon/character-sdk --ignore-scripts \
 && rm -f node_modules/@distributed-dungeon/*

# The runtime's own node_modules: those dependencies plus the SDK and the contracts as packages
# (the workspace links replaced by their package.json and dist/).
FROM character-base-build AS character-base-assemble
COPY --from=character-base-prod-deps /app/node_modules /out/app/node_modules
RUN mkdir -p /out/app/character /out/app/node_modules/@distributed-dungeon \
 && echo '{ "name": "character-runtime", "private": true }' >/out/app/package.json \
 && for p in contracts character-base-image; do \
      name=$(node -p "require('/app/$p/package.json').name.split('/')[1]"); \
      mkdir -p /out/app/node_modules/@distributed-dungeon/$name && cp -r /app/$p/package.json /app/$p/dist /out/app/node_modules/@distributed-dungeon/$name/; \
    done

FROM ${NODE_IMAGE} AS character-base
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data \
    CONFIG_DIR=/config \
    CHARACTER_DIR=/app/character
WORKDIR /app
COPY --from=character-base-assemble --chown=0:0 /out/app /app
# The player's file goes to /app/character (found as character.{js,mjs,cjs,ts}); state to /data.
RUN mkdir -p /data /config && chown 1000:1000 /data
VOLUME ["/data"]
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/node_modules/@distributed-dungeon/character-sdk/dist/runtime/main.js"]
