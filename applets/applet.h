/* applet.h - the header applets include: every wing of lib/, and the
 * applet side that lib/ never sees (applets/msg.c): messages and exits.
 * No lib header declares these, so a lib file that tried to print or exit
 * would not compile.
 */
#ifndef INITBOX_APPLET_H
#define INITBOX_APPLET_H

#include "base/base.h"
#include "archive/archive.h"
#include "mount/mount.h"
#include "media/media.h"
#include "kmod/kmod.h"
#include "switch/switch.h"
#include "initrd/initrd.h"
#include "verity/verity.h"
#include "shutdown/shutdown.h"

/* Messages read "applet: action object: why",
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
