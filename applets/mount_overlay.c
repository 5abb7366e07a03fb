/* mount-overlay - a writable root: overlayfs over read-only layers
 *
 * usage: mount-overlay [-s SIZE] [-c COWDIR] [-p SPEC] [-o EXTRA]
 *                      LOWER[:LOWER...] TARGET
 *   -s SIZE    size of the tmpfs that holds the writable layer: bytes
 *              with K M G suffixes, or N% of RAM (default: the kernel's,
 *              half of RAM)
 *   -c COWDIR  where that tmpfs is mounted (default /run/initbox/cow, so
 *              it moves with /run at switch_root); upper/ and work/ are
 *              made in it
 *   -p SPEC    keep the writable layer on SPEC instead, for persistence:
 *              a block device or image file (mounted read-write at COWDIR
 *              by its probed type) or a directory (used in place)
 *   -o EXTRA   more overlay options, after ours so they win (e.g.
 *              redirect_dir=off), or mount flags (noatime, nosuid, ...)
 * The leftmost LOWER is the top layer.
 *
 * exit: 0 ok; 1 failed, with nothing left mounted; 2 usage
 *
 * Notes: the options overlayfs gets besides the layers, and why:
 *   index=off         index=on ties the upper layer to the file handles
 *                     and UUID of this exact lower image: a persistent
 *                     upper would refuse (ESTALE) an updated image, and
 *                     squashfs (null UUID) turns it off anyway
 *   redirect_dir=on   renaming a directory that came from a lower layer
 *                     works (instead of EXDEV, which some programs do not
 *                     handle); redirects are path names, so they survive
 *                     an updated lower image
 * Not set: metacopy (a metadata-only copy-up points into one particular
 * lower image, unsafe for a persistent upper; conflicts with explicit
 * redirect_dir values), xino (cannot use high inode bits over a 64-bit
 * inode tmpfs upper; the kernel's default falls back quietly), userxattr
 * (we are root; tmpfs lacks user.* xattrs before 6.6), volatile (leaves a
 * marker that blocks the next mount of a persistent upper). Kernels
 * without redirect_dir (before 4.10) get a second try without it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applet.h"

struct overlay {
	const char *size, *cowdir, *spec, *lowers, *target;
	struct mntopt extra;
	char lower[4096]; /* LOWERs made absolute, ':'-joined */
	char cow[4096];	  /* the directory holding upper/ and work/ */
	char upper[4200], work[4200];
	bool made_cowdir, mounted_cow, made_upper, made_work;
};

static const char OVERLAY_DEFAULTS[] = "index=off,redirect_dir=on";

/* Undo in reverse order what this run made; errors here would only hide
 * the one being reported. */
static void unwind(struct overlay *s)
{
	if (s->made_work)
		(void)rmdir(s->work);
	if (s->made_upper)
		(void)rmdir(s->upper);
	/* An image's autoclear loop device goes with this mount. */
	if (s->mounted_cow && umount2(s->cow, 0) < 0)
		(void)umount2(s->cow, MNT_DETACH);
	if (s->made_cowdir)
		(void)rmdir(s->cow);
	s->made_work = s->made_upper = s->mounted_cow = s->made_cowdir = false;
}

static _Noreturn void fail(struct overlay *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fail(struct overlay *s, const char *fmt, ...)
{
	char buf[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	unwind(s);
	die("%s", buf);
}

static void check_dir(struct overlay *s, const char *what, const char *p)
{
	struct stat st;

	if (stat(p, &st) < 0)
		fail(s, "%s %s: %s", what, p, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		fail(s, "%s %s: not a directory", what, p);
}

/* A -s value tmpfs understands: bytes, or a percentage of RAM. */
static void size_opt(const char *v, char *out, size_t len)
{
	char digits[8];
	uint64_t n;
	size_t d = strspn(v, "0123456789");

	if (d && d < sizeof(digits) && v[d] == '%' && !v[d + 1]) {
		memcpy(digits, v, d);
		digits[d] = '\0';
		if (num_u64(digits, 100, &n) < 0 || n == 0)
			die_usage("bad size '%s'", v);
		snprintf(out, len, "size=%llu%%", (unsigned long long)n);
		return;
	}
	if (num_size(v, &n) < 0 || n == 0)
		die_usage("bad size '%s'", v);
	snprintf(out, len, "size=%llu", (unsigned long long)n);
}

static void tmpfs_layer(struct overlay *s, const char *sizeopt)
{
	char data[64];

	snprintf(data, sizeof(data), "mode=0755%s%s", sizeopt[0] ? "," : "",
		 sizeopt);
	if (mount("cow", s->cow, "tmpfs", 0, data) < 0)
		fail(s, "mount tmpfs on %s: %s", s->cow, strerror(errno));
	s->mounted_cow = true;
}

/* -p DEVICE|IMAGE: mounted read-write at the cow dir by probed type. */
static void device_layer(struct overlay *s)
{
	struct mntdev d;
	int e;

	memset(&d, 0, sizeof(d));
	d.source = s->spec;
	d.dir = s->cow;
	if (mntdev_mount(&d) == 0) {
		s->mounted_cow = true;
		if (d.read_only)
			fail(s,
			     "upper layer %s: not writable (read-only medium)",
			     s->spec);
		return;
	}
	e = errno;
	if (!strcmp(d.err.what, "probe"))
		fail(s, "-p %s: %s", s->spec,
		     e == ENODATA ? "no filesystem recognised" : strerror(e));
	if (strcmp(d.err.what, "mount"))
		fail(s, "-p %s: %s: %s", s->spec, d.err.what, strerror(e));
	if (e == EROFS || e == EACCES)
		fail(s, "upper layer %s: not writable: %s", s->spec,
		     strerror(e));
	if (e == ENODEV)
		fail(s,
		     "-p %s: unknown filesystem type '%s' (load the %s module)",
		     s->spec, d.type, d.type);
	fail(s, "mount %s (%s) on %s: %s", s->spec, d.type, s->cow,
	     strerror(e));
}

static void make_layer_dirs(struct overlay *s)
{
	snprintf(s->upper, sizeof(s->upper), "%s/upper", s->cow);
	snprintf(s->work, sizeof(s->work), "%s/work", s->cow);
	/* Merged-root metadata comes from upper: 0755 root:root. */
	if (mkdir(s->upper, 0755) == 0)
		s->made_upper = true;
	else if (errno != EEXIST)
		fail(s, "upper layer %s: not writable: %s", s->upper,
		     strerror(errno));
	if (mkdir(s->work, 0755) == 0)
		s->made_work = true;
	else if (errno != EEXIST)
		fail(s, "upper layer %s: not writable: %s", s->work,
		     strerror(errno));
	check_dir(s, "upper layer", s->upper);
	check_dir(s, "work directory", s->work);
	if (access(s->upper, W_OK) < 0)
		fail(s, "upper layer %s: not writable: %s", s->upper,
		     strerror(errno));
}

/* lowerdir=...,upperdir=...,workdir=...[,defaults][,EXTRA] */
static void build_data(struct overlay *s, bool defaults, char *d, size_t len)
{
	if (overlay_data(d, len, s->lower, s->upper, s->work,
			 defaults ? OVERLAY_DEFAULTS : NULL, s->extra.data) < 0)
		fail(s,
		     "overlay options longer than mount(2) takes (%zu bytes)",
		     len);
}

/* Each LOWER must be a directory; kept as an absolute path so the
 * mount table names it whatever the caller's working directory. */
static void check_lowers(struct overlay *s)
{
	const char *l = s->lowers;
	char one[4096], abs[4096];
	size_t n;

	if (!*l)
		die_usage("empty LOWER");
	while (*l) {
		n = strcspn(l, ":");
		if (n == 0 || n >= sizeof(one))
			die_usage("bad LOWER list '%s'", s->lowers);
		memcpy(one, l, n);
		one[n] = '\0';
		check_dir(s, "lower layer", one);
		if (!realpath(one, abs))
			fail(s, "lower layer %s: %s", one, strerror(errno));
		if (overlay_lower_add(s->lower, sizeof(s->lower), abs) < 0)
			fail(s, "lower layers: list too long");
		l += n + (l[n] == ':');
	}
}

/* Called through the applet table (applets/initbox.c, generated). */
int mount_overlay_main(int argc, char **argv);

int mount_overlay_main(int argc, char **argv)
{
	struct overlay s;
	struct opt o;
	struct stat st;
	char sizeopt[48] = "", data[MNTOPT_DATA_MAX];
	unsigned long flags;
	int c, r;

	memset(&s, 0, sizeof(s));
	s.cowdir = "/run/initbox/cow";
	mntopt_init(&s.extra);
	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "s:c:p:o:", NULL)) != -1) {
		switch (c) {
		case 's':
			s.size = o.arg;
			break;
		case 'c':
			s.cowdir = o.arg;
			break;
		case 'p':
			s.spec = o.arg;
			break;
		case 'o':
			if (mntopt_parse(&s.extra, o.arg) < 0)
				die_usage("bad option '%s': %s", s.extra.err.what,
					  strerror(s.extra.err.no));
			break;
		default:
			die_opt(&o, c);
		}
	}
	if (argc - o.ind != 2)
		die_usage(argc - o.ind < 2 ? "missing LOWER or TARGET"
					   : "too many operands");
	s.lowers = argv[o.ind];
	s.target = argv[o.ind + 1];
	if (s.size && s.spec)
		die_usage("-s sizes the tmpfs; -p puts the layer on SPEC");
	if (s.size)
		size_opt(s.size, sizeopt, sizeof(sizeopt));
	if (s.extra.loop || s.extra.prop ||
	    (s.extra.flags & (MS_BIND | MS_MOVE | MS_REMOUNT)))
		die_usage("-o takes overlay options and mount flags only");
	if (s.spec &&
	    (!strncmp(s.spec, "LABEL=", 6) || !strncmp(s.spec, "UUID=", 5)))
		die_usage("-p %s: give a device or directory (findmedia resolves LABEL= and UUID=)",
			  s.spec);

	/* Everything checkable before anything is made. */
	check_lowers(&s);
	check_dir(&s, "target", s.target);

	if (s.spec && stat(s.spec, &st) < 0)
		die_errno("-p %s", s.spec);
	if (s.spec && S_ISDIR(st.st_mode)) {
		if (!realpath(s.spec, s.cow))
			die_errno("-p %s", s.spec);
	} else {
		snprintf(s.cow, sizeof(s.cow), "%s", s.cowdir);
		if (mkdir_p(s.cow, &s.made_cowdir) < 0)
			fail(&s, "create %s: %s", s.cow, strerror(errno));
		if (!realpath(s.cowdir, s.cow))
			fail(&s, "%s: %s", s.cowdir, strerror(errno));
		if (!s.spec)
			tmpfs_layer(&s, sizeopt);
		else if (S_ISBLK(st.st_mode) || S_ISREG(st.st_mode))
			device_layer(&s);
		else
			fail(&s, "-p %s: not a device, image or directory",
			     s.spec);
	}
	make_layer_dirs(&s);

	flags = mntopt_flags(&s.extra, 0);
	build_data(&s, true, data, sizeof(data));
	r = mount("overlay", s.target, "overlay", flags, data);
	if (r < 0 && errno == EINVAL && !s.extra.data[0]) {
		/* Maybe a kernel without our optional features. */
		build_data(&s, false, data, sizeof(data));
		r = mount("overlay", s.target, "overlay", flags, data);
	}
	if (r < 0) {
		if (errno == ENODEV ||
		    (errno == EINVAL && !mntdev_fs_known("overlay")))
			fail(&s, "overlay filesystem not available (load the overlay module)");
		if (errno == EROFS)
			fail(&s, "upper layer %s: not writable: %s", s.upper,
			     strerror(errno));
		if (errno == EBUSY)
			fail(&s,
			     "mount overlay on %s: upper or work directory in use by another overlay",
			     s.target);
		if (errno == EINVAL)
			fail(&s,
			     "mount overlay on %s: rejected layers or options (see dmesg)",
			     s.target);
		fail(&s, "mount overlay on %s: %s", s.target, strerror(errno));
	}
	return out_done(0);
}
