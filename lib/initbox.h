/* initbox.h - the one header applets include.
 *
 * lib/ never exits and never prints: its functions return -1 with errno set
 * and, where the caller must know which step failed, record a short phrase
 * naming it. Only applets report and exit, through the functions declared
 * at the end of this file (applets/msg.c).
 */
#ifndef INITBOX_H
#define INITBOX_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

#include "compat.h"
#include "sys.h"
#include "cpio.h"
#include "extract.h"
#include "pack.h"
#include "overlay.h"
#include "blkid.h"
#include "devs.h"
#include "media.h"
#include "mntdev.h"
#include "kmod.h"
#include "loop.h"
#include "mntopt.h"
#include "mountinfo.h"
#include "pins.h"
#include "caps.h"
#include "switchroot.h"
#include "pivot.h"
#include "initrd.h"

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
	char bad[64];		/* the offending option, for messages */
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

/* Applet side (applets/msg.c). Messages read "applet: action object: why",
 * are built whole and written with one write(2). */
extern const char *prog;
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die_errno(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Exit 2 with "applet: MSG" and a pointer to --help (never the usage
 * text itself). */
_Noreturn void die_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Exit 2 for what opt_next returned as C: "option -x needs an argument"
 * for ':', else "unknown option -x". */
_Noreturn void die_opt(const struct opt *o, int c);
/* Flush stdout and report a failed write; returns the exit code to use. */
int out_done(int code);

#endif
