/* args.c - what applets read from their command lines and the kernel's:
 * opt_next (lib/opt.c) over words split at newlines, with cpio's option
 * table (bundles, arguments, long options, "--"), then mount's mixed
 * order; then each word through num_owner (-R), media_parse (findmedia's
 * KEY=VALUE and paths), initrd_root_lookup (root= as MAJ:MIN or hex;
 * LABEL=, UUID=, PARTUUID= and paths are left out: they scan devices)
 * and initrd_rrd_get (real-root-dev, read from a memory file).
 *
 * Aborts when opt_next returns what the table does not hold, an option
 * that takes an argument comes without one, the index runs past argc or
 * goes back, or the loop does not end; when a parse that succeeded left
 * its result unset (media_parse's value not a C string).
 */
#include "base/base.h"
#include "media/media.h"
#include "initrd/initrd.h"
#include "fuzz.h"

enum { MAX_WORDS = 32, LONG_QUIET = 256, LONG_NOOP, LONG_OPT };

static const struct opt_long longs[] = {
    {"extract", OPT_NONE, 'i'},
    {"directory", OPT_ARG, 'D'},
    {"file", OPT_ARG, 'F'},
    {"quiet", OPT_NONE, LONG_QUIET},
    {"no-absolute-filenames", OPT_NONE, LONG_NOOP},
    {"sizelimit", OPT_OPTIONAL, LONG_OPT},
    {NULL, 0, 0},
};

static bool known(int c, const char *shorts)
{
	size_t i;

	if (c == '?' || c == ':' || c == -1)
		return true;
	for (i = 0; longs[i].name; i++)
		if (c == longs[i].val)
			return true;
	return c > 0 && c < 256 && c != ':' && strchr(shorts, c);
}

static bool takes_arg(int c, const char *shorts)
{
	const char *s;
	size_t i;

	for (i = 0; longs[i].name; i++)
		if (c == longs[i].val)
			return longs[i].has_arg == OPT_ARG;
	s = c > 0 && c < 256 ? strchr(shorts, c) : NULL;
	return s && s[1] == ':';
}

static void options(int argc, char **argv, const char *shorts, bool mixed)
{
	struct opt o;
	int c, n = 0, last = 0;

	opt_init(&o);
	o.mixed = mixed;
	while ((c = opt_next(&o, argc, argv, shorts, longs)) != -1) {
		if (++n > 4 * MAX_WORDS + 4096)
			abort(); /* no end */
		if (o.ind > argc || o.ind < last)
			abort();
		last = o.ind;
		if (c == OPT_OPERAND && mixed) {
			if (!o.arg)
				abort();
			continue;
		}
		if (!known(c, shorts))
			abort();
		if (takes_arg(c, shorts) && !o.arg)
			abort();
		if ((c == '?' || c == ':') && !o.err.what[0])
			abort(); /* the message would name nothing */
	}
	if (o.ind > argc)
		abort();
}

static void word(const char *w)
{
	struct media m;
	uint32_t uid, gid, v;
	dev_t dev;
	int fd;
	char path[64];

	(void)num_owner(w, &uid, &gid);
	memset(&m, 0, sizeof(m));
	if (media_parse(&m, w) == 0 && m.val &&
	    !memchr(m.val, 0, sizeof(m.unesc) + strlen(w) + 1))
		abort();
	if (strncmp(w, "LABEL=", 6) && strncmp(w, "UUID=", 5) &&
	    strncmp(w, "PARTUUID=", 9) && w[0] != '/')
		(void)initrd_root_lookup(w, &dev);
	fd = fz_memfd((const uint8_t *)w, strlen(w));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	(void)initrd_rrd_get(path, &v);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size), *argv[MAX_WORDS + 1], *p;
	int argc = 0, i;

	argv[argc++] = (char *)"fuzz";
	for (p = s; argc < MAX_WORDS;) {
		argv[argc++] = p;
		p = strchr(p, '\n');
		if (!p)
			break;
		*p++ = '\0';
	}
	argv[argc] = NULL;
	options(argc, argv, "iotdmuvf0nkD:F:I:O:H:R:p", false);
	options(argc, argv, "fnrvwo:t:L:U:", true);
	for (i = 1; i < argc; i++)
		word(argv[i]);
	free(s);
	return 0;
}
