// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * AgentSight kernel side: TLS plaintext at SSL_write/SSL_read (and _ex), process
 * exec/fork/exit, file and connect syscalls. Records are sized to their data (per-CPU
 * scratch + bpf_ringbuf_output) and every failed output is counted.
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

/* Syscall arguments stashed at sys_enter, consumed at sys_exit (one syscall per thread). */
/* Where an absolute path is assembled before it replaces a relative one in a file record. */
#define PATH_BUILD_SIZE (2 * AS_PATH_CAP)
struct path_build_buf {
	char buf[PATH_BUILD_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_build_buf);
} path_build_map SEC(".maps");

/* File syscalls: arg[0] path, arg[1] new path (rename), arg[2]/arg[3] their directory fds; connect: address, length. */
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

/*
 * SSL_read/SSL_write arguments stashed at entry (per thread), consumed in the return probe:
 * only the return value says how many bytes the call transferred, if any. A write that fails
 * (e.g. WANT_READ while the handshake is pending) is retried by the caller with the same buffer,
 * so capturing at entry would report the same bytes once per attempt.
 */
struct ssl_call_args {
	__u64 ssl;
	__u64 buf;
	__u64 len;     /* the caller's buffer size: an upper bound for what is copied */
	__u64 len_ptr; /* size_t *readbytes / *written of the _ex forms, 0 for SSL_read/SSL_write */
	__u64 ts_ns;   /* entry time: writes are stamped with it (request start) */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ssl_call_args);
} read_stash SEC(".maps");

/* Separate from read_stash so a read and a write of the same thread never clobber each other. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ssl_call_args);
} write_stash SEC(".maps");

/* Next stream offset per (tgid, SSL*, direction). */
struct stream_key {
	__u64 ssl;
	__u32 tgid;
	__u32 dir;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct stream_key);
	__type(value, __u64);
} stream_offsets SEC(".maps");

/*
 * TLS handshakes in progress: when the first call into the handshake happened, per (tgid, SSL*).
 * Non-blocking callers enter the handshake many times (WANT_READ) before it completes.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct stream_key);
	__type(value, __u64);
} handshakes SEC(".maps");

/* The SSL* of the handshake call a thread is in, for its return probe. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} handshake_stash SEC(".maps");

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

/* ---------------------------------------------------------------- process */

static __always_inline bool comm_matches(void)
{
	char comm[AS_COMM_LEN];
	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < AS_COMM_LEN; i++) {
		if (comm[i] != target_comm[i])
			return false;
		if (comm[i] == 0)
			return true;
	}
	return true;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u8 one = 1;

	if (!is_tracked(tgid)) {
		if (!filter_comm || !comm_matches())
			return 0;
		bpf_map_update_elem(&tracked, &tgid, &one, BPF_ANY);
	}

	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct as_exec *e = (struct as_exec *)s->buf;
	char *data = s->buf + sizeof(struct as_exec);
	__u16 flags = 0;

	long n = bpf_probe_read_kernel_str(data, AS_FILENAME_CAP, BPF_CORE_READ(bprm, filename));
	__u64 fn_len = n > 0 ? n : 0;
	fn_len = CLAMP(fn_len, AS_FILENAME_CAP);

	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	__u64 arg_start = BPF_CORE_READ(mm, arg_start), arg_end = BPF_CORE_READ(mm, arg_end);
	__u64 env_start = BPF_CORE_READ(mm, env_start), env_end = BPF_CORE_READ(mm, env_end);

	__u64 argv_len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (argv_len > AS_ARGV_CAP)
		flags |= AS_F_ARGV_TRUNC;
	argv_len = CLAMP(argv_len, AS_ARGV_CAP);
	if (bpf_probe_read_user(data + fn_len, argv_len, (void *)arg_start))
		argv_len = 0;

	__u64 env_len = env_end > env_start ? env_end - env_start : 0;
	if (env_len > AS_ENV_CAP)
		flags |= AS_F_ENV_TRUNC;
	env_len = CLAMP(env_len, AS_ENV_CAP);
	__u64 env_off = CLAMP(fn_len + argv_len, AS_FILENAME_CAP + AS_ARGV_CAP);
	if (bpf_probe_read_user(data + env_off, env_len, (void *)env_start))
		env_len = 0;

	if (freeze_unknown_files && file_unknown(BPF_CORE_READ(bprm, file)))
		flags |= AS_F_FROZEN;

	__u64 size = sizeof(*e) + fn_len + argv_len + env_len;
	size = CLAMP(size, SCRATCH_SIZE);
	fill_hdr(&e->h, AS_REC_EXEC, size);
	e->h.flags = flags;
	e->filename_len = fn_len;
	e->argv_len = argv_len;
	e->env_len = env_len;
	e->_pad = 0;
	emit_maybe_frozen(&e->h, size);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 cpid = BPF_CORE_READ(child, pid);
	__u8 one = 1;

	/* Threads share the parent's tgid: only new processes matter. */
	if (cpid != BPF_CORE_READ(child, tgid))
		return 0;
	if (!is_tracked(ptgid))
		return 0;
	if (!trace_all)
		bpf_map_update_elem(&tracked, &cpid, &one, BPF_ANY);

	struct as_fork f = {};
	fill_hdr(&f.h, AS_REC_FORK, sizeof(f));
	f.child_pid = cpid;
	emit(&f, sizeof(f));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *p, bool group_dead)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (!group_dead || !is_tracked(tgid))
		return 0;

	struct as_exit x = {};
	fill_hdr(&x.h, AS_REC_EXIT, sizeof(x));
	x.status = BPF_CORE_READ(p, exit_code);
	emit(&x, sizeof(x));
	if (!trace_all)
		bpf_map_delete_elem(&tracked, &tgid);
	return 0;
}

/* ---------------------------------------------------------------- syscalls */

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

struct basename_ctx {
	const char *path;
	__u32 len;
	__u32 base; /* index after the last '/' */
};

/* Index into a path buffer, masked in a way clang cannot drop (the verifier needs the bound). */
static __always_inline __u64 path_index(__u64 i)
{
	asm volatile("%0 &= 0xfff" : "+r"(i));
	return i;
}

static long find_basename(__u32 i, void *arg)
{
	struct basename_ctx *c = arg;
	if (i >= c->len)
		return 1;
	if (c->path[path_index(i)] == '/')
		c->base = i + 1;
	return 0;
}

/* Whether the file name (after the last '/') starts with "libssl.so", like the loader checks. */
static __always_inline bool is_libssl(const char *path, __u32 len)
{
	static const char want[] = "libssl.so";
	struct basename_ctx c = { .path = path, .len = len };

	bpf_loop(AS_PATH_CAP, find_basename, &c, 0);
	if (c.base + sizeof(want) - 1 >= len)
		return false;
	for (int i = 0; i < sizeof(want) - 1; i++)
		if (path[path_index(c.base + i)] != want[i])
			return false;
	return true;
}

/* ------------------------------------------------ relative paths made absolute */

#define AS_DIR_DEPTH 32 /* directories above a file we can name; deeper ones stay relative */
#define NAME_MAX_ 255

struct dir_walk {
	struct dentry *dentry;
	struct vfsmount *mnt;
	__u64 names[AS_DIR_DEPTH]; /* d_name.name of each directory, innermost first */
	__u32 depth;
	bool complete; /* reached the root of the root mount */
};

/* One step up: to the parent directory, or across a mount point to the mount it sits on. */
static long dir_walk_step(__u32 i, void *arg)
{
	struct dir_walk *w = arg;
	/* Locals: CO-RE relocations must not see the fields of our own struct. */
	struct dentry *d = w->dentry;
	struct vfsmount *mnt = w->mnt;
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	if (d == BPF_CORE_READ(mnt, mnt_root) || d == parent) {
		struct mount *m = (void *)mnt - bpf_core_field_offset(struct mount, mnt);
		struct mount *up = BPF_CORE_READ(m, mnt_parent);
		if (!up || up == m) {
			w->complete = true;
			return 1;
		}
		w->dentry = BPF_CORE_READ(m, mnt_mountpoint);
		w->mnt = (void *)up + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	if (w->depth >= AS_DIR_DEPTH)
		return 1;
	w->names[w->depth & (AS_DIR_DEPTH - 1)] = (__u64)BPF_CORE_READ(d, d_name.name);
	w->depth++;
	w->dentry = parent;
	return 0;
}

struct path_join {
	char *out;
	struct dir_walk *walk;
	__u32 len; /* bytes written, without a NUL */
	bool overflow;
};

/* Appends "/<name>" for the i-th directory from the root down. */
static long path_join_step(__u32 i, void *arg)
{
	struct path_join *j = arg;
	if (i >= j->walk->depth)
		return 1;
	if (j->len >= AS_PATH_CAP - 1) {
		j->overflow = true;
		return 1;
	}
	__u64 name = j->walk->names[(j->walk->depth - 1 - i) & (AS_DIR_DEPTH - 1)];
	j->out[j->len & (AS_PATH_CAP - 1)] = '/';
	long n = bpf_probe_read_kernel_str(j->out + ((j->len + 1) & (AS_PATH_CAP - 1)), NAME_MAX_ + 1, (void *)name);
	if (n <= 0) {
		j->overflow = true;
		return 1;
	}
	j->len += n; /* '/' plus the name, the NUL not counted */
	return 0;
}

/*
 * `rel` (a relative path, NUL-terminated, in kernel memory) made absolute against the directory
 * fd `dirfd` (or the cwd) of the current process, into `out` (PATH_BUILD_SIZE bytes). Returns the
 * length with the NUL, or 0 when it cannot (too deep, too long, descriptor gone).
 */
static __always_inline __u64 absolute_path(char *out, const char *rel, __s32 dirfd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct dir_walk w = {};
	if (dirfd == (__s32)AT_FDCWD_) {
		w.dentry = BPF_CORE_READ(task, fs, pwd.dentry);
		w.mnt = BPF_CORE_READ(task, fs, pwd.mnt);
	} else {
		struct file *f = fd_file(dirfd);
		if (!f)
			return 0;
		w.dentry = BPF_CORE_READ(f, f_path.dentry);
		w.mnt = BPF_CORE_READ(f, f_path.mnt);
	}
	if (!w.dentry || !w.mnt)
		return 0;
	bpf_loop(2 * AS_DIR_DEPTH, dir_walk_step, &w, 0);
	if (!w.complete)
		return 0;

	struct path_join j = { .out = out, .walk = &w };
	bpf_loop(AS_DIR_DEPTH, path_join_step, &j, 0);
	if (j.overflow)
		return 0;
	if (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	out[j.len & (AS_PATH_CAP - 1)] = '/';
	long n = bpf_probe_read_kernel_str(out + ((j.len + 1) & (AS_PATH_CAP - 1)), AS_PATH_CAP, rel);
	if (n <= 0 || j.len + 1 + n > AS_PATH_CAP)
		return 0;
	return j.len + 1 + n;
}

/*
 * Reads a path argument into `dst` (AS_PATH_CAP bytes), absolute when it was relative and its
 * directory can be named; returns its length with the NUL.
 */
static __always_inline __u64 read_path(char *dst, __u64 user_path, __s32 dirfd, bool *resolved)
{
	long n = bpf_probe_read_user_str(dst, AS_PATH_CAP, (void *)user_path);
	__u64 len = CLAMP(n > 0 ? n : 0, AS_PATH_CAP);
	if (len <= 1 || dst[0] == '/')
		return len;
	__u32 zero = 0;
	struct path_build_buf *b = bpf_map_lookup_elem(&path_build_map, &zero);
	if (!b)
		return len;
	__u64 abs = absolute_path(b->buf, dst, dirfd);
	if (abs == 0 || abs > AS_PATH_CAP)
		return len;
	if (bpf_probe_read_kernel(dst, CLAMP(abs, AS_PATH_CAP), b->buf))
		return len;
	*resolved = true;
	return abs;
}

static __always_inline int emit_file(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct syscall_args *a = take_syscall(id);
	if (!a)
		return 0;
	struct scratch *s = get_scratch();
	if (!s)
		goto out;

	struct as_file *f = (struct as_file *)s->buf;
	char *data = s->buf + sizeof(struct as_file);
	bool resolved = false;
	__u64 plen = read_path(data, a->arg[0], (__s32)a->arg[2], &resolved);
	__u64 nlen = 0;
	if (a->op == AS_FILE_RENAME)
		nlen = read_path(data + plen, a->arg[1], (__s32)a->arg[3], &resolved);
	__u64 size = CLAMP(sizeof(*f) + plen + nlen, SCRATCH_SIZE);
	fill_hdr(&f->h, AS_REC_FILE, size);
	if (resolved)
		f->h.flags |= AS_F_PATH_RESOLVED;
	if (a->op == AS_FILE_OPEN && ret >= 0 && freeze_unknown_files && is_libssl(data, plen) &&
	    file_unknown(fd_file(ret)))
		f->h.flags |= AS_F_FROZEN;
	f->op = a->op;
	f->path_len = plen;
	f->new_path_len = nlen;
	f->_pad = 0;
	f->flags = a->flags;
	f->dirfd = (__s32)a->arg[2];
	f->new_dirfd = (__s32)a->arg[3];
	f->_pad2 = 0;
	f->result = ret;
	emit_maybe_frozen(&f->h, size);
out:
	bpf_map_delete_elem(&syscall_stash, &id);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	return stash_syscall(AS_FILE_OPEN, ctx->args[1], 0, ctx->args[0], AT_FDCWD_, (__s32)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = 0;
	bpf_probe_read_user(&flags, sizeof(flags), (void *)ctx->args[2]); /* open_how.flags */
	return stash_syscall(AS_FILE_OPEN, ctx->args[1], 0, ctx->args[0], AT_FDCWD_, (__s32)flags);
}

SEC("tracepoint/syscalls/sys_enter_unlinkat")
int enter_unlinkat(struct trace_event_raw_sys_enter *ctx)
{
	return stash_syscall(AS_FILE_UNLINK, ctx->args[1], 0, ctx->args[0], AT_FDCWD_, (__s32)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_unlink")
int enter_unlink(struct trace_event_raw_sys_enter *ctx)
{
	return stash_syscall(AS_FILE_UNLINK, ctx->args[0], 0, AT_FDCWD_, AT_FDCWD_, 0);
}

SEC("tracepoint/syscalls/sys_enter_renameat")
int enter_renameat(struct trace_event_raw_sys_enter *ctx)
{
	return stash_syscall(AS_FILE_RENAME, ctx->args[1], ctx->args[3], ctx->args[0], ctx->args[2], 0);
}

SEC("tracepoint/syscalls/sys_enter_renameat2")
int enter_renameat2(struct trace_event_raw_sys_enter *ctx)
{
	return stash_syscall(AS_FILE_RENAME, ctx->args[1], ctx->args[3], ctx->args[0], ctx->args[2],
			  (__s32)ctx->args[4]);
}

SEC("tracepoint/syscalls/sys_enter_rename")
int enter_rename(struct trace_event_raw_sys_enter *ctx)
{
	return stash_syscall(AS_FILE_RENAME, ctx->args[0], ctx->args[1], AT_FDCWD_, AT_FDCWD_, 0);
}

SEC("tracepoint/syscalls/sys_enter_mkdirat")
int enter_mkdirat(struct trace_event_raw_sys_enter *ctx)
{
	return stash_syscall(AS_FILE_MKDIR, ctx->args[1], 0, ctx->args[0], AT_FDCWD_, (__s32)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_mkdir")
int enter_mkdir(struct trace_event_raw_sys_enter *ctx)
{
	return stash_syscall(AS_FILE_MKDIR, ctx->args[0], 0, AT_FDCWD_, AT_FDCWD_, (__s32)ctx->args[1]);
}

/* All file syscalls share one exit path: the stash says which operation it was. */
SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx) { return emit_file(ctx->ret); }
SEC("tracepoint/syscalls/sys_exit_openat2")
int exit_openat2(struct trace_event_raw_sys_exit *ctx) { return emit_file(ctx->ret); }
SEC("tracepoint/syscalls/sys_exit_unlinkat")
int exit_unlinkat(struct trace_event_raw_sys_exit *ctx) { return emit_file(ctx->ret); }
SEC("tracepoint/syscalls/sys_exit_unlink")
int exit_unlink(struct trace_event_raw_sys_exit *ctx) { return emit_file(ctx->ret); }
SEC("tracepoint/syscalls/sys_exit_renameat")
int exit_renameat(struct trace_event_raw_sys_exit *ctx) { return emit_file(ctx->ret); }
SEC("tracepoint/syscalls/sys_exit_renameat2")
int exit_renameat2(struct trace_event_raw_sys_exit *ctx) { return emit_file(ctx->ret); }
SEC("tracepoint/syscalls/sys_exit_rename")
int exit_rename(struct trace_event_raw_sys_exit *ctx) { return emit_file(ctx->ret); }
SEC("tracepoint/syscalls/sys_exit_mkdirat")
int exit_mkdirat(struct trace_event_raw_sys_exit *ctx) { return emit_file(ctx->ret); }
SEC("tracepoint/syscalls/sys_exit_mkdir")
int exit_mkdir(struct trace_event_raw_sys_exit *ctx) { return emit_file(ctx->ret); }

#define AS_CONNECT_OP 100

SEC("tracepoint/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	return stash_syscall(AS_CONNECT_OP, ctx->args[1], ctx->args[2], 0, 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct syscall_args *a = take_syscall(id);
	if (!a)
		return 0;

	/* sockaddr_in6 is the largest family we report (28 bytes). */
	struct {
		__u16 family;
		__u16 port;
		__u32 flowinfo_or_v4;
		__u8 v6[16];
		__u32 scope;
	} sa = {};
	__u64 len = a->arg[1] < sizeof(sa) ? a->arg[1] : sizeof(sa);
	if (bpf_probe_read_user(&sa, CLAMP(len, sizeof(sa)), (void *)a->arg[0]) == 0 &&
	    (sa.family == 2 || sa.family == 10)) {
		struct as_connect c = {};
		fill_hdr(&c.h, AS_REC_CONNECT, sizeof(c));
		c.family = sa.family;
		c.port = bpf_ntohs(sa.port);
		c.result = ctx->ret;
		if (sa.family == 2)
			__builtin_memcpy(c.addr, &sa.flowinfo_or_v4, 4);
		else
			__builtin_memcpy(c.addr, sa.v6, 16);
		emit(&c, sizeof(c));
	}
	bpf_map_delete_elem(&syscall_stash, &id);
	return 0;
}

/* ---------------------------------------------------------------- TLS */

struct tls_chunk_ctx {
	__u64 src;
	__u64 base_offset;
	__u64 captured; /* bytes to copy in total (<= tls_cap_bytes) */
	__u64 ts_ns;    /* every chunk of a call carries the call's timestamp */
	bool truncated; /* captured < call length */
};

static long tls_chunk(__u32 i, void *arg)
{
	struct tls_chunk_ctx *c = arg;
	struct scratch *s = get_scratch();
	if (!s)
		return 1;
	struct as_tls_data *t = (struct as_tls_data *)s->buf;

	__u64 off = (__u64)i * AS_TLS_CHUNK;
	if (off >= c->captured)
		return 1;
	__u64 len = CLAMP(c->captured - off, AS_TLS_CHUNK);
	bool last = off + len >= c->captured;

	t->h.flags = last && c->truncated ? AS_F_TRUNCATED : 0;
	t->offset = c->base_offset + off;
	if (bpf_probe_read_user(t->data, len, (void *)(c->src + off))) {
		/* Page not resident: report the chunk as a gap rather than garbage. */
		len = 0;
		t->h.flags = AS_F_TRUNCATED;
	}
	t->data_len = len;
	t->h.size = sizeof(*t) + len;
	t->h.ts_ns = c->ts_ns;
	emit_batched(t, sizeof(*t) + len);
	return 0;
}

static __always_inline void emit_tls(__u64 ssl, __u64 buf, __u64 call_len, __u8 dir, __u8 fn,
				     __u64 ts_ns)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct stream_key key = { .ssl = ssl, .tgid = id >> 32, .dir = dir };
	__u64 base = 0;

	if (call_len == 0)
		return;
	__u64 *offp = bpf_map_lookup_elem(&stream_offsets, &key);
	if (offp) {
		base = *offp;
		*offp = base + call_len;
	} else {
		__u64 next = call_len;
		bpf_map_update_elem(&stream_offsets, &key, &next, BPF_ANY);
	}

	struct scratch *s = get_scratch();
	if (!s)
		return;
	struct as_tls_data *t = (struct as_tls_data *)s->buf;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	fill_hdr(&t->h, AS_REC_TLS_DATA, sizeof(*t));
	t->ssl = ssl;
	t->start_time = BPF_CORE_READ(task, group_leader, start_time);
	t->call_len = call_len > 0xffffffffULL ? 0xffffffffU : call_len;
	t->dir = dir;
	t->fn = fn;
	t->_pad = 0;
	t->_pad2 = 0;

	struct tls_chunk_ctx c = {
		.src = buf,
		.base_offset = base,
		.captured = call_len < tls_cap_bytes ? call_len : tls_cap_bytes,
		.ts_ns = ts_ns,
		.truncated = call_len > tls_cap_bytes,
	};
	__u32 chunks = (c.captured + AS_TLS_CHUNK - 1) / AS_TLS_CHUNK;
	bpf_loop(chunks, tls_chunk, &c, 0);
}

static __always_inline int stash_call(void *stash, void *ssl, const void *buf, __u64 len, void *len_ptr)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (len == 0 || !is_tracked(id >> 32))
		return 0;
	struct ssl_call_args a = {
		.ssl = (__u64)ssl,
		.buf = (__u64)buf,
		.len = len,
		.len_ptr = (__u64)len_ptr,
		.ts_ns = bpf_ktime_get_ns(),
	};
	bpf_map_update_elem(stash, &id, &a, BPF_ANY);
	return 0;
}

/*
 * Return probe of SSL_write/SSL_read (`ret` > 0 is the byte count) and of their _ex forms
 * (`ret` == 1 on success, the count is in *len_ptr). Failed calls emit nothing and leave the
 * stream offset where it was. Nested probed calls (an _ex form implemented on top of the plain
 * one) share the thread's stash entry: the inner return emits, the outer one finds nothing.
 */
static __always_inline int emit_call(void *stash, int ret, bool ex, __u8 dir, __u8 fn)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ssl_call_args *a = bpf_map_lookup_elem(stash, &id);
	if (!a)
		return 0;
	__u64 n = 0;
	if (ex) {
		if (ret == 1 && a->len_ptr)
			bpf_probe_read_user(&n, sizeof(n), (void *)a->len_ptr); /* n stays 0 on failure */
	} else if (ret > 0) {
		n = ret;
	}
	if (n > a->len)
		n = a->len;
	if (n) {
		/* Reads are stamped when the data arrived, writes when the call started. */
		__u64 ts = dir == AS_TLS_WRITE ? a->ts_ns : bpf_ktime_get_ns();
		emit_tls(a->ssl, a->buf, n, dir, fn, ts);
	}
	bpf_map_delete_elem(stash, &id);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_entry, void *ssl, const void *buf, int num)
{
	return stash_call(&write_stash, ssl, buf, num > 0 ? num : 0, NULL);
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_ex_entry, void *ssl, const void *buf, size_t num, size_t *written)
{
	return stash_call(&write_stash, ssl, buf, num, written);
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_write_return, int ret)
{
	return emit_call(&write_stash, ret, false, AS_TLS_WRITE, AS_FN_SSL_WRITE);
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_write_ex_return, int ret)
{
	return emit_call(&write_stash, ret, true, AS_TLS_WRITE, AS_FN_SSL_WRITE_EX);
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_entry, void *ssl, void *buf, int num)
{
	return stash_call(&read_stash, ssl, buf, num > 0 ? num : 0, NULL);
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_ex_entry, void *ssl, void *buf, size_t num, size_t *readbytes)
{
	return stash_call(&read_stash, ssl, buf, num, readbytes);
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_read_return, int ret)
{
	return emit_call(&read_stash, ret, false, AS_TLS_READ, AS_FN_SSL_READ);
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_read_ex_return, int ret)
{
	return emit_call(&read_stash, ret, true, AS_TLS_READ, AS_FN_SSL_READ_EX);
}

/* Emits the handshake of (tgid, ssl) with its outcome, if one is in progress. */
static __always_inline void settle_handshake(__u64 ssl, __u32 tgid, __s32 result)
{
	struct stream_key key = { .ssl = ssl, .tgid = tgid, .dir = 0 };
	__u64 *start = bpf_map_lookup_elem(&handshakes, &key);
	if (!start)
		return;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct as_tls_handshake r = {};
	fill_hdr(&r.h, AS_REC_TLS_HANDSHAKE, sizeof(r));
	r.h.ts_ns = *start;
	r.ssl = ssl;
	r.start_time = BPF_CORE_READ(task, group_leader, start_time);
	r.end_ns = bpf_ktime_get_ns();
	r.result = result;
	bpf_map_delete_elem(&handshakes, &key);
	emit(&r, sizeof(r));
}

/*
 * SSL_do_handshake, and where the binary has them (static OpenSSL in node) the state-machine
 * entry points that SSL_read/SSL_write drive implicitly. Once data has flowed the connection is
 * past its handshake: later calls are post-handshake messages (session tickets), not timed.
 */
SEC("uprobe")
int BPF_KPROBE(ssl_handshake_entry, void *ssl)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (!ssl || !is_tracked(tgid))
		return 0;
	struct stream_key key = { .ssl = (__u64)ssl, .tgid = tgid, .dir = AS_TLS_WRITE };
	if (bpf_map_lookup_elem(&stream_offsets, &key))
		return 0;
	key.dir = AS_TLS_READ;
	if (bpf_map_lookup_elem(&stream_offsets, &key))
		return 0;
	key.dir = 0;
	__u64 now = bpf_ktime_get_ns(), ptr = (__u64)ssl;
	bpf_map_update_elem(&handshakes, &key, &now, BPF_NOEXIST);
	bpf_map_update_elem(&handshake_stash, &id, &ptr, BPF_ANY);
	return 0;
}

/* 1: done; 0: failed; < 0: wants I/O (non-blocking) or an error that SSL_free will settle. */
SEC("uretprobe")
int BPF_KRETPROBE(ssl_handshake_return, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *ssl = bpf_map_lookup_elem(&handshake_stash, &id);
	if (!ssl)
		return 0;
	__u64 ptr = *ssl;
	bpf_map_delete_elem(&handshake_stash, &id);
	if (ret >= 0)
		settle_handshake(ptr, id >> 32, ret == 1 ? AS_HANDSHAKE_DONE : AS_HANDSHAKE_FAILED);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_free, void *ssl)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (!ssl || !is_tracked(tgid))
		return 0;

	settle_handshake((__u64)ssl, tgid, AS_HANDSHAKE_INCOMPLETE);

	struct stream_key key = { .ssl = (__u64)ssl, .tgid = tgid, .dir = AS_TLS_WRITE };
	bool seen = bpf_map_delete_elem(&stream_offsets, &key) == 0;
	key.dir = AS_TLS_READ;
	seen = (bpf_map_delete_elem(&stream_offsets, &key) == 0) || seen;
	if (!seen)
		return 0; /* no data ever flowed: nothing for consumers to close */

	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct as_tls_close c = {};
	fill_hdr(&c.h, AS_REC_TLS_CLOSE, sizeof(c));
	c.ssl = (__u64)ssl;
	c.start_time = BPF_CORE_READ(task, group_leader, start_time);
	emit(&c, sizeof(c));
	return 0;
}
