/* report.h - what switch_root, run_init and initrd-host say around
 * lib/switch/switchroot.c's engine (applets/report.c), in one place. */
#ifndef INITBOX_REPORT_H
#define INITBOX_REPORT_H

#include "applet.h"

/* The state switch_root and run_init stop in: their checks come first. */
#define REPORT_UNCHANGED "nothing was changed"

/* One line from the engine: "applet: TEXT" on stderr. */
void report_line(void *ctx, const char *text);
/* Say "applet: REASON" (FMT). A dry run or a process that is not PID 1
 * then exits 1. PID 1 never exits: it says "applet: STATE; starting
 * /bin/sh on the initramfs" and execs /bin/sh -i on its stdio (the
 * console); if that fails, it says so and stays alive reaping children. */
_Noreturn void report_stop(bool dry, const char *state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "PREFIXstep[: errno]": why switchroot_check or switchroot_run stopped
 * (s->err), then report_stop with STATE.
 * switch_root and run_init pass REPORT_UNCHANGED and "". */
_Noreturn void report_failed(const struct switchroot *s, const char *state,
			     const char *prefix);
/* NEWROOT and INIT from the operands at ARGV[IND], then the checks: a
 * failed one stops (report_failed). With DRY (-n) the process exits; the
 * answer is said under APPLET's name, or not at all when APPLET is NULL
 * (klibc's run-init -n is silent, and Debian's /init calls it twice on
 * every boot). Returns when the switch may go ahead. */
void report_check(struct switchroot *s, int argc, char **argv, int ind,
		  bool dry, const char *applet);
/* Switch to s->newroot and run INIT_ARGV (a fallback init when the check
 * chose one, said in a warning). Never returns: a failure goes to
 * report_failed with STATE and PREFIX. */
_Noreturn void report_switch(struct switchroot *s, char **init_argv,
			     bool verbose, const char *state,
			     const char *prefix);

#endif
