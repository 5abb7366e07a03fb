/* modprobe - load kernel modules with their dependencies
 *
 * usage: modprobe [-qnv] [-d BASEDIR] [-S KVER] NAME|ALIAS [PARAM=VALUE...]
 *        modprobe [-qnv] [-d BASEDIR] [-S KVER] -a NAME|ALIAS...
 *        modprobe [-qnv] [-d BASEDIR] [-S KVER] [--sysfs DIR] -C [-a NAME...]
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "initbox.h"

struct mp {
	bool quiet, all, dry, verbose, show, coldplug;
	const char *basedir, *kver, *sysfs;
	struct kmod_ctx k;
	unsigned loaded; /* modules loaded in this round */
	bool failed;
	char params[4096];
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

/* Drivers for the devices present: a round reads the modalias of every
 * device, resolves those not seen before in one pass over modules.alias
 * and loads the matches. A load returns after the probing it started, so
 * the devices a bus driver adds (virtio_pci's virtio devices) are there
 * for the next round; rounds go on while one loads something and new
 * devices appear. */
static int coldplug(struct mp *m)
{
	struct kmod_strs seen = {0}, fresh = {0};
	const char *st;
	int n, rc;

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
		if (!m->loaded || m->dry || m->show)
			break;
	}
	kmod_strs_free(&seen);
	kmod_strs_free(&fresh);
	return m->failed ? 1 : 0;
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
		case 's': /* long only: --sysfs */
			m.sysfs = o.arg;
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
	/* the devices first: /init needs their drivers to find the medium,
	 * and the named modules only once it is mounted */
	if (m.coldplug)
		rc = coldplug(&m);
	if (m.all || m.coldplug) {
		for (i = o.ind; i < argc; i++) {
			/* after -C: its last round's modules are not shown
			 * again by -n */
			if (!m.coldplug)
				kmod_plan_reset(&m.k);
			rc |= probe_one(&m, argv[i], NULL);
		}
		kmod_close(&m.k);
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
