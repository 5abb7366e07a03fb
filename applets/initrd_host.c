/* initrd-host - boot a legacy initrd (/linuxrc, real-root-dev) from an
 * initramfs
 *
 * usage: initrd-host [-nEv] [-c CONSOLE] [-d DEV] [-r ROOT] [-t FSTYPE]
 *                    [-o OPTS] [-w SECS] IMAGE [INIT [ARGS...]]
 *   -n          check only (need not be PID 1): the image, its filesystem,
 *               the root device and where real-root-dev will come from
 *   -E          give /linuxrc the stand-in real-root-dev even where the
 *               kernel still has one
 *   -c CONSOLE  stdio of /linuxrc and of INIT on CONSOLE (default: kept,
 *               i.e. PID 1's, which the kernel put on /dev/console)
 *   -d DEV      copy the image into block device DEV (/dev/ram0 after
 *               "modprobe brd rd_size=KiB") instead of a loop device
 *   -r ROOT     the root device (default root= of the kernel command
 *               line): /dev/NAME, MAJ:MIN, hex (0301), LABEL=, UUID=,
 *               PARTUUID=; /dev/ram0 (0x100) keeps the image as the root
 *   -t FSTYPE   type of the real root (default rootfstype=, else probed)
 *   -o OPTS     its mount options (default rootflags=; read-only unless
 *               the command line says rw, as the kernel mounts it)
 *   -w SECS     wait that long for the root device (default rootdelay=,
 *               else 30)
 *   -v          the switch report in detail (as switch_root -v)
 *
 * Does what the kernel's handle_initrd did, from userspace: IMAGE (ext2
 * or any filesystem the kernel mounts; plain, gzip, xz or zstd) is
 * decompressed into /run/initbox, loop-mounted read-write on
 * /run/initbox/initrd, and its /linuxrc run chrooted there, in a new
 * session, without arguments, after real-root-dev was set to ROOT's
 * number. Then real-root-dev 0x100 makes the image the root, with INIT
 * (default init=, else /sbin/init) run in it; any other value names the
 * device to mount as the root (the value left untouched: ROOT). The image
 * moves to /initrd in the new root if that directory exists, else it is
 * unmounted; switch_root's engine then frees the initramfs.
 * Where the kernel has no /proc/sys/kernel/real-root-dev (Linux >= 7.0),
 * every proc /linuxrc mounts shows a writable stand-in there.
 * Any failure: one line naming it, then (PID 1) the initramfs's
 * /bin/sh -i exec'd on the console, from which initrd-host can run again;
 * without a /bin/sh it stays alive reaping children (PID 1 never exits).
 *
 * exit: 0 checks passed (-n); 1 a check failed (not PID 1, -n); 2 usage;
 *       otherwise it becomes INIT
 *
 * Notes: an image on the initramfs itself is unlinked once its copy is
 * mounted and /linuxrc found (the kernel freed the initrd after loading
 * /dev/ram0 too); the copy is unlinked once mounted, so its memory is
 * freed when the initrd is unmounted. The stand-in needs seccomp user
 * notification (Linux >= 5.5): proc mounts made by /linuxrc are done by
 * initrd-host, which puts a tmpfs holding real-root-dev (and every other
 * kernel entry, bound) over its sys/kernel before the mount(2) returns.
 * See docs/legacy-initrd.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "applet.h"
#include "report.h"

static const char kernel_rrd[] = "/proc/sys/kernel/real-root-dev";
static const char work_dir[] = "/run/initbox";
static const char image_dir[] = "/run/initbox/initrd";
static const char standin_dir[] = "/run/initbox/rrd";
static const char newroot[] = "/root"; /* the kernel's name for it */

struct host {
	const char *image, *root, *fstype, *opts, *console;
	const char *init;
	char **init_argv;
	bool dry, emulate, verbose, rw;
	uint64_t wait_s;
	struct initrd_cmdline c; /* the kernel's root=, init=, ... */
	struct initrd r;
	struct initrd_standin sin;
	bool standin;	 /* the stand-in is in use */
	bool ram0;	 /* ROOT is /dev/ram0: no linuxrc, the image is root */
	bool root_known; /* ROOT's device exists now */
	dev_t root_dev;
	uint32_t rrd_set, rrd_got;
};

/* After a failure: one line saying what failed and what was tried, then
 * (PID 1) a shell on the initramfs, from which initrd-host can run again.
 */
static const char stopped[] = "boot stopped";

/* proc, sysfs, devtmpfs and a /run tmpfs: the image's copy, the loop
 * devices and the root's /dev node need them; switch_root moves them into
 * the new root. */
static void api_mounts(struct host *h)
{
	static const char *const dirs[] = {work_dir, image_dir, NULL};
	char buf[ERR_STR_MAX];
	struct err e;

	if (initrd_api_mounts(dirs, &e) < 0)
		report_stop(h->dry, stopped, "%s", err_str(&e, buf, sizeof(buf)));
}

/* What ROOT is now: Root_RAM0, a present device, or not there yet. */
static void look_at_root(struct host *h)
{
	if (!h->root)
		return;
	if (initrd_root_lookup(h->root, &h->root_dev) == 0) {
		h->root_known = true;
		h->ram0 = dev_encode(h->root_dev) == INITRD_ROOT_RAM0;
	} else if (errno == EINVAL) {
		report_stop(h->dry, stopped,
			    "root %s: not a device name (use /dev/NAME, MAJ:MIN, hex, LABEL=, UUID= or PARTUUID=)",
			    h->root);
	}
	/* Absent for now: its driver may be what /linuxrc loads. As the
	 * kernel, real-root-dev then starts at 0. */
	h->rrd_set = h->root_known ? dev_encode(h->root_dev) : 0;
}

static int dry_run(struct host *h)
{
	printf("initrd-host: image %s: %s%s%s\n", h->r.image, h->r.type,
	       h->r.codec ? ", " : "",
	       h->r.codec ? codec_name(h->r.codec) : "");
	if (h->ram0)
		printf("initrd-host: root %s is the ram disk: no /linuxrc, the image becomes the root\n",
		       h->root);
	else if (!h->root)
		printf("initrd-host: no root given: /linuxrc must write real-root-dev\n");
	else if (h->root_known)
		printf("initrd-host: root %s (%u:%u), real-root-dev starts at 0x%x\n",
		       h->root, major(h->root_dev), minor(h->root_dev),
		       h->rrd_set);
	else
		printf("initrd-host: root %s is not there yet: real-root-dev starts at 0, waited for after /linuxrc\n",
		       h->root);
	if (h->standin)
		printf("initrd-host: real-root-dev: a stand-in in every proc /linuxrc mounts (%s)\n",
		       h->emulate ? "-E" : "the kernel has none");
	else
		printf("initrd-host: real-root-dev: the kernel's %s\n",
		       kernel_rrd);
	printf("initrd-host: ready (/linuxrc is checked once the image is mounted)\n");
	return out_done(0);
}

static void run_linuxrc(struct host *h)
{
	struct initrd_run x = {0};
	char buf[ERR_STR_MAX];
	struct err e;
	int st;

	h->standin = h->emulate || access(kernel_rrd, F_OK) < 0;
	if (h->standin) {
		if (initrd_standin_make(&h->sin, standin_dir, h->rrd_set,
					&e) < 0)
			report_stop(h->dry, stopped,
				    "give /linuxrc a real-root-dev: %s",
				    err_str(&e, buf, sizeof(buf)));
	} else if (initrd_rrd_set(kernel_rrd, h->rrd_set) < 0) {
		report_stop(h->dry, stopped, "write 0x%x to %s: %s", h->rrd_set,
			    kernel_rrd, strerror(errno));
	}
	if (initrd_drop_image(&h->r) < 0)
		warn_errno("remove %s from the initramfs", h->image);
	x.root = image_dir;
	x.console = h->console;
	x.standin = h->standin ? &h->sin : NULL;
	if (initrd_run_linuxrc(&x) < 0)
		report_stop(h->dry, stopped, "run /linuxrc of %s: %s",
			    h->image, err_str(&x.err, buf, sizeof(buf)));
	st = x.status;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		warn("/linuxrc of %s could not be run (exit 127)", h->image);
	else if (WIFEXITED(st) && WEXITSTATUS(st))
		warn("/linuxrc exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		warn("/linuxrc was killed by signal %d", WTERMSIG(st));
	if (x.emu_err[0])
		warn("stand-in real-root-dev: %s", x.emu_err);
	if (initrd_rrd_get(h->standin ? h->sin.file : kernel_rrd, &h->rrd_got) <
	    0)
		report_stop(h->dry, stopped,
			    "read real-root-dev back after /linuxrc: %s",
			    strerror(errno));
	if (h->standin)
		initrd_standin_remove(&h->sin);
}

/* Wait for the device real-root-dev (or ROOT) names, mount it. */
static void mount_root(struct host *h)
{
	bool by_value = h->rrd_got != h->rrd_set || !h->root;
	char buf[ERR_STR_MAX];
	struct initrd_root q;

	if (by_value && h->rrd_got == 0)
		report_stop(h->dry, stopped,
			    "no root device: /linuxrc left real-root-dev at 0 and no root= was given (-r ROOT names one)");
	memset(&q, 0, sizeof(q));
	q.spec = by_value ? NULL : h->root;
	q.dev = by_value ? dev_decode(h->rrd_got) : 0;
	q.wait_s = h->wait_s;
	q.types = h->fstype ? h->fstype : h->c.fstype;
	q.opts = h->opts ? h->opts : h->c.flags;
	q.rw = h->rw;
	q.dir = newroot;
	if (initrd_root_wait(&q) < 0 && by_value)
		report_stop(h->dry, stopped,
			    "root device %u:%u (real-root-dev 0x%x from /linuxrc) did not appear within %llu s",
			    major(q.dev), minor(q.dev), h->rrd_got,
			    (unsigned long long)h->wait_s);
	else if (q.err.what[0])
		report_stop(
		    h->dry, stopped,
		    "root device %s (root=, real-root-dev left at 0x%x) did not appear within %llu s",
		    h->root, h->rrd_got, (unsigned long long)h->wait_s);
	if (initrd_root_mount(&q) < 0) {
		if (!q.err.no)
			report_stop(h->dry, stopped, "root mount options %s: %s",
				    q.opts, q.err.what);
		report_stop(h->dry, stopped,
			    "mount root %s (%s) on %s: %s (real-root-dev 0x%x)",
			    q.path, q.types ? q.types : "probed", newroot,
			    err_str(&q.err, buf, sizeof(buf)), h->rrd_got);
	}
	warn("root %s (%s) mounted on %s", q.path, q.type, newroot);
}

static _Noreturn void hand_over(struct host *h)
{
	struct switchroot s;
	char *argv[] = {(char *)h->init, NULL};
	char buf[PATH_MAX + 256], prefix[PATH_MAX + 16];
	int r;

	/* MS_MOVE refuses mounts under a shared parent. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 &&
	    errno != EINVAL)
		report_stop(h->dry, stopped, "make / private: %s",
			    strerror(errno));
	if (h->ram0 || h->rrd_got == INITRD_ROOT_RAM0) {
		warn("real-root-dev 0x%x: the initrd is the root, init %s",
		     h->rrd_got, h->init);
		if (mkdir(newroot, 0755) < 0 && errno != EEXIST)
			report_stop(h->dry, stopped, "create %s: %s", newroot,
				    strerror(errno));
		if (mount(image_dir, newroot, NULL, MS_MOVE, NULL) < 0)
			report_stop(h->dry, stopped,
				    "move the initrd to %s: %s", newroot,
				    strerror(errno));
	} else {
		mount_root(h);
		r = initrd_place(&h->r, newroot);
		if (r < 0)
			report_stop(h->dry, stopped, "%s",
				    err_str(&h->r.err, buf, sizeof(buf)));
		if (r == 0 && h->r.flush_err)
			warn("free %s: %s", h->r.blockdev,
			     strerror(h->r.flush_err));
		if (r == 0)
			warn("/initrd does not exist in the new root: initrd unmounted");
	}
	switchroot_init(&s);
	s.newroot = newroot;
	s.init = h->init;
	s.console = h->console;
	snprintf(prefix, sizeof(prefix), "switch to %s: ", newroot);
	if (switchroot_check(&s) < 0)
		report_failed(&s, stopped, prefix);
	if (!h->init_argv)
		h->init_argv = argv;
	report_switch(&s, h->init_argv, h->verbose, stopped, prefix);
}

/* Called through the applet table (applets/initbox.c, generated). */
int initrd_host_main(int argc, char **argv);

int initrd_host_main(int argc, char **argv)
{
	struct host h;
	struct statfs sf;
	struct stat st;
	char buf[PATH_MAX + 256];
	struct opt o;
	int c;

	memset(&h, 0, sizeof(h));
	initrd_init(&h.r);
	h.wait_s = 30;
	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "nEvc:d:r:t:o:w:", NULL)) != -1) {
		switch (c) {
		case 'n':
			h.dry = true;
			break;
		case 'E':
			h.emulate = true;
			break;
		case 'v':
			h.verbose = true;
			break;
		case 'c':
			h.console = o.arg;
			break;
		case 'd':
			h.r.blockdev = o.arg;
			break;
		case 'r':
			h.root = o.arg;
			break;
		case 't':
			h.fstype = o.arg;
			break;
		case 'o':
			h.opts = o.arg;
			break;
		case 'w':
			if (num_u64(o.arg, 3600, &h.wait_s) < 0)
				die_usage("-w %s: not a number of seconds up to 3600",
					  o.arg);
			break;
		default:
			die_opt(&o, c);
		}
	}
	if (o.ind >= argc)
		die_usage("need IMAGE");
	h.image = h.r.image = argv[o.ind];
	if (o.ind + 1 < argc) {
		h.init = argv[o.ind + 1];
		h.init_argv = argv + o.ind + 1;
	}
	h.r.work = work_dir;
	h.r.dir = image_dir;

	/* Every check before anything changes. */
	if (!h.dry && getpid() != 1)
		die("not running as PID 1 (-n checks without changing anything)");
	if (!h.dry &&
	    (statfs("/", &sf) < 0 || ((unsigned long)sf.f_type != RAMFS_MAGIC &&
				      (unsigned long)sf.f_type != TMPFS_MAGIC)))
		report_stop(h.dry, stopped,
			    "the current root is not an initramfs (ramfs or tmpfs): nothing to host %s from",
			    h.image);
	if (initrd_probe(&h.r) < 0)
		report_stop(h.dry, stopped, "%s; nothing changed",
			    err_str(&h.r.err, buf, sizeof(buf)));
	if (h.r.blockdev &&
	    (stat(h.r.blockdev, &st) < 0 || !S_ISBLK(st.st_mode)))
		report_stop(h.dry, stopped,
			    "-d %s: not a block device (load brd for /dev/ram0); nothing changed",
			    h.r.blockdev);
	if (!h.dry)
		api_mounts(&h);
	/* No proc (a dry run outside a boot): no defaults from it. */
	if (initrd_cmdline_read(&h.c) == 0)
		h.rw = h.c.rw;
	if (!h.root)
		h.root = h.c.root;
	if (!h.init)
		h.init = h.c.init ? h.c.init : "/sbin/init";
	if (h.c.delay && num_u64(h.c.delay, 3600, &h.wait_s) < 0)
		warn("ignoring rootdelay=%s (not a number of seconds)",
		     h.c.delay);
	look_at_root(&h);
	h.standin = h.emulate || access(kernel_rrd, F_OK) < 0;
	if (h.dry)
		return dry_run(&h);

	/* A copy left by an earlier attempt (from the rescue shell). */
	snprintf(buf, sizeof(buf), "%s/initrd.img", work_dir);
	if (unlink(buf) < 0 && errno != ENOENT)
		report_stop(h.dry, stopped, "remove the stale %s: %s", buf,
			    strerror(errno));
	if (initrd_unpack(&h.r) < 0)
		report_stop(h.dry, stopped, "%s", err_str(&h.r.err, buf, sizeof(buf)));
	if (initrd_mount(&h.r) < 0 || initrd_check_linuxrc(&h.r) < 0) {
		err_str(&h.r.err, buf, sizeof(buf));
		initrd_release(&h.r);
		report_stop(h.dry, stopped,
			    "%s; the copy is removed, %s left as it was", buf,
			    h.image);
	}
	if (!h.ram0)
		run_linuxrc(&h);
	else
		h.rrd_got = INITRD_ROOT_RAM0;
	hand_over(&h);
}
