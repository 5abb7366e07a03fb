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
 *               `blkid -p -o export` does (bytes >= 0x80 shown as M-x)
 *   -l          list every block device with its tags, as `blkid` does
 * Prints the device found. Ties: partitions before their whole disk,
 * removable before fixed before loop/ram devices, and one filesystem seen
 * twice (same TYPE and UUID) is tried once.
 *
 * exit: 0 found, 1 nothing matched in time or a failure, 2 usage
 *
 * Notes: devices come from /sys/class/block, superblocks are read directly
 * (lib/media/blkid.c: udf, iso9660, vfat, ext2/3/4, squashfs, erofs, btrfs, xfs),
 * a LABEL= matched by its raw bytes or udev's \xNN form, and
 * new devices are awaited through kernel uevents (NETLINK_KOBJECT_UEVENT)
 * or, where that socket is refused, by polling with back-off to 1 s.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "applet.h"

/* Say what media_scan met on the way, once per failure seen. */
static void scan_warn(const struct media *m, char *last, size_t len)
{
	char buf[ERR_STR_MAX];

	if (!m->warn.what[0] || !strcmp(last, m->warn.what))
		return;
	warn("%s", err_str(&m->warn, buf, sizeof(buf)));
	snprintf(last, len, "%s", m->warn.what);
}

/* blkid's safe_print: bytes >= 0x80 as M- and the low 7 bits, control
 * characters as ^X, the characters in esc after a backslash. A label is
 * matched by its raw bytes; this is only how it is shown. */
static void put_safe(const char *v, const char *esc)
{
	unsigned char c;

	for (; *v; v++) {
		c = (unsigned char)*v;
		if (c >= 0x80) {
			fputs("M-", stdout);
			c -= 0x80;
		}
		if (c < 0x20 || c == 0x7F) {
			putchar('^');
			c ^= 0x40;
		} else if (strchr(esc, c)) {
			putchar('\\');
		}
		putchar(c);
	}
}

/* blkid's export format: shell-safe backslash escapes */
static void put_export(const char *key, const char *v)
{
	if (!*v)
		return;
	printf("%s=", key);
	put_safe(v, " \\\"'$`<>");
	putchar('\n');
}

static int probe_mode(const char *path)
{
	struct blkid_info bi;

	if (media_probe(path, &bi) < 0 && !bi.partuuid[0]) {
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
	put_safe(v, "\"\\");
	putchar('"');
}

static int list_mode(struct media *f)
{
	struct blkid_info bi;
	size_t i, shown = 0;

	if (media_candidates(f) < 0)
		die_errno("list block devices");
	for (i = 0; i < f->n_devs; i++) {
		if (media_probe(media_path(f, i), &bi) < 0 && !bi.partuuid[0])
			continue;
		printf("%s:", media_path(f, i));
		put_tag("LABEL", bi.label);
		put_tag("UUID", bi.uuid);
		put_tag("TYPE", bi.type);
		put_tag("PARTUUID", bi.partuuid);
		putchar('\n');
		shown++;
	}
	return out_done(shown ? 0 : 1);
}

/* Called through the applet table (applets/initbox.c, generated). */
int findmedia_main(int argc, char **argv);

int findmedia_main(int argc, char **argv)
{
	struct media st, *f = &st;
	struct blkid_info bi;
	struct devs_wait w;
	struct opt o;
	const char *found, *probe = NULL, *mount_dir = NULL;
	char last[sizeof(f->warn.what)] = "";
	uint64_t deadline, timeout = 0;
	bool list = false, said = false, rw = false;
	int c;

	memset(f, 0, sizeof(*f));
	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "t:m:wd:p:l", NULL)) != -1) {
		switch (c) {
		case 't':
			if (num_u64(o.arg, 86400, &timeout) < 0)
				die_usage("bad timeout '%s'", o.arg);
			break;
		case 'm':
			mount_dir = o.arg;
			break;
		case 'w':
			rw = true;
			break;
		case 'd':
			if (f->n_only == MEDIA_MAX_ONLY)
				die_usage("more than %d -d devices",
					  MEDIA_MAX_ONLY);
			f->only[f->n_only++] = o.arg;
			break;
		case 'p':
			probe = o.arg;
			break;
		case 'l':
			list = true;
			break;
		default:
			die_opt(&o, c);
		}
	}
	if (probe || list) {
		if (o.ind != argc)
			die_usage("-p and -l take no SPEC");
		return probe ? probe_mode(probe) : list_mode(f);
	}
	if (o.ind + 1 != argc)
		die_usage(o.ind == argc ? "missing SPEC" : "too many operands");
	if (media_parse(f, argv[o.ind]) < 0)
		die_usage("bad SPEC '%s': expected LABEL=, UUID=, PARTUUID=, TYPE=, file=/PATH or a device path",
			  argv[o.ind]);
	f->need_fs = mount_dir;

	devs_wait_init(&w);
	deadline = devs_now_ms() + timeout * 1000;
	while (!(found = media_scan(f, &bi))) {
		scan_warn(f, last, sizeof(last));
		if (devs_now_ms() >= deadline)
			break;
		if (!said) {
			warn("waiting up to %llu s for %s",
			     (unsigned long long)timeout, f->spec);
			said = true;
		}
		(void)devs_wait_next(&w, deadline); /* then rescan anyway */
	}
	devs_wait_end(&w);
	if (!found) {
		if (timeout)
			die("no device matches %s (waited %llu s)", f->spec,
			    (unsigned long long)timeout);
		die("no device matches %s", f->spec);
	}
	scan_warn(f, last, sizeof(last));
	if (mount_dir) {
		struct mntdev md = {.source = found, .dir = mount_dir,
				    .types = media_mount_types(bi.type),
				    .flags = rw ? 0 : MS_RDONLY};

		if (mntdev_mount(&md) < 0) {
			/* mount(2)'s ENODEV is "no such filesystem type":
			 * the device is there, its driver is not */
			if (errno == ENODEV && !mntdev_fs_known(md.type))
				die("mount %s on %s: the %s driver did not load (no %s in /proc/filesystems)", found, mount_dir, md.type, md.type);
			die_errno("mount %s (%s) on %s", found, bi.type, mount_dir);
		}
		if (md.read_only && rw)
			warn("%s: write-protected, mounted read-only", found);
	}
	printf("%s\n", found);
	return out_done(0);
}
