/* modprobe - load kernel modules with their dependencies
 *
 * usage: modprobe [-qnv] [-d BASEDIR] [-S KVER] NAME|ALIAS [PARAM=VALUE...]
 *        modprobe [-qnv] [-d BASEDIR] [-S KVER] -a NAME|ALIAS...
 *        modprobe [-qnv] [-d BASEDIR] [-S KVER] -C
 *   -q  quiet: no message when a module is not found (still exit 1)
 *   -a  every operand is a module or alias (no parameters)
 *   -n  dry run: resolve, print the plan, load nothing (--dry-run)
 *   -v  print each step: "insmod PATH [PARAMS]" or "builtin NAME"
 *   -D  print the plan for every module, loaded or not (--show-depends)
 *   -d BASEDIR  modules under BASEDIR/lib/modules/KVER (--dirname)
 *   -S KVER     that kernel release instead of the running one
 *   -C  coldplug (--coldplug): load the modules matching every modalias
 *       under /sys/devices, again until no new module loads (so devices
 *       a loaded bus driver adds get their drivers too)
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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "initbox.h"

enum { MAX_ALIASES = 4096, MAX_SYS_DEPTH = 24, MAX_ROUNDS = 8 };

struct mp {
	bool quiet, all, dry, verbose, show, coldplug;
	const char *basedir, *kver;
	struct kmod_ctx k;
	unsigned loaded; /* modules loaded in this round */
	bool failed;
	char params[4096];
	char **aliases; /* coldplug: modalias strings, sorted */
	size_t n_aliases;
};

static int step(void *arg, enum kmod_what what, const char *name,
		const char *path, const char *params)
{
	struct mp *m = arg;
	const char *st;

	if (what == KMOD_BUILTIN) {
		if (m->verbose || m->show)
			printf("builtin %s\n", name);
		return 0;
	}
	if (!m->show && kmod_loaded(name))
		return 0;
	if (m->verbose || m->dry || m->show)
		printf("insmod %s%s%s\n", path, params && *params ? " " : "",
		       params ? params : "");
	if (m->dry || m->show)
		return 0;
	/* the plan line must be out before a load that may hang or oops */
	if (fflush(stdout) == EOF)
		return 1;
	if (kmod_load(path, params, &st) < 0) {
		int e = errno;

		warn("load %s: %s: %s", path, st,
		     strcmp(st, "open") ? kmod_strerror(e) : strerror(e));
		m->failed = true;
		return 1;
	}
	m->loaded++;
	return 0;
}

/* One NAME or ALIAS; 0 ok, 1 failed (reported) */
static int probe_one(struct mp *m, const char *name, const char *params)
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

static int add_alias(struct mp *m, const char *s)
{
	char **t;

	if (m->n_aliases == MAX_ALIASES)
		return 0; /* more devices than any initramfs needs */
	if (!(m->n_aliases & 63)) {
		t = realloc(m->aliases, (m->n_aliases + 64) * sizeof(*t));
		if (!t)
			return -1;
		m->aliases = t;
	}
	m->aliases[m->n_aliases] = strdup(s);
	if (!m->aliases[m->n_aliases])
		return -1;
	m->n_aliases++;
	return 0;
}

/* every modalias file below dirfd (which this call closes) */
static int walk(struct mp *m, int dirfd, int depth)
{
	char buf[512];
	struct dirent *d;
	ssize_t n;
	DIR *dir;
	int fd, rc = 0;

	fd = openat(dirfd, "modalias", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		(void)close(fd); /* read-only sysfs file */
		if (n > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			if (*buf && add_alias(m, buf) < 0)
				rc = -1;
		}
	}
	dir = fdopendir(dirfd);
	if (!dir) {
		(void)close(dirfd); /* unreadable directory: skipped */
		return rc;
	}
	while (rc == 0 && depth < MAX_SYS_DEPTH && (d = readdir(dir))) {
		/* sysfs links (subsystem, driver, device) would loop */
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		fd = openat(dirfd, d->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			rc = walk(m, fd, depth + 1);
	}
	(void)closedir(dir); /* directory stream: nothing to flush */
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_aliases(struct mp *m)
{
	size_t i;

	for (i = 0; i < m->n_aliases; i++)
		free(m->aliases[i]);
	free(m->aliases);
	m->aliases = NULL;
	m->n_aliases = 0;
}

static int coldplug(struct mp *m)
{
	size_t i;
	int fd, round, rc;

	for (round = 0; round < MAX_ROUNDS; round++) {
		m->loaded = 0;
		fd = open("/sys/devices", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			die_errno("open /sys/devices");
		if (walk(m, fd, 0) < 0)
			die_errno("read modalias files");
		qsort(m->aliases, m->n_aliases, sizeof(char *), cmp_str);
		for (i = 0; i < m->n_aliases; i++) {
			if (i && !strcmp(m->aliases[i], m->aliases[i - 1]))
				continue;
			rc = kmod_plan(&m->k, m->aliases[i], NULL, step, m);
			/* no driver for most devices: that is normal */
			if (rc == -1 && errno != ENOENT)
				warn_errno("resolve %s", m->aliases[i]);
		}
		free_aliases(m);
		if (!m->loaded || m->dry || m->show)
			break;
	}
	return out_done(m->failed ? 1 : 0);
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
	    {NULL, 0, 0},
	};
	struct mp m;
	struct opt o;
	size_t len = 0;
	int c, i, rc = 0;

	memset(&m, 0, sizeof(m));
	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "qanvDd:S:C", longs)) != -1) {
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
		case ':':
			die_usage("option %s needs an argument", o.bad);
		default:
			die_usage("unknown option %s", o.bad);
		}
	}
	if (m.coldplug ? o.ind != argc : o.ind == argc)
		die_usage(m.coldplug ? "-C takes no operands" : "missing NAME");
	if (kmod_open(&m.k, m.basedir, m.kver) < 0)
		die_errno("read %s/lib/modules/%s/modules.dep",
			  m.basedir ? m.basedir : "", m.k.kver);
	if (m.coldplug)
		return coldplug(&m);
	if (m.all) {
		for (i = o.ind; i < argc; i++) {
			kmod_plan_reset(&m.k);
			rc |= probe_one(&m, argv[i], NULL);
		}
		return out_done(rc);
	}
	for (i = o.ind + 1; i < argc; i++) {
		int n = snprintf(m.params + len, sizeof(m.params) - len, "%s%s",
				 len ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(m.params) - len)
			die_usage("parameters too long");
		len += (size_t)n;
	}
	rc = probe_one(&m, argv[o.ind], len ? m.params : NULL);
	kmod_close(&m.k);
	return out_done(rc);
}
