/* sys.h - small exact helpers over system calls, as skalibs has them
 * (fd_close, openreadnclose, allwrite, mkdir -p): one of each, used
 * everywhere instead of the same error dance written again.
 */
#ifndef INITBOX_SYS_H
#define INITBOX_SYS_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* close(2) that keeps errno: for an fd nothing was written through, or on
 * a path that is already failing (the earlier error is the one reported). */
void fd_close(int fd);

/* closedir(3) that keeps errno, for a directory only read */
void dir_close(DIR *d);

/* One read(2) of a small proc or sysfs file into buf, NUL-terminated
 * (such files give all they have at once); returns the length, -1 with
 * errno on failure. */
ssize_t fd_read_small(const char *path, char *buf, size_t len);
ssize_t fd_read_small_at(int dirfd, const char *path, char *buf, size_t len);

/* The whole file PATH (below dirfd, or AT_FDCWD) in a new buffer the
 * caller frees, NUL-terminated, *len bytes before the NUL; EFBIG when it
 * holds more than max. Files that say 0 bytes (/proc, sysfs) are read to
 * their end. 0, or -1 with errno and *buf NULL. */
int fd_slurp_at(int dirfd, const char *path, size_t max, char **buf,
		size_t *len);

/* Write all n bytes, again after EINTR; a write of 0 is ENOSPC, so that
 * a full device never spins. */
int fd_write_all(int fd, const void *buf, size_t n);

/* mkdir -p PATH (mode 0755 for each missing directory); *made (if not
 * NULL) says whether the last one was created by this call. */
int mkdir_p(const char *path, bool *made);

/* Room for one more element in the array whose pointer is at pv (any
 * element type), n of its *cap elements of size bytes in use: the
 * capacity doubles from 8, checked for overflow. 0, or -1 with ENOMEM and
 * the array unchanged. */
int array_grow(void *pv, size_t *cap, size_t n, size_t size);

/* The kernel's new_encode_dev / new_decode_dev: the format of
 * real-root-dev and of LOOP_GET_STATUS64's lo_device. */
uint32_t dev_encode(dev_t dev);
dev_t dev_decode(uint32_t v);

#endif
