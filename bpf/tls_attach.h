/* SPDX-License-Identifier: MIT */
/* Finds the TLS libraries of tracked processes and attaches the SSL_* uprobes to them. */
#ifndef AGENTSIGHT_TLS_ATTACH_H
#define AGENTSIGHT_TLS_ATTACH_H

#include <stdbool.h>
#include <linux/types.h>

/* The executable and every mapped libssl of a running process. */
void scan_process_tls(__u32 pid);
/* The executable of a process that has just exec'd. */
void attach_exe(__u32 pid);
bool is_libssl(const char *path);
/* A tracked process opened `file` (a libssl.so*) as `fd`: attach before it gets used. */
void attach_opened_libssl(__u32 pid, const char *file, long fd);
/* With --no-tls: the uprobe programs are not even loaded. */
void disable_tls_programs(void);
/* Detaches every link (the skeleton's tracepoints and the uprobes) with the kernel's waits
 * overlapped, and forgets which files were attached. */
void detach_all(void);

#endif
