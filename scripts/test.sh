#!/usr/bin/env bash
# All tests: install, lint, build (TypeScript and BPF), then every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
pnpm lint
pnpm typecheck
pnpm test
