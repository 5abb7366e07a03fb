/* run_init - klibc's run-init: switch to NEWROOT and run INIT
 *
 * usage: run_init [-d CAPS] [-c CONSOLE] [-n] [-p] [-v] NEWROOT INIT [ARGS]
 *   -d CAPS     drop capabilities (comma-separated) for good: from the
 *               bounding set, the inheritable set and the usermodehelper
 *               sets (cap_sys_module, CAP_SYS_MODULE, sys_module, cap_16)
 *   -c CONSOLE  put stdio on CONSOLE (default /dev/console if it exists)
 *   -n          check only, inside NEWROOT: change nothing (silent, as
 *               klibc's; with -v it says "ready")
 *   -p          keep the initramfs's files (no deletion)
 *   -v          details, as switch_root -v
 * also: run-init
 *
 * The same engine as switch_root: every check first, mounts moved into
 * NEWROOT, the old root deleted and accounted for, fallback inits, and
 * PID 1 never exits.
 *
 * exit: 0 checks passed (-n); 1 a check failed, nothing changed (-n, or
 *       not PID 1: PID 1 execs the initramfs's /bin/sh -i instead, or
 *       stays alive if it has none); 2 usage; otherwise it becomes INIT
 *
 * Notes: unlike klibc, capabilities are dropped after the checks but
 * before the switch, while /proc/sys is still reachable, and a failure
 * there stops before anything else changed. A missing
 * /proc/sys/kernel/usermodehelper is skipped, as busybox does.
 */

#include <errno.h>
#include <string.h>

#include "applet.h"
#include "report.h"

/* Called through the applet table (applets/initbox.c, generated). */
int run_init_main(int argc, char **argv);

int run_init_main(int argc, char **argv)
{
	struct switchroot s;
	bool dry = false, verbose = false;
	char buf[ERR_STR_MAX];
	const char *bad;
	struct err e;
	uint64_t caps = 0;
	size_t badlen;
	struct opt o;
	int c;

	switchroot_init(&s);
	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "c:d:npv", NULL)) != -1) {
		switch (c) {
		case 'c':
			s.console = o.arg;
			break;
		case 'd':
			if (caps_parse_list(o.arg, &caps, &bad, &badlen) < 0)
				die_usage("-d: unknown capability '%.*s'",
					  (int)badlen, bad);
			break;
		case 'n':
			dry = true;
			break;
		case 'p':
			s.keep = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			die_opt(&o, c);
		}
	}
	/* -n says "ready" only with -v: klibc's and busybox's say nothing,
	 * and Debian's /init asks twice on every boot */
	report_check(&s, argc, argv, o.ind, dry, verbose ? "run-init" : NULL);
	if (caps &&
	    caps_drop(caps, "/proc/sys/kernel/usermodehelper", &e) < 0)
		report_stop(false,
			    "capabilities may be partly dropped, nothing else was changed",
			    "drop capabilities: %s", err_str(&e, buf, sizeof(buf)));
	report_switch(&s, argv + o.ind + 1, verbose, REPORT_UNCHANGED, "");
}
