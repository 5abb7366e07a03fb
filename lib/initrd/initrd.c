/* initrd.c - host a legacy initrd: the image's preparation (probe,
 * decompress or copy, mount, /linuxrc's check) and its place once the
 * real root is mounted (see initrd.h; kernel: init/do_mounts_initrd.c,
 * init/do_mounts_rd.c; klibc: usr/kinit/initrd.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/openat2.h>

#include "base/base.h"
#include "archive/archive.h"
#include "mount/mount.h"
#include "media/media.h"
#include "initrd.h"

enum { CHUNK = 64 * 1024, HEAD = 256 * 1024 };

static int fail(struct initrd *r, bool with_errno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct initrd *r, bool with_errno, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	err_vset(&r->err, with_errno ? e : 0, fmt, ap);
	va_end(ap);
	errno = e; /* the words may be all there is to say; errno is kept */
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
		     "image %s is %s-compressed: no %s decoder in this build",
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

	r->err.no = 0;
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

	r->err.no = 0;
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
		     "image %s does not fit in %s (%llu bytes; load brd with a larger rd_size=)",
		     r->image, r->blockdev, (unsigned long long)size);
	if (close(out) < 0 && rc == 0) {
		e = errno;
		rc = fail(r, true, "write %s",
			  r->blockdev ? r->blockdev : r->copy);
	}
	fd_close(in);
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
			    m.err.what);
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
	fd_close(root);
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
	fd_close(fd);
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
			fd_close(fd);
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

int initrd_place(struct initrd *r, const char *newroot)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/initrd", newroot) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return fail(r, true,
			    "move the initrd to /initrd in the new root");
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (mount(r->dir, path, NULL, MS_MOVE, NULL) < 0)
			return fail(r, true,
				    "move the initrd to /initrd in the new root");
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
			fd_close(fd);
	}
	return 0;
}
