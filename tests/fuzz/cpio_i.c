/* cpio_i.c - cpio -i and -t: the copy-in loop of applets/unpack.c
 * (patterns, -f, -R, -d, -u, -m, listing) over cpio_in, extracting over
 * a hostile tree: the target already holds symlinks (relative, absolute,
 * to a directory and to a file) and hardlinks (a file, a directory's
 * file, an executable, a FIFO) to files outside it.
 *
 * Everything lives on a tmpfs of a private mount namespace, made once
 * per process (as root, or as root of a new user namespace). The run
 * aborts if anything outside the target changed: names, types, modes,
 * owners, sizes, inodes, mtimes, contents (link counts and ctimes are
 * left out: replacing a planted hardlink in the target unlinks a name of
 * the outside inode, which is the extraction's right), or if anything
 * appeared beside the target and the outside tree.
 *
 * Input: a flags byte, a line of words (the -R owner when -R is on, then
 * patterns), then the archive. The applet's die() comes back here with
 * longjmp, and the harness frees what the applet would leave to exit.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <sys/mount.h>

#include "../../applets/unpack.c"
#include "fuzz.h"

const char *prog = "cpio";
static jmp_buf died;
static char top[300], target[320], outside[320];
static char snap[16384], now[16384];
static char *list_out;
static size_t list_len;
static const char *list_root;

/* The applet's messages go nowhere; die returns to the harness. */
void warn(const char *fmt, ...)
{
	(void)fmt;
}
void warn_errno(const char *fmt, ...)
{
	(void)fmt;
}
_Noreturn void die(const char *fmt, ...)
{
	(void)fmt;
	longjmp(died, 1);
}
_Noreturn void die_errno(const char *fmt, ...)
{
	(void)fmt;
	longjmp(died, 1);
}

static uint32_t hash_fd(int fd)
{
	uint8_t b[4096];
	uint32_t h = 2166136261u;
	ssize_t n, i;

	while ((n = read(fd, b, sizeof(b))) > 0)
		for (i = 0; i < n; i++)
			h = (h ^ b[i]) * 16777619u;
	return h;
}

static int list_one(const char *p, const struct stat *st, int flag,
		    struct FTW *f)
{
	char line[512];
	uint32_t h = 0;
	int n, fd;

	(void)flag;
	(void)f;
	if (S_ISREG(st->st_mode)) {
		fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			abort();
		h = hash_fd(fd);
		close(fd);
	}
	n = snprintf(line, sizeof(line), "%s %o %u:%u %lld %lu %lld %08x\n",
		     p + strlen(list_root), (unsigned)st->st_mode,
		     (unsigned)st->st_uid, (unsigned)st->st_gid,
		     (long long)st->st_size, (unsigned long)st->st_ino,
		     (long long)st->st_mtime, h);
	if (n < 0 || list_len + (size_t)n >= sizeof(snap))
		abort();
	memcpy(list_out + list_len, line, (size_t)n + 1);
	list_len += (size_t)n;
	return 0;
}

/* The outside tree, and the names beside the target. */
static void take(char *out)
{
	struct dirent *d;
	DIR *dir;

	list_out = out;
	list_len = 0;
	list_root = outside;
	if (nftw(outside, list_one, 8, FTW_PHYS) < 0)
		abort();
	dir = opendir(top);
	if (!dir)
		abort();
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
		    strcmp(d->d_name, "outside") && strcmp(d->d_name, "target"))
			abort(); /* something appeared outside the target */
	closedir(dir);
}

static void at(char *buf, size_t len, const char *dir, const char *name)
{
	if (snprintf(buf, len, "%s/%s", dir, name) >= (int)len)
		abort();
}

static void put_link(const char *to, const char *name)
{
	char p[400];

	at(p, sizeof(p), target, name);
	if (symlink(to, p) < 0)
		abort();
}

static void put_hard(const char *from, const char *name)
{
	char a[400], b[400];

	at(a, sizeof(a), outside, from);
	at(b, sizeof(b), target, name);
	if (link(a, b) < 0)
		abort();
}

/* The target as an attacker would like it before the archive comes. */
static void plant(void)
{
	char p[400];

	if (mkdir(target, 0755) < 0)
		abort();
	at(p, sizeof(p), target, "dir");
	if (mkdir(p, 0755) < 0)
		abort();
	put_link("../outside", "esc");
	put_link(outside, "abs");
	put_link("../outside/victim", "vl");
	put_link("../../outside/dir", "dir/up");
	put_hard("victim", "hl");
	put_hard("dir/file", "dir/hl2");
	put_hard("exe", "exe");
	put_hard("fifo", "fifo");
}

static void private_tmpfs(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWNS) < 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
			perror("cpio_i: unshare (needs root or user namespaces)");
			abort();
		}
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		fz_write("/proc/self/uid_map", map, strlen(map));
		fz_write("/proc/self/setgroups", "deny", 4);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		fz_write("/proc/self/gid_map", map, strlen(map));
	}
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("fuzz", top, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m") < 0) {
		perror("cpio_i: mount the tmpfs");
		abort();
	}
}

static void unmount_tmpfs(void)
{
	(void)umount2(top, MNT_DETACH); /* the namespace dies with us */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[400];
	int fd;

	(void)argc;
	(void)argv;
	fz_scratch("cpio_i");
	at(top, sizeof(top), fz_base, "ns");
	if (mkdir(top, 0755) < 0)
		abort();
	private_tmpfs();
	atexit(unmount_tmpfs);
	at(target, sizeof(target), top, "target");
	at(outside, sizeof(outside), top, "outside");
	at(p, sizeof(p), top, "outside");
	if (mkdir(p, 0755) < 0)
		abort();
	at(p, sizeof(p), outside, "dir");
	if (mkdir(p, 0755) < 0)
		abort();
	at(p, sizeof(p), outside, "victim");
	fz_write(p, "original\n", 9);
	at(p, sizeof(p), outside, "dir/file");
	fz_write(p, "data\n", 5);
	at(p, sizeof(p), outside, "exe");
	fz_write(p, "#!/bin/sh\n", 10);
	if (chmod(p, 0755) < 0)
		abort();
	at(p, sizeof(p), outside, "fifo");
	if (mkfifo(p, 0644) < 0)
		abort();
	/* listings go to stdout: away from libFuzzer's report */
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 1) < 0)
		abort();
	close(fd);
	take(snap);
	return 0;
}

/* Data only ever goes into a regular file. */
static void regular_or_abort(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		abort();
}

enum {
	F_LIST = 1,
	F_VERBOSE = 2,
	F_NONMATCH = 4,
	F_OWNER = 8,
	F_MKDIRS = 16,
	F_KEEP_NEWER = 32,
	F_NO_TIME = 64,
	F_NOT_ROOT = 128, /* as a user: modes of read-only dirs at the end */
};

/* The word line, cut into words in place: the -R owner, then patterns. */
static void words(struct unpack *u, char *line, char **pats, uint8_t flags)
{
	char *w, *save;

	for (w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if ((flags & F_OWNER) && !u->owner_set) {
			u->owner_set = num_owner(w, &u->uid, &u->gid) == 0;
			if (u->owner_set)
				continue;
		}
		if (u->npats < 8)
			pats[u->npats++] = w;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct unpack u; /* static: longjmp leaves it as it was */
	char *line, *pats[8];
	const uint8_t *nl;
	uint8_t flags;
	size_t n;
	int fd;

	if (size < 2)
		return 0;
	fz_alarm_restarts();
	flags = data[0];
	nl = memchr(data + 1, '\n', size - 1 < 256 ? size - 1 : 256);
	if (!nl)
		return 0;
	n = (size_t)(nl - data - 1);
	line = fz_str(data + 1, n);
	memset(&u, 0, sizeof(u));
	u.archive = "fuzz";
	u.names = fopen("/dev/null", "we");
	if (!u.names)
		abort();
	u.list = flags & F_LIST;
	u.verbose = flags & F_VERBOSE;
	u.gnu_list = !(flags & F_NOT_ROOT);
	u.nonmatch = flags & F_NONMATCH;
	u.need_header = true;
	u.pats = pats;
	words(&u, line, pats, flags);
	plant();
	u.x.root = -1;
	u.x.fd = -1;
	fd = fz_memfd(nl + 1, size - n - 2);
	if (cpio_in_init(&u.in, fd) < 0)
		abort();
	if (!u.list) {
		if (extract_init(&u.x, target, !(flags & F_NOT_ROOT)) < 0)
			abort();
		u.x.mkdirs = flags & F_MKDIRS;
		u.x.keep_newer = flags & F_KEEP_NEWER;
		u.x.no_time = flags & F_NO_TIME;
	}
	if (!setjmp(died))
		unpack_run(&u);
	if (u.x.fd >= 0)
		regular_or_abort(u.x.fd);
	if (!u.list && u.x.root >= 0)
		(void)extract_finish(&u.x);
	cpio_in_free(&u.in);
	close(fd);
	fclose(u.names);
	free(line);
	take(now);
	if (strcmp(snap, now)) {
		fprintf(stderr, "outside changed:\n%s---\n%s", snap, now);
		abort();
	}
	if (fz_rmtree(target) < 0)
		abort();
	return 0;
}
