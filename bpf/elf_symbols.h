/* SPDX-License-Identifier: MIT */
#ifndef AGENTSIGHT_ELF_SYMBOLS_H
#define AGENTSIGHT_ELF_SYMBOLS_H

#include <stddef.h>

/*
 * Resolves several function symbols of one ELF file in a single pass over its symbol tables
 * (.symtab and .dynsym). libbpf resolves one name per attach and rereads the tables each time,
 * which for node's ~100 MB executable costs tens of ms per probe.
 *
 * offsets[i] receives the file offset (what a uprobe attaches to) of a defined function named
 * names[i], or 0 when the file has none. Returns the number found, or -errno when the file is
 * not a readable ELF.
 */
int elf_resolve_functions(const char *path, const char *const *names, size_t count, size_t *offsets);

#endif
