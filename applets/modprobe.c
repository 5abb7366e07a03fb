/* modprobe - load kernel modules with their dependencies
 *
 * usage: modprobe [-qnvbi] [-d BASEDIR] [-S KVER] NAME|ALIAS [PARAM=VALUE...]
 *        modprobe [-qnvbi] [-j JOBS] [-d BASEDIR] [-S KVER] -a NAME|ALIAS...
 *        modprobe [-qnv] [-j JOBS] [-d BASEDIR] [-S KVER] [--sysfs DIR]
 *                 -C [-a NAME...]
 *        modprobe [-qnvi] [-d BASEDIR] [-S KVER] -r NAME...
 *        modprobe [-d BASEDIR] [-S KVER] -c
 *        modprobe [-d BASEDIR] [-S KVER] --plan [-P FILE]... [NAME...]
 *        modprobe [-q] [-d BASEDIR] [-S KVER] -R NAME...
 *   -q  quiet: no message when a module is not found (still exit 1)
 *   -a  every operand is a module or alias (no parameters)
 *   -n  dry run: resolve, print the plan, load nothing (--dry-run)
 *   -v  print each step: "insmod PATH [PARAMS]", "install CMD", "rmmod
 *       NAME" or "remove CMD"
 *   -D  print the plan for every module, loaded or not, and "builtin
 *       NAME" (--show-depends)
 *   -b  the blacklist holds for NAMEs too (--use-blacklist)
 *   -i  ignore install and remove commands (--ignore-install)
 *   -r  remove the NAMEs and the dependencies they leave unused (--remove)
 *   -c  print the configuration (--showconfig)
 *   -P FILE  the NAMEs of module profile FILE, before the operands
 *       (--profile; repeatable): NAME, GLOB, ?optional, !excluded
 *   --plan  load nothing, print one line a module, each once: its file
 *       as modules.dep names it, "builtin NAME" or "missing NAME"
 *       ("missing ?NAME": optional); install commands ignored
 *   -R  print the names of the modules each NAME resolves to, one a
 *       line (--resolve-alias)
 *   --first-time  fail when a NAME is loaded already (-r: is not)
 *   --config PATH  the configuration from PATH, a directory or file
 *       (repeatable), not /etc /run /lib ... modprobe.d (kmod's -C)
 *   -d BASEDIR  modules under BASEDIR/lib/modules/KVER (--dirname)
 *   -S KVER     that kernel release instead of the running one
 *   -C  coldplug (--coldplug): load the drivers of the devices present:
 *       the modalias of every device under /sys/bus/X/devices/, all
 *       resolved in one pass over modules.alias; again for the devices a
 *       round made appear (virtio_pci adds the virtio devices), until a
 *       round loads nothing or finds no new device; never a blacklisted
 *       driver. With -a, the NAMEs load too, after the devices'
 *       drivers (one call for /init)
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
 * modprobe.d or modules.alias. As kmod: dependencies load first, then
 * softdep pre:, the module (or its install command, run by /bin/sh),
 * softdep post:; options from modprobe.d and MODULE.PARAM= on the kernel
 * command line; a module found through an alias is skipped when
 * blacklisted (modprobe.d, modprobe.blacklist=). A built-in module or one
 * already loaded is success.
 *
 * exit: 0 loaded (or nothing to do; a softdep that did not load fails
 * nothing), 1 not found, a file's name, or a module asked for (or one it
 * needs) did not load (--plan: a "missing NAME" line), 2 usage
 *
 * Notes: the kernel runs /sbin/modprobe -q -- ALIAS for request_module()
 * (fs-squashfs, char-major-10-237, ...), which works with this applet
 * installed there. Only the text indexes depmod writes are read, never the
 * .bin tries. Modules load with finit_module
 * (MODULE_INIT_COMPRESSED_FILE when /sys/module/compression names the
 * file's codec) or are decompressed here for init_module. What differs
 * from kmod: docs/modprobe.md.
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

#include "applet.h"

struct mp {
	bool quiet, all, dry, verbose, show, coldplug, first, remove;
	bool plan, resolve; /* --plan, -R */
	bool optional;	    /* the name being planned is a profile's ?ENTRY */
	bool missing; /* a configured alias named a module the tree lacks */
	int rc;	      /* a profile's entries so far */
	const char *asked; /* the NAME being planned */
	const char *basedir, *kver, *sysfs;
	const char *confs[9];	 /* --config PATH..., NULL-terminated */
	const char *profiles[9]; /* -P FILE..., NULL-terminated */
	char **said;		 /* --plan's lines so far: each said once */
	size_t n_said, cap_said;
	struct kmod_ctx k;
	struct kmod_jobs jobs;
	struct kmod_strs seen, fresh; /* the coldplug's modaliases */
	char params[4096];
};

/* An install or remove command, with $CMDLINE_OPTS replaced, run by
 * /bin/sh -c as kmod runs it (system(3)), MODPROBE_MODULE set: 0 or 1
 * (reported) */
static int run(const char *name, const char *what, const char *cmd,
	       const char *opts)
{
	extern char **environ;
	char *c = kmod_conf_cmd(cmd, opts ? opts : ""), **env, *var;
	int status = -1;
	size_t n = 0;
	pid_t pid;

	if (!c)
		return warn_errno("run %s command for %s", what, name), 1;
	pid = fork();
	if (pid == 0) {
		/* the environment and MODPROBE_MODULE, last to win */
		while (environ[n])
			n++;
		env = calloc(n + 2, sizeof(*env));
		var = malloc(strlen(name) + 17);
		if (env && var) {
			sigset_t term;

			/* -w blocks SIGTERM, and a mask survives execve: the
			 * command (and anything it leaves running) must die
			 * of /init's SIGTERM as any process does */
			(void)sigemptyset(&term);
			(void)sigaddset(&term, SIGTERM);
			(void)sigprocmask(SIG_UNBLOCK, &term, NULL);
			memcpy(env, environ, n * sizeof(*env));
			env[n] = strcat(strcpy(var, "MODPROBE_MODULE="), name);
			execve("/bin/sh",
			       (char *[]){(char *)"sh", (char *)"-c", c, NULL},
			       env);
		}
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	free(c);
	if (pid > 0 && WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	warn("run %s command for %s: %s", what, name,
	     pid < 0 ? strerror(errno) : "failed");
	return 1;
}

/* -r: the module asked for (its remove command, else the module itself
 * when loaded and unused), then its dependencies nothing uses any more,
 * in modules.dep's order, as kmod's modprobe -r */
static int rm_module(struct mp *m, const struct kmod_step *s)
{
	const char *at = NULL, *cmd;
	char *deps, *c, name[64];
	size_t n;
	int rc;

	if (s->what == KMOD_BUILTIN)
		return warn("remove %s: built into the kernel", s->name), 1;
	cmd = m->k.no_cmds ? NULL
			   : kmod_conf_next(&m->k, "remove", s->name, true, &at, &n);
	if (cmd) {
		c = strndup(cmd, n);
		if (!c)
			return warn_errno("remove %s", s->name), 1;
		if (m->verbose || m->dry)
			printf("remove %s\n", c);
		rc = m->dry ? 0 : run(s->name, "remove", c, NULL);
		free(c);
		return rc;
	}
	if (kmod_refcnt(s->name) < 0) {
		if (m->first)
			warn("remove %s: not loaded", s->name);
		return m->first;
	}
	if (kmod_refcnt(s->name) > 0)
		return warn("remove %s: in use", s->name), 1;
	if (m->verbose || m->dry)
		printf("rmmod %s\n", s->name);
	if (m->dry)
		return 0; /* kmod's -n stops there too */
	if (kmod_unload(s->name) < 0)
		return warn_errno("remove %s", s->name), 1;
	/* a dependency's failure is said, not counted, as with kmod */
	deps = kmod_step_hard(s);
	for (c = deps; c && (n = strcspn(c, " ")); c += n + (c[n] == ' ')) {
		snprintf(name, sizeof(name), "%.*s", (int)n, c);
		if (kmod_refcnt(name) != 0)
			continue;
		if (m->verbose)
			printf("rmmod %s\n", name);
		if (kmod_unload(name) < 0)
			warn_errno("remove %s", name);
	}
	free(deps);
	return 0;
}

/* --plan: LINE, unless said already */
static void plan_line(struct mp *m, const char *line)
{
	size_t i;

	for (i = 0; i < m->n_said; i++)
		if (!strcmp(m->said[i], line))
			return;
	if (array_grow(&m->said, &m->cap_said, m->n_said, sizeof(*m->said)))
		die_errno("plan");
	m->said[m->n_said] = strdup(line);
	if (!m->said[m->n_said])
		die_errno("plan");
	m->n_said++;
	printf("%s\n", line);
}

/* --plan: "missing NAME" for a name the tree lacks, "missing ?NAME" for
 * an optional one; 1 when that fails the run */
static int plan_missing(struct mp *m, const char *name)
{
	char line[600];

	snprintf(line, sizeof(line), "missing %s%s", m->optional ? "?" : "",
		 name);
	plan_line(m, line);
	return m->optional ? 0 : 1;
}

/* --plan's line for a step: the module's file as modules.dep lists it
 * (relative to the module directory), or "builtin NAME"; -R: the names
 * the lookup found */
static int plan_step(struct mp *m, const struct kmod_step *s)
{
	size_t n = strlen(m->k.dir);
	const char *p = s->path;
	char line[600];

	if (m->resolve) {
		if (s->top)
			plan_line(m, s->name);
		return 0;
	}
	if (s->what == KMOD_MISSING) {
		/* a softdep the tree lacks is planned by no one */
		if (s->top && plan_missing(m, s->name))
			m->missing = true;
		return 0;
	}
	if (s->what == KMOD_BUILTIN) {
		snprintf(line, sizeof(line), "builtin %s", s->name);
		plan_line(m, line);
		return 0;
	}
	if (!strncmp(p, m->k.dir, n) && p[n] == '/')
		p += n + 1;
	plan_line(m, p);
	return 0;
}

static int step(void *arg, const struct kmod_step *s)
{
	struct mp *m = arg;
	struct kmod_job *j;

	if (m->plan || m->resolve)
		return plan_step(m, s);
	if (s->what == KMOD_MISSING) {
		/* As kmod: -n plans it silently (exit 0), its load fails, -r
		 * finds it not loaded. A softdep's or a device's is skipped. */
		if (!s->top || m->jobs.cold)
			return 0;
		if (m->dry || m->show) {
			if (m->verbose)
				warn("alias %s: module %s not found in modules.dep (%s)", m->asked, s->name, m->k.kver);
			return 0;
		}
		if (m->remove && !m->first)
			return 0;
		if (!m->quiet)
			warn("module %s (alias %s) not found in modules.dep (%s)", s->name, m->asked, m->k.kver);
		m->missing = true;
		return 0;
	}
	if (m->remove)
		return s->top ? rm_module(m, s) : 0;
	if (s->what == KMOD_BUILTIN) {
		if (m->first && s->top) {
			warn("load %s: built into the kernel", s->name);
			return 1;
		}
		/* in the kernel already: like kmod, said only by -D */
		if (m->show)
			printf("builtin %s\n", s->name);
		return 0;
	}
	/* Ours first: loading ("coming"), it also counts as loaded */
	j = kmod_jobs_find(&m->jobs, s->name, strlen(s->name));
	if (j) {
		/* a softdep of an earlier NAME, now asked for itself */
		if (s->top)
			j->top = true;
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
	if (!m->show && kmod_loaded(s->name)) {
		if (m->first && s->top) {
			warn("load %s: already loaded", s->name);
			return 1;
		}
		return 0;
	}
	if (m->dry || m->show) {
		printf("%s %s%s%s\n", s->what == KMOD_INSTALL ? "install" : "insmod",
		       s->path, *s->params ? " " : "", s->params);
		return 0;
	}
	j = kmod_jobs_add(&m->jobs, s);
	if (j)
		j->cmd = s->what == KMOD_INSTALL;
	return j ? 0 : -1;
}

/* The load itself, in this process or a child: 0 or 1 (reported). */
static int load(void *ctx, const struct kmod_job *j)
{
	const struct mp *m = ctx;
	char buf[ERR_STR_MAX];
	struct err err;

	if (j->cmd)
		return run(j->name, "install", j->path, j->params);
	if (kmod_load(j->path, j->params, &err) < 0) {
		int e = err.no;

		/* An arch module refusing this CPU (crc32c_intel without
		 * SSE4.2, beside crc32c_generic) where only a softdep wants
		 * it: expected, and silent as with kmod. Other errors of a
		 * softdep are worth a line (a bad signature, a wrong build). */
		if (j->optional && e == ENODEV && !m->verbose)
			return 1;
		warn("load %s: %s%s", j->path, err_str(&err, buf, sizeof(buf)),
		     j->optional ? " (a soft dependency: going on without it)" : "");
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
		printf("%s %s%s%s\n", j->cmd ? "install" : "insmod", j->path,
		       j->params && *j->params ? " " : "",
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
	int rc;

	m->asked = name;
	rc = kmod_plan(&m->k, name, params, step, m);

	if (rc == -1 && errno == EISDIR) {
		/* kmod 30 refuses it too; kmod 31+ would load that file */
		if (!m->quiet)
			warn("%s is a file, not a module name: insmod loads a file", name);
		return 1;
	}
	if (rc == -1 && errno == ENOENT && m->plan)
		return plan_missing(m, name);
	if (rc == -1 && errno == ENOENT && m->optional)
		return 0;
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

/* A profile's entry: planned as a NAME of -a */
static int want(void *arg, const struct kmod_want *w)
{
	struct mp *m = arg;

	m->optional = w->optional;
	if (w->none && m->plan) {
		m->rc |= plan_missing(m, w->name);
	} else if (w->none && !w->optional) {
		if (!m->quiet)
			warn("no module matches %s", w->name);
		m->rc = 1;
	} else if (!w->none) {
		/* each entry planned whole, as each NAME of -a */
		if (!m->coldplug)
			kmod_plan_reset(&m->k);
		m->rc |= plan_one(m, w->name, NULL);
	}
	m->optional = false;
	return 0;
}

/* -P FILE: its entries planned in order; 0 or 1 */
static int profile(struct mp *m, const char *path)
{
	struct kmod_buf b;
	size_t line;

	if (kmod_read(path, 1 << 20, &b) < 0)
		die_errno("read profile %s", path);
	m->rc = 0;
	if (kmod_profile_each(&m->k, b.p, want, m, &line) < 0)
		die("read profile %s: line %zu: not an entry", path, line);
	free(b.p);
	return m->rc;
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
	char buf[ERR_STR_MAX];
	struct err err;
	int n, rc;

	m->jobs.cold = true;
	for (;;) {
		n = kmod_scan(m->sysfs, &m->seen, &m->fresh, &err);
		if (n < 0)
			die("read modaliases under %s: %s",
			    m->sysfs ? m->sysfs : "/sys",
			    err_str(&err, buf, sizeof(buf)));
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

/* -c: the configuration in kmod's format (directives grouped by kind),
 * then the aliases of modules.alias (kmod dumps its trie: sorted) */
static int show_config(const struct mp *m)
{
	static const char *const what[] = {"blacklist", "install", "remove",
					   "alias",	"options", "softdep"};
	const struct kmod_buf *b[] = {&m->k.conf, &m->k.alias};
	const char *l, *nl;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(what) + 1; i++) {
		if (i == ARRAY_SIZE(what))
			printf("\n# End of configuration files. Dumping indexes now:\n\n");
		for (l = b[i / 6]->p; l && *l; l = nl + !!*nl) {
			nl = l + strcspn(l, "\n");
			n = strlen(i < 6 ? what[i] : "alias");
			if (!strncmp(l, i < 6 ? what[i] : "alias", n) && l[n] == ' ')
				printf("%.*s\n", (int)(nl - l), l);
		}
	}
	return out_done(0);
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
	    {"use-blacklist", OPT_NONE, 'b'},
	    {"remove", OPT_NONE, 'r'},
	    {"showconfig", OPT_NONE, 'c'},
	    {"first-time", OPT_NONE, 'F'},
	    {"ignore-install", OPT_NONE, 'i'},
	    {"ignore-remove", OPT_NONE, 'i'},
	    {"config", OPT_ARG, 'K'},
	    {"watch", OPT_ARG, 'w'},
	    {"profile", OPT_ARG, 'P'},
	    {"plan", OPT_NONE, 'L'},
	    {"resolve-alias", OPT_NONE, 'R'},
	    {NULL, 0, 0},
	};
	struct mp m;
	struct opt o;
	sigset_t term;
	size_t len = 0;
	uint64_t v, secs = 0;
	int c, i, rc = 0, nconf = 0, nprof = 0, tfd = -1;
	bool config = false, bl = false, nocmd = false;

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
	while ((c = opt_next(&o, argc, argv, "qanvDd:S:Cj:brciw:P:R", longs)) != -1) {
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
		case 'b':
			bl = true;
			break;
		case 'r':
			m.remove = m.all = true;
			break;
		case 'c':
			config = true;
			break;
		case 'i':
			nocmd = true;
			break;
		case 'F': /* long only: --first-time */
			m.first = true;
			break;
		case 'K': /* long only: --config (kmod's -C is coldplug here) */
			if (nconf == (int)ARRAY_SIZE(m.confs) - 1)
				die_usage("too many --config");
			m.confs[nconf++] = o.arg;
			break;
		case 'P':
			if (nprof == (int)ARRAY_SIZE(m.profiles) - 1)
				die_usage("too many -P");
			m.profiles[nprof++] = o.arg;
			m.all = true;
			break;
		case 'L': /* long only: --plan */
			m.plan = m.all = true;
			break;
		case 'R':
			m.resolve = m.all = true;
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
	if ((m.plan || m.resolve) && (m.remove || m.coldplug || config || secs))
		die_usage("--plan and -R exclude -r, -C, -c and -w");
	if (m.plan && m.resolve)
		die_usage("--plan and -R exclude each other");
	if (m.coldplug && !m.all && o.ind != argc)
		die_usage("-C takes operands only with -a");
	if (m.remove && m.coldplug)
		die_usage("-r and -C exclude each other");
	if (!m.coldplug && !config && !nprof && o.ind == argc)
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
	/* -c shows the configuration even without a module tree */
	if (kmod_open(&m.k, m.basedir, m.kver) < 0 && !config)
		die_errno("read %s/lib/modules/%s/modules.dep",
			  m.basedir ? m.basedir : "", m.k.kver);
	/* the kernel command line as kmod reads it, whatever -d says */
	if (kmod_conf_read(&m.k, nconf ? m.confs : NULL, "/proc/cmdline") < 0)
		die_errno("read the module configuration");
	if (config)
		return show_config(&m);
	m.k.bl_off = m.remove;
	m.k.bl_names = bl;
	/* a plan names files: an install command's would be its own */
	m.k.no_cmds = nocmd || m.plan || m.resolve;
	/* The named modules are queued first but load after the devices'
	 * drivers, which /init needs first to find the medium; with jobs to
	 * spare they load alongside. */
	if (m.coldplug && (m.dry || m.show))
		rc |= coldplug(&m);
	if (m.all) {
		for (i = 0; i < nprof; i++)
			rc |= profile(&m, m.profiles[i]);
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
		while (m.n_said)
			free(m.said[--m.n_said]);
		free(m.said);
		return out_done(rc || m.jobs.failed || m.missing ? 1 : 0);
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
	return out_done(rc || m.jobs.failed || m.missing ? 1 : 0);
}
