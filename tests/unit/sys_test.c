/* sys_test.c - lib/sys.c: the errno-preserving close, the small-file
 * reader, write_all and mkdir -p */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initbox.h"
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

int main(void)
{
	RUN(close_keeps_the_earlier_errno);
	RUN(small_read_is_nul_terminated_and_cut_to_the_buffer);
	RUN(write_all_reports_a_full_device);
	RUN(mkdirs_makes_parents_and_says_if_it_made_the_last);
	T_EXIT();
}
