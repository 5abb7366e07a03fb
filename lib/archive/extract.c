/* extract.c - safe creation of cpio entries under a target directory.
 *
 * The kernel's do_name()/do_symlink() order is kept: clean_path (an entry
 * of another type is removed, rmdir for directories), create, chown, chmod,
 * utime; regular files get their mtime after the data, directories at the
 * very end. One deliberate difference: an existing regular file is
 * replaced (unlink + O_EXCL) instead of truncated, so that data never goes
 * into an inode that might be linked from outside the target.
 *
 * Data only ever goes into a regular file: it is opened without following
 * and without blocking, and checked with fstat. A hardlink is only made to
 * a first name that still holds its recorded type: an archive may replace
 * that name by a FIFO, whose open for writing would wait for a reader
 * forever, or by a device node of its choosing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/base.h"
#include "archive.h"

/* A hardlink candidate: the archive's (dev, ino, type) and the inode this
 * extraction created for it. A later name links only to that inode: an
 * entry in between may have turned the first name's path into one that
 * resolves to a file that was already in the target (a symlinked parent
 * replaced), and that file's data and mode must stay as they were. */
struct extract_link {
	struct extract_link *next;
	uint32_t major, minor, ino, type;
	dev_t made_dev;
	ino_t made_ino;
	char name[];
};

struct extract_dir {
	struct extract_dir *next;
	uint32_t mtime, mode;
	bool chmod;
	char name[];
};

void extract_split(const char *name, char *parent, char *last)
{
	size_t n, p;
	const char *s;

	while (*name == '/')
		name++;
	n = strlen(name);
	while (n && name[n - 1] == '/')
		n--;
	for (p = n; p && name[p - 1] != '/'; p--)
		;
	s = name + p;
	if (n == 0 || (n - p == 2 && s[0] == '.' && s[1] == '.')) {
		/* "a/.." names a directory: resolve all of it, then ".". */
		memcpy(parent, name, n);
		parent[n] = '\0';
		strcpy(last, ".");
		return;
	}
	memcpy(last, s, n - p);
	last[n - p] = '\0';
	while (p && name[p - 1] == '/')
		p--;
	memcpy(parent, name, p);
	parent[p] = '\0';
}

/* What failed: STEP, and WHY when errno cannot say it; errno is kept
 * (the caller may tell a skip from a failure by it). Returns -1. */
static int xfail(struct extract *x, const char *step, const char *why)
{
	int e = errno;

	err_set(&x->err, e, "%s", step);
	x->err.why = why;
	errno = e;
	return -1;
}

int extract_init(struct extract *x, const char *dir, bool owner)
{
	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->cfd = -1;
	x->owner = owner;
	x->root = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (x->root < 0)
		return xfail(x, "open the target directory", NULL);
	return 0;
}

/* Component walk for kernels without openat2: ".." is resolved
 * lexically (at the root it stays there), a symlink is refused. */
static int walk_path(struct extract *x, const char *path)
{
	char comp[CPIO_PATH_MAX + 1], norm[CPIO_PATH_MAX + 1];
	const char *s = path, *e;
	size_t n, len = 0;
	int fd, nfd;

	while (*s) {
		while (*s == '/')
			s++;
		e = strchr(s, '/');
		n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.')) {
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (len && norm[len - 1] != '/')
				len--;
			if (len)
				len--;
		} else {
			if (len)
				norm[len++] = '/';
			memcpy(norm + len, s, n);
			len += n;
		}
		s += n;
	}
	norm[len] = '\0';
	fd = dup(x->root);
	if (fd < 0)
		return -1;
	for (s = norm; *s; s = *e ? e + 1 : e) {
		e = strchrnul(s, '/');
		memcpy(comp, s, (size_t)(e - s));
		comp[e - s] = '\0';
		nfd = openat(fd, comp,
			     O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			fd_close(fd);
			return -1;
		}
		fd_close(fd);
		fd = nfd;
	}
	return fd;
}

static int open_in_root(struct extract *x, const char *path)
{
	struct open_how_compat how = {O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
				      RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	long fd;

	if (!x->walk) {
		fd = syscall(SYS_openat2, x->root, path, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return (int)fd;
		x->walk = true;
	}
	return walk_path(x, path);
}

static void forget_parent(struct extract *x)
{
	if (x->cfd >= 0)
		fd_close(x->cfd);
	x->cfd = -1;
}

/* cpio -d: resolve DIR one component more at a time, making what is
 * missing (0755: a later entry for the directory sets its mode). Each
 * prefix is resolved inside the target like any path and mkdirat never
 * follows a symlink, so a planted one still cannot lead out. */
static int make_parents(struct extract *x, const char *dir)
{
	char part[CPIO_PATH_MAX + 1];
	const char *comp;
	size_t i = 0, n = strlen(dir);
	int fd = -1, pfd = x->root;

	while (i < n) {
		i += strspn(dir + i, "/");
		i += strcspn(dir + i, "/");
		memcpy(part, dir, i);
		part[i] = '\0';
		fd = open_in_root(x, part);
		comp = strrchr(part, '/');
		comp = comp ? comp + 1 : part;
		if (fd < 0 && errno == ENOENT &&
		    (mkdirat(pfd, comp, 0755) == 0 || errno == EEXIST))
			fd = open_in_root(x, part);
		if (pfd != x->root)
			fd_close(pfd);
		if (fd < 0)
			return -1;
		pfd = fd;
	}
	return fd;
}

/* The directory holding NAME's last component, as an fd owned by the
 * cache (or x->root); last gets the component. */
static int parent(struct extract *x, const char *name, char *last)
{
	char dir[CPIO_PATH_MAX + 1];
	int fd;

	extract_split(name, dir, last);
	if (!*dir)
		return x->root;
	if (x->cfd >= 0 && x->cname[0] && !strcmp(dir, x->cname))
		return x->cfd;
	fd = open_in_root(x, dir);
	if (fd < 0 && errno == ENOENT && x->mkdirs)
		fd = make_parents(x, dir);
	if (fd < 0)
		return xfail(x, "resolve the parent directory",
			     errno == ENOENT && !x->mkdirs
				 ? "missing (skipped, as the kernel skips it)"
				 : NULL);
	forget_parent(x);
	x->cfd = fd;
	strcpy(x->cname, dir);
	return fd;
}

/* Remove what is at (d, last): rmdir for a directory (only empty ones go,
 * as in the kernel), unlink otherwise. A removal may change how cached
 * paths resolve, so the cache is dropped. */
static int remove_entry(struct extract *x, int d, const char *last)
{
	struct stat st;

	if (fstatat(d, last, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	/* d stays open for the caller; only the cached name is dropped */
	x->cname[0] = '\0';
	if (S_ISDIR(st.st_mode))
		return unlinkat(d, last, AT_REMOVEDIR);
	return unlinkat(d, last, 0);
}

static uint32_t bucket(const struct cpio_entry *e)
{
	return (e->ino ^ e->devmajor * 31 ^ e->devminor * 131 ^
		(e->mode & S_IFMT) >> 12) %
	       EXTRACT_LINK_BUCKETS;
}

/* The kernel's find_link(): an earlier name with the same
 * (devmajor, devminor, ino, type), or NULL after remembering this one. */
static struct extract_link *find_link(struct extract *x,
				      const struct cpio_entry *e)
{
	struct extract_link *l;

	for (l = x->links[bucket(e)]; l; l = l->next)
		if (l->ino == e->ino && l->major == e->devmajor &&
		    l->minor == e->devminor && l->type == (e->mode & S_IFMT))
			return l;
	return NULL;
}

static void remember_link(struct extract *x, const struct cpio_entry *e,
			  const struct stat *made)
{
	size_t n = strlen(e->name) + 1;
	struct extract_link *l = malloc(sizeof(*l) + n);
	uint32_t b = bucket(e);

	if (!l)
		return; /* a later name becomes a copy, not a link */
	l->major = e->devmajor;
	l->minor = e->devminor;
	l->ino = e->ino;
	l->type = e->mode & S_IFMT;
	l->made_dev = made->st_dev;
	l->made_ino = made->st_ino;
	memcpy(l->name, e->name, n);
	l->next = x->links[b];
	x->links[b] = l;
}

void extract_forget_links(struct extract *x)
{
	struct extract_link *l, *n;
	size_t i;

	for (i = 0; i < EXTRACT_LINK_BUCKETS; i++) {
		for (l = x->links[i]; l; l = n) {
			n = l->next;
			free(l);
		}
		x->links[i] = NULL;
	}
}

/* Does l's first name, resolved inside the target, still lead to the
 * inode this extraction made for it? 1 yes, 0 no (gone, or another file of
 * the same type), -1 on error or another type of file. od gets the name's directory, to link from. */
static int link_source(struct extract *x, const struct extract_link *l,
		       int *od, char *olast)
{
	char odir[CPIO_PATH_MAX + 1];
	struct stat st;

	extract_split(l->name, odir, olast);
	*od = *odir ? open_in_root(x, odir) : x->root;
	if (*od < 0)
		return errno == ENOENT || errno == ENOTDIR
			   ? 0
			   : xfail(x, "resolve the hardlink target", NULL);
	if (fstatat(*od, olast, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT
			   ? 0
			   : xfail(x, "resolve the hardlink target", NULL);
	if ((st.st_mode & S_IFMT) != l->type) {
		/* never a new file: data meant for a regular file is not
		 * written beside a FIFO or a node of the same name */
		errno = EINVAL;
		return xfail(x, "link",
			     "its first name no longer holds the same type of file");
	}
	return st.st_dev == l->made_dev && st.st_ino == l->made_ino;
}

/* Link (d, last) to the inode l's first name was created as. 1: linked;
 * 0: that name now leads elsewhere (a later entry replaced it or a
 * symlinked parent on its path), so the caller creates a new file, as GNU
 * cpio then does: a link never reaches a file that was in the target. */
static int make_link(struct extract *x, const struct extract_link *l, int d,
		     const char *last)
{
	char olast[CPIO_PATH_MAX + 1];
	int od = -1, r, err;

	r = link_source(x, l, &od, olast);
	if (r > 0) {
		r = linkat(od, olast, d, last, 0);
		if (r < 0 && errno == EEXIST && remove_entry(x, d, last) == 0)
			r = linkat(od, olast, d, last, 0);
		if (r < 0)
			xfail(x, "link", NULL);
		else
			r = 1;
	}
	err = errno;
	if (od >= 0 && od != x->root)
		fd_close(od);
	errno = err;
	return r;
}

static int owner_mode(struct extract *x, int d, const char *last,
		      const struct cpio_entry *e, bool chmod_always)
{
	if (x->owner &&
	    fchownat(d, last, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return xfail(x, "change owner", NULL);
	/* chown clears set-id bits, so they are put back afterwards */
	if ((chmod_always || (e->mode & 07000)) &&
	    fchmodat(d, last, x->owner ? e->mode & 07777 : e->mode & 01777, 0) <
		0)
		return xfail(x, "change mode", NULL);
	return 0;
}

static int set_time(const struct extract *x, int d, const char *last,
		    uint32_t mtime)
{
	struct timespec t[2] = {{(time_t)mtime, 0}, {(time_t)mtime, 0}};

	return x->no_time ? 0 : utimensat(d, last, t, AT_SYMLINK_NOFOLLOW);
}

static int do_file(struct extract *x, int d, const char *last,
		   const struct cpio_entry *e)
{
	struct extract_link *l = NULL;
	mode_t mode = x->owner ? e->mode & 07777 : e->mode & 01777;
	int fd, fl = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	struct stat st;

	if (e->nlink >= 2 && (l = find_link(x, e))) {
		switch (make_link(x, l, d, last)) {
		case -1:
			return -1;
		case 0:
			l = NULL; /* a new file, the candidate from now on */
		}
	}
	if (l) {
		fd = openat(d, last, fl);
	} else {
		fd = openat(d, last, fl | O_CREAT | O_EXCL, mode);
		if (fd < 0 && errno == EEXIST &&
		    remove_entry(x, d, last) == 0) {
			fd = openat(d, last, fl | O_CREAT | O_EXCL, mode);
		}
	}
	if (fd < 0)
		return xfail(x, "create", NULL);
	x->fd = fd;
	if (fstat(fd, &st) < 0)
		return xfail(x, "create", NULL);
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return xfail(x, "create", "not a regular file");
	}
	if (l && (st.st_dev != l->made_dev || st.st_ino != l->made_ino)) {
		errno = EINVAL;
		return xfail(x, "link",
			     "the name opened is not the file this extraction made");
	}
	if (x->owner && fchown(fd, e->uid, e->gid) < 0)
		return xfail(x, "change owner", NULL);
	if ((l || x->owner || (e->mode & 07000)) && fchmod(fd, mode) < 0)
		return xfail(x, "change mode", NULL);
	if (l && e->filesize && ftruncate(fd, e->filesize) < 0)
		return xfail(x, "truncate", NULL);
	if (!l && e->nlink >= 2)
		remember_link(x, e, &st);
	return 0;
}

static int do_dir(struct extract *x, int d, const char *last,
		  const struct cpio_entry *e)
{
	struct extract_dir *dl;
	struct stat st;
	size_t n = strlen(e->name) + 1;
	mode_t mode = e->mode & 07777;
	bool existed = false, later;

	/* Without root's override a read-only directory would block its
	 * own children: create it writable, give it its mode at the end. */
	later = !x->owner && (mode & 0700) != 0700;
	if (mkdirat(d, last, later ? mode | 0700 : mode) < 0) {
		if (errno != EEXIST)
			goto fail;
		if (fstatat(d, last, &st, AT_SYMLINK_NOFOLLOW) < 0)
			goto fail;
		if (S_ISDIR(st.st_mode)) {
			existed = true;
		} else {
			if (remove_entry(x, d, last) < 0 ||
			    mkdirat(d, last, later ? mode | 0700 : mode) < 0)
				goto fail;
		}
	}
	if (!later && owner_mode(x, d, last, e, existed) < 0)
		return -1;
	if (later && x->owner &&
	    fchownat(d, last, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return xfail(x, "change owner", NULL);
	dl = malloc(sizeof(*dl) + n);
	if (!dl)
		return 0; /* only the mtime is lost */
	dl->mtime = e->mtime;
	dl->mode = e->mode & 01777;
	dl->chmod = later;
	memcpy(dl->name, e->name, n);
	dl->next = x->dirs;
	x->dirs = dl;
	return 0;
fail:
	return xfail(x, "make directory", NULL);
}

static int do_symlink(struct extract *x, int d, const char *last,
		      const struct cpio_entry *e)
{
	int r = symlinkat(e->target, d, last);

	if (r < 0 && errno == EEXIST && remove_entry(x, d, last) == 0) {
		r = symlinkat(e->target, d, last);
	}
	if (r < 0)
		return xfail(x, "make symlink", NULL);
	if (x->owner &&
	    fchownat(d, last, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return xfail(x, "change owner", NULL);
	if (set_time(x, d, last, e->mtime) < 0)
		return xfail(x, "set time", NULL);
	return 0;
}

static int do_node(struct extract *x, int d, const char *last,
		   const struct cpio_entry *e)
{
	mode_t mode =
	    (e->mode & S_IFMT) | (x->owner ? e->mode & 07777 : e->mode & 01777);
	dev_t dev = makedev(e->rdevmajor, e->rdevminor);
	struct extract_link *l;
	struct stat st;
	int r;

	if (e->nlink >= 2 && (l = find_link(x, e))) {
		r = make_link(x, l, d, last);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	r = mknodat(d, last, mode, dev);
	if (r < 0 && errno == EEXIST && remove_entry(x, d, last) == 0) {
		r = mknodat(d, last, mode, dev);
	}
	if (r < 0)
		return xfail(x, "make node", NULL);
	if (e->nlink >= 2 && fstatat(d, last, &st, AT_SYMLINK_NOFOLLOW) == 0)
		remember_link(x, e, &st);
	if (owner_mode(x, d, last, e, false) < 0)
		return -1;
	if (set_time(x, d, last, e->mtime) < 0)
		return xfail(x, "set time", NULL);
	return 0;
}

int extract_entry(struct extract *x, const struct cpio_entry *e)
{
	char last[CPIO_PATH_MAX + 1];
	struct stat st;
	int d;

	x->err.why = NULL;
	d = parent(x, e->name, last);
	if (d < 0)
		return -1;
	if (!strcmp(last, ".") && !S_ISDIR(e->mode)) {
		errno = EISDIR;
		return xfail(x, "create", NULL);
	}
	/* GNU cpio's rule without -u; a directory is always merged into */
	if (x->keep_newer && !S_ISDIR(e->mode) &&
	    fstatat(d, last, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISDIR(st.st_mode) && st.st_mtime >= (time_t)e->mtime)
		return 1;
	switch (e->mode & S_IFMT) {
	case S_IFREG:
		return do_file(x, d, last, e);
	case S_IFDIR:
		return do_dir(x, d, last, e);
	case S_IFLNK:
		return do_symlink(x, d, last, e);
	case S_IFBLK:
	case S_IFCHR:
	case S_IFIFO:
	case S_IFSOCK:
		return do_node(x, d, last, e);
	default:
		errno = EINVAL;
		return xfail(x, "create (unknown file type)", NULL);
	}
}

int extract_data(struct extract *x, const void *p, size_t n)
{
	/* x->fd is a regular file opened blocking: EAGAIN cannot occur. */
	if (fd_write_all(x->fd, p, n) < 0)
		return xfail(x, "write", NULL);
	return 0;
}

int extract_file_done(struct extract *x, const struct cpio_entry *e)
{
	struct timespec t[2] = {{(time_t)e->mtime, 0}, {(time_t)e->mtime, 0}};
	int r = 0;

	if (x->fd < 0)
		return 0;
	if (!x->no_time && futimens(x->fd, t) < 0)
		r = xfail(x, "set time", NULL);
	if (close(x->fd) < 0 && !r)
		r = xfail(x, "close", NULL);
	x->fd = -1;
	return r;
}

/* A later entry may have replaced the directory by a symlink: chmod
 * through an fd opened without following, never by name. Gone or no
 * longer a directory: nothing to do. */
static int late_chmod(int d, const char *last, mode_t mode)
{
	int fd =
	    openat(d, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP
			   ? 0
			   : -1;
	r = fchmod(fd, mode);
	fd_close(fd);
	return r;
}

int extract_finish(struct extract *x)
{
	char last[CPIO_PATH_MAX + 1];
	struct extract_dir *dl, *n;
	int d, r = 0, err = 0;

	if (x->fd >= 0)
		fd_close(x->fd);
	x->fd = -1;
	/* a directory's parent removed since is not made again */
	x->mkdirs = false;
	/* LIFO, as the kernel's dir_utime(): children before parents. */
	for (dl = x->dirs; dl; dl = n) {
		n = dl->next;
		d = parent(x, dl->name, last);
		if (d >= 0 && dl->chmod && late_chmod(d, last, dl->mode) < 0)
			d = xfail(x, "change mode", NULL);
		if (d >= 0 && set_time(x, d, last, dl->mtime) < 0)
			d = xfail(x, "set time", NULL);
		if (d < 0 && !r) {
			r = -1;
			err = errno;
		}
		free(dl);
	}
	x->dirs = NULL;
	extract_forget_links(x);
	forget_parent(x);
	fd_close(x->root);
	x->root = -1;
	errno = err;
	return r;
}
