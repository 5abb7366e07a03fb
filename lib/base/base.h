/* base.h - the base wing (lib/base/): what every other wing stands on.
 *
 * Small exact helpers over system calls (sys.c), numbers with range checks
 * (num.c), options with explicit state (opt.c), shell patterns (match.c),
 * the kernel command line split by the kernel's rules (cmdline.c), and the
 * kernel constants libc may lack. Nothing in lib/ exits or prints: a
 * function fails by returning -1 with errno set; only applets report.
 */
#ifndef INITBOX_BASE_H
#define INITBOX_BASE_H

#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>

/* --- compat.c: kernel constants and syscalls that musl's or the uapi headers
 * may lack. One place for all of them, each guarded so a newer header wins.
 */

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

/* --- sys.c: small exact helpers over system calls, as skalibs has them
 * (fd_close, openreadnclose, allwrite, mkdir -p): one of each, used
 * everywhere instead of the same error dance written again.
 */

/* close(2) that keeps errno: for an fd nothing was written through, or on
 * a path that is already failing (the earlier error is the one reported). */
void fd_close(int fd);

/* closedir(3) that keeps errno, for a directory only read */
void dir_close(DIR *d);

/* One read(2) of a small proc or sysfs file into buf, NUL-terminated
 * (such files give all they have at once); returns the length, -1 with
 * errno on failure. */
ssize_t fd_read_small(const char *path, char *buf, size_t len);
ssize_t fd_read_small_at(int dirfd, const char *path, char *buf, size_t len);

/* The whole file PATH (below dirfd, or AT_FDCWD) in a new buffer the
 * caller frees, NUL-terminated, *len bytes before the NUL; EFBIG when it
 * holds more than max. Files that say 0 bytes (/proc, sysfs) are read to
 * their end. 0, or -1 with errno and *buf NULL. */
int fd_slurp_at(int dirfd, const char *path, size_t max, char **buf,
		size_t *len);

/* Write all n bytes, again after EINTR; a write of 0 is ENOSPC, so that
 * a full device never spins. */
int fd_write_all(int fd, const void *buf, size_t n);

/* mkdir -p PATH (mode 0755 for each missing directory); *made (if not
 * NULL) says whether the last one was created by this call. */
int mkdir_p(const char *path, bool *made);

/* Room for one more element in the array whose pointer is at pv (any
 * element type), n of its *cap elements of size bytes in use: the
 * capacity doubles from 8, checked for overflow. 0, or -1 with ENOMEM and
 * the array unchanged. */
int array_grow(void *pv, size_t *cap, size_t n, size_t size);

/* The kernel's new_encode_dev / new_decode_dev: the format of
 * real-root-dev and of LOOP_GET_STATUS64's lo_device. */
uint32_t dev_encode(dev_t dev);
dev_t dev_decode(uint32_t v);

/* --- cmdline.c: the kernel command line, split as the kernel splits it.
 *
 * One parser for every reader (modprobe's configuration, initrd-host, the
 * cmdline applet behind /init), with the rules of next_arg() in Linux's
 * kernel/params.c: words end at blanks outside double quotes; a word is
 * PARAM or PARAM=VALUE, split at the first '='; a quote opening the word
 * or the value is removed with the word's last character when that is a
 * quote; other quotes stay; there are no escapes. Whatever the line holds
 * is data: a newline inside quotes stays inside its value.
 */

/* COMMAND_LINE_SIZE is 2048 on x86 and arm64, 4096 at most elsewhere;
 * bootconfig adds to the line within that size, /proc a newline */
enum { CMDLINE_MAX = 8192 };

struct cmdline_word {
	char *param; /* the word, or its part before the first '=' */
	char *val;   /* after the first '=', NULL without one */
	bool quoted; /* the word or its value had its quotes removed */
};

/* The next word of the line at *s, split in place; *s moves past it.
 * false at the end of the line. */
bool cmdline_next(char **s, struct cmdline_word *w);

/* Read PATH (/proc/cmdline) whole into buf, NUL-terminated. -1 with errno;
 * E2BIG when it does not fit. */
int cmdline_read(const char *path, char *buf, size_t size);

/* kmod's reading of a word as a module's option, MODULE.PARAM[=VALUE]:
 * MODULE only of the characters a module name holds (letters, digits,
 * '_' and '-'), PARAM without a further '.' or a quote. Returns the length of
 * MODULE, 0 when the word is not a module's option. */
size_t cmdline_module(const struct cmdline_word *w);

/* --- err.c: what failed, said one way.
 *
 * A lib function that fails returns -1 with errno set; where the caller
 * must know what failed, it also fills a struct err: what failed, with its
 * object ("open NEWROOT /new_root", "mount proc on /proc"), and the errno
 * that explains it, 0 when the words say it all ("INIT /sbin/init: not
 * executable"). Applets print it one way (applets/msg.c, warn_err):
 * "applet: [CONTEXT: ]WHAT[: strerror]".
 */
struct err {
	char what[PATH_MAX + 128];
	int no;
	const char *why; /* words errno cannot say ("not a regular file"),
			  * printed instead of strerror(no); NULL if none */
};

/* Fill e; errno becomes no (EINVAL when no is 0). Returns -1, so that a
 * failure reads "return err_set(e, errno, "open %s", path);". */
int err_set(struct err *e, int no, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_vset(struct err *e, int no, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* "WHAT: WHY", "WHAT: strerror" or "WHAT" into buf (ERR_STR_MAX holds any);
 * returns buf. */
enum { ERR_STR_MAX = PATH_MAX + 128 + 64 };
const char *err_str(const struct err *e, char *buf, size_t len);

/* --- opt.c, num.c, match.c */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* opt.c: option parsing with explicit state. Short options bundle
 * ("-fr"), take their argument attached or as the next word, "--" ends
 * options, and parsing stops at the first operand (so "switch_root NEWROOT
 * INIT -x" leaves -x to INIT), unless o.mixed: then options may follow
 * operands (as util-linux's mount allows) and each operand comes back as
 * OPT_OPERAND with the word in o.arg, every word after "--" too. Long
 * options take "--name=VALUE" or "--name VALUE"; an OPT_OPTIONAL one only
 * "--name=VALUE" or "--name" (o.arg NULL). */
enum { OPT_NONE, OPT_ARG, OPT_OPTIONAL };
enum { OPT_OPERAND = 1 };
struct opt_long {
	const char *name;
	int has_arg;	/* OPT_NONE, OPT_ARG or OPT_OPTIONAL */
	int val;	/* returned by opt_next */
};
struct opt {
	int ind;		/* index of the next word; first operand at the end */
	int pos;		/* position inside a bundle of short options */
	const char *arg;	/* the option's argument, or the operand */
	bool mixed;		/* options may follow operands (set after opt_init) */
	bool rest;		/* after "--" with mixed: operands only */
	struct err err;		/* what: the offending option, for messages */
};
void opt_init(struct opt *o);
/* Returns the option (its char, or opt_long.val), -1 at the end of the
 * options, '?' for an unknown one, ':' when its argument is missing. */
int opt_next(struct opt *o, int argc, char **argv, const char *shorts,
	     const struct opt_long *longs);

/* num.c: numbers with range checks, never atoi. */
int num_u64(const char *s, uint64_t max, uint64_t *out);
/* SIZE with an optional suffix: K M G T (and KiB MiB GiB TiB) are powers of
 * 1024, KB MB GB TB powers of 1000, as util-linux parses them. */
int num_size(const char *s, uint64_t *out);
/* "41.2 MiB" style, into buf; returns buf. */
char *num_human(uint64_t bytes, char *buf, size_t len);
/* UID:GID (or UID.GID), each a number or root, as cpio -R takes it. */
int num_owner(const char *s, uint32_t *uid, uint32_t *gid);
/* One number at s; returns the character after it, NULL if none. */
const char *num_scan_hex(const char *s, uint64_t *out);
const char *num_scan_dec(const char *s, uint64_t *out);

/* match.c: shell-style patterns ('*', '?', [a-z], [!x]) as modules.alias
 * uses them; like fnmatch(pat, s, 0) for ASCII. */
bool match_glob(const char *pat, const char *s);

#endif
