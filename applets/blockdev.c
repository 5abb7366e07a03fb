/* blockdev - block device ioctls, and the real root device for linuxrc
 *
 * usage: blockdev COMMAND... DEV
 *        blockdev --set-real-root SPEC
 *        blockdev --get-real-root
 *   --flushbufs   flush buffers (BLKFLSBUF); on a RAM disk (/dev/ramN)
 *                 also free its memory, as BLKFLSBUF once did
 *   --getsize64   size in bytes
 *   --getss       logical sector size
 *   --getro       1 if read-only, else 0
 *   --setro       set read-only
 *   --setrw       set read-write
 *   --rereadpt    re-read the partition table
 *   --set-real-root SPEC  write SPEC's device number to
 *                 /proc/sys/kernel/real-root-dev, as a linuxrc does;
 *                 SPEC is a device path, LABEL=, UUID=, PARTUUID= or
 *                 0xHEX (0x100 keeps the initrd as root)
 *   --get-real-root       print real-root-dev as 0xHEX
 * Several COMMANDs run in order on DEV, as util-linux does.
 *
 * exit: 0 ok, 1 failed, 2 usage
 *
 * Notes: real-root-dev exists only on kernels before 7.0 built with
 * CONFIG_BLK_DEV_INITRD (it was removed with linuxrc support). Where it is
 * missing, --set-real-root fails with "no /proc/sys/kernel/real-root-dev
 * (Linux >= 7.0 or no initrd support): pass root= instead", and an
 * initramfs hosting an old linuxrc should read the device from root=.
 * The value is in new_encode_dev format: (minor & 0xff) | major << 8 |
 * (minor & ~0xff) << 12.
 * brd's BLKFLSBUF no longer frees the RAM disk's pages (the ioctl went in
 * Linux 5.x); a discard of the whole device does from Linux 6.10, and only
 * with nobody else holding it: --flushbufs on a brd device opens it
 * exclusively (EBUSY while mounted) and discards it, which destroys its
 * data as the old BLKFLSBUF did. Older kernels keep the pages until
 * "rmmod brd": blockdev says so in a warning and, as util-linux, exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/fs.h>

#include "applet.h"

static const char real_root[] = "/proc/sys/kernel/real-root-dev";

enum { RAMDISK_MAJOR = 1 }; /* brd's block major */

/* Free a RAM disk's pages: the discard of all of it, on an exclusive
 * descriptor so that a mounted or otherwise held RAM disk is left alone. */
static void free_ramdisk(int fd, const char *dev)
{
	uint64_t range[2] = {0, 0};
	struct stat st;
	int w;

	if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode) ||
	    major(st.st_rdev) != RAMDISK_MAJOR)
		return;
	if (ioctl(fd, BLKGETSIZE64, &range[1]) < 0)
		die_errno("get size of %s", dev);
	w = open(dev, O_WRONLY | O_EXCL | O_CLOEXEC);
	if (w < 0 && errno == EBUSY) {
		warn("free the RAM disk %s: in use (mounted?): its memory stays", dev);
		return;
	}
	if (w < 0)
		die_errno("free the RAM disk %s: open", dev);
	if (ioctl(w, BLKDISCARD, range) < 0) {
		int e = errno;

		fd_close(w);
		if (e != EOPNOTSUPP && e != EINVAL) {
			errno = e;
			die_errno("free the RAM disk %s: discard", dev);
		}
		warn("free the RAM disk %s: this kernel's brd cannot (no discard before Linux 6.10): rmmod brd frees it", dev);
		return;
	}
	fd_close(w);
}

enum cmd { C_FLUSH, C_SIZE64, C_SS, C_GETRO, C_SETRO, C_SETRW, C_REREAD };

static const struct {
	const char *name;
	enum cmd cmd;
} cmds[] = {
    {"--flushbufs", C_FLUSH}, {"--getsize64", C_SIZE64}, {"--getss", C_SS},
    {"--getro", C_GETRO},     {"--setro", C_SETRO},	 {"--setrw", C_SETRW},
    {"--rereadpt", C_REREAD},
};

static void run(int fd, const char *dev, enum cmd c)
{
	uint64_t size;
	int v;

	switch (c) {
	case C_FLUSH:
		if (ioctl(fd, BLKFLSBUF, 0) < 0)
			die_errno("flush buffers of %s", dev);
		free_ramdisk(fd, dev);
		break;
	case C_SIZE64:
		if (ioctl(fd, BLKGETSIZE64, &size) < 0)
			die_errno("get size of %s", dev);
		printf("%llu\n", (unsigned long long)size);
		break;
	case C_SS:
		if (ioctl(fd, BLKSSZGET, &v) < 0)
			die_errno("get sector size of %s", dev);
		printf("%d\n", v);
		break;
	case C_GETRO:
		if (ioctl(fd, BLKROGET, &v) < 0)
			die_errno("get read-only flag of %s", dev);
		printf("%d\n", v ? 1 : 0);
		break;
	case C_SETRO:
	case C_SETRW:
		v = c == C_SETRO;
		if (ioctl(fd, BLKROSET, &v) < 0)
			die_errno("set %s %s", dev,
				  v ? "read-only" : "read-write");
		break;
	case C_REREAD:
		if (ioctl(fd, BLKRRPART, 0) < 0)
			die_errno("re-read the partition table of %s", dev);
		break;
	}
}

/* The device SPEC names, through findmedia's probing for tags. */
static unsigned long spec_devno(const char *spec)
{
	struct stat st;
	uint64_t n;
	dev_t dev;

	if (!strncmp(spec, "0x", 2)) {
		if (num_u64(spec, 0xFFFFFFFF, &n) < 0)
			die_usage("bad device number '%s'", spec);
		return (unsigned long)n;
	}
	if (spec[0] == '/') {
		if (stat(spec, &st) < 0)
			die_errno("find %s", spec);
		if (!S_ISBLK(st.st_mode))
			die("find %s: not a block device", spec);
		return (unsigned long)st.st_rdev;
	}
	if (strncmp(spec, "LABEL=", 6) && strncmp(spec, "UUID=", 5) &&
	    strncmp(spec, "PARTUUID=", 9))
		die_usage("bad SPEC '%s': expected a device path, LABEL=, UUID=, PARTUUID= or 0xHEX",
			  spec);
	if (media_devno(spec, &dev) < 0) {
		if (errno == ENOENT)
			die("no device matches %s", spec);
		die_errno("find %s", spec);
	}
	return (unsigned long)dev;
}

static int set_real_root(const char *spec)
{
	unsigned long d = spec_devno(spec);
	unsigned long enc;
	char buf[32];
	int fd, n;

	/* a raw 0xHEX is already encoded; a device number is not */
	if (!strncmp(spec, "0x", 2))
		enc = d;
	else
		enc = dev_encode((dev_t)d);
	fd = open(real_root, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		die("no %s (Linux >= 7.0 or no initrd support): pass root= instead",
		    real_root);
	if (fd < 0)
		die_errno("open %s", real_root);
	n = snprintf(buf, sizeof(buf), "%lu\n", enc);
	if (write(fd, buf, (size_t)n) != n) {
		fd_close(fd);
		die_errno("write %s", real_root);
	}
	if (close(fd) < 0)
		die_errno("write %s", real_root);
	return 0;
}

static int get_real_root(void)
{
	char buf[32];
	uint64_t v;
	ssize_t n;
	int fd;

	fd = open(real_root, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		die("no %s (Linux >= 7.0 or no initrd support)", real_root);
	if (fd < 0)
		die_errno("open %s", real_root);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		die_errno("read %s", real_root);
	fd_close(fd);
	if (n == 0)
		die("read %s: empty", real_root);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (num_u64(buf, 0xFFFFFFFF, &v) < 0)
		die("read %s: unexpected '%s'", real_root, buf);
	printf("0x%llx\n", (unsigned long long)v);
	return out_done(0);
}

/* Called through the applet table (applets/initbox.c, generated). */
int blockdev_main(int argc, char **argv);

int blockdev_main(int argc, char **argv)
{
	struct {
		enum cmd list[16];
		int n, fd;
		const char *dev;
	} s;
	size_t k;
	int i;

	memset(&s, 0, sizeof(s));
	if (argc == 3 && !strcmp(argv[1], "--set-real-root"))
		return set_real_root(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "--get-real-root"))
		return get_real_root();
	if (argc < 3)
		die_usage("missing COMMAND or DEV");
	for (i = 1; i < argc - 1; i++) {
		for (k = 0; k < ARRAY_SIZE(cmds); k++)
			if (!strcmp(argv[i], cmds[k].name))
				break;
		if (k == ARRAY_SIZE(cmds))
			die_usage("unknown command %s", argv[i]);
		if (s.n == (int)ARRAY_SIZE(s.list))
			die_usage("too many commands");
		s.list[s.n++] = cmds[k].cmd;
	}
	s.dev = argv[argc - 1];
	s.fd = open(s.dev, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (s.fd < 0)
		die_errno("open %s", s.dev);
	for (i = 0; i < s.n; i++)
		run(s.fd, s.dev, s.list[i]);
	fd_close(s.fd);
	return out_done(0);
}
