/* pack.c - build the entry list of an archive and write it.
 *
 * Reproducible by construction: names sorted (tree walk), inodes numbered
 * in archive order from 721 (as gen_init_cpio), hardlinks grouped by
 * source identity with the data on the last name (as GNU cpio and
 * gen_init_cpio write them, and as the kernel accepts them), directories
 * with nlink 2, mtimes clamped to SOURCE_DATE_EPOCH.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "archive.h"

static int fail(struct pack *p, const char *step, const char *where)
{
	return err_set(&p->err, errno, "%s %s", step, where);
}

/* Writing the archive failed: the applet names its output. */
static int out_fail(struct pack *p)
{
	p->out_failed = true;
	return err_set(&p->err, errno, "write the archive");
}

/* A list error: errno EINVAL, p->err says it all ("LIST:LINE: WHY"). */
static int bad_line(struct pack *p, const char *list, unsigned line,
		    const char *why, const char *what)
{
	return err_set(&p->err, 0, "%.*s:%u: %s%s%.64s", CPIO_PATH_MAX, list,
		       line, why, what ? " " : "", what ? what : "");
}

static struct pack_ent *add(struct pack *p)
{
	struct pack_ent *e;

	if (array_grow(&p->v, &p->cap, p->n, sizeof(*p->v)) < 0)
		return NULL;
	e = &p->v[p->n];
	memset(e, 0, sizeof(*e));
	e->pos = p->n++;
	return e;
}

static uint32_t clamp_time(const struct pack *p, int64_t t)
{
	if (p->mtime_set)
		return p->mtime;
	if (p->epoch_set && t > p->epoch)
		t = p->epoch;
	if (t < 0)
		return 0;
	return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static int from_stat(struct pack *p, struct pack_ent *e, const struct stat *st)
{
	e->mode = st->st_mode;
	e->uid = p->owner_set ? p->uid : st->st_uid;
	e->gid = p->owner_set ? p->gid : st->st_gid;
	e->mtime = clamp_time(p, st->st_mtime);
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->links = S_ISDIR(st->st_mode) ? 1 : (uint32_t)st->st_nlink;
	e->rmaj = major(st->st_rdev);
	e->rmin = minor(st->st_rdev);
	if (S_ISREG(st->st_mode)) {
		if ((uint64_t)st->st_size > UINT32_MAX) {
			errno = EFBIG; /* newc sizes are 32 bits */
			return fail(p, "pack", e->src);
		}
		e->size = (uint32_t)st->st_size;
	}
	return 0;
}

/* An entry for the file at PATH, named NAME in the archive: its stat,
 * and a symlink's target in src. NULL on failure (p->err). */
static struct pack_ent *add_path(struct pack *p, const char *name,
				 const char *path, struct stat *st)
{
	char target[CPIO_PATH_MAX + 1];
	struct pack_ent *e;
	ssize_t k;

	if (lstat(path, st) < 0)
		return fail(p, "stat", path), NULL;
	e = add(p);
	if (!e || !(e->name = strdup(name)) || !(e->src = strdup(path)))
		return fail(p, "allocate", path), NULL;
	if (from_stat(p, e, st) < 0)
		return NULL;
	e->nlink = (uint32_t)st->st_nlink;
	if (S_ISLNK(st->st_mode)) {
		k = readlink(path, target, sizeof(target) - 1);
		if (k < 0)
			return fail(p, "read link", path), NULL;
		target[k] = '\0';
		free(e->src);
		e->src = strdup(target);
		if (!e->src)
			return fail(p, "allocate", path), NULL;
		e->size = (uint32_t)k;
	}
	return e;
}

static int walk(struct pack *p, const char *top, const char *rel)
{
	char path[8192], child[8192 + 512], name[CPIO_PATH_MAX + 1];
	struct pack_ent *e;
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int r = -1;

	snprintf(path, sizeof(path), "%s%s%s", top, *rel ? "/" : "", rel);
	dir = opendir(path);
	if (!dir)
		return fail(p, "open directory", path);
	while ((errno = 0, d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, d->d_name);
		if ((size_t)snprintf(name, sizeof(name), "%s%s%s", rel,
				     *rel ? "/" : "",
				     d->d_name) >= CPIO_PATH_MAX) {
			errno = ENAMETOOLONG;
			fail(p, "pack", child);
			goto out;
		}
		e = add_path(p, name, child, &st);
		if (!e)
			goto out;
		/* e may move when the list grows: pass the name's copy */
		if (S_ISDIR(st.st_mode) && walk(p, top, e->name) < 0)
			goto out;
	}
	if (errno) {
		fail(p, "read directory", path);
		goto out;
	}
	r = 0;
out:
	/* Read-only use: a failed close loses nothing. */
	dir_close(dir);
	return r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct pack_ent *)a)->name,
		      ((const struct pack_ent *)b)->name);
}

int pack_dir(struct pack *p, const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return fail(p, "stat", dir);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return fail(p, "pack", dir);
	}
	if (walk(p, dir, "") < 0)
		return -1;
	qsort(p->v, p->n, sizeof(*p->v), by_name);
	return 0;
}

static int by_identity(const void *a, const void *b)
{
	const struct pack_ent *x = *(struct pack_ent *const *)a;
	const struct pack_ent *y = *(struct pack_ent *const *)b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

int pack_number(struct pack *p)
{
	struct pack_ent **l;
	size_t i, j, k, nl = 0;

	for (i = 0; i < p->n; i++) {
		p->v[i].pos = i;
		p->v[i].new_ino = (uint32_t)i + 721;
		p->v[i].nlink = S_ISDIR(p->v[i].mode) ? 2 : 1;
		p->v[i].nodata = false;
	}
	l = malloc((p->n + 1) * sizeof(*l));
	if (!l)
		return fail(p, "allocate", "the hardlink table");
	for (i = 0; i < p->n; i++)
		if (!S_ISDIR(p->v[i].mode) && !S_ISLNK(p->v[i].mode) &&
		    p->v[i].links > 1)
			l[nl++] = &p->v[i];
	qsort(l, nl, sizeof(*l), by_identity);
	for (i = 0; i < nl; i = j) {
		for (j = i + 1;
		     j < nl && l[j]->dev == l[i]->dev && l[j]->ino == l[i]->ino;
		     j++)
			;
		for (k = i; k < j; k++) {
			l[k]->new_ino = l[i]->new_ino;
			l[k]->nlink = (uint32_t)(j - i);
			l[k]->nodata = k + 1 < j;
		}
	}
	free(l);
	return 0;
}

int pack_names(struct pack *p, FILE *f, int sep)
{
	char *line = NULL;
	const char *s;
	size_t cap = 0;
	ssize_t n;
	struct stat st;
	int r = 0;

	while (r == 0 && (n = getdelim(&line, &cap, sep, f)) > 0) {
		if (line[n - 1] == sep)
			line[--n] = '\0';
		/* GNU cpio drops leading "./" (and the slashes after it)
		 * unless nothing would be left */
		for (s = line; s[0] == '.' && s[1] == '/';)
			s += 1 + strspn(s + 1, "/");
		if (!*s)
			s = line;
		if (!*line)
			continue;
		if (strlen(s) >= CPIO_PATH_MAX) {
			errno = ENAMETOOLONG;
			r = fail(p, "pack", s);
		} else if (!add_path(p, s, line, &st)) {
			r = -1;
		}
	}
	if (r == 0 && ferror(f))
		r = fail(p, "read", "the name list");
	free(line);
	return r;
}

int pack_gnu_order(struct pack *p)
{
	struct pack_ent **l, *out, *e;
	size_t i, j, k, nl = 0, nw = 0, no = 0;
	uint32_t next = 0, cnt;

	l = malloc((p->n + 1) * sizeof(*l));
	out = malloc((p->n + 1) * sizeof(*out));
	if (!l || !out) {
		free(l);
		free(out);
		return fail(p, "allocate", "the hardlink table");
	}
	/* numbers: one per inode with more links, else one per name */
	for (i = 0; i < p->n; i++) {
		p->v[i].pos = i;
		p->v[i].lead = i;
		if (p->v[i].nlink > 1)
			l[nl++] = &p->v[i];
	}
	qsort(l, nl, sizeof(*l), by_identity);
	for (i = 1; i < nl; i++)
		if (l[i]->dev == l[i - 1]->dev && l[i]->ino == l[i - 1]->ino)
			l[i]->lead = l[i - 1]->lead;
	for (i = 0; i < p->n; i++)
		p->v[i].new_ino =
		    p->v[i].lead == i ? next++ : p->v[p->v[i].lead].new_ino;
	/* l becomes the waiting names, the latest last */
	for (i = 0; i < p->n; i++) {
		e = &p->v[i];
		e->nodata = false;
		if (!S_ISREG(e->mode) || e->nlink < 2) {
			out[no++] = *e;
			continue;
		}
		for (cnt = 0, k = 0; k < nw; k++)
			cnt += l[k] && l[k]->new_ino == e->new_ino;
		if (cnt + 1 != e->nlink) {
			l[nw++] = e;
			continue;
		}
		for (k = nw; k-- > 0;) {
			if (l[k] && l[k]->new_ino == e->new_ino) {
				out[no] = *l[k];
				out[no++].nodata = true;
				l[k] = NULL;
			}
		}
		out[no++] = *e;
	}
	for (k = nw; k-- > 0;) {
		if (!l[k])
			continue;
		out[no] = *l[k];
		for (j = 0; j < k; j++)
			if (l[j] && l[j]->new_ino == l[k]->new_ino)
				out[no].nodata = true;
		no++;
	}
	free(l);
	free(p->v);
	p->v = out;
	p->cap = p->n;
	return 0;
}

/* Copy exactly e->size bytes of e->src into o, or only sum them,
 * through buf (PACK_BUF bytes). */
static int copy_data(struct pack *p, const struct pack_ent *e,
		     struct cpio_out *o, uint32_t *sum, uint8_t *buf)
{
	uint64_t left = e->size;
	int fd = open(e->src, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return fail(p, "open", e->src);
	while (left) {
		r = read(fd, buf, left < PACK_BUF ? left : PACK_BUF);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = ENODATA; /* shrank while packing */
			fail(p, "read", e->src);
			goto err;
		}
		if (sum) {
			*sum = cpio_sum(*sum, buf, (size_t)r);
		} else if (cpio_out_write(o, buf, (size_t)r) < 0) {
			out_fail(p);
			goto err;
		}
		left -= (uint64_t)r;
	}
	fd_close(fd);
	return 0;
err:
	fd_close(fd);
	return -1;
}

int pack_emit(struct pack *p, struct cpio_out *o)
{
	struct cpio_entry c;
	struct pack_ent *e;
	uint8_t *buf = malloc(PACK_BUF);
	size_t i;
	int r = -1;

	if (!buf)
		return fail(p, "allocate", "the copy buffer");
	for (i = 0; i < p->n; i++) {
		e = &p->v[i];
		memset(&c, 0, sizeof(c));
		c.ino = e->new_ino;
		c.mode = e->mode;
		c.uid = e->uid;
		c.gid = e->gid;
		c.nlink = e->nlink;
		c.mtime = e->mtime;
		c.rdevmajor = e->rmaj;
		c.rdevminor = e->rmin;
		c.crc = p->crc;
		if (S_ISLNK(e->mode) || (S_ISREG(e->mode) && !e->nodata))
			c.filesize = e->size;
		if (p->crc && S_ISREG(e->mode) && c.filesize &&
		    copy_data(p, e, o, &c.check, buf) < 0)
			goto out;
		if (cpio_out_entry(o, &c, e->name) < 0 ||
		    (S_ISLNK(e->mode) &&
		     cpio_out_write(o, e->src, e->size) < 0)) {
			out_fail(p);
			goto out;
		}
		if (S_ISREG(e->mode) && c.filesize &&
		    copy_data(p, e, o, NULL, buf) < 0)
			goto out;
	}
	if (cpio_out_trailer(o) < 0)
		out_fail(p);
	else
		r = 0;
out:
	free(buf);
	return r;
}

void pack_clear(struct pack *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].src);
	}
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

/* --- gen_init_cpio lists ------------------------------------------------ */

/* ${VAR} expansion in file locations, as gen_init_cpio does. */
static void expand(const char *s, char *out, size_t len)
{
	size_t o = 0, k;
	const char *end, *v;
	char var[256];

	while (*s && o + 1 < len) {
		if (s[0] == '$' && s[1] == '{' && (end = strchr(s, '}'))) {
			k = (size_t)(end - s - 2);
			if (k >= sizeof(var))
				k = sizeof(var) - 1;
			memcpy(var, s + 2, k);
			var[k] = '\0';
			v = getenv(var);
			while (v && *v && o + 1 < len)
				out[o++] = *v++;
			s = end + 1;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
}

/* A number of the list: octal modes, decimal ids; -1 on junk. */
static int64_t field(const char *w, unsigned base, uint64_t max)
{
	uint64_t v = 0;

	if (!w || !*w)
		return -1;
	for (; *w; w++) {
		if (*w < '0' || *w >= '0' + (int)base)
			return -1;
		v = v * base + (uint64_t)(*w - '0');
		if (v > max)
			return -1;
	}
	return (int64_t)v;
}

static const struct {
	const char *kw;
	uint32_t type; /* 0: nod, b or c decides */
	int nf;	       /* fields after the keyword, hard links not counted */
	int m;	       /* index of MODE */
} kinds[] = {
    {"file", S_IFREG, 5, 3},  {"dir", S_IFDIR, 4, 2},  {"nod", 0, 7, 2},
    {"slink", S_IFLNK, 5, 3}, {"pipe", S_IFIFO, 4, 2}, {"sock", S_IFSOCK, 4, 2},
};

static int list_entry(struct pack *p, const char *list, unsigned line, char **w,
		      int nw)
{
	char loc[4096];
	struct pack_ent *e;
	struct stat st;
	int64_t mode, uid, gid, maj = 0, min = 0;
	uint32_t type, now;
	size_t k;
	int i, m, names = 1;
	const char *s;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(w[0], kinds[k].kw))
			break;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return bad_line(p, list, line, "unknown entry type", w[0]);
	if (nw - 1 < kinds[k].nf || (k != 0 && nw - 1 > kinds[k].nf)) {
		snprintf(loc, sizeof(loc), "%s takes %d fields", w[0],
			 kinds[k].nf);
		return bad_line(p, list, line, loc, NULL);
	}
	m = kinds[k].m;
	mode = field(w[m], 8, 07777);
	uid = field(w[m + 1], 10, UINT32_MAX);
	gid = field(w[m + 2], 10, UINT32_MAX);
	if (mode < 0 || uid < 0 || gid < 0)
		return bad_line(p, list, line, "bad mode, uid or gid", NULL);
	type = kinds[k].type;
	if (type == 0) {
		if (strcmp(w[5], "b") && strcmp(w[5], "c"))
			return bad_line(p, list, line,
					"device type must be b or c", w[5]);
		type = w[5][0] == 'b' ? S_IFBLK : S_IFCHR;
		maj = field(w[6], 10, UINT32_MAX);
		min = field(w[7], 10, UINT32_MAX);
		if (maj < 0 || min < 0)
			return bad_line(p, list, line, "bad device number",
					NULL);
	}
	if (type == S_IFLNK && strlen(w[2]) > CPIO_PATH_MAX)
		return bad_line(p, list, line, "link target too long", NULL);
	if (type == S_IFREG) {
		names = nw - 5;
		expand(w[2], loc, sizeof(loc));
		if (stat(loc, &st) < 0)
			return fail(p, "stat", loc);
		if (!S_ISREG(st.st_mode))
			return bad_line(p, list, line,
					"not a regular file:", loc);
	}
	/* Entries without a file of their own get gen_init_cpio's "now",
	 * or SOURCE_DATE_EPOCH. */
	now = clamp_time(p, p->epoch_set ? p->epoch : (int64_t)time(NULL));
	for (i = 0; i < names; i++) {
		s = i ? w[5 + i] : w[1];
		e = add(p);
		if (!e || !(e->name = strdup(s + strspn(s, "/"))))
			return fail(p, "allocate", list);
		if (strlen(e->name) >= CPIO_PATH_MAX)
			return bad_line(p, list, line, "name too long", NULL);
		e->links = 1;
		if (type == S_IFREG) {
			if (!(e->src = strdup(loc)))
				return fail(p, "allocate", list);
			if (from_stat(p, e, &st) < 0)
				return -1;
			/* one group a line: the line number is its inode */
			e->dev = UINT64_MAX;
			e->ino = line;
			e->links = (uint32_t)names;
		} else if (type == S_IFLNK) {
			if (!(e->src = strdup(w[2])))
				return fail(p, "allocate", list);
			e->size = (uint32_t)strlen(w[2]);
			e->mtime = now;
		} else {
			e->mtime = now;
		}
		e->mode = type | (uint32_t)mode;
		e->uid = p->owner_set ? p->uid : (uint32_t)uid;
		e->gid = p->owner_set ? p->gid : (uint32_t)gid;
		e->rmaj = (uint32_t)maj;
		e->rmin = (uint32_t)min;
	}
	return 0;
}

int pack_list(struct pack *p, FILE *f, const char *name)
{
	char line[3 * CPIO_PATH_MAX], *w[64], *s, *save;
	unsigned n = 0;
	int nw;

	while (fgets(line, sizeof(line), f)) {
		n++;
		if (!strchr(line, '\n') && !feof(f))
			return bad_line(p, name, n, "line too long", NULL);
		nw = 0;
		for (s = strtok_r(line, " \t\r\n", &save); s && nw < 64;
		     s = strtok_r(NULL, " \t\r\n", &save))
			w[nw++] = s;
		if (nw == 0 || w[0][0] == '#')
			continue;
		if (list_entry(p, name, n, w, nw) < 0)
			return -1;
	}
	if (ferror(f))
		return fail(p, "read", name);
	return 0;
}
