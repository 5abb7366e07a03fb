/* report.c - what switch_root, run_init and initrd-host say around
 * lib/switchroot.c's engine: the same lines, from one place.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

void report_line(void *ctx, const char *text)
{
	(void)ctx;
	warn("%s", text);
}

void report_failed(const struct switchroot *s)
{
	if (s->step_errno)
		die("%s: %s", s->step, strerror(errno));
	die("%s", s->step);
}

int report_ready(struct switchroot *s, const char *applet)
{
	printf("%s: ready: %s is a mount point and %s runs in it\n", applet,
	       s->newroot, s->init);
	switchroot_free(s);
	return out_done(0);
}

void report_switch(struct switchroot *s, char **init_argv, bool verbose)
{
	if (s->init_asked) {
		warn("%s; using %s instead", s->init_why, s->init);
		init_argv[0] = (char *)s->init;
	}
	switchroot_run(s, init_argv, verbose, report_line, NULL);
	report_failed(s);
}
