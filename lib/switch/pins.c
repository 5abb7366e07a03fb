/* pins.c - find what keeps files of one filesystem alive (see switch.h).
 *
 * /proc/PID/{exe,cwd,root,fd/N} are magic links: stat() on them reaches the
 * open file itself even when it has been unlinked, so its st_dev tells the
 * filesystem. Mappings are read from /proc/PID/maps, whose device field is
 * "MAJOR:MINOR" in hex, and sized through /proc/PID/map_files/RANGE.
 * Loop devices tell their backing inode with LOOP_GET_STATUS64 (lo_device
 * is the kernel's new_encode_dev of st_dev).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/loop.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/base.h"
#include "mount/mount.h"
#include "switch.h"

uint64_t pins_file_bytes(const struct stat *st)
{
	uint64_t page = 4096;

	if (!S_ISREG(st->st_mode))
		return 0;
	if (st->st_blocks)
		return (uint64_t)st->st_blocks * 512;
	return ((uint64_t)st->st_size + page - 1) / page * page;
}

uint64_t pins_bytes_of(const struct pins *p, ino_t ino)
{
	size_t i;

	for (i = 0; i < p->ninos; i++)
		if (p->inos[i].ino == ino)
			return p->inos[i].bytes;
	return 0;
}

/* Count INO once in the grand total; returns 1 if it was new. */
static int note_ino(struct pins *p, ino_t ino, uint64_t bytes)
{
	size_t i;

	for (i = 0; i < p->ninos; i++)
		if (p->inos[i].ino == ino)
			return 0;
	if (array_grow(&p->inos, &p->inos_cap, p->ninos, sizeof(*p->inos)) < 0)
		return -1;
	p->inos[p->ninos].ino = ino;
	p->inos[p->ninos++].bytes = bytes;
	p->bytes += bytes;
	return 1;
}

/* What a scan looks for: files on device dev, or (prefix set) files
 * whose path, as this process sees it, is prefix or lies below it. */
struct match {
	dev_t dev;
	const char *prefix;
};

static bool path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 1 && prefix[0] == '/')
		return path[0] == '/';
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

static void read_link(const char *link, char *out, size_t len)
{
	ssize_t n = readlink(link, out, len - 1);
	char *d;

	if (n < 0)
		n = 0;
	out[n] = '\0';
	d = strstr(out, " (deleted)");
	if (d && d[10] == '\0')
		*d = '\0';
}

static int add_item(struct pin_proc *pp, const char *what, const char *path,
		    const struct stat *st)
{
	struct pin_item *it;
	size_t i;

	/* One line per inode: an executable is also mapped. */
	for (i = 0; i < pp->nitems; i++)
		if (pp->items[i].ino == st->st_ino &&
		    strncmp(what, "fd", 2) != 0)
			return 0;
	if (array_grow(&pp->items, &pp->items_cap, pp->nitems,
		       sizeof(*pp->items)) < 0)
		return -1;
	it = &pp->items[pp->nitems];
	memset(it, 0, sizeof(*it));
	snprintf(it->what, sizeof(it->what), "%s", what);
	snprintf(it->path, sizeof(it->path), "%s", path);
	it->ino = st->st_ino;
	for (i = 0; i < pp->nitems; i++)
		if (pp->items[i].ino == st->st_ino)
			break;
	/* This process's bytes count each inode once. */
	if (i == pp->nitems) {
		it->bytes = pins_file_bytes(st);
		pp->bytes += it->bytes;
	}
	pp->nitems++;
	return 0;
}

static int check_link(struct pin_proc *pp, const struct match *m,
		      const char *pdir, const char *name, const char *what)
{
	char link[PATH_MAX], path[256];
	struct stat st;

	snprintf(link, sizeof(link), "%s/%s", pdir, name);
	if (stat(link, &st) < 0 || (!m->prefix && st.st_dev != m->dev))
		return 0;
	read_link(link, path, sizeof(path));
	if (m->prefix && !path_under(path, m->prefix))
		return 0;
	return add_item(pp, what, path, &st);
}

static int scan_fds(struct pin_proc *pp, const struct match *m,
		    const char *pdir)
{
	char dir[PATH_MAX + 8], name[PATH_MAX], what[24];
	struct dirent *de;
	DIR *d;
	int r = 0;

	snprintf(dir, sizeof(dir), "%s/fd", pdir);
	d = opendir(dir);
	if (!d)
		return 0;
	while (r == 0 && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(name, sizeof(name), "fd/%s", de->d_name);
		snprintf(what, sizeof(what), "fd %.16s", de->d_name);
		r = check_link(pp, m, pdir, name, what);
	}
	dir_close(d);
	return r;
}

/* "start-end perms offset maj:min inode   path": the numbers, and the path
 * (possibly empty); NULL for a line of another shape. */
static const char *maps_line(const char *l, uint64_t *start, uint64_t *end,
			     uint64_t *maj, uint64_t *min, uint64_t *ino)
{
	int i;

	l = num_scan_hex(l, start);
	if (!l || *l++ != '-' || !(l = num_scan_hex(l, end)) || *l != ' ')
		return NULL;
	/* perms, then offset */
	for (i = 0; i < 2; i++) {
		while (*l == ' ')
			l++;
		if (!*l)
			return NULL;
		l += strcspn(l, " ");
	}
	while (*l == ' ')
		l++;
	l = num_scan_hex(l, maj);
	if (!l || *l++ != ':' || !(l = num_scan_hex(l, min)) || *l != ' ')
		return NULL;
	while (*l == ' ')
		l++;
	l = num_scan_dec(l, ino);
	if (!l)
		return NULL;
	while (*l == ' ')
		l++;
	return l;
}

static int scan_maps(struct pin_proc *pp, const struct match *m,
		     const char *pdir)
{
	char file[PATH_MAX + 128], line[PATH_MAX + 128], range[64], path[256];
	uint64_t start, end, ino, maj, min;
	const char *rest;
	struct stat st;
	int r = 0;
	FILE *f;

	snprintf(file, sizeof(file), "%s/maps", pdir);
	f = fopen(file, "re");
	if (!f)
		return 0;
	while (r == 0 && fgets(line, sizeof(line), f)) {
		rest = maps_line(line, &start, &end, &maj, &min, &ino);
		if (!rest || ino == 0)
			continue;
		if (!m->prefix &&
		    (maj != major(m->dev) || min != minor(m->dev)))
			continue;
		snprintf(path, sizeof(path), "%s", rest);
		path[strcspn(path, "\n")] = '\0';
		if (strlen(path) > 10 &&
		    !strcmp(path + strlen(path) - 10, " (deleted)"))
			path[strlen(path) - 10] = '\0';
		if (m->prefix && !path_under(path, m->prefix))
			continue;
		snprintf(range, sizeof(range), "map_files/%llx-%llx",
			 (unsigned long long)start, (unsigned long long)end);
		snprintf(file, sizeof(file), "%s/%s", pdir, range);
		if (stat(file, &st) < 0) {
			/* map_files needs CAP_SYS_ADMIN: name the inode
			 * without a size rather than miss it. */
			memset(&st, 0, sizeof(st));
			st.st_ino = (ino_t)ino;
			st.st_dev = makedev(maj, min);
		}
		r = add_item(pp, "map", path, &st);
	}
	(void)fclose(f); /* read-only */
	return r;
}

static int scan_proc(struct pins *p, const char *proc, pid_t pid,
		     const struct match *m)
{
	char pdir[128], file[PATH_MAX], tgt[8];
	struct pin_proc pp;
	size_t i;
	FILE *f;

	memset(&pp, 0, sizeof(pp));
	pp.pid = pid;
	snprintf(pdir, sizeof(pdir), "%s/%d", proc, (int)pid);
	/* No executable: a kernel thread or a zombie, which hold no files.
	 * Most processes at the switch are kernel threads: one syscall each
	 * instead of a dozen (11 ms of a qemu boot's switch_root). */
	snprintf(file, sizeof(file), "%s/exe", pdir);
	if (readlink(file, tgt, sizeof(tgt)) < 0 && errno == ENOENT)
		return 0;
	if (check_link(&pp, m, pdir, "exe", "exe") < 0 ||
	    check_link(&pp, m, pdir, "root", "root") < 0 ||
	    check_link(&pp, m, pdir, "cwd", "cwd") < 0 ||
	    scan_fds(&pp, m, pdir) < 0 || scan_maps(&pp, m, pdir) < 0)
		goto nomem;
	if (pp.nitems == 0)
		return 0;
	snprintf(file, sizeof(file), "%s/comm", pdir);
	f = fopen(file, "re");
	if (f) {
		if (!fgets(pp.comm, sizeof(pp.comm), f))
			pp.comm[0] = '\0';
		pp.comm[strcspn(pp.comm, "\n")] = '\0';
		(void)fclose(f); /* read-only */
	}
	for (i = 0; i < pp.nitems; i++)
		if (note_ino(p, pp.items[i].ino, pp.items[i].bytes) < 0)
			goto nomem;
	if (array_grow(&p->procs, &p->procs_cap, p->nprocs,
		       sizeof(*p->procs)) < 0)
		goto nomem;
	p->procs[p->nprocs++] = pp;
	return 0;
nomem:
	free(pp.items);
	errno = ENOMEM;
	return -1;
}

static int scan_loops(struct pins *p, const char *sys, dev_t dev)
{
	char dir[128], file[PATH_MAX], buf[64];
	struct loop_info64 li;
	struct pin_loop pl;
	struct dirent *de;
	uint64_t sectors;
	ssize_t n;
	DIR *d;
	int fd;

	snprintf(dir, sizeof(dir), "%s/block", sys);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "loop", 4) ||
		    !isdigit((unsigned char)de->d_name[4]))
			continue;
		memset(&pl, 0, sizeof(pl));
		snprintf(pl.name, sizeof(pl.name), "%.31s", de->d_name);
		snprintf(file, sizeof(file), "%s/%s/loop/backing_file", dir,
			 de->d_name);
		if (fd_read_small(file, pl.backing, sizeof(pl.backing)) < 0 &&
		    errno == ENOENT)
			continue; /* not bound */
		pl.backing[strcspn(pl.backing, "\n")] = '\0';
		snprintf(file, sizeof(file), "/dev/%s", de->d_name);
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = ioctl(fd, LOOP_GET_STATUS64, &li);
		fd_close(fd);
		if (n < 0 || li.lo_device != dev_encode(dev))
			continue;
		pl.ino = (ino_t)li.lo_inode;
		snprintf(file, sizeof(file), "%s/%s/size", dir, de->d_name);
		if (fd_read_small(file, buf, sizeof(buf)) >= 0) {
			buf[strcspn(buf, "\n")] = '\0';
			if (num_u64(buf, UINT64_MAX / 512, &sectors) == 0)
				pl.bytes = sectors * 512;
		}
		if (note_ino(p, pl.ino, pl.bytes) < 0)
			goto nomem;
		if (array_grow(&p->loops, &p->loops_cap, p->nloops,
			       sizeof(*p->loops)) < 0)
			goto nomem;
		p->loops[p->nloops++] = pl;
	}
	dir_close(d);
	return 0;
nomem:
	dir_close(d);
	errno = ENOMEM;
	return -1;
}

static int scan_procs(const char *proc, const struct match *m, pid_t self,
		      struct pins *p)
{
	struct dirent *de;
	uint64_t v;
	DIR *d;

	memset(p, 0, sizeof(*p));
	d = opendir(proc);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (num_u64(de->d_name, INT_MAX, &v) < 0 || (pid_t)v == self)
			continue;
		if (scan_proc(p, proc, (pid_t)v, m) < 0) {
			dir_close(d);
			pins_free(p);
			errno = ENOMEM;
			return -1;
		}
	}
	dir_close(d);
	return 0;
}

int pins_scan(const char *proc, const char *sys, dev_t dev, pid_t self,
	      struct pins *p)
{
	struct match m = {dev, NULL};

	if (scan_procs(proc, &m, self, p) < 0)
		return -1;
	if (scan_loops(p, sys, dev) < 0) {
		pins_free(p);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int pins_scan_under(const char *proc, const char *prefix, pid_t self,
		    struct pins *p)
{
	struct match m = {0, prefix};

	return scan_procs(proc, &m, self, p);
}

void pins_free(struct pins *p)
{
	size_t i;

	for (i = 0; i < p->nprocs; i++)
		free(p->procs[i].items);
	free(p->procs);
	free(p->loops);
	free(p->inos);
	memset(p, 0, sizeof(*p));
}
