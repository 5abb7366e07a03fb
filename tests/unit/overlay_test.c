/* overlay_test.c - lib/mount/overlay.c: the overlayfs option string and the
 * lower-layer list */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount/mount.h"
#include "t.h"

static void options_name_the_layers_in_order(void)
{
	char d[256];

	CHECK(overlay_data(d, sizeof(d), "/a:/b", "/c/upper", "/c/work",
			   "index=off", "noatime") == 0);
	CHECK_STR(d, "lowerdir=/a:/b,upperdir=/c/upper,workdir=/c/work,"
		     "index=off,noatime");
	CHECK(overlay_data(d, sizeof(d), "/a", "/u", "/w", NULL, "") == 0);
	CHECK_STR(d, "lowerdir=/a,upperdir=/u,workdir=/w");
}

static void separators_in_paths_are_escaped(void)
{
	char d[256];

	/* ':' separates lowers, so only upper and work escape it */
	CHECK(overlay_data(d, sizeof(d), "/l,1:/l\\2", "/u:1,x", "/w", NULL,
			   NULL) == 0);
	CHECK_STR(d, "lowerdir=/l\\,1:/l\\\\2,upperdir=/u\\:1\\,x,"
		     "workdir=/w");
}

static void options_longer_than_the_buffer_fail(void)
{
	char d[64];

	errno = 0;
	CHECK(overlay_data(d, 40, "/a", "/upper/upper/upper", "/work/work/work",
			   NULL, NULL) < 0);
	CHECK(errno == E2BIG);
	/* exactly full: 41 characters and the NUL fit in 42 */
	CHECK(overlay_data(d, 42, "/a", "/u", "/w", NULL, "123456") == 0);
	CHECK(overlay_data(d, 41, "/a", "/u", "/w", NULL, "123456") < 0);
}

static void lower_list_joins_with_colons_and_refuses_overflow(void)
{
	char l[12] = "";

	CHECK(overlay_lower_add(l, sizeof(l), "/a") == 0);
	CHECK(overlay_lower_add(l, sizeof(l), "/bb") == 0);
	CHECK_STR(l, "/a:/bb");
	CHECK(overlay_lower_add(l, sizeof(l), "/cccc") < 0);
	CHECK(errno == ENAMETOOLONG);
	CHECK_STR(l, "/a:/bb"); /* unchanged by the refusal */
}

int main(void)
{
	RUN(options_name_the_layers_in_order);
	RUN(separators_in_paths_are_escaped);
	RUN(options_longer_than_the_buffer_fail);
	RUN(lower_list_joins_with_colons_and_refuses_overflow);
	T_EXIT();
}
