#!/usr/bin/env bash
# The main job: install, build, and run the example agent against the local mock LLM, traced by
# @agentsight/otel (and by the eBPF sidecar when running as root), then print the joined trace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
pnpm build
pnpm demo
