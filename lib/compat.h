/* compat.h - kernel constants and syscalls that musl's or the uapi headers
 * may lack. One place for all of them, each guarded so a newer header wins.
 */
#ifndef INITBOX_COMPAT_H
#define INITBOX_COMPAT_H

#include <stdint.h>
#include <sys/syscall.h>

/* statfs f_type magics (linux/magic.h) */
#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#ifndef SQUASHFS_MAGIC
#define SQUASHFS_MAGIC 0x73717368
#endif

/* statvfs f_flag (linux/statfs.h) and mount(2) flag, both from 5.10 */
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/* openat2(2), Linux 5.6: the same number on every architecture. */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* i386 syscall numbers (arch/x86/entry/syscalls/syscall_32.tbl): the
 * linuxrc supervisor on x86_64 also sees a 32-bit linuxrc's calls. */
enum { I386_NR_mount = 21, I386_NR_umount2 = 52 };

/* openat2(2)'s struct open_how (linux/openat2.h), for files that do not
 * include the uapi header. */
struct open_how_compat {
	uint64_t flags, mode, resolve;
};

/* openat2(2) resolve flags (linux/openat2.h), for cpio-unpack. */
#ifndef RESOLVE_NO_MAGICLINKS
#define RESOLVE_NO_MAGICLINKS 0x02
#endif
#ifndef RESOLVE_IN_ROOT
#define RESOLVE_IN_ROOT 0x10
#endif

/* finit_module flags (uapi linux/module.h; COMPRESSED_FILE since 5.17) */
#ifndef MODULE_INIT_IGNORE_MODVERSIONS
#define MODULE_INIT_IGNORE_MODVERSIONS 1
#endif
#ifndef MODULE_INIT_IGNORE_VERMAGIC
#define MODULE_INIT_IGNORE_VERMAGIC 2
#endif
#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

#endif
