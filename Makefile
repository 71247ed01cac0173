# Distributed Dungeon — the two commands a newcomer runs are `make demo` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
NODE := ./node_modules/.bin/node
# npm itself may run on the machine's older Node; everything it starts uses the pinned Node 24
# from node_modules/.bin, which npm puts first on PATH.
NPM := npm_config_nodedir= npm
VITEST := $(NPM) exec -- vitest run

.PHONY: help deps npm-deps system-deps controlplane lint typecheck unit integration e2e test demo play \
        cluster-up cluster-down crds chart-schema sync-chart helm-lint images e2e-kind bench bench-api bench-containers bench-operator clean fuzz fuzz-pinned browser web-screenshots web-budget \
        node-deps e2e-node compose-deps compose-up compose-down

help:
	@echo "make demo          bring up the platform locally and play"
	@echo "make play          one adventure: api-server + the three example characters as processes"
	@echo "                   (CHARACTER=path/to/my-character.ts plays your own module with them)"
	@echo "make test          install what is missing, then lint, type-check and run every suite"
	@echo "make compose-up    the platform and the three example characters as containers (docker-compose.yml), one session played"
	@echo "make compose-down  remove them"
	@echo "make cluster-up    start the local Kubernetes control plane and a real node (prints KUBECONFIG and DUNGEON_REGISTRY)"
	@echo "make cluster-down  stop it"
	@echo "make bench         print throughput figures (bench-api, bench-containers; bench-operator is longer)"
	@echo "make e2e-kind      the end-to-end flow on kind with real images (needs Docker)"

deps: system-deps npm-deps controlplane

system-deps:
	@bash scripts/system-deps.sh

# Reinstall only when a manifest changed since the last install.
npm-deps: node_modules/.dungeon-installed
node_modules/.dungeon-installed: package.json package-lock.json $(wildcard */package.json)
	@echo "npm: installing workspace dependencies exactly as package-lock.json pins them (npm ci)"
	@$(NPM) ci --no-audit --no-fund --loglevel=error
	@$(NODE) --version | sed 's/^/node for scripts and tests: /'
	@touch $@

controlplane:
	@bash testkit/controlplane/build.sh

lint: npm-deps
	@echo "== lint"
	@$(NPM) exec -- eslint .

typecheck: npm-deps
	@echo "== type-check"
	@$(NPM) exec -- tsc -b
	@$(NPM) exec -- tsc -p charts/dungeon

unit: npm-deps
	@echo "== unit tests"
	@$(VITEST) --project unit

integration: deps
	@echo "== integration tests (real PostgreSQL, Redis and Kubernetes control plane)"
	@$(VITEST) --project integration

# e2e/local (e2e/src/local): the chart installed on the local control plane, the operator, the
# api-server and the three example characters as processes, a session played to its end.
e2e: deps
	@echo "== e2e/local"
	@$(VITEST) --project e2e

# Set-up and the suites must leave the tree as they found it (scripts/tree-state.sh): a fresh
# clone stays clean, and a rewritten lock file or fixture fails the run.
test:
	@start=$$(date +%s); tally=$$(mktemp); tree=$$(mktemp); status=0; \
	bash scripts/tree-state.sh save $$tree; \
	$(MAKE) --no-print-directory deps; \
	bash scripts/tree-state.sh check $$tree "after set-up" || status=$$?; \
	DUNGEON_TEST_TALLY=$$tally $(MAKE) -k --no-print-directory lint typecheck unit integration e2e browser fuzz-pinned e2e-node || status=$$?; \
	bash scripts/tree-state.sh check $$tree "after the suites" || status=$$?; \
	read p f s < <(awk '{p+=$$1; f+=$$2; s+=$$3} END {print p+0, f+0, s+0}' $$tally); rm -f $$tally $$tree; \
	echo "make test: $$(( $$(date +%s) - start ))s, exit $$status"; \
	echo "$$p passed, $$f failed, $$s skipped"; \
	exit $$status

# Your cluster (DUNGEON_IMAGE_REGISTRY), else kind (Docker), else the local control plane; plays one
# session with the three example characters and cleans up (scripts/demo.ts).
demo: deps node-deps
	@$(NODE) --conditions=source scripts/demo.ts

# The e2e/local flow on a kind cluster with the real images (not part of `make test`). Needs
# Docker and kind; refuses to start, saying so, without them (e2e/src/kind/run.ts).
e2e-kind: npm-deps
	@$(NODE) --conditions=source e2e/src/kind/run.ts

# CHARACTER (a path, relative to where make runs) replaces the example of its class.
play: npm-deps
	@CHARACTER="$(CHARACTER)" $(NODE) --conditions=source scripts/play.ts

# Local play with every service a container (docker-compose.yml, scripts/compose.ts): Docker
# Compose, else podman-compose over podman (Debian packages, scripts/compose-deps.sh). Up builds
# the images, plays one session to its end and prints the outcome (exit 1 if it does not end);
# the containers stay up until compose-down.
compose-deps:
	@bash scripts/compose-deps.sh

compose-up: npm-deps compose-deps
	@$(NODE) --conditions=source scripts/compose.ts up

compose-down: npm-deps
	@$(NODE) --conditions=source scripts/compose.ts down

# The real node's Debian packages and its Go programs (cached like the control plane).
node-deps:
	@bash scripts/node-deps.sh
	@bash testkit/node/build.sh

cluster-up: deps node-deps
	@$(NODE) testkit/src/cluster-cli.ts up

cluster-down:
	@$(NODE) testkit/src/cluster-cli.ts down

# The CRD is generated from the schema in code; the chart carries copies of it and of the
# operator's ClusterRole, checked by a unit test.
crds: npm-deps
	@$(NPM) -w operator run gen:crd
	@bash scripts/sync-chart-crds.sh

# values.schema.json and the README's values table, generated from charts/dungeon/values.yaml.
chart-schema: npm-deps
	@$(NODE) --conditions=source charts/dungeon/src/write-values-schema.ts

sync-chart:
	@bash scripts/sync-chart-crds.sh

helm-lint: controlplane
	@"$$($(NODE) --conditions=source -e "import('@distributed-dungeon/testkit').then(m => console.log(m.controlPlaneBinDir()))")/helm" lint --strict charts/dungeon

# Container images need a Docker engine; scripts/images.sh says so plainly when there is none.
images:
	@bash scripts/images.sh

# The web client in headless Chromium (Debian's, driven by playwright-core) against the real
# api-server, PostgreSQL and Redis (e2e/src/browser). WEB_SCREENSHOTS=1 rewrites docs/*.png.
browser: system-deps npm-deps
	@echo "== browser (the web client in headless Chromium)"
	@$(VITEST) --project browser

web-screenshots: system-deps npm-deps
	@WEB_SCREENSHOTS=1 $(VITEST) --project browser

# Initial JavaScript gzipped and events/s the session page applies, measured in the browser.
web-budget: system-deps npm-deps
	@$(NODE) --conditions=source scripts/web-budget.ts

# e2e/node (e2e/src/node): our images built and pushed to the real node's registry, the chart
# installed from there, every component and character a real pod.
e2e-node: deps node-deps
	@echo "== e2e/node (a real node: containerd, kubelet, kube-proxy, kube-router, CoreDNS)"
	@$(VITEST) --project e2e-node

# Benchmarks print figures; they are not tests and assert no timings.
# The api-server's OpenAPI document fuzzed with schemathesis (pinned, from PyPI, in a virtualenv
# cached under ~/.cache/distributed-dungeon) against the real server, PostgreSQL and Redis: fails
# on any 5xx or crash (scripts/fuzz-api.ts; FUZZ_SECONDS per pass, 60).
fuzz: system-deps npm-deps
	@$(NODE) --conditions=source scripts/fuzz-api.ts

# The same with a fixed seed, so that `make test` runs the cases a passing run ran (a machine
# only runs more or fewer of them in its 120 s per pass); `make fuzz` explores anew each time.
fuzz-pinned: system-deps npm-deps
	@FUZZ_SEED=$${FUZZ_SEED:-20261201} FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-12} FUZZ_SECONDS=$${FUZZ_SECONDS:-120} $(NODE) --conditions=source scripts/fuzz-api.ts

# One table: each benchmark appends its figures (each beside its peer from the same run) to a file.
BENCH_JSON ?= /tmp/dungeon-bench-rows.jsonl
bench: deps
	@rm -f $(BENCH_JSON)
	@BENCH_JSON=$(BENCH_JSON) $(NODE) --conditions=source api-server/bench/throughput.ts
	@BENCH_JSON=$(BENCH_JSON) $(NODE) --conditions=source api-server/bench/containers.ts --seconds 30
	@$(NODE) --conditions=source api-server/bench/table.ts $(BENCH_JSON)
	@rm -f $(BENCH_JSON)

bench-api: deps
	@$(NODE) --conditions=source api-server/bench/throughput.ts

bench-containers: deps
	@$(NODE) --conditions=source api-server/bench/containers.ts --seconds 30

# 1000 then 5000 Characters on kwok, beside a plain parallel client: the operator's heap after GC
# and RSS at each size, and the reconcile latency after a change at 5000.
bench-operator: deps
	@$(NODE) --conditions=source operator/bench/provision.ts 1000,5000

clean:
	rm -rf node_modules */node_modules */dist
