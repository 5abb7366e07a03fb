/* modprobe - load kernel modules with their dependencies
 *
 * usage: modprobe [-qnv] [-d BASEDIR] [-S KVER] NAME|ALIAS [PARAM=VALUE...]
 *        modprobe [-qnv] [-j JOBS] [-d BASEDIR] [-S KVER] -a NAME|ALIAS...
 *        modprobe [-qnv] [-j JOBS] [-d BASEDIR] [-S KVER] [--sysfs DIR]
 *                 -C [-a NAME...]
 *   -q  quiet: no message when a module is not found (still exit 1)
 *   -a  every operand is a module or alias (no parameters)
 *   -n  dry run: resolve, print the plan, load nothing (--dry-run)
 *   -v  print each step: "insmod PATH [PARAMS]" or "builtin NAME"
 *   -D  print the plan for every module, loaded or not (--show-depends)
 *   -d BASEDIR  modules under BASEDIR/lib/modules/KVER (--dirname)
 *   -S KVER     that kernel release instead of the running one
 *   -C  coldplug (--coldplug): load the drivers of the devices present:
 *       the modalias of every device under /sys/bus/X/devices/, all
 *       resolved in one pass over modules.alias; again for the devices a
 *       round made appear (virtio_pci adds the virtio devices), until a
 *       round loads nothing or finds no new device. With -a, the NAMEs
 *       load too, after the devices' drivers (one call for /init)
 *   -w SECONDS  with -C, go on for up to SECONDS (--watch): each kernel
 *       uevent that names a modalias starts another round, for devices
 *       that appear late (USB enumerates after its host controller's
 *       load returns); SIGTERM ends the watch once no load is under way,
 *       with the exit status the rounds earned
 *   --sysfs DIR  read the devices from DIR instead of /sys (tests, chroots;
 *       DIR/devices is walked where DIR/bus is missing)
 *   -j JOBS  modules loaded at a time (--jobs; default: the CPUs this
 *       process may use, at most 8): each in a child process once those
 *       it depends on (modules.dep, softdep pre:) are in; with -C the
 *       named modules load alongside the devices' drivers
 *       while jobs are spare. -j 1 loads in plan order, no fork
 * Names match with '-' and '_' equal; an alias is an fnmatch pattern of
 * modules.alias (fs-squashfs, pci:v..., virtio:d...). A built-in module or
 * one already loaded is success. Dependencies from modules.dep load first,
 * and modules.softdep "pre:" modules before them.
 *
 * exit: 0 loaded (or nothing to do), 1 not found or a load failed, 2 usage
 *
 * Notes: the kernel runs /sbin/modprobe -q -- ALIAS for request_module()
 * (fs-squashfs, char-major-10-237, ...), which works with this applet
 * installed there. Only the text indexes depmod writes are read, never the
 * .bin tries; /etc/modprobe.d is not read. Modules load with finit_module
 * (MODULE_INIT_COMPRESSED_FILE when /sys/module/compression names the
 * file's codec) or are decompressed here for init_module.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "initbox.h"

struct mp {
	bool quiet, all, dry, verbose, show, coldplug;
	const char *basedir, *kver, *sysfs;
	struct kmod_ctx k;
	struct kmod_jobs jobs;
	struct kmod_strs seen, fresh; /* the coldplug's modaliases */
	char params[4096];
};

static int step(void *arg, const struct kmod_step *s)
{
	struct mp *m = arg;
	struct kmod_job *j;

	if (s->what == KMOD_BUILTIN) {
		if (m->verbose || m->show)
			printf("builtin %s\n", s->name);
		return 0;
	}
	/* Ours first: loading ("coming"), it also counts as loaded */
	j = kmod_jobs_find(&m->jobs, s->name, strlen(s->name));
	if (j) {
		/* queued for a NAME, now a device's driver too: the round
		 * waits for it (and what it needs) and counts it */
		if (m->jobs.cold &&
		    (j->st == KMOD_JOB_WAIT || j->st == KMOD_JOB_RUN) &&
		    !j->cold) {
			j->cold = true;
			kmod_jobs_promote(&m->jobs, j);
		}
		return 0; /* or planned in an earlier round */
	}
	if (!m->show && kmod_loaded(s->name))
		return 0;
	if (m->dry || m->show) {
		printf("insmod %s%s%s\n", s->path,
		       s->params && *s->params ? " " : "",
		       s->params ? s->params : "");
		return 0;
	}
	return kmod_jobs_add(&m->jobs, s) ? 0 : -1;
}

/* The load itself, in this process or a child: 0 or 1 (reported). */
static int load(void *ctx, const struct kmod_job *j)
{
	const char *st;

	(void)ctx;
	if (kmod_load(j->path, j->params, &st) < 0) {
		int e = errno;

		warn("load %s: %s: %s", j->path, st,
		     strcmp(st, "open") ? kmod_strerror(e) : strerror(e));
		return 1;
	}
	return 0;
}

/* -v: the plan line, out before a load that may hang or oops, and not
 * copied into a child */
static void before(void *ctx, const struct kmod_job *j)
{
	const struct mp *m = ctx;

	if (m->verbose)
		printf("insmod %s%s%s\n", j->path, j->params ? " " : "",
		       j->params ? j->params : "");
	(void)fflush(stdout); /* a failed write shows at out_done */
}

static void say(void *ctx, const char *text)
{
	(void)ctx;
	warn("%s", text);
}

/* One NAME or ALIAS planned; 0 ok, 1 failed (reported) */
static int plan_one(struct mp *m, const char *name, const char *params)
{
	int rc = kmod_plan(&m->k, name, params, step, m);

	if (rc == -1 && errno == ENOENT) {
		if (!m->quiet)
			warn("module %s not found in modules.dep (%s)", name,
			     m->k.kver);
		return 1;
	}
	if (rc == -1) {
		warn_errno("resolve %s", name);
		return 1;
	}
	return rc ? 1 : 0;
}

/* Drivers for the devices present: a round reads the modalias of every
 * device, resolves those not seen before in one pass over modules.alias
 * and loads the matches. A load returns after the probing it started, so
 * the devices a bus driver adds (virtio_pci's virtio devices) are there
 * for the next round; rounds go on while one loads something and new
 * devices appear. The named modules (queued already) load alongside when
 * there are jobs to spare. */
static int coldplug(struct mp *m)
{
	const char *st;
	int n, rc;

	m->jobs.cold = true;
	for (;;) {
		n = kmod_scan(m->sysfs, &m->seen, &m->fresh, &st);
		if (n < 0)
			die_errno("read modaliases under %s: %s",
				  m->sysfs ? m->sysfs : "/sys", st);
		if (!n)
			break;
		m->jobs.loaded = 0;
		/* each round plans afresh: step skips what is loaded */
		kmod_plan_reset(&m->k);
		rc = kmod_plan_aliases(&m->k, m->fresh.v, m->fresh.n, step, m);
		if (rc == -1) {
			warn_errno("resolve the modaliases");
			m->jobs.failed = true;
		}
		kmod_jobs_run(&m->jobs, true);
		if (!m->jobs.loaded || m->dry || m->show)
			break;
	}
	m->jobs.cold = false;
	return m->jobs.failed ? 1 : 0;
}

/* -w: a round for each uevent with a MODALIAS until the deadline or
 * SIGTERM (blocked since main, so it waits on term between rounds). The
 * socket opens before the first round: a device added after that round's
 * scan is announced on it. Without the socket, a round each second. */
static int watch(struct mp *m, int term, uint64_t secs)
{
	struct devs_wait w;
	struct pollfd p[2] = {{.fd = term, .events = POLLIN},
			      {.events = POLLIN}};
	uint64_t now, end = devs_now_ms() + secs * 1000;
	int rc = 0, wait;

	devs_wait_init(&w);
	p[1].fd = w.nl;
	for (;;) {
		rc |= coldplug(m);
		for (;;) {
			now = devs_now_ms();
			if (now >= end)
				goto out;
			wait = (int)(end - now < 1000 ? end - now : 1000);
			if (poll(p, 2, wait) < 0 && errno != EINTR)
				goto out;
			if (p[0].revents)
				goto out;
			if (w.nl < 0 || (p[1].revents &&
					 devs_drain(w.nl, "MODALIAS=")))
				break;
		}
	}
out:
	devs_wait_end(&w);
	return rc;
}

/* the CPUs this process may run on: the default number of jobs */
static unsigned cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	n = CPU_COUNT(&set);
	return n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;
}

/* Called through the applet table (applets/initbox.c, generated). */
int modprobe_main(int argc, char **argv);

int modprobe_main(int argc, char **argv)
{
	static const struct opt_long longs[] = {
	    {"quiet", OPT_NONE, 'q'},
	    {"all", OPT_NONE, 'a'},
	    {"dry-run", OPT_NONE, 'n'},
	    {"verbose", OPT_NONE, 'v'},
	    {"show-depends", OPT_NONE, 'D'},
	    {"dirname", OPT_ARG, 'd'},
	    {"set-version", OPT_ARG, 'S'},
	    {"coldplug", OPT_NONE, 'C'},
	    {"sysfs", OPT_ARG, 's'},
	    {"jobs", OPT_ARG, 'j'},
	    {"watch", OPT_ARG, 'w'},
	    {NULL, 0, 0},
	};
	struct mp m;
	struct opt o;
	sigset_t term;
	size_t len = 0;
	uint64_t v, secs = 0;
	int c, i, rc = 0, tfd = -1;

	memset(&m, 0, sizeof(m));
	m.jobs.jobs = cpus();
	m.jobs.load = load;
	m.jobs.before = before;
	m.jobs.warn = say;
	m.jobs.ctx = &m;
	/* children are reaped here: one ignored SIGCHLD (inherited across
	 * exec) would make the kernel reap them and lose their results */
	(void)signal(SIGCHLD, SIG_DFL);
	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "qanvDd:S:Cj:w:", longs)) != -1) {
		switch (c) {
		case 'q':
			m.quiet = true;
			break;
		case 'a':
			m.all = true;
			break;
		case 'n':
			m.dry = true;
			break;
		case 'v':
			m.verbose = true;
			break;
		case 'D':
			m.show = true;
			break;
		case 'd':
			m.basedir = o.arg;
			break;
		case 'S':
			m.kver = o.arg;
			break;
		case 'C':
			m.coldplug = true;
			break;
		case 's': /* long only: --sysfs */
			m.sysfs = o.arg;
			break;
		case 'j':
			if (num_u64(o.arg, 64, &v) < 0 || !v)
				die_usage("bad number of jobs '%s'", o.arg);
			m.jobs.jobs = (unsigned)v;
			break;
		case 'w':
			if (num_u64(o.arg, 86400, &secs) < 0)
				die_usage("bad watch time '%s'", o.arg);
			break;
		default:
			die_opt(&o, c);
		}
	}
	if (m.coldplug && !m.all && o.ind != argc)
		die_usage("-C takes operands only with -a");
	if (!m.coldplug && o.ind == argc)
		die_usage("missing NAME");
	if (secs && !m.coldplug)
		die_usage("-w needs -C");
	if (secs) {
		/* SIGTERM from the start: a load it cut short would leave its
		 * device without a driver and a child still running */
		(void)sigemptyset(&term);
		(void)sigaddset(&term, SIGTERM);
		if (sigprocmask(SIG_BLOCK, &term, NULL) < 0 ||
		    (tfd = signalfd(-1, &term, SFD_CLOEXEC)) < 0)
			die_errno("watch for SIGTERM");
	}
	if (kmod_open(&m.k, m.basedir, m.kver) < 0)
		die_errno("read %s/lib/modules/%s/modules.dep",
			  m.basedir ? m.basedir : "", m.k.kver);
	/* The named modules are queued first but load after the devices'
	 * drivers, which /init needs first to find the medium; with jobs to
	 * spare they load alongside. */
	if (m.coldplug && (m.dry || m.show))
		rc |= coldplug(&m);
	if (m.all) {
		for (i = o.ind; i < argc; i++) {
			/* after -C: its last round's modules are not shown
			 * again by -n */
			if (!m.coldplug)
				kmod_plan_reset(&m.k);
			rc |= plan_one(&m, argv[i], NULL);
		}
	}
	if (m.coldplug && !m.dry && !m.show)
		rc |= coldplug(&m);
	if (m.all || m.coldplug) {
		kmod_jobs_run(&m.jobs, false);
		if (secs)
			rc |= watch(&m, tfd, secs);
		kmod_strs_free(&m.seen);
		kmod_strs_free(&m.fresh);
		kmod_jobs_free(&m.jobs);
		kmod_close(&m.k);
		return out_done(rc || m.jobs.failed ? 1 : 0);
	}
	for (i = o.ind + 1; i < argc; i++) {
		int n = snprintf(m.params + len, sizeof(m.params) - len, "%s%s",
				 len ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(m.params) - len)
			die_usage("parameters too long");
		len += (size_t)n;
	}
	rc = plan_one(&m, argv[o.ind], len ? m.params : NULL);
	kmod_jobs_run(&m.jobs, false);
	kmod_jobs_free(&m.jobs);
	kmod_close(&m.k);
	return out_done(rc || m.jobs.failed ? 1 : 0);
}
