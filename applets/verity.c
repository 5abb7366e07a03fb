/* verity - dm-verity without libdevmapper or veritysetup
 *
 * usage: verity open [OPTION]... DATA NAME HASH ROOTHASH
 *        verity close NAME | status NAME
 *        verity check [--sha256=FILE] DEV
 *        verity watch [--root=DIR] NAME
 *   open    map DATA as /dev/mapper/NAME, read-only, each block checked
 *           against the tree in HASH (DATA again for an appended one)
 *   close   remove the mapping and its loop devices
 *   status  say whether corrupted blocks were seen
 *   check   read all of DEV once, naming each byte range that does not
 *           read (or verify); --sha256: compare with FILE's digest
 *   watch   in the background, say on stdout, once, each range of NAME's
 *           blocks the kernel finds corrupted; ends when NAME is removed
 *   --root=DIR               watch: chroot to DIR first (/init gives the
 *                            hand-back's /run/initramfs: nothing of the
 *                            initramfs stays pinned)
 *   --hash-offset=N          the tree's superblock is at byte N of HASH
 *                            (default 0, or after DATA's squashfs/erofs)
 *   --restart-on-corruption, --panic-on-corruption, --ignore-corruption
 *
 * exit: 0 ok; 1 failed, or corruption found (check, status); 2 usage
 *
 * Notes: files are attached to read-only loop devices that vanish with
 * the mapping. The tree is checked against the devices before anything
 * is mapped, and the root hash by reading the first block afterwards: a
 * wrong root hash leaves nothing mapped. The table is the one
 * "veritysetup open" loads (format 1 or 0,
 * sha256, sha1 or sha512, 512 B to 64 KiB blocks, salt up to 256 bytes);
 * without a udev /dev/mapper/NAME is made here, and close removes it. By
 * default a corrupted block fails its read with EIO and the kernel logs
 * "device-mapper: verity: 253:0: data block N is corrupted".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/fs.h>
#include <linux/netlink.h>

#include "applet.h"

struct dev {
	const char *path;
	char name[64]; /* the loop device a file went to */
	int fd;	       /* held until the table holds the device */
	dev_t rdev;
	uint64_t size;
};

static _Noreturn void die_err(const char *ctx, const struct err *e)
{
	char buf[ERR_STR_MAX];

	die("%s%s%s", ctx, *ctx ? ": " : "", err_str(e, buf, sizeof(buf)));
}

/* A block device as it is, a file through a read-only loop device that
 * clears itself when the last user (the mapping) lets go. */
static void dev_open(struct dev *d, const char *path)
{
	struct loop_conf c = {0, 0, true, true, false, false};
	struct stat st;
	struct err e;

	d->path = path;
	d->name[0] = 0;
	if (stat(path, &st) < 0)
		die_errno("open %s", path);
	if (S_ISREG(st.st_mode)) {
		d->fd = loop_setup(path, &c, d->name, sizeof(d->name), &e, NULL);
		if (d->fd < 0)
			die_err(path, &e);
		if (fstat(d->fd, &st) < 0)
			die_errno("stat %s", d->name);
	} else if (S_ISBLK(st.st_mode)) {
		d->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (d->fd < 0)
			die_errno("open %s", path);
	} else {
		die("%s: not a file or a block device", path);
	}
	d->rdev = st.st_rdev;
	if (ioctl(d->fd, BLKGETSIZE64, &d->size) < 0)
		die_errno("size of %s", path);
}

static void read_at(const struct dev *d, void *buf, size_t n, uint64_t off)
{
	ssize_t r = pread(d->fd, buf, n, (off_t)off);

	if (r < 0)
		die_errno("read %s at %llu", d->path, (unsigned long long)off);
	if ((size_t)r < n)
		die("%s: ends at %llu bytes, before %llu", d->path,
		    (unsigned long long)d->size,
		    (unsigned long long)(off + n));
}

static void make_node(const char *name, dev_t dev, char *node, size_t len)
{
	struct stat st;

	snprintf(node, len, "/dev/mapper/%s", name);
	if (stat(node, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == dev)
		return; /* udev was quicker */
	(void)unlink(node);
	if (mknod(node, S_IFBLK | 0600, dev) < 0)
		warn_errno("create %s (the device is /dev/block/%u:%u)", node,
			   major(dev), minor(dev));
}

/* Undo a mapping that failed its first read: nothing is left behind. */
static _Noreturn void unmap(int ctl, const char *name, const char *node,
			    const char *msg)
{
	struct err e;

	if (dm_remove(ctl, name, &e) < 0)
		warn("%s (left mapped)", err_str(&e, (char[ERR_STR_MAX]){0},
						 ERR_STR_MAX));
	else
		(void)unlink(node);
	die("%s", msg);
}

struct open_args {
	uint64_t offset;
	bool has_offset;
	const char *opt;
};

static int do_open(const struct open_args *a, char **v)
{
	const char *name = v[1], *root = v[3];
	struct dev data, hash, *h = &hash;
	struct verity_sb sb;
	struct verity_table t;
	struct dm_target tg;
	struct err e;
	char page[4096], line[1024];
	char node[160];
	uint64_t off = a->offset, end;
	dev_t mapped;
	int ctl;

	if (!name[0] || strlen(name) > DM_NAME_MAX || strchr(name, '/') ||
	    !strcmp(name, ".") || !strcmp(name, ".."))
		die("bad mapping name '%s' (1 to %d characters, no '/')",
			  name, DM_NAME_MAX);
	dev_open(&data, v[0]);
	if (strcmp(v[2], v[0]) == 0)
		h = &data;
	else
		dev_open(&hash, v[2]);
	if (!a->has_offset && h == &data) {
		read_at(&data, page, sizeof(page), 0);
		off = verity_fs_size(page, sizeof(page));
		if (off == 0)
			die("%s: no squashfs or erofs to find the hash tree after (give --hash-offset)",
			    data.path);
		off = (off + 4095) & ~(uint64_t)4095;
	}
	if (off + VERITY_SB_SIZE > h->size || off + VERITY_SB_SIZE < off)
		die("%s: no hash tree at %llu: the device ends at %llu bytes (truncated image?)",
		    h->path, (unsigned long long)off,
		    (unsigned long long)h->size);
	read_at(h, page, VERITY_SB_SIZE, off);
	if (verity_sb_parse(page, VERITY_SB_SIZE, &sb, &e) < 0) {
		char ctx[PATH_MAX + 64];

		snprintf(ctx, sizeof(ctx), "%s at %llu", h->path,
			 (unsigned long long)off);
		die_err(ctx, &e);
	}
	if (verity_root_check(&sb, root, &e) < 0)
		die_err("", &e);
	if (off % sb.hash_bsize)
		die("%s: hash offset %llu is not a multiple of the hash block (%u)",
		    h->path, (unsigned long long)off, sb.hash_bsize);
	t.hash_start = off / sb.hash_bsize + 1;
	end = (t.hash_start + verity_tree_blocks(&sb)) * sb.hash_bsize;
	/* The data, and the tree after the superblock, inside their
	 * devices; an appended tree after the data. */
	if (sb.data_blocks * sb.data_bsize > data.size || end > h->size ||
	    (h == &data && sb.data_blocks * sb.data_bsize > off))
		die("%s: the tree covers %llu bytes and ends at %llu; %s holds %llu (truncated image?)",
		    data.path,
		    (unsigned long long)(sb.data_blocks * sb.data_bsize),
		    (unsigned long long)end, h->path,
		    (unsigned long long)h->size);
	t.sb = &sb;
	t.data = data.rdev;
	t.hash = h->rdev;
	t.root = root;
	t.opt = a->opt;
	if (verity_table_line(&t, line, sizeof(line)) == 0)
		die("verity table too long");
	tg.start = 0;
	tg.len = sb.data_blocks * (sb.data_bsize / 512);
	tg.type = "verity";
	tg.params = line;

	if ((ctl = dm_open(&e)) < 0 || dm_create(ctl, name, &e) < 0)
		die_err("", &e);
	if (dm_activate(ctl, name, &tg, &mapped, &e) < 0) {
		char buf[ERR_STR_MAX];

		warn("%s", err_str(&e, buf, sizeof(buf)));
		snprintf(node, sizeof(node), "table: %.150s", line);
		unmap(ctl, name, "", node);
	}
	/* The table holds the devices now: the loop devices clear
	 * themselves when it goes. */
	fd_close(data.fd);
	if (h != &data)
		fd_close(hash.fd);
	(void)mkdir_p("/dev/mapper", NULL);
	make_node(name, mapped, node, sizeof(node));

	/* The first block's path up the tree ends at the root hash: if it
	 * does not read, the root hash is wrong (or that path is damaged),
	 * and nothing on the device would read. */
	data.fd = open(node, O_RDONLY | O_CLOEXEC);
	if (data.fd < 0 || pread(data.fd, page, sb.data_bsize > sizeof(page) ?
				 sizeof(page) : sb.data_bsize, 0) < 0) {
		if (data.fd >= 0)
			fd_close(data.fd);
		warn("%s: the first block does not verify: wrong root hash, or a damaged image",
		     v[0]);
		unmap(ctl, name, node, "nothing mapped");
	}
	fd_close(data.fd);
	fd_close(ctl);
	return 0;
}

static int do_close(const char *name)
{
	char node[160];
	struct err e;
	int ctl;

	if ((ctl = dm_open(&e)) < 0 || dm_remove(ctl, name, &e) < 0)
		die_err("", &e);
	/* the node open made (udev removes its own) */
	snprintf(node, sizeof(node), "/dev/mapper/%s", name);
	(void)unlink(node);
	fd_close(ctl);
	return 0;
}

static int do_status(const char *name)
{
	char type[32], line[256];
	struct err e;
	int ctl;

	if ((ctl = dm_open(&e)) < 0 ||
	    dm_status(ctl, name, false, type, sizeof(type), line, sizeof(line), &e) < 0)
		die_err("", &e);
	fd_close(ctl);
	if (strcmp(type, "verity"))
		die("%s: a %s target, not verity", name, type);
	/* dm-verity's status: "V" verified so far, "C" corruption seen */
	printf("%s: %s\n", name, line[0] == 'C' ? "corrupted blocks seen" : "verified");
	return out_done(line[0] == 'C');
}

/* --- check ---------------------------------------------------------- */

enum { CHUNK = 1 << 20, BLK = 4096 };

struct check {
	const char *path;
	int fd;
	uint64_t size, done, bad_from, bad_to; /* [from, to) pending */
	unsigned ranges;
	struct timespec t0, shown;
	bool tty, tty_line;
	struct sha256 sha;
};

/* Milliseconds since a. */
static uint64_t since(const struct timespec *a)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - a->tv_sec) * 1000 +
	       (uint64_t)(now.tv_nsec - a->tv_nsec + 1000000000) / 1000000 -
	       1000;
}

/* The rate so far in tenths of MB/s (integer arithmetic: no floating
 * point printf in the binary for one figure). */
static unsigned long long rate10(const struct check *c)
{
	uint64_t ms = since(&c->t0);

	return ms ? c->done / (100 * ms) : 0;
}

/* On a terminal (the console), one line a second at most, overwritten in
 * place ("\r"); a log gets only the result. */
static void progress(struct check *c)
{
	if (!c->tty || (since(&c->shown) < 1000 && c->done < c->size))
		return;
	clock_gettime(CLOCK_MONOTONIC, &c->shown);
	fprintf(stderr, "%s: checking %s: %3u%% of %llu MiB, %llu.%llu MB/s\r",
		prog, c->path,
		(unsigned)(c->size ? c->done * 100 / c->size : 100),
		(unsigned long long)(c->size >> 20), rate10(c) / 10,
		rate10(c) % 10);
	c->tty_line = true;
}

static void bad_flush(struct check *c)
{
	if (c->bad_to == c->bad_from)
		return;
	if (c->tty_line)
		fputc('\n', stderr);
	c->tty_line = false;
	fprintf(stderr, "%s: %s: bytes %llu to %llu do not read (damaged or corrupted)\n",
		prog, c->path, (unsigned long long)c->bad_from,
		(unsigned long long)c->bad_to - 1);
	c->ranges++;
	c->bad_from = c->bad_to = 0;
}

static void bad_block(struct check *c, uint64_t off, uint64_t n)
{
	if (c->bad_to != off || c->bad_to == c->bad_from) {
		bad_flush(c);
		c->bad_from = off;
	}
	c->bad_to = off + n;
}

/* A chunk that failed, again block by block, to name the bad ones.
 * Direct I/O where the device allows it: through the page cache a failed
 * read fails its whole folio and readahead window (2 MiB on 7.x for one
 * bad block), so only O_DIRECT reads one block alone. */
static void rescan(struct check *c, char *buf, uint64_t off, size_t n)
{
	int fd = open(c->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	char blk[BLK] __attribute__((aligned(BLK))); /* as O_DIRECT wants */
	size_t i;

	for (i = 0; i < n; i += BLK) {
		size_t k = n - i < BLK ? n - i : BLK;

		if (pread(fd < 0 ? c->fd : fd, blk, k, (off_t)(off + i)) !=
		    (ssize_t)k) {
			bad_block(c, off + i, k);
			memset(blk, 0, k);
		}
		memcpy(buf + i, blk, k);
	}
	if (fd >= 0)
		fd_close(fd);
}

static int do_check(const char *path, const char *sumfile)
{
	char *buf = malloc(CHUNK);
	struct check c = {0};
	struct stat st;
	char want[80] = "", got[65];
	uint8_t d[32];
	uint64_t ms;

	c.path = path;
	if (!buf)
		die_errno("check %s", path);
	if (sumfile) {
		/* sha256sum's format: the digest, blanks, the file's name */
		if (fd_read_small(sumfile, want, sizeof(want)) < 0)
			die_errno("read %s", sumfile);
		want[strcspn(want, " \t\n")] = 0;
		if (strlen(want) != 64 || strspn(want, "0123456789abcdefABCDEF") != 64)
			die("%s: no sha256 digest (64 hex digits) at its start", sumfile);
		sha256_init(&c.sha);
	}
	c.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c.fd < 0 || fstat(c.fd, &st) < 0)
		die_errno("open %s", path);
	c.size = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(c.fd, BLKGETSIZE64, &c.size) < 0)
		die_errno("size of %s", path);
	c.tty = isatty(2);
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	c.shown = c.t0;
	c.shown.tv_sec--;
	while (c.done < c.size) {
		size_t n = c.size - c.done < CHUNK ? c.size - c.done : CHUNK;
		ssize_t r = pread(c.fd, buf, n, (off_t)c.done);

		if (r == 0)
			break; /* a file that shrank: its size is what was read */
		if (r < 0) {
			rescan(&c, buf, c.done, n);
			r = (ssize_t)n;
		}
		if (sumfile)
			sha256_update(&c.sha, buf, (size_t)r);
		/* Read once: keep the page cache for the boot, not the check. */
		(void)posix_fadvise(c.fd, (off_t)c.done, r, POSIX_FADV_DONTNEED);
		c.done += (uint64_t)r;
		progress(&c);
	}
	bad_flush(&c);
	fd_close(c.fd);
	free(buf);
	if (c.tty_line)
		fputc('\n', stderr);
	ms = since(&c.t0);
	fprintf(stderr, "%s: %s: %llu MiB read in %llu.%llu s (%llu.%llu MB/s)\n",
		prog, path, (unsigned long long)(c.done >> 20),
		(unsigned long long)(ms / 1000),
		(unsigned long long)(ms / 100 % 10), rate10(&c) / 10,
		rate10(&c) % 10);
	if (c.ranges)
		die("%s: %u damaged range%s: rewrite the medium (or use another one)",
		    path, c.ranges, c.ranges > 1 ? "s" : "");
	if (!sumfile)
		return 0;
	sha256_final(&c.sha, d);
	verity_hex(got, d, sizeof(d));
	if (strcasecmp(got, want))
		die("%s: sha256 %s, but %s says %s: the image is damaged; rewrite the medium",
		    path, got, sumfile, want);
	fprintf(stderr, "%s: %s: sha256 matches %s\n", prog, path, sumfile);
	return 0;
}

/* --- watch ---------------------------------------------------------- */

/* One line a range; after VR_MAX ranges the kernel's own lines remain
 * (it stops at 100 corrupted blocks a device anyway). */
static void say_range(const char *name, const struct verity_range *r,
		      unsigned bs, unsigned total)
{
	if (total > VR_MAX) {
		if (total == VR_MAX + 1)
			printf("%s: %s: more corrupted blocks: see the kernel's log\n",
			       prog, name);
		return;
	}
	if (r->hash)
		printf("%s: %s: hash blocks %llu to %llu are corrupted: the blocks they "
		       "cover fail to read; rewrite the medium (or use another one)\n",
		       prog, name, r->from, r->to);
	else
		printf("%s: %s: data blocks %llu to %llu (bytes %llu to %llu of the image) "
		       "are corrupted: files there fail to read; rewrite the medium "
		       "(or use another one)\n",
		       prog, name, r->from, r->to, r->from * bs, (r->to + 1) * bs - 1);
	fflush(stdout);
}

static int do_watch(const char *name, const char *root)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1};
	struct verity_ranges vr = {0};
	char node[128], type[32], line[512], msg[8192];
	struct verity_event ev;
	struct pollfd pfd;
	struct stat st;
	struct err e;
	unsigned bs = 0;
	const char *p;
	int ctl, fd, k;

	snprintf(node, sizeof(node), "/dev/mapper/%s", name);
	if (stat(node, &st) < 0 || !S_ISBLK(st.st_mode))
		die_errno("watch %s: %s", name, node);
	if ((ctl = dm_open(&e)) < 0 ||
	    dm_status(ctl, name, true, type, sizeof(type), line, sizeof(line), &e) < 0)
		die_err("", &e);
	fd_close(ctl);
	/* the table: VERSION DATA_DEV HASH_DEV DATA_BLOCK_SIZE ... */
	for (p = line, k = 0; k < 3 && (p = strchr(p, ' ')); k++)
		p++;
	if (p)
		bs = (unsigned)strtoul(p, NULL, 10);
	if (strcmp(type, "verity") || !bs)
		die("%s: not a verity mapping (%s %s)", name, type, line);
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die_errno("watch %s: uevent socket", name);
	/* Out of the initramfs's way: the switch frees it all behind us. */
	if (root && (chroot(root) < 0 || chdir("/") < 0))
		die_errno("watch %s: chroot %s", name, root);
	/* In the background once watching: whoever started it goes on
	 * (/init to the switch) with nothing pending. */
	switch (fork()) {
	case -1:
		die_errno("watch %s", name);
	case 0:
		break;
	default:
		return 0;
	}
	(void)setsid();
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = {msg, sizeof(msg) - 1};
		struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from),
				    .msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n;

		/* a burst (one read of a bad folio) ends in a quiet 200 ms */
		k = poll(&pfd, 1, vr.pending ? 200 : -1);
		if (k == 0 && vr_flush(&vr))
			say_range(name, &vr.out, bs, vr.total);
		if (k <= 0)
			continue;
		n = recvmsg(fd, &mh, 0);
		if (n <= 0 || from.nl_pid != 0) /* the kernel's messages only */
			continue;
		msg[n] = 0;
		switch (verity_uevent(msg, (size_t)n + 1, &ev)) {
		case VE_CORRUPT:
			if (makedev(ev.major, ev.minor) == st.st_rdev &&
			    vr_add(&vr, ev.hash, ev.block))
				say_range(name, &vr.out, bs, vr.total);
			break;
		case VE_REMOVE:
			if (makedev(ev.major, ev.minor) != st.st_rdev)
				break;
			if (vr_flush(&vr))
				say_range(name, &vr.out, bs, vr.total);
			return 0;
		}
	}
}

static const struct opt_long longs[] = {
	{"hash-offset", OPT_ARG, 'o'},
	{"restart-on-corruption", OPT_NONE, 'R'},
	{"panic-on-corruption", OPT_NONE, 'P'},
	{"ignore-corruption", OPT_NONE, 'I'},
	{"sha256", OPT_ARG, 's'},
	{"root", OPT_ARG, 'r'},
	{0}};

/* Called through the applet table (applets/initbox.c, generated). */
int verity_main(int argc, char **argv);

int verity_main(int argc, char **argv)
{
	struct open_args a = {0, false, NULL};
	const char *cmd, *sum = NULL, *root = NULL;
	struct opt o;
	int c, n;

	if (argc < 2)
		die_usage("no command (open, close, status, check, watch)");
	cmd = argv[1];
	opt_init(&o);
	o.mixed = true;
	argv++, argc--;
	n = 0;
	while ((c = opt_next(&o, argc, argv, "", longs)) != -1) {
		switch (c) {
		case OPT_OPERAND:
			argv[1 + n++] = (char *)o.arg;
			break;
		case 'o':
			if (num_size(o.arg, &a.offset) < 0)
				die_usage("bad --hash-offset %s", o.arg);
			a.has_offset = true;
			break;
		case 'R':
			a.opt = "restart_on_corruption";
			break;
		case 'P':
			a.opt = "panic_on_corruption";
			break;
		case 'I':
			a.opt = "ignore_corruption";
			break;
		case 's':
			sum = o.arg;
			break;
		case 'r':
			root = o.arg;
			break;
		default:
			die_opt(&o, c);
		}
	}
	argv++;
	if (!strcmp(cmd, "open") && n == 4)
		return do_open(&a, argv);
	if (!strcmp(cmd, "close") && n == 1)
		return do_close(argv[0]);
	if (!strcmp(cmd, "status") && n == 1)
		return do_status(argv[0]);
	if (!strcmp(cmd, "check") && n == 1)
		return do_check(argv[0], sum);
	if (!strcmp(cmd, "watch") && n == 1)
		return do_watch(argv[0], root);
	die_usage("%s: wrong command or number of operands", cmd);
}
