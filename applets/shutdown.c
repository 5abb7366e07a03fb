/* shutdown - the initramfs's end of a session: take the live root apart,
 * then reboot, power off, halt or kexec
 *
 * usage: shutdown [-t SECONDS] [VERB]
 *   VERB        reboot, poweroff, halt or kexec (systemd's words; any
 *               words after it are systemd's options, ignored)
 *   -t SECONDS  how long processes and busy mounts are waited for
 *               (default 10): then they are killed, or the mount is
 *               remounted read-only, and the shutdown goes on
 *
 * Not sysvinit's shutdown(8): this is /run/initramfs/shutdown, which /init
 * leaves behind (docs/live-boot.md, "The hand-back").
 *
 * As PID 1 it works on the old root at /oldroot: where systemd-shutdown
 * leaves it (switch_root to /run/initramfs, exec /shutdown VERB), or
 * where it pivots it itself when exec'd from the live root. Processes
 * still holding files there get SIGTERM, then SIGKILL; every mount under
 * /oldroot is unmounted, children first (the overlay last, which lets go
 * of its layers, the loop device and the medium; a mount busy with no
 * process on it, held by the kernel alone, is detached); loop devices
 * backed there are detached and /init's device-mapper table live-root
 * removed; each device the root stood on is then said to be released or
 * still held, by what. Nothing is waited for beyond the bounds.
 *
 * Not PID 1 (a hook of sysvinit, busybox init or OpenRC, run as the last
 * step of the shutdown): the running init keeps the root busy, so every
 * filesystem on a disk (not proc, sysfs, devtmpfs, devpts, cgroup or
 * tmpfs) is remounted read-only, children first, after the other
 * processes have been ended; then VERB is carried out, or without VERB
 * the caller goes on.
 *
 * exit: 0 done (without VERB); 1 something stayed busy or held; 2 usage.
 * As PID 1 it never exits: a failed reboot(2) falls back to a reboot,
 * and then to a halt that waits forever.
 *
 * Notes: every line it prints starts with "shutdown: ". A process that
 * survives SIGKILL (one stuck in the kernel) is named and left; so is a
 * mount that stays busy: it is remounted read-only, so that what was
 * written is on the disk before the power goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "applet.h"

#ifndef RB_KEXEC
#define RB_KEXEC 0x45584543
#endif

static const struct opt_long longs[] = {{"timeout", OPT_ARG, 't'}, {0}};

struct sd {
	const char *top;    /* "/oldroot", or "/" when not PID 1 */
	bool pid1;
	unsigned timeout;   /* seconds */
	struct timespec t0;
	int failures;
};

/* Milliseconds since the start (no floating point: its printf is 4 KiB). */
static long since_ms(const struct sd *s)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - s->t0.tv_sec) * 1000 +
	       (t.tv_nsec - s->t0.tv_nsec) / 1000000;
}

static void nap_ms(unsigned ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};

	(void)nanosleep(&t, NULL); /* EINTR: the loops look again anyway */
}

/* As PID 1, children that were reparented to us are reaped here, so that
 * a killed process is gone, not a zombie still listed in /proc. */
static void reap(const struct sd *s)
{
	if (s->pid1)
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
}

/* --- where it runs --------------------------------------------------- */

static bool is_mountpoint(const char *path)
{
	struct mountinfo_list l;
	bool r;

	if (mountinfo_read(NULL, &l) < 0)
		return false;
	r = mountinfo_at(&l, path) != NULL;
	mountinfo_free(&l);
	return r;
}

/* Exec'd as PID 1 from the live root (busybox init's last step, a script
 * init): do what systemd-shutdown does first, a switch to /run/initramfs
 * with the old root kept at /oldroot. */
static int enter_handback(void)
{
	if (access("/run/initramfs/oldroot", F_OK) < 0) {
		warn_errno("no hand-back at /run/initramfs/oldroot");
		return -1;
	}
	/* pivot_root refuses shared mounts; a new root must be a mount */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("/run/initramfs", "/run/initramfs", NULL, MS_BIND, NULL) < 0 ||
	    chdir("/run/initramfs") < 0 ||
	    syscall(SYS_pivot_root, ".", "oldroot") < 0 || chroot(".") < 0 ||
	    chdir("/") < 0) {
		warn_errno("cannot switch to /run/initramfs");
		return -1;
	}
	return 0;
}

/* proc, sysfs and devtmpfs in the hand-back root, where systemd has not
 * moved them in; a standard descriptor on the old root's console is
 * reopened from here, so that it does not keep the old /dev busy. */
static void own_mounts(void)
{
	char link[32], path[64];
	ssize_t n;
	int fd, i;

	if (access("/proc/self", F_OK) < 0 &&
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		warn_errno("mount proc on /proc");
	if (access("/sys/class", F_OK) < 0 &&
	    mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		warn_errno("mount sysfs on /sys");
	if (access("/dev/null", F_OK) < 0 &&
	    mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755") < 0)
		warn_errno("mount devtmpfs on /dev");
	/* what the caller left open (a shell's script, an init's log) may
	 * lie on the old root; we need none of it */
	for (i = 3; i < 1024; i++)
		(void)close(i);
	for (i = 0; i < 3; i++) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", i);
		n = readlink(link, path, sizeof(path) - 1);
		if (n < 0)
			continue;
		path[n] = '\0';
		if (!sd_under(path, "/oldroot"))
			continue;
		fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			return;
		(void)dup2(fd, i);
		fd_close(fd);
	}
}

/* --- the processes ----------------------------------------------------- */

static bool is_ancestor(pid_t pid)
{
	pid_t p = getppid();
	char file[64], buf[512];
	const char *c;
	uint64_t v;
	int hops;

	for (hops = 0; p > 1 && hops < 64; hops++) {
		if (p == pid)
			return true;
		snprintf(file, sizeof(file), "/proc/%d/stat", (int)p);
		if (fd_read_small(file, buf, sizeof(buf)) < 0)
			return false;
		/* "pid (comm) state ppid": comm may hold blanks and ')' */
		c = strrchr(buf, ')');
		if (!c || strlen(c) < 5 || !num_scan_dec(c + 4, &v))
			return false;
		p = (pid_t)v;
	}
	return false;
}

/* The processes in the way: as PID 1 those holding anything under the
 * old root; otherwise every one but init, us and our callers. */
static int scan(const struct sd *s, struct pins *p)
{
	size_t i, j;

	if (pins_scan_under("/proc", s->top, getpid(), p) < 0)
		return -1;
	for (i = j = 0; i < p->nprocs; i++) {
		if (p->procs[i].pid == 1 || is_ancestor(p->procs[i].pid)) {
			free(p->procs[i].items);
			continue;
		}
		p->procs[j++] = p->procs[i];
	}
	p->nprocs = j;
	return 0;
}

static size_t signal_all(const struct sd *s, int sig, bool say)
{
	struct pins p;
	size_t i, n = 0;

	if (scan(s, &p) < 0) {
		warn_errno("cannot read /proc");
		return 0;
	}
	for (i = 0; i < p.nprocs; i++) {
		const struct pin_proc *pp = &p.procs[i];

		if (kill(pp->pid, sig) < 0)
			continue;
		n++;
		if (say)
			warn("pid %d (%s) holds %s (%s): %s", (int)pp->pid,
			     pp->comm, pp->items[0].path, pp->items[0].what,
			     sig == SIGKILL ? "SIGKILL" : "SIGTERM");
	}
	pins_free(&p);
	return n;
}

/* SIGTERM, up to half the bound for them to go, then SIGKILL. */
static void stop_processes(struct sd *s)
{
	unsigned ms;
	size_t n;

	if (signal_all(s, SIGTERM, true) == 0)
		return;
	for (ms = 0; ms < s->timeout * 500; ms += 100) {
		nap_ms(100);
		reap(s);
		if (signal_all(s, 0, false) == 0)
			return;
	}
	warn("still running after %u s: ending them", s->timeout / 2);
	signal_all(s, SIGKILL, true);
	for (ms = 0; ms < 2000; ms += 100) {
		nap_ms(100);
		reap(s);
		if (signal_all(s, 0, false) == 0)
			return;
	}
	n = signal_all(s, 0, false);
	warn("%zu process%s survived SIGKILL (stuck in the kernel)", n,
	     n == 1 ? "" : "es");
	s->failures++;
}

/* --- the mounts ----------------------------------------------------------- */

/* Who holds TARGET: a line a process, or that none does (then the
 * kernel does: a loop device's backing file, an overlay's layer). */
static void name_holders(const char *target)
{
	struct pins p;
	size_t i;

	if (pins_scan_under("/proc", target, getpid(), &p) < 0)
		return;
	for (i = 0; i < p.nprocs && i < 8; i++)
		warn("  %s: pid %d (%s) holds %s (%s)", target,
		     (int)p.procs[i].pid, p.procs[i].comm,
		     p.procs[i].items[0].path, p.procs[i].items[0].what);
	if (p.nprocs == 0)
		warn("  %s: no process holds it", target);
	pins_free(&p);
}

/* One pass over the mounts under top, children first: how many went;
 * *left: how many are still there. */
static int umount_pass(const struct sd *s, size_t *left)
{
	struct sd_mounts m;
	size_t i;
	int gone = 0;

	*left = 0;
	if (sd_mounts_read(s->top, &m) < 0)
		return -1;
	for (i = 0; i < m.n; i++)
		if (umount2(m.l.v[m.idx[i]].target, UMOUNT_NOFOLLOW) == 0)
			gone++;
		else
			(*left)++;
	sd_mounts_free(&m);
	return gone;
}

/* A leaf mount busy though no process holds anything on it is held by
 * the kernel: the medium under the loop device whose image the overlay
 * still uses. It blocks its parents (the overlay itself, through /run)
 * until the overlay goes: a cycle that only a detach breaks. Detached
 * (MNT_DETACH), it ends when its holder does; the devices' report says
 * whether it did. How many were detached. */
static int detach_kernel_held(void)
{
	struct sd_mounts ms;
	struct pins p;
	size_t i, j;
	bool leaf;
	int k = 0;

	if (sd_mounts_read("/oldroot", &ms) < 0)
		return 0;
	for (i = 0; i < ms.n; i++) {
		const struct mountinfo *m = &ms.l.v[ms.idx[i]];

		for (leaf = true, j = 0; j < ms.l.n && leaf; j++)
			leaf = ms.l.v[j].parent != m->id || &ms.l.v[j] == m;
		if (!leaf || pins_scan_under("/proc", m->target, getpid(), &p) < 0)
			continue;
		if (p.nprocs == 0 && umount2(m->target, MNT_DETACH) == 0) {
			warn("%s: held by the kernel alone (a loop device's file, "
			     "an overlay's layer): detached", m->target);
			k++;
		}
		pins_free(&p);
	}
	sd_mounts_free(&ms);
	return k;
}

/* Every mount under top still there: read-only (so that the disk holds
 * what was written), and who keeps it; children first. */
static int remount_ro(struct sd *s, bool quiet_ok)
{
	struct sd_mounts ms;
	size_t i;
	int ro = 0;

	if (sd_mounts_read(s->top, &ms) < 0)
		return -1;
	for (i = 0; i < ms.n; i++) {
		const struct mountinfo *m = &ms.l.v[ms.idx[i]];

		/* the kernel's own filesystems hold nothing to write */
		if (!strcmp(m->fstype, "proc") || !strcmp(m->fstype, "sysfs") ||
		    !strcmp(m->fstype, "devtmpfs") || !strcmp(m->fstype, "devpts") ||
		    !strncmp(m->fstype, "cgroup", 6) || !strcmp(m->fstype, "tmpfs"))
			continue;
		if (!quiet_ok)
			name_holders(m->target);
		if (mount(NULL, m->target, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0) {
			ro++;
			if (!quiet_ok)
				warn("%s (%s): remounted read-only", m->target,
				     m->fstype);
			continue;
		}
		warn_errno("%s (%s) stays writable", m->target, m->fstype);
		if (quiet_ok)
			name_holders(m->target);
		s->failures++;
	}
	sd_mounts_free(&ms);
	return ro;
}

/* As PID 1: unmount everything under /oldroot, retrying what is busy
 * until the bound; then remount the rest read-only. */
static void take_apart(struct sd *s)
{
	unsigned ms = 0;
	size_t left = 0;
	int n, total = 0;

	for (;;) {
		n = umount_pass(s, &left);
		if (n < 0) {
			warn_errno("cannot read the mount table");
			s->failures++;
			return;
		}
		total += n;
		if (left == 0)
			break;
		if (n > 0)
			continue;
		if (ms >= s->timeout * 1000) {
			warn("%zu mount%s under %s still busy after %u s:", left,
			     left == 1 ? "" : "s", s->top, s->timeout);
			remount_ro(s, false);
			s->failures++;
			break;
		}
		/* busy: a process that just got its SIGKILL, an fd a
		 * dying process still closes; or the kernel's own hold */
		signal_all(s, SIGKILL, ms == 0);
		if (detach_kernel_held() > 0)
			continue;
		nap_ms(100);
		reap(s);
		ms += 100;
	}
	warn("unmounted %d filesystem%s under %s", total, total == 1 ? "" : "s",
	     s->top);
}

/* --- the devices ---------------------------------------------------------- */

/* The devices /init found (medium.dev, root.dev, persist.dev under
 * RUN/initbox) and those the mounts under top stand on. */
static void gather_devs(const struct sd *s, struct sd_devs *d)
{
	static const char *const files[] = {"medium.dev", "persist.dev",
					    "root.dev"};
	char path[PATH_MAX], node[256];
	struct mountinfo_list l;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/run/initbox/%s",
			 strcmp(s->top, "/") ? s->top : "", files[i]);
		if (fd_read_small(path, node, sizeof(node)) < 0)
			continue;
		node[strcspn(node, "\n")] = '\0';
		if (sd_devs_add(d, node, 0) < 0)
			break;
	}
	if (mountinfo_read(NULL, &l) == 0) {
		(void)sd_devs_from_mounts(d, &l, s->top);
		mountinfo_free(&l);
	}
}

static void release(struct sd *s, const struct sd_loops *loops)
{
	struct err e = {"", 0, NULL};
	int n, ctl;

	n = sd_loops_detach(loops, &e);
	if (n > 0)
		warn("detached %d loop device%s", n, n == 1 ? "" : "s");
	if (e.no) {
		warn("cannot %s: %s", e.what, strerror(e.no));
		s->failures++;
	}
	/* /init's mapping of a verified image (live.verity) */
	if (access("/sys/class/block", F_OK) == 0 && (ctl = dm_open(&e)) >= 0) {
		if (dm_remove(ctl, "live-root", &e) == 0)
			warn("removed the device-mapper table live-root");
		fd_close(ctl);
	}
}

static void report(struct sd *s, struct sd_devs *d)
{
	char holder[64];
	unsigned ms;
	size_t i;
	int r;

	/* a detached filesystem ends when its last holder lets go, which
	 * the kernel may finish in a work item of its own */
	for (ms = 0; ms < 2000; ms += 50) {
		for (i = 0; i < d->n; i++)
			if (sd_dev_held(&d->v[i], holder, sizeof(holder)) > 0)
				break;
		if (i == d->n)
			break;
		nap_ms(50);
	}
	for (i = 0; i < d->n; i++) {
		r = sd_dev_held(&d->v[i], holder, sizeof(holder));
		if (r == 0) {
			warn("/dev/%s released", d->v[i].name);
		} else if (r > 0) {
			warn("/dev/%s still held by %s", d->v[i].name, holder);
			s->failures++;
		}
	}
}

/* --- the end ---------------------------------------------------------------- */

static int verb_cmd(const char *verb)
{
	if (!strcmp(verb, "reboot"))
		return RB_AUTOBOOT;
	if (!strcmp(verb, "poweroff"))
		return RB_POWER_OFF;
	if (!strcmp(verb, "halt"))
		return RB_HALT_SYSTEM;
	if (!strcmp(verb, "kexec"))
		return RB_KEXEC;
	return -1;
}

static _Noreturn void finish(const struct sd *s, const char *verb, int cmd)
{
	long ms = since_ms(s);

	sync();
	warn("%s after %ld.%02ld s%s", verb, ms / 1000, ms % 1000 / 10,
	     s->failures ? " (with the problems above)" : "");
	(void)reboot(cmd);
	if (cmd != RB_AUTOBOOT) {
		warn_errno("%s failed; rebooting", verb);
		(void)reboot(RB_AUTOBOOT);
	}
	warn_errno("reboot failed; halted");
	if (!s->pid1)
		exit(1);
	(void)reboot(RB_HALT_SYSTEM);
	for (;;)
		pause();
}

/* Called through the applet table (applets/initbox.c, generated). */
int shutdown_main(int argc, char **argv);

int shutdown_main(int argc, char **argv)
{
	struct sd s = {"/oldroot", getpid() == 1, 10, {0, 0}, 0};
	struct sd_devs d = {NULL, 0, 0};
	struct sd_loops loops = {NULL, 0, 0};
	const char *verb = NULL;
	uint64_t v;
	struct opt o;
	int c, cmd = -1;

	clock_gettime(CLOCK_MONOTONIC, &s.t0);
	prog = "shutdown";
	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "t:", longs)) != -1) {
		switch (c) {
		case 't':
			if (num_u64(o.arg, 3600, &v) < 0)
				die_usage("bad -t %s (seconds, at most 3600)", o.arg);
			s.timeout = (unsigned)v;
			break;
		default:
			die_opt(&o, c);
		}
	}
	if (o.ind < argc) {
		verb = argv[o.ind];
		cmd = verb_cmd(verb);
		if (cmd < 0 && !s.pid1)
			die_usage("unknown verb %s (reboot, poweroff, halt, kexec)", verb);
		if (cmd < 0) {
			warn("unknown verb %s: rebooting", verb);
			verb = "reboot";
			cmd = RB_AUTOBOOT;
		}
	} else if (s.pid1) {
		/* PID 1 must not return: a bare /shutdown powers off */
		verb = "poweroff";
		cmd = RB_POWER_OFF;
	}

	if (s.pid1) {
		own_mounts();
		/* Our own executable, mapped through /run, would keep the old
		 * root busy: after the switch it runs again from the new root,
		 * as systemd-shutdown execs it. */
		if (!is_mountpoint("/oldroot")) {
			if (enter_handback() < 0)
				finish(&s, verb, cmd);
			execv("/shutdown", argv);
			warn_errno("exec /shutdown");
			finish(&s, verb, cmd);
		}
	} else {
		/* On any other system this would end every process: only a
		 * root /init made is taken apart. */
		if (access("/run/initbox", F_OK) < 0)
			die("not a system initbox's /init started (no /run/initbox)");
		s.top = "/";
	}
	warn("%s: taking apart %s", verb ? verb : "remount", s.top);
	gather_devs(&s, &d);
	if (s.pid1 && sd_loops_under(s.top, &loops) < 0)
		warn_errno("cannot list the loop devices");
	stop_processes(&s);
	sync();
	if (s.pid1) {
		take_apart(&s);
		release(&s, &loops);
		sync();
		report(&s, &d);
	} else {
		remount_ro(&s, true);
		sync();
		warn("every filesystem read-only%s",
		     s.failures ? " but the ones above" : "");
	}
	sd_devs_free(&d);
	sd_loops_free(&loops);
	if (cmd >= 0)
		finish(&s, verb, cmd);
	return s.failures ? 1 : 0;
}
