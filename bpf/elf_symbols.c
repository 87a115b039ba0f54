// SPDX-License-Identifier: MIT
#include "elf_symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

/* `sym` names `want`, possibly with a symbol version suffix (SSL_write@@OPENSSL_3.0.0). */
static int names_match(const char *sym, const char *want)
{
	size_t n = strlen(want);
	return strncmp(sym, want, n) == 0 && (sym[n] == 0 || sym[n] == '@');
}

/* File offset of a virtual address inside section `shndx`; 0 when it cannot be mapped. */
static size_t file_offset(Elf *elf, size_t shndx, GElf_Addr value)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf_getscn(elf, shndx);
	if (!scn || !gelf_getshdr(scn, &sh) || value < sh.sh_addr || value >= sh.sh_addr + sh.sh_size)
		return 0;
	return value - sh.sh_addr + sh.sh_offset;
}

static size_t scan_table(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *const *names,
			 size_t count, size_t *offsets, size_t found)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || sh->sh_entsize == 0)
		return found;
	size_t n = sh->sh_size / sh->sh_entsize;
	for (size_t i = 0; i < n && found < count; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE || sym.st_value == 0)
			continue;
		const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name)
			continue;
		for (size_t k = 0; k < count; k++) {
			if (offsets[k] || name[0] != names[k][0] || !names_match(name, names[k]))
				continue;
			offsets[k] = file_offset(elf, sym.st_shndx, sym.st_value);
			found += offsets[k] != 0;
			break;
		}
	}
	return found;
}

int elf_resolve_functions(const char *path, const char *const *names, size_t count, size_t *offsets)
{
	memset(offsets, 0, count * sizeof(*offsets));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		close(fd);
		return -ENOEXEC;
	}
	size_t found = 0;
	/* .dynsym first: it is small and holds every exported name a stripped library keeps. */
	for (int pass = 0; pass < 2 && found < count; pass++) {
		Elf_Scn *scn = NULL;
		while ((scn = elf_nextscn(elf, scn)) && found < count) {
			GElf_Shdr sh;
			if (gelf_getshdr(scn, &sh) && sh.sh_type == (pass == 0 ? SHT_DYNSYM : SHT_SYMTAB))
				found = scan_table(elf, scn, &sh, names, count, offsets, found);
		}
	}
	elf_end(elf);
	close(fd);
	return (int)found;
}
