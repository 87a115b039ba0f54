/* SPDX-License-Identifier: MIT */
/* The record stream on stdout: buffered writes and the records the loader itself emits. */
#ifndef AGENTSIGHT_OUTPUT_H
#define AGENTSIGHT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* What the ring-buffer handler forwarded or refused, reported in STATS records and on exit. */
struct forward_counts {
	__u64 records, bytes, malformed;
};
extern struct forward_counts forwarded;

void out_write(const void *data, size_t len);
void out_flush(void);
/* True once a write failed (the reader is gone): the loader should stop. */
bool out_broken(void);

void emit_clock(void);
void emit_simple(__u16 type);
void emit_ack(__u32 pid, __u32 op);
void emit_attach(const char *path, __u32 pid);
void emit_stats(void);

#endif
