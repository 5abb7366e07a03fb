/* switch_root - leave the initramfs for NEWROOT, free it, run INIT
 *
 * usage: switch_root [-c CONSOLE] [-n] [-v] NEWROOT INIT [ARGS...]
 *   -c CONSOLE  put stdin, stdout and stderr on CONSOLE (else on
 *               /dev/console when the new root has one, else keep them)
 *   -n          check only: change nothing (need not be PID 1)
 *   -v          one line per mount moved, the switch method, the deletion
 *               and every file still pinned
 *
 * Checks everything before changing anything: PID 1; / is ramfs or tmpfs;
 * NEWROOT exists, is a mount point, is not /; INIT, resolved inside NEWROOT
 * (absolute symlinks too), is an executable regular file, else (as the
 * kernel does with a bad init=) the first of /sbin/init /etc/init
 * /bin/init /bin/sh that is, said in a warning; CONSOLE opens.
 * Then moves /dev /proc /sys /run and every other mount of the initramfs
 * into NEWROOT (to the same path, else under /run/initramfs), switches,
 * deletes the old root's files and tells what was freed and what still
 * pins memory: "switch_root: freed 41.2 MiB (1312 files); still pinned
 * 20.0 MiB: pid 57 (logger) 20.0 MiB fd 3 /padding.bin".
 * If INIT cannot run: /sbin/init, /etc/init, /bin/init, /bin/sh of NEWROOT;
 * if none can, it stays alive reaping children (PID 1 never exits).
 *
 * exit: 0 checks passed (-n); 1 a check failed, nothing changed (-n, or
 *       not PID 1: PID 1 execs the initramfs's /bin/sh -i instead, or
 *       stays alive if it has none); 2 usage; otherwise it becomes INIT
 *
 * Notes: pivot_root(".", ".") + umount2(MNT_DETACH) where the kernel allows
 * it (Linux >= 7.0, mount namespaces), else mount --move . / + chroot .
 * (rootfs cannot be pivoted before 7.0). The old root is deleted through a
 * descriptor opened before the switch, never crossing into another
 * filesystem. Bytes are st_blocks * 512 (tmpfs counts its pages that way),
 * or st_size rounded up to pages on ramfs, which keeps no block count.
 */

#include "applet.h"
#include "report.h"

/* Called through the applet table (applets/initbox.c, generated). */
int switch_root_main(int argc, char **argv);

int switch_root_main(int argc, char **argv)
{
	struct switchroot s;
	bool dry = false, verbose = false;
	struct opt o;
	int c;

	switchroot_init(&s);
	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "c:nv", NULL)) != -1) {
		switch (c) {
		case 'c':
			s.console = o.arg;
			break;
		case 'n':
			dry = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			die_opt(&o, c);
		}
	}
	report_check(&s, argc, argv, o.ind, dry, "switch_root");
	report_switch(&s, argv + o.ind + 1, verbose, REPORT_UNCHANGED, "");
}
