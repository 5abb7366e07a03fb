/* switchroot.c - the root-switching engine (see switch.h).
 *
 * Kernel behaviour relied on:
 * - rootfs (ramfs or tmpfs) cannot be unmounted before Linux 7.0, so its
 *   memory comes back only by deleting its files; pivot_root(2) refuses
 *   it with EINVAL (no parent mount), which selects MS_MOVE + chroot.
 *   In a mount namespace, or on 7.0 where rootfs sits on nullfs,
 *   pivot_root(".", ".") + umount2(".", MNT_DETACH) works.
 * - MS_MOVE fails with EINVAL under shared propagation, hence MS_PRIVATE
 *   on / first.
 * - A mount left on the initramfs becomes unreachable after the switch yet
 *   stays mounted, so every one is moved into NEWROOT.
 * - openat2(RESOLVE_IN_ROOT) resolves INIT as a chroot into NEWROOT would,
 *   absolute symlinks included (Linux 5.6).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/openat2.h>

#include "base/base.h"
#include "mount/mount.h"
#include "switch.h"

static int fail(struct switchroot *s, bool with_errno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct switchroot *s, bool with_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(&s->err, with_errno ? errno : 0, fmt, ap);
	va_end(ap);
	return -1;
}

void switchroot_init(struct switchroot *s)
{
	memset(s, 0, sizeof(*s));
	s->console_fd = -1;
	s->oldfd = -1;
}

void switchroot_free(struct switchroot *s)
{
	if (s->console_fd >= 0)
		fd_close(s->console_fd);
	if (s->oldfd >= 0)
		fd_close(s->oldfd);
	s->console_fd = s->oldfd = -1;
	free(s->moves);
	free(s->del);
	s->moves = NULL;
	s->del = NULL;
	pins_free(&s->pins);
}

/* --- checks ------------------------------------------------------------ */

static int is_mount_point(const char *abs, const struct stat *st)
{
	struct mountinfo_list l;
	char parent[PATH_MAX];
	struct stat pst;
	int r;

	if (mountinfo_read(NULL, &l) == 0) {
		r = mountinfo_at(&l, abs) != NULL;
		mountinfo_free(&l);
		return r;
	}
	/* No /proc: a different device from the parent directory is the
	 * best evidence left (it misses a bind mount of the same fs). */
	snprintf(parent, sizeof(parent), "%s/..", abs);
	if (stat(parent, &pst) < 0)
		return 0;
	return pst.st_dev != st->st_dev;
}

static int check_init(struct switchroot *s, const char *init)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT};
	const char *rel = init;
	char target[PATH_MAX];
	struct stat st;
	int dfd, fd;
	ssize_t n;

	while (*rel == '/')
		rel++;
	if (!*rel)
		return fail(s, false, "INIT %s: names no file", init);
	dfd = open(s->newroot_abs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fail(s, true, "open NEWROOT %s", s->newroot);
	fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOENT) {
		/* Tell a dangling symlink from a missing file. */
		how.flags |= O_NOFOLLOW;
		fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
		n = fd < 0 ? -1
			   : readlinkat(fd, "", target, sizeof(target) - 1);
		if (fd >= 0)
			fd_close(fd);
		fd_close(dfd);
		if (n >= 0) {
			target[n] = '\0';
			return fail(
			    s, false,
			    "INIT %s: dangling symlink to %s inside NEWROOT %s",
			    init, target, s->newroot);
		}
		return fail(s, false, "INIT %s: does not exist in NEWROOT %s",
			    init, s->newroot);
	}
	fd_close(dfd); /* errno of openat2 is read below */
	if (fd < 0) {
		if (errno == ENOSYS)
			return fail(
			    s, false,
			    "INIT %s: cannot resolve it inside NEWROOT: the kernel lacks openat2 (Linux 5.6)",
			    init);
		return fail(s, true, "resolve INIT %s in NEWROOT %s", init,
			    s->newroot);
	}
	if (fstat(fd, &st) < 0) {
		fd_close(fd);
		return fail(s, true, "stat INIT %s", init);
	}
	fd_close(fd);
	if (!S_ISREG(st.st_mode))
		return fail(s, false,
			    "INIT %s: not a regular file in NEWROOT %s", init,
			    s->newroot);
	if (!(st.st_mode & 0111))
		return fail(s, false, "INIT %s: not executable in NEWROOT %s",
			    init, s->newroot);
	return 0;
}

/* The inits tried, in order, when the one asked for cannot run: the
 * kernel's list (init/main.c kernel_init). */
static const char *const fallback[] = {"/sbin/init", "/etc/init", "/bin/init",
				       "/bin/sh"};

/* INIT failed its check: like the kernel with a bad init=, use the first
 * of the usual inits that passes, so that a typo on the command line does
 * not cost the boot. Not with -n, whose answer is about INIT itself. */
static int init_fallback(struct switchroot *s)
{
	struct err why = s->err;
	size_t i;

	if (s->dry_run)
		return -1;
	for (i = 0; i < ARRAY_SIZE(fallback); i++) {
		if (check_init(s, fallback[i]) == 0) {
			snprintf(s->init_why, sizeof(s->init_why), "%s",
				 why.what);
			s->init_asked = s->init;
			s->init = fallback[i];
			return 0;
		}
	}
	s->err = why;
	errno = why.no ? why.no : EINVAL;
	return -1;
}

int switchroot_check(struct switchroot *s)
{
	struct stat st, rst;
	struct statfs sf;

	if (!s->dry_run && getpid() != 1)
		return fail(
		    s, false,
		    "not running as PID 1 (-n checks without switching)");
	if (statfs("/", &sf) < 0)
		return fail(s, true, "statfs /");
	if ((unsigned long)sf.f_type != RAMFS_MAGIC &&
	    (unsigned long)sf.f_type != TMPFS_MAGIC)
		return fail(s, false,
			    "the current root is not an initramfs (ramfs or tmpfs): refusing to delete it");
	if (stat(s->newroot, &st) < 0) {
		if (errno == ENOENT)
			return fail(s, false, "NEWROOT %s: does not exist",
				    s->newroot);
		return fail(s, true, "stat NEWROOT %s", s->newroot);
	}
	if (!S_ISDIR(st.st_mode))
		return fail(s, false, "NEWROOT %s: not a directory",
			    s->newroot);
	if (!realpath(s->newroot, s->newroot_abs))
		return fail(s, true, "resolve NEWROOT %s", s->newroot);
	if (stat("/", &rst) < 0)
		return fail(s, true, "stat /");
	s->olddev = rst.st_dev;
	s->newdev = st.st_dev;
	s->newino = st.st_ino;
	if (st.st_dev == rst.st_dev && st.st_ino == rst.st_ino)
		return fail(s, false, "NEWROOT %s: is the current root",
			    s->newroot);
	if (!is_mount_point(s->newroot_abs, &st))
		return fail(s, false,
			    "NEWROOT %s: not a mount point (mount the new root there, or bind-mount it onto itself)",
			    s->newroot);
	if (check_init(s, s->init) < 0 && init_fallback(s) < 0)
		return -1;
	if (s->console) {
		s->console_fd = open(s->console, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (s->console_fd < 0)
			return fail(s, true, "open console %s", s->console);
	}
	return 0;
}

/* --- moving mounts ----------------------------------------------------- */

static struct sr_move *add_move(struct switchroot *s, const char *from)
{
	struct sr_move *m;

	if (array_grow(&s->moves, &s->moves_cap, s->nmoves,
		       sizeof(*s->moves)) < 0)
		return NULL;
	m = &s->moves[s->nmoves++];
	memset(m, 0, sizeof(*m));
	snprintf(m->from, sizeof(m->from), "%s", from);
	return m;
}

/* Is PATH (absolute) NEWROOT itself or inside it? */
static bool in_newroot(const struct switchroot *s, const char *path)
{
	size_t n = strlen(s->newroot_abs);

	return !strncmp(path, s->newroot_abs, n) &&
	       (path[n] == '\0' || path[n] == '/');
}

/* Does the mount at PATH hold NEWROOT below it? */
static bool holds_newroot(const struct switchroot *s, const char *path)
{
	size_t n = strlen(path);

	return !strncmp(s->newroot_abs, path, n) &&
	       (s->newroot_abs[n] == '/' || n == 1);
}

/* Make a mount point at ABS of the kind the source is (a bind-mounted
 * file needs a file). */
static int make_target(char *abs, const struct stat *src)
{
	char *slash;
	int fd;

	if (S_ISDIR(src->st_mode))
		return mkdir_p(abs, NULL);
	slash = strrchr(abs, '/');
	*slash = '\0';
	fd = mkdir_p(abs, NULL);
	*slash = '/';
	if (fd < 0)
		return -1;
	fd = open(abs, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	return fd < 0 ? -1 : close(fd);
}

/* Move the mount at FROM into NEWROOT: same path if that is a free
 * directory (or file, for a file bind mount), else under run/initramfs. */
static int move_one(struct switchroot *s, const struct mountinfo_list *l,
		    const char *from)
{
	struct sr_move *m = add_move(s, from);
	char abs[2 * PATH_MAX + 32]; /* NEWROOT + m->to */
	struct stat src, dst;

	if (!m)
		return -1;
	snprintf(m->to, sizeof(m->to), "%s", from);
	if (holds_newroot(s, from)) {
		m->result = SR_HOLDS_NEWROOT;
		return 0;
	}
	if (stat(from, &src) < 0)
		goto cannot;
	snprintf(abs, sizeof(abs), "%s%s", s->newroot_abs, from);
	m->result = SR_MOVED;
	if (lstat(abs, &dst) < 0 ||
	    S_ISDIR(dst.st_mode) != S_ISDIR(src.st_mode) ||
	    (l->n ? mountinfo_at(l, abs) != NULL : dst.st_dev != s->newdev)) {
		snprintf(m->to, sizeof(m->to), "/run/initramfs%s", from);
		snprintf(abs, sizeof(abs), "%s%s", s->newroot_abs, m->to);
		m->result = SR_RELOCATED;
		if (make_target(abs, &src) < 0)
			goto cannot;
	}
	if (mount(from, abs, NULL, MS_MOVE, NULL) == 0)
		return 0;
cannot:
	m->err = errno;
	/* Left here it would be unreachable after the switch yet mounted
	 * forever; detached, it goes when its last user does. */
	m->result = umount2(from, MNT_DETACH) == 0 ? SR_DETACHED : SR_FAILED;
	return 0;
}

/* A mount already left in place (it holds NEWROOT, or could not be moved
 * or detached) is not tried again. */
static bool left_alone(const struct switchroot *s, const char *target)
{
	size_t k;

	for (k = 0; k < s->nmoves; k++)
		if (!strcmp(s->moves[k].from, target) &&
		    (s->moves[k].result == SR_HOLDS_NEWROOT ||
		     s->moves[k].result == SR_FAILED))
			return true;
	return false;
}

/* A bind mount of an initramfs directory shows the initramfs's own files:
 * deleting them would empty it under its users, so its source is spared
 * (all of it if the whole root is bind-mounted elsewhere). Those inside
 * NEWROOT most of all (say /lib/modules bound into the new root): they
 * travel with it. */
static void note_binds(struct switchroot *s, const struct mountinfo_list *l)
{
	struct stat rst, bst;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct mountinfo *m = &l->v[i];
		struct sr_spare *sp;

		if (m->major != major(s->olddev) ||
		    m->minor != minor(s->olddev) || !strcmp(m->target, "/"))
			continue;
		if (!strcmp(m->root, "/") || stat("/", &rst) < 0 ||
		    s->nspare == ARRAY_SIZE(s->spare)) {
			s->spare_all = true; /* or too many to track: be safe */
			continue;
		}
		sp = &s->spare[s->nspare++];
		memset(sp, 0, sizeof(*sp));
		snprintf(sp->path, sizeof(sp->path), "%s", m->root);
		/* Covered by another mount: only the path is left. */
		if (stat(m->target, &bst) < 0 || bst.st_dev != s->olddev)
			continue;
		/* The root itself, bound from a chroot's point of view. */
		if (bst.st_ino == rst.st_ino && rst.st_dev == s->olddev)
			s->spare_all = true;
		sp->ino = bst.st_ino;
	}
}

/* One of /dev /proc /sys /run. Without mountinfo (no /proc), a mount is
 * told by its st_dev, as util-linux does. */
static int move_api(struct switchroot *s, const struct mountinfo_list *l,
		    const char *path)
{
	struct sr_move *mv;
	struct stat st;
	bool mounted;

	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		mv = add_move(s, path);
		if (!mv)
			return -1;
		mv->result = SR_ABSENT;
		return 0;
	}
	mounted = l->n ? mountinfo_at(l, path) != NULL : st.st_dev != s->olddev;
	if (!mounted) {
		mv = add_move(s, path);
		if (!mv)
			return -1;
		mv->result = SR_NOT_MOUNT;
		snprintf(mv->to, sizeof(mv->to), "%s", path);
		return 0;
	}
	return move_one(s, l, path);
}

int switchroot_mounts(struct switchroot *s)
{
	static const char *const api[] = {"/run", "/dev", "/sys"};
	struct mountinfo_list l;
	const struct mountinfo *root, *m;
	size_t i, pass, before;
	char from[PATH_MAX];
	bool again;

	/* EINVAL when / is a directory, not a mount (a chroot): the mount
	 * holding it is out of reach, and the moves say if it mattered. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 &&
	    errno != EINVAL)
		return fail(s, true, "make / private");
	if (mountinfo_read(NULL, &l) < 0)
		memset(&l, 0, sizeof(l)); /* no /proc: only the four */
	note_binds(s, &l);
	/* /run first: what is moved aside goes under NEWROOT/run/initramfs
	 * and must not end up hidden beneath it. /proc last: the passes
	 * below read its mountinfo. */
	for (i = 0; i < ARRAY_SIZE(api); i++)
		if (move_api(s, &l, api[i]) < 0)
			goto nomem;
	/* Then every other mount on the initramfs, top-level ones only: their
	 * children travel with them. Re-read after each pass, since a move
	 * can uncover a mount that was stacked under another. */
	for (pass = 0; l.n && pass < 16; pass++) {
		mountinfo_free(&l);
		if (mountinfo_read(NULL, &l) < 0)
			return fail(s, true, "read /proc/self/mountinfo");
		/* In a chroot into a directory "/" is no mount of its own and
		 * the mounts on it have parents no one can see. */
		root = mountinfo_at(&l, "/");
		before = s->nmoves;
		again = false;
		for (i = 0; i < l.n; i++) {
			m = &l.v[i];
			if (m == root || !strcmp(m->target, "/") ||
			    !strcmp(m->target, "/proc") ||
			    in_newroot(s, m->target))
				continue;
			if (root ? m->parent != root->id
				 : mountinfo_by_id(&l, m->parent) != NULL)
				continue;
			if (left_alone(s, m->target))
				continue;
			snprintf(from, sizeof(from), "%s", m->target);
			if (move_one(s, &l, from) < 0)
				goto nomem;
			again = true;
		}
		if (!again || s->nmoves == before)
			break;
	}
	if (move_api(s, &l, "/proc") < 0)
		goto nomem;
	mountinfo_free(&l);
	return 0;
nomem:
	mountinfo_free(&l);
	errno = ENOMEM;
	return fail(s, true, "record mount moves");
}

/* --- the switch -------------------------------------------------------- */

int switchroot_enter(struct switchroot *s)
{
	struct stat st;

	s->oldfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->oldfd < 0)
		return fail(s, true, "open the old root");
	if (fstat(s->oldfd, &st) < 0)
		return fail(s, true, "stat the old root");
	s->olddev = st.st_dev;
	if (chdir(s->newroot_abs) < 0)
		return fail(s, true, "change directory to %s", s->newroot_abs);
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		/* The old root now sits on top of the new one at "/". */
		if (umount2(".", MNT_DETACH) < 0)
			return fail(s, true,
				    "detach the old root after pivot_root");
		s->pivoted = true;
	} else {
		s->pivot_err = errno;
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
			return fail(s, true, "move %s onto /", s->newroot_abs);
		if (chroot(".") < 0)
			return fail(s, true, "change root to %s",
				    s->newroot_abs);
	}
	if (chdir("/") < 0)
		return fail(s, true, "change directory to the new /");
	return 0;
}

/* --- deleting the old root --------------------------------------------- */

static void clean_error(struct switchroot *s, const char *path)
{
	if (!s->errors++) {
		snprintf(s->first_error, sizeof(s->first_error), "%s", path);
		s->first_errno = errno;
	}
}

static void note_deleted(struct switchroot *s, ino_t ino, uint64_t bytes)
{
	if (array_grow(&s->del, &s->del_cap, s->ndel, sizeof(*s->del)) < 0)
		return; /* only the pins correction loses precision */
	s->del[s->ndel].ino = ino;
	s->del[s->ndel++].bytes = bytes;
}

static bool is_kept(struct switchroot *s, const char *path,
		    const struct stat *st)
{
	struct sr_spare *sp;
	size_t i;

	for (i = 0; i < s->nspare; i++) {
		sp = &s->spare[i];
		if (sp->ino ? sp->ino != st->st_ino : strcmp(sp->path, path))
			continue;
		if (!sp->met) {
			snprintf(sp->path, sizeof(sp->path), "%s", path);
			sp->met = true;
		}
		return true;
	}
	return false;
}

/* Delete everything in directory DFD (taken over), never leaving the old
 * root's filesystem and sparing what a moved bind mount shows; PATH/LEN
 * name it. Goes on past errors. True if something was spared inside. */
static bool clean_dir(struct switchroot *s, int dfd, char *path, size_t len)
{
	struct dirent *de;
	struct stat st;
	bool kept = false;
	size_t n, end;
	DIR *d;
	int sub;

	d = fdopendir(dfd);
	if (!d) {
		clean_error(s, len ? path : "/");
		fd_close(dfd);
		return false;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* PATH only names things (messages, the spare list): the
		 * descriptors do the work, so a tree deeper than PATH_MAX is
		 * deleted too, its names cut (len < PATH_MAX always). */
		n = strlen(de->d_name);
		end = len;
		if (len + 2 < PATH_MAX) {
			path[end++] = '/';
			if (end + n >= PATH_MAX)
				n = PATH_MAX - end - 1;
		} else {
			n = 0;
		}
		memcpy(path + end, de->d_name, n);
		end += n;
		path[end] = '\0';
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
		    0) {
			clean_error(s, path);
			continue;
		}
		if (st.st_dev != s->olddev) {
			/* A mount still on the old root: never enter it. */
			s->other_fs++;
			kept = true;
			continue;
		}
		/* NEWROOT bind-mounted from a directory of the initramfs
		 * (util-linux's advice for a NEWROOT that is no mount):
		 * that directory is the new root now. Found by inode, so
		 * even without /proc. */
		if (S_ISDIR(st.st_mode) && st.st_dev == s->newdev &&
		    st.st_ino == s->newino) {
			snprintf(s->spared_newroot, sizeof(s->spared_newroot),
				 "%s", path);
			kept = true;
			continue;
		}
		if (is_kept(s, path, &st)) {
			kept = true;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			bool inner = false;

			sub = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					 O_CLOEXEC);
			if (sub < 0)
				clean_error(s, path);
			else
				inner = clean_dir(s, sub, path, end);
			path[end] = '\0';
			if (inner)
				kept = true;
			else if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) <
				 0)
				clean_error(s, path);
			else
				s->dirs++;
		} else {
			/* Only the last link gives the memory back. */
			uint64_t b =
			    st.st_nlink <= 1 ? pins_file_bytes(&st) : 0;

			if (unlinkat(dirfd(d), de->d_name, 0) < 0) {
				clean_error(s, path);
				continue;
			}
			s->files++;
			s->deleted_bytes += b;
			if (b)
				note_deleted(s, st.st_ino, b);
		}
	}
	path[len] = '\0';
	dir_close(d);
	return kept;
}

int switchroot_clean(struct switchroot *s)
{
	char path[PATH_MAX] = "";
	struct statfs sf;
	int fd;

	if (s->keep || s->spare_all)
		return 0;
	/* Checked before the switch already; this guards the fd itself. */
	if (fstatfs(s->oldfd, &sf) < 0)
		return fail(s, true, "statfs the old root");
	if ((unsigned long)sf.f_type != RAMFS_MAGIC &&
	    (unsigned long)sf.f_type != TMPFS_MAGIC)
		return fail(
		    s, false,
		    "the old root is not ramfs or tmpfs: not deleting it");
	fd = dup(s->oldfd);
	if (fd < 0)
		return fail(s, true, "delete the old root");
	(void)clean_dir(s, fd, path, 0); /* what it spared is counted */
	return 0;
}

/* --- after the switch -------------------------------------------------- */

int switchroot_stdio(struct switchroot *s)
{
	const char *path = s->console ? s->console : "/dev/console";
	int fd, i;

	/* Opened again in the new root, so no descriptor keeps the old
	 * root's /dev/console node (or its /dev) alive. */
	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && s->console_fd >= 0) {
		fd = s->console_fd;
		s->console_fd = -1;
	}
	if (fd < 0) {
		if (s->console)
			return fail(s, true, "open console %s", path);
		return 0; /* no console in NEWROOT: stdio kept */
	}
	for (i = 0; i < 3; i++)
		if (dup2(fd, i) < 0) {
			fd_close(fd);
			return fail(s, true, "put stdio on %s", path);
		}
	if (close(fd) < 0)
		return fail(s, true, "close %s", path);
	s->stdio = path;
	return 0;
}

int switchroot_account(struct switchroot *s)
{
	size_t i, k;

	/* Our own descriptor is no pin: drop it before looking. */
	if (s->oldfd >= 0) {
		fd_close(s->oldfd);
		s->oldfd = -1;
	}
	if (s->console_fd >= 0) {
		fd_close(s->console_fd);
		s->console_fd = -1;
	}
	s->freed_bytes = s->deleted_bytes;
	if (pins_scan("/proc", "/sys", s->olddev, getpid(), &s->pins) < 0) {
		s->pins_known = false;
		return fail(s, true, "look for processes in /proc");
	}
	s->pins_known = true;
	/* A deleted file someone holds is not freed yet. */
	for (i = 0; i < s->pins.ninos; i++)
		for (k = 0; k < s->ndel; k++)
			if (s->del[k].ino == s->pins.inos[i].ino) {
				s->freed_bytes -=
				    s->del[k].bytes < s->freed_bytes
					? s->del[k].bytes
					: s->freed_bytes;
				break;
			}
	return 0;
}

/* --- hand-over -------------------------------------------------------- */

void switchroot_exec(char **argv, void (*msg)(void *ctx, const char *text),
		     void *ctx)
{
	char sh0[] = "/bin/sh";
	char *sh[] = {sh0, NULL};
	const char *init = argv[0], *tried = argv[0];
	size_t i;

	execv(argv[0], argv);
	for (i = 0; i < ARRAY_SIZE(fallback); i++) {
		if (!strcmp(fallback[i], init))
			continue;
		switchroot_say(msg, ctx, "run %s: %s; trying %s", tried, strerror(errno),
		     fallback[i]);
		tried = fallback[i];
		if (!strcmp(fallback[i], "/bin/sh")) {
			execv(sh[0], sh);
		} else {
			argv[0] = (char *)fallback[i];
			execv(argv[0], argv);
		}
	}
	switchroot_say(msg, ctx, "run %s: %s; no init could run: staying alive as PID 1",
	     tried, strerror(errno));
}

_Noreturn void switchroot_hang(void)
{
	for (;;)
		if (wait(NULL) < 0)
			sleep(1); /* no children yet: new ones may come */
}

static void say_step(const struct switchroot *s,
		     void (*msg)(void *ctx, const char *text), void *ctx)
{
	char buf[ERR_STR_MAX];

	msg(ctx, err_str(&s->err, buf, sizeof(buf)));
}

int switchroot_run(struct switchroot *s, char **init_argv, bool verbose,
		   void (*msg)(void *ctx, const char *text), void *ctx)
{
	char sh0[] = "/bin/sh";
	char *sh[] = {sh0, NULL};

	if (switchroot_mounts(s) < 0)
		return -1;
	if (switchroot_enter(s) < 0) {
		/* Nothing is deleted, but mounts have moved: the initramfs
		 * shell is the best place left to look from. */
		say_step(s, msg, ctx);
		switchroot_report(s, true, msg, ctx);
		msg(ctx, "switch failed: staying in the initramfs");
		switchroot_exec(sh, msg, ctx);
		switchroot_hang();
	}
	if (switchroot_clean(s) < 0)
		say_step(s, msg, ctx);
	if (switchroot_stdio(s) < 0)
		say_step(s, msg, ctx);
	if (switchroot_account(s) < 0)
		say_step(s, msg, ctx);
	switchroot_report(s, verbose, msg, ctx);
	switchroot_free(s);
	switchroot_exec(init_argv, msg, ctx);
	switchroot_hang();
}
