/* kmod.h - kernel modules: the text indexes depmod writes (modules.dep,
 * modules.alias, modules.builtin, modules.builtin.alias, modules.softdep),
 * the modprobe.d configuration and the kernel command line, and the load
 * syscalls.
 */
#ifndef INITBOX_KMOD_H
#define INITBOX_KMOD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/base.h"
#include "archive/archive.h"

struct kmod_buf {
	char *p; /* the file, NUL-terminated; NULL when absent */
	size_t len;
};

enum { KMOD_MAX_PLAN = 256 };

/* The whole file PATH, NUL-terminated, when it is at most MAX bytes (else
 * EFBIG); b->p NULL on failure. */
int kmod_read(const char *path, size_t max, struct kmod_buf *b);

struct kmod_ctx {
	char dir[4096]; /* BASEDIR/lib/modules/KVER */
	char kver[128];
	struct kmod_buf dep, alias, builtin, builtin_alias, builtin_modinfo;
	/* the configuration (kmod_conf_read): one canonical line a
	 * directive, "WHAT NAME[ VALUE]\n", names normalised, in kmod's
	 * order: the files by name, then the kernel command line */
	struct kmod_buf conf;
	/* blacklist: applied to modules found through an alias always (as
	 * kmod), to a NAME too with bl_names (-b); never with bl_off */
	bool bl_names, bl_off;
	bool no_cmds; /* install and remove commands ignored (-i) */
	/* modules already put in the current plan (normalised names) */
	char done[KMOD_MAX_PLAN][64];
	size_t n_done;
};

/* Read the indexes under BASEDIR (NULL or "" for /) for KVER (NULL: the
 * running kernel's release). -1 with errno when modules.dep is unreadable
 * (k->dir is set); the others are optional. No configuration is read:
 * that is kmod_conf_read. */
int kmod_open(struct kmod_ctx *k, const char *basedir, const char *kver);
void kmod_close(struct kmod_ctx *k);

/* A module name as the kernel knows it: the file name without directory
 * and .ko[.gz|.xz|.zst], '-' turned into '_'. */
void kmod_norm(const char *in, char *out, size_t len);
/* NAME is a file's name, not a module's: it holds a '/' or ends in
 * .ko[.gz|.xz|.zst] (kmod 30 finds no module by such a name). */
bool kmod_is_file(const char *name);
/* N bytes of an alias or configured name: '-' turned into '_' except
 * inside [...] classes (libkmod's underscores). */
void kmod_norm_alias(const char *s, size_t n, char *out, size_t len);

/* kmod_conf.c: the module configuration as kmod 30 reads it into k->conf.
 * The *.conf and *.alias files of the directories (or files) in PATHS
 * (NULL-terminated; NULL for /etc, /run, /usr/local/lib, /usr/lib and
 * /lib modprobe.d), merged by file name, the first directory's file
 * winning a name, read in name order with k->dir's modules.softdep among
 * them; then CMDLINE's (a file, NULL for none) MODULE.PARAM=VALUE as
 * "options" and modprobe.blacklist=A,B as "blacklist". Lines canonical:
 * "options NAME VALUE", "blacklist NAME", "alias PATTERN MODULE",
 * "install|remove NAME COMMAND", "softdep NAME pre: A post: B";
 * unknown or broken lines dropped. -1 with errno only when memory runs
 * out; unreadable files are skipped, as kmod skips them. */
int kmod_conf_read(struct kmod_ctx *k, const char *const *paths,
		   const char *cmdline);
/* The value of the next line "WHAT NAME VALUE" of k->conf after *AT (NULL
 * at first) whose NAME matches NAME, a pattern when GLOB; its length in
 * *LEN, NULL when there is none. */
const char *kmod_conf_next(const struct kmod_ctx *k, const char *what,
			   const char *name, bool glob, const char **at,
			   size_t *len);
/* Every "options" value for module NAME, or for ALIAS (the alias it was
 * reached by, or NULL), in the configuration's order as kmod takes them,
 * joined with blanks, then EXTRA; malloc'd ("" when none), NULL with
 * ENOMEM. */
char *kmod_conf_options(const struct kmod_ctx *k, const char *name,
			const char *alias, const char *extra);
/* COMMAND with each $CMDLINE_OPTS replaced by OPTS; malloc'd. */
char *kmod_conf_cmd(const char *cmd, const char *opts);

enum kmod_what { KMOD_LOAD, KMOD_BUILTIN, KMOD_INSTALL, KMOD_MISSING };
/* One step of a plan: a module file to load, a built-in module, the
 * configured install command run instead of a load, or a module that a
 * configured alias names and the tree lacks (kmod plans it, and only its
 * load fails: "alias mod-simple deaddood"). */
struct kmod_step {
	enum kmod_what what;
	const char *name;   /* normalised */
	const char *path;   /* KMOD_LOAD: the file, absolute; KMOD_INSTALL:
			       the command as configured; KMOD_MISSING: the
			       alias (normalised); else NULL */
	/* the configured options, then the parameters given for the module
	 * asked for; never NULL but for KMOD_BUILTIN */
	const char *params;
	bool top; /* the module asked for, not a dependency */
	/* What must be loaded before it (KMOD_LOAD): its modules.dep list
	 * (every hard dependency, as paths, blank-separated; deps_len bytes)
	 * and its softdep "pre:" names (normalised, blank-separated), with
	 * the module whose "post:" brought it in. A caller loading modules
	 * in parallel orders them by these. */
	const char *deps;
	size_t deps_len;
	const char *soft;
};
/* The step's modules.dep list as module names (kmod_norm), blank-separated,
 * in the listed order; malloc'd, NULL with ENOMEM. */
char *kmod_step_hard(const struct kmod_step *s);
/* Called for each step of a plan; a non-zero return stops the plan. */
typedef int (*kmod_step_fn)(void *arg, const struct kmod_step *s);

/* Plan the loading of NAME, as kmod looks it up: a configured alias
 * (every match; the configured modules), else a module or built-in of
 * that name, else a configured install command, else the patterns of
 * modules.alias (every matching module). Per module, in kmod's order: the
 * dependencies from modules.dep in load order (the reverse of the listed
 * order), the softdep "pre:" modules, the module (or its install command,
 * when it has no softdep), the "post:" modules. A blacklisted module
 * found through an alias is skipped (see bl_names, bl_off). Modules
 * already planned since kmod_plan_reset are skipped. Returns 0, fn's
 * non-zero result, or -1 with ENOENT when NAME is none of these,
 * ENAMETOOLONG when it is longer than any alias initbox matches (511),
 * EISDIR when it names a file (kmod_is_file): never planned as the
 * tree's module of that base name. */
int kmod_plan(struct kmod_ctx *k, const char *name, const char *params,
	      kmod_step_fn fn, void *arg);
void kmod_plan_reset(struct kmod_ctx *k);

/* Plan every module that an alias in ALIASES (N device modalias strings,
 * e.g. read by kmod_scan) resolves to, reading modules.alias once for all
 * of them: each module with its softdeps and dependencies as kmod_plan
 * does, in modules.alias's order. Aliases no module matches are skipped
 * (most devices have no driver); built-in modules are not looked up.
 * Returns 0, the first non-zero result of fn (the other modules are still
 * planned), or -1 with errno. */
int kmod_plan_aliases(struct kmod_ctx *k, char *const *aliases, size_t n,
		      kmod_step_fn fn, void *arg);

/* kmod_profile.c: a module profile (config/modules/, docs/modprobe.md),
 * one entry a line, '#' comment lines and blank lines skipped:
 *   NAME   a module name or alias, planned as kmod_plan plans it
 *   GLOB   a pattern ('*', '?', [...]) over the module names of
 *          modules.dep, or with a '/' over their paths as listed there
 *          (kernel/drivers/ata/ and a star: '*' matches '/' too): each match
 *   ?ENTRY optional: a tree without it is no error
 *   !ENTRY excluded: no NAME or GLOB of the profile yields a module it
 *          names, wherever the line stands (a dependency still may)
 * '-' and '_' are alike in names and name patterns. */
struct kmod_want {
	const char *name; /* as written; a glob's match: the module's name */
	bool optional;    /* a ?ENTRY */
	bool none;        /* a GLOB that names no module of the tree */
};
typedef int (*kmod_want_fn)(void *arg, const struct kmod_want *w);
/* fn for each name the profile TEXT (NUL-terminated) asks for, in its
 * order, a GLOB's matches in modules.dep's order. Returns 0, fn's non-zero
 * result, or -1 with EINVAL and *LINE the number of a line that is no
 * entry (blanks inside a word, a mark alone, a word over 511 bytes),
 * before any call of fn. */
int kmod_profile_each(const struct kmod_ctx *k, const char *text,
		      kmod_want_fn fn, void *arg, size_t *line);

/* A sorted set of strings (modalias values). */
struct kmod_strs {
	char **v;
	size_t n, cap;
};
void kmod_strs_free(struct kmod_strs *s);

/* The modalias of every device under SYSFS/bus/X/devices/ (SYSFS/devices
 * walked instead where SYSFS/bus is absent), deduplicated; those not in
 * SEEN yet go to FRESH (emptied first) and into SEEN. Returns how many are
 * fresh, or -1 with errno (err names what failed). */
int kmod_scan(const char *sysfs, struct kmod_strs *seen,
	      struct kmod_strs *fresh, struct err *err);

/* Whether module NAME (normalised) is loaded: /sys/module/NAME/initstate,
 * else a "NAME " line in /proc/modules. */
bool kmod_loaded(const char *name);

/* Load the module file PATH with PARAMS: finit_module, with in-kernel
 * decompression when /sys/module/compression names the file's codec, else
 * decompressed here and init_module. EEXIST (already loaded) is success.
 * On failure err names the failed step, its why the kernel's reason in
 * words (kmod_strerror). */
int kmod_load(const char *path, const char *params, struct err *err);
/* /sys/module/NAME/refcnt, or -1 when NAME is not loaded as a module. */
int kmod_refcnt(const char *name);
/* delete_module(NAME, O_NONBLOCK): -1 with errno (EBUSY, ENOENT). */
int kmod_unload(const char *name);
/* kmod_load's errno in words, naming the kernel's usual reasons. */
const char *kmod_strerror(int err);

/* kmod_jobs.c: a plan's modules loaded up to jobs at a time, each in a
 * child process once the jobs for what it needs (modules.dep, softdep
 * pre:) have ended; device drivers (cold) before the named modules. A
 * load that could not overlap another (jobs 1, or the only one that may
 * start with none running) runs in this process, without a fork. */
struct kmod_job {
	char name[64];
	char *path, *params;
	char *hard; /* modules.dep's list, normalised, blank-separated */
	char *soft; /* softdep pre: names, the same way */
	pid_t pid;
	enum {
		KMOD_JOB_WAIT,
		KMOD_JOB_RUN,
		KMOD_JOB_OK,
		KMOD_JOB_FAIL
	} st;
	bool cold; /* a device's driver: goes before the named modules */
	bool cmd;  /* path is an install command (KMOD_INSTALL) */
	/* a module asked for (a NAME, an alias's module, a device's
	 * driver): only its failure fails the run; a dependency's fails the
	 * modules that need it, and through them the run */
	bool top;
	/* set before its load: neither asked for nor in the modules.dep
	 * list of a module asked for, i.e. only a softdep wants it (kmod:
	 * not "required"); its failure stops nothing */
	bool optional;
};
struct kmod_jobs {
	/* set by the caller */
	unsigned jobs; /* loads at a time, at least 1 */
	bool cold;     /* jobs added now are device drivers */
	/* The load, here or in a forked child: 0 loaded, else failed (and
	 * said by it). */
	int (*load)(void *ctx, const struct kmod_job *j);
	/* Called here before each load (may be NULL): anything it prints
	 * must be flushed, since the load may hang and a child copies what
	 * is buffered. */
	void (*before)(void *ctx, const struct kmod_job *j);
	/* One line for the user (may be NULL): a module not loaded, and
	 * why. */
	void (*warn)(void *ctx, const char *text);
	void *ctx;
	/* state */
	struct kmod_job *q;
	size_t nq, cap, running;
	unsigned loaded; /* modules loaded since the caller reset it */
	bool failed;     /* a module asked for did not load */
	bool soft_off; /* softdeps waiting on each other: ignored */
	bool promoted; /* a job became a driver's dependency */
};
/* The job for module NAME (LEN bytes), or NULL. */
struct kmod_job *kmod_jobs_find(struct kmod_jobs *m, const char *name,
				size_t len);
/* Queue step S (KMOD_LOAD) as a job, cold when m->cold, top when s->top;
 * NULL with ENOMEM. */
struct kmod_job *kmod_jobs_add(struct kmod_jobs *m, const struct kmod_step *s);
/* J is a device's driver now: so are the queued jobs it needs. */
void kmod_jobs_promote(struct kmod_jobs *m, const struct kmod_job *j);
/* Run the queue until no device driver (COLD_ONLY) or nothing at all is
 * left to load; m->failed tells if a module asked for did not load (a
 * soft dependency's failure, e.g. crc32c_intel refusing a CPU without
 * SSE4.2 beside crc32c_generic, is said by load only). */
void kmod_jobs_run(struct kmod_jobs *m, bool cold_only);
void kmod_jobs_free(struct kmod_jobs *m);

#endif
