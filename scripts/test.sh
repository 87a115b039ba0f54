#!/usr/bin/env bash
# All tests: install, lint, build (TypeScript and BPF), then every test suite, then the library
# suites again on Node 22 and 24.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
pnpm lint
pnpm typecheck
pnpm test
bash scripts/test-node-versions.sh
