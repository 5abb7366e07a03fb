/* sys.c - see base.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base.h"

void fd_close(int fd)
{
	int e = errno;

	(void)close(fd); /* the caller reports the earlier error, or none */
	errno = e;
}

void dir_close(DIR *d)
{
	int e = errno;

	(void)closedir(d); /* as fd_close */
	errno = e;
}

ssize_t fd_read_small_at(int dirfd, const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	fd_close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

ssize_t fd_read_small(const char *path, char *buf, size_t len)
{
	return fd_read_small_at(AT_FDCWD, path, buf, len);
}

int fd_slurp_at(int dirfd, const char *path, size_t max, char **buf,
		size_t *len)
{
	struct stat st;
	size_t got = 0, cap;
	ssize_t n;
	char *p = NULL, *grown;
	int fd;

	*buf = NULL;
	*len = 0;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if ((uint64_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	/* /proc and sysfs files say 0 bytes: read to their end, growing */
	cap = st.st_size ? (size_t)st.st_size : 4096;
	p = malloc(cap + 1);
	if (!p)
		goto fail;
	for (;;) {
		if (got == cap) {
			if (st.st_size)
				break; /* read to the size fstat gave */
			if (cap >= max) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap > max / 2 ? max : cap * 2;
			grown = realloc(p, cap + 1);
			if (!grown)
				goto fail;
			p = grown;
		}
		n = read(fd, p + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	p[got] = '\0';
	fd_close(fd);
	*buf = p;
	*len = got;
	return 0;
fail:
	free(p);
	fd_close(fd);
	return -1;
}

int fd_write_all(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int mkdir_p(const char *path, bool *made)
{
	char p[4096];
	size_t i, n = strlen(path);

	if (made)
		*made = false;
	if (n >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) == 0) {
			if (made)
				*made = i == n;
		} else if (errno != EEXIST) {
			return -1;
		}
		p[i] = path[i];
	}
	return 0;
}

uint32_t dev_encode(dev_t dev)
{
	uint32_t ma = major(dev), mi = minor(dev);

	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
}

dev_t dev_decode(uint32_t v)
{
	return makedev((v & 0xfff00) >> 8, (v & 0xff) | ((v >> 12) & 0xfff00));
}

int array_grow(void *pv, size_t *cap, size_t n, size_t size)
{
	size_t want = *cap ? *cap * 2 : 8;
	void *v, *grown;

	if (n < *cap)
		return 0;
	if (want < *cap || want > SIZE_MAX / size) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(&v, pv, sizeof(v));
	grown = realloc(v, want * size);
	if (!grown)
		return -1;
	/* the array's own pointer, of whatever type: stored, not leaked */
	memcpy(pv, &grown, sizeof(grown));
	*cap = want;
	/* cppcheck-suppress memleak */
	return 0;
}
