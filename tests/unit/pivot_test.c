/* pivot_test.c - lib/switch/pivot.c: why pivot_root said EINVAL, told from
 * mountinfo text. */
#include "switch/switch.h"
#include "t.h"

/* A private root with /mnt private, a NEW_ROOT mount below it. */
static const char private_tree[] =
	"22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
	"30 22 0:40 / /mnt rw - tmpfs none rw\n"
	"31 30 0:41 / /mnt/new rw - tmpfs none rw\n";

static const char *why(const char *text, const char *nabs, const char *oabs)
{
	static char buf[256];
	struct mountinfo_list l;

	if (mountinfo_parse(text, &l) < 0)
		return "(unparsed)";
	pivot_why(&l, "new", "new/old", nabs, oabs, buf, sizeof(buf));
	mountinfo_free(&l);
	return buf;
}

static void the_initramfs_cannot_be_pivoted(void)
{
	CHECK_STR(why("1 1 0:2 / / rw - rootfs rootfs rw\n", "/new",
		      "/new/old"),
		  "the current root is the initramfs (rootfs), which cannot be pivoted: use switch_root");
	/* a namespace's root is its own parent, whatever its type */
	CHECK_STR(why("5 5 0:2 / / rw - tmpfs none rw\n", "/new", "/new/old"),
		  "the current root is the initramfs (rootfs), which cannot be pivoted: use switch_root");
}

static void rootfs_on_nullfs_is_not_blamed(void)
{
	/* Linux >= 7.0: rootfs has a parent (nullfs, mount 1) */
	CHECK_STR(why("2 1 0:2 / / rw - rootfs rootfs rw\n"
		      "31 2 0:41 / /new rw - tmpfs none rw\n",
		      "/new", "/elsewhere"),
		  "PUT_OLD new/old is not at or under NEW_ROOT new");
}

static void a_root_that_is_no_mount_point_is_a_chroot(void)
{
	CHECK_STR(why("30 22 0:40 / /mnt rw - tmpfs none rw\n", "/mnt",
		      "/mnt/old"),
		  "the current root is not a mount point (a chroot into a directory?)");
}

static void unresolved_paths_are_said(void)
{
	CHECK_STR(why(private_tree, NULL, NULL),
		  "invalid argument (cannot resolve new)");
}

static void a_shared_put_old_comes_first(void)
{
	CHECK_STR(why("22 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n"
		      "31 22 0:41 / /mnt/new rw - tmpfs none rw\n",
		      "/mnt/new", "/old"),
		  "PUT_OLD new/old is on a shared mount (/): run 'mount --make-rprivate /' first");
}

static void a_shared_parent_of_new_root_is_named(void)
{
	CHECK_STR(why("22 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n"
		      "31 22 0:41 / /mnt/new rw - tmpfs none rw\n",
		      "/mnt/new", "/mnt/new/old"),
		  "the mount holding NEW_ROOT (/) is shared: run 'mount --make-rprivate /' first");
}

static void new_root_must_be_a_mount_point(void)
{
	CHECK_STR(why(private_tree, "/mnt/dir", "/mnt/dir/old"),
		  "NEW_ROOT new is not a mount point (mount --bind it onto itself)");
}

static void put_old_must_be_under_new_root(void)
{
	CHECK_STR(why(private_tree, "/mnt/new", "/mnt/newer"),
		  "PUT_OLD new/old is not at or under NEW_ROOT new");
	CHECK_STR(why(private_tree, "/mnt/new", "/mnt/new/old"),
		  "invalid argument (no known cause found)");
}

static void a_shared_root_is_said_last(void)
{
	CHECK_STR(why("22 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n"
		      "30 22 0:40 / /mnt rw - tmpfs none rw\n"
		      "31 30 0:41 / /mnt/new rw - tmpfs none rw\n",
		      "/mnt/new", "/mnt/new/old"),
		  "the current root is a shared mount: run 'mount --make-rprivate /' first");
}

int main(void)
{
	RUN(the_initramfs_cannot_be_pivoted);
	RUN(rootfs_on_nullfs_is_not_blamed);
	RUN(a_root_that_is_no_mount_point_is_a_chroot);
	RUN(unresolved_paths_are_said);
	RUN(a_shared_put_old_comes_first);
	RUN(a_shared_parent_of_new_root_is_named);
	RUN(new_root_must_be_a_mount_point);
	RUN(put_old_must_be_under_new_root);
	RUN(a_shared_root_is_said_last);
	T_EXIT();
}
