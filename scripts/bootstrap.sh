#!/usr/bin/env bash
# Installs everything a fresh Debian bookworm machine needs (as root): the BPF toolchain, the
# tools the tests drive (curl, python3, openssl), pnpm 10 and the workspace's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev make pkg-config curl openssl ca-certificates python3)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing Debian packages: ${missing[*]} — run as root or install them first" >&2
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v pnpm >/dev/null 2>&1 || npm i -g pnpm@10 >/dev/null
pnpm install --frozen-lockfile
