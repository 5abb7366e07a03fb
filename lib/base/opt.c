/* opt.c - getopt without globals: bundled short options, long options
 * (=VALUE, optional values), "--", and a stop at the first operand or
 * operands mixed with options (see base.h). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base.h"

void opt_init(struct opt *o)
{
	memset(o, 0, sizeof(*o));
	o->ind = 1;
}

static void set_bad(struct opt *o, const char *prefix, const char *s,
		    size_t n)
{
	/* the option as given, cut to fit: it is only shown */
	err_set(&o->err, 0, "%s%.*s", prefix, n > 64 ? 64 : (int)n, s);
}

static int long_opt(struct opt *o, int argc, char **argv,
		    const struct opt_long *longs)
{
	const char *w = argv[o->ind] + 2;
	const char *eq = strchr(w, '=');
	size_t n = eq ? (size_t)(eq - w) : strlen(w);

	o->ind++;
	for (; longs && longs->name; longs++) {
		if (strlen(longs->name) != n || strncmp(longs->name, w, n))
			continue;
		if (longs->has_arg == OPT_OPTIONAL) {
			o->arg = eq ? eq + 1 : NULL;
			return longs->val;
		}
		if (longs->has_arg == OPT_NONE) {
			if (eq) {
				set_bad(o, "--", w, n);
				return '?';
			}
			return longs->val;
		}
		if (eq) {
			o->arg = eq + 1;
		} else if (o->ind < argc) {
			o->arg = argv[o->ind++];
		} else {
			set_bad(o, "--", w, n);
			return ':';
		}
		return longs->val;
	}
	set_bad(o, "--", w, n);
	return '?';
}

int opt_next(struct opt *o, int argc, char **argv, const char *shorts,
	     const struct opt_long *longs)
{
	const char *w, *s;
	int c;

	o->arg = NULL;
	if (o->pos == 0) {
		if (o->ind >= argc)
			return -1;
		w = argv[o->ind];
		if (o->rest || w[0] != '-' || w[1] == '\0') {
			if (!o->mixed)
				return -1;
			o->arg = argv[o->ind++];
			return OPT_OPERAND;
		}
		if (w[1] == '-' && w[2] == '\0') {
			o->ind++;
			if (!o->mixed)
				return -1;
			o->rest = true;
			return opt_next(o, argc, argv, shorts, longs);
		}
		if (w[1] == '-')
			return long_opt(o, argc, argv, longs);
		o->pos = 1;
	}
	w = argv[o->ind];
	c = (unsigned char)w[o->pos++];
	s = c == ':' ? NULL : strchr(shorts, c);
	if (!s) {
		char b[2] = { (char)c, 0 };

		set_bad(o, "-", b, 1);
		if (!w[o->pos]) {
			o->ind++;
			o->pos = 0;
		}
		return '?';
	}
	if (s[1] == ':') {
		if (w[o->pos]) {
			o->arg = w + o->pos;
		} else if (o->ind + 1 < argc) {
			o->arg = argv[++o->ind];
		} else {
			char b[2] = { (char)c, 0 };

			set_bad(o, "-", b, 1);
			o->ind++;
			o->pos = 0;
			return ':';
		}
		o->ind++;
		o->pos = 0;
		return c;
	}
	if (!w[o->pos]) {
		o->ind++;
		o->pos = 0;
	}
	return c;
}
