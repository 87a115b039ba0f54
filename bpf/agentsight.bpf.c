// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * AgentSight kernel side: TLS plaintext at SSL_write/SSL_read (and _ex), process
 * exec/fork/exit, file and connect syscalls. Records are sized to their data (per-CPU
 * scratch + bpf_ringbuf_output) and every failed output is counted.
 *
 * One BPF object (one skeleton for the loader). This file holds the configuration, the maps
 * and helpers every program shares; each concern's programs are in the file included below.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "agentsight.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load. */
const volatile bool trace_all = false;
const volatile bool filter_comm = false;
const volatile char target_comm[AS_COMM_LEN] = {};
const volatile __u32 tls_cap_bytes = 4 << 20;
const volatile __u32 loader_tgid = 0; /* never trace the loader itself (--all feedback loop) */
/*
 * TLS data records wake the loader only once this many bytes are pending; below that the loader
 * picks them up on its poll timeout. A wakeup per record (irq_work + self-IPI) cost more than the
 * whole copy of a small payload under a saturating load.
 */
const volatile __u64 tls_wakeup_bytes = 1 << 20; /* set by the loader from the ring size */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by the loader */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} tracked SEC(".maps");

/*
 * Files (executables, libssl) the loader has already checked for TLS symbols. A tracked process
 * that execs or opens a file not in here is stopped until the loader has attached (see
 * freeze_unknown_files), so no SSL call can run before its probes exist.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct as_file_key);
	__type(value, __u8);
} known_files SEC(".maps");

/* Cleared by the loader before its final drain so nothing is stopped that it would not resume. */
bool freeze_unknown_files = false;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AS_DROP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* One scratch record per CPU, large enough for the biggest record we build. */
#define SCRATCH_SIZE (sizeof(struct as_exec) + AS_FILENAME_CAP + AS_ARGV_CAP + AS_ENV_CAP)
struct scratch {
	char buf[SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/*
 * Syscall arguments stashed at sys_enter, consumed at sys_exit (one syscall per thread). File
 * syscalls: arg[0] path, arg[1] new path (rename), arg[2]/arg[3] their directory fds; connect:
 * address, length.
 */
struct syscall_args {
	__u64 arg[4];
	__u32 op;
	__s32 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct syscall_args);
} syscall_stash SEC(".maps");

/* Keeps a length within [0, max] in a way the verifier can see after clang's rewrites. */
#define CLAMP(v, max)                           \
	({                                      \
		__u64 __v = (v);                \
		if (__v > (max))                \
			__v = (max);            \
		asm volatile("" : "+r"(__v));   \
		__v &= 0xffffffff;              \
		if (__v > (max))                \
			__v = (max);            \
		__v;                            \
	})

static __always_inline bool is_tracked(__u32 tgid)
{
	if (trace_all)
		return tgid != loader_tgid;
	return bpf_map_lookup_elem(&tracked, &tgid) != NULL;
}

static __always_inline void count_drop(__u64 bytes)
{
	__u32 k = AS_DROP_RECORDS;
	__u64 *v = bpf_map_lookup_elem(&drops, &k);
	if (v)
		*v += 1;
	k = AS_DROP_BYTES;
	v = bpf_map_lookup_elem(&drops, &k);
	if (v)
		*v += bytes;
}

static __always_inline void fill_hdr(struct as_hdr *h, __u16 type, __u32 size)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();

	h->magic = AS_MAGIC;
	h->size = size;
	h->type = type;
	h->flags = 0;
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->ts_ns = bpf_ktime_get_ns();
	h->pid = id >> 32;
	h->tid = (__u32)id;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

static __always_inline bool emit_flags(void *rec, __u64 size, __u64 flags)
{
	if (bpf_ringbuf_output(&events, rec, size, flags)) {
		count_drop(size);
		return false;
	}
	return true;
}

/* Process, file and connect records: woken as usual (when the loader has caught up). */
static __always_inline bool emit(void *rec, __u64 size)
{
	return emit_flags(rec, size, 0);
}

/* TLS data: one wakeup when the pending bytes cross tls_wakeup_bytes (a race only delays to the poll). */
static __always_inline bool emit_batched(void *rec, __u64 size)
{
	__u64 pending = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bool wake = pending < tls_wakeup_bytes && pending + size >= tls_wakeup_bytes;
	return emit_flags(rec, size, wake ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

static __always_inline bool file_unknown(struct file *f)
{
	struct as_file_key key = {
		.dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev),
		.ino = BPF_CORE_READ(f, f_inode, i_ino),
	};
	return f && bpf_map_lookup_elem(&known_files, &key) == NULL;
}

/*
 * Sends the record; when it carries AS_F_FROZEN, stops the process only if the record reached
 * the ring (the loader resumes it after handling the record, so a lost record must not stop it).
 */
static __always_inline void emit_maybe_frozen(struct as_hdr *h, __u64 size)
{
	bool frozen = h->flags & AS_F_FROZEN;
	/* Forced: behind batched TLS data the default wakeup (consumer caught up) would not fire. */
	if (emit_flags(h, size, frozen ? BPF_RB_FORCE_WAKEUP : 0) && frozen)
		bpf_send_signal(19 /* SIGSTOP */);
}

static __always_inline struct scratch *get_scratch(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&scratch_map, &zero);
}

/* ---------------------------------------------------------------- syscall arguments */

/* AT_FDCWD, as an unsigned stash value (the uapi header is not included here). */
#define AT_FDCWD_ ((__u64)-100)

static __always_inline int stash_syscall(__u32 op, __u64 a0, __u64 a1, __u64 a2, __u64 a3, __s32 flags)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (!is_tracked(id >> 32))
		return 0;
	struct syscall_args a = {
		.arg = { a0, a1, a2, a3 },
		.op = op,
		.flags = flags,
	};
	bpf_map_update_elem(&syscall_stash, &id, &a, BPF_ANY);
	return 0;
}

static __always_inline struct syscall_args *take_syscall(__u64 id)
{
	return bpf_map_lookup_elem(&syscall_stash, &id);
}

/* The struct file behind a descriptor of the current process. */
static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

#include "process.bpf.h"
#include "files.bpf.h"
#include "connect.bpf.h"
#include "tls.bpf.h"
