# Stratus — the commands operators and developers know. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
NPX := npx --no-install

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: setup
setup: node_modules/.package-lock.json ## Install npm packages and obtain the pinned Kubernetes binaries (cold: builds them)
	bash hack/k8s-binaries.sh >/dev/null

.PHONY: binaries
binaries: ## Print the directory of the pinned etcd/kube-apiserver/kube-controller-manager/kubectl/helm
	@bash hack/k8s-binaries.sh

.PHONY: generate
generate: node_modules/.package-lock.json ## Regenerate derived files (CRDs, types) from the schemas
	$(NPX) tsx hack/generate.ts

.PHONY: verify
verify: node_modules/.package-lock.json ## Fail if generated files drift from their sources, or types do not check
	$(NPX) tsx hack/generate.ts --check
	$(NPX) tsc -p tsconfig.json --noEmit

.PHONY: lint
lint: node_modules/.package-lock.json ## ESLint (typescript-eslint) and the Prettier format check
	$(NPX) eslint .
	$(NPX) prettier --check .

.PHONY: format
format: node_modules/.package-lock.json ## Rewrite files with Prettier
	$(NPX) prettier --write .

.PHONY: build
build: node_modules/.package-lock.json ## Compile TypeScript to dist/
	$(NPX) tsc -p tsconfig.build.json

.PHONY: test-unit
test-unit: node_modules/.package-lock.json ## Unit tests (pure code, no cluster)
	$(NPX) vitest run --project unit

.PHONY: test-integration
test-integration: setup ## Integration tests against a real local control plane
	$(NPX) vitest run --project integration

.PHONY: test-e2e
test-e2e: setup ## End-to-end scenarios through the user-facing commands (make dev, kubectl)
	$(NPX) vitest run --project e2e

.PHONY: test
test: verify lint test-unit test-integration test-e2e ## Everything CI runs: verify, lint, unit, integration, e2e

# node itself, not the tsx CLI: the CLI's signal relay SIGKILLs a child that takes more than
# a few tens of milliseconds to acknowledge Ctrl-C, which would skip the orderly teardown.
.PHONY: dev
dev: setup ## Run the local environment in the foreground; Ctrl-C tears it down
	node --import tsx hack/dev.ts

.PHONY: bench
bench: setup ## Benchmarks; print their figures
	@for b in hack/bench/*.ts; do echo "== $$b"; node --expose-gc --import tsx $$b; done

.PHONY: clean
clean: ## Remove build output and the local environment's files (not the binary cache)
	rm -rf dist .stratus
