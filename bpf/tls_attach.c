// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "tls_attach.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "agentsight.h"
#include "agentsight.skel.h"
#include "elf_symbols.h"
#include "loader.h"
#include "output.h"

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

void attach_exe(__u32 pid)
{
	char path[64], shown[PATH_MAX];
	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	ssize_t n = readlink(path, shown, sizeof(shown) - 1);
	if (n <= 0)
		return;
	shown[n] = 0;
	attach_tls_file(path, shown, pid);
}

bool is_libssl(const char *path)
{
	const char *base = strrchr(path, '/');
	return strstr(base ? base + 1 : path, "libssl.so") != NULL;
}

void scan_process_tls(__u32 pid)
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

void attach_opened_libssl(__u32 pid, const char *file, long fd)
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

void disable_tls_programs(void)
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
void detach_all(void)
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
	free(links);
	links = NULL;
	n_links = cap_links = 0;
	free(seen_files);
	seen_files = NULL;
	n_seen_files = cap_seen_files = 0;
}
