/* SPDX-License-Identifier: MIT */
/* State shared by the loader's modules: its options, the BPF skeleton, logging. */
#ifndef AGENTSIGHT_LOADER_H
#define AGENTSIGHT_LOADER_H

#include <stdbool.h>
#include <linux/types.h>

#define MAX_SEED_PIDS 256

struct options {
	__u32 pids[MAX_SEED_PIDS];
	int npids;
	const char *comm;
	bool all;
	bool tls;
	bool verbose;
	__u64 ringbuf_bytes;
	__u32 tls_cap_bytes;
	int stats_interval_ms;
};

extern struct options opts;
extern struct agentsight_bpf *skel;

/* One line on stderr, prefixed with the program name. */
void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
