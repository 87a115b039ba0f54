// SPDX-License-Identifier: MIT
/*
 * agentsight-loader: loads and attaches the AgentSight BPF programs, attaches the TLS
 * uprobes to every libssl / OpenSSL-exporting executable used by tracked processes, and
 * streams records (see agentsight.h, bpf/README.md) to stdout. Control lines on stdin:
 *   track <pid> | untrack <pid> | stats
 * Logs go to stderr. Exit codes: 0 clean stop, 1 failure, 2 usage, 77 missing privileges.
 *
 * This file: options, tracking, the ring-buffer handler, control commands and the event loop.
 * output.c writes the record stream, tls_attach.c finds and probes TLS libraries (with
 * elf_symbols.c), procfs.c reads /proc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "agentsight.h"
#include "agentsight.skel.h"
#include "loader.h"
#include "output.h"
#include "procfs.h"
#include "tls_attach.h"

#define EXIT_NO_PRIVILEGES 77

struct options opts = {
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

struct agentsight_bpf *skel;

/* ------------------------------------------------------------------ logging */

void logf_(const char *fmt, ...)
{
	/* One write per line: stderr is unbuffered, and the sidecar reads it line by line. */
	char line[1024];
	int prefix = snprintf(line, sizeof(line), "agentsight-loader: ");
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line + prefix, sizeof(line) - prefix - 1, fmt, ap);
	va_end(ap);
	size_t len = prefix + (n < 0 ? 0 : (size_t)n);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2; /* cut to what vsnprintf kept */
	line[len++] = '\n';
	fwrite(line, 1, len, stderr);
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !opts.verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
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
		forwarded.malformed++;
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
		forwarded.malformed++;
		return 0;
	}
	forwarded.records++;
	forwarded.bytes += size;
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
	while (running && !out_broken()) {
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
	      (unsigned long long)forwarded.records, (unsigned long long)forwarded.bytes,
	      (unsigned long long)forwarded.malformed);
	rc = out_broken() ? 1 : 0;
	/* Detaching dozens of probes takes the kernel a while: let the reader see EOF first. */
	close(STDOUT_FILENO);
out:
	if (skel)
		detach_all();
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
