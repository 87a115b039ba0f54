/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * TLS plaintext at SSL_write/SSL_read (and _ex), connection close, handshake timing.
 * Included once by agentsight.bpf.c, whose maps and helpers it uses.
 */

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
