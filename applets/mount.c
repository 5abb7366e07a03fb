/* mount - mount a filesystem
 *
 * usage: mount [-rwn] [-t TYPE] [-o OPTS] SOURCE DIR
 *        mount --bind|--rbind [-o OPTS] OLDDIR NEWDIR
 *        mount --move OLDDIR NEWDIR
 *        mount -o remount[,OPTS] DIR
 *        mount --make-[r]private|[r]shared|[r]slave|[r]unbindable DIR
 *        mount [-t TYPE]        list mounts (of TYPE)
 *   -t, --types T   filesystem type, or a comma list tried in order;
 *                   without it (or "auto") SOURCE's superblock says
 *   -o, --options O comma-separated options: ro rw nosuid suid nodev dev
 *                   noexec exec sync async dirsync noatime atime
 *                   nodiratime relatime strictatime lazytime mand silent
 *                   nosymfollow iversion remount bind rbind move; loop,
 *                   loop=DEV, offset=N, sizelimit=N; private shared slave
 *                   unbindable and r* forms. x-* and fstab-only options
 *                   (defaults, noauto, nofail, ...) are dropped; the rest
 *                   go to the filesystem
 *   -r, --read-only same as -o ro;  -w, --rw  same as -o rw
 *   -n              accepted and ignored (there is no mtab)
 * A SOURCE that is a regular file (or -o loop) is mounted through a loop
 * device that goes away with the mount (autoclear).
 *
 * exit: 0 ok; 1 failed; 2 usage
 *
 * Notes: a bind mount ignores flags, so ro/nosuid/... after --bind are a
 * second MS_REMOUNT|MS_BIND call (undone with the bind if it fails). A
 * remount keeps the flags it does not name (from statvfs). A failed mount
 * leaves no loop device behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "applet.h"

enum {
	L_BIND = 256,
	L_RBIND,
	L_MOVE,
	L_PRIVATE,
	L_RPRIVATE,
	L_SHARED,
	L_RSHARED,
	L_SLAVE,
	L_RSLAVE,
	L_UNBINDABLE,
	L_RUNBINDABLE,
};

struct mount {
	const char *types;
	const char *src, *dir;
	struct mntopt o;
};

static const struct opt_long longs[] = {
    {"types", OPT_ARG, 't'},
    {"options", OPT_ARG, 'o'},
    {"read-only", OPT_NONE, 'r'},
    {"rw", OPT_NONE, 'w'},
    {"bind", OPT_NONE, L_BIND},
    {"rbind", OPT_NONE, L_RBIND},
    {"move", OPT_NONE, L_MOVE},
    {"make-private", OPT_NONE, L_PRIVATE},
    {"make-rprivate", OPT_NONE, L_RPRIVATE},
    {"make-shared", OPT_NONE, L_SHARED},
    {"make-rshared", OPT_NONE, L_RSHARED},
    {"make-slave", OPT_NONE, L_SLAVE},
    {"make-rslave", OPT_NONE, L_RSLAVE},
    {"make-unbindable", OPT_NONE, L_UNBINDABLE},
    {"make-runbindable", OPT_NONE, L_RUNBINDABLE},
    {0}};

static const unsigned long make_prop[] = {
    [L_PRIVATE - L_PRIVATE] = MS_PRIVATE,
    [L_RPRIVATE - L_PRIVATE] = MS_PRIVATE | MS_REC,
    [L_SHARED - L_PRIVATE] = MS_SHARED,
    [L_RSHARED - L_PRIVATE] = MS_SHARED | MS_REC,
    [L_SLAVE - L_PRIVATE] = MS_SLAVE,
    [L_RSLAVE - L_PRIVATE] = MS_SLAVE | MS_REC,
    [L_UNBINDABLE - L_PRIVATE] = MS_UNBINDABLE,
    [L_RUNBINDABLE - L_PRIVATE] = MS_UNBINDABLE | MS_REC,
};

/* util-linux's "SOURCE on DIR type TYPE (OPTIONS)". */
static int list(const char *types)
{
	char *line = NULL, *f[4], *p;
	size_t cap = 0;
	FILE *fp;
	int i;

	fp = fopen("/proc/self/mounts", "re");
	if (!fp)
		die_errno("open /proc/self/mounts");
	while (getline(&line, &cap, fp) > 0) {
		p = line;
		for (i = 0; i < 4; i++) {
			f[i] = strsep(&p, " \n");
			if (!f[i])
				break;
		}
		if (i < 4)
			continue;
		if (types && strcmp(types, f[2]))
			continue;
		printf("%s on %s type %s (%s)\n", mountinfo_unescape(f[0]),
		       mountinfo_unescape(f[1]), f[2], f[3]);
	}
	free(line);
	(void)fclose(fp); /* read-only */
	return out_done(0);
}

/* One line for what mntdev_mount says failed. */
static _Noreturn void why(const struct mount *m, const struct mntdev *d, int e)
{
	const char *s = m->src, *t = d->type;

	if (!strcmp(d->err.what, "stat source"))
		die("%s: %s", s, strerror(e));
	if (!strcmp(d->err.what, "probe")) {
		if (e == ENOTBLK)
			die("%s: no type given (-t) and not a block device or file to probe",
			    s);
		if (e == ENODATA)
			die("%s: no filesystem recognised (unknown type or corrupt superblock)",
			    s);
		die("%s: read superblock: %s", s, strerror(e));
	}
	if (strcmp(d->err.what, "mount")) {
		/* A step of the loop device's setup. */
		if (e == ENOENT && !strcmp(d->err.what, "open /dev/loop-control"))
			die("%s: open /dev/loop-control: no such file (load the loop module)",
			    s);
		die("%s: %s%s%s: %s", s, d->err.what, d->loop_name[0] ? " " : "",
		    d->loop_name, strerror(e));
	}
	switch (e) {
	case ENODEV:
		if (!mntdev_fs_known(t))
			die("%s: unknown filesystem type '%s' (load the %s module)",
			    s, t, t);
		break;
	case EINVAL:
		/* The kernel's reason is only in dmesg. */
		die("mount %s on %s: bad superblock, option or type '%s' (see dmesg)",
		    s, m->dir, t);
	case ENOTBLK:
		die("%s: not a block device", s);
	case ENOENT:
		if (access(m->dir, F_OK) < 0)
			die("mount point %s: %s", m->dir, strerror(e));
		break;
	}
	die("mount %s (%s) on %s: %s", s, t, m->dir, strerror(e));
}

static void mount_fs(struct mount *m)
{
	struct mntdev d;
	struct stat st;

	if (stat(m->dir, &st) < 0)
		die_errno("mount point %s", m->dir);
	if ((m->o.has_offset || m->o.has_sizelimit) && !m->o.loop &&
	    !(stat(m->src, &st) == 0 && S_ISREG(st.st_mode)))
		die("%s: offset= and sizelimit= need a file or -o loop",
		    m->src);
	memset(&d, 0, sizeof(d));
	d.source = m->src;
	d.dir = m->dir;
	d.types = m->types;
	d.flags = mntopt_flags(&m->o, 0);
	d.data = m->o.data;
	d.loop = m->o.loop;
	d.loop_dev = m->o.loop_dev[0] ? m->o.loop_dev : NULL;
	d.offset = m->o.offset;
	d.sizelimit = m->o.sizelimit;
	if (mntdev_mount(&d) < 0)
		why(m, &d, errno);
	if (d.read_only && !(m->o.flags & MS_RDONLY))
		warn("%s: write-protected, mounted read-only", m->src);
}

static void bind(struct mount *m)
{
	unsigned long extra = m->o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
	struct statvfs sv;

	if (mount(m->src, m->dir, NULL, m->o.flags & (MS_BIND | MS_REC), NULL) <
	    0)
		die_errno("bind %s on %s", m->src, m->dir);
	if (!extra && !m->o.clear)
		return;
	/* The new mount starts with its source's flags. */
	if (statvfs(m->dir, &sv) < 0 ||
	    mount(NULL, m->dir, NULL,
		  MS_REMOUNT | MS_BIND |
		      ((mntopt_from_statvfs(sv.f_flag) & ~m->o.clear) | extra),
		  NULL) < 0) {
		int e = errno;

		/* Undo the bind rather than leave it with the wrong flags;
		 * the error being reported is the one that matters. */
		(void)umount2(m->dir, MNT_DETACH);
		errno = e;
		die_errno("set options of bind mount %s", m->dir);
	}
}

static void remount(struct mount *m)
{
	struct statvfs sv;

	if (statvfs(m->dir, &sv) < 0)
		die_errno("remount %s", m->dir);
	if (mount(m->src ? m->src : "none", m->dir, NULL,
		  mntopt_flags(&m->o, mntopt_from_statvfs(sv.f_flag)),
		  (m->o.flags & MS_BIND) ? NULL : m->o.data) < 0) {
		if (errno == EINVAL)
			die("remount %s: not a mount point, or bad option (see dmesg)",
			    m->dir);
		die_errno("remount %s", m->dir);
	}
}

/* Called through the applet table (applets/initbox.c, generated). */
int mount_main(int argc, char **argv);

int mount_main(int argc, char **argv)
{
	struct mount m;
	struct opt o;
	unsigned long make = 0;
	const char *ops[2];
	int c, nops = 0;

	memset(&m, 0, sizeof(m));
	mntopt_init(&m.o);
	opt_init(&o);
	o.mixed = true; /* options may follow the operands, as util-linux allows */
	while ((c = opt_next(&o, argc, argv, "t:o:rwn", longs)) != -1) {
		switch (c) {
		case OPT_OPERAND:
			if (nops == 2)
				die_usage("unexpected operand %s", o.arg);
			ops[nops++] = o.arg;
			break;
		case 't':
			m.types = o.arg;
			break;
		case 'o':
			if (mntopt_parse(&m.o, o.arg) < 0)
				die_usage("bad option '%s': %s", m.o.err.what,
					  strerror(m.o.err.no));
			break;
		case 'r':
			(void)mntopt_parse(&m.o, "ro");
			break;
		case 'w':
			(void)mntopt_parse(&m.o, "rw");
			break;
		case 'n':
			break;
		case L_BIND:
			(void)mntopt_parse(&m.o, "bind");
			break;
		case L_RBIND:
			(void)mntopt_parse(&m.o, "rbind");
			break;
		case L_MOVE:
			(void)mntopt_parse(&m.o, "move");
			break;
		default:
			if (c >= L_PRIVATE && c <= L_RUNBINDABLE) {
				make = make_prop[c - L_PRIVATE];
				break;
			}
			die_opt(&o, c);
		}
	}

	if (make || m.o.prop) {
		if (nops != 1 && !(m.o.prop && nops == 2))
			die_usage("propagation change needs one DIR");
		if (nops == 1) {
			m.dir = ops[0];
			if (mount("none", m.dir, NULL, make ? make : m.o.prop,
				  NULL) < 0)
				die_errno("change propagation of %s", m.dir);
			return out_done(0);
		}
	}
	if (nops == 0) {
		if (m.o.flags || m.o.data[0] || m.o.loop)
			die_usage("missing DIR");
		return list(m.types);
	}
	m.dir = ops[nops - 1];
	m.src = nops == 2 ? ops[0] : NULL;
	if (m.o.flags & MS_REMOUNT) {
		remount(&m);
		return out_done(0);
	}
	if (nops == 1)
		die_usage("missing DIR (there is no fstab)");
	if (m.o.flags & MS_MOVE) {
		if (mount(m.src, m.dir, NULL, MS_MOVE, NULL) < 0)
			die_errno("move %s to %s", m.src, m.dir);
		return out_done(0);
	}
	if (m.o.flags & MS_BIND) {
		bind(&m);
	} else {
		mount_fs(&m);
	}
	if (m.o.prop && mount("none", m.dir, NULL, m.o.prop, NULL) < 0) {
		int e = errno;

		/* Nothing half-done: a mount with the wrong propagation
		 * would be shared with (or hidden from) the wrong places. */
		(void)umount2(m.dir, MNT_DETACH);
		errno = e;
		die_errno("change propagation of %s", m.dir);
	}
	return out_done(0);
}
