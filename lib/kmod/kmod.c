/* kmod.c - module lookup from depmod's text indexes: the plan of what to
 * load for a name or alias (the modalias scan is kmod_scan.c, the loading
 * kmod_load.c).
 *
 * The *.bin tries are kmod's private format; the text files are what a
 * tiny loader can rely on. modules.dep lists each module's full transitive
 * dependency set; libkmod loads it in reverse order, then the module.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "base/base.h"
#include "archive/archive.h"
#include "kmod.h"

enum {
	MAX_FILE = 64 << 20,
	MAX_DEPTH = 32,
};

int kmod_read(const char *path, size_t max, struct kmod_buf *b)
{
	return fd_slurp_at(AT_FDCWD, path, max, &b->p, &b->len);
}

static void opt_index(struct kmod_ctx *k, const char *file, struct kmod_buf *b)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", k->dir, file);
	if (kmod_read(path, MAX_FILE, b) < 0)
		b->p = NULL; /* optional index: absent means empty */
}

int kmod_open(struct kmod_ctx *k, const char *basedir, const char *kver)
{
	struct utsname u;
	char path[4200];

	memset(k, 0, sizeof(*k));
	if (!kver) {
		if (uname(&u) < 0)
			return -1;
		kver = u.release;
	}
	snprintf(k->kver, sizeof(k->kver), "%s", kver);
	if (snprintf(k->dir, sizeof(k->dir), "%s/lib/modules/%s",
		     basedir ? basedir : "", kver) >= (int)sizeof(k->dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/modules.dep", k->dir);
	if (kmod_read(path, MAX_FILE, &k->dep) < 0)
		return -1;
	opt_index(k, "modules.alias", &k->alias);
	opt_index(k, "modules.builtin", &k->builtin);
	opt_index(k, "modules.builtin.alias", &k->builtin_alias);
	/* depmod writes modules.builtin.alias only as a .bin trie; the
	 * aliases of built-in modules are also in this NUL-separated list of
	 * "module.alias=pattern" records */
	if (!k->builtin_alias.p)
		opt_index(k, "modules.builtin.modinfo", &k->builtin_modinfo);
	return 0;
}

void kmod_close(struct kmod_ctx *k)
{
	free(k->dep.p);
	free(k->alias.p);
	free(k->builtin.p);
	free(k->builtin_alias.p);
	free(k->conf.p);
	free(k->builtin_modinfo.p);
	memset(k, 0, sizeof(*k));
}

void kmod_plan_reset(struct kmod_ctx *k)
{
	k->n_done = 0;
}

/* the length of the module file suffix n bytes of s end in, else 0 */
static size_t ko_suffix(const char *s, size_t n)
{
	static const char *const ext[] = {".ko.gz", ".ko.xz", ".ko.zst", ".ko"};
	size_t i, e;

	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		e = strlen(ext[i]);
		if (n > e && !memcmp(s + n - e, ext[i], e))
			return e;
	}
	return 0;
}

bool kmod_is_file(const char *name)
{
	return strchr(name, '/') || ko_suffix(name, strlen(name));
}

/* n bytes of s as a module name (see kmod.h) */
static void norm_n(const char *s, size_t n, char *out, size_t len)
{
	const char *slash;
	size_t i;

	slash = memrchr(s, '/', n);
	if (slash) {
		n -= (size_t)(slash + 1 - s);
		s = slash + 1;
	}
	n -= ko_suffix(s, n);
	if (n >= len)
		n = len - 1;
	for (i = 0; i < n; i++)
		out[i] = s[i] == '-' ? '_' : s[i];
	out[n] = '\0';
}

void kmod_norm(const char *in, char *out, size_t len)
{
	norm_n(in, strlen(in), out, len);
}

char *kmod_step_hard(const struct kmod_step *s)
{
	const char *c = s->deps, *end = s->deps + s->deps_len, *w;
	/* a name is never longer than its path */
	char *out = malloc(s->deps_len + 1), *o = out;

	if (!out)
		return NULL;
	while (c < end) {
		while (c < end && (*c == ' ' || *c == '\t'))
			c++;
		for (w = c; c < end && *c != ' ' && *c != '\t'; c++)
			;
		if (c == w)
			break;
		if (o != out)
			*o++ = ' ';
		norm_n(w, (size_t)(c - w), o, (size_t)(c - w) + 1);
		o += strlen(o);
	}
	*o = '\0';
	return out;
}

/* Aliases compare with '-' and '_' equal, except inside [...] classes
 * (libkmod's alias_normalize). */
void kmod_norm_alias(const char *s, size_t n, char *out, size_t len)
{
	size_t i;
	bool cls = false;

	if (n >= len)
		n = len - 1;
	for (i = 0; i < n; i++) {
		if (s[i] == '[')
			cls = true;
		else if (s[i] == ']')
			cls = false;
		out[i] = !cls && s[i] == '-' ? '_' : s[i];
	}
	out[n] = '\0';
}

/* Lines of an index: calls fn(line, len); stops at a non-zero result. */
static int each_line(const struct kmod_buf *b,
		     int (*fn)(const char *l, size_t n, void *arg), void *arg)
{
	const char *s, *nl, *end;
	int rc;

	if (!b->p)
		return 0;
	end = b->p + b->len;
	for (s = b->p; s < end; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		if (nl > s && *s != '#') {
			rc = fn(s, (size_t)(nl - s), arg);
			if (rc)
				return rc;
		}
	}
	return 0;
}

struct find {
	const char *name;
	const char *line;
	size_t n;
};

static int dep_match(const char *l, size_t n, void *arg)
{
	struct find *f = arg;
	const char *colon = memchr(l, ':', n);
	char m[64];

	if (!colon)
		return 0;
	norm_n(l, (size_t)(colon - l), m, sizeof(m));
	if (strcmp(m, f->name))
		return 0;
	f->line = l;
	f->n = n;
	return 1;
}

static int builtin_match(const char *l, size_t n, void *arg)
{
	struct find *f = arg;
	char m[64];

	norm_n(l, n, m, sizeof(m));
	return !strcmp(m, f->name);
}

static bool done(struct kmod_ctx *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->n_done; i++)
		if (!strcmp(k->done[i], name))
			return true;
	return false;
}

static int mark(struct kmod_ctx *k, const char *name)
{
	if (k->n_done == KMOD_MAX_PLAN) {
		errno = E2BIG;
		return -1;
	}
	snprintf(k->done[k->n_done++], sizeof(k->done[0]), "%s", name);
	return 0;
}

struct plan {
	struct kmod_ctx *k;
	kmod_step_fn fn;
	void *arg;
	int depth;
	const char *after; /* planning the softdep post: of this module */
	/* the alias the name asked for resolved through, and the depth
	 * its modules are planned at: they get its options too */
	const char *alias;
	int alias_depth;
};

static int plan_name(struct plan *p, const char *name, const char *params);

/* Whether module NAME, found through an alias (ALIAS) or by its name, is
 * not to be loaded */
static bool blacklisted(const struct kmod_ctx *k, const char *name, bool alias)
{
	const char *at = NULL;
	size_t n;

	if (k->bl_off || (!alias && !k->bl_names))
		return false;
	return kmod_conf_next(k, "blacklist", name, false, &at, &n) != NULL;
}

/* the first configured "softdep" whose pattern matches the module, as
 * kmod (and module-init-tools) take it */
struct soft {
	char pre[256], post[256]; /* names, normalised, blank-separated */
};

static void softdeps(const struct kmod_ctx *k, const char *name,
		     struct soft *s)
{
	const char *at = NULL, *v, *end, *w;
	char m[64], *list = NULL;
	size_t n, wl, used;

	v = kmod_conf_next(k, "softdep", name, true, &at, &n);
	if (!v)
		return;
	for (end = v + n; v < end; v = w + wl) {
		w = v + strspn(v, " ");
		wl = strcspn(w, " \n");
		if (!wl)
			break;
		if (wl == 4 && !memcmp(w, "pre:", 4)) {
			list = s->pre;
		} else if (wl == 5 && !memcmp(w, "post:", 5)) {
			list = s->post;
		} else if (list) {
			norm_n(w, wl, m, sizeof(m));
			used = strlen(list);
			if (used + strlen(m) + 2 <= sizeof(s->pre))
				snprintf(list + used, sizeof(s->pre) - used,
					 "%s%s", used ? " " : "", m);
		}
	}
}

/* The names of a softdep list, each a module or an alias; a missing one
 * is not an error, nor one whose name no module or alias can have */
static int plan_soft(struct plan *p, const char *list)
{
	char w[64];
	size_t n;
	int rc;

	for (; (n = strcspn(list, " ")); list += n + (list[n] == ' ')) {
		snprintf(w, sizeof(w), "%.*s", (int)n, list);
		rc = plan_name(p, w, NULL);
		if (rc && !(rc == -1 && (errno == ENOENT || errno == ENAMETOOLONG)))
			return rc;
	}
	return 0;
}

/* NAME's step, after what it needs (F: its modules.dep line): the
 * install command configured for it, unless it has softdeps (kmod then
 * ignores the command), else the load of its file */
static int plan_step(struct plan *p, const char *name, const char *params,
		     const struct find *f, const struct soft *s)
{
	struct kmod_ctx *k = p->k;
	const char *end = f->line + f->n, *at = NULL, *cmd = NULL;
	const char *colon = (const char *)memchr(f->line, ':', f->n) + 1;
	size_t len = (size_t)(colon - 1 - f->line);
	char path[4200], soft[320], *opts;
	int rc;

	/* a post: module waits for the module that wants it (with -j) */
	snprintf(soft, sizeof(soft), "%s%s%s", s->pre,
		 *s->pre && p->after ? " " : "", p->after ? p->after : "");
	/* kmod runs the install command unless a softdep names modules:
	 * an empty "softdep NAME pre:" leaves it in force */
	if (!*s->pre && !*s->post && !k->no_cmds)
		cmd = kmod_conf_next(k, "install", name, true, &at, &len);
	if (cmd)
		snprintf(path, sizeof(path), "%.*s", (int)len, cmd);
	else if (f->line[0] == '/')
		snprintf(path, sizeof(path), "%.*s", (int)len, f->line);
	else
		snprintf(path, sizeof(path), "%s/%.*s", k->dir, (int)len,
			 f->line);
	opts = kmod_conf_options(k, name,
				 p->depth == p->alias_depth ? p->alias : NULL,
				 params);
	if (!opts)
		return -1;
	struct kmod_step st = {
	    .what = cmd ? KMOD_INSTALL : KMOD_LOAD,
	    .name = name,
	    .path = path,
	    .params = opts,
	    .top = p->depth == 1,
	    .deps = colon,
	    .deps_len = (size_t)(end - colon),
	    .soft = soft,
	};
	rc = p->fn(p->arg, &st);
	free(opts);
	return rc;
}

/* a name without a module file: a built-in module, or a configured
 * install command (kmod runs it), else ENOENT */
static int plan_other(struct plan *p, const char *name, const char *params)
{
	struct kmod_ctx *k = p->k;
	struct find f = {.name = name};
	struct soft s = {0};
	const char *at = NULL;
	size_t n;

	if (each_line(&k->builtin, builtin_match, &f)) {
		struct kmod_step st = {
		    .what = KMOD_BUILTIN, .name = name, .top = p->depth == 1};

		return mark(k, name) < 0 ? -1 : p->fn(p->arg, &st);
	}
	if (k->no_cmds || !kmod_conf_next(k, "install", name, true, &at, &n)) {
		errno = ENOENT;
		return -1;
	}
	f.line = ":";
	f.n = 1;
	return mark(k, name) < 0 ? -1 : plan_step(p, name, params, &f, &s);
}

static int plan_module(struct plan *p, const char *name, const char *params)
{
	struct kmod_ctx *k = p->k;
	struct find f = {.name = name};
	struct soft s = {0};
	const char *deps[KMOD_MAX_PLAN], *c, *end;
	size_t nd = 0, i, len;
	char m[64];
	int rc;

	if (done(k, name))
		return 0;
	if (++p->depth > MAX_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	if (!each_line(&k->dep, dep_match, &f)) {
		rc = plan_other(p, name, params);
		goto out;
	}
	rc = mark(k, name);
	if (rc)
		goto out;
	end = f.line + f.n;
	c = (const char *)memchr(f.line, ':', f.n) + 1;
	while (c < end && nd < KMOD_MAX_PLAN) {
		while (c < end && (*c == ' ' || *c == '\t'))
			c++;
		if (c < end)
			deps[nd++] = c;
		while (c < end && *c != ' ' && *c != '\t')
			c++;
	}
	for (i = nd; i-- > 0;) {
		for (len = 0; deps[i] + len < end && deps[i][len] != ' ' &&
			      deps[i][len] != '\t';
		     len++)
			;
		norm_n(deps[i], len, m, sizeof(m));
		rc = plan_module(p, m, NULL);
		if (rc)
			goto out;
	}
	softdeps(k, name, &s);
	rc = plan_soft(p, s.pre);
	if (!rc)
		rc = plan_step(p, name, params, &f, &s);
	if (!rc) {
		const char *was = p->after;

		p->after = name;
		rc = plan_soft(p, s.post);
		p->after = was;
	}
out:
	p->depth--;
	return rc;
}

struct amatch {
	struct plan *p;
	char name[512]; /* the alias asked for, normalised; as pn below */
	const char *params;
	bool builtin_index;
	int found, rc;
	const char *outer; /* the plan's alias before this one (via_alias) */
	int outer_depth;
};

/* A modules.alias line "alias PATTERN MODULE": PATTERN (l + 6, *pl bytes)
 * and the blank after it, or NULL for any other line. */
static const char *alias_split(const char *l, size_t n, size_t *pl)
{
	const char *mod;

	if (n < 7 || memcmp(l, "alias ", 6))
		return NULL;
	mod = memchr(l + 6, ' ', n - 6);
	if (mod)
		*pl = (size_t)(mod - (l + 6));
	return mod;
}

static int alias_line(const char *l, size_t n, void *arg)
{
	struct amatch *a = arg;
	const char *pat, *mod, *end = l + n;
	char pn[512], m[64];
	size_t pl, i;

	mod = alias_split(l, n, &pl);
	if (!mod)
		return 0;
	pat = l + 6;
	/* cheap test of the literal prefix before the glob; a line may hold
	 * a NUL byte where the name ends, so the name's buffer bounds it */
	for (i = 0; i < pl && i < sizeof(a->name) && pat[i] != '*' &&
		    pat[i] != '?' && pat[i] != '[';
	     i++) {
		char pc = pat[i] == '-' ? '_' : pat[i];

		if (pc != a->name[i])
			return 0;
	}
	kmod_norm_alias(pat, pl, pn, sizeof(pn));
	if (!match_glob(pn, a->name))
		return 0;
	while (mod < end && *mod == ' ')
		mod++;
	norm_n(mod, (size_t)(end - mod), m, sizeof(m));
	a->found++;
	if (a->builtin_index) {
		if (done(a->p->k, m))
			return 0;
		if (mark(a->p->k, m) < 0) {
			a->rc = -1;
			return 1;
		}
		struct kmod_step st = {.what = KMOD_BUILTIN, .name = m};

		a->rc = a->p->fn(a->p->arg, &st);
	} else if (a->p->depth || !blacklisted(a->p->k, m, true)) {
		a->rc = plan_module(a->p, m, a->params);
	}
	return a->rc != 0;
}

/* "module.alias=pattern" records of modules.builtin.modinfo, fed to
 * alias_line as "alias pattern module" lines */
static void modinfo_aliases(struct amatch *a)
{
	const struct kmod_buf *b = &a->p->k->builtin_modinfo;
	const char *r, *end, *dot, *eq;
	char line[512];
	int n;

	if (!b->p)
		return;
	end = b->p + b->len;
	for (r = b->p; r < end && !a->rc; r += strlen(r) + 1) {
		dot = strchr(r, '.');
		if (!dot || strncmp(dot, ".alias=", 7))
			continue;
		eq = dot + 6;
		n = snprintf(line, sizeof(line), "alias %s %.*s", eq + 1,
			     (int)(dot - r), r);
		if (n > 0 && (size_t)n < sizeof(line))
			(void)alias_line(line, (size_t)n, a); /* sets a->rc */
	}
}

/* Whether NAME is a module, a built-in one or an install command. */
static bool known(const struct kmod_ctx *k, const char *name)
{
	struct find f = {.name = name};
	const char *at = NULL;
	size_t n;

	return each_line(&k->dep, dep_match, &f) ||
	       each_line(&k->builtin, builtin_match, &f) ||
	       (!k->no_cmds && kmod_conf_next(k, "install", name, true, &at, &n));
}

/* The modules of the configured aliases matching NAME (normalised), in
 * the configuration's order; *FOUND counts them, blacklisted or not. A
 * module the tree lacks is a KMOD_MISSING step, as kmod plans it and
 * fails only its load; the others are still planned. */
static int conf_alias(struct plan *p, const char *name, const char *params,
		      int *found)
{
	const char *at = NULL, *mod;
	size_t n;
	char m[64];
	int rc;

	while ((mod = kmod_conf_next(p->k, "alias", name, true, &at, &n))) {
		norm_n(mod, n, m, sizeof(m));
		++*found;
		if (!p->depth && blacklisted(p->k, m, true))
			continue;
		if (!known(p->k, m)) {
			struct kmod_step st = {.what = KMOD_MISSING,
					       .name = m,
					       .path = name,
					       .params = "",
					       .soft = "",
					       .top = !p->depth};

			rc = p->fn(p->arg, &st);
		} else {
			rc = plan_module(p, m, params);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* While the name asked for resolves through an alias, the modules it
 * names get the alias's options too ("options eth0 ..." for "alias eth0
 * e1000"), as kmod gives them; the outer alias is kept for later. */
static void via_alias(struct plan *p, struct amatch *a, bool on)
{
	if (on) {
		a->outer = p->alias;
		a->outer_depth = p->alias_depth;
		p->alias = a->name;
		p->alias_depth = p->depth + 1;
	} else {
		p->alias = a->outer;
		p->alias_depth = a->outer_depth;
	}
}

static int plan_name(struct plan *p, const char *name, const char *params)
{
	struct amatch a = {.p = p, .params = params};
	struct kmod_ctx *k = p->k;
	const char *at = NULL;
	struct find f;
	size_t n;
	char m[64];

	/* cut short, it would match the patterns of another name */
	if (strlen(name) >= sizeof(a.name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	kmod_norm_alias(name, strlen(name), a.name, sizeof(a.name));
	/* a configured alias comes first, even before a module's name */
	via_alias(p, &a, true);
	a.rc = conf_alias(p, a.name, params, &a.found);
	via_alias(p, &a, false);
	if (a.rc || a.found)
		return a.rc;
	kmod_norm(name, m, sizeof(m));
	f.name = m;
	at = NULL;
	/* kmod's order: a module, an install command, modules.alias, then
	 * built-in modules (the aliases crc32 has beat built-in crc32) */
	if (!strchr(name, ':') && !strchr(name, '*') &&
	    (each_line(&k->dep, dep_match, &f) ||
	     (!k->no_cmds && kmod_conf_next(k, "install", m, true, &at, &n))))
		return !p->depth && blacklisted(k, m, false)
			   ? 0
			   : plan_module(p, m, params);
	via_alias(p, &a, true);
	(void)each_line(&k->alias, alias_line, &a); /* result in a.rc */
	via_alias(p, &a, false);
	if (!a.rc && !a.found && !strchr(name, ':') && !strchr(name, '*') &&
	    each_line(&k->builtin, builtin_match, &f))
		return plan_module(p, m, params);
	if (!a.rc && !a.found) {
		a.builtin_index = true;
		(void)each_line(&k->builtin_alias, alias_line, &a);
	}
	if (!a.rc && !a.found)
		modinfo_aliases(&a);
	if (a.rc)
		return a.rc;
	if (!a.found) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

int kmod_plan(struct kmod_ctx *k, const char *name, const char *params,
	      kmod_step_fn fn, void *arg)
{
	struct plan p = {.k = k, .fn = fn, .arg = arg};

	/* kmod_norm would make ./x.ko the tree's x: another file than the
	 * one named, which may not even exist */
	if (kmod_is_file(name)) {
		errno = EISDIR;
		return -1;
	}
	return plan_name(&p, name, params);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the first of the sorted v[0..n) whose first lp bytes are >= pre's */
static size_t lower_bound(char *const *v, size_t n, const char *pre, size_t lp)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strncmp(v[mid], pre, lp) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct batch {
	char **dev; /* the aliases asked for, normalised, sorted */
	size_t n;
	char (*mod)[64]; /* modules matched, in modules.alias's order */
	size_t nmod, cap;
	int err;
};

/* One "alias PATTERN MODULE" line against every device: the devices that
 * share the pattern's literal prefix are one range of the sorted list, so
 * only those meet the glob. */
static int batch_line(const char *l, size_t n, void *arg)
{
	struct batch *b = arg;
	const char *pat, *mod, *end = l + n;
	char pn[512], m[64];
	size_t pl, lp, i, j;
	bool hit = false;

	mod = alias_split(l, n, &pl);
	if (!mod)
		return 0;
	pat = l + 6;
	if (pl >= sizeof(pn))
		return 0; /* longer than any device's modalias read */
	kmod_norm_alias(pat, pl, pn, sizeof(pn));
	lp = strcspn(pn, "*?[");
	for (i = lower_bound(b->dev, b->n, pn, lp);
	     !hit && i < b->n && !strncmp(b->dev[i], pn, lp); i++)
		hit = match_glob(pn, b->dev[i]);
	if (!hit)
		return 0;
	while (mod < end && *mod == ' ')
		mod++;
	norm_n(mod, (size_t)(end - mod), m, sizeof(m));
	for (j = 0; j < b->nmod; j++)
		if (!strcmp(b->mod[j], m))
			return 0;
	if (array_grow(&b->mod, &b->cap, b->nmod, sizeof(*b->mod)) < 0) {
		b->err = errno;
		return 1;
	}
	memcpy(b->mod[b->nmod++], m, sizeof(m));
	return 0;
}

int kmod_plan_aliases(struct kmod_ctx *k, char *const *aliases, size_t n,
		      kmod_step_fn fn, void *arg)
{
	struct plan p = {.k = k, .fn = fn, .arg = arg};
	struct batch b = {0};
	char buf[512];
	size_t i;
	int rc = 0, r, e = 0, found;

	b.dev = calloc(n ? n : 1, sizeof(char *));
	if (!b.dev)
		return -1;
	for (i = 0; i < n; i++) {
		kmod_norm_alias(aliases[i], strlen(aliases[i]), buf, sizeof(buf));
		/* a device a configured alias matches is that alias's alone,
		 * as kmod looks it up (alias pci:v000010DE* nvidia) */
		found = 0;
		r = conf_alias(&p, buf, NULL, &found);
		if (r == -1 && errno == ENOENT)
			r = 0; /* its module is missing: as a stale index */
		if (r && !rc) {
			rc = r;
			e = errno;
		}
		if (found)
			continue;
		b.dev[b.n] = strdup(buf);
		if (!b.dev[b.n]) {
			b.err = errno;
			goto out;
		}
		b.n++;
	}
	qsort(b.dev, b.n, sizeof(char *), cmp_str);
	(void)each_line(&k->alias, batch_line, &b); /* result in b.err */
	for (i = 0; !b.err && i < b.nmod; i++) {
		if (blacklisted(k, b.mod[i], true))
			continue; /* as udev's modprobe -b: never coldplugged */
		r = plan_module(&p, b.mod[i], NULL);
		/* in modules.alias but not in modules.dep: a stale index */
		if (r == -1 && errno == ENOENT)
			continue;
		if (r == -1)
			e = errno;
		if (r && !rc)
			rc = r;
	}
out:
	for (i = 0; i < b.n; i++)
		free(b.dev[i]);
	free(b.dev);
	free(b.mod);
	if (b.err) {
		errno = b.err;
		return -1;
	}
	if (rc == -1)
		errno = e;
	return rc;
}
