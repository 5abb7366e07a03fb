/* mntopt_test.c - lib/mount/mntopt.c, and the pure parts of lib/mount/loop.c */
#include <errno.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "mount/mount.h"
#include "t.h"

static void flags_go_to_flags_and_the_rest_to_data(void)
{
	struct mntopt m;

	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "ro,nosuid,size=10%,nodev,mode=0755,noexec") ==
	      0);
	CHECK(m.flags == (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
	CHECK_STR(m.data, "size=10%,mode=0755");
	CHECK(!m.loop);
}

static void later_options_win(void)
{
	struct mntopt m;

	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "ro,exec,noexec") == 0);
	CHECK(mntopt_parse(&m, "rw") == 0);
	CHECK(m.flags == MS_NOEXEC);
	CHECK(m.clear & MS_RDONLY);
	CHECK(!(m.clear & MS_NOEXEC));
}

static void atime_options_exclude_each_other(void)
{
	struct mntopt m;

	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "noatime,relatime") == 0);
	CHECK(m.flags == MS_RELATIME);
	CHECK(mntopt_parse(&m, "strictatime") == 0);
	CHECK(m.flags == MS_STRICTATIME);
	CHECK(m.clear & MS_RELATIME);
	CHECK(mntopt_parse(&m, "nodiratime,lazytime,dirsync,sync") == 0);
	CHECK(m.flags == (MS_STRICTATIME | MS_NODIRATIME | MS_LAZYTIME |
			  MS_DIRSYNC | MS_SYNCHRONOUS));
}

static void x_and_fstab_only_options_are_dropped(void)
{
	struct mntopt m;

	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "x-initrd.mount,defaults,noauto,X-mount.mkdir,"
			       "nofail,_netdev,user,comment=systemd.x,"
			       "user=bob") == 0);
	CHECK_STR(m.data, "user=bob");
	CHECK(m.flags == 0);
}

static void loop_offset_and_sizelimit_are_extracted(void)
{
	struct mntopt m;

	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "loop=/dev/loop7,offset=1M,sizelimit=4096,ro") ==
	      0);
	CHECK(m.loop);
	CHECK_STR(m.loop_dev, "/dev/loop7");
	CHECK(m.has_offset && m.offset == 1048576);
	CHECK(m.has_sizelimit && m.sizelimit == 4096);
	CHECK_STR(m.data, "");
	CHECK(mntopt_parse(&m, "loop") == 0);
	CHECK_STR(m.loop_dev, "");
}

static void bad_sizes_name_the_option(void)
{
	struct mntopt m;

	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "ro,offset=12Q") == -1);
	CHECK(errno == EINVAL);
	CHECK_STR(m.err.what, "offset=12Q");
	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "offset=") == -1);
	CHECK_STR(m.err.what, "offset=");
	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "loop=") == -1);
}

static void quotes_and_backslashes_keep_commas(void)
{
	struct mntopt m;

	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "context=\"system_u:a,b\",lowerdir=/a\\,b,ro") ==
	      0);
	CHECK_STR(m.data, "context=\"system_u:a,b\",lowerdir=/a\\,b");
	CHECK(m.flags == MS_RDONLY);
	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "context=\"open,ro") == -1);
	CHECK(errno == EINVAL);
}

static void empty_pieces_are_skipped(void)
{
	struct mntopt m;

	mntopt_init(&m);
	CHECK(mntopt_parse(&m, ",,ro,,size=1m,") == 0);
	CHECK(m.flags == MS_RDONLY);
	CHECK_STR(m.data, "size=1m");
	CHECK(mntopt_parse(&m, "") == 0);
}

static void data_longer_than_a_page_is_refused(void)
{
	static char big[5000];
	struct mntopt m;

	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "lowerdir=", 9);
	mntopt_init(&m);
	CHECK(mntopt_parse(&m, big) == -1);
	CHECK(errno == E2BIG);
	CHECK(strncmp(m.err.what, "lowerdir=aaa", 12) == 0);
}

static void propagation_and_bind(void)
{
	struct mntopt m;

	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "rbind,rprivate") == 0);
	CHECK(m.flags == (MS_BIND | MS_REC));
	CHECK(m.prop == (MS_PRIVATE | MS_REC));
	CHECK(mntopt_parse(&m, "shared") == 0);
	CHECK(m.prop == MS_SHARED);
}

static void remount_keeps_what_it_does_not_change(void)
{
	struct mntopt m;
	unsigned long base;

	base = mntopt_from_statvfs(ST_NOSUID | ST_NODEV | ST_RELATIME |
				   ST_MANDLOCK);
	CHECK(base == (MS_NOSUID | MS_NODEV | MS_RELATIME));
	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "remount,ro,dev") == 0);
	CHECK(mntopt_flags(&m, base) ==
	      (MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_RELATIME));
	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "remount,noatime") == 0);
	CHECK(mntopt_flags(&m, base) ==
	      (MS_REMOUNT | MS_NOATIME | MS_NOSUID | MS_NODEV));
	/* Without remount the base is not used. */
	mntopt_init(&m);
	CHECK(mntopt_parse(&m, "ro") == 0);
	CHECK(mntopt_flags(&m, base) == MS_RDONLY);
}

static void loop_names_map_to_numbers(void)
{
	unsigned n = 0;

	CHECK(loop_number("/nonexistent-dir/loop12", &n) == 0 && n == 12);
	CHECK(loop_number("loop3", &n) == 0 && n == 3);
	CHECK(loop_number("/nonexistent-dir/loop", &n) == -1);
	CHECK(loop_number("/nonexistent-dir/loop1x", &n) == -1);
	CHECK(loop_number("/nonexistent-dir/sda", &n) == -1);
	CHECK(loop_number("/nonexistent-dir/loop01", &n) == -1);
	/* An existing file that is not a loop block device. */
	CHECK(loop_number("/dev/null", &n) == -1 && errno == EINVAL);
}

int main(void)
{
	RUN(flags_go_to_flags_and_the_rest_to_data);
	RUN(later_options_win);
	RUN(atime_options_exclude_each_other);
	RUN(x_and_fstab_only_options_are_dropped);
	RUN(loop_offset_and_sizelimit_are_extracted);
	RUN(bad_sizes_name_the_option);
	RUN(quotes_and_backslashes_keep_commas);
	RUN(empty_pieces_are_skipped);
	RUN(data_longer_than_a_page_is_refused);
	RUN(propagation_and_bind);
	RUN(remount_keeps_what_it_does_not_change);
	RUN(loop_names_map_to_numbers);
	T_EXIT();
}
