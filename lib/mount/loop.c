/* loop.c - loop devices.
 *
 * Allocation follows util-linux's loop with systemd's error classes
 * (reference/media.md 1.7): LOOP_CTL_GET_FREE only names a candidate, so
 * another allocator may bind it first. LOOP_CONFIGURE then fails with
 * EBUSY (or ENXIO/ENODEV if the device was removed) and we take a fresh
 * candidate after a short random sleep. A device that failed that way is
 * never cleared: it belongs to whoever won. LOOP_CONFIGURE (5.8) binds and
 * sets offset, size limit and flags in one step, so no half-configured or
 * leaked device is ever visible; older kernels get LOOP_SET_FD +
 * LOOP_SET_STATUS64, undone with LOOP_CLR_FD only once LOOP_SET_FD made the
 * device ours.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/loop.h>

#include "base/base.h"
#include "mount.h"

enum {
	LOOP_MAJOR = 7,
	/* util-linux gives up after 64 lost races too. */
	MAX_ATTEMPTS = 64,
	/* EAGAIN from LOOP_CONFIGURE/SET_STATUS64 (a size change racing
	 * cached pages, kernel 5.0): util-linux's 10 x 250 ms. */
	EAGAIN_TRIES = 10,
	EAGAIN_MS = 250,
};

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Random sleep growing with the attempt, so allocators that lost the same
 * race do not collide again in lockstep. */
static void backoff(unsigned attempt, uint32_t *seed)
{
	unsigned cap = 10 * (attempt + 1);

	*seed ^= *seed << 13;
	*seed ^= *seed >> 17;
	*seed ^= *seed << 5;
	sleep_ms(1 + *seed % (cap > 250 ? 250 : cap));
}

static int ioctl_again(int fd, unsigned long req, void *arg)
{
	int i, r;

	for (i = 0;; i++) {
		r = ioctl(fd, req, arg);
		if (r == 0 || errno != EAGAIN || i + 1 >= EAGAIN_TRIES)
			return r;
		sleep_ms(EAGAIN_MS);
	}
}

/* A sysfs attribute without its newline; -1 with errno on failure. */
static int read_attr(const char *path, char *buf, size_t len)
{
	ssize_t n = fd_read_small(path, buf, len);

	if (n < 0)
		return -1;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}

static int attr_u64(unsigned n, const char *attr, uint64_t *v)
{
	char path[96], buf[32];

	snprintf(path, sizeof(path), "/sys/block/loop%u/%s", n, attr);
	if (read_attr(path, buf, sizeof(buf)) < 0)
		return -1;
	return num_u64(buf, UINT64_MAX, v);
}

/* Make /dev/loopN exist: devtmpfs normally has it, but an initramfs
 * without devtmpfs (or a /dev tmpfs) does not. The number comes from
 * sysfs when it can (max_part shifts minors), else 7:N. */
static int loop_node(unsigned n, char *dev, size_t len)
{
	char path[64], buf[32], *colon;
	struct stat st;
	uint64_t maj = LOOP_MAJOR, min = n;

	if ((size_t)snprintf(dev, len, "/dev/loop%u", n) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (stat(dev, &st) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	snprintf(path, sizeof(path), "/sys/block/loop%u/dev", n);
	if (read_attr(path, buf, sizeof(buf)) == 0 &&
	    (colon = strchr(buf, ':'))) {
		*colon = '\0';
		if (num_u64(buf, 0xfff, &maj) < 0 ||
		    num_u64(colon + 1, 0xfffff, &min) < 0)
			return -1;
	}
	/* Another allocator may create the same node at the same time. */
	if (mknod(dev, S_IFBLK | 0660, makedev(maj, min)) < 0 &&
	    errno != EEXIST)
		return -1;
	return 0;
}

int loop_by_devno(unsigned maj, unsigned min, unsigned *n)
{
	char path[64], link[256];
	const char *base;
	uint64_t v;
	ssize_t k;

	if (maj != LOOP_MAJOR) {
		errno = EINVAL;
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", maj, min);
	k = readlink(path, link, sizeof(link) - 1);
	if (k < 0) {
		/* No sysfs: minors are N unless max_part was set. */
		*n = min;
		return 0;
	}
	link[k] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	/* A partition (loop0p1) is not a loop device of its own. */
	if (strncmp(base, "loop", 4) || num_u64(base + 4, 0xfffff, &v) < 0) {
		errno = EINVAL;
		return -1;
	}
	*n = (unsigned)v;
	return 0;
}

int loop_number(const char *dev, unsigned *n)
{
	const char *base;
	struct stat st;
	uint64_t v;

	if (stat(dev, &st) == 0) {
		if (!S_ISBLK(st.st_mode)) {
			errno = EINVAL;
			return -1;
		}
		return loop_by_devno(major(st.st_rdev), minor(st.st_rdev), n);
	}
	if (errno != ENOENT)
		return -1;
	base = strrchr(dev, '/');
	base = base ? base + 1 : dev;
	if (strncmp(base, "loop", 4) || num_u64(base + 4, 0xfffff, &v) < 0 ||
	    (base[4] == '0' && base[5])) {
		errno = EINVAL;
		return -1;
	}
	*n = (unsigned)v;
	return 0;
}

static void fill_info(struct loop_info64 *li, const char *file,
		      const struct loop_conf *c, bool ro)
{
	memset(li, 0, sizeof(*li));
	li->lo_offset = c->offset;
	li->lo_sizelimit = c->sizelimit;
	li->lo_flags = (ro ? LO_FLAGS_READ_ONLY : 0) |
		       (c->autoclear ? LO_FLAGS_AUTOCLEAR : 0) |
		       (c->partscan ? LO_FLAGS_PARTSCAN : 0) |
		       (c->direct_io ? LO_FLAGS_DIRECT_IO : 0);
	/* Only informational (sysfs backing_file is authoritative); the
	 * kernel keeps 63 bytes. */
	snprintf((char *)li->lo_file_name, sizeof(li->lo_file_name), "%s",
		 file);
}

/* The device is ours (bound by us): undo, keeping the first error. */
static int undo(int lfd)
{
	int e = errno;

	/* Best effort: the error being reported is the earlier one. */
	(void)ioctl(lfd, LOOP_CLR_FD, 0);
	errno = e;
	return -1;
}

/* Kernels that ignored LOOP_CONFIGURE fields (vanilla 5.8 dropped
 * lo_sizelimit and PARTSCAN): read back, and set again if needed. */
static int verify(int lfd, struct loop_info64 *want)
{
	const uint32_t settable = LO_FLAGS_AUTOCLEAR | LO_FLAGS_PARTSCAN;
	struct loop_info64 got;

	if (ioctl(lfd, LOOP_GET_STATUS64, &got) < 0)
		return undo(lfd);
	if (got.lo_offset == want->lo_offset &&
	    got.lo_sizelimit == want->lo_sizelimit &&
	    (got.lo_flags & settable) == (want->lo_flags & settable))
		return 0;
	if (ioctl_again(lfd, LOOP_SET_STATUS64, want) < 0)
		return undo(lfd);
	return 0;
}

/* Bind ffd to lfd. EBUSY/ENXIO/ENODEV mean the device is someone else's
 * (or gone) and nothing was changed. */
static int configure(int lfd, int ffd, const char *file,
		     const struct loop_conf *c, bool ro)
{
	struct loop_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (uint32_t)ffd;
	fill_info(&cfg.info, file, c, ro);
	if (ioctl_again(lfd, LOOP_CONFIGURE, &cfg) == 0)
		return verify(lfd, &cfg.info);
	/* Kernels before 5.8 say EINVAL (ENOTTY for 32-bit userland on a
	 * 64-bit kernel, ENOSYS under qemu-user): the old two-step way. */
	if (errno != EINVAL && errno != ENOTTY && errno != ENOSYS)
		return -1;
	if (ioctl(lfd, LOOP_SET_FD, ffd) < 0)
		return -1;
	/* From here the device is ours until cleared. Read-only follows the
	 * open mode of both fds here; READ_ONLY is not settable. */
	if (ioctl_again(lfd, LOOP_SET_STATUS64, &cfg.info) < 0)
		return undo(lfd);
	if (c->direct_io && ioctl(lfd, LOOP_SET_DIRECT_IO, 1UL) < 0)
		return undo(lfd);
	return 0;
}

static int open_backing(const char *file, bool *ro, bool *fell_back)
{
	int fd;

	*fell_back = false;
	if (*ro)
		return open(file, O_RDONLY | O_CLOEXEC);
	fd = open(file, O_RDWR | O_CLOEXEC);
	if (fd >= 0 || (errno != EROFS && errno != EACCES && errno != EPERM))
		return fd;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		*ro = *fell_back = true;
	return fd;
}

static int setup_named(int ffd, const char *file, const struct loop_conf *c,
		       bool ro, char *dev, size_t len, const char **step)
{
	struct stat st;
	unsigned n;
	int ctl, lfd;

	*step = "find loop device";
	if (loop_number(dev, &n) < 0)
		return -1;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl >= 0) {
		/* Creates loopN if it does not exist yet; EEXIST is the
		 * normal answer. */
		(void)ioctl(ctl, LOOP_CTL_ADD, n);
		fd_close(ctl);
	}
	if (stat(dev, &st) < 0 || !S_ISBLK(st.st_mode)) {
		*step = "create device node";
		if (loop_node(n, dev, len) < 0)
			return -1;
	}
	*step = "open loop device";
	lfd = open(dev, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (lfd < 0)
		return -1;
	*step = "configure loop device";
	if (configure(lfd, ffd, file, c, ro) < 0) {
		fd_close(lfd);
		return -1;
	}
	return lfd;
}

static int setup_free(int ffd, const char *file, const struct loop_conf *c,
		      bool ro, char *dev, size_t len, const char **step)
{
	struct timespec now;
	uint32_t seed;
	unsigned attempt;
	int ctl, lfd, n, e;

	*step = "open /dev/loop-control";
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -1;
	/* cannot fail for CLOCK_MONOTONIC; only a seed for the backoff */
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	seed = (uint32_t)getpid() * 2654435761u ^ (uint32_t)now.tv_nsec;
	if (!seed)
		seed = 1;
	for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		*step = "find a free loop device";
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0)
			goto fail;
		*step = "create device node";
		if (loop_node((unsigned)n, dev, len) < 0)
			goto fail;
		*step = "open loop device";
		lfd = open(dev, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (lfd < 0) {
			/* Removed (LOOP_CTL_REMOVE) since GET_FREE. */
			if (errno == ENXIO || errno == ENODEV ||
			    errno == ENOENT) {
				backoff(attempt, &seed);
				continue;
			}
			goto fail;
		}
		*step = "configure loop device";
		if (configure(lfd, ffd, file, c, ro) == 0) {
			fd_close(ctl);
			return lfd;
		}
		e = errno;
		fd_close(lfd);
		if (e != EBUSY && e != ENXIO && e != ENODEV)
			goto fail;
		backoff(attempt, &seed);
	}
	*step = "find a free loop device";
	errno = EBUSY;
fail:
	fd_close(ctl);
	dev[0] = '\0';
	return -1;
}

int loop_setup(const char *file, const struct loop_conf *c, char *dev,
	       size_t len, struct err *e, bool *ro_fallback)
{
	const char *step = "open backing file";
	bool ro = c->read_only, fell_back;
	int ffd, lfd;

	ffd = open_backing(file, &ro, &fell_back);
	if (ffd < 0)
		return e ? err_set(e, errno, "%s", step) : -1;
	if (ro_fallback)
		*ro_fallback = fell_back;
	if (dev[0])
		lfd = setup_named(ffd, file, c, ro, dev, len, &step);
	else
		lfd = setup_free(ffd, file, c, ro, dev, len, &step);
	if (lfd < 0 && e)
		err_set(e, errno, "%s", step);
	/* The kernel holds its own reference to the file now. */
	fd_close(ffd);
	return lfd;
}

int loop_attach(const char *file, const struct loop_conf *c, char *dev,
		size_t len)
{
	if (len)
		dev[0] = '\0';
	return loop_setup(file, c, dev, len, NULL, NULL);
}

int loop_clear(int fd)
{
	return ioctl_again(fd, LOOP_CLR_FD, NULL) < 0 ? -1 : 0;
}

/* One argument-less request to the device DEV. */
static int dev_ioctl(const char *dev, unsigned long req)
{
	int fd, r;

	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = ioctl_again(fd, req, NULL) < 0 ? -1 : 0;
	fd_close(fd);
	return r;
}

int loop_detach(const char *dev)
{
	return dev_ioctl(dev, LOOP_CLR_FD);
}

int loop_set_capacity(const char *dev)
{
	return dev_ioctl(dev, LOOP_SET_CAPACITY);
}

int loop_find_free(char *dev, size_t len)
{
	int ctl, n;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -1;
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	fd_close(ctl);
	if (n < 0)
		return -1;
	return loop_node((unsigned)n, dev, len);
}

/* What sysfs does not say: the backing file's device and inode (losetup
 * -a prints them, -j matches on them). Quietly unknown if the node cannot
 * be opened. */
static int state_ioctl(struct loop_state *st, bool all)
{
	struct loop_info64 li;
	int fd = open(st->name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return all ? -1 : 0;
	if (ioctl(fd, LOOP_GET_STATUS64, &li) < 0) {
		fd_close(fd);
		return all ? -1 : 0;
	}
	fd_close(fd);
	st->back_dev = li.lo_device;
	st->back_ino = li.lo_inode;
	if (all) {
		/* No sysfs: the 63-byte name the attacher stored. */
		memcpy(st->backing, li.lo_file_name, sizeof(li.lo_file_name));
		st->backing[sizeof(li.lo_file_name)] = '\0';
		st->offset = li.lo_offset;
		st->sizelimit = li.lo_sizelimit;
		st->autoclear = li.lo_flags & LO_FLAGS_AUTOCLEAR;
		st->read_only = li.lo_flags & LO_FLAGS_READ_ONLY;
		st->partscan = li.lo_flags & LO_FLAGS_PARTSCAN;
		st->direct_io = li.lo_flags & LO_FLAGS_DIRECT_IO;
	}
	return 0;
}

int loop_state(unsigned n, struct loop_state *st)
{
	char path[96];
	struct stat sb;
	uint64_t v;

	memset(st, 0, sizeof(*st));
	st->num = n;
	snprintf(st->name, sizeof(st->name), "/dev/loop%u", n);
	snprintf(path, sizeof(path), "/sys/block/loop%u", n);
	if (stat(path, &sb) < 0) {
		if (errno != ENOENT)
			return -1;
		return state_ioctl(st, true);
	}
	/* loop/ exists only while the device is bound. */
	snprintf(path, sizeof(path), "/sys/block/loop%u/loop/backing_file", n);
	if (read_attr(path, st->backing, sizeof(st->backing)) < 0) {
		if (errno == ENOENT)
			errno = ENXIO;
		return -1;
	}
	if (attr_u64(n, "loop/offset", &st->offset) < 0 ||
	    attr_u64(n, "loop/sizelimit", &st->sizelimit) < 0)
		return -1;
	st->autoclear = attr_u64(n, "loop/autoclear", &v) == 0 && v;
	st->partscan = attr_u64(n, "loop/partscan", &v) == 0 && v;
	st->direct_io = attr_u64(n, "loop/dio", &v) == 0 && v;
	st->read_only = attr_u64(n, "ro", &v) == 0 && v;
	if (attr_u64(n, "queue/logical_block_size", &v) == 0)
		st->log_sec = (unsigned)v;
	return state_ioctl(st, false);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

int loop_each(int (*fn)(const struct loop_state *st, void *arg), void *arg)
{
	struct loop_state *st;
	struct dirent *de;
	unsigned *nums = NULL, n;
	size_t count = 0, cap = 0, i;
	uint64_t v;
	DIR *d;
	int r = 0, e;

	/* Without sysfs, the /dev nodes are all there is to go by. */
	d = opendir("/sys/block");
	if (!d && errno == ENOENT)
		d = opendir("/dev");
	if (!d)
		return -1;
	while ((errno = 0, de = readdir(d))) {
		if (strncmp(de->d_name, "loop", 4) ||
		    num_u64(de->d_name + 4, 0xfffff, &v) < 0)
			continue;
		if (array_grow(&nums, &cap, count, sizeof(*nums)) < 0) {
			r = -1;
			goto out;
		}
		nums[count++] = (unsigned)v;
	}
	if (errno) {
		r = -1;
		goto out;
	}
	qsort(nums, count, sizeof(*nums), cmp_uint);
	st = malloc(sizeof(*st));
	if (!st) {
		r = -1;
		goto out;
	}
	for (i = 0; i < count && r == 0; i++) {
		n = nums[i];
		if (loop_state(n, st) < 0) {
			/* Unbound, or detached while we looked. */
			if (errno == ENXIO || errno == ENOENT)
				continue;
			r = -1;
			break;
		}
		r = fn(st, arg);
	}
	e = errno;
	free(st);
	errno = e;
out:
	e = errno;
	free(nums);
	dir_close(d);
	errno = e;
	return r;
}
