/* mountinfo_test.c - the mountinfo parser. */
#include <errno.h>

#include "mount/mount.h"
#include "t.h"

static const char sample[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"23 22 0:5 / /dev rw,nosuid shared:2 master:7 - devtmpfs udev rw\n"
	"24 22 0:40 /sub /mnt/with\\040space rw - tmpfs none rw,size=8k\n"
	"25 24 0:41 / /mnt/with\\040space rw - tmpfs top rw\n"
	"26 22 0:42 / /run rw - tmpfs tmpfs\n";

static void parses_every_field(void)
{
	struct mountinfo_list l;
	const struct mountinfo *m;

	CHECK(mountinfo_parse(sample, &l) == 0);
	CHECK(l.n == 5);
	m = &l.v[1];
	CHECK(m->id == 23 && m->parent == 22);
	CHECK(m->major == 0 && m->minor == 5);
	CHECK_STR(m->target, "/dev");
	CHECK_STR(m->optional, "shared:2 master:7");
	CHECK_STR(m->fstype, "devtmpfs");
	CHECK_STR(m->source, "udev");
	CHECK_STR(l.v[4].super_opts, "");
	CHECK(mountinfo_is_shared(m));
	CHECK(!mountinfo_is_shared(&l.v[2]));
	mountinfo_free(&l);
}

static void decodes_octal_escapes(void)
{
	struct mountinfo_list l;
	char s[] = "a\\134b\\011c\\9";

	CHECK(mountinfo_parse(sample, &l) == 0);
	CHECK_STR(l.v[2].target, "/mnt/with space");
	CHECK_STR(l.v[2].root, "/sub");
	mountinfo_free(&l);
	CHECK_STR(mountinfo_unescape(s), "a\\b\tc\\9");
}

static void finds_the_topmost_of_stacked_mounts(void)
{
	struct mountinfo_list l;
	const struct mountinfo *m;

	CHECK(mountinfo_parse(sample, &l) == 0);
	m = mountinfo_at(&l, "/mnt/with space");
	CHECK(m && m->id == 25);
	CHECK(mountinfo_at(&l, "/nowhere") == NULL);
	m = mountinfo_containing(&l, "/run/x/y");
	CHECK(m && m->id == 26);
	m = mountinfo_containing(&l, "/runx");
	CHECK(m && m->id == 22);
	CHECK(mountinfo_by_id(&l, 24) == &l.v[2]);
	mountinfo_free(&l);
}

static void rejects_malformed_lines(void)
{
	struct mountinfo_list l;

	errno = 0;
	CHECK(mountinfo_parse("22 1 8:1 / / rw shared:1 ext4 x rw\n", &l) < 0);
	CHECK(errno == EINVAL);
	CHECK(mountinfo_parse("x 1 8:1 / / rw - ext4 x rw\n", &l) < 0);
	CHECK(mountinfo_parse("1 1 81 / / rw - ext4 x rw\n", &l) < 0);
	CHECK(mountinfo_parse("", &l) == 0 && l.n == 0);
	mountinfo_free(&l);
}

static void reads_this_process_mountinfo(void)
{
	struct mountinfo_list l;

	CHECK(mountinfo_read(NULL, &l) == 0);
	CHECK(l.n > 0);
	mountinfo_free(&l);
	CHECK(mountinfo_read("/nonexistent/mountinfo", &l) < 0 &&
	      errno == ENOENT);
}

int main(void)
{
	RUN(parses_every_field);
	RUN(decodes_octal_escapes);
	RUN(finds_the_topmost_of_stacked_mounts);
	RUN(rejects_malformed_lines);
	RUN(reads_this_process_mountinfo);
	T_EXIT();
}
