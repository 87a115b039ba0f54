#!/usr/bin/env bash
# The library packages (@agentsight/otel, sidecar, mock-llm, testing) must run on Node 20.6+, 22 and
# 24: run their suites again under the newest Node 22 and 24, fetched from the npm registry as the
# `node-linux-<arch>` packages (no nodejs.org download needed). Needs a prior `pnpm build`.
set -euo pipefail
cd "$(dirname "$0")/.."

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "test-node-versions: no node-linux package for $(uname -m); NOT testing Node 22/24" >&2; exit 1 ;;
esac
cache=.cache/node
vitest="$(pwd)/node_modules/vitest/vitest.mjs"
mkdir -p "$cache"

for major in 22 24; do
  dir="$cache/$major"
  if [ ! -x "$dir/package/bin/node" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    tarball=$(cd "$dir" && npm pack --silent "node-linux-$arch@$major")
    tar xzf "$dir/$tarball" -C "$dir" && rm "$dir/$tarball"
  fi
  bin="$(pwd)/$dir/package/bin"
  echo "== library suites (sidecar with its BPF tests) on $("$bin/node" --version)"
  for pkg in packages/otel sidecar packages/mock-llm packages/testing; do
    (cd "$pkg" && PATH="$bin:$PATH" node "$vitest" run --reporter=dot)
  done
done
