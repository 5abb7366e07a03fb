/* devs.c - block device enumeration and waiting for boot media.
 *
 * Without udev there are no /dev/disk/by-* links, so every device is
 * listed from sysfs and probed directly. devtmpfs creates nodes
 * synchronously with the kernel device, but an initramfs may run with a
 * static /dev: a missing node is made with mknod.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/netlink.h>

#include "base/base.h"
#include "mount/mount.h"
#include "media.h"

uint64_t devs_now_ms(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid clock id */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* One short sysfs attribute, newline stripped. */
static int sys_read(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, attr) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	n = fd_read_small(path, buf, len);
	if (n < 0)
		return -1;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

static int sys_u64(const char *dir, const char *attr, uint64_t *v)
{
	char buf[32];

	if (sys_read(dir, attr, buf, sizeof(buf)) < 0)
		return -1;
	return num_u64(buf, UINT64_MAX, v);
}

int devs_node(const char *path, dev_t devno)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	if (mknod(path, S_IFBLK | 0600, devno) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static bool prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* Fill e from /sys/class/block/NAME; 0 ok, 1 skip, -1 error. */
static int ent_fill(const char *name, struct devs_ent *e)
{
	char dir[PATH_MAX], real[PATH_MAX], buf[32];
	uint64_t sectors, maj, min, part = 0, rm = 0;
	char *colon, *slash;

	memset(e, 0, sizeof(*e));
	if (strlen(name) >= sizeof(e->name))
		return 1;
	snprintf(dir, sizeof(dir), "/sys/class/block/%s", name);
	if (sys_u64(dir, "size", &sectors) < 0 || !sectors)
		return 1; /* empty loop, CD tray without medium */
	if (sys_read(dir, "dev", buf, sizeof(buf)) < 0)
		return 1;
	colon = strchr(buf, ':');
	if (!colon)
		return 1;
	*colon = '\0';
	if (num_u64(buf, 0xFFF, &maj) < 0 ||
	    num_u64(colon + 1, 0xFFFFF, &min) < 0)
		return 1;
	if (!realpath(dir, real))
		return 1;
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->path, sizeof(e->path), "/dev/%s", name);
	e->devno = makedev((unsigned)maj, (unsigned)min);
	e->size = sectors * 512;
	snprintf(e->disk, sizeof(e->disk), "%s", name);
	if (sys_u64(dir, "partition", &part) < 0 || !part) {
		/* A whole disk is in sysfs, with its /dev node, before the
		 * kernel lets it be opened: add_disk links "bdi" just before
		 * it makes the disk openable (bdev_add). An open in between
		 * runs the legacy block-major autoload, a usermode modprobe.
		 * The disk's "add" event follows, and with it a rescan.
		 * Partitions are made later still. */
		snprintf(real, sizeof(real), "/sys/class/block/%s/bdi",
			 e->name);
		if (faccessat(AT_FDCWD, real, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			return 1;
	} else {
		e->partno = (unsigned)part;
		slash = strrchr(real, '/');
		if (slash) {
			*slash = '\0';
			slash = strrchr(real, '/');
			if (slash && strlen(slash + 1) < sizeof(e->disk))
				snprintf(e->disk, sizeof(e->disk), "%s",
					 slash + 1);
			snprintf(dir, sizeof(dir), "%s", real);
		}
	}
	if (prefix(e->disk, "loop") || prefix(e->disk, "ram") ||
	    prefix(e->disk, "zram"))
		e->cls = DEVS_VIRTUAL;
	else if ((sys_u64(dir, "removable", &rm) == 0 && rm) ||
		 prefix(e->disk, "sr") || strstr(real, "/usb"))
		e->cls = DEVS_REMOVABLE;
	else
		e->cls = DEVS_FIXED;
	if (devs_node(e->path, e->devno) < 0)
		return -1;
	return 0;
}

static int ent_cmp(const void *pa, const void *pb)
{
	const struct devs_ent *a = pa, *b = pb;
	int c;

	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	c = strverscmp(a->disk, b->disk);
	if (c)
		return c;
	/* partitions (1..n) before the whole disk (0) */
	if (a->partno != b->partno) {
		if (!a->partno)
			return 1;
		if (!b->partno)
			return -1;
		return a->partno < b->partno ? -1 : 1;
	}
	return 0;
}

int devs_scan(struct devs_ent *v, size_t max, size_t *n)
{
	struct dirent *d;
	DIR *dir;
	int rc;

	*n = 0;
	dir = opendir("/sys/class/block");
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' || *n >= max)
			continue;
		rc = ent_fill(d->d_name, &v[*n]);
		if (rc < 0) {
			dir_close(dir);
			return -1;
		}
		if (rc == 0)
			(*n)++;
	}
	dir_close(dir);
	qsort(v, *n, sizeof(*v), ent_cmp);
	return 0;
}

void devs_wait_init(struct devs_wait *w)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1};
	int fd;

	w->delay_ms = 100;
	w->nl = -1;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return; /* polling alone still works */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fd_close(fd);
		return;
	}
	w->nl = fd;
}

int devs_drain(int fd, const char *key)
{
	size_t kl = strlen(key);
	bool by_prefix = kl && key[kl - 1] == '='; /* "MODALIAS=" */
	char buf[4096];
	int hit = 0;
	ssize_t n, i;

	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = '\0';
		for (i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
			if (by_prefix ? !strncmp(buf + i, key, kl)
				   : !strcmp(buf + i, key))
				hit = 1;
	}
	if (n < 0 && errno == ENOBUFS)
		hit = 1;
	return hit;
}

/* Only a block uevent ends the wait early. Other subsystems' events do
 * not: a disk registers its bdi device (with a uevent) before the kernel
 * lets the disk be opened, and a scan woken by that event would find the
 * disk in sysfs, open it too soon and make the kernel run the block-major
 * autoload (a usermode modprobe) for it. The disk's own "add" comes once
 * it and its partitions are ready, so a scan right after it needs no
 * settling delay. */
int devs_wait_next(struct devs_wait *w, uint64_t deadline_ms)
{
	uint64_t now = devs_now_ms(), until;
	struct pollfd p;
	struct timespec ts;
	uint64_t ms = w->delay_ms;

	if (now >= deadline_ms)
		return 0;
	until = deadline_ms - now < ms ? deadline_ms : now + ms;
	if (w->delay_ms < 1000)
		w->delay_ms = w->delay_ms * 2 > 1000 ? 1000 : w->delay_ms * 2;
	if (w->nl >= 0) {
		p.fd = w->nl;
		p.events = POLLIN;
		while ((now = devs_now_ms()) < until) {
			if (poll(&p, 1, (int)(until - now)) <= 0)
				return 0; /* timeout, or a signal: rescan */
			if (devs_drain(w->nl, "SUBSYSTEM=block"))
				return 1;
		}
		return 0;
	}
	ms = until - now;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	(void)nanosleep(&ts, NULL); /* interrupted: the caller rescans sooner */
	return 0;
}

void devs_wait_end(struct devs_wait *w)
{
	if (w->nl >= 0)
		fd_close(w->nl);
	w->nl = -1;
}
