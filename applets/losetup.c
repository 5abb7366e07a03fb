/* losetup - set up and control loop devices
 *
 * usage: losetup [-rP] [-o OFFSET] [--sizelimit SIZE] [--direct-io[=on|off]]
 *                -f [--show] FILE
 *        losetup [-rP] [-o OFFSET] [--sizelimit SIZE] LOOPDEV FILE
 *        losetup -f                 print the first free device
 *        losetup LOOPDEV            show one device
 *        losetup -d LOOPDEV...      detach
 *        losetup -D                 detach every loop device
 *        losetup [-a | -l] [-j FILE [-o OFFSET]]   list used devices
 *        losetup -l | -a LOOPDEV...  list just these devices
 *   -f, --find          use the first free device (race-safe)
 *       --show          print the device name -f attached
 *   -r, --read-only     read-only device (also chosen when FILE cannot be
 *                       opened for writing)
 *   -o, --offset N      data starts N bytes into FILE
 *       --sizelimit N   at most N bytes of FILE
 *   -P, --partscan      scan the device for partitions
 *       --direct-io     direct I/O to FILE (=off to keep the page cache)
 *   -a, --all           list in the classic format
 *                       "/dev/loop0: [DEV]:INODE (FILE), offset N"
 *   -l, --list          list as a table (the default without arguments):
 *                       NAME SIZELIMIT OFFSET AUTOCLEAR RO BACK-FILE DIO
 *                       LOG-SEC
 *   -j, --associated F  only devices backed by F
 *   -d, --detach        detach the LOOPDEVs (lazily if still in use)
 *   -D, --detach-all    detach all loop devices
 * Sizes take K M G T (powers of 1024) or KB MB GB TB suffixes.
 *
 * exit: 0 ok; 1 failed (or -j found nothing); 2 usage
 *
 * Notes: /dev/loop-control hands out a free device, but another process
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

#include "initbox.h"

enum { L_SHOW = 256, L_SIZELIMIT, L_DIO };

enum mode { M_ATTACH, M_DETACH, M_DETACH_ALL, M_LIST };

struct losetup {
	enum mode mode;
	bool find, show, all, table, has_offset;
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
	struct loop_state *grown;

	if (!matches(s, st))
		return 0;
	if (!s->table) {
		print_classic(st);
		s->nrows++;
		return 0;
	}
	if (s->nrows == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		grown = realloc(s->rows, s->cap * sizeof(*grown));
		if (!grown)
			return -1;
		s->rows = grown;
	}
	s->rows[s->nrows++] = *st;
	return 0;
}

/* util-linux's columns: numbers right-aligned, names left, one blank. */
static void print_table(const struct losetup *s)
{
	static const char *const head[] = {
	    "NAME", "SIZELIMIT", "OFFSET", "AUTOCLEAR",
	    "RO",   "BACK-FILE", "DIO",	   "LOG-SEC"};
	char num[32];
	size_t w[8], i, c, n;
	const struct loop_state *r;

	for (c = 0; c < 8; c++)
		w[c] = strlen(head[c]);
	for (i = 0; i < s->nrows; i++) {
		r = &s->rows[i];
		if (strlen(r->name) > w[0])
			w[0] = strlen(r->name);
		if (strlen(r->backing) > w[5])
			w[5] = strlen(r->backing);
		n = (size_t)snprintf(num, sizeof(num), "%llu",
				     (unsigned long long)r->sizelimit);
		if (n > w[1])
			w[1] = n;
		n = (size_t)snprintf(num, sizeof(num), "%llu",
				     (unsigned long long)r->offset);
		if (n > w[2])
			w[2] = n;
	}
	printf("%-*s %*s %*s %*s %*s %-*s %*s %*s\n", (int)w[0], head[0],
	       (int)w[1], head[1], (int)w[2], head[2], (int)w[3], head[3],
	       (int)w[4], head[4], (int)w[5], head[5], (int)w[6], head[6],
	       (int)w[7], head[7]);
	for (i = 0; i < s->nrows; i++) {
		r = &s->rows[i];
		printf("%-*s %*llu %*llu %*d %*d %-*s %*d %*u\n", (int)w[0],
		       r->name, (int)w[1], (unsigned long long)r->sizelimit,
		       (int)w[2], (unsigned long long)r->offset, (int)w[3],
		       r->autoclear, (int)w[4], r->read_only, (int)w[5],
		       r->backing, (int)w[6], r->direct_io, (int)w[7],
		       r->log_sec);
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
	const char *step = NULL;
	int fd;

	if ((size_t)snprintf(dev, sizeof(dev), "%s", dev_arg ? dev_arg : "") >=
	    sizeof(dev))
		die_usage("device name too long: %s", dev_arg);
	fd = loop_setup(file, &s->conf, dev, sizeof(dev), &step, NULL);
	if (fd < 0) {
		if (errno == ENOENT && !strcmp(step, "open /dev/loop-control"))
			die("attach %s: open /dev/loop-control: no such file (load the loop module)",
			    file);
		if (errno == EINVAL && !strcmp(step, "find loop device"))
			die("attach %s: %s is not a loop device", file,
			    dev_arg);
		die_errno("attach %s: %s%s%s", file, step, dev[0] ? " " : "",
			  dev);
	}
	/* Not autoclear: the device stays bound after we leave. */
	(void)close(fd); /* nothing written through it */
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
	while ((c = opt_next(&o, argc, argv, "fro:Palj:dD", longs)) != -1) {
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
		case 'l':
			s.mode = M_LIST;
			s.table = true;
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
		default:
			die_opt(&o, c);
		}
	}
	argv += o.ind;
	nops = argc - o.ind;

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
