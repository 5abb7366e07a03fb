/* err.c - what failed, said one way (see base.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base.h"

int err_vset(struct err *e, int no, const char *fmt, va_list ap)
{
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	e->no = no;
	e->why = NULL;
	errno = no ? no : EINVAL;
	return -1;
}

int err_set(struct err *e, int no, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, no, fmt, ap);
	va_end(ap);
	return -1;
}

const char *err_str(const struct err *e, char *buf, size_t len)
{
	if (e->why)
		snprintf(buf, len, "%s: %s", e->what, e->why);
	else if (e->no)
		snprintf(buf, len, "%s: %s", e->what, strerror(e->no));
	else
		snprintf(buf, len, "%s", e->what);
	return buf;
}
