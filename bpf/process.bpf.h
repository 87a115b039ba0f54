/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Process lifetimes: exec (filename, argv, OTel carrier env), fork (extends the tracked set), exit.
 * Included once by agentsight.bpf.c, whose maps and helpers it uses.
 */

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
