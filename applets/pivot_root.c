/* pivot_root - make NEW_ROOT the root and put the old root at PUT_OLD
 *
 * usage: pivot_root NEW_ROOT PUT_OLD
 *
 * For an initrd (kernel initrd.rst): cd NEW_ROOT; pivot_root . PUT_OLD;
 * exec chroot . /sbin/init <dev/console >dev/console 2>&1
 * "pivot_root . ." stacks the old root on the new one (then umount -l .).
 * An initramfs cannot be pivoted before Linux 7.0: use switch_root.
 *
 * exit: 0 done; 1 the kernel refused (the message says why); 2 usage
 *
 * Notes: EINVAL has several causes, told apart from /proc/self/mountinfo
 * in the kernel's own order: shared propagation on PUT_OLD's mount or on
 * NEW_ROOT's parent, the current root not a mount point or without a
 * parent (rootfs), NEW_ROOT not a mount point, PUT_OLD not under NEW_ROOT.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "applet.h"

/* Called through the applet table (applets/initbox.c, generated). */
int pivot_root_main(int argc, char **argv);

int pivot_root_main(int argc, char **argv)
{
	char why[PATH_MAX + 160];

	if (argc >= 2 && !strcmp(argv[1], "--"))
		argv++, argc--;
	if (argc != 3)
		die_usage("need NEW_ROOT and PUT_OLD");
	if (syscall(SYS_pivot_root, argv[1], argv[2]) == 0)
		return 0;
	switch (errno) {
	case EINVAL:
		die("pivot root to %s: %s", argv[1],
		    pivot_why_here(argv[1], argv[2], why, sizeof(why)));
	case EBUSY:
		die("pivot root to %s: NEW_ROOT or PUT_OLD is on the current root's mount (the same filesystem)",
		    argv[1]);
	case EPERM:
		die_errno("pivot root to %s (needs CAP_SYS_ADMIN)", argv[1]);
	default:
		die_errno("pivot root to %s, old root at %s", argv[1], argv[2]);
	}
}
