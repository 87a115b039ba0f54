# One image for the workspace: the sidecar (needs the BPF toolchain to build its programs) and the
# example agent. Build: docker build -t agentsight-ts .   Run targets: see docker-compose.yml.
FROM node:20-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev make pkg-config curl openssl python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && npm i -g pnpm@10

WORKDIR /app
COPY . .
# vmlinux.h is generated from the build host's BTF; the BPF objects are CO-RE, so they load on any
# kernel with BTF. Building needs /sys/kernel/btf/vmlinux, which `docker build` exposes read-only.
RUN pnpm install --frozen-lockfile && pnpm build

ENTRYPOINT ["pnpm"]
CMD ["demo"]
