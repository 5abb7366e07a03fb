/* initrd.h - the initrd wing (lib/initrd/): a legacy initrd image, the
 * root it names, /linuxrc and its real-root-dev stand-in under a seccomp
 * supervisor. Stands on media, mount, archive and base.
 */
#ifndef INITBOX_INITRD_H
#define INITBOX_INITRD_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/seccomp.h>
#include <sys/types.h>

#include "base/base.h"
#include "archive/archive.h"
#include "mount/mount.h"
#include "media/media.h"

/* --- initrd.c: host a legacy initrd from an initramfs, as the kernel's
 * handle_initrd did (and klibc's kinit emulates): the image unpacked onto
 * a tmpfs (or copied into a block device such as /dev/ram0) and mounted,
 * its /linuxrc run chrooted into it, and the real-root-dev it chose read
 * back, from the kernel's sysctl or, where the kernel has none (Linux >=
 * 7.0), from a stand-in given to linuxrc at the same path.
 * See docs/legacy-initrd.md.
 */

/* new_encode_dev(1, 0): "stay on the initrd" (Root_RAM0). */
enum { INITRD_ROOT_RAM0 = 0x100 };

struct initrd {
	/* request */
	const char *image;    /* the legacy image, maybe gzip/xz/zstd */
	const char *work;     /* a directory on a tmpfs for the copy */
	const char *dir;      /* where the image is mounted */
	const char *blockdev; /* copy into this device (e.g. /dev/ram0)
			       * instead of a file behind a loop device */
	/* result */
	enum codec_id codec; /* CODEC_NONE: not compressed */
	char type[16];	     /* the filesystem found in it */
	uint64_t bytes;	     /* uncompressed size, once unpacked */
	char copy[PATH_MAX]; /* the tmpfs file; "" once unlinked */
	char dev[64];	     /* the device mounted on dir */
	bool mounted;
	int flush_err;	  /* BLKFLSBUF on blockdev failed (initrd_place): its
			   * pages stay in memory */
	struct err err;	  /* what failed */
};

void initrd_init(struct initrd *r);
/* Open the image, detect its compression and probe the filesystem in it
 * (decompressing only its head). Changes nothing. */
int initrd_probe(struct initrd *r);
/* Decompress or copy the image into work/initrd.img (or r->blockdev). */
int initrd_unpack(struct initrd *r);
/* Mount it on r->dir, read-write as the kernel did (a loop device for the
 * copy, autoclear), then unlink the copy: the loop device holds it, and
 * its memory goes when the initrd is unmounted. */
int initrd_mount(struct initrd *r);
/* /linuxrc, resolved inside the image, is an executable regular file. */
int initrd_check_linuxrc(struct initrd *r);
/* Undo whatever initrd_unpack and initrd_mount did (lazy unmount, copy
 * removed, a block device's buffers flushed). */
void initrd_release(struct initrd *r);

/* An image file lying on the initramfs itself is unlinked (1): once its
 * copy is mounted it would only hold memory until switch_root deletes it.
 * 0 when it is elsewhere, -1 when it could not be removed. */
int initrd_drop_image(const struct initrd *r);

/* proc, sysfs, devtmpfs on /proc /sys /dev and a tmpfs on /run, each
 * unless something is mounted there already, then the directories DIRS
 * (NULL-terminated). On failure e says what failed ("mount proc on
 * /proc"). */
int initrd_api_mounts(const char *const *dirs, struct err *e);

/* The kernel command line's keys for the root, split in place by the
 * kernel's rules (base.h): root=LABEL="My Disk" is one word. */
struct initrd_cmdline {
	char buf[CMDLINE_MAX];
	const char *root, *fstype, *flags, *init, *delay; /* NULL if absent */
	bool rw; /* the last of "ro" and "rw" */
};
/* Read /proc/cmdline (c cleared first: on failure nothing is set). */
int initrd_cmdline_read(struct initrd_cmdline *c);

/* Read or write a real-root-dev file (the sysctl or a stand-in). Values
 * are read as proc_dointvec does: decimal, 0x hex or 0 octal. */
int initrd_rrd_get(const char *path, uint32_t *v);
int initrd_rrd_set(const char *path, uint32_t v);

/* The device root= names, as the kernel reads it (/dev/NAME, MAJ:MIN,
 * hex as in "0301" or "0x301") or as initramfs tools do (LABEL=, UUID=,
 * PARTUUID=). -1 with ENOENT when it is not there (yet), EINVAL for a
 * spec that names no device. */
int initrd_root_lookup(const char *spec, dev_t *dev);
/* The /dev node of block device DEV (name from /sys/dev/block/MAJ:MIN,
 * node made when missing). -1 with ENOENT while the kernel has none. */
int initrd_dev_path(dev_t dev, char *path, size_t len);

/* The real root, as the kernel's mount_root found and mounted it. */
struct initrd_root {
	/* request */
	const char *spec;  /* root= form; NULL: the device dev */
	dev_t dev;	   /* with no spec: what real-root-dev named */
	uint64_t wait_s;   /* how long to wait for it */
	const char *types; /* NULL: probed */
	const char *opts;  /* rootflags=, may be NULL */
	bool rw;	   /* else read-only, as the kernel mounts it */
	const char *dir;   /* where to mount it (made if missing) */
	/* result */
	char path[PATH_MAX]; /* its /dev node */
	char type[32];	     /* the type mounted */
	struct err err;	     /* what failed: "wait" (ETIMEDOUT: not there
			      * in time), "bad option X", "create the mount
			      * point", a mntdev step */
};
/* Wait up to q->wait_s for the device and its /dev node (q->dev, q->path
 * filled). */
int initrd_root_wait(struct initrd_root *q);
/* Mount q->path on q->dir with q->opts, ro unless q->rw. */
int initrd_root_mount(struct initrd_root *q);
/* The mounted image into NEWROOT/initrd if that directory exists (1),
 * else unmounted and a ram disk's buffers flushed (0; r->flush_err says
 * if that failed), as handle_initrd did. */
int initrd_place(struct initrd *r, const char *newroot);

/* The stand-in for /proc/sys/kernel: a tmpfs at dir holding
 * real-root-dev (a plain file) and, bound over same-named entries, every
 * other entry of the kernel's /proc/sys/kernel, so linuxrc's other
 * sysctl writes still reach the kernel. */
struct initrd_standin {
	char dir[PATH_MAX];
	char file[PATH_MAX]; /* dir/real-root-dev */
	dev_t dev;	     /* the tmpfs's st_dev */
	unsigned bound;	     /* kernel entries bound into it */
};
int initrd_standin_make(struct initrd_standin *s, const char *dir,
			uint32_t value, struct err *e);
/* Detach every copy of the stand-in (those given to linuxrc's proc
 * mounts too) and the stand-in itself. */
void initrd_standin_remove(struct initrd_standin *s);

/* Run /linuxrc as the kernel did: chrooted into root, in a new session,
 * argv {"linuxrc"}, environment HOME=/ TERM=linux, stdio inherited (PID
 * 1's, the console) or on console. With a stand-in, every proc mount
 * linuxrc makes is given the stand-in at sys/kernel before its mount(2)
 * returns (a seccomp user-notification supervisor), and a umount of such
 * a proc drops the stand-in first so it does not fail with EBUSY. Waits
 * for linuxrc, reaping any other child meanwhile (PID 1's orphans). */
struct initrd_run {
	const char *root;
	const char *console;		      /* NULL: stdio inherited */
	const struct initrd_standin *standin; /* NULL: none */
	/* result */
	pid_t pid;
	int status;	      /* linuxrc's wait status */
	unsigned proc_mounts; /* proc mounts given the stand-in */
	char emu_err[256];    /* the first failure to give one, "" if none */
	struct err err;	      /* what failed */
};
int initrd_run_linuxrc(struct initrd_run *x);

/* --- seccomp.c: the seccomp user-notification filter of the linuxrc
 * supervisor (initrd_linuxrc.c): mount(2) and umount2(2), native and, on
 * x86_64, i386 (an old initrd may hold 32-bit programs). One small
 * interface over the architecture-specific parts.
 */

/* Install the filter on the calling thread (no_new_privs already set);
 * returns the listener fd, -1 with errno (ENOSYS on an architecture the
 * filter does not know). */
int seccomp_mount_listener(void);
/* The notified call is a mount(2) (else an umount2(2)). */
bool seccomp_is_mount(const struct seccomp_data *d);

#endif
