/* initrd_root.c - what the kernel did around a legacy initrd to find the
 * real root: the API mounts, the command line's root keys, real-root-dev
 * and the root device itself (see initrd.h; kernel: init/do_mounts.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/base.h"
#include "archive/archive.h"
#include "mount/mount.h"
#include "media/media.h"
#include "initrd.h"

int initrd_api_mounts(const char *const *dirs, struct err *e)
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

	if (stat("/", &root) < 0)
		return err_set(e, errno, "stat /");
	for (i = 0; i < ARRAY_SIZE(m); i++) {
		if (stat(m[i].dir, &st) == 0 && st.st_dev != root.st_dev)
			continue;
		if (mkdir(m[i].dir, 0755) < 0 && errno != EEXIST)
			return err_set(e, errno, "create %s", m[i].dir);
		if (mount(m[i].type, m[i].dir, m[i].type, m[i].flags,
			  m[i].data) < 0)
			return err_set(e, errno, "%s %s", m[i].step, m[i].dir);
	}
	for (; *dirs; dirs++)
		if (mkdir(*dirs, 0755) < 0 && errno != EEXIST)
			return err_set(e, errno, "create %s", *dirs);
	return 0;
}

int initrd_cmdline_read(struct initrd_cmdline *c)
{
	struct cmdline_word w;
	char *s = c->buf;

	memset(c, 0, sizeof(*c));
	if (cmdline_read("/proc/cmdline", c->buf, sizeof(c->buf)) < 0) {
		c->buf[0] = '\0';
		return -1;
	}
	/* as the kernel: the last of a key wins, and the words after "--"
	 * are init's arguments */
	while (cmdline_next(&s, &w)) {
		if (!w.val && !strcmp(w.param, "--"))
			break;
		else if (!w.val && !strcmp(w.param, "rw"))
			c->rw = true;
		else if (!w.val && !strcmp(w.param, "ro"))
			c->rw = false;
		else if (!w.val)
			continue;
		else if (!strcmp(w.param, "root"))
			c->root = w.val;
		else if (!strcmp(w.param, "rootfstype"))
			c->fstype = w.val;
		else if (!strcmp(w.param, "rootflags"))
			c->flags = w.val;
		else if (!strcmp(w.param, "init"))
			c->init = w.val;
		else if (!strcmp(w.param, "rootdelay"))
			c->delay = w.val;
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
	return err_set(&q->err, e == ENOENT || e == ENODEV ? ETIMEDOUT : e,
		       "wait");
}

int initrd_root_mount(struct initrd_root *q)
{
	struct mntopt mo;
	struct mntdev m;

	mntopt_init(&mo);
	if (mntopt_parse(&mo, q->rw ? "rw" : "ro") < 0 ||
	    (q->opts && mntopt_parse(&mo, q->opts) < 0)) {
		return err_set(&q->err, 0, "bad option %s", mo.err.what);
	}
	memset(&m, 0, sizeof(m));
	m.source = q->path;
	m.dir = q->dir;
	m.types = q->types;
	m.flags = mntopt_flags(&mo, 0);
	m.data = mo.data[0] ? mo.data : NULL;
	if (mkdir(q->dir, 0755) < 0 && errno != EEXIST)
		return err_set(&q->err, errno, "create the mount point");
	if (mntdev_mount(&m) < 0)
		return err_set(&q->err, errno, "%s", m.err.what);
	snprintf(q->type, sizeof(q->type), "%s", m.type);
	return 0;
}
