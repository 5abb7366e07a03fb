/* media.c - find a boot medium by SPEC among the block devices (see
 * media.h). Superblocks are read directly (blkid.c); file=PATH mounts each
 * candidate read-only in a private directory to look.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/cdrom.h>

#include "base/base.h"
#include "mount/mount.h"
#include "media.h"

static void note(struct media *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Keep the first failure met on the way; the search goes on. */
static void note(struct media *m, const char *fmt, ...)
{
	va_list ap;

	if (m->warn.what[0])
		return;
	va_start(ap, fmt);
	err_vset(&m->warn, errno, fmt, ap);
	va_end(ap);
}

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

int media_parse(struct media *m, const char *spec)
{
	static const struct {
		const char *pfx;
		enum media_key key;
	} forms[] = {
	    {"LABEL=", MEDIA_LABEL},
	    {"UUID=", MEDIA_UUID},
	    {"PARTUUID=", MEDIA_PARTUUID},
	    {"TYPE=", MEDIA_TYPE},
	    {"file=", MEDIA_FILE},
	    {"/dev/disk/by-label/", MEDIA_LABEL},
	    {"/dev/disk/by-uuid/", MEDIA_UUID},
	    {"/dev/disk/by-partuuid/", MEDIA_PARTUUID},
	};
	size_t i, n;

	m->spec = spec;
	for (i = 0; i < ARRAY_SIZE(forms); i++) {
		n = strlen(forms[i].pfx);
		if (strncmp(spec, forms[i].pfx, n))
			continue;
		if (forms[i].pfx[0] == '/' && access(spec, F_OK) == 0)
			break; /* udev made the link: use it as a path */
		m->key = forms[i].key;
		unescape(spec + n, m->unesc, sizeof(m->unesc));
		n = strlen(m->unesc);
		/* LABEL="my label" as written in fstab or on a cmdline */
		if (n >= 2 && m->unesc[0] == '"' && m->unesc[n - 1] == '"') {
			memmove(m->unesc, m->unesc + 1, n - 2);
			m->unesc[n - 2] = '\0';
		}
		m->val = m->unesc;
		if (!*m->val || (m->key == MEDIA_FILE && *m->val != '/'))
			break;
		return 0;
	}
	if (i == ARRAY_SIZE(forms) && spec[0] == '/') {
		m->key = MEDIA_PATH;
		m->val = spec;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

/* A CD drive with no disc (or its tray open) answers every read with an
 * error the kernel logs ("Medium not present"), and says so itself when
 * asked, as udev's cdrom_id asks. Other devices refuse the ioctl. A drive
 * "not ready" may be spinning a disc up: that one is probed. */
static bool drive_empty(int fd)
{
	int st = ioctl(fd, CDROM_DRIVE_STATUS, CDSL_CURRENT);

	return st == CDS_NO_DISC || st == CDS_TRAY_OPEN;
}

int media_probe(const char *path, struct blkid_info *bi)
{
	int fd, rc;

	memset(bi, 0, sizeof(*bi));
	/* O_NONBLOCK: a CD drive opens without a disc */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (drive_empty(fd)) {
		fd_close(fd);
		errno = ENOMEDIUM;
		return -1;
	}
	rc = blkid_probe(fd, bi);
	fd_close(fd);
	return rc;
}

static bool tag_match(const struct media *m, const struct blkid_info *bi)
{
	switch (m->key) {
	case MEDIA_LABEL:
		return !strcmp(bi->label, m->val);
	case MEDIA_UUID:
		return bi->uuid[0] && !strcasecmp(bi->uuid, m->val);
	case MEDIA_PARTUUID:
		return bi->partuuid[0] && !strcasecmp(bi->partuuid, m->val);
	case MEDIA_TYPE:
		return !strcmp(bi->type, m->val);
	default:
		return true;
	}
}

/* A UDF disc mounts as udf, as blkid and udev name it. Most carry an
 * ISO 9660 bridge too, which a kernel (or an initramfs) without udf still
 * reads: mntdev_mount tries the next type of the list on ENODEV. */
const char *media_mount_types(const char *type)
{
	return strcmp(type, "udf") ? type : "udf,iso9660";
}

/* file=PATH: mount in a private directory and look. */
static bool holds_file(struct media *m, const char *path,
		       const struct blkid_info *bi)
{
	char tmpl[] = "/run/initbox/findmedia.XXXXXX";
	char tmpl2[] = "/tmp/findmedia.XXXXXX";
	char full[4096];
	struct mntdev md = {.source = path,
			    .types = media_mount_types(bi->type),
			    .flags = MS_RDONLY};
	struct stat st;
	char *dir;
	bool found;

	(void)mkdir("/run/initbox", 0755); /* may exist; mkdtemp decides */
	dir = mkdtemp(tmpl);
	if (!dir)
		dir = mkdtemp(tmpl2);
	if (!dir) {
		note(m, "create a directory to look into %s", path);
		return false;
	}
	md.dir = dir;
	if (mntdev_mount(&md) < 0) {
		(void)rmdir(dir); /* empty: we just made it */
		return false;
	}
	found = (size_t)snprintf(full, sizeof(full), "%s%s", dir, m->val) <
		    sizeof(full) &&
		lstat(full, &st) == 0;
	if (umount2(dir, MNT_DETACH) < 0)
		note(m, "unmount %s from %s", path, dir);
	else
		(void)rmdir(dir); /* empty again */
	return found; /* a loop device went with the unmount (autoclear) */
}

int media_candidates(struct media *m)
{
	if (!m->n_only)
		return devs_scan(m->devs, MEDIA_MAX_DEVS, &m->n_devs);
	m->n_devs = m->n_only;
	return 0;
}

const char *media_path(const struct media *m, size_t i)
{
	return m->n_only ? m->only[i] : m->devs[i].path;
}

/* One filesystem seen through two devices (a disc and its partition, a
 * multipath disk) is tried once. */
static bool seen_before(struct media *m, const struct blkid_info *bi)
{
	size_t i;

	if (!bi->uuid[0])
		return false;
	for (i = 0; i < m->n_seen; i++)
		if (!strcmp(m->seen[i].type, bi->type) &&
		    !strcmp(m->seen[i].uuid, bi->uuid))
			return true;
	if (m->n_seen < MEDIA_MAX_DEVS) {
		memcpy(m->seen[m->n_seen].type, bi->type, sizeof(bi->type));
		memcpy(m->seen[m->n_seen].uuid, bi->uuid, sizeof(bi->uuid));
		m->n_seen++;
	}
	return false;
}

const char *media_scan(struct media *m, struct blkid_info *bi)
{
	struct stat st;
	size_t i;

	m->warn.what[0] = '\0';
	if (m->key == MEDIA_PATH) {
		if (stat(m->val, &st) < 0 ||
		    (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)))
			return NULL;
		if (media_probe(m->val, bi) < 0 && m->need_fs)
			return NULL;
		return m->val;
	}
	if (media_candidates(m) < 0) {
		note(m, "list block devices");
		return NULL;
	}
	m->n_seen = 0;
	for (i = 0; i < m->n_devs; i++) {
		const char *p = media_path(m, i);

		if (media_probe(p, bi) < 0 && m->key != MEDIA_PARTUUID)
			continue;
		if (!tag_match(m, bi) || seen_before(m, bi))
			continue;
		if (m->key == MEDIA_FILE && !holds_file(m, p, bi))
			continue;
		return p;
	}
	return NULL;
}

int media_devno(const char *spec, dev_t *dev)
{
	struct blkid_info bi;
	struct media *m;
	const char *p;
	struct stat st;
	int r = -1;

	/* struct media holds the whole device list: too big for PID 1's
	 * stack frames to carry around. */
	m = calloc(1, sizeof(*m));
	if (!m)
		return -1;
	if (media_parse(m, spec) < 0 ||
	    (m->key != MEDIA_LABEL && m->key != MEDIA_UUID &&
	     m->key != MEDIA_PARTUUID)) {
		errno = EINVAL;
		goto out;
	}
	p = media_scan(m, &bi);
	if (!p) {
		errno = ENOENT;
		goto out;
	}
	if (stat(p, &st) < 0)
		goto out;
	if (!S_ISBLK(st.st_mode)) {
		errno = ENOTBLK;
		goto out;
	}
	*dev = st.st_rdev;
	r = 0;
out:
	free(m);
	return r;
}
