/* sys_test.c - lib/base/sys.c: the errno-preserving close, the small-file
 * reader, the whole-file reader, the growable array, write_all and
 * mkdir -p */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "t.h"

static void close_keeps_the_earlier_errno(void)
{
	int p[2];

	CHECK(pipe(p) == 0);
	errno = ENOSPC;
	fd_close(p[0]);
	CHECK(errno == ENOSPC);
	errno = EIO;
	fd_close(-1); /* fails itself with EBADF */
	CHECK(errno == EIO);
	(void)close(p[1]);
}

static void small_read_is_nul_terminated_and_cut_to_the_buffer(void)
{
	char tmpl[] = "/tmp/sys_test.XXXXXX", buf[8];
	int fd = mkstemp(tmpl);

	CHECK(fd >= 0);
	CHECK(fd_write_all(fd, "0123456789\n", 11) == 0);
	(void)close(fd);
	CHECK(fd_read_small(tmpl, buf, sizeof(buf)) == 7);
	CHECK_STR(buf, "0123456");
	(void)unlink(tmpl);
	errno = 0;
	CHECK(fd_read_small(tmpl, buf, sizeof(buf)) == -1);
	CHECK(errno == ENOENT);
}

static void write_all_reports_a_full_device(void)
{
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return; /* no /dev/full: nothing to observe */
	errno = 0;
	CHECK(fd_write_all(fd, "x", 1) == -1);
	CHECK(errno == ENOSPC);
	(void)close(fd);
}

static void mkdirs_makes_parents_and_says_if_it_made_the_last(void)
{
	char tmpl[] = "/tmp/sys_test.XXXXXX", p[128];
	bool made = false;
	struct stat st;

	CHECK(mkdtemp(tmpl) != NULL);
	snprintf(p, sizeof(p), "%s/x/y/z", tmpl);
	CHECK(mkdir_p(p, &made) == 0);
	CHECK(made);
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(mkdir_p(p, &made) == 0);
	CHECK(!made);
	snprintf(p, sizeof(p), "%s/x/y/z", tmpl);
	(void)rmdir(p);
	snprintf(p, sizeof(p), "%s/x/y", tmpl);
	(void)rmdir(p);
	snprintf(p, sizeof(p), "%s/x", tmpl);
	(void)rmdir(p);
	(void)rmdir(tmpl);
}

static void slurp_reads_whole_files_and_proc_files_to_their_end(void)
{
	char tmpl[] = "/tmp/sys_test.XXXXXX", *buf;
	static char big[10000];
	size_t len;
	int fd = mkstemp(tmpl);

	CHECK(fd >= 0);
	memset(big, 'x', sizeof(big));
	CHECK(fd_write_all(fd, big, sizeof(big)) == 0);
	(void)close(fd);
	CHECK(fd_slurp_at(AT_FDCWD, tmpl, sizeof(big), &buf, &len) == 0);
	CHECK(len == sizeof(big) && buf[len] == '\0' && buf[len - 1] == 'x');
	free(buf);
	errno = 0;
	CHECK(fd_slurp_at(AT_FDCWD, tmpl, sizeof(big) - 1, &buf, &len) == -1);
	CHECK(errno == EFBIG && buf == NULL);
	(void)unlink(tmpl);
	CHECK(fd_slurp_at(AT_FDCWD, tmpl, 100, &buf, &len) == -1);
	CHECK(errno == ENOENT && buf == NULL);
	/* /proc says 0 bytes: read to its end all the same */
	CHECK(fd_slurp_at(AT_FDCWD, "/proc/self/maps", 1 << 20, &buf, &len) == 0);
	CHECK(len > 0 && strlen(buf) == len);
	free(buf);
	/* relative to a directory fd */
	fd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(fd_slurp_at(fd, "comm", 100, &buf, &len) == 0);
	CHECK_STR(buf, "sys_test\n");
	free(buf);
	errno = 0;
	CHECK(fd_slurp_at(fd, "maps", 16, &buf, &len) == -1);
	CHECK(errno == EFBIG);
	(void)close(fd);
}

static void array_grows_doubling_and_refuses_overflow(void)
{
	int *v = NULL;
	size_t cap = 0, n;
	struct big {
		char b[1 << 20];
	} *huge = NULL;

	for (n = 0; n < 1000; n++) {
		CHECK(array_grow(&v, &cap, n, sizeof(*v)) == 0);
		v[n] = (int)n;
	}
	CHECK(cap == 1024 && v[999] == 999);
	/* room left: nothing moves */
	CHECK(array_grow(&v, &cap, 10, sizeof(*v)) == 0 && cap == 1024);
	free(v);
	/* a capacity whose doubling overflows size_t bytes: ENOMEM, the
	 * array as it was */
	cap = SIZE_MAX / sizeof(*huge) / 2 + 1;
	errno = 0;
	CHECK(array_grow(&huge, &cap, cap, sizeof(*huge)) == -1);
	CHECK(errno == ENOMEM && huge == NULL);
	cap = SIZE_MAX / 2 + 1;
	CHECK(array_grow(&v, &cap, cap, 1) == -1 && errno == ENOMEM);
}

int main(void)
{
	RUN(close_keeps_the_earlier_errno);
	RUN(small_read_is_nul_terminated_and_cut_to_the_buffer);
	RUN(write_all_reports_a_full_device);
	RUN(mkdirs_makes_parents_and_says_if_it_made_the_last);
	RUN(slurp_reads_whole_files_and_proc_files_to_their_end);
	RUN(array_grows_doubling_and_refuses_overflow);
	T_EXIT();
}
