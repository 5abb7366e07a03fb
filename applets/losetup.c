/* losetup - set up and control loop devices
 *
 * usage: losetup [-rP] [-o OFFSET] [--sizelimit SIZE] -f [--show] FILE
 *        losetup [-rP] [-o OFFSET] [--sizelimit SIZE] LOOPDEV FILE
 *        losetup -f                 print the first free device
 *        losetup LOOPDEV            show one device
 *        losetup -d LOOPDEV...      detach
 *        losetup -D                 detach every loop device
 *        losetup -c LOOPDEV         re-read FILE's size
 *        losetup [-a | -l [-n] [-O COLS]] [-j FILE [-o N]] [LOOPDEV...]
 *   -f, --find          use the first free device (race-safe)
 *       --show          print the device name -f attached
 *   -r, --read-only     read-only device
 *   -o, --offset N      data starts N bytes into FILE
 *       --sizelimit N   at most N bytes of FILE
 *   -P, --partscan      scan the device for partitions
 *       --direct-io     direct I/O to FILE (=off to keep the page cache)
 *   -a, --all           list in the classic format
 *   -l, --list          list as a table (the default without arguments)
 *   -n, --noheadings    no heading line
 *   -O, --output COLS   the table's columns (comma-separated)
 *   -j, --associated F  only devices backed by F
 *   -c, --set-capacity  re-read the size of LOOPDEV's file
 *   -d, --detach        detach the LOOPDEVs (lazily if still in use)
 *   -D, --detach-all    detach all loop devices
 *   -v, --verbose       accepted
 * Sizes take K M G T (powers of 1024) or KB MB GB TB suffixes.
 *
 * exit: 0 ok; 1 failed (or -j found nothing); 2 usage
 *
 * Notes: -r is also chosen when FILE cannot be opened for writing. -a
 * prints "/dev/loop0: [DEV]:INODE (FILE), offset N"; the table's columns
 * are NAME SIZELIMIT OFFSET AUTOCLEAR RO BACK-FILE DIO LOG-SEC, and -O
 * also takes BACK-INO and PARTSCAN. Not supported (for the size
 * budget): -L (--nooverlap), -b (--sector-size), -J, --raw, --output-all.
 * /dev/loop-control hands out a free device, but another process
 * may bind it first; losetup then retries with a fresh one and never
 * detaches a device it did not attach. The /dev/loopN node is created
 * when devtmpfs has not made it. Without sysfs, lists come from the loop
 * ioctls (backing names cut to 63 bytes).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "applet.h"

enum { L_SHOW = 256, L_SIZELIMIT, L_DIO };

enum mode { M_ATTACH, M_DETACH, M_DETACH_ALL, M_LIST, M_CAPACITY };

/* util-linux's columns; -l shows the first C_LIST. */
enum {
	C_NAME,
	C_SIZELIMIT,
	C_OFFSET,
	C_AUTOCLEAR,
	C_RO,
	C_BACK,
	C_DIO,
	C_LOGSEC,
	C_LIST,
	C_BACKINO = C_LIST,
	C_PARTSCAN,
	C_ALL
};
static const char *const head[C_ALL] = {
    "NAME",	 "SIZELIMIT", "OFFSET",   "AUTOCLEAR", "RO",
    "BACK-FILE", "DIO",	      "LOG-SEC",  "BACK-INO",  "PARTSCAN"};

struct losetup {
	enum mode mode;
	bool find, show, all, table, has_offset, noheadings;
	unsigned char cols[C_ALL]; /* -O; none: the first C_LIST */
	size_t ncols;
	const char *assoc; /* -j FILE */
	struct stat assoc_st;
	char assoc_real[PATH_MAX];
	struct loop_conf conf;
	/* the table, gathered to size its columns */
	struct loop_state *rows;
	size_t nrows, cap;
	int failed;
};

static const struct opt_long longs[] = {{"find", OPT_NONE, 'f'},
					{"show", OPT_NONE, L_SHOW},
					{"read-only", OPT_NONE, 'r'},
					{"offset", OPT_ARG, 'o'},
					{"sizelimit", OPT_ARG, L_SIZELIMIT},
					{"partscan", OPT_NONE, 'P'},
					{"direct-io", OPT_OPTIONAL, L_DIO},
					{"all", OPT_NONE, 'a'},
					{"list", OPT_NONE, 'l'},
					{"associated", OPT_ARG, 'j'},
					{"detach", OPT_NONE, 'd'},
					{"detach-all", OPT_NONE, 'D'},
					{"noheadings", OPT_NONE, 'n'},
					{"output", OPT_ARG, 'O'},
					{"set-capacity", OPT_NONE, 'c'},
					{"verbose", OPT_NONE, 'v'},
					{0}};

static uint64_t size_arg(const char *opt, const char *s)
{
	uint64_t v;

	if (num_size(s, &v) < 0)
		die_usage("bad %s '%s'", opt, s);
	return v;
}

static bool matches(const struct losetup *s, const struct loop_state *st)
{
	if (!s->assoc)
		return true;
	if (s->has_offset && st->offset != s->conf.offset)
		return false;
	if (st->back_dev || st->back_ino)
		return st->back_dev == dev_encode(s->assoc_st.st_dev) &&
		       st->back_ino == s->assoc_st.st_ino;
	/* Device and inode unknown (node not openable): the name. */
	return !strcmp(st->backing, s->assoc_real);
}

static void print_classic(const struct loop_state *st)
{
	/* util-linux prints "[]:" when device and inode are unknown (the
	 * node could not be opened). */
	if (!st->back_dev && !st->back_ino)
		printf("%s: []: (%s)", st->name, st->backing);
	else
		printf("%s: [%04llu]:%llu (%s)", st->name,
		       (unsigned long long)st->back_dev,
		       (unsigned long long)st->back_ino, st->backing);
	if (st->offset)
		printf(", offset %llu", (unsigned long long)st->offset);
	if (st->sizelimit)
		printf(", sizelimit %llu", (unsigned long long)st->sizelimit);
	putchar('\n');
}

static int gather(const struct loop_state *st, void *arg)
{
	struct losetup *s = arg;

	if (!matches(s, st))
		return 0;
	if (!s->table) {
		print_classic(st);
		s->nrows++;
		return 0;
	}
	if (array_grow(&s->rows, &s->cap, s->nrows, sizeof(*s->rows)) < 0)
		return -1;
	s->rows[s->nrows++] = *st;
	return 0;
}

static const char *cell(const struct loop_state *r, int c, char *num,
			size_t len)
{
	uint64_t v;

	switch (c) {
	case C_NAME:
		return r->name;
	case C_BACK:
		return r->backing;
	case C_SIZELIMIT:
		v = r->sizelimit;
		break;
	case C_OFFSET:
		v = r->offset;
		break;
	case C_AUTOCLEAR:
		v = r->autoclear;
		break;
	case C_RO:
		v = r->read_only;
		break;
	case C_DIO:
		v = r->direct_io;
		break;
	case C_LOGSEC:
		v = r->log_sec;
		break;
	case C_BACKINO:
		v = r->back_ino;
		break;
	default:
		v = r->partscan;
	}
	snprintf(num, len, "%llu", (unsigned long long)v);
	return num;
}

/* util-linux's columns: numbers right-aligned, names left, one blank; a
 * heading's width counts with -n too, a name last is not padded. */
static void print_table(const struct losetup *s)
{
	char num[32];
	int w[C_ALL], c, left;
	size_t i, k, n;

	for (k = 0; k < s->ncols; k++) {
		c = s->cols[k];
		w[k] = (int)strlen(head[c]);
		for (i = 0; i < s->nrows; i++) {
			n = strlen(cell(&s->rows[i], c, num, sizeof(num)));
			if ((int)n > w[k])
				w[k] = (int)n;
		}
	}
	for (i = s->noheadings; i <= s->nrows; i++) {
		for (k = 0; k < s->ncols; k++) {
			c = s->cols[k];
			left = c == C_NAME || c == C_BACK;
			printf("%s%*s", k ? " " : "",
			       left ? (k + 1 < s->ncols ? -w[k] : 0) : w[k],
			       i ? cell(&s->rows[i - 1], c, num, sizeof(num))
				 : head[c]);
		}
		putchar('\n');
	}
}

static void set_columns(struct losetup *s, const char *list)
{
	const char *p = list;
	size_t n, c;

	s->ncols = 0;
	while (*p) {
		n = strcspn(p, ",");
		for (c = 0; c < C_ALL; c++)
			if (strlen(head[c]) == n && !strncasecmp(p, head[c], n))
				break;
		if (c == C_ALL || s->ncols == C_ALL)
			die("unknown column: %.*s", (int)n, p);
		s->cols[s->ncols++] = (unsigned char)c;
		p += n + !!p[n];
	}
}

/* -l or -a with LOOPDEV operands: those devices, in the order given, as
 * util-linux lists them (an unbound device is an error naming it). */
static int list_given(struct losetup *s, int n, char **devs)
{
	struct loop_state st;
	unsigned k;
	int i;

	if (s->assoc)
		die_usage("-j and a LOOPDEV together");
	for (i = 0; i < n; i++) {
		if (loop_number(devs[i], &k) < 0)
			die("list %s: not a loop device", devs[i]);
		if (loop_state(k, &st) < 0) {
			if (errno == ENXIO)
				die("list %s: no backing file (not attached)", devs[i]);
			die_errno("list %s", devs[i]);
		}
		if (gather(&st, s) < 0)
			die_errno("list %s", devs[i]);
	}
	if (s->table && s->nrows)
		print_table(s);
	free(s->rows);
	return out_done(0);
}

static int list(struct losetup *s)
{
	if (s->assoc) {
		if (stat(s->assoc, &s->assoc_st) < 0)
			die_errno("stat %s", s->assoc);
		if (!realpath(s->assoc, s->assoc_real))
			die_errno("resolve %s", s->assoc);
	}
	if (loop_each(gather, s) < 0)
		die_errno("list loop devices");
	if (s->table && s->nrows)
		print_table(s);
	free(s->rows);
	/* util-linux: -j that finds nothing is a failure, an empty list
	 * is not. */
	return out_done(s->assoc && !s->nrows ? 1 : 0);
}

static int show_one(const char *dev)
{
	struct loop_state st;
	unsigned n;

	if (loop_number(dev, &n) < 0)
		die("show %s: not a loop device", dev);
	if (loop_state(n, &st) < 0)
		die_errno("show %s", dev);
	print_classic(&st);
	return out_done(0);
}

static int detach_each(const struct loop_state *st, void *arg)
{
	struct losetup *s = arg;

	if (loop_detach(st->name) < 0) {
		warn_errno("detach %s", st->name);
		s->failed = 1;
	}
	return 0;
}

static int attach(struct losetup *s, const char *dev_arg, const char *file)
{
	char dev[64];
	struct err e;
	int fd;

	if ((size_t)snprintf(dev, sizeof(dev), "%s", dev_arg ? dev_arg : "") >=
	    sizeof(dev))
		die_usage("device name too long: %s", dev_arg);
	fd = loop_setup(file, &s->conf, dev, sizeof(dev), &e, NULL);
	if (fd < 0) {
		if (errno == ENOENT && !strcmp(e.what, "open /dev/loop-control"))
			die("attach %s: open /dev/loop-control: no such file (load the loop module)",
			    file);
		if (errno == EINVAL && !strcmp(e.what, "find loop device"))
			die("attach %s: %s is not a loop device", file,
			    dev_arg);
		die_errno("attach %s: %s%s%s", file, e.what, dev[0] ? " " : "",
			  dev);
	}
	/* Not autoclear: the device stays bound after we leave. */
	fd_close(fd);
	if (s->show)
		printf("%s\n", dev);
	return out_done(0);
}

/* Called through the applet table (applets/initbox.c, generated). */
int losetup_main(int argc, char **argv);

int losetup_main(int argc, char **argv)
{
	struct losetup s;
	struct opt o;
	char dev[64];
	int c, i, nops;

	memset(&s, 0, sizeof(s));
	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "fro:Palj:dDnO:cv", longs)) !=
	       -1) {
		switch (c) {
		case 'f':
			s.find = true;
			break;
		case L_SHOW:
			s.show = true;
			break;
		case 'r':
			s.conf.read_only = true;
			break;
		case 'o':
			s.conf.offset = size_arg("offset", o.arg);
			s.has_offset = true;
			break;
		case L_SIZELIMIT:
			s.conf.sizelimit = size_arg("sizelimit", o.arg);
			break;
		case 'P':
			s.conf.partscan = true;
			break;
		case L_DIO: /* --direct-io[=on|off] */
			if (!o.arg || !strcmp(o.arg, "on"))
				s.conf.direct_io = true;
			else if (!strcmp(o.arg, "off"))
				s.conf.direct_io = false;
			else
				die_usage("bad --direct-io '%s'", o.arg);
			break;
		case 'a':
			s.mode = M_LIST;
			s.all = true;
			break;
		case 'j':
			if (s.mode == M_ATTACH)
				s.mode = M_LIST;
			s.assoc = o.arg;
			break;
		case 'd':
			s.mode = M_DETACH;
			break;
		case 'D':
			s.mode = M_DETACH_ALL;
			break;
		case 'O':
			/* -O lists, as -l */
			set_columns(&s, o.arg);
			/* fall through */
		case 'l':
			s.mode = M_LIST;
			s.table = true;
			break;
		case 'n':
			s.noheadings = true;
			break;
		case 'c':
			s.mode = M_CAPACITY;
			break;
		case 'v':
			break;
		default:
			die_opt(&o, c);
		}
	}
	argv += o.ind;
	nops = argc - o.ind;
	if (!s.ncols)
		for (s.ncols = 0; s.ncols < C_LIST; s.ncols++)
			s.cols[s.ncols] = (unsigned char)s.ncols;

	switch (s.mode) {
	case M_LIST:
		if (nops)
			return list_given(&s, nops, argv);
		return list(&s);
	case M_DETACH:
		if (!nops)
			die_usage("-d needs a LOOPDEV");
		for (i = 0; i < nops; i++) {
			if (loop_detach(argv[i]) < 0) {
				warn_errno("detach %s", argv[i]);
				s.failed = 1;
			}
		}
		return out_done(s.failed);
	case M_CAPACITY:
		if (nops != 1)
			die_usage("-c needs one LOOPDEV");
		if (loop_set_capacity(argv[0]) < 0)
			die_errno("set capacity of %s", argv[0]);
		return out_done(0);
	case M_DETACH_ALL:
		if (nops)
			die_usage("unexpected operand %s", argv[0]);
		if (loop_each(detach_each, &s) < 0)
			die_errno("list loop devices");
		return out_done(s.failed);
	case M_ATTACH:
		break;
	}
	if (s.find) {
		if (nops > 1)
			die_usage("unexpected operand %s", argv[1]);
		if (nops == 1)
			return attach(&s, NULL, argv[0]);
		if (loop_find_free(dev, sizeof(dev)) < 0)
			die_errno("find a free loop device");
		printf("%s\n", dev);
		return out_done(0);
	}
	if (nops == 0) {
		s.mode = M_LIST;
		s.table = true;
		return list(&s);
	}
	if (nops == 1)
		return show_one(argv[0]);
	if (nops > 2)
		die_usage("unexpected operand %s", argv[2]);
	return attach(&s, argv[0], argv[1]);
}
