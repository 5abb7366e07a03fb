/* mntopt.c - mount option strings to MS_* flags and filesystem data.
 *
 * The names and their flags are util-linux's (libmount/src/optmap.c). The
 * atime options exclude each other: the kernel reads MS_NOATIME before
 * MS_STRICTATIME and ignores MS_RELATIME unless remounting, so the last
 * one named must be the only one left set.
 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "base/base.h"
#include "mount.h"

#define ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

static const struct flag_opt {
	const char *name;
	unsigned long set, clear;
} flag_opts[] = {
    {"ro", MS_RDONLY, 0},
    {"rw", 0, MS_RDONLY},
    {"nosuid", MS_NOSUID, 0},
    {"suid", 0, MS_NOSUID},
    {"nodev", MS_NODEV, 0},
    {"dev", 0, MS_NODEV},
    {"noexec", MS_NOEXEC, 0},
    {"exec", 0, MS_NOEXEC},
    {"sync", MS_SYNCHRONOUS, 0},
    {"async", 0, MS_SYNCHRONOUS},
    {"dirsync", MS_DIRSYNC, 0},
    {"remount", MS_REMOUNT, 0},
    {"mand", MS_MANDLOCK, 0},
    {"nomand", 0, MS_MANDLOCK},
    {"noatime", MS_NOATIME, ATIME_FLAGS & ~MS_NOATIME},
    {"atime", 0, MS_NOATIME},
    {"relatime", MS_RELATIME, ATIME_FLAGS & ~MS_RELATIME},
    {"norelatime", 0, MS_RELATIME},
    {"strictatime", MS_STRICTATIME, ATIME_FLAGS & ~MS_STRICTATIME},
    {"nostrictatime", 0, MS_STRICTATIME},
    {"nodiratime", MS_NODIRATIME, 0},
    {"diratime", 0, MS_NODIRATIME},
    {"lazytime", MS_LAZYTIME, 0},
    {"nolazytime", 0, MS_LAZYTIME},
    {"silent", MS_SILENT, 0},
    {"loud", 0, MS_SILENT},
    {"iversion", MS_I_VERSION, 0},
    {"noiversion", 0, MS_I_VERSION},
    {"nosymfollow", MS_NOSYMFOLLOW, 0},
    {"symfollow", 0, MS_NOSYMFOLLOW},
    {"bind", MS_BIND, 0},
    {"rbind", MS_BIND | MS_REC, 0},
    {"move", MS_MOVE, 0},
};

static const struct prop_opt {
	const char *name;
	unsigned long prop;
} prop_opts[] = {
    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

/* Meaningful to fstab and mount(8) only; passed to the kernel they are
 * "unknown parameter" errors. Matched without a value ("user=bob" is a
 * cifs option). */
static const char *const dropped[] = {
    "defaults", "auto",	 "noauto", "user",   "nouser",
    "users",	"owner", "group",  "nofail", "_netdev",
};

void mntopt_init(struct mntopt *m)
{
	memset(m, 0, sizeof(*m));
}

static bool is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && !memcmp(s, name, n);
}

static int refuse(struct mntopt *m, const char *s, size_t n, int err)
{
	/* the option as given, cut to fit: it is only shown */
	return err_set(&m->err, err, "%.*s", n > 64 ? 64 : (int)n, s);
}

static int size_value(struct mntopt *m, const char *s, size_t n,
		      const char *val, size_t vn, uint64_t *out)
{
	char buf[32];

	if (vn == 0 || vn >= sizeof(buf))
		return refuse(m, s, n, EINVAL);
	memcpy(buf, val, vn);
	buf[vn] = '\0';
	if (num_size(buf, out) < 0)
		return refuse(m, s, n, errno);
	return 0;
}

static int add_data(struct mntopt *m, const char *s, size_t n)
{
	size_t used = strlen(m->data);
	size_t need = used + (used ? 1 : 0) + n;

	if (need >= sizeof(m->data))
		return refuse(m, s, n, E2BIG);
	if (used)
		m->data[used++] = ',';
	memcpy(m->data + used, s, n);
	m->data[used + n] = '\0';
	return 0;
}

static int one(struct mntopt *m, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	size_t name = eq ? (size_t)(eq - s) : n, vn = eq ? n - name - 1 : 0;
	size_t i;

	if (n >= 2 && (s[0] == 'x' || s[0] == 'X') && s[1] == '-')
		return 0;
	if (!eq) {
		for (i = 0; i < ARRAY_SIZE(flag_opts); i++) {
			if (!is(s, n, flag_opts[i].name))
				continue;
			m->flags =
			    (m->flags & ~flag_opts[i].clear) | flag_opts[i].set;
			m->clear =
			    (m->clear & ~flag_opts[i].set) | flag_opts[i].clear;
			return 0;
		}
		for (i = 0; i < ARRAY_SIZE(prop_opts); i++) {
			if (is(s, n, prop_opts[i].name)) {
				m->prop = prop_opts[i].prop;
				return 0;
			}
		}
		for (i = 0; i < ARRAY_SIZE(dropped); i++)
			if (is(s, n, dropped[i]))
				return 0;
		if (is(s, n, "loop")) {
			m->loop = true;
			m->loop_dev[0] = '\0';
			return 0;
		}
		return add_data(m, s, n);
	}
	if (is(s, name, "comment"))
		return 0;
	if (is(s, name, "loop")) {
		if (vn == 0 || vn >= sizeof(m->loop_dev))
			return refuse(m, s, n, EINVAL);
		m->loop = true;
		memcpy(m->loop_dev, eq + 1, vn);
		m->loop_dev[vn] = '\0';
		return 0;
	}
	if (is(s, name, "offset")) {
		m->has_offset = true;
		return size_value(m, s, n, eq + 1, vn, &m->offset);
	}
	if (is(s, name, "sizelimit")) {
		m->has_sizelimit = true;
		return size_value(m, s, n, eq + 1, vn, &m->sizelimit);
	}
	return add_data(m, s, n);
}

int mntopt_parse(struct mntopt *m, const char *opts)
{
	const char *p = opts, *s;
	bool quoted;

	while (*p) {
		s = p;
		quoted = false;
		for (; *p && (quoted || *p != ','); p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (*p == '\\' && p[1])
				p++;
		}
		if (quoted)
			return refuse(m, s, (size_t)(p - s), EINVAL);
		if (p > s && one(m, s, (size_t)(p - s)) < 0)
			return -1;
		if (*p == ',')
			p++;
	}
	return 0;
}

unsigned long mntopt_from_statvfs(unsigned long f)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
	    {ST_RDONLY, MS_RDONLY},
	    {ST_NOSUID, MS_NOSUID},
	    {ST_NODEV, MS_NODEV},
	    {ST_NOEXEC, MS_NOEXEC},
	    {ST_SYNCHRONOUS, MS_SYNCHRONOUS},
	    {ST_NOATIME, MS_NOATIME},
	    {ST_NODIRATIME, MS_NODIRATIME},
	    {ST_RELATIME, MS_RELATIME},
	    {ST_NOSYMFOLLOW, MS_NOSYMFOLLOW},
	};
	unsigned long ms = 0;
	size_t i;

	/* ST_MANDLOCK is not carried: kernels since 5.15 warn about
	 * MS_MANDLOCK on every remount that passes it. */
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (f & map[i].st)
			ms |= map[i].ms;
	return ms;
}

unsigned long mntopt_flags(const struct mntopt *m, unsigned long base)
{
	if (!(m->flags & MS_REMOUNT))
		return m->flags;
	return (base & ~m->clear) | m->flags;
}
