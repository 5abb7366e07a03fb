/* msg.c - how applets report and exit (lib/ never does either).
 *
 * Every message is built whole in a stack buffer and written with one
 * write(2), so lines from PID 1 and its children never interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applet.h"

const char *prog = "initbox";

static void vmsg(int err, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;
	int r;

	r = snprintf(buf, sizeof(buf), "%s: ", prog);
	n = r < 0 ? 0 : (size_t)r;
	r = vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	n += r < 0 ? 0 : (size_t)r;
	if (n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	if (err) {
		r = snprintf(buf + n, sizeof(buf) - n, ": %s", strerror(err));
		n += r < 0 ? 0 : (size_t)r;
		if (n > sizeof(buf) - 2)
			n = sizeof(buf) - 2;
	}
	buf[n++] = '\n';
	/* Nothing better to do if stderr is gone. */
	(void)!write(2, buf, n);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
}

void warn_errno(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vmsg(e, fmt, ap);
	va_end(ap);
	errno = e;
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
	exit(out_done(1));
}

void die_errno(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vmsg(e, fmt, ap);
	va_end(ap);
	exit(out_done(1));
}

void die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
	warn("try '%s --help'", prog);
	exit(out_done(2));
}

void die_opt(const struct opt *o, int c)
{
	if (c == ':')
		die_usage("option %s needs an argument", o->err.what);
	die_usage("unknown option %s", o->err.what);
}

int out_done(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/* Avoid recursing through die(). */
		char buf[160];
		int n = snprintf(buf, sizeof(buf), "%s: write stdout: %s\n",
				 prog, strerror(errno ? errno : EIO));

		(void)!write(2, buf, n > 0 ? (size_t)n : 0);
		return code ? code : 1;
	}
	return code;
}
