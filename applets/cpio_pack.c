/* cpio-pack - build a reproducible newc initramfs archive
 *
 * usage: cpio-pack [OPTIONS] DIR
 *        cpio-pack [OPTIONS] -s LIST
 *   DIR         pack the tree under DIR (names relative to it, sorted)
 *   -s LIST     pack the entries of a gen_init_cpio list ("-": stdin):
 *                 file NAME LOCATION MODE UID GID [LINKNAME...]
 *                 dir NAME MODE UID GID
 *                 nod NAME MODE UID GID b|c MAJOR MINOR
 *                 slink NAME TARGET MODE UID GID
 *                 pipe NAME MODE UID GID
 *                 sock NAME MODE UID GID
 *               (MODE octal; ${VAR} expanded in LOCATION; # comments)
 *   -o FILE     write to FILE instead of stdout
 *   -c CODEC    compress the archive: gzip, xz, zstd or none (default);
 *               xz is written as the kernel wants it (CRC32, 1 MiB dict)
 *   -l LEVEL    compression level (gzip 1-9, xz 0-9, zstd 1-19)
 *   -R UID:GID  owner of every entry, e.g. -R 0:0
 *   -t SECONDS  mtime of every entry
 *   -p FILE     put FILE first, uncompressed, as it is (an existing
 *               archive, early microcode)
 *   -e DIR      put an uncompressed archive of DIR first
 *   --crc       write 070702 entries (data checksums)
 *
 * The same input gives the same bytes: names sorted (C order), inodes
 * renumbered in name order, hardlinks kept (the data on the last name),
 * mtimes clamped to SOURCE_DATE_EPOCH when it is set (list entries other
 * than files get SOURCE_DATE_EPOCH, or the current time). Each archive
 * ends with TRAILER!!! and NULs up to 512 bytes.
 * Compression needs the host profile (make CONFIG=host); the initramfs
 * profile writes uncompressed archives only.
 *
 * exit: 0 ok, 1 failed, 2 usage
 *
 * Notes: the kernel never creates parent directories, so a directory
 * always precedes its contents (sorting guarantees it for DIR; a list is
 * written in its own order). Segments follow each other with NUL padding
 * to 4 bytes, as the kernel's outer loop requires of uncompressed ones.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "initbox.h"

struct ent {
	char *name;	/* archive name */
	char *src;	/* data file, or symlink target */
	uint32_t mode, uid, gid, mtime, size, rmaj, rmin;
	uint64_t dev, ino;	/* identity, for hardlink groups */
	uint32_t links;		/* st_nlink of the source */
	uint32_t new_ino, nlink;
	bool nodata;		/* a hardlink whose data is on another name */
	size_t pos;
};

struct pack {
	struct ent *v;
	size_t n, cap;
	bool crc, owner_set, mtime_set, epoch_set;
	uint32_t uid, gid, mtime;
	int64_t epoch;
	const char *outname;
	struct cpio_out out;
	uint8_t buf[64 << 10];
};

static struct ent *add(struct pack *p)
{
	struct ent *e;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
		if (!p->v)
			die_errno("grow the entry list");
	}
	e = &p->v[p->n];
	memset(e, 0, sizeof(*e));
	e->pos = p->n++;
	return e;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		die_errno("copy %s", s);
	return d;
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

static void from_stat(struct pack *p, struct ent *e, const struct stat *st)
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
		if ((uint64_t)st->st_size > UINT32_MAX)
			die("pack %s: larger than 4 GiB, newc cannot hold it",
			    e->src);
		e->size = (uint32_t)st->st_size;
	}
}

static void walk(struct pack *p, const char *top, const char *rel)
{
	char path[8192], child[8192], name[CPIO_PATH_MAX + 1];
	char target[CPIO_PATH_MAX + 1];
	struct dirent *d;
	struct stat st;
	struct ent *e;
	ssize_t k;
	DIR *dir;

	snprintf(path, sizeof(path), "%s%s%s", top, *rel ? "/" : "", rel);
	dir = opendir(path);
	if (!dir)
		die_errno("open directory %s", path);
	while ((errno = 0, d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if ((size_t)snprintf(name, sizeof(name), "%s%s%s", rel,
				     *rel ? "/" : "", d->d_name) >=
		    CPIO_PATH_MAX)
			die("pack %s/%s: name longer than PATH_MAX", path,
			    d->d_name);
		snprintf(child, sizeof(child), "%s/%s", top, name);
		if (lstat(child, &st) < 0)
			die_errno("stat %s", child);
		e = add(p);
		e->name = xstrdup(name);
		e->src = xstrdup(child);
		from_stat(p, e, &st);
		if (S_ISLNK(st.st_mode)) {
			k = readlink(child, target, sizeof(target) - 1);
			if (k < 0)
				die_errno("read link %s", child);
			target[k] = '\0';
			free(e->src);
			e->src = xstrdup(target);
			e->size = (uint32_t)k;
		}
		if (S_ISDIR(st.st_mode))
			walk(p, top, e->name);
	}
	if (errno)
		die_errno("read directory %s", path);
	/* Read-only use: a failed close loses nothing. */
	(void)closedir(dir);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name,
		      ((const struct ent *)b)->name);
}

static int by_identity(const void *a, const void *b)
{
	const struct ent *x = *(struct ent *const *)a;
	const struct ent *y = *(struct ent *const *)b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Number inodes in archive order; names of one source inode share the
 * first one's number, and only the last carries the data, as GNU cpio and
 * gen_init_cpio write them. */
static void number(struct pack *p)
{
	struct ent **l;
	size_t i, j, k, nl = 0;

	for (i = 0; i < p->n; i++) {
		p->v[i].pos = i;
		p->v[i].new_ino = (uint32_t)i + 721;
		p->v[i].nlink = S_ISDIR(p->v[i].mode) ? 2 : 1;
	}
	l = malloc((p->n + 1) * sizeof(*l));
	if (!l)
		die_errno("allocate the link table");
	for (i = 0; i < p->n; i++)
		if (!S_ISDIR(p->v[i].mode) && !S_ISLNK(p->v[i].mode) &&
		    p->v[i].links > 1)
			l[nl++] = &p->v[i];
	qsort(l, nl, sizeof(*l), by_identity);
	for (i = 0; i < nl; i = j) {
		for (j = i + 1; j < nl && l[j]->dev == l[i]->dev &&
				l[j]->ino == l[i]->ino;
		     j++)
			;
		for (k = i; k < j; k++) {
			l[k]->new_ino = l[i]->new_ino;
			l[k]->nlink = (uint32_t)(j - i);
			l[k]->nodata = k + 1 < j;
		}
	}
	free(l);
}

static int open_data(const struct ent *e)
{
	int fd = open(e->src, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die_errno("open %s", e->src);
	return fd;
}

/* Copy exactly e->size bytes of e->src, summing them if sum is set. */
static void copy_data(struct pack *p, const struct ent *e, uint32_t *sum)
{
	uint64_t left = e->size;
	int fd = open_data(e);
	ssize_t r;

	while (left) {
		r = read(fd, p->buf,
			 left < sizeof(p->buf) ? left : sizeof(p->buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_errno("read %s", e->src);
		if (r == 0)
			die("read %s: file shrank while packing", e->src);
		if (sum)
			*sum = cpio_sum(*sum, p->buf, (size_t)r);
		else if (cpio_out_write(&p->out, p->buf, (size_t)r) < 0)
			goto out_err;
		left -= (uint64_t)r;
	}
	(void)close(fd); /* read-only */
	return;
out_err:
	die_errno("write %s", p->outname);
}

static void emit(struct pack *p)
{
	struct cpio_entry c;
	struct ent *e;
	size_t i;

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
		if (p->crc && S_ISREG(e->mode) && c.filesize)
			copy_data(p, e, &c.check);
		if (cpio_out_entry(&p->out, &c, e->name) < 0)
			die_errno("write %s", p->outname);
		if (S_ISLNK(e->mode) &&
		    cpio_out_write(&p->out, e->src, e->size) < 0)
			die_errno("write %s", p->outname);
		if (S_ISREG(e->mode) && c.filesize)
			copy_data(p, e, NULL);
	}
	if (cpio_out_trailer(&p->out) < 0)
		die_errno("write %s", p->outname);
}

/* ${VAR} expansion for list locations, as gen_init_cpio does. */
static char *expand(const char *s, char *out, size_t len)
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
	return out;
}

static uint32_t field(const char *list, unsigned line, const char *w,
		      int base, uint64_t max)
{
	uint64_t v = 0;
	const char *s = w;

	if (!w || !*w)
		die("%s:%u: missing field", list, line);
	for (; *s; s++) {
		if (*s < '0' || *s >= '0' + base)
			die("%s:%u: bad number %s", list, line, w);
		v = v * (unsigned)base + (unsigned)(*s - '0');
		if (v > max)
			die("%s:%u: number out of range: %s", list, line, w);
	}
	return (uint32_t)v;
}

static void list_entry(struct pack *p, const char *list, unsigned line,
		       char **w, int nw)
{
	static const struct {
		const char *kw;
		uint32_t type;
		int nf;	/* fields after the keyword, links not counted */
	} kinds[] = {
		{ "file", S_IFREG, 5 }, { "dir", S_IFDIR, 4 },
		{ "nod", 0, 7 },	{ "slink", S_IFLNK, 5 },
		{ "pipe", S_IFIFO, 4 }, { "sock", S_IFSOCK, 4 },
	};
	char loc[4096];
	struct stat st;
	struct ent *e;
	size_t k;
	int i, m, nlinks = 1;
	uint32_t now;
	const char *s;

	for (k = 0; k < ARRAY_SIZE(kinds); k++)
		if (!strcmp(w[0], kinds[k].kw))
			break;
	if (k == ARRAY_SIZE(kinds))
		die("%s:%u: unknown entry type %s", list, line, w[0]);
	if (nw - 1 < kinds[k].nf || (k != 0 && nw - 1 > kinds[k].nf))
		die("%s:%u: %s takes %d fields", list, line, w[0],
		    kinds[k].nf);
	m = k == 0 || k == 3 ? 3 : 2; /* index of MODE */
	if (k == 0)
		nlinks = nw - 5;
	now = clamp_time(p, p->epoch_set ? p->epoch : (int64_t)time(NULL));
	for (i = 0; i < nlinks; i++) {
		e = add(p);
		s = i ? w[5 + i] : w[1];
		e->name = xstrdup(s + strspn(s, "/"));
		e->mode = kinds[k].type | field(list, line, w[m], 8, 07777);
		e->uid = p->owner_set ? p->uid :
					field(list, line, w[m + 1], 10, UINT32_MAX);
		e->gid = p->owner_set ? p->gid :
					field(list, line, w[m + 2], 10, UINT32_MAX);
		e->mtime = now;
		e->links = 1;
		if (k == 0) {
			e->src = xstrdup(expand(w[2], loc, sizeof(loc)));
			if (stat(e->src, &st) < 0)
				die_errno("%s:%u: stat %s", list, line, e->src);
			if (!S_ISREG(st.st_mode))
				die("%s:%u: %s is not a regular file", list,
				    line, e->src);
			from_stat(p, e, &st);
			e->mode = S_IFREG | field(list, line, w[m], 8, 07777);
			if (!p->owner_set) {
				e->uid = field(list, line, w[4], 10, UINT32_MAX);
				e->gid = field(list, line, w[5], 10, UINT32_MAX);
			}
			/* one group per line: the line number is its inode */
			e->dev = UINT64_MAX;
			e->ino = line;
			e->links = (uint32_t)nlinks;
		} else if (k == 2) {
			if (strcmp(w[5], "b") && strcmp(w[5], "c"))
				die("%s:%u: device type must be b or c", list,
				    line);
			e->mode = (w[5][0] == 'b' ? S_IFBLK : S_IFCHR) |
				  (e->mode & 07777);
			e->rmaj = field(list, line, w[6], 10, UINT32_MAX);
			e->rmin = field(list, line, w[7], 10, UINT32_MAX);
		} else if (k == 3) {
			if (strlen(w[2]) > CPIO_PATH_MAX)
				die("%s:%u: link target too long", list, line);
			e->src = xstrdup(w[2]);
			e->size = (uint32_t)strlen(w[2]);
		}
	}
}

static void read_list(struct pack *p, const char *list)
{
	char line[3 * CPIO_PATH_MAX], *w[64], *s;
	unsigned n = 0;
	int nw;
	FILE *f = strcmp(list, "-") ? fopen(list, "re") : stdin;

	if (!f)
		die_errno("open %s", list);
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (!strchr(line, '\n') && !feof(f))
			die("%s:%u: line too long", list, n);
		nw = 0;
		for (s = strtok(line, " \t\r\n"); s && nw < 64;
		     s = strtok(NULL, " \t\r\n"))
			w[nw++] = s;
		if (nw == 0 || w[0][0] == '#')
			continue;
		list_entry(p, list, n, w, nw);
	}
	if (ferror(f))
		die_errno("read %s", list);
	if (f != stdin)
		(void)fclose(f); /* read-only */
}

static void pack_dir(struct pack *p, const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		die_errno("stat %s", dir);
	if (!S_ISDIR(st.st_mode))
		die("pack %s: not a directory", dir);
	walk(p, dir, "");
	qsort(p->v, p->n, sizeof(*p->v), by_name);
}

static void free_list(struct pack *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].src);
	}
	p->n = 0;
}

/* An uncompressed segment first: a file as it is, NUL-padded to 4. */
static void prepend_file(struct pack *p, const char *file)
{
	struct cpio_out *o = &p->out;
	ssize_t r;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die_errno("open %s", file);
	while ((r = read(fd, p->buf, sizeof(p->buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_errno("read %s", file);
		if (cpio_out_write(o, p->buf, (size_t)r) < 0)
			die_errno("write %s", p->outname);
	}
	(void)close(fd); /* read-only */
	if (cpio_out_pad(o, 4) < 0)
		die_errno("write %s", p->outname);
}

static const struct opt_long longs[] = {
	{ "crc", OPT_NONE, 'C' },
	{ "output", OPT_ARG, 'o' },
	{ NULL, 0, 0 },
};

int cpio_pack_main(int argc, char **argv)
{
	struct pack p = { 0 };
	struct opt o;
	const char *list = NULL, *early = NULL, *pre = NULL, *env, *colon;
	enum codec_id codec = CODEC_NONE;
	uint64_t v, w;
	int c, fd = 1, level = -1;

	p.outname = "stdout";
	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "s:o:c:l:R:t:p:e:", longs)) != -1) {
		switch (c) {
		case 's': list = o.arg; break;
		case 'o': p.outname = o.arg; break;
		case 'e': early = o.arg; break;
		case 'p': pre = o.arg; break;
		case 'C': p.crc = true; break;
		case 'c':
			codec = codec_by_name(o.arg);
			if (codec == CODEC_NONE && strcmp(o.arg, "none"))
				die_usage("unknown codec %s", o.arg);
			break;
		case 'l':
			if (num_u64(o.arg, 22, &v) < 0)
				die_usage("bad level %s", o.arg);
			level = (int)v;
			break;
		case 'R':
			colon = strchr(o.arg, ':');
			if (!colon)
				die_usage("-R wants UID:GID");
			{
				char u[32];
				size_t k = (size_t)(colon - o.arg);

				if (k >= sizeof(u))
					die_usage("bad owner %s", o.arg);
				memcpy(u, o.arg, k);
				u[k] = '\0';
				if (num_u64(u, UINT32_MAX, &v) < 0 ||
				    num_u64(colon + 1, UINT32_MAX, &w) < 0)
					die_usage("bad owner %s", o.arg);
			}
			p.owner_set = true;
			p.uid = (uint32_t)v;
			p.gid = (uint32_t)w;
			break;
		case 't':
			if (num_u64(o.arg, UINT32_MAX, &v) < 0)
				die_usage("bad time %s", o.arg);
			p.mtime_set = true;
			p.mtime = (uint32_t)v;
			break;
		case ':': die_usage("option %s needs an argument", o.bad);
		default: die_usage("unknown option %s", o.bad);
		}
	}
	if (!!list == (o.ind < argc) || argc - o.ind > 1)
		die_usage(list ? "a list and a directory given" :
				 "missing operand DIR (or -s LIST)");
	if (codec != CODEC_NONE && !codec_can_encode(codec))
		die("compress %s: this build has no encoders; compression "
		    "needs the host profile (make CONFIG=host)",
		    codec_name(codec));
	env = getenv("SOURCE_DATE_EPOCH");
	if (env && *env) {
		if (num_u64(env, INT64_MAX, &v) < 0)
			die("bad SOURCE_DATE_EPOCH %s", env);
		p.epoch_set = true;
		p.epoch = (int64_t)v;
	}
	if (strcmp(p.outname, "stdout")) {
		fd = open(p.outname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0644);
		if (fd < 0)
			die_errno("open %s", p.outname);
	}
	if (pre || early) {
		if (cpio_out_init(&p.out, fd, CODEC_NONE, 0) < 0)
			die_errno("start the output");
		if (pre)
			prepend_file(&p, pre);
		if (early) {
			pack_dir(&p, early);
			number(&p);
			emit(&p);
			free_list(&p);
		}
		if (cpio_out_finish(&p.out) < 0)
			die_errno("write %s", p.outname);
		cpio_out_free(&p.out);
	}
	if (cpio_out_init(&p.out, fd, codec, level) < 0)
		die_errno("start the %s encoder", codec_name(codec));
	if (list)
		read_list(&p, list);
	else
		pack_dir(&p, argv[o.ind]);
	number(&p);
	emit(&p);
	if (cpio_out_finish(&p.out) < 0) {
		if (p.out.err)
			die("compress: %s", p.out.err);
		die_errno("write %s", p.outname);
	}
	cpio_out_free(&p.out);
	free_list(&p);
	free(p.v);
	if (fd != 1 && close(fd) < 0)
		die_errno("close %s", p.outname);
	return 0;
}
