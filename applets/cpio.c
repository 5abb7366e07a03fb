/* cpio - copy files into and out of newc archives (GNU cpio's command lines)
 *
 * usage: cpio -i|-t [-dmuvf] [-D DIR] [-F FILE] [-R U:G] [PATTERN...]
 *        cpio -o [-v0] [-H newc|crc] [-R U:G] [-F FILE] < NAMES
 *   -i       extract (any compression cpio-unpack reads)
 *   -t       list (-v: long, UTC)
 *   -o       archive the files named on stdin, as GNU cpio --reproducible
 *   -d       make missing parent directories
 *   -m       keep mtimes
 *   -u       replace files that are not older
 *   -v       name each file on stderr
 *   -f       the entries that match no PATTERN
 *   -0       NUL-separated names
 *   -D DIR   extract into DIR
 *   -F FILE  the archive (-I FILE, -O FILE)
 *   -R U:G   every entry's owner (numbers or root)
 *   --quiet  no "N blocks"
 *   not supported (exit 2): -p, formats other than newc and crc
 *
 * exit: 0 ok; 1 an entry or a file failed, or a malformed archive (named
 *       by its offset); 2 usage
 *
 * Notes: long options as GNU cpio spells them: --extract, --list,
 * --create, --make-directories, --preserve-modification-time,
 * --unconditional, --verbose, --null, --directory, --file, --format,
 * --owner. Accepted and always in effect: --no-absolute-filenames (names
 * stay inside DIR), --reproducible, -n (owners are listed as numbers),
 * -k. Other GNU cpio options are unknown options (exit 2). PATTERNs are
 * globs matched against whole names ('*' matches '/'), as GNU cpio
 * matches them.
 * An input without one cpio header (empty, or only NULs) is a
 * premature end of archive (exit 1), as in GNU cpio; cpio-unpack takes
 * it for an empty initramfs, as the kernel does.
 * Without -d an entry whose parent is missing is skipped, as the kernel
 * skips it, and reported. Without -u an existing file at least as new as
 * the entry stays (GNU cpio's rule); without -m files get the time of
 * extraction.
 * A front-end over cpio-unpack's engine (applets/unpack.c, lib/archive/extract.c:
 * nothing is written outside DIR, symlinks are never followed out,
 * absolute names stay inside) and cpio-pack's writer (lib/archive/pack.c). A name
 * that cannot be read stops -o before any byte is written (GNU cpio skips
 * it and writes the rest).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unpack.h"

struct cpio {
	char mode; /* 'i', 'o' or 't' */
	bool quiet, mkdirs, keep_time, replace, nul;
	const char *file, *dir;
	struct unpack u;
	struct pack p;
	struct cpio_out out;
};

enum { LONG_QUIET = 256, LONG_NOOP };

static const struct opt_long longs[] = {
    {"extract", OPT_NONE, 'i'},
    {"create", OPT_NONE, 'o'},
    {"list", OPT_NONE, 't'},
    {"make-directories", OPT_NONE, 'd'},
    {"preserve-modification-time", OPT_NONE, 'm'},
    {"unconditional", OPT_NONE, 'u'},
    {"verbose", OPT_NONE, 'v'},
    {"null", OPT_NONE, '0'},
    {"directory", OPT_ARG, 'D'},
    {"file", OPT_ARG, 'F'},
    {"format", OPT_ARG, 'H'},
    {"owner", OPT_ARG, 'R'},
    {"quiet", OPT_NONE, LONG_QUIET},
    {"no-absolute-filenames", OPT_NONE, LONG_NOOP},
    {"reproducible", OPT_NONE, LONG_NOOP},
    {NULL, 0, 0},
};

static void blocks(const struct cpio *c, uint64_t bytes)
{
	uint64_t n = (bytes + 511) / 512;

	if (!c->quiet)
		fprintf(stderr, "%llu block%s\n", (unsigned long long)n,
			n == 1 ? "" : "s");
}

static int copy_in(struct cpio *c)
{
	struct unpack *u = &c->u;
	int fd = 0;

	u->archive = "stdin";
	u->need_header = true;
	if (c->file && strcmp(c->file, "-")) {
		u->archive = c->file;
		fd = open(c->file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die_errno("open %s", c->file);
	}
	if (cpio_in_init(&u->in, fd) < 0)
		die_errno("allocate buffers");
	if (!u->list) {
		/* decoding beside the file creation, on two CPUs or more */
		u->in.overlap = true;
		/* Modes come from the archive, not from our umask. */
		umask(0);
		if (extract_init(&u->x, c->dir, geteuid() == 0) < 0)
			die_errno("%s %s", u->x.err.what, c->dir);
		u->x.mkdirs = c->mkdirs;
		u->x.no_time = !c->keep_time;
		u->x.keep_newer = !c->replace;
	}
	unpack_run(u);
	if (!u->list && extract_finish(&u->x) < 0) {
		warn_errno("%s %s", u->x.err.what, c->dir);
		u->failed = 1;
	}
	cpio_in_free(&u->in);
	blocks(c, u->bytes);
	return u->failed;
}

static _Noreturn void pack_failed(const struct cpio *c, const char *outname)
{
	char buf[ERR_STR_MAX];

	if (c->p.out_failed)
		die("write %s: %s", outname, strerror(c->p.err.no));
	if (!c->p.err.what[0])
		die_errno("pack");
	die("%s", err_str(&c->p.err, buf, sizeof(buf)));
}

static int copy_out(struct cpio *c)
{
	const char *outname = "stdout";
	size_t i;
	int fd = 1;

	if (pack_names(&c->p, stdin, c->nul ? '\0' : '\n') < 0)
		pack_failed(c, outname);
	/* in the order given, as GNU cpio names them */
	for (i = 0; c->u.verbose && i < c->p.n; i++)
		fprintf(stderr, "%s\n", c->p.v[i].name);
	if (pack_gnu_order(&c->p) < 0)
		pack_failed(c, outname);
	if (c->file && strcmp(c->file, "-")) {
		outname = c->file;
		fd = open(outname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0644);
		if (fd < 0)
			die_errno("open %s", outname);
	}
	if (cpio_out_init(&c->out, fd, CODEC_NONE, 0) < 0)
		die_errno("start the output");
	if (pack_emit(&c->p, &c->out) < 0)
		pack_failed(c, outname);
	if (cpio_out_finish(&c->out) < 0)
		die_errno("write %s", outname);
	if (fd != 1 && close(fd) < 0)
		die_errno("close %s", outname);
	blocks(c, c->out.written);
	cpio_out_free(&c->out);
	pack_clear(&c->p);
	return 0;
}

static void set_mode(struct cpio *c, char m)
{
	if (c->mode && c->mode != m && !(c->mode == 't' && m == 'i') &&
	    !(c->mode == 'i' && m == 't'))
		die_usage("-%c and -%c exclude each other", c->mode, m);
	if (c->mode != 't')
		c->mode = m;
}

/* Called through the applet table (applets/initbox.c, generated). */
int cpio_main(int argc, char **argv);

int cpio_main(int argc, char **argv)
{
	struct cpio c;
	struct opt o;
	int ch;

	memset(&c, 0, sizeof(c));
	c.dir = ".";
	c.u.names = stderr;
	c.u.gnu_list = true;
	opt_init(&o);
	while ((ch = opt_next(&o, argc, argv, "iotdmuvf0nkD:F:I:O:H:R:p",
			      longs)) != -1) {
		switch (ch) {
		case 'i':
		case 'o':
		case 't':
			set_mode(&c, (char)ch);
			break;
		case 'd':
			c.mkdirs = true;
			break;
		case 'm':
			c.keep_time = true;
			break;
		case 'u':
			c.replace = true;
			break;
		case 'v':
			c.u.verbose = true;
			break;
		case 'f':
			c.u.nonmatch = true;
			break;
		case '0':
			c.nul = true;
			break;
		case 'D':
			c.dir = o.arg;
			break;
		case 'F':
		case 'I':
		case 'O':
			c.file = o.arg;
			break;
		case 'H':
			if (!strcmp(o.arg, "crc"))
				c.p.crc = true;
			else if (strcmp(o.arg, "newc"))
				die_usage("-H %s: not supported (newc, crc)",
					  o.arg);
			break;
		case 'R':
			if (num_owner(o.arg, &c.u.uid, &c.u.gid) < 0)
				die_usage("-R wants UID:GID (numbers or root), not %s",
					  o.arg);
			c.u.owner_set = c.p.owner_set = true;
			c.p.uid = c.u.uid;
			c.p.gid = c.u.gid;
			break;
		case LONG_QUIET:
			c.quiet = true;
			break;
		case 'n':
		case 'k':
		case LONG_NOOP:
			break;
		case '?':
		case ':':
			die_opt(&o, ch);
		default:
			die_usage("-%c: not supported", ch);
		}
	}
	if (!c.mode)
		die_usage("one of -i, -o, -t is needed");
	if (c.mode == 'o') {
		if (o.ind < argc)
			die_usage("-o takes no operands: the names come on stdin");
		return out_done(copy_out(&c));
	}
	c.u.list = c.mode == 't';
	c.u.pats = argv + o.ind;
	c.u.npats = argc - o.ind;
	return out_done(copy_in(&c));
}
