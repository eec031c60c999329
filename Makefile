# container-instances-operator. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
# Everything runs on the Node.js pinned in .node-version (hack/nodejs.sh installs it once, from the
# npm registry, into a cache outside the repository), whatever Node the machine has.
NODE_BIN := $(shell hack/nodejs.sh bindir)
export PATH := $(CURDIR)/node_modules/.bin:$(NODE_BIN):$(PATH)

KUBECONFIG_LOCAL := $(CURDIR)/.local/kubeconfig

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-16s %s\n", $$1, $$2}'

$(NODE_BIN)/node: .node-version hack/nodejs.sh
	hack/nodejs.sh install >/dev/null

.PHONY: nodejs
nodejs: $(NODE_BIN)/node ## Install the pinned Node.js (.node-version) when missing

# Installed again when the pinned Node changes, so npm and any install script ran on it.
node_modules/.installed: package.json package-lock.json .node-version | $(NODE_BIN)/node
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: deps
deps: node_modules/.installed ## Install the locked npm dependencies

.PHONY: tools
tools: ## Build the control plane's binaries from the pinned Go modules (cached outside the repo)
	hack/tools.sh build

.PHONY: cluster-up
cluster-up: ## Start the local control plane (idempotent); kubeconfig at .local/kubeconfig
	hack/cluster.sh up

.PHONY: cluster-down
cluster-down: ## Stop the local control plane and remove its state
	hack/cluster.sh down

.PHONY: build
build: deps ## Compile TypeScript to dist/
	tsc -p tsconfig.build.json

.PHONY: lint
lint: deps ## Lint and check formatting (Biome)
	biome check .

.PHONY: format
format: deps ## Fix formatting and safe lint findings
	biome check --write .

.PHONY: typecheck
typecheck: deps ## Type-check everything, tests included
	tsc -p tsconfig.json --noEmit

.PHONY: test-unit
test-unit: deps ## Unit tests (pure code, no cluster)
	vitest run --project unit

.PHONY: test-integration
test-integration: deps tools ## Integration tests on TEST_KUBECONFIG, or on the local plane (started if needed)
	vitest run --project integration

.PHONY: test
test: lint typecheck test-unit test-integration ## The whole suite: lint, types, unit and integration

.PHONY: test-matrix
test-matrix: deps ## The integration suite on each Kubernetes version in test/tools/kubernetes/ (KUBE_VERSIONS="1.35 1.37": some)
	hack/test-matrix.sh

.PHONY: run
run: deps build cluster-up ## Start the local plane, install the CRD and run the operator against it
	hack/run.sh

IMAGE ?= container-instances-operator:dev

.PHONY: manifests
manifests: ## Regenerate manifests/install.yaml and the chart's CRD copy (from crds/ and the chart)
	hack/manifests.sh

.PHONY: image
image: ## Build the operator image with Docker (IMAGE=container-instances-operator:dev)
	@command -v docker >/dev/null 2>&1 || { echo "make image: docker is not installed; build the image on a host with Docker (make e2e-kind, CI)" >&2; exit 1; }
	@docker info >/dev/null 2>&1 || { echo "make image: no Docker engine answers here (docker info failed); build on a host with Docker (make e2e-kind, CI)" >&2; exit 1; }
	docker build --build-arg VERSION=$$(node -p 'require("./package.json").version') -t $(IMAGE) .

.PHONY: e2e-kind
e2e-kind: deps ## On a host with Docker: kind cluster, image, Helm install (no RuntimeClass), integration suite on it
	hack/e2e-kind.sh

.PHONY: bench
bench: deps tools ## Benchmarks on a private plane (.local/kwok-bench): table + bench/results/latest.json (BENCH_QUICK=1: ~5 min)
	node --import tsx bench/bench.ts

.PHONY: bench-start
bench-start: deps tools cluster-up ## Real node: group create to first process, gVisor and runc, against bare Pods (BENCH_START_TIME_RUNS=20)
	node --import tsx bench/start-time.ts

.PHONY: chaos
chaos: deps tools ## Fault injection on a private plane (.local/kwok-chaos): kills, API server restart, 410, failover, bad input (CHAOS_QUICK=1: ~5 min)
	node --import tsx bench/chaos.ts
