// SPDX-License-Identifier: MIT
/*
 * agentsight-loader: loads and attaches the AgentSight BPF programs, attaches the TLS
 * uprobes to every libssl / OpenSSL-exporting executable used by tracked processes, and
 * streams records (see agentsight.h, bpf/README.md) to stdout. Control lines on stdin:
 *   track <pid> | untrack <pid> | stats
 * Logs go to stderr. Exit codes: 0 clean stop, 1 failure, 2 usage, 77 missing privileges.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sysmacros.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "agentsight.h"
#include "agentsight.skel.h"
#include "elf_symbols.h"

#define EXIT_NO_PRIVILEGES 77
#define OUT_BUF_SIZE (1 << 20)
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

static struct options opts = {
	.tls = true,
	/* Enough for bursts while the loader drains every 10 ms; user space maps the data pages twice
	 * (wrap-around reads), so each MiB here shows as 2 MiB of the loader's RSS. */
	.ringbuf_bytes = 8 << 20,
	.tls_cap_bytes = 4 << 20,
	.stats_interval_ms = 1000,
};

/*
 * TLS data wakes us once a 1/TLS_WAKEUP_FRACTION of the ring is pending; smaller amounts wait for
 * the poll timeout, which bounds their delay.
 */
#define TLS_WAKEUP_FRACTION 16
#define TLS_POLL_MS 10

static struct agentsight_bpf *skel;

/* ------------------------------------------------------------------ logging */

static void logf_(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "agentsight-loader: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !opts.verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* ------------------------------------------------------------------ stdout */

static char out_buf[OUT_BUF_SIZE];
static size_t out_len;
static bool out_broken;

static void write_all(const char *data, size_t len)
{
	size_t done = 0;
	while (done < len && !out_broken) {
		ssize_t n = write(STDOUT_FILENO, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			logf_("stdout write failed: %s", strerror(errno));
			out_broken = true; /* the reader is gone: stop instead of spinning */
			return;
		}
		done += n;
	}
}

static void out_flush(void)
{
	write_all(out_buf, out_len);
	out_len = 0;
}

static void out_write(const void *data, size_t len)
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

/* ------------------------------------------------------------------ loader records */

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

static void emit_clock(void)
{
	struct as_clock c;
	loader_hdr(&c.h, AS_REC_CLOCK, sizeof(c), 0);
	/* Bracket the realtime read between two monotonic reads to halve the error. */
	__u64 m1 = now_ns(CLOCK_MONOTONIC), r = now_ns(CLOCK_REALTIME), m2 = now_ns(CLOCK_MONOTONIC);
	c.realtime_minus_monotonic_ns = (__s64)(r - (m1 + (m2 - m1) / 2));
	out_write(&c, sizeof(c));
}

static void emit_simple(__u16 type)
{
	struct as_hdr h;
	loader_hdr(&h, type, sizeof(h), 0);
	out_write(&h, sizeof(h));
}

static void emit_ack(__u32 pid, __u32 op)
{
	struct as_ack a;
	loader_hdr(&a.h, AS_REC_ACK, sizeof(a), 0);
	a.pid = pid;
	a.op = op;
	out_write(&a, sizeof(a));
}

static void emit_attach(const char *path, __u32 pid)
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

static __u64 stat_records, stat_bytes, stat_loader_dropped;

static void emit_stats(void)
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
	s.records = stat_records;
	s.bytes = stat_bytes;
	s.kernel_dropped_records = totals[AS_DROP_RECORDS];
	s.kernel_dropped_bytes = totals[AS_DROP_BYTES];
	s.loader_dropped_records = stat_loader_dropped;
	out_write(&s, sizeof(s));
}

/* ------------------------------------------------------------------ privileges & tracefs */

static int check_privileges(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long eff = 0;
	if (!f)
		return 0; /* cannot tell: let the kernel decide at load time */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	const int CAP_SYS_ADMIN_ = 21, CAP_PERFMON_ = 38, CAP_BPF_ = 39;
	bool admin = eff & (1ull << CAP_SYS_ADMIN_);
	bool bpf = admin || (eff & (1ull << CAP_BPF_));
	bool perfmon = admin || (eff & (1ull << CAP_PERFMON_));
	if (bpf && perfmon)
		return 0;
	logf_("insufficient privileges: missing%s%s (run as root or grant CAP_BPF and CAP_PERFMON)",
	      bpf ? "" : " CAP_BPF", perfmon ? "" : " CAP_PERFMON");
	return -1;
}

/* Syscall tracepoints are resolved through tracefs; mount it when the host has not. */
static void ensure_tracefs(void)
{
	if (access("/sys/kernel/tracing/events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return;
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
		logf_("mounted tracefs at /sys/kernel/tracing");
	else
		logf_("tracefs not mounted and mount failed (%s): syscall tracepoints will fail",
		      strerror(errno));
}

/* ------------------------------------------------------------------ /proc helpers */

struct proc_entry {
	__u32 pid, ppid;
};

/* Snapshot of (pid, ppid) for every process; caller frees. */
static int list_processes(struct proc_entry **out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0, cap = 1024;
	struct proc_entry *v = malloc(cap * sizeof(*v));
	if (!d || !v) {
		if (d)
			closedir(d);
		free(v);
		return -1;
	}
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		char path[300], buf[512];
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = 0;
		char *close_paren = strrchr(buf, ')'); /* comm may contain spaces */
		unsigned ppid;
		if (!close_paren || sscanf(close_paren + 2, "%*c %u", &ppid) != 1)
			continue;
		if (n == cap) {
			struct proc_entry *nv = realloc(v, (cap *= 2) * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[n].pid = atoi(de->d_name);
		v[n].ppid = ppid;
		n++;
	}
	closedir(d);
	*out = v;
	return n;
}

static bool read_comm(__u32 pid, char comm[AS_COMM_LEN])
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t r = read(fd, comm, AS_COMM_LEN - 1);
	close(fd);
	if (r <= 0)
		return false;
	comm[r] = 0;
	char *nl = strchr(comm, '\n');
	if (nl)
		*nl = 0;
	return true;
}

/* ------------------------------------------------------------------ TLS attach */

struct file_id {
	dev_t dev;
	ino_t ino;
};

static struct file_id *seen_files;
static int n_seen_files, cap_seen_files;
static struct bpf_link **links;
static int n_links, cap_links;

static bool file_seen(const struct stat *st)
{
	for (int i = 0; i < n_seen_files; i++)
		if (seen_files[i].dev == st->st_dev && seen_files[i].ino == st->st_ino)
			return true;
	if (n_seen_files == cap_seen_files) {
		int ncap = cap_seen_files ? cap_seen_files * 2 : 64;
		struct file_id *nv = realloc(seen_files, ncap * sizeof(*nv));
		if (!nv)
			return true; /* out of memory: do not retry endlessly */
		seen_files = nv;
		cap_seen_files = ncap;
	}
	seen_files[n_seen_files++] = (struct file_id){ st->st_dev, st->st_ino };
	/* Tell the kernel side: processes exec'ing/opening this file need not wait for us any more. */
	struct as_file_key key = { .dev = ((__u64)major(st->st_dev) << 20) | minor(st->st_dev), .ino = st->st_ino };
	__u8 one = 1;
	bpf_map__update_elem(skel->maps.known_files, &key, sizeof(key), &one, sizeof(one), BPF_ANY);
	return false;
}

static bool keep_link(struct bpf_link *l)
{
	if (!l)
		return false;
	if (n_links == cap_links) {
		int ncap = cap_links ? cap_links * 2 : 64;
		struct bpf_link **nv = realloc(links, ncap * sizeof(*nv));
		if (!nv) {
			bpf_link__destroy(l);
			return false;
		}
		links = nv;
		cap_links = ncap;
	}
	links[n_links++] = l;
	return true;
}

static struct bpf_link *attach_offset(struct bpf_program *prog, const char *path, size_t offset,
				      bool retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = retprobe);
	struct bpf_link *l = bpf_program__attach_uprobe_opts(prog, -1, path, offset, &uo);
	return libbpf_get_error(l) ? NULL : l;
}

/* An entry probe and its return probe: the entry stashes what only the return can emit. */
struct call_links {
	struct bpf_link *entry, *ret;
};

/* Attaches both probes at `offset` (0: the file lacks the function), or neither. */
static bool attach_call(struct call_links *cl, struct bpf_program *entry, struct bpf_program *ret,
			const char *path, size_t offset)
{
	*cl = (struct call_links){};
	if (!offset)
		return false;
	cl->entry = attach_offset(entry, path, offset, false);
	cl->ret = cl->entry ? attach_offset(ret, path, offset, true) : NULL;
	if (!cl->ret) {
		bpf_link__destroy(cl->entry);
		cl->entry = NULL;
	}
	return cl->ret != NULL;
}

/* Keeps an attached pair for the loader's lifetime; never an entry without its return probe. */
static bool keep_call(struct call_links *cl)
{
	if (!keep_link(cl->ret)) {
		bpf_link__destroy(cl->entry);
		return false;
	}
	return keep_link(cl->entry);
}

/* The functions probed in a TLS library, resolved together in one pass over its symbols. */
enum tls_fn {
	FN_SSL_WRITE,
	FN_SSL_READ,
	FN_SSL_WRITE_EX,
	FN_SSL_READ_EX,
	FN_SSL_FREE,
	/* Handshake timing: the public entry point, plus the internal ones that SSL_read/SSL_write
	 * drive implicitly where a static OpenSSL keeps its symbol table (node never calls
	 * SSL_do_handshake). Nested entries are harmless: the innermost return reports. */
	FN_SSL_DO_HANDSHAKE,
	FN_STATEM_CONNECT,
	FN_STATEM_ACCEPT,
	N_TLS_FNS,
};
static const char *const tls_fn_names[N_TLS_FNS] = {
	[FN_SSL_WRITE] = "SSL_write",
	[FN_SSL_READ] = "SSL_read",
	[FN_SSL_WRITE_EX] = "SSL_write_ex",
	[FN_SSL_READ_EX] = "SSL_read_ex",
	[FN_SSL_FREE] = "SSL_free",
	[FN_SSL_DO_HANDSHAKE] = "SSL_do_handshake",
	[FN_STATEM_CONNECT] = "ossl_statem_connect",
	[FN_STATEM_ACCEPT] = "ossl_statem_accept",
};

/*
 * Attaches the TLS probes to one file, once per dev:inode. `path` must be openable by the
 * loader (e.g. /proc/<pid>/root/...); `shown` is what the ATTACH record reports. Files that
 * do not export SSL_write/SSL_read are remembered as non-candidates.
 */
static void attach_tls_file(const char *path, const char *shown, __u32 pid)
{
	struct stat st;
	size_t off[N_TLS_FNS];
	if (!opts.tls || stat(path, &st) || !S_ISREG(st.st_mode) || file_seen(&st) ||
	    elf_resolve_functions(path, tls_fn_names, N_TLS_FNS, off) <= 0 || !off[FN_SSL_WRITE] ||
	    !off[FN_SSL_READ])
		return;

	struct call_links w, r;
	if (!attach_call(&w, skel->progs.ssl_write_entry, skel->progs.ssl_write_return, path, off[FN_SSL_WRITE]) ||
	    !attach_call(&r, skel->progs.ssl_read_entry, skel->progs.ssl_read_return, path, off[FN_SSL_READ])) {
		logf_("%s exports SSL_write and SSL_read but attaching to them failed; not capturing it", shown);
		bpf_link__destroy(w.entry);
		bpf_link__destroy(w.ret);
		return;
	}
	keep_call(&w);
	keep_call(&r);
	/* OpenSSL >= 1.1.1 also has the _ex forms, which OpenSSL 3 clients prefer. */
	struct call_links wx, rx;
	bool ex = attach_call(&wx, skel->progs.ssl_write_ex_entry, skel->progs.ssl_write_ex_return, path,
			      off[FN_SSL_WRITE_EX]) &&
		  keep_call(&wx);
	ex = attach_call(&rx, skel->progs.ssl_read_ex_entry, skel->progs.ssl_read_ex_return, path,
			 off[FN_SSL_READ_EX]) &&
	     keep_call(&rx) && ex;
	bool fr = off[FN_SSL_FREE] && keep_link(attach_offset(skel->progs.ssl_free, path, off[FN_SSL_FREE], false));
	bool hs = false;
	for (int fn = FN_SSL_DO_HANDSHAKE; fn <= FN_STATEM_ACCEPT; fn++) {
		struct call_links h;
		hs = (attach_call(&h, skel->progs.ssl_handshake_entry, skel->progs.ssl_handshake_return, path,
				  off[fn]) &&
		      keep_call(&h)) ||
		     hs;
	}

	logf_("attached TLS probes to %s (pid %u)%s%s%s", shown, pid, ex ? "" : " without _ex forms",
	      fr ? "" : " without SSL_free", hs ? "" : " without handshake timing");
	emit_attach(shown, pid);
}

static void attach_exe(__u32 pid)
{
	char path[64], shown[PATH_MAX];
	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	ssize_t n = readlink(path, shown, sizeof(shown) - 1);
	if (n <= 0)
		return;
	shown[n] = 0;
	attach_tls_file(path, shown, pid);
}

static bool is_libssl(const char *path)
{
	const char *base = strrchr(path, '/');
	return strstr(base ? base + 1 : path, "libssl.so") != NULL;
}

/* Attach to the executable and every mapped libssl of a running process. */
static void scan_process_tls(__u32 pid)
{
	if (!opts.tls)
		return;
	attach_exe(pid);

	char path[64], line[PATH_MAX + 256];
	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/');
		if (!file)
			continue;
		file[strcspn(file, "\n")] = 0;
		if (!is_libssl(file))
			continue;
		char root_path[PATH_MAX + 64];
		/* Resolve inside the process's mount namespace (containers). */
		snprintf(root_path, sizeof(root_path), "/proc/%u/root%s", pid, file);
		attach_tls_file(root_path, file, pid);
	}
	fclose(f);
}

/* A tracked process opened something named libssl.so*: attach before it gets used. */
static void attach_opened_libssl(__u32 pid, const char *file, long fd)
{
	char p[PATH_MAX + 64];
	struct stat st;

	if (file[0] == '/')
		snprintf(p, sizeof(p), "/proc/%u/root%s", pid, file);
	else
		snprintf(p, sizeof(p), "/proc/%u/cwd/%s", pid, file);
	if (stat(p, &st) != 0) {
		snprintf(p, sizeof(p), "/proc/%u/fd/%ld", pid, fd);
		if (stat(p, &st) != 0)
			snprintf(p, sizeof(p), "%s", file);
	}
	attach_tls_file(p, file, pid);
}

/* ------------------------------------------------------------------ tracking */

static int track_pid(__u32 pid)
{
	__u8 one = 1;
	if (opts.all)
		return 0;
	return bpf_map__update_elem(skel->maps.tracked, &pid, sizeof(pid), &one, sizeof(one), BPF_ANY);
}

/* Tracks pid and all its existing descendants; attaches TLS probes for each. */
static int track_tree(__u32 root)
{
	struct proc_entry *procs = NULL;
	int n = list_processes(&procs);
	__u32 *queue = malloc(sizeof(__u32) * (n > 0 ? n + 1 : 1));
	int head = 0, tail = 0, err = 0;

	if (!queue) {
		free(procs);
		return -ENOMEM;
	}
	queue[tail++] = root;
	while (head < tail) {
		__u32 pid = queue[head++];
		if (track_pid(pid))
			err = -errno;
		scan_process_tls(pid);
		for (int i = 0; i < n && tail <= n; i++)
			if (procs[i].ppid == pid && procs[i].pid != pid)
				queue[tail++] = procs[i].pid;
	}
	free(queue);
	free(procs);
	return err;
}

static void seed_targets(void)
{
	for (int i = 0; i < opts.npids; i++)
		if (track_tree(opts.pids[i]))
			logf_("tracking pid %u failed: %s", opts.pids[i], strerror(errno));

	if (!opts.comm && !opts.all)
		return;
	struct proc_entry *procs = NULL;
	int n = list_processes(&procs);
	for (int i = 0; i < n; i++) {
		char comm[AS_COMM_LEN];
		if (opts.all)
			scan_process_tls(procs[i].pid);
		else if (read_comm(procs[i].pid, comm) && strncmp(comm, opts.comm, AS_COMM_LEN - 1) == 0)
			track_tree(procs[i].pid);
	}
	free(procs);
}

/* ------------------------------------------------------------------ ring buffer */

static bool env_allowed(const char *entry, size_t len)
{
	static const char *const keys[] = { "TRACEPARENT=", "TRACESTATE=", "BAGGAGE=" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t kl = strlen(keys[i]);
		if (len >= kl && memcmp(entry, keys[i], kl) == 0)
			return true;
	}
	return false;
}

/* Forwards an exec record with the environment reduced to the OTel carrier variables. */
static int forward_exec(const struct as_exec *e, size_t size)
{
	static char buf[sizeof(struct as_exec) + AS_FILENAME_CAP + AS_ARGV_CAP + AS_ENV_CAP];
	size_t fixed = (size_t)e->filename_len + e->argv_len;
	if (size < sizeof(*e) || fixed + e->env_len != size - sizeof(*e) || size > sizeof(buf))
		return -1;

	struct as_exec *o = (struct as_exec *)buf;
	memcpy(o, e, sizeof(*e) + fixed);
	const char *env = e->data + fixed;
	char *dst = o->data + fixed;
	size_t kept = 0;
	for (size_t i = 0; i < e->env_len;) {
		const char *nul = memchr(env + i, 0, e->env_len - i);
		if (!nul)
			break; /* cut by the kernel-side cap: never forward a partial value */
		size_t len = nul - (env + i);
		if (env_allowed(env + i, len)) {
			memcpy(dst + kept, env + i, len + 1);
			kept += len + 1;
		}
		i += len + 1;
	}
	o->env_len = kept;
	o->h.size = sizeof(*o) + fixed + kept;
	out_write(o, o->h.size);

	if (opts.tls)
		attach_exe(e->h.pid);
	return 0;
}

static int forward_file(const struct as_file *f, size_t size)
{
	if (size < sizeof(*f) || (size_t)f->path_len + f->new_path_len != size - sizeof(*f))
		return -1;
	/* Attach before forwarding so a dlopen'ed libssl is probed before its first SSL call. */
	if (opts.tls && f->op == AS_FILE_OPEN && f->result >= 0 && f->path_len > 0 &&
	    f->data[f->path_len - 1] == 0 && is_libssl(f->data))
		attach_opened_libssl(f->h.pid, f->data, f->result);
	out_write(f, size);
	return 0;
}

static size_t min_size(__u16 type)
{
	switch (type) {
	case AS_REC_FORK: return sizeof(struct as_fork);
	case AS_REC_EXIT: return sizeof(struct as_exit);
	case AS_REC_CONNECT: return sizeof(struct as_connect);
	case AS_REC_TLS_CLOSE: return sizeof(struct as_tls_close);
	case AS_REC_TLS_HANDSHAKE: return sizeof(struct as_tls_handshake);
	default: return 0;
	}
}

static int handle_record(void *ctx, void *data, size_t size)
{
	const struct as_hdr *h = data;
	int err = 0;

	if (size < sizeof(*h) || h->magic != AS_MAGIC || h->size != size) {
		stat_loader_dropped++;
		return 0;
	}
	/* The kernel stopped this process until its file is checked: the handlers below attach,
	 * then it must be resumed whatever happened to the record. */
	bool frozen = (h->type == AS_REC_EXEC || h->type == AS_REC_FILE) && (h->flags & AS_F_FROZEN);
	switch (h->type) {
	case AS_REC_EXEC:
		err = forward_exec(data, size);
		break;
	case AS_REC_FILE:
		err = forward_file(data, size);
		break;
	case AS_REC_TLS_DATA: {
		const struct as_tls_data *t = data;
		if (size < sizeof(*t) || sizeof(*t) + t->data_len != size)
			err = -1;
		else
			out_write(data, size);
		break;
	}
	case AS_REC_FORK:
	case AS_REC_EXIT:
	case AS_REC_CONNECT:
	case AS_REC_TLS_CLOSE:
	case AS_REC_TLS_HANDSHAKE:
		if (size != min_size(h->type))
			err = -1;
		else
			out_write(data, size);
		break;
	default:
		err = -1;
	}
	if (frozen && kill(h->pid, SIGCONT) && errno != ESRCH)
		logf_("resuming pid %u failed: %s", h->pid, strerror(errno));
	if (err) {
		stat_loader_dropped++;
		return 0;
	}
	stat_records++;
	stat_bytes += size;
	return 0;
}

/* ------------------------------------------------------------------ control */

static void handle_command(char *line)
{
	unsigned pid;
	if (sscanf(line, "track %u", &pid) == 1) {
		int err = track_tree(pid);
		if (err)
			logf_("track %u: %s", pid, strerror(-err));
		emit_ack(pid, AS_ACK_TRACK);
	} else if (sscanf(line, "untrack %u", &pid) == 1) {
		if (!opts.all)
			bpf_map__delete_elem(skel->maps.tracked, &pid, sizeof(pid), 0);
		emit_ack(pid, AS_ACK_UNTRACK);
	} else if (strcmp(line, "stats") == 0) {
		emit_stats();
	} else if (line[0]) {
		logf_("unknown command: %s", line);
	}
}

/* Returns false on EOF. */
static bool read_control(void)
{
	static char buf[4096];
	static size_t len;
	ssize_t n = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	len += n;
	char *start = buf, *nl;
	while ((nl = memchr(start, '\n', buf + len - start))) {
		*nl = 0;
		handle_command(start);
		start = nl + 1;
	}
	len -= start - buf;
	memmove(buf, start, len);
	if (len == sizeof(buf) - 1) {
		logf_("control line too long; discarded");
		len = 0;
	}
	return true;
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: agentsight-loader [--pid PID]... [--comm NAME] [--all] [--ringbuf-bytes N]\n"
		"                         [--tls-cap-bytes N] [--no-tls] [--stats-interval-ms N] [--verbose]\n");
}

static int parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "pid", required_argument, 0, 'p' },	  { "comm", required_argument, 0, 'c' },
		{ "all", no_argument, 0, 'a' },		  { "ringbuf-bytes", required_argument, 0, 'r' },
		{ "tls-cap-bytes", required_argument, 0, 't' }, { "no-tls", no_argument, 0, 'n' },
		{ "stats-interval-ms", required_argument, 0, 's' }, { "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },	  { 0, 0, 0, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (opts.npids == MAX_SEED_PIDS)
				return -1;
			opts.pids[opts.npids++] = strtoul(optarg, NULL, 10);
			break;
		case 'c': opts.comm = optarg; break;
		case 'a': opts.all = true; break;
		case 'r': opts.ringbuf_bytes = strtoull(optarg, NULL, 10); break;
		case 't': opts.tls_cap_bytes = strtoul(optarg, NULL, 10); break;
		case 'n': opts.tls = false; break;
		case 's': opts.stats_interval_ms = atoi(optarg); break;
		case 'v': opts.verbose = true; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	long page = sysconf(_SC_PAGESIZE);
	if (opts.ringbuf_bytes < (__u64)page || (opts.ringbuf_bytes & (opts.ringbuf_bytes - 1)) ||
	    opts.ringbuf_bytes > (1ull << 31)) {
		logf_("--ringbuf-bytes must be a power of two between %ld and 2^31", page);
		return -1;
	}
	if (opts.tls_cap_bytes == 0 || opts.stats_interval_ms <= 0) {
		logf_("--tls-cap-bytes and --stats-interval-ms must be positive");
		return -1;
	}
	if (opts.comm && strlen(opts.comm) >= AS_COMM_LEN)
		logf_("--comm '%s' is longer than the kernel's 15-char comm; matching its prefix", opts.comm);
	return 0;
}

static int add_fd(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void disable_tls_programs(void)
{
	struct bpf_program *tls[] = { skel->progs.ssl_write_entry,    skel->progs.ssl_write_return,
				      skel->progs.ssl_write_ex_entry, skel->progs.ssl_write_ex_return,
				      skel->progs.ssl_read_entry,     skel->progs.ssl_read_return,
				      skel->progs.ssl_read_ex_entry,  skel->progs.ssl_read_ex_return,
				      skel->progs.ssl_free,	      skel->progs.ssl_handshake_entry,
				      skel->progs.ssl_handshake_return };
	for (size_t i = 0; i < sizeof(tls) / sizeof(tls[0]); i++)
		bpf_program__set_autoload(tls[i], false);
}

static void *destroy_link(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

/*
 * Each detach waits for the kernel's RCU grace periods (~50-100 ms per uprobe here), so
 * detaching dozens of links one after another held a stopping `record` for seconds. Detaching
 * them from one thread each lets those waits overlap.
 */
static void destroy_links_in_parallel(void)
{
	/* The skeleton's own links (tracepoints) as well as the TLS probes attached on demand. */
	struct bpf_link **skel_links = (struct bpf_link **)&skel->links;
	size_t n_skel = sizeof(skel->links) / sizeof(*skel_links);
	size_t total = n_skel + n_links, started = 0;
	pthread_t *threads = calloc(total, sizeof(*threads));

	for (size_t i = 0; i < total; i++) {
		struct bpf_link **slot = i < n_skel ? &skel_links[i] : &links[i - n_skel];
		if (!*slot)
			continue;
		if (!threads || pthread_create(&threads[started], NULL, destroy_link, *slot))
			bpf_link__destroy(*slot); /* no thread: detach inline */
		else
			started++;
		*slot = NULL;
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
}

int main(int argc, char **argv)
{
	struct ring_buffer *rb = NULL;
	int err, ep = -1, sfd = -1, tfd = -1, rc = 1;

	if (parse_args(argc, argv)) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	libbpf_set_print(libbpf_log);
	if (check_privileges())
		return EXIT_NO_PRIVILEGES;
	ensure_tracefs();

	skel = agentsight_bpf__open();
	if (!skel) {
		logf_("opening BPF object failed: %s", strerror(errno));
		return 1;
	}
	skel->rodata->trace_all = opts.all;
	if (opts.comm) {
		skel->rodata->filter_comm = true;
		strncpy((char *)skel->rodata->target_comm, opts.comm, AS_COMM_LEN - 1);
	}
	skel->rodata->tls_cap_bytes = opts.tls_cap_bytes;
	skel->rodata->loader_tgid = getpid();
	skel->rodata->tls_wakeup_bytes = opts.ringbuf_bytes / TLS_WAKEUP_FRACTION;
	bpf_map__set_max_entries(skel->maps.events, opts.ringbuf_bytes);
	if (!opts.tls)
		disable_tls_programs();

	err = agentsight_bpf__load(skel);
	if (err) {
		logf_("loading BPF programs failed: %s", strerror(-err));
		/* EACCES here is the verifier rejecting a program, not a privilege problem. */
		rc = err == -EPERM ? EXIT_NO_PRIVILEGES : 1;
		goto out;
	}
	err = agentsight_bpf__attach(skel);
	if (err) {
		logf_("attaching tracepoints failed: %s", strerror(-err));
		rc = (err == -EPERM || err == -EACCES) ? EXIT_NO_PRIVILEGES : 1;
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_record, NULL, NULL);
	if (!rb) {
		logf_("creating ring buffer reader failed: %s", strerror(errno));
		goto out;
	}

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	struct itimerspec its = { .it_interval = { opts.stats_interval_ms / 1000,
						   (opts.stats_interval_ms % 1000) * 1000000L } };
	its.it_value = its.it_interval;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || tfd < 0 || ep < 0 || timerfd_settime(tfd, 0, &its, NULL) ||
	    add_fd(ep, ring_buffer__epoll_fd(rb)) || add_fd(ep, sfd) || add_fd(ep, tfd)) {
		logf_("setting up the event loop failed: %s", strerror(errno));
		goto out;
	}
	/* A regular file or /dev/null on stdin cannot be polled: run without control then. */
	if (add_fd(ep, STDIN_FILENO))
		logf_("stdin is not a pipe or terminal (%s): control commands disabled", strerror(errno));

	emit_clock();
	seed_targets();
	skel->bss->freeze_unknown_files = opts.tls;
	emit_simple(AS_REC_READY);
	out_flush();
	logf_("ready (%s, ring buffer %llu bytes, TLS %s)",
	      opts.all ? "all processes" : opts.comm ? "by comm" : "by pid",
	      (unsigned long long)opts.ringbuf_bytes, opts.tls ? "on" : "off");

	bool running = true;
	while (running && !out_broken) {
		struct epoll_event evs[4];
		int n = epoll_wait(ep, evs, 4, TLS_POLL_MS);
		if (n < 0 && errno != EINTR) {
			logf_("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == sfd) {
				struct signalfd_siginfo si;
				if (read(sfd, &si, sizeof(si)) > 0)
					logf_("signal %u: stopping", si.ssi_signo);
				running = false;
			} else if (fd == tfd) {
				__u64 ticks;
				if (read(tfd, &ticks, sizeof(ticks)) > 0) {
					emit_clock();
					emit_stats();
				}
			} else if (fd == STDIN_FILENO) {
				if (!read_control()) {
					logf_("stdin closed: stopping");
					running = false;
				}
			}
		}
		/* TLS data below the wakeup threshold only arrives this way (timeout or other events). */
		ring_buffer__consume(rb);
		out_flush();
	}

	/* Stop freezing first, so the drain resumes every process the kernel stopped for us. */
	skel->bss->freeze_unknown_files = false;
	ring_buffer__consume(rb);
	emit_stats();
	out_flush();
	logf_("stopped: %llu records, %llu bytes forwarded, %llu malformed",
	      (unsigned long long)stat_records, (unsigned long long)stat_bytes,
	      (unsigned long long)stat_loader_dropped);
	rc = out_broken ? 1 : 0;
	/* Detaching dozens of probes takes the kernel a while: let the reader see EOF first. */
	close(STDOUT_FILENO);
out:
	if (skel)
		destroy_links_in_parallel();
	free(links);
	free(seen_files);
	ring_buffer__free(rb);
	agentsight_bpf__destroy(skel);
	if (ep >= 0)
		close(ep);
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	return rc;
}
