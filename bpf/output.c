// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "output.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "agentsight.h"
#include "agentsight.skel.h"
#include "loader.h"

#define OUT_BUF_SIZE (1 << 20)

static char out_buf[OUT_BUF_SIZE];
static size_t out_len;
static bool broken;

struct forward_counts forwarded;

bool out_broken(void)
{
	return broken;
}

static void write_all(const char *data, size_t len)
{
	size_t done = 0;
	while (done < len && !broken) {
		ssize_t n = write(STDOUT_FILENO, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			logf_("stdout write failed: %s", strerror(errno));
			broken = true; /* the reader is gone: stop instead of spinning */
			return;
		}
		done += n;
	}
}

void out_flush(void)
{
	write_all(out_buf, out_len);
	out_len = 0;
}

void out_write(const void *data, size_t len)
{
	if (out_len + len > OUT_BUF_SIZE)
		out_flush();
	if (len > OUT_BUF_SIZE) {
		write_all(data, len);
		return;
	}
	memcpy(out_buf + out_len, data, len);
	out_len += len;
}

/* ------------------------------------------------------------------ the loader's own records */

static __u64 now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void loader_hdr(struct as_hdr *h, __u16 type, __u32 size, __u32 pid)
{
	memset(h, 0, sizeof(*h));
	h->magic = AS_MAGIC;
	h->size = size;
	h->type = type;
	h->ts_ns = now_ns(CLOCK_MONOTONIC);
	h->pid = pid;
	h->tid = pid;
	snprintf(h->comm, sizeof(h->comm), "agentsight");
}

void emit_clock(void)
{
	struct as_clock c;
	loader_hdr(&c.h, AS_REC_CLOCK, sizeof(c), 0);
	/* Bracket the realtime read between two monotonic reads to halve the error. */
	__u64 m1 = now_ns(CLOCK_MONOTONIC), r = now_ns(CLOCK_REALTIME), m2 = now_ns(CLOCK_MONOTONIC);
	c.realtime_minus_monotonic_ns = (__s64)(r - (m1 + (m2 - m1) / 2));
	out_write(&c, sizeof(c));
}

void emit_simple(__u16 type)
{
	struct as_hdr h;
	loader_hdr(&h, type, sizeof(h), 0);
	out_write(&h, sizeof(h));
}

void emit_ack(__u32 pid, __u32 op)
{
	struct as_ack a;
	loader_hdr(&a.h, AS_REC_ACK, sizeof(a), 0);
	a.pid = pid;
	a.op = op;
	out_write(&a, sizeof(a));
}

void emit_attach(const char *path, __u32 pid)
{
	char buf[sizeof(struct as_attach) + PATH_MAX];
	struct as_attach *a = (struct as_attach *)buf;
	size_t len = strnlen(path, PATH_MAX - 1) + 1;
	loader_hdr(&a->h, AS_REC_ATTACH, sizeof(*a) + len, pid);
	a->path_len = len;
	a->_pad = 0;
	memcpy(a->path, path, len - 1);
	a->path[len - 1] = 0;
	out_write(buf, sizeof(*a) + len);
}

void emit_stats(void)
{
	struct as_stats s;
	int ncpu = libbpf_num_possible_cpus();
	__u64 vals[ncpu > 0 ? ncpu : 1];
	__u64 totals[AS_DROP_MAX] = {};

	for (__u32 k = 0; k < AS_DROP_MAX && ncpu > 0; k++) {
		if (bpf_map__lookup_elem(skel->maps.drops, &k, sizeof(k), vals, sizeof(__u64) * ncpu, 0))
			continue;
		for (int c = 0; c < ncpu; c++)
			totals[k] += vals[c];
	}
	loader_hdr(&s.h, AS_REC_STATS, sizeof(s), 0);
	s.records = forwarded.records;
	s.bytes = forwarded.bytes;
	s.kernel_dropped_records = totals[AS_DROP_RECORDS];
	s.kernel_dropped_bytes = totals[AS_DROP_BYTES];
	s.loader_dropped_records = forwarded.malformed;
	out_write(&s, sizeof(s));
}
