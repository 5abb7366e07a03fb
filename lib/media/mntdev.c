/* mntdev.c - mount a device or image by given or probed type.
 *
 * The loop device of an image is autoclear and its fd stays open until
 * mount(2) has returned: closing it earlier would destroy the device
 * (reference/media.md 1.2). On failure it is cleared, so no device is
 * left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "mount/mount.h"
#include "media.h"

static bool probing(const struct mntdev *m)
{
	return !m->types || !*m->types || !strcmp(m->types, "auto");
}

static int attach(struct mntdev *m, const char **dev)
{
	struct loop_conf c = {0};
	bool ro = false;
	int fd;

	c.offset = m->offset;
	c.sizelimit = m->sizelimit;
	c.read_only = m->flags & MS_RDONLY;
	c.autoclear = true;
	snprintf(m->loop_name, sizeof(m->loop_name), "%s",
		 m->loop_dev ? m->loop_dev : "");
	fd = loop_setup(m->source, &c, m->loop_name, sizeof(m->loop_name),
			&m->err, &ro);
	if (fd < 0)
		return -1; /* m->err is loop_setup's */
	if (ro) {
		m->read_only = true;
		m->flags |= MS_RDONLY;
	}
	*dev = m->loop_name;
	return fd;
}

static int probe(struct mntdev *m, const char *dev)
{
	struct blkid_info bi;
	int fd, r;

	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = blkid_probe(fd, &bi);
	fd_close(fd);
	if (r == 0)
		snprintf(m->type, sizeof(m->type), "%s", bi.type);
	return r;
}

static int try(struct mntdev *m, const char *dev, bool blk, const char **step)
{
	*step = "mount";
	if (mount(dev, m->dir, m->type, m->flags, m->data) == 0)
		return 0;
	/* A write-protected medium (an ISO, a read-only disk): mount it
	 * read-only, as util-linux does, and say so in m->read_only. */
	if ((errno == EROFS || errno == EACCES) && blk &&
	    !(m->flags & MS_RDONLY) &&
	    mount(dev, m->dir, m->type, m->flags | MS_RDONLY, m->data) == 0) {
		m->read_only = true;
		m->flags |= MS_RDONLY;
		return 0;
	}
	return -1;
}

int mntdev_mount(struct mntdev *m)
{
	const char *dev = m->source, *t, *step = "stat source";
	struct stat st;
	bool blk;
	size_t n;
	int lfd = -1, r = -1, e;

	m->type[0] = m->loop_name[0] = '\0';
	m->read_only = false;
	if (stat(m->source, &st) < 0) {
		/* "proc", "tmpfs", "overlay": names, not paths, with -t. */
		if (errno != ENOENT || probing(m) || m->loop)
			return err_set(&m->err, errno, "%s", step);
	} else if (m->loop || S_ISREG(st.st_mode)) {
		lfd = attach(m, &dev);
		if (lfd < 0)
			return -1;
	}
	blk = stat(dev, &st) == 0 && S_ISBLK(st.st_mode);
	if (probing(m)) {
		step = "probe";
		if (!blk)
			errno = ENOTBLK;
		else if (probe(m, dev) == 0)
			r = try(m, dev, blk, &step);
		goto out;
	}
	for (t = m->types; *t; t += n + (t[n] == ',')) {
		n = strcspn(t, ",");
		if (n >= sizeof(m->type)) {
			step = "mount";
			errno = ENODEV;
			break;
		}
		memcpy(m->type, t, n);
		m->type[n] = '\0';
		r = try(m, dev, blk, &step);
		/* The next type only when this one was the wrong guess. */
		if (r == 0 || (errno != ENODEV && errno != EINVAL))
			break;
	}
out:
	e = errno;
	if (r < 0)
		err_set(&m->err, e, "%s", step);
	if (lfd >= 0) {
		/* The mount holds the device now, or it is ours to drop;
		 * a failed clear still ends with the autoclear close. */
		if (r < 0)
			(void)loop_clear(lfd);
		fd_close(lfd);
		if (r < 0)
			m->loop_name[0] = '\0';
	}
	errno = e;
	return r;
}

bool mntdev_fs_known(const char *type)
{
	char line[128], *p;
	bool found = false;
	FILE *fp = fopen("/proc/filesystems", "re");

	if (!fp)
		return true;
	/* "nodev\toverlay\n" or "\text4\n" */
	while (!found && fgets(line, sizeof(line), fp)) {
		p = strchr(line, '\t');
		p = p ? p + 1 : line;
		p[strcspn(p, "\n")] = '\0';
		found = !strcmp(p, type);
	}
	(void)fclose(fp); /* read-only */
	return found;
}
