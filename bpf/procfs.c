// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "procfs.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int list_processes(struct proc_entry **out)
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

bool read_comm(__u32 pid, char comm[AS_COMM_LEN])
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
