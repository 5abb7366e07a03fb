/* shutdown_test.c - the order a teardown unmounts in (lib/shutdown). */
#include <string.h>

#include "mount/mount.h"
#include "shutdown/shutdown.h"
#include "t.h"

/* A live root after systemd-shutdown's switch: the hand-back root, the
 * old root at /oldroot with /run and /init's mounts below it, and a
 * tmpfs moved to a shorter path than its parent's (/oldroot/m, mounted
 * on /oldroot/run/deep and moved: its place in the tree is deeper than
 * its path says). */
static const char live[] =
	"30 1 0:30 /initramfs / rw - tmpfs tmpfs rw\n"
	"31 30 0:31 / /oldroot ro - overlay live ro\n"
	"32 31 0:30 / /oldroot/run rw - tmpfs tmpfs rw\n"
	"33 32 7:0 / /oldroot/run/initbox/rootfs ro - squashfs /dev/loop0 ro\n"
	"34 32 254:16 / /oldroot/run/initbox/persist rw - ext4 /dev/vdb rw\n"
	"35 31 0:5 / /oldroot/dev rw - devtmpfs dev rw\n"
	"36 35 0:20 / /oldroot/dev/pts rw - devpts pts rw\n"
	"37 32 0:33 / /oldroot/m rw - tmpfs t rw\n"
	"38 30 0:4 / /proc rw - proc proc rw\n"
	"39 31 0:34 / /oldroot2 rw - tmpfs t2 rw\n";

static void children_go_before_their_parents(void)
{
	struct mountinfo_list l;
	size_t idx[16], n, i, j;

	CHECK(mountinfo_parse(live, &l) == 0);
	n = sd_order(&l, "/oldroot", idx);
	/* /oldroot2 is no path under /oldroot; / and /proc are outside */
	CHECK(n == 7);
	for (i = 0; i < n; i++) {
		CHECK(strncmp(l.v[idx[i]].target, "/oldroot", 8) == 0);
		CHECK(strcmp(l.v[idx[i]].target, "/oldroot2") != 0);
		/* no later entry is a child of an earlier one */
		for (j = i + 1; j < n; j++)
			CHECK(l.v[idx[j]].parent != l.v[idx[i]].id);
	}
	/* the overlay, the root of it all, goes last */
	CHECK_STR(l.v[idx[n - 1]].target, "/oldroot");
	mountinfo_free(&l);
}

static void the_moved_mount_keeps_its_depth(void)
{
	struct mountinfo_list l;
	size_t idx[16], n, i, m = 99, run = 99;

	CHECK(mountinfo_parse(live, &l) == 0);
	n = sd_order(&l, "/oldroot", idx);
	for (i = 0; i < n; i++) {
		if (!strcmp(l.v[idx[i]].target, "/oldroot/m"))
			m = i;
		if (!strcmp(l.v[idx[i]].target, "/oldroot/run"))
			run = i;
	}
	CHECK(m < run);
	mountinfo_free(&l);
}

static void every_path_is_under_the_root(void)
{
	struct mountinfo_list l;
	size_t idx[16];

	CHECK(mountinfo_parse(live, &l) == 0);
	CHECK(sd_order(&l, "/", idx) == l.n);
	CHECK_STR(l.v[idx[l.n - 1]].target, "/");
	mountinfo_free(&l);
	CHECK(sd_under("/oldroot", "/oldroot/"));
	CHECK(sd_under("/oldroot/x", "/oldroot"));
	CHECK(!sd_under("/oldrootx", "/oldroot"));
	CHECK(!sd_under("/old", "/oldroot"));
}

int main(void)
{
	RUN(children_go_before_their_parents);
	RUN(the_moved_mount_keeps_its_depth);
	RUN(every_path_is_under_the_root);
	T_EXIT();
}
