/* kmod_scan.c - the modalias of the devices present, from sysfs (see
 * kmod.h): /sys/bus/X/devices/, or the /sys/devices tree where there is
 * no /sys/bus.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "archive/archive.h"
#include "kmod.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum {
	MAX_DEVS = 4096, /* modalias strings: more than any machine has */
	MAX_SYS_DEPTH = 24,
};

void kmod_strs_free(struct kmod_strs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static int strs_add(struct kmod_strs *s, const char *str)
{
	if (s->n == MAX_DEVS)
		return 0; /* more devices than any initramfs needs */
	if (array_grow(&s->v, &s->cap, s->n, sizeof(*s->v)) < 0)
		return -1;
	s->v[s->n] = strdup(str);
	if (!s->v[s->n])
		return -1;
	s->n++;
	return 0;
}

/* the file REL below dirfd, if it exists and is not empty */
static int read_modalias(int dirfd, const char *rel, struct kmod_strs *all)
{
	char buf[512];

	/* a device without a modalias, or an empty or unreadable one */
	if (fd_read_small_at(dirfd, rel, buf, sizeof(buf)) <= 0)
		return 0;
	buf[strcspn(buf, "\n")] = '\0';
	return *buf ? strs_add(all, buf) : 0;
}

/* every modalias file below dirfd (which this call closes): for a sysfs
 * without /sys/bus, where the devices are only in the /sys/devices tree */
static int walk_devices(int dirfd, int depth, struct kmod_strs *all)
{
	struct dirent *d;
	DIR *dir;
	int fd, rc;

	rc = read_modalias(dirfd, "modalias", all);
	dir = fdopendir(dirfd);
	if (!dir) {
		fd_close(dirfd);
		return rc;
	}
	while (rc == 0 && depth < MAX_SYS_DEPTH && (d = readdir(dir))) {
		/* sysfs links (subsystem, driver, device) would loop */
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		fd = openat(dirfd, d->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			rc = walk_devices(fd, depth + 1, all);
	}
	dir_close(dir);
	return rc;
}

/* BUS/devices/DEV/modalias for every bus below busfd (closed here): each
 * device once, where /sys/devices holds it deep in its parent's tree */
static int scan_bus(int busfd, struct kmod_strs *all)
{
	struct dirent *b, *d;
	DIR *bus, *devs;
	char rel[600];
	int fd, rc = 0;

	bus = fdopendir(busfd);
	if (!bus) {
		fd_close(busfd);
		return -1;
	}
	while (rc == 0 && (b = readdir(bus))) {
		if (b->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "%s/devices", b->d_name);
		fd = openat(busfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue; /* not a bus directory */
		devs = fdopendir(fd);
		if (!devs) {
			fd_close(fd);
			continue;
		}
		while (rc == 0 && (d = readdir(devs))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(rel, sizeof(rel), "%s/modalias", d->d_name);
			rc = read_modalias(fd, rel, all);
		}
		dir_close(devs);
	}
	dir_close(bus);
	return rc;
}

int kmod_scan(const char *sysfs, struct kmod_strs *seen,
	      struct kmod_strs *fresh, struct err *err)
{
	struct kmod_strs all = {0};
	const char *step;
	char path[4200];
	size_t i;
	int fd, rc, e;

	kmod_strs_free(fresh);
	if (!sysfs)
		sysfs = "/sys";
	snprintf(path, sizeof(path), "%s/bus", sysfs);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		return err_set(err, errno, "open bus");
	if (fd >= 0) {
		step = "read bus";
		rc = scan_bus(fd, &all);
	} else {
		snprintf(path, sizeof(path), "%s/devices", sysfs);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return err_set(err, errno, "open devices");
		step = "read devices";
		rc = walk_devices(fd, 0, &all);
	}
	if (rc == 0 && all.n)
		qsort(all.v, all.n, sizeof(char *), cmp_str);
	for (i = 0; rc == 0 && i < all.n; i++) {
		if (i && !strcmp(all.v[i], all.v[i - 1]))
			continue;
		if (seen->n && bsearch(&all.v[i], seen->v, seen->n,
				       sizeof(char *), cmp_str))
			continue;
		rc = strs_add(fresh, all.v[i]);
	}
	for (i = 0; rc == 0 && i < fresh->n; i++)
		rc = strs_add(seen, fresh->v[i]);
	if (rc == 0 && seen->n)
		qsort(seen->v, seen->n, sizeof(char *), cmp_str);
	e = errno;
	kmod_strs_free(&all);
	if (rc < 0)
		return err_set(err, e, "%s", step);
	return (int)fresh->n;
}
