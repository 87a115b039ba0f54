/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * File syscalls: open, unlink, rename, mkdir; relative paths made absolute in the kernel.
 * Included once by agentsight.bpf.c, whose maps and helpers it uses.
 */

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
