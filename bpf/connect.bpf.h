/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * connect(2): IPv4 and IPv6 destinations, with the result.
 * Included once by agentsight.bpf.c, whose maps and helpers it uses.
 */

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
