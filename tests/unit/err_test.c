/* err_test.c - lib/base/err.c: what failed, said one way. */
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "t.h"

static void set_fills_what_and_errno_and_returns_minus_one(void)
{
	struct err e;
	char buf[ERR_STR_MAX];

	errno = 0;
	CHECK(err_set(&e, ENOENT, "open NEWROOT %s", "/new_root") == -1);
	CHECK(errno == ENOENT && e.no == ENOENT);
	CHECK_STR(e.what, "open NEWROOT /new_root");
	CHECK_STR(err_str(&e, buf, sizeof(buf)),
		  "open NEWROOT /new_root: No such file or directory");
}

static void words_alone_say_it_all_and_errno_is_einval(void)
{
	struct err e;
	char buf[ERR_STR_MAX];

	errno = 0;
	CHECK(err_set(&e, 0, "INIT %s: not executable", "/sbin/init") == -1);
	CHECK(errno == EINVAL && e.no == 0);
	CHECK_STR(err_str(&e, buf, sizeof(buf)), "INIT /sbin/init: not executable");
}

static void a_long_detail_is_cut_never_overrun(void)
{
	static char path[2 * PATH_MAX];
	struct err e;
	char small[16];

	memset(path, 'x', sizeof(path) - 1);
	err_set(&e, EIO, "read %s", path);
	CHECK(strlen(e.what) == sizeof(e.what) - 1);
	CHECK(strlen(err_str(&e, small, sizeof(small))) == sizeof(small) - 1);
}

int main(void)
{
	RUN(set_fills_what_and_errno_and_returns_minus_one);
	RUN(words_alone_say_it_all_and_errno_is_einval);
	RUN(a_long_detail_is_cut_never_overrun);
	T_EXIT();
}
