/* fuzz.h - what the libFuzzer harnesses share: a scratch directory of
 * their own under /tmp, removed at exit, and small file helpers. Harness
 * code aborts on anything unexpected: libFuzzer reports the input. */
#ifndef FUZZ_H
#define FUZZ_H

#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* libFuzzer's entry points, which each harness defines */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char fz_base[256];

static int fz_rm_one(const char *p, const struct stat *st, int flag,
		     struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p) < 0 ? -1 : 0;
}

static int fz_open_dir(const char *p, const struct stat *st, int flag,
		       struct FTW *f)
{
	(void)f;
	if (flag == FTW_D || flag == FTW_DNR)
		(void)chmod(p, (st->st_mode & 07777) | 0700);
	return 0;
}

/* Remove PATH and everything under it, not following symlinks; the
 * directories are made searchable first (an archive may have given them
 * mode 0, which stops a non-root user). */
static inline int fz_rmtree(const char *path)
{
	(void)nftw(path, fz_open_dir, 16, FTW_PHYS);
	return nftw(path, fz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fz_cleanup(void)
{
	if (fz_base[0])
		(void)fz_rmtree(fz_base);
}

/* A fresh directory $TMPDIR/initbox-fuzz-NAME.XXXXXX, gone at a normal
 * exit (libFuzzer ends some runs with _Exit: tests/fuzz/run gives each
 * run a TMPDIR of its own and removes it). */
static inline const char *fz_scratch(const char *name)
{
	const char *tmp = getenv("TMPDIR");

	if (fz_base[0])
		return fz_base;
	if (snprintf(fz_base, sizeof(fz_base), "%s/initbox-fuzz-%s.XXXXXX",
		     tmp && *tmp ? tmp : "/tmp", name) >= (int)sizeof(fz_base))
		abort();
	if (!mkdtemp(fz_base))
		abort();
	atexit(fz_cleanup);
	return fz_base;
}

static inline void fz_write(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n) || close(fd) < 0)
		abort();
}

/* libFuzzer's timeout alarm interrupts a blocking syscall (EINTR) and
 * so would hide a hang in open(2) as a slow input: restart syscalls
 * instead, so that a blocked one is reported as the timeout it is. */
static inline void fz_alarm_restarts(void)
{
	static int done;
	struct sigaction sa;

	if (done++ || sigaction(SIGALRM, NULL, &sa) < 0)
		return;
	sa.sa_flags |= SA_RESTART;
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		abort();
}

/* The input in a memory file, at offset 0: what the lib reads by fd. */
static inline int fz_memfd(const uint8_t *p, size_t n)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n) ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

/* The input as a C string. */
static inline char *fz_str(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

#endif
