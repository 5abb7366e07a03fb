/* findmedia - find the boot medium by label, UUID, type or a file on it
 *
 * usage: findmedia [-t SECONDS] [-m DIR [-w]] [-d DEV]... SPEC
 *        findmedia -p DEV|FILE
 *        findmedia -l [-d DEV]...
 *   SPEC is LABEL=L, UUID=U, PARTUUID=P, TYPE=T, a device path (also
 *   /dev/disk/by-label/L and the like, without udev), or file=PATH: the
 *   medium that holds PATH (each candidate is mounted read-only in a
 *   private directory to look).
 *   -t SECONDS  wait up to SECONDS for a matching device (default 0:
 *               look once); says once that it is waiting
 *   -m DIR      mount the medium found on DIR (read-only, by probed type)
 *   -w          with -m, mount read-write
 *   -d DEV      consider only DEV (a block device or an image file);
 *               repeatable, up to 16
 *   -p          print TYPE, LABEL, UUID and PARTUUID of DEV|FILE as
 *               `blkid -p -o export` does
 *   -l          list every block device with its tags, as `blkid` does
 * Prints the device found. Ties: partitions before their whole disk,
 * removable before fixed before loop/ram devices, and one filesystem seen
 * twice (same TYPE and UUID) is tried once.
 *
 * exit: 0 found, 1 nothing matched in time or a failure, 2 usage
 *
 * Notes: devices come from /sys/class/block, superblocks are read directly
 * (lib/blkid.c: iso9660, vfat, ext2/3/4, squashfs, erofs, btrfs, xfs), and
 * new devices are awaited through kernel uevents (NETLINK_KOBJECT_UEVENT)
 * or, where that socket is refused, by polling with back-off to 1 s.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "initbox.h"

enum { MAX_DEVS = 256, MAX_ONLY = 16 };
enum key { K_LABEL, K_UUID, K_PARTUUID, K_TYPE, K_FILE, K_PATH };

struct fm {
	enum key key;
	const char *spec, *val;
	char unesc[256];
	uint64_t timeout;
	const char *mount_dir;
	bool rw;
	const char *only[MAX_ONLY];
	size_t n_only;
	struct devs_ent devs[MAX_DEVS];
	size_t n_devs;
	struct {
		char type[16], uuid[64];
	} seen[MAX_DEVS];
	size_t n_seen;
};

/* udev's by-label names escape bytes as \xNN */
static void unescape(const char *s, char *out, size_t len)
{
	size_t o = 0;
	uint64_t v;
	char hex[3];

	for (; *s && o + 1 < len; s++) {
		hex[0] = s[0] == '\\' && s[1] == 'x' ? s[2] : '\0';
		hex[1] = hex[0] ? s[3] : '\0';
		hex[2] = '\0';
		if (hex[1] && num_scan_hex(hex, &v) == hex + 2) {
			out[o++] = (char)v;
			s += 3;
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

static void parse_spec(struct fm *f, const char *spec)
{
	static const struct {
		const char *pfx;
		enum key key;
	} forms[] = {
	    {"LABEL=", K_LABEL},
	    {"UUID=", K_UUID},
	    {"PARTUUID=", K_PARTUUID},
	    {"TYPE=", K_TYPE},
	    {"file=", K_FILE},
	    {"/dev/disk/by-label/", K_LABEL},
	    {"/dev/disk/by-uuid/", K_UUID},
	    {"/dev/disk/by-partuuid/", K_PARTUUID},
	};
	size_t i, n;

	f->spec = spec;
	for (i = 0; i < ARRAY_SIZE(forms); i++) {
		n = strlen(forms[i].pfx);
		if (strncmp(spec, forms[i].pfx, n))
			continue;
		if (forms[i].pfx[0] == '/' && access(spec, F_OK) == 0)
			break; /* udev made the link: use it as a path */
		f->key = forms[i].key;
		unescape(spec + n, f->unesc, sizeof(f->unesc));
		n = strlen(f->unesc);
		/* LABEL="my label" as written in fstab or on a cmdline */
		if (n >= 2 && f->unesc[0] == '"' && f->unesc[n - 1] == '"') {
			memmove(f->unesc, f->unesc + 1, n - 2);
			f->unesc[n - 2] = '\0';
		}
		f->val = f->unesc;
		if (!*f->val || (f->key == K_FILE && *f->val != '/'))
			break;
		return;
	}
	if (i == ARRAY_SIZE(forms) && spec[0] == '/') {
		f->key = K_PATH;
		f->val = spec;
		return;
	}
	die_usage("bad SPEC '%s': expected LABEL=, UUID=, PARTUUID=, TYPE=, "
		  "file=/PATH or a device path",
		  spec);
}

/* Probe one candidate; 0 with bi filled, -1 when it has no known fs or
 * cannot be read now (no medium in a CD drive, gone meanwhile). */
static int probe_path(const char *path, struct blkid_info *bi)
{
	int fd, rc, e;

	memset(bi, 0, sizeof(*bi));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	rc = blkid_probe(fd, bi);
	e = errno;
	(void)close(fd); /* read-only */
	errno = e;
	return rc;
}

static bool tag_match(const struct fm *f, const struct blkid_info *bi)
{
	switch (f->key) {
	case K_LABEL:
		return !strcmp(bi->label, f->val);
	case K_UUID:
		return bi->uuid[0] && !strcasecmp(bi->uuid, f->val);
	case K_PARTUUID:
		return bi->partuuid[0] && !strcasecmp(bi->partuuid, f->val);
	case K_TYPE:
		return !strcmp(bi->type, f->val);
	default:
		return true;
	}
}

/* Mount path read-only by its type (through a loop device for an image
 * file); returns the loop fd to close after umount, or -2 for a block
 * device, -1 on failure. */
static int mount_fs(const char *path, const char *type, const char *dir,
		    bool rw)
{
	struct loop_conf lc = {.read_only = true, .autoclear = true};
	char dev[64];
	struct stat st;
	int lfd = -2;

	if (stat(path, &st) < 0)
		return -1;
	if (S_ISREG(st.st_mode)) {
		lc.read_only = !rw;
		lfd = loop_attach(path, &lc, dev, sizeof(dev));
		if (lfd < 0)
			return -1;
		path = dev;
	}
	if (mount(path, dir, type, rw ? 0 : MS_RDONLY, NULL) < 0) {
		int e = errno;

		if (lfd >= 0) {
			(void)loop_clear(lfd); /* undo our own attach */
			(void)close(lfd);
		}
		errno = e;
		return -1;
	}
	return lfd;
}

/* file=PATH: mount in a private directory and look. */
static bool holds_file(const struct fm *f, const char *path,
		       const struct blkid_info *bi)
{
	char tmpl[] = "/run/initbox/findmedia.XXXXXX";
	char tmpl2[] = "/tmp/findmedia.XXXXXX";
	char full[4096];
	struct stat st;
	char *dir;
	bool found;
	int lfd;

	(void)mkdir("/run/initbox", 0755); /* may exist; mkdtemp decides */
	dir = mkdtemp(tmpl);
	if (!dir)
		dir = mkdtemp(tmpl2);
	if (!dir) {
		warn_errno("create a directory to look into %s", path);
		return false;
	}
	lfd = mount_fs(path, bi->type, dir, false);
	if (lfd == -1) {
		(void)rmdir(dir); /* empty: we just made it */
		return false;
	}
	snprintf(full, sizeof(full), "%s%s", dir, f->val);
	found = lstat(full, &st) == 0;
	if (umount2(dir, MNT_DETACH) < 0)
		warn_errno("unmount %s from %s", path, dir);
	else
		(void)rmdir(dir); /* empty again */
	if (lfd >= 0)
		(void)close(lfd); /* autoclear detaches it now */
	return found;
}

/* The candidates: -d's list, or every block device. */
static int candidates(struct fm *f)
{
	size_t i;

	if (!f->n_only)
		return devs_scan(f->devs, MAX_DEVS, &f->n_devs);
	for (i = 0; i < f->n_only; i++) {
		memset(&f->devs[i], 0, sizeof(f->devs[i]));
		snprintf(f->devs[i].path, sizeof(f->devs[i].path), "%s",
			 f->only[i]);
	}
	f->n_devs = f->n_only;
	return 0;
}

static bool seen_before(struct fm *f, const struct blkid_info *bi)
{
	size_t i;

	if (!bi->uuid[0])
		return false;
	for (i = 0; i < f->n_seen; i++)
		if (!strcmp(f->seen[i].type, bi->type) &&
		    !strcmp(f->seen[i].uuid, bi->uuid))
			return true;
	if (f->n_seen < MAX_DEVS) {
		memcpy(f->seen[f->n_seen].type, bi->type, sizeof(bi->type));
		memcpy(f->seen[f->n_seen].uuid, bi->uuid, sizeof(bi->uuid));
		f->n_seen++;
	}
	return false;
}

/* One pass over the candidates; the matching path or NULL. */
static const char *scan_once(struct fm *f, struct blkid_info *bi)
{
	struct stat st;
	size_t i;

	if (f->key == K_PATH) {
		if (stat(f->val, &st) < 0 ||
		    (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)))
			return NULL;
		/* with -m it must be readable with a known fs: a CD drive
		 * may exist before its medium does */
		if (probe_path(f->val, bi) < 0 && f->mount_dir)
			return NULL;
		return f->val;
	}
	if (candidates(f) < 0) {
		warn_errno("list block devices");
		return NULL;
	}
	f->n_seen = 0;
	for (i = 0; i < f->n_devs; i++) {
		const char *p = f->devs[i].path;

		if (probe_path(p, bi) < 0 && f->key != K_PARTUUID)
			continue;
		if (!tag_match(f, bi) || seen_before(f, bi))
			continue;
		if (f->key == K_FILE && !holds_file(f, p, bi))
			continue;
		return p;
	}
	return NULL;
}

/* blkid's export format: shell-safe backslash escapes */
static void put_export(const char *key, const char *v)
{
	if (!*v)
		return;
	printf("%s=", key);
	for (; *v; v++) {
		if (strchr(" \\\"'$`<>", *v))
			putchar('\\');
		putchar(*v);
	}
	putchar('\n');
}

static int probe_mode(const char *path)
{
	struct blkid_info bi;

	if (probe_path(path, &bi) < 0 && !bi.partuuid[0]) {
		if (errno == ENODATA)
			die("probe %s: no known filesystem", path);
		die_errno("probe %s", path);
	}
	printf("DEVNAME=%s\n", path);
	put_export("LABEL", bi.label);
	put_export("UUID", bi.uuid);
	put_export("TYPE", bi.type);
	put_export("PARTUUID", bi.partuuid);
	return out_done(0);
}

static void put_tag(const char *key, const char *v)
{
	if (!*v)
		return;
	printf(" %s=\"", key);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			putchar('\\');
		putchar(*v);
	}
	putchar('"');
}

static int list_mode(struct fm *f)
{
	struct blkid_info bi;
	size_t i, shown = 0;

	if (candidates(f) < 0)
		die_errno("list block devices");
	for (i = 0; i < f->n_devs; i++) {
		if (probe_path(f->devs[i].path, &bi) < 0 && !bi.partuuid[0])
			continue;
		printf("%s:", f->devs[i].path);
		put_tag("LABEL", bi.label);
		put_tag("UUID", bi.uuid);
		put_tag("TYPE", bi.type);
		put_tag("PARTUUID", bi.partuuid);
		putchar('\n');
		shown++;
	}
	return out_done(shown ? 0 : 1);
}

int findmedia_main(int argc, char **argv)
{
	struct fm st, *f = &st;
	struct blkid_info bi;
	struct devs_wait w;
	struct opt o;
	const char *found, *probe = NULL;
	uint64_t deadline;
	bool list = false, said = false;
	int c, lfd;

	memset(f, 0, sizeof(*f));
	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "t:m:wd:p:l", NULL)) != -1) {
		switch (c) {
		case 't':
			if (num_u64(o.arg, 86400, &f->timeout) < 0)
				die_usage("bad timeout '%s'", o.arg);
			break;
		case 'm':
			f->mount_dir = o.arg;
			break;
		case 'w':
			f->rw = true;
			break;
		case 'd':
			if (f->n_only == MAX_ONLY)
				die_usage("more than %d -d devices", MAX_ONLY);
			f->only[f->n_only++] = o.arg;
			break;
		case 'p':
			probe = o.arg;
			break;
		case 'l':
			list = true;
			break;
		case ':':
			die_usage("option %s needs an argument", o.bad);
		default:
			die_usage("unknown option %s", o.bad);
		}
	}
	if (probe || list) {
		if (o.ind != argc)
			die_usage("-p and -l take no SPEC");
		return probe ? probe_mode(probe) : list_mode(f);
	}
	if (o.ind + 1 != argc)
		die_usage(o.ind == argc ? "missing SPEC" : "too many operands");
	parse_spec(f, argv[o.ind]);

	devs_wait_init(&w);
	deadline = devs_now_ms() + f->timeout * 1000;
	while (!(found = scan_once(f, &bi))) {
		if (devs_now_ms() >= deadline)
			break;
		if (!said) {
			warn("waiting up to %llu s for %s",
			     (unsigned long long)f->timeout, f->spec);
			said = true;
		}
		(void)devs_wait_next(&w, deadline); /* then rescan anyway */
	}
	devs_wait_end(&w);
	if (!found) {
		if (f->timeout)
			die("no device matches %s (waited %llu s)", f->spec,
			    (unsigned long long)f->timeout);
		die("no device matches %s", f->spec);
	}
	if (f->mount_dir) {
		lfd = mount_fs(found, bi.type, f->mount_dir, f->rw);
		if (lfd == -1)
			die_errno("mount %s (%s) on %s", found, bi.type,
				  f->mount_dir);
		if (lfd >= 0)
			(void)close(lfd); /* the mount holds the loop now */
	}
	printf("%s\n", found);
	return out_done(0);
}
