/* kmod.c - module lookup from depmod's text indexes, and module loading.
 *
 * The *.bin tries are kmod's private format; the text files are what a
 * tiny loader can rely on. modules.dep lists each module's full transitive
 * dependency set; libkmod loads it in reverse order, then the module.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "initbox.h"
#include "codec.h"

enum {
	MAX_FILE = 64 << 20,
	MAX_MODULE = 256 << 20,
	MAX_DEPTH = 32,
	MAX_DEVS = 4096, /* modalias strings: more than any machine has */
	MAX_SYS_DEPTH = 24,
};

static int read_all(const char *path, size_t max, struct kmod_buf *b)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd, e;

	b->p = NULL;
	b->len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if ((uint64_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	b->p = malloc((size_t)st.st_size + 1);
	if (!b->p)
		goto fail;
	while (got < (size_t)st.st_size) {
		n = read(fd, b->p + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	b->p[got] = '\0';
	b->len = got;
	(void)close(fd); /* read-only */
	return 0;
fail:
	e = errno;
	free(b->p);
	b->p = NULL;
	(void)close(fd); /* already failing */
	errno = e;
	return -1;
}

static void opt_index(struct kmod_ctx *k, const char *file, struct kmod_buf *b)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", k->dir, file);
	if (read_all(path, MAX_FILE, b) < 0)
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
	if (read_all(path, MAX_FILE, &k->dep) < 0)
		return -1;
	opt_index(k, "modules.alias", &k->alias);
	opt_index(k, "modules.builtin", &k->builtin);
	opt_index(k, "modules.builtin.alias", &k->builtin_alias);
	opt_index(k, "modules.softdep", &k->softdep);
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
	free(k->softdep.p);
	free(k->builtin_modinfo.p);
	memset(k, 0, sizeof(*k));
}

void kmod_plan_reset(struct kmod_ctx *k)
{
	k->n_done = 0;
}

/* n bytes of s as a module name (see kmod.h) */
static void norm_n(const char *s, size_t n, char *out, size_t len)
{
	static const char *const ext[] = {".ko.gz", ".ko.xz", ".ko.zst", ".ko"};
	const char *slash;
	size_t i, e;

	slash = memrchr(s, '/', n);
	if (slash) {
		n -= (size_t)(slash + 1 - s);
		s = slash + 1;
	}
	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		e = strlen(ext[i]);
		if (n > e && !memcmp(s + n - e, ext[i], e)) {
			n -= e;
			break;
		}
	}
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

/* Aliases compare with '-' and '_' equal, except inside [...] classes
 * (libkmod's alias_normalize). */
static void alias_norm(const char *s, size_t n, char *out, size_t len)
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
};

static int plan_name(struct plan *p, const char *name, const char *params);

/* the "pre:" list of "softdep MOD pre: a b post: c" */
struct soft {
	struct plan *p;
	const char *mod;
	int rc;
	char pre[256]; /* the pre: names, normalised, blank-separated */
};

static int soft_line(const char *l, size_t n, void *arg)
{
	struct soft *s = arg;
	char buf[1024], m[64], *tok, *save;
	bool pre = false;
	int rc;

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, l, n);
	buf[n] = '\0';
	tok = strtok_r(buf, " \t", &save);
	if (!tok || strcmp(tok, "softdep"))
		return 0;
	tok = strtok_r(NULL, " \t", &save);
	if (!tok)
		return 0;
	kmod_norm(tok, m, sizeof(m));
	if (strcmp(m, s->mod))
		return 0;
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (!strcmp(tok, "pre:"))
			pre = true;
		else if (!strcmp(tok, "post:"))
			pre = false;
		else if (pre) {
			size_t used = strlen(s->pre);

			kmod_norm(tok, m, sizeof(m));
			if (used + strlen(m) + 2 <= sizeof(s->pre))
				snprintf(s->pre + used, sizeof(s->pre) - used,
					 "%s%s", used ? " " : "", m);
			/* a missing soft dependency is not an error */
			rc = plan_name(s->p, tok, NULL);
			if (rc && !(rc == -1 && errno == ENOENT)) {
				s->rc = rc;
				return 1;
			}
		}
	}
	return 0;
}

static int plan_module(struct plan *p, const char *name, const char *params)
{
	struct kmod_ctx *k = p->k;
	struct find f = {.name = name};
	struct soft s = {.p = p, .mod = name};
	const char *deps[KMOD_MAX_PLAN], *c, *end;
	size_t nd = 0, i, len;
	char path[4200], m[64];
	int rc;

	if (done(k, name))
		return 0;
	if (++p->depth > MAX_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	rc = 0;
	if (!each_line(&k->dep, dep_match, &f)) {
		if (each_line(&k->builtin, builtin_match, &f)) {
			struct kmod_step st = {.what = KMOD_BUILTIN,
					       .name = name};

			if (mark(k, name) < 0)
				rc = -1;
			else
				rc = p->fn(p->arg, &st);
		} else {
			errno = ENOENT;
			rc = -1;
		}
		goto out;
	}
	if (mark(k, name) < 0) {
		rc = -1;
		goto out;
	}
	(void)each_line(&k->softdep, soft_line, &s); /* result in s.rc */
	if (s.rc) {
		rc = s.rc;
		goto out;
	}
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
	len = (size_t)((const char *)memchr(f.line, ':', f.n) - f.line);
	if (f.line[0] == '/')
		snprintf(path, sizeof(path), "%.*s", (int)len, f.line);
	else
		snprintf(path, sizeof(path), "%s/%.*s", k->dir, (int)len,
			 f.line);
	{
		const char *colon = (const char *)memchr(f.line, ':', f.n) + 1;
		struct kmod_step st = {
		    .what = KMOD_LOAD,
		    .name = name,
		    .path = path,
		    .params = params,
		    .deps = colon,
		    .deps_len = (size_t)(end - colon),
		    .soft = s.pre,
		};

		rc = p->fn(p->arg, &st);
	}
out:
	p->depth--;
	return rc;
}

struct amatch {
	struct plan *p;
	char name[256]; /* the alias asked for, normalised */
	const char *params;
	bool builtin_index;
	int found, rc;
};

static int alias_line(const char *l, size_t n, void *arg)
{
	struct amatch *a = arg;
	const char *pat, *mod, *end = l + n;
	char pn[512], m[64];
	size_t pl, i;

	if (n < 7 || memcmp(l, "alias ", 6))
		return 0;
	pat = l + 6;
	mod = memchr(pat, ' ', (size_t)(end - pat));
	if (!mod)
		return 0;
	pl = (size_t)(mod - pat);
	/* cheap test of the literal prefix before the glob */
	for (i = 0; i < pl && pat[i] != '*' && pat[i] != '?' && pat[i] != '[';
	     i++) {
		char pc = pat[i] == '-' ? '_' : pat[i];

		if (pc != a->name[i])
			return 0;
	}
	alias_norm(pat, pl, pn, sizeof(pn));
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
	} else {
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

static int plan_name(struct plan *p, const char *name, const char *params)
{
	struct amatch a = {.p = p, .params = params};
	struct find f;
	char m[64];

	kmod_norm(name, m, sizeof(m));
	f.name = m;
	if (!strchr(name, ':') && !strchr(name, '*') &&
	    (each_line(&p->k->dep, dep_match, &f) ||
	     each_line(&p->k->builtin, builtin_match, &f)))
		return plan_module(p, m, params);
	alias_norm(name, strlen(name), a.name, sizeof(a.name));
	(void)each_line(&p->k->alias, alias_line, &a); /* result in a.rc */
	if (!a.rc && !a.found) {
		a.builtin_index = true;
		(void)each_line(&p->k->builtin_alias, alias_line, &a);
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
	char pn[512], m[64], (*t)[64];
	size_t pl, lp, i, j;
	bool hit = false;

	if (n < 7 || memcmp(l, "alias ", 6))
		return 0;
	pat = l + 6;
	mod = memchr(pat, ' ', (size_t)(end - pat));
	if (!mod)
		return 0;
	pl = (size_t)(mod - pat);
	if (pl >= sizeof(pn))
		return 0; /* longer than any device's modalias read */
	alias_norm(pat, pl, pn, sizeof(pn));
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
	if (b->nmod == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		t = realloc(b->mod, b->cap * sizeof(*t));
		if (!t) {
			b->err = errno;
			return 1;
		}
		b->mod = t;
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
	int rc = 0, r, e = 0;

	b.dev = calloc(n ? n : 1, sizeof(char *));
	if (!b.dev)
		return -1;
	for (i = 0; i < n; i++) {
		alias_norm(aliases[i], strlen(aliases[i]), buf, sizeof(buf));
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

void kmod_strs_free(struct kmod_strs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int strs_add(struct kmod_strs *s, const char *str)
{
	char **t;

	if (s->n == MAX_DEVS)
		return 0; /* more devices than any initramfs needs */
	if (!(s->n & 63)) {
		t = realloc(s->v, (s->n + 64) * sizeof(*t));
		if (!t)
			return -1;
		s->v = t;
	}
	s->v[s->n] = strdup(str);
	if (!s->v[s->n])
		return -1;
	s->n++;
	return 0;
}

/* the file REL below dirfd, if it exists and is not empty */
static int read_modalias(int dirfd, const char *rel, struct kmod_strs *all)
{
	char buf[512];
	ssize_t n;
	int fd;

	fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* a device without a modalias */
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd); /* read-only sysfs file */
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return *buf ? strs_add(all, buf) : 0;
}

/* every modalias file below dirfd (which this call closes): for a sysfs
 * without /sys/bus, where the devices are only in the /sys/devices tree */
static int walk_devices(int dirfd, int depth, struct kmod_strs *all)
{
	struct dirent *d;
	DIR *dir;
	int fd, rc;

	rc = read_modalias(dirfd, "modalias", all);
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
			rc = walk_devices(fd, depth + 1, all);
	}
	(void)closedir(dir); /* directory stream: nothing to flush */
	return rc;
}

/* BUS/devices/DEV/modalias for every bus below busfd (closed here): each
 * device once, where /sys/devices holds it deep in its parent's tree */
static int scan_bus(int busfd, struct kmod_strs *all)
{
	struct dirent *b, *d;
	DIR *bus, *devs;
	char rel[600];
	int fd, rc = 0;

	bus = fdopendir(busfd);
	if (!bus) {
		(void)close(busfd); /* already failing */
		return -1;
	}
	while (rc == 0 && (b = readdir(bus))) {
		if (b->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "%s/devices", b->d_name);
		fd = openat(busfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue; /* not a bus directory */
		devs = fdopendir(fd);
		if (!devs) {
			(void)close(fd); /* unreadable: skipped */
			continue;
		}
		while (rc == 0 && (d = readdir(devs))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(rel, sizeof(rel), "%s/modalias", d->d_name);
			rc = read_modalias(fd, rel, all);
		}
		(void)closedir(devs); /* directory stream: nothing to flush */
	}
	(void)closedir(bus); /* directory stream: nothing to flush */
	return rc;
}

int kmod_scan(const char *sysfs, struct kmod_strs *seen,
	      struct kmod_strs *fresh, const char **step)
{
	struct kmod_strs all = {0};
	char path[4200];
	size_t i;
	int fd, rc, e;

	kmod_strs_free(fresh);
	if (!sysfs)
		sysfs = "/sys";
	snprintf(path, sizeof(path), "%s/bus", sysfs);
	*step = "open bus";
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		return -1;
	if (fd >= 0) {
		*step = "read bus";
		rc = scan_bus(fd, &all);
	} else {
		snprintf(path, sizeof(path), "%s/devices", sysfs);
		*step = "open devices";
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		*step = "read devices";
		rc = walk_devices(fd, 0, &all);
	}
	if (rc == 0 && all.n)
		qsort(all.v, all.n, sizeof(char *), cmp_str);
	for (i = 0; rc == 0 && i < all.n; i++) {
		if (i && !strcmp(all.v[i], all.v[i - 1]))
			continue;
		if (seen->n && bsearch(&all.v[i], seen->v, seen->n,
				       sizeof(char *), cmp_str))
			continue;
		rc = strs_add(fresh, all.v[i]);
	}
	for (i = 0; rc == 0 && i < fresh->n; i++)
		rc = strs_add(seen, fresh->v[i]);
	if (rc == 0 && seen->n)
		qsort(seen->v, seen->n, sizeof(char *), cmp_str);
	e = errno;
	kmod_strs_free(&all);
	if (rc < 0) {
		errno = e;
		return -1;
	}
	return (int)fresh->n;
}

bool kmod_loaded(const char *name)
{
	char path[128], buf[32];
	struct kmod_buf b;
	size_t n = strlen(name);
	const char *s;
	ssize_t r;
	bool yes = false;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		r = read(fd, buf, sizeof(buf) - 1);
		(void)close(fd); /* read-only sysfs file */
		buf[r > 0 ? r : 0] = '\0';
		return !strncmp(buf, "live", 4) || !strncmp(buf, "coming", 6);
	}
	if (read_all("/proc/modules", MAX_FILE, &b) < 0)
		return false;
	for (s = b.p; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
		if (!strncmp(s, name, n) && s[n] == ' ') {
			yes = true;
			break;
		}
	free(b.p);
	return yes;
}

/* the whole file, decompressed when it is gzip, xz or zstd */
static int load_image(int fd, enum codec_id id, uint8_t **out, size_t *outlen,
		      const char **step)
{
	struct codec_dec d;
	struct kmod_buf in;
	const uint8_t *ip;
	size_t il, cap = 0, len = 0, room;
	uint8_t *o = NULL, *t;
	char path[64];
	int rc, err;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	*step = "read";
	if (read_all(path, MAX_MODULE, &in) < 0)
		return -1;
	if (id == CODEC_NONE) {
		*out = (uint8_t *)in.p;
		*outlen = in.len;
		return 0;
	}
	*step = "decompress";
	if (codec_dec_init(&d, id) < 0) {
		free(in.p);
		return -1;
	}
	ip = (const uint8_t *)in.p;
	il = in.len;
	err = EBADMSG; /* corrupt or truncated unless said otherwise */
	do {
		if (cap - len < 65536 && cap < MAX_MODULE) {
			size_t want = cap ? cap * 2 : in.len * 4 + 65536;

			/* Grow up to the cap, not past it: a module between
			 * half the cap and the cap still fits. */
			if (want > MAX_MODULE)
				want = MAX_MODULE;
			t = realloc(o, want);
			if (!t) {
				err = ENOMEM;
				rc = -1;
				break;
			}
			o = t;
			cap = want;
		}
		if (cap == len) {
			err = EFBIG;
			rc = -1;
			break;
		}
		room = cap - len;
		rc = codec_dec_run(&d, &ip, &il, o + len, &room);
		if (rc < 0) {
			/* The codec's own phrase says more than "corrupt":
			 * e.g. an xz CRC64 check, which the kernel's own
			 * module decompressor refuses too. */
			err = errno;
			if (d.err)
				*step = d.err;
		}
		len += room;
		if (rc == 0 && !il && !room) {
			rc = -1; /* truncated stream: no input, no progress */
			break;
		}
	} while (rc == 0);
	codec_dec_end(&d);
	free(in.p);
	if (rc < 0) {
		errno = err;
		free(o);
		return -1;
	}
	*out = o;
	*outlen = len;
	return 0;
}

/* the codec named in /sys/module/compression (kernel >= 5.17 with
 * CONFIG_MODULE_DECOMPRESS), CODEC_NONE when absent */
static enum codec_id kernel_codec(void)
{
	char buf[16];
	ssize_t n;
	int fd;

	fd = open("/sys/module/compression", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return CODEC_NONE;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd); /* read-only sysfs file */
	if (n <= 0)
		return CODEC_NONE;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return codec_by_name(buf);
}

int kmod_load(const char *path, const char *params, const char **step)
{
	uint8_t head[8], *img = NULL;
	enum codec_id id = CODEC_NONE;
	size_t len;
	ssize_t n;
	long rc;
	int fd, e;

	if (!params)
		params = "";
	*step = "open";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	*step = "read";
	n = pread(fd, head, sizeof(head), 0);
	if (n < 0)
		goto fail;
	if (n >= 2)
		id = codec_detect(head, (size_t)n);
	if (id != CODEC_NONE && id != CODEC_GZIP && id != CODEC_XZ &&
	    id != CODEC_ZSTD)
		id = CODEC_NONE; /* an ELF file is never "compressed" */
	*step = "finit_module";
	if (id == CODEC_NONE)
		rc = syscall(SYS_finit_module, fd, params, 0);
	else if (kernel_codec() == id)
		rc = syscall(SYS_finit_module, fd, params,
			     MODULE_INIT_COMPRESSED_FILE);
	else {
		rc = -1;
		errno = ENOSYS; /* decompress here */
	}
	if (rc < 0 &&
	    (errno == ENOSYS ||
	     (id != CODEC_NONE && (errno == EINVAL || errno == EOPNOTSUPP)))) {
		if (load_image(fd, id, &img, &len, step) < 0)
			goto fail;
		*step = "init_module";
		rc = syscall(SYS_init_module, img, (unsigned long)len, params);
		e = errno;
		free(img);
		errno = e;
	}
	if (rc < 0 && errno != EEXIST)
		goto fail;
	(void)close(fd); /* read-only */
	return 0;
fail:
	e = errno;
	(void)close(fd); /* already failing */
	errno = e;
	return -1;
}

const char *kmod_strerror(int err)
{
	switch (err) {
	case ENOEXEC:
		return "invalid module format (built for another kernel?)";
	case ENOENT:
		return "unknown symbol or parameter in module (see dmesg)";
	case EKEYREJECTED:
		return "module signature rejected";
	case ENODEV:
		return "no such device";
	default:
		return strerror(err);
	}
}
