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
#include <sys/wait.h>

#include "initbox.h"

/* A module to load. Jobs run in plan order, up to m->jobs at a time, each
 * once the jobs for its dependencies have ended. */
struct job {
	char name[64];
	char *path, *params;
	char *hard; /* modules.dep's list, normalised, blank-separated */
	char *soft; /* softdep pre: names, the same way */
	pid_t pid;
	enum { J_WAIT, J_RUN, J_OK, J_FAIL } st;
	bool cold; /* a device's driver: goes before the named modules */
};

struct mp {
	bool quiet, all, dry, verbose, show, coldplug, cold;
	const char *basedir, *kver, *sysfs;
	struct kmod_ctx k;
	struct job *q;
	size_t nq, cap, running;
	unsigned jobs;   /* loads at a time */
	unsigned loaded; /* modules loaded since the counter was reset */
	bool failed;
	bool soft_off;  /* softdeps waiting on each other: ignored */
	bool promoted;  /* a job became a driver's dependency */
	char params[4096];
};

static struct job *find_job(struct mp *m, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < m->nq; i++)
		if (!strncmp(m->q[i].name, name, len) && !m->q[i].name[len])
			return &m->q[i];
	return NULL;
}

/* Each blank-separated word of LIST, in place: *w and its length. */
static bool next_word(const char **list, const char **w, size_t *len)
{
	const char *c = *list + strspn(*list, " ");

	*len = strcspn(c, " ");
	*w = c;
	*list = c + *len;
	return *len > 0;
}

/* A device's driver loads before the named modules: so do the modules
 * it needs that were queued for a NAME. */
static void needs_cold(struct mp *m, const struct job *j)
{
	const char *lists[2] = {j->hard, j->soft}, *l, *w;
	struct job *d;
	size_t len;
	int i;

	for (i = 0; i < 2; i++)
		for (l = lists[i]; next_word(&l, &w, &len);) {
			d = find_job(m, w, len);
			if (d && d->st == J_WAIT && !d->cold) {
				d->cold = true;
				m->promoted = true;
				needs_cold(m, d);
			}
		}
}

static void drop(struct job *j)
{
	free(j->path);
	free(j->params);
	free(j->hard);
	free(j->soft);
}

static int step(void *arg, const struct kmod_step *s)
{
	struct mp *m = arg;
	struct job *j;

	if (s->what == KMOD_BUILTIN) {
		if (m->verbose || m->show)
			printf("builtin %s\n", s->name);
		return 0;
	}
	/* Ours first: loading ("coming"), it also counts as loaded */
	j = find_job(m, s->name, strlen(s->name));
	if (j) {
		/* queued for a NAME, now a device's driver too: the round
		 * waits for it (and what it needs) and counts it */
		if (m->cold && (j->st == J_WAIT || j->st == J_RUN) &&
		    !j->cold) {
			j->cold = true;
			needs_cold(m, j);
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
	if (m->nq == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct job *q = realloc(m->q, cap * sizeof(*q));

		if (!q)
			return -1;
		m->q = q;
		m->cap = cap;
	}
	j = &m->q[m->nq];
	memset(j, 0, sizeof(*j));
	snprintf(j->name, sizeof(j->name), "%s", s->name);
	j->path = strdup(s->path);
	j->params = s->params ? strdup(s->params) : NULL;
	j->hard = kmod_step_hard(s);
	j->soft = strdup(s->soft);
	if (!j->path || !j->hard || !j->soft || (s->params && !j->params)) {
		drop(j);
		return -1;
	}
	j->cold = m->cold;
	m->nq++;
	if (j->cold)
		needs_cold(m, j);
	return 0;
}

/* The load itself, in this process or a child: 0 or 1 (reported). */
static int load(const struct job *j)
{
	const char *st;

	if (kmod_load(j->path, j->params, &st) < 0) {
		int e = errno;

		warn("load %s: %s: %s", j->path, st,
		     strcmp(st, "open") ? kmod_strerror(e) : strerror(e));
		return 1;
	}
	return 0;
}

static void ended(struct mp *m, struct job *j, bool ok)
{
	j->st = ok ? J_OK : J_FAIL;
	if (ok)
		m->loaded++;
	else
		m->failed = true;
}

/* 1 when every job J needs has ended (a failed hard dependency fails J,
 * said once), 0 while one is still to come. A soft one that failed only
 * loses its ordering, as with kmod. */
static int ready(struct mp *m, struct job *j)
{
	const char *l, *w;
	struct job *d;
	size_t len;

	for (l = j->hard; next_word(&l, &w, &len);) {
		d = find_job(m, w, len);
		if (!d || d == j || d->st == J_OK)
			continue;
		if (j->cold && d->st == J_WAIT && !d->cold) {
			d->cold = true; /* start it in pass 0 */
			m->promoted = true;
		}
		if (d->st == J_FAIL) {
			warn("not loading %s: %s did not load", j->name,
			     d->name);
			ended(m, j, false);
		}
		return 0;
	}
	if (m->soft_off)
		return 1;
	for (l = j->soft; next_word(&l, &w, &len);) {
		d = find_job(m, w, len);
		if (d && d != j && (d->st == J_WAIT || d->st == J_RUN))
			return 0;
	}
	return 1;
}

/* Start what may start: device drivers first, then the named modules
 * (while only drivers are due, with a job to spare only). With one job
 * the loads run here, one after the other. Returns how many jobs it
 * started or ended. */
static unsigned start(struct mp *m, bool cold_only)
{
	unsigned n = 0, nready = 0;
	bool solo;
	int pass;
	size_t i;

	/* A load that could not overlap another (the only one that may
	 * start, none running: a chain of dependencies, the kernel's
	 * request_module) runs here, without a fork. */
	for (i = 0; m->jobs > 1 && !m->running && i < m->nq; i++)
		if (m->q[i].st == J_WAIT && ready(m, &m->q[i]))
			nready++;
	solo = m->jobs == 1 || (!m->running && nready <= 1);
	for (pass = 0; pass < 2; pass++) {
		if (pass && cold_only && m->jobs == 1)
			break;
		for (i = 0; i < m->nq && m->running < m->jobs; i++) {
			struct job *j = &m->q[i];

			if (j->st != J_WAIT || j->cold != !pass)
				continue;
			if (!ready(m, j)) {
				n += j->st == J_FAIL;
				continue;
			}
			n++;
			if (m->verbose)
				printf("insmod %s%s%s\n", j->path,
				       j->params ? " " : "",
				       j->params ? j->params : "");
			/* the plan line must be out before a load that
			 * may hang or oops, and not copied into a child */
			(void)fflush(stdout);
			if (!solo)
				j->pid = fork();
			if (!solo && j->pid == 0)
				_exit(load(j));
			if (solo || j->pid < 0) {
				ended(m, j, load(j) == 0);
				/* what it unblocks may overlap: count again */
				if (m->jobs > 1)
					return n;
				continue;
			}
			j->st = J_RUN;
			m->running++;
		}
	}
	return n;
}

static bool pending(struct mp *m, bool cold_only)
{
	size_t i;

	for (i = 0; i < m->nq; i++)
		if ((m->q[i].st == J_WAIT || m->q[i].st == J_RUN) &&
		    (!cold_only || m->q[i].cold))
			return true;
	return false;
}

/* Nothing runs and nothing can start: jobs wait on each other. Only
 * softdeps can (a pre: b, b pre: a); they are then ignored. Otherwise
 * (a broken index) what waits fails. */
static bool stuck(struct mp *m, bool cold_only)
{
	size_t i;

	if (m->promoted) {
		m->promoted = false;
		return false; /* pass 1's job is now in pass 0: go again */
	}
	if (!m->soft_off) {
		m->soft_off = true;
		return false;
	}
	for (i = 0; i < m->nq; i++)
		if (m->q[i].st == J_WAIT && (!cold_only || m->q[i].cold)) {
			warn("not loading %s: what it needs (%s) never came",
			     m->q[i].name, m->q[i].hard);
			ended(m, &m->q[i], false);
		}
	return true;
}

/* Run the queue until no device driver (COLD_ONLY) or nothing at all is
 * left to load. */
static void run(struct mp *m, bool cold_only)
{
	struct job *j;
	int status;
	pid_t pid;
	size_t i;

	for (;;) {
		unsigned n = start(m, cold_only);

		if (!pending(m, cold_only))
			break;
		if (!m->running) {
			if (n || !stuck(m, cold_only))
				continue;
			break;
		}
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0) {
			/* children reaped behind our back (SIGCHLD
			 * ignored): their results are lost */
			for (i = 0; i < m->nq; i++)
				if (m->q[i].st == J_RUN) {
					warn("load %s: lost its child: %s",
					     m->q[i].path, strerror(errno));
					ended(m, &m->q[i], false);
				}
			m->running = 0;
			continue;
		}
		for (i = 0, j = NULL; i < m->nq; i++)
			if (m->q[i].st == J_RUN && m->q[i].pid == pid)
				j = &m->q[i];
		if (!j)
			continue; /* not ours (inherited) */
		m->running--;
		if (WIFSIGNALED(status))
			warn("load %s: killed by signal %d", j->path,
			     WTERMSIG(status));
		ended(m, j, WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
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
	struct kmod_strs seen = {0}, fresh = {0};
	const char *st;
	int n, rc;

	m->cold = true;
	for (;;) {
		n = kmod_scan(m->sysfs, &seen, &fresh, &st);
		if (n < 0)
			die_errno("read modaliases under %s: %s",
				  m->sysfs ? m->sysfs : "/sys", st);
		if (!n)
			break;
		m->loaded = 0;
		/* each round plans afresh: step skips what is loaded */
		kmod_plan_reset(&m->k);
		rc = kmod_plan_aliases(&m->k, fresh.v, fresh.n, step, m);
		if (rc == -1) {
			warn_errno("resolve the modaliases");
			m->failed = true;
		}
		run(m, true);
		if (!m->loaded || m->dry || m->show)
			break;
	}
	m->cold = false;
	kmod_strs_free(&seen);
	kmod_strs_free(&fresh);
	return m->failed ? 1 : 0;
}

static void free_jobs(struct mp *m)
{
	size_t i;

	for (i = 0; i < m->nq; i++)
		drop(&m->q[i]);
	free(m->q);
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
	    {NULL, 0, 0},
	};
	struct mp m;
	struct opt o;
	size_t len = 0;
	uint64_t v;
	int c, i, rc = 0;

	memset(&m, 0, sizeof(m));
	m.jobs = cpus();
	/* children are reaped here: one ignored SIGCHLD (inherited across
	 * exec) would make the kernel reap them and lose their results */
	(void)signal(SIGCHLD, SIG_DFL);
	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "qanvDd:S:Cj:", longs)) != -1) {
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
			m.jobs = (unsigned)v;
			break;
		case ':':
			die_usage("option %s needs an argument", o.bad);
		default:
			die_usage("unknown option %s", o.bad);
		}
	}
	if (m.coldplug && !m.all && o.ind != argc)
		die_usage("-C takes operands only with -a");
	if (!m.coldplug && o.ind == argc)
		die_usage("missing NAME");
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
		run(&m, false);
		free_jobs(&m);
		kmod_close(&m.k);
		return out_done(rc || m.failed ? 1 : 0);
	}
	for (i = o.ind + 1; i < argc; i++) {
		int n = snprintf(m.params + len, sizeof(m.params) - len, "%s%s",
				 len ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(m.params) - len)
			die_usage("parameters too long");
		len += (size_t)n;
	}
	rc = plan_one(&m, argv[o.ind], len ? m.params : NULL);
	run(&m, false);
	free_jobs(&m);
	kmod_close(&m.k);
	return out_done(rc || m.failed ? 1 : 0);
}
