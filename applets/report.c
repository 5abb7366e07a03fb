/* report.c - what switch_root, run_init and initrd-host say around
 * lib/switch/switchroot.c's engine, and where PID 1 goes when they stop: the
 * same lines and the same rescue, from one place.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

void report_line(void *ctx, const char *text)
{
	(void)ctx;
	warn("%s", text);
}

void report_stop(bool dry, const char *state, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (dry || getpid() != 1)
		die("%s", line);
	/* PID 1 exiting panics the kernel ("Attempted to kill init") with
	 * the reason scrolled away; the initramfs's shell, as PID 1, can
	 * look around and exec the applet again. */
	warn("%s", line);
	warn("%s; starting /bin/sh on the initramfs", state);
	if (fflush(stdout) != 0)
		warn_errno("write stdout");
	execl("/bin/sh", "sh", "-i", (char *)NULL);
	warn("run /bin/sh: %s; staying alive as PID 1", strerror(errno));
	switchroot_hang();
}

void report_failed(const struct switchroot *s, const char *state,
		   const char *prefix)
{
	char buf[ERR_STR_MAX];

	report_stop(s->dry_run, state, "%s%s", prefix,
		    err_str(&s->err, buf, sizeof(buf)));
}

void report_check(struct switchroot *s, int argc, char **argv, int ind,
		  bool dry, const char *applet)
{
	if (argc - ind < 2)
		die_usage("need NEWROOT and INIT");
	s->newroot = argv[ind];
	s->init = argv[ind + 1];
	s->dry_run = dry;
	if (switchroot_check(s) < 0)
		report_failed(s, REPORT_UNCHANGED, "");
	if (!dry)
		return;
	if (applet)
		printf("%s: ready: %s is a mount point and %s runs in it\n",
		       applet, s->newroot, s->init);
	switchroot_free(s);
	exit(out_done(0));
}

void report_switch(struct switchroot *s, char **init_argv, bool verbose,
		   const char *state, const char *prefix)
{
	if (s->init_asked) {
		warn("%s; using %s instead", s->init_why, s->init);
		init_argv[0] = (char *)s->init;
	}
	switchroot_run(s, init_argv, verbose, report_line, NULL);
	report_failed(s, state, prefix);
}
