/* kmod_conf.c - the module configuration as kmod 30 reads it (see kmod.h):
 * modprobe.d files, modules.softdep and the kernel command line, kept as
 * canonical text lines in k->conf for kmod.c and modprobe to scan.
 *
 * Like libkmod: files are merged by name across the directories (the
 * first directory holding a name wins: /etc overrides /lib), then read in
 * name order; a line ending in '\' goes on on the next; names have '-'
 * and '_' alike; the kernel command line comes after the files.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "archive/archive.h"
#include "kmod.h"

enum {
	MAX_CONF = 1 << 20, /* one file; /proc/cmdline is at most 4 KiB */
	MAX_FILES = 512,
	MAX_LINE = 4096,
};

static const char *const default_paths[] = {
    "/etc/modprobe.d",	   "/run/modprobe.d", "/usr/local/lib/modprobe.d",
    "/usr/lib/modprobe.d", "/lib/modprobe.d", NULL,
};

struct grow {
	struct kmod_buf *b;
	size_t cap;
	int err;
};

static void put(struct grow *g, const char *s, size_t n)
{
	char *t;

	if (g->err)
		return;
	if (g->b->len + n + 1 > g->cap) {
		g->cap = (g->b->len + n + 1) * 2;
		t = realloc(g->b->p, g->cap);
		if (!t) {
			g->err = ENOMEM;
			return;
		}
		g->b->p = t;
	}
	memcpy(g->b->p + g->b->len, s, n);
	g->b->len += n;
	g->b->p[g->b->len] = '\0';
}

/* "WHAT NAME" with NAME (N bytes) normalised */
static void put_head(struct grow *g, const char *what, const char *name,
		     size_t n)
{
	char m[256];

	kmod_norm_alias(name, n, m, sizeof(m));
	put(g, what, strlen(what));
	put(g, " ", 1);
	put(g, m, strlen(m));
}

static const char *word(const char **s, size_t *n)
{
	const char *w = *s + strspn(*s, " \t");

	*n = strcspn(w, " \t");
	*s = w + *n;
	return *n ? w : NULL;
}

/* softdep NAME [pre: A...] [post: B...]: rebuilt "pre: A... post: B...";
 * names before any pre: or post: are dropped, as kmod drops them */
static void put_softdep(struct grow *g, const char *rest)
{
	const char *s, *w;
	size_t n, before = g->b->len;
	int i, m, words;

	for (i = 0; i < 2; i++) {
		for (s = rest, m = -1, words = 0; (w = word(&s, &n));) {
			if (n == 4 && !memcmp(w, "pre:", 4)) {
				m = 0;
			} else if (n == 5 && !memcmp(w, "post:", 5)) {
				m = 1;
			} else if (m == i) {
				if (!words++ && g->b->len != before)
					put(g, " ", 1);
				if (words == 1)
					put(g, i ? "post:" : "pre:", 4U + i);
				put(g, " ", 1);
				put(g, w, n);
			}
		}
	}
}

/* One logical line of a file */
static void parse_line(struct grow *g, const char *l)
{
	static const char *const cmds[] = {"options", "blacklist", "alias",
					   "install", "remove",	   "softdep"};
	const char *s = l, *cmd, *name, *arg;
	size_t nc, nn, na, i;

	cmd = word(&s, &nc);
	if (!cmd || *cmd == '#')
		return;
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (nc == strlen(cmds[i]) && !memcmp(cmd, cmds[i], nc))
			break;
	name = word(&s, &nn);
	/* the value starts after one blank, as kmod's strtok leaves it */
	if (name && *s)
		s++;
	arg = i == 2 ? word(&s, &na) : s; /* alias PATTERN MODULE */
	if (i == ARRAY_SIZE(cmds) || !name || !arg || (i != 1 && !*arg))
		return; /* kmod: "ignoring bad line" */
	put_head(g, cmds[i], name, nn);
	if (i == 2) {
		put_head(g, "", arg, na);
	} else if (i == 5) {
		put(g, " ", 1);
		put_softdep(g, s);
	} else if (i != 1) {
		put(g, " ", 1);
		put(g, s, strlen(s));
	}
	put(g, "\n", 1);
}

static void parse_file(struct grow *g, const char *path)
{
	struct kmod_buf b;
	char line[MAX_LINE];
	const char *s, *nl, *end;
	size_t len = 0, n;

	if (kmod_read(path, MAX_CONF, &b) < 0)
		return; /* kmod skips a file it cannot read */
	end = b.p + b.len;
	for (s = b.p; s < end; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		n = (size_t)(nl - s);
		if (len + n >= sizeof(line)) {
			len = 0; /* longer than any sane line: dropped */
			continue;
		}
		memcpy(line + len, s, n);
		len += n;
		if (len && line[len - 1] == '\\') {
			len--; /* goes on on the next line */
			continue;
		}
		line[len] = '\0';
		parse_line(g, line);
		len = 0;
	}
	free(b.p);
}

/* A module's option from the command line as a configuration line,
 * "options MODULE PARAM[=VALUE]", or the names of "modprobe.blacklist=A,B"
 * as blacklist lines (normalised: kmod 30 keeps them as written, so that
 * "nvidia-drm" there misses nvidia_drm). A value that was quoted is
 * quoted again, so that the module's parameters parse as the command line
 * did (kmod 30 requotes a word quoted whole the same way). The
 * configuration is kept as lines: a newline inside a quoted value becomes
 * a blank there, never the end of a line (a line after it would be read
 * as a directive, "install ..." run as root). */
static void cmdline_word(struct grow *g, const struct cmdline_word *w,
			 size_t nmod)
{
	const char *param = w->param + nmod + 1;
	char *v, *c;

	if (nmod == 8 && !memcmp(w->param, "modprobe", 8) &&
	    !strcmp(param, "blacklist") && w->val) {
		for (v = w->val; v; v = c) {
			c = strchr(v, ',');
			if (c)
				*c++ = '\0';
			put_head(g, "blacklist", v, strlen(v));
			put(g, "\n", 1);
		}
		return;
	}
	put_head(g, "options", w->param, nmod);
	put(g, " ", 1);
	put(g, param, strlen(param));
	if (w->val) {
		for (v = w->val; (v = strchr(v, '\n'));)
			*v = ' ';
		put(g, w->quoted ? "=\"" : "=", w->quoted ? 2 : 1);
		put(g, w->val, strlen(w->val));
		if (w->quoted)
			put(g, "\"", 1);
	}
	put(g, "\n", 1);
}

/* The kernel command line split as the kernel splits it (base.h),
 * each word that is a module's option (kmod's rule) read as one. Like
 * kmod 30, the words after "--" (init's) are read too. */
static void parse_cmdline(struct grow *g, const char *path)
{
	char buf[CMDLINE_MAX], *s = buf;
	struct cmdline_word w;
	size_t n;

	if (!path || cmdline_read(path, buf, sizeof(buf)) < 0)
		return;
	while (cmdline_next(&s, &w))
		if ((n = cmdline_module(&w)))
			cmdline_word(g, &w, n);
}

static int cmp_base(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	return strcmp(strrchr(x, '/') + 1, strrchr(y, '/') + 1);
}

/* path P (a file, or directory D and name N) unless its name is taken */
static int add_file(char **v, size_t *n, const char *d, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp(strrchr(v[i], '/') + 1, name))
			return 0;
	if (*n == MAX_FILES)
		return 0;
	v[*n] = malloc(strlen(d) + strlen(name) + 2);
	if (!v[*n])
		return -1;
	strcpy(stpcpy(stpcpy(v[*n], d), "/"), name);
	(*n)++;
	return 0;
}

static bool conf_name(const char *n)
{
	size_t l = strlen(n);

	return n[0] != '.' && ((l > 5 && !strcmp(n + l - 5, ".conf")) ||
			       (l > 6 && !strcmp(n + l - 6, ".alias")));
}

static int list_dir(char **v, size_t *n, const char *path)
{
	struct dirent *e;
	struct stat st;
	char full[4200];
	DIR *d;
	int rc = 0;

	d = opendir(path);
	if (!d)
		return 0; /* a missing directory is the usual case */
	while (!rc && (e = readdir(d))) {
		snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
		/* kmod refuses directories, follows symlinks (to /dev/null
		 * for masking: an empty file) */
		if (conf_name(e->d_name) && stat(full, &st) == 0 &&
		    !S_ISDIR(st.st_mode))
			rc = add_file(v, n, path, e->d_name);
	}
	dir_close(d);
	return rc;
}

int kmod_conf_read(struct kmod_ctx *k, const char *const *paths,
		   const char *cmdline)
{
	struct grow g = {.b = &k->conf};
	struct stat st;
	char **v, *slash, dir[4200];
	size_t n = 0, i;
	int rc = 0;

	free(k->conf.p);
	k->conf.p = NULL;
	k->conf.len = 0;
	v = calloc(MAX_FILES, sizeof(*v));
	if (!v)
		return -1;
	for (i = 0; !rc && (paths ? paths : default_paths)[i]; i++) {
		const char *p = (paths ? paths : default_paths)[i];

		if (stat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			rc = list_dir(v, &n, p);
			continue;
		}
		snprintf(dir, sizeof(dir), "%s", p);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		rc =
		    add_file(v, &n, slash ? dir : ".", slash ? slash + 1 : dir);
	}
	if (!rc)
		rc = add_file(v, &n, k->dir, "modules.softdep");
	qsort(v, n, sizeof(*v), cmp_base);
	for (i = 0; i < n; i++) {
		if (!rc)
			parse_file(&g, v[i]);
		free(v[i]);
	}
	free(v);
	if (!rc)
		parse_cmdline(&g, cmdline);
	put(&g, "", 0); /* an empty configuration is "", not NULL */
	if (rc || g.err) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

const char *kmod_conf_next(const struct kmod_ctx *k, const char *what,
			   const char *name, bool glob, const char **at,
			   size_t *len)
{
	const char *s = *at ? *at : k->conf.p, *nm, *v, *nl;
	size_t lw = strlen(what), ln;
	char pat[256];

	for (; s && *s; s = nl + 1) {
		nl = strchr(s, '\n');
		if (strncmp(s, what, lw) || s[lw] != ' ')
			continue;
		nm = s + lw + 1;
		ln = strcspn(nm, " \n");
		v = nm + ln + (nm[ln] == ' ');
		if (glob) {
			snprintf(pat, sizeof(pat), "%.*s", (int)ln, nm);
			if (!match_glob(pat, name))
				continue;
		} else if (strncmp(nm, name, ln) || name[ln]) {
			continue;
		}
		*at = nl + 1;
		*len = (size_t)(nl - v);
		return v;
	}
	return NULL;
}

char *kmod_conf_options(const struct kmod_ctx *k, const char *name,
			const char *alias, const char *extra)
{
	struct kmod_buf b = {0};
	struct grow g = {.b = &b};
	const char *at = NULL, *aat = NULL, *v, *av = NULL;
	size_t n, an = 0;

	if (alias && !strcmp(alias, name))
		alias = NULL;
	v = kmod_conf_next(k, "options", name, false, &at, &n);
	if (alias)
		av = kmod_conf_next(k, "options", alias, false, &aat, &an);
	/* two walks of one buffer, merged by position: the file order
	 * (kmod walks its options list once, matching either) */
	while (v || av) {
		if (b.len)
			put(&g, " ", 1);
		if (v && (!av || v < av)) {
			put(&g, v, n);
			v = kmod_conf_next(k, "options", name, false, &at, &n);
		} else {
			put(&g, av, an);
			av = kmod_conf_next(k, "options", alias, false, &aat,
					    &an);
		}
	}
	if (extra && *extra) {
		if (b.len)
			put(&g, " ", 1);
		put(&g, extra, strlen(extra));
	}
	put(&g, "", 0);
	if (g.err) {
		free(b.p);
		errno = ENOMEM;
		return NULL;
	}
	return b.p;
}

char *kmod_conf_cmd(const char *cmd, const char *opts)
{
	static const char var[] = "$CMDLINE_OPTS";
	struct kmod_buf b = {0};
	struct grow g = {.b = &b};
	const char *s;

	for (; (s = strstr(cmd, var)); cmd = s + sizeof(var) - 1) {
		put(&g, cmd, (size_t)(s - cmd));
		put(&g, opts, strlen(opts));
	}
	put(&g, cmd, strlen(cmd));
	if (g.err) {
		free(b.p);
		errno = ENOMEM;
		return NULL;
	}
	return b.p;
}
