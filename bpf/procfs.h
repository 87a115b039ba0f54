/* SPDX-License-Identifier: MIT */
/* What the loader reads from /proc about processes it is asked to track. */
#ifndef AGENTSIGHT_PROCFS_H
#define AGENTSIGHT_PROCFS_H

#include <stdbool.h>
#include <linux/types.h>
#include "agentsight.h"

struct proc_entry {
	__u32 pid, ppid;
};

/* Snapshot of (pid, ppid) for every process; the caller frees *out. Returns the count or -1. */
int list_processes(struct proc_entry **out);
bool read_comm(__u32 pid, char comm[AS_COMM_LEN]);

#endif
