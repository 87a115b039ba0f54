/* SPDX-License-Identifier: MIT */
/*
 * Record layout shared by the BPF programs (kernel → ring buffer) and the loader
 * (ring buffer → stdout). Every record starts with `struct as_hdr`; `size` covers the
 * whole record including header and trailing variable data. All integers are
 * little-endian; records are packed back to back on stdout with no extra framing
 * (the magic lets a reader resynchronise). Mirrored in sidecar/src/capture/record-layout.ts.
 */
#ifndef AGENTSIGHT_H
#define AGENTSIGHT_H

#define AS_MAGIC 0x31525341u /* "ASR1" */
#define AS_COMM_LEN 16

enum as_rec_type {
	/* produced by the kernel */
	AS_REC_EXEC = 1,
	AS_REC_FORK = 2,
	AS_REC_EXIT = 3,
	AS_REC_FILE = 4,
	AS_REC_CONNECT = 5,
	AS_REC_TLS_DATA = 6,
	AS_REC_TLS_CLOSE = 7,
	AS_REC_TLS_HANDSHAKE = 8,
	/* produced by the loader */
	AS_REC_CLOCK = 64,
	AS_REC_READY = 65,
	AS_REC_ATTACH = 66,
	AS_REC_ACK = 67,
	AS_REC_STATS = 68,
};

/* as_hdr.flags */
#define AS_F_TRUNCATED 0x1     /* TLS: bytes of this chunk/call are missing after data */
#define AS_F_ARGV_TRUNC 0x1    /* EXEC: argv longer than AS_ARGV_CAP */
#define AS_F_ENV_TRUNC 0x2     /* EXEC: environment longer than AS_ENV_CAP */
#define AS_F_FROZEN 0x4        /* EXEC/FILE: the kernel stopped the process (SIGSTOP) until the
                                  loader has checked the file for TLS symbols and sent SIGCONT */
#define AS_F_PATH_RESOLVED 0x8 /* FILE: relative path(s) made absolute by the kernel side */

struct as_hdr {
	__u32 magic;
	__u32 size;
	__u16 type;
	__u16 flags;
	__u32 ppid;
	__u64 ts_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u32 pid;   /* tgid */
	__u32 tid;
	char comm[AS_COMM_LEN];
}; /* 48 bytes */

#define AS_FILENAME_CAP 512
#define AS_ARGV_CAP 4096
#define AS_ENV_CAP 16384

/* data = filename (NUL-terminated) | argv (NUL-separated) | env (NUL-separated "K=V") */
struct as_exec {
	struct as_hdr h;
	__u32 filename_len;
	__u32 argv_len;
	__u32 env_len;
	__u32 _pad;
	char data[];
};

struct as_fork {
	struct as_hdr h;
	__u32 child_pid;
	__u32 _pad;
};

struct as_exit {
	struct as_hdr h;
	__u32 status; /* wait(2) status: exit code << 8, or terminating signal in the low 7 bits */
	__u32 _pad;
};

enum as_file_op { AS_FILE_OPEN = 1, AS_FILE_UNLINK = 2, AS_FILE_RENAME = 3, AS_FILE_MKDIR = 4 };

#define AS_PATH_CAP 4096

/*
 * data = path (NUL-terminated) | new path (NUL-terminated, rename only). A relative path is made
 * absolute in the kernel, against the cwd or the directory fd it was passed with (walking the
 * dentries and mounts, at most 32 levels), and AS_F_PATH_RESOLVED is set; if that is not
 * possible it is reported as passed.
 */
struct as_file {
	struct as_hdr h;
	__u16 op;
	__u16 path_len;
	__u16 new_path_len;
	__u16 _pad;
	__s32 flags;
	__s32 dirfd;     /* AT_FDCWD (-100) for the syscalls without one */
	__s32 new_dirfd; /* rename */
	__s32 _pad2;
	__s64 result;
	char data[];
};

struct as_connect {
	struct as_hdr h;
	__u16 family; /* AF_INET = 2, AF_INET6 = 10 */
	__u16 port;   /* host byte order */
	__u32 _pad;
	__s64 result;
	__u8 addr[16];
};

enum as_tls_dir { AS_TLS_WRITE = 0, AS_TLS_READ = 1 };
enum as_tls_fn { AS_FN_SSL_WRITE = 1, AS_FN_SSL_WRITE_EX = 2, AS_FN_SSL_READ = 3, AS_FN_SSL_READ_EX = 4 };

#define AS_TLS_CHUNK 16384

struct as_tls_data {
	struct as_hdr h;
	__u64 ssl;        /* SSL* in the process */
	__u64 start_time; /* process start (task->group_leader->start_time), for connId uniqueness */
	__u64 offset;     /* stream offset of data[0] for this connection and direction */
	__u32 call_len;   /* bytes the SSL call transferred */
	__u32 data_len;   /* bytes in data[] */
	__u8 dir;         /* enum as_tls_dir */
	__u8 fn;          /* enum as_tls_fn: which probe produced it */
	__u16 _pad;
	__u32 _pad2;
	char data[];
};

struct as_tls_close {
	struct as_hdr h;
	__u64 ssl;
	__u64 start_time;
};

enum as_handshake_result {
	AS_HANDSHAKE_INCOMPLETE = -1, /* SSL_free while the handshake was still in progress */
	AS_HANDSHAKE_FAILED = 0,     /* the handshake function returned 0 */
	AS_HANDSHAKE_DONE = 1,
};

/* One TLS handshake, from the first call into it (h.ts_ns) to its outcome (end_ns). */
struct as_tls_handshake {
	struct as_hdr h;
	__u64 ssl;
	__u64 start_time;
	__u64 end_ns; /* CLOCK_MONOTONIC */
	__s32 result; /* enum as_handshake_result */
	__u32 _pad;
};

struct as_clock {
	struct as_hdr h;
	__s64 realtime_minus_monotonic_ns;
};

struct as_attach {
	struct as_hdr h;
	__u32 path_len; /* including NUL */
	__u32 _pad;
	char path[];
};

enum as_ack_op { AS_ACK_TRACK = 1, AS_ACK_UNTRACK = 2 };

struct as_ack {
	struct as_hdr h;
	__u32 pid;
	__u32 op;
};

struct as_stats {
	struct as_hdr h;
	__u64 records;                /* kernel records forwarded */
	__u64 bytes;                  /* bytes of those records */
	__u64 kernel_dropped_records; /* failed ring buffer outputs, all CPUs */
	__u64 kernel_dropped_bytes;
	__u64 loader_dropped_records; /* malformed ring buffer records */
};

/* Key of the known_files map: a file the loader already checked for TLS symbols. */
struct as_file_key {
	__u64 dev; /* kernel-internal dev_t (MAJOR << 20 | MINOR) */
	__u64 ino;
};

/* Indexes of the per-CPU drop counter array. */
enum as_drop_idx { AS_DROP_RECORDS = 0, AS_DROP_BYTES = 1, AS_DROP_MAX = 2 };

#endif
