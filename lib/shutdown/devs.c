/* devs.c - the block devices under a root, and whether a teardown has
 * let go of them (see shutdown.h).
 *
 * The last umount of a filesystem ends its superblock (ext4 closes its
 * journal, FAT clears its dirty bit) only when nothing else holds it: an
 * overlay's layers, a loop device's backing file, a device-mapper table.
 * So what is said at the end is asked of the devices themselves: an
 * exclusive open (O_EXCL on a block device) fails with EBUSY while a
 * filesystem is mounted on it or a mapping or loop device claims it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/base.h"
#include "mount/mount.h"
#include "shutdown.h"

/* The kernel's name of block device RDEV, from /sys/dev/block/M:m. */
static int sys_name(dev_t rdev, char *name, size_t len)
{
	char link[64], tgt[PATH_MAX];
	const char *b;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(rdev),
		 minor(rdev));
	n = readlink(link, tgt, sizeof(tgt) - 1);
	if (n < 0)
		return -1;
	tgt[n] = '\0';
	b = strrchr(tgt, '/');
	snprintf(name, len, "%.31s", b ? b + 1 : tgt);
	return 0;
}

int sd_devs_add(struct sd_devs *d, const char *node, dev_t rdev)
{
	struct sd_dev *v;
	struct stat st;
	size_t i;

	if (node) {
		if (stat(node, &st) < 0 || !S_ISBLK(st.st_mode))
			return 0;
		rdev = st.st_rdev;
	}
	for (i = 0; i < d->n; i++)
		if (d->v[i].rdev == rdev)
			return 0;
	if (array_grow(&d->v, &d->cap, d->n, sizeof(*d->v)) < 0)
		return -1;
	v = &d->v[d->n];
	v->rdev = rdev;
	if (sys_name(rdev, v->name, sizeof(v->name)) < 0)
		return 0; /* no block device (a tmpfs's anonymous st_dev) */
	d->n++;
	return 0;
}

int sd_devs_from_mounts(struct sd_devs *d, const struct mountinfo_list *l,
			const char *top)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].major != 0 && sd_under(l->v[i].target, top) &&
		    sd_devs_add(d, NULL,
				makedev(l->v[i].major, l->v[i].minor)) < 0)
			return -1;
	return 0;
}

void sd_devs_free(struct sd_devs *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* The first entry of /sys/class/block/NAME/holders ("dm-0"), or "". */
static void first_holder(const char *name, char *out, size_t len)
{
	char dir[96];
	struct dirent *de;
	DIR *dd;

	out[0] = '\0';
	snprintf(dir, sizeof(dir), "/sys/class/block/%s/holders", name);
	dd = opendir(dir);
	if (!dd)
		return;
	while ((de = readdir(dd)))
		if (de->d_name[0] != '.') {
			snprintf(out, len, "%s", de->d_name);
			break;
		}
	dir_close(dd);
}

int sd_dev_held(const struct sd_dev *dev, char *holder, size_t len)
{
	char node[64];
	int fd;

	first_holder(dev->name, holder, len);
	if (holder[0])
		return 1;
	/* The node devtmpfs made for it; opened without a partition scan
	 * or a wait for a medium (O_NONBLOCK). */
	snprintf(node, sizeof(node), "/dev/%s", dev->name);
	fd = open(node, O_RDONLY | O_EXCL | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		fd_close(fd);
		return 0;
	}
	if (errno == EBUSY) {
		snprintf(holder, len, "a filesystem or another opener");
		return 1;
	}
	/* ENOMEDIUM: a drive whose disc is out holds nothing */
	if (errno == ENOMEDIUM)
		return 0;
	return -1;
}

struct under {
	const char *top;
	struct sd_loops *l;
};

static int note_loop(const struct loop_state *st, void *arg)
{
	struct under *a = arg;

	if (!sd_under(st->backing, a->top))
		return 0;
	if (array_grow(&a->l->v, &a->l->cap, a->l->n, sizeof(*a->l->v)) < 0)
		return -1;
	a->l->v[a->l->n].num = st->num;
	a->l->v[a->l->n].back_dev = st->back_dev;
	a->l->v[a->l->n].back_ino = st->back_ino;
	a->l->n++;
	return 0;
}

int sd_loops_under(const char *top, struct sd_loops *l)
{
	struct under a = {top, l};
	int r;

	memset(l, 0, sizeof(*l));
	r = loop_each(note_loop, &a);
	if (r < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int sd_loops_detach(const struct sd_loops *l, struct err *e)
{
	struct loop_state st;
	size_t i;
	int n = 0;

	e->no = 0;
	e->what[0] = '\0';
	for (i = 0; i < l->n; i++) {
		/* unbound (autoclear), or bound to another file since */
		if (loop_state(l->v[i].num, &st) < 0 ||
		    st.back_dev != l->v[i].back_dev ||
		    st.back_ino != l->v[i].back_ino)
			continue;
		if (loop_detach(st.name) < 0) {
			if (e->no == 0)
				err_set(e, errno, "detach %s (%s)", st.name,
					st.backing);
			continue;
		}
		n++;
	}
	return n;
}

void sd_loops_free(struct sd_loops *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
