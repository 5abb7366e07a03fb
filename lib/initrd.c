/* initrd.c - host a legacy initrd: image preparation, real-root-dev and
 * running /linuxrc (see initrd.h; kernel: init/do_mounts_initrd.c,
 * init/do_mounts_rd.c; klibc: usr/kinit/initrd.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>

#include "initbox.h"
#include "initrd.h"
#include "mntdev.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

enum { CHUNK = 64 * 1024, HEAD = 256 * 1024 };

static int fail(struct initrd *r, bool with_errno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct initrd *r, bool with_errno, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->stepbuf, sizeof(r->stepbuf), fmt, ap);
	va_end(ap);
	r->step = r->stepbuf;
	r->step_errno = with_errno;
	errno = e;
	return -1;
}

void initrd_init(struct initrd *r)
{
	memset(r, 0, sizeof(*r));
}

/* Copy or decompress in into out until the stream ends (or, with limit,
 * until limit bytes were produced). A compressed image may be followed by
 * padding, which is ignored as the kernel's rd_load does. */
static int pump(struct initrd *r, int in, int out, uint64_t limit)
{
	uint8_t *ibuf = malloc(CHUNK), *obuf = malloc(CHUNK);
	struct codec_dec d;
	const uint8_t *ip;
	size_t ilen = 0, olen;
	bool ended = false, dec = r->codec != CODEC_NONE;
	ssize_t n;
	int rc = -1, k;

	r->bytes = 0;
	if (!ibuf || !obuf) {
		errno = ENOMEM;
		fail(r, true, "allocate buffers");
		goto out_free;
	}
	if (dec && codec_dec_init(&d, r->codec) < 0) {
		fail(r, true, "start the %s decoder", codec_name(r->codec));
		goto out_free;
	}
	ip = ibuf;
	while (!ended && (!limit || r->bytes < limit)) {
		if (ilen == 0) {
			n = read(in, ibuf, CHUNK);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				fail(r, true, "read %s", r->image);
				goto out;
			}
			if (n == 0) {
				if (dec) {
					errno = EINVAL;
					fail(r, false,
					     "decompress %s: truncated %s data",
					     r->image, codec_name(r->codec));
					goto out;
				}
				break;
			}
			ip = ibuf;
			ilen = (size_t)n;
		}
		olen = CHUNK;
		if (dec) {
			k = codec_dec_run(&d, &ip, &ilen, obuf, &olen);
			if (k < 0) {
				errno = EINVAL;
				fail(r, false, "decompress %s: %s", r->image,
				     d.err ? d.err : "corrupt data");
				goto out;
			}
			ended = k == 1;
		} else {
			olen = ilen;
			memcpy(obuf, ip, olen);
			ilen = 0;
		}
		if (fd_write_all(out, obuf, olen) < 0) {
			fail(r, true, "write the image into %s",
			     r->blockdev ? r->blockdev : r->copy);
			goto out;
		}
		r->bytes += olen;
	}
	rc = 0;
out:
	if (dec)
		codec_dec_end(&d);
out_free:
	free(ibuf);
	free(obuf);
	return rc;
}

static int open_image(struct initrd *r)
{
	uint8_t magic[2];
	ssize_t n;
	int fd;

	fd = open(r->image, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(r, true, "open image %s", r->image);
	n = pread(fd, magic, sizeof(magic), 0);
	if (n < 0) {
		fail(r, true, "read image %s", r->image);
		goto bad;
	}
	r->codec = n == 2 ? codec_detect(magic, 2) : CODEC_NONE;
	if (r->codec != CODEC_NONE && !codec_can_decode(r->codec)) {
		errno = ENOTSUP;
		fail(r, false,
		     "image %s is %s-compressed: no %s decoder in "
		     "this build",
		     r->image, codec_name(r->codec), codec_name(r->codec));
		goto bad;
	}
	return fd;
bad:
	fd_close(fd);
	return -1;
}

int initrd_probe(struct initrd *r)
{
	struct blkid_info bi;
	struct stat st;
	int fd, mfd = -1, rc = -1;

	r->step_errno = false;
	fd = open_image(r);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		fail(r, true, "stat image %s", r->image);
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		errno = EINVAL;
		fail(r, false, "image %s: not a file", r->image);
		goto out;
	}
	if (r->codec == CODEC_NONE) {
		mfd = dup(fd);
	} else {
		/* The superblocks blkid knows lie in the first 128 KiB: the
		 * head is enough, in memory, nothing written anywhere. */
		mfd = memfd_create("initrd-head", MFD_CLOEXEC);
		if (mfd >= 0 && pump(r, fd, mfd, HEAD) < 0)
			goto out;
	}
	if (mfd < 0) {
		fail(r, true, "look into image %s", r->image);
		goto out;
	}
	if (blkid_probe(mfd, &bi) < 0) {
		if (errno == ENODATA)
			fail(r, false, "image %s: no filesystem found in it%s",
			     r->image,
			     r->codec ? " (after decompressing)" : "");
		else
			fail(r, true, "probe image %s", r->image);
		goto out;
	}
	snprintf(r->type, sizeof(r->type), "%s", bi.type);
	rc = 0;
out:
	if (mfd >= 0)
		fd_close(mfd);
	fd_close(fd);
	return rc;
}

int initrd_unpack(struct initrd *r)
{
	uint64_t size;
	int in, out, rc, e;

	r->step_errno = false;
	in = open_image(r);
	if (in < 0)
		return -1;
	if (r->blockdev) {
		out = open(r->blockdev, O_WRONLY | O_CLOEXEC);
		if (out < 0) {
			fd_close(in);
			return fail(r, true, "open %s", r->blockdev);
		}
	} else {
		snprintf(r->copy, sizeof(r->copy), "%s/initrd.img", r->work);
		out = open(r->copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			   0600);
		if (out < 0) {
			r->copy[0] = '\0';
			fd_close(in);
			return fail(r, true, "create %s/initrd.img", r->work);
		}
	}
	rc = pump(r, in, out, 0);
	e = errno;
	if (rc < 0 && r->blockdev && e == ENOSPC &&
	    ioctl(out, BLKGETSIZE64, &size) == 0)
		fail(r, false,
		     "image %s does not fit in %s (%llu bytes; load brd "
		     "with a larger rd_size=)",
		     r->image, r->blockdev, (unsigned long long)size);
	if (close(out) < 0 && rc == 0) {
		e = errno;
		rc = fail(r, true, "write %s",
			  r->blockdev ? r->blockdev : r->copy);
	}
	(void)close(in); /* the earlier error is the one reported */
	if (rc < 0 && r->copy[0]) {
		(void)unlink(r->copy); /* half a copy: worthless */
		r->copy[0] = '\0';
	}
	errno = e;
	return rc;
}

int initrd_mount(struct initrd *r)
{
	struct mntdev m;

	memset(&m, 0, sizeof(m));
	m.source = r->blockdev ? r->blockdev : r->copy;
	m.dir = r->dir;
	m.types = r->type;
	if (mntdev_mount(&m) < 0)
		return fail(r, true, "mount %s (%s, %s) on %s: %s", r->image,
			    r->type, r->blockdev ? r->blockdev : "loop", r->dir,
			    m.step);
	r->mounted = true;
	snprintf(r->dev, sizeof(r->dev), "%s",
		 m.loop_name[0] ? m.loop_name : r->blockdev);
	if (r->copy[0]) {
		if (unlink(r->copy) < 0)
			return fail(r, true, "remove %s", r->copy);
		r->copy[0] = '\0';
	}
	return 0;
}

int initrd_check_linuxrc(struct initrd *r)
{
	struct open_how how = {
	    .flags = O_PATH | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;
	int root, fd, e;

	root = open(r->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return fail(r, true, "open %s", r->dir);
	fd = (int)syscall(SYS_openat2, root, "linuxrc", &how, sizeof(how));
	e = errno;
	(void)close(root); /* the earlier error is the one reported */
	if (fd < 0) {
		errno = e;
		if (e == ENOENT)
			return fail(r, false, "image %s has no /linuxrc",
				    r->image);
		return fail(r, true, "look up /linuxrc in %s", r->image);
	}
	if (fstat(fd, &st) < 0) {
		fd_close(fd);
		return fail(r, true, "stat /linuxrc in %s", r->image);
	}
	(void)close(fd); /* nothing written through it */
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		errno = EACCES;
		return fail(r, false,
			    "/linuxrc in %s is not an executable file",
			    r->image);
	}
	return 0;
}

void initrd_release(struct initrd *r)
{
	int fd;

	/* Best effort on the way to a rescue shell: each undo is
	 * independent, and the caller already reports the real failure. */
	if (r->mounted && umount2(r->dir, MNT_DETACH) == 0)
		r->mounted = false;
	if (r->copy[0]) {
		(void)unlink(r->copy);
		r->copy[0] = '\0';
	}
	if (r->blockdev && !r->mounted) {
		fd = open(r->blockdev, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			(void)ioctl(fd, BLKFLSBUF, 0); /* frees a ram disk */
			(void)close(fd); /* nothing written through it */
		}
	}
}

int initrd_drop_image(const struct initrd *r)
{
	struct stat st, root;

	if (stat(r->image, &st) < 0 || !S_ISREG(st.st_mode) ||
	    stat("/", &root) < 0 || st.st_dev != root.st_dev)
		return 0;
	return unlink(r->image) < 0 ? -1 : 1;
}

int initrd_api_mounts(const char *const *dirs, const char **step,
		      const char **obj)
{
	static const struct {
		const char *dir, *type, *data, *step;
		unsigned long flags;
	} m[] = {
	    {"/proc", "proc", NULL, "mount proc on", MS_NOSUID | MS_NODEV},
	    {"/sys", "sysfs", NULL, "mount sysfs on", MS_NOSUID | MS_NODEV},
	    /* device nodes are its point: no MS_NODEV */
	    {"/dev", "devtmpfs", "mode=0755", "mount devtmpfs on", MS_NOSUID},
	    {"/run", "tmpfs", "mode=0755", "mount tmpfs on",
	     MS_NOSUID | MS_NODEV},
	};
	struct stat root, st;
	size_t i;

	*step = "stat";
	*obj = "/";
	if (stat("/", &root) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(m); i++) {
		if (stat(m[i].dir, &st) == 0 && st.st_dev != root.st_dev)
			continue;
		*step = "create";
		*obj = m[i].dir;
		if (mkdir(m[i].dir, 0755) < 0 && errno != EEXIST)
			return -1;
		*step = m[i].step;
		if (mount(m[i].type, m[i].dir, m[i].type, m[i].flags,
			  m[i].data) < 0)
			return -1;
	}
	for (; *dirs; dirs++) {
		*step = "create";
		*obj = *dirs;
		if (mkdir(*dirs, 0755) < 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

int initrd_cmdline_read(struct initrd_cmdline *c)
{
	char *w, *save = NULL;
	ssize_t n;
	int fd, e;

	memset(c, 0, sizeof(*c));
	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, c->buf, sizeof(c->buf) - 1);
	e = errno;
	(void)close(fd); /* read-only */
	if (n < 0) {
		errno = e;
		return -1;
	}
	c->buf[n] = '\0';
	for (w = strtok_r(c->buf, " \t\n", &save); w;
	     w = strtok_r(NULL, " \t\n", &save)) {
		if (!strncmp(w, "root=", 5))
			c->root = w + 5;
		else if (!strncmp(w, "rootfstype=", 11))
			c->fstype = w + 11;
		else if (!strncmp(w, "rootflags=", 10))
			c->flags = w + 10;
		else if (!strncmp(w, "init=", 5))
			c->init = w + 5;
		else if (!strncmp(w, "rootdelay=", 10))
			c->delay = w + 10;
		else if (!strcmp(w, "rw"))
			c->rw = true;
		else if (!strcmp(w, "ro"))
			c->rw = false;
	}
	return 0;
}

/* --- real-root-dev ---------------------------------------------------- */

int initrd_rrd_get(const char *path, uint32_t *v)
{
	char buf[64], *start, *end;
	unsigned long long x;

	if (fd_read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	/* proc_dointvec: leading blanks, then base 0 (0x hex, 0 octal). */
	start = buf + strspn(buf, " \t\n");
	errno = 0;
	x = strtoull(start, &end, 0);
	/* no digits (an emptied file), a sign, junk after, or too big */
	if (errno || end == start || *start == '-' || *start == '+' ||
	    *(end + strspn(end, " \t\n")) || x > 0xffffffffu) {
		errno = EINVAL;
		return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

int initrd_rrd_set(const char *path, uint32_t v)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%u\n", v);
	if (fd_write_all(fd, buf, (size_t)n) < 0) {
		fd_close(fd);
		return -1;
	}
	return close(fd);
}

/* --- the root device ---------------------------------------------------- */

int initrd_root_lookup(const char *spec, dev_t *dev)
{
	unsigned long long a, b;
	struct stat st;
	char *end;

	if (!strncmp(spec, "LABEL=", 6) || !strncmp(spec, "UUID=", 5) ||
	    !strncmp(spec, "PARTUUID=", 9))
		return media_devno(spec, dev);
	if (spec[0] == '/') {
		/* The kernel knows this name without any node or driver. */
		if (stat(spec, &st) < 0 && errno == ENOENT &&
		    (!strcmp(spec, "/dev/ram0") || !strcmp(spec, "/dev/ram"))) {
			*dev = makedev(1, 0);
			return 0;
		}
		if (stat(spec, &st) < 0)
			return -1;
		if (!S_ISBLK(st.st_mode)) {
			errno = ENOTBLK;
			return -1;
		}
		*dev = st.st_rdev;
		return 0;
	}
	/* MAJ:MIN, else the kernel's bare hex ("0301", "0x301"). */
	errno = 0;
	a = strtoull(spec, &end, 10);
	if (end != spec && *end == ':' && !errno) {
		b = strtoull(end + 1, &end, 10);
		if (!*end && !errno && a < 4096 && b < (1u << 20)) {
			*dev = makedev(a, b);
			return 0;
		}
		errno = EINVAL;
		return -1;
	}
	a = strtoull(spec, &end, 16);
	if (end != spec && !*end && !errno && a <= 0xffffffffu) {
		*dev = dev_decode((uint32_t)a);
		return 0;
	}
	errno = EINVAL;
	return -1;
}

int initrd_dev_path(dev_t dev, char *path, size_t len)
{
	char at[64], buf[512], *p, *nl;

	snprintf(at, sizeof(at), "/sys/dev/block/%u:%u/uevent", major(dev),
		 minor(dev));
	if (fd_read_small(at, buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "DEVNAME=");
	if (!p || (p != buf && p[-1] != '\n')) {
		errno = ENODEV;
		return -1;
	}
	p += 8;
	nl = strchr(p, '\n');
	if (nl)
		*nl = '\0';
	if (strstr(p, "..") ||
	    (size_t)snprintf(path, len, "/dev/%s", p) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return devs_node(path, dev);
}

int initrd_root_wait(struct initrd_root *q)
{
	uint64_t deadline = devs_now_ms() + q->wait_s * 1000;
	struct devs_wait w;
	int ok, e;

	devs_wait_init(&w);
	for (;;) {
		if (!q->spec)
			ok = initrd_dev_path(q->dev, q->path,
					     sizeof(q->path)) == 0;
		else
			ok = initrd_root_lookup(q->spec, &q->dev) == 0 &&
			     (q->spec[0] == '/'
				  ? snprintf(q->path, sizeof(q->path), "%s",
					     q->spec) > 0
				  : initrd_dev_path(q->dev, q->path,
						    sizeof(q->path)) == 0);
		if (ok || devs_now_ms() >= deadline)
			break;
		(void)devs_wait_next(&w, deadline); /* then look again */
	}
	e = errno;
	devs_wait_end(&w);
	if (ok)
		return 0;
	q->step = "wait";
	errno = e == ENOENT || e == ENODEV ? ETIMEDOUT : e;
	return -1;
}

int initrd_root_mount(struct initrd_root *q)
{
	struct mntopt mo;
	struct mntdev m;

	mntopt_init(&mo);
	if (mntopt_parse(&mo, q->rw ? "rw" : "ro") < 0 ||
	    (q->opts && mntopt_parse(&mo, q->opts) < 0)) {
		snprintf(q->bad, sizeof(q->bad), "%s", mo.bad);
		q->step = "options";
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.source = q->path;
	m.dir = q->dir;
	m.types = q->types;
	m.flags = mntopt_flags(&mo, 0);
	m.data = mo.data[0] ? mo.data : NULL;
	q->step = "create the mount point";
	if (mkdir(q->dir, 0755) < 0 && errno != EEXIST)
		return -1;
	if (mntdev_mount(&m) < 0) {
		q->step = m.step;
		return -1;
	}
	snprintf(q->type, sizeof(q->type), "%s", m.type);
	return 0;
}

int initrd_place(struct initrd *r, const char *newroot)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/initrd", newroot) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return fail(r, true,
			    "move the initrd to /initrd in the new "
			    "root");
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (mount(r->dir, path, NULL, MS_MOVE, NULL) < 0)
			return fail(r, true,
				    "move the initrd to /initrd in "
				    "the new root");
		return 1;
	}
	if (umount2(r->dir, MNT_DETACH) < 0)
		return fail(r, true, "unmount the initrd from %s", r->dir);
	r->mounted = false;
	r->flush_err = 0;
	if (r->blockdev) {
		/* BLKFLSBUF gives a ram disk's pages back, as the kernel's
		 * handle_initrd did; a failure only costs memory. */
		fd = open(r->blockdev, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, BLKFLSBUF, 0) < 0)
			r->flush_err = errno;
		if (fd >= 0)
			(void)close(fd); /* read-only */
	}
	return 0;
}

/* --- the stand-in -------------------------------------------------------- */

int initrd_standin_make(struct initrd_standin *s, const char *dir,
			uint32_t value, const char **step)
{
	struct dirent *de;
	struct stat st;
	char src[PATH_MAX], dst[PATH_MAX];
	DIR *d;
	int fd;

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	snprintf(s->file, sizeof(s->file), "%s/real-root-dev", dir);
	*step = "make the stand-in directory";
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -1;
	*step = "mount the stand-in tmpfs";
	if (mount("initrd-rrd", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0555,size=64k") < 0)
		return -1;
	*step = "create the stand-in real-root-dev";
	fd = open(s->file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || close(fd) < 0 || initrd_rrd_set(s->file, value) < 0 ||
	    stat(dir, &st) < 0)
		goto undo;
	s->dev = st.st_dev;
	/* The kernel's other entries, each bound over a same-named
	 * placeholder: a missing /proc is no reason to stop. */
	d = opendir("/proc/sys/kernel");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    !strcmp(de->d_name, "real-root-dev"))
			continue;
		snprintf(src, sizeof(src), "/proc/sys/kernel/%s", de->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", dir, de->d_name);
		if (stat(src, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (mkdir(dst, 0555) < 0)
				continue;
		} else {
			fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
				  0644);
			if (fd < 0 || close(fd) < 0)
				continue;
		}
		if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) == 0)
			s->bound++;
	}
	if (d)
		(void)closedir(d); /* nothing written through it */
	return 0;
undo:
	fd = errno;
	(void)umount2(dir, MNT_DETACH); /* failing already */
	errno = fd;
	return -1;
}

void initrd_standin_remove(struct initrd_standin *s)
{
	struct mountinfo_list l;
	size_t i, n;
	bool again = true;

	/* The copies given to linuxrc's proc mounts first, top down; a
	 * detach takes the bound kernel entries with it. */
	for (n = 0; again && n < 64; n++) {
		again = false;
		if (mountinfo_read(NULL, &l) < 0)
			break;
		for (i = l.n; i-- > 0;) {
			const struct mountinfo *m = &l.v[i];

			if (m->major != major(s->dev) ||
			    m->minor != minor(s->dev) || strcmp(m->root, "/"))
				continue;
			if (umount2(m->target, MNT_DETACH) == 0)
				again = true;
		}
		mountinfo_free(&l);
	}
	/* Without /proc the loop above saw nothing: the stand-in itself. */
	(void)umount2(s->dir, MNT_DETACH); /* already gone is fine */
	(void)rmdir(s->dir);		   /* an empty leftover only */
}

/* --- running /linuxrc --------------------------------------------------- */

/* The syscalls the supervisor sees: mount and umount2, native and, on
 * x86_64, i386 (an old initrd may hold 32-bit programs). */
#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define COMPAT_ARCH AUDIT_ARCH_I386
enum { COMPAT_MOUNT = 21, COMPAT_UMOUNT2 = 52 };
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define NATIVE_ARCH AUDIT_ARCH_I386
#endif

#ifdef NATIVE_ARCH
static int install_filter(void)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, arch)),
#ifdef COMPAT_ARCH
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, COMPAT_ARCH, 6, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#else
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#endif
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mount, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_umount2, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
#ifdef COMPAT_ARCH
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, COMPAT_MOUNT, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, COMPAT_UMOUNT2, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
#endif
	};
	struct sock_fprog fp = {.len = ARRAY_SIZE(f), .filter = f};

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER, &fp);
}

static bool is_mount(const struct seccomp_data *d)
{
#ifdef COMPAT_ARCH
	if (d->arch == COMPAT_ARCH)
		return d->nr == COMPAT_MOUNT;
#endif
	return d->nr == __NR_mount;
}
#else
static int install_filter(void)
{
	errno = ENOSYS;
	return -1;
}

static bool is_mount(const struct seccomp_data *d)
{
	(void)d;
	return false;
}
#endif

static int send_fd(int sock, int fd)
{
	char c = 'f', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &c, .iov_len = 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &c, .iov_len = 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* A NUL-terminated string from the stopped caller's memory. */
static int peek_str(pid_t pid, uint64_t addr, char *buf, size_t len)
{
	size_t got = 0, n;
	struct iovec l, r;
	ssize_t k;

	while (got < len - 1) {
		/* Page by page: a string may end just before an unmapped
		 * page, and a read across it would fail whole. */
		n = 4096 - ((addr + got) & 4095);
		if (n > len - 1 - got)
			n = len - 1 - got;
		l.iov_base = buf + got;
		l.iov_len = n;
		r.iov_base = (void *)(uintptr_t)(addr + got);
		r.iov_len = n;
		k = process_vm_readv(pid, &l, 1, &r, 1, 0);
		if (k <= 0)
			return -1;
		if (memchr(buf + got, '\0', (size_t)k))
			return 0;
		got += (size_t)k;
	}
	errno = ENAMETOOLONG;
	return -1;
}

/* PATH as the caller sees it (its root and cwd), as an O_PATH fd. */
static int resolve(pid_t pid, const char *path)
{
	struct open_how how = {
	    .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT,
	};
	char at[64];
	int dfd, fd;

	/* A relative path is taken inside the cwd: ".." past it is clamped,
	 * which an initrd script has no reason to rely on. */
	snprintf(at, sizeof(at), "/proc/%d/%s", (int)pid,
		 path[0] == '/' ? "root" : "cwd");
	dfd = open(at, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	fd = (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
	fd_close(dfd);
	return fd;
}

static void emu_fail(struct initrd_run *x, const char *what)
{
	if (!x->emu_err[0])
		snprintf(x->emu_err, sizeof(x->emu_err), "%s: %s", what,
			 strerror(errno));
}

/* Give the proc mounted at fd (its root) the stand-in at sys/kernel. */
static void decorate(struct initrd_run *x, int fd)
{
	char at[64];
	int k;

	k = openat(fd, "sys/kernel", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (k < 0) {
		emu_fail(x, "open sys/kernel in linuxrc's proc");
		return;
	}
	snprintf(at, sizeof(at), "/proc/self/fd/%d", k);
	if (mount(x->standin->dir, at, NULL, MS_BIND | MS_REC, NULL) < 0)
		emu_fail(x,
			 "bind the stand-in over linuxrc's /proc/sys/kernel");
	else
		x->proc_mounts++;
	(void)close(k); /* nothing written through it */
}

/* mount(2) of a proc by linuxrc: done here, then decorated, so the
 * stand-in is in place before the call returns (a script may write
 * real-root-dev on its next line). Returns 0 or a negative errno for the
 * caller; 1 to let the kernel run the call as it is. */
static int on_mount(struct initrd_run *x, const struct seccomp_notif *n,
		    int lfd)
{
	const unsigned long other = MS_REMOUNT | MS_BIND | MS_MOVE | MS_SHARED |
				    MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;
	char type[16], target[PATH_MAX], data[1024], at[64];
	unsigned long flags = (unsigned long)n->data.args[3];
	int fd, top, e;
	uint64_t id = n->id;

	if (!n->data.args[2] ||
	    peek_str((pid_t)n->pid, n->data.args[2], type, sizeof(type)) < 0 ||
	    strcmp(type, "proc") || (flags & other) || !n->data.args[1] ||
	    peek_str((pid_t)n->pid, n->data.args[1], target, sizeof(target)) <
		0)
		return 1;
	data[0] = '\0';
	if (n->data.args[4] &&
	    peek_str((pid_t)n->pid, n->data.args[4], data, sizeof(data)) < 0)
		return 1;
	fd = resolve((pid_t)n->pid, target);
	if (fd < 0)
		return 1; /* the kernel says why, to the caller */
	/* The caller may have died and its pid been reused meanwhile. */
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0) {
		(void)close(fd); /* nothing written through it */
		return 1;
	}
	snprintf(at, sizeof(at), "/proc/self/fd/%d", fd);
	if (mount("proc", at, "proc", flags & ~MS_MGC_MSK,
		  data[0] ? data : NULL) < 0) {
		e = errno;
		(void)close(fd); /* the earlier error is the one reported */
		return -e;
	}
	(void)close(fd); /* the earlier error is the one reported */
	top = resolve((pid_t)n->pid, target);
	if (top < 0) {
		emu_fail(x, "find the proc mounted for linuxrc");
		return 0;
	}
	decorate(x, top);
	(void)close(top); /* nothing written through it */
	return 0;
}

/* umount(2) by linuxrc of a proc holding the stand-in: the stand-in
 * goes first, so the umount does not fail with EBUSY. */
static void on_umount(const struct initrd_run *x, const struct seccomp_notif *n)
{
	char target[PATH_MAX], at[64];
	struct statfs sf;
	struct stat st;
	int fd, k;

	if (!n->data.args[0] || peek_str((pid_t)n->pid, n->data.args[0], target,
					 sizeof(target)) < 0)
		return;
	fd = resolve((pid_t)n->pid, target);
	if (fd < 0)
		return;
	if (fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC) {
		k = openat(fd, "sys/kernel", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (k >= 0 && fstat(k, &st) == 0 &&
		    st.st_dev == x->standin->dev) {
			snprintf(at, sizeof(at), "/proc/self/fd/%d", k);
			/* If this fails the umount says EBUSY itself. */
			(void)umount2(at, MNT_DETACH);
		}
		if (k >= 0)
			(void)close(k); /* nothing written through it */
	}
	(void)close(fd); /* nothing written through it */
}

static void serve(struct initrd_run *x, int lfd,
		  const struct seccomp_notif_sizes *sz)
{
	struct seccomp_notif *n = calloc(1, sz->seccomp_notif);
	struct seccomp_notif_resp *r = calloc(1, sz->seccomp_notif_resp);
	int k;

	if (!n || !r)
		goto out;
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, n) < 0)
		goto out; /* ENOENT: the caller went away */
	memset(r, 0, sz->seccomp_notif_resp);
	r->id = n->id;
	k = 1;
	if (is_mount(&n->data))
		k = on_mount(x, n, lfd);
	else
		on_umount(x, n);
	if (k == 1)
		r->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else
		r->error = k;
	/* ENOENT: the caller was killed meanwhile; nothing to answer. */
	(void)ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, r);
out:
	free(n);
	free(r);
}

static _Noreturn void child(const struct initrd_run *x, int sock)
{
	char *argv[] = {"linuxrc", NULL};
	char *envp[] = {"HOME=/", "TERM=linux", NULL};
	sigset_t none;
	int fd, i;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (x->console) {
		fd = open(x->console, O_RDWR | O_NOCTTY);
		if (fd < 0)
			_exit(126);
		for (i = 0; i < 3; i++)
			if (dup2(fd, i) < 0)
				_exit(126);
		if (fd > 2)
			(void)close(fd); /* nothing written through it */
	}
	if (setsid() < 0 || chdir(x->root) < 0 || chroot(".") < 0)
		_exit(126);
	if (sock >= 0) {
		fd = install_filter();
		if (fd < 0 || send_fd(sock, fd) < 0)
			_exit(126);
		(void)close(fd);   /* nothing written through it */
		(void)close(sock); /* nothing written through it */
	}
	execve("/linuxrc", argv, envp);
	_exit(127);
}

int initrd_run_linuxrc(struct initrd_run *x)
{
	struct seccomp_notif_sizes sz;
	struct pollfd p;
	int sv[2] = {-1, -1}, lfd = -1, st, e;
	pid_t pid;

	x->status = 0;
	x->proc_mounts = 0;
	x->emu_err[0] = '\0';
	if (x->standin) {
		x->step = "ask the kernel for seccomp notification sizes";
		if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
			return -1;
		x->step = "make a socket pair";
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return -1;
	}
	x->step = "fork";
	pid = fork();
	if (pid < 0) {
		e = errno;
		goto fail;
	}
	if (pid == 0) {
		if (sv[0] >= 0)
			(void)close(sv[0]); /* nothing written through it */
		child(x, sv[1]);
	}
	x->pid = pid;
	if (x->standin) {
		(void)close(sv[1]); /* nothing written through it */
		sv[1] = -1;
		x->step = "receive the seccomp listener from linuxrc's process";
		lfd = recv_fd(sv[0]);
		e = errno;
		(void)close(sv[0]); /* the earlier error is the one reported */
		sv[0] = -1;
		if (lfd < 0) {
			/* The child failed before exec; its status says
			 * which way, the message says what it was doing. */
			while (waitpid(pid, &x->status, 0) < 0 &&
			       errno == EINTR)
				;
			errno = e ? e : EPROTO;
			return -1;
		}
	}
	for (;;) {
		pid_t w = waitpid(-1, &st, lfd >= 0 ? WNOHANG : 0);

		if (w == pid) {
			x->status = st;
			break;
		}
		if (w < 0 && errno != EINTR) {
			x->step = "wait for linuxrc";
			if (lfd >= 0)
				fd_close(lfd);
			return -1;
		}
		if (w > 0 || lfd < 0)
			continue; /* an orphan reaped, or EINTR */
		p.fd = lfd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, 100) > 0 && (p.revents & POLLIN))
			serve(x, lfd, &sz);
	}
	if (lfd >= 0)
		(void)close(lfd); /* nothing written through it */
	return 0;
fail:
	if (sv[0] >= 0)
		(void)close(sv[0]); /* the earlier error is the one reported */
	if (sv[1] >= 0)
		(void)close(sv[1]); /* the earlier error is the one reported */
	errno = e;
	return -1;
}
