/* media.h - the media wing (lib/media/): superblock and partition-table
 * probing, block devices and their uevents, findmedia's search, mounting a
 * device or image by its probed type. Stands on mount and base.
 */
#ifndef INITBOX_MEDIA_H
#define INITBOX_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/base.h"
#include "mount/mount.h"

/* --- blkid.c: superblock probing: TYPE, LABEL, UUID and PARTUUID as
 * util-linux blkid prints them (blkid -p -o export).
 *
 * Recognised: udf, iso9660, vfat (FAT12/16/32), ext2/ext3/ext4, squashfs,
 * erofs, btrfs, xfs. LABEL holds the raw bytes (UTF-8 where the filesystem
 * stores UTF-16 or Latin-1). PARTUUID: the GPT partition entry GUID or the MBR
 * "disksig-NN" of a partition block device (found through sysfs).
 */

struct blkid_info {
	char type[16];	   /* "ext4", "squashfs", "iso9660", "vfat", ... */
	char label[256];   /* as blkid prints LABEL=, "" if none */
	char uuid[64];	   /* as blkid prints UUID=, "" if none */
	char partuuid[64]; /* PARTUUID of a partition, "" if none */
};

/* Probe the filesystem on fd (block device or image file).
 * 0 with bi filled; -1 with errno ENODATA when nothing is recognised,
 * or another errno on a read error. Never allocates from header fields.
 * On ENODATA, partuuid is still filled for a partition without a known
 * filesystem. */
int blkid_probe(int fd, struct blkid_info *bi);

/* the kernel's "gpt" parameter: a GPT without a protective MBR is read,
 * and its backup header where the primary is invalid */
enum { BLKID_FORCE_GPT = 1 };

/* PARTUUID of partition number PARTNO (1-based) in the partition table on
 * disk_fd (a whole disk or an image file), into out (>= 37 bytes), read
 * as the kernel reads the table (block/partitions/efi.c, msdos.c); flags
 * 0 or BLKID_FORCE_GPT. 0 ok; -1 with ENODATA when there is no table or
 * no such partition. */
int blkid_partuuid(int disk_fd, unsigned partno, unsigned flags, char *out,
		   size_t len);

/* --- devs.c: block devices for finding boot media: enumeration from
 * /sys/class/block in tie-breaking order, /dev nodes created when devtmpfs
 * has none, and bounded waiting for new devices (kernel uevents, else
 * polling with back-off).
 */

enum devs_class {
	DEVS_REMOVABLE, /* removable flag, a CD (sr*), or on USB */
	DEVS_FIXED,
	DEVS_VIRTUAL, /* loop, ram, zram: images, tried last */
};

struct devs_ent {
	char name[32]; /* kernel name: "vda1", "sr0", "loop3" */
	char path[48]; /* "/dev/vda1" */
	char disk[32]; /* its whole disk ("vda" for vda1, itself for a disk) */
	unsigned partno; /* 0 for a whole disk */
	dev_t devno;
	uint64_t size; /* bytes */
	enum devs_class cls;
};

/* The block devices with a nonzero size, in the order media are tried:
 * removable before fixed before virtual; disks by name (version order);
 * a disk's partitions (by number) before the disk itself. Creates a
 * missing /dev node (mknod). Stores at most max entries, *n = how many. */
int devs_scan(struct devs_ent *v, size_t max, size_t *n);

/* Make /dev/NAME a block node for devno if it does not exist. */
int devs_node(const char *path, dev_t devno);

/* Waiting for devices: a NETLINK_KOBJECT_UEVENT socket when the kernel
 * lets us open one (nl >= 0), else plain sleeps. Either way the caller
 * rescans after each wait, at most every delay_ms (100 ms doubling to
 * 1 s), and at once when a block-device uevent arrives. */
struct devs_wait {
	int nl;
	unsigned delay_ms;
};
void devs_wait_init(struct devs_wait *w);
/* Wait until a block uevent, the back-off interval, or deadline_ms (on
 * devs_now_ms()'s clock), whichever comes first. 1 when a block uevent was
 * seen, 0 otherwise. */
int devs_wait_next(struct devs_wait *w, uint64_t deadline_ms);
void devs_wait_end(struct devs_wait *w);
/* Read every uevent queued on the socket fd; 1 if one had the field key
 * ("SUBSYSTEM=block"; a key ending in '=' matches any value, "MODALIAS=")
 * or some were lost (the receive buffer overflowed: ENOBUFS), else 0. */
int devs_drain(int fd, const char *key);
/* CLOCK_MONOTONIC in milliseconds. */
uint64_t devs_now_ms(void);

/* --- media.c: find a boot medium: a SPEC (LABEL=, UUID=, PARTUUID=, TYPE=,
 * file=PATH, a device path) matched against the block devices (or a
 * given list) by their superblocks. Used by findmedia.
 */

enum { MEDIA_MAX_DEVS = 256, MEDIA_MAX_ONLY = 16 };
enum media_key {
	MEDIA_LABEL,
	MEDIA_UUID,
	MEDIA_PARTUUID,
	MEDIA_TYPE,
	MEDIA_FILE,
	MEDIA_PATH
};

struct media {
	/* request */
	enum media_key key;
	const char *spec, *val; /* val: the value after KEY=, unescaped */
	char unesc[256];
	bool need_fs; /* a device path must hold a known filesystem (it is
		       * to be mounted; a CD drive exists before its disc) */
	const char *only[MEDIA_MAX_ONLY]; /* candidates; none: every device */
	size_t n_only;
	/* work */
	struct devs_ent devs[MEDIA_MAX_DEVS];
	size_t n_devs;
	struct {
		char type[16], uuid[64];
	} seen[MEDIA_MAX_DEVS];
	size_t n_seen;
	/* A failure on the way that did not end the search (media_scan);
	 * warn.what "" if none. */
	struct err warn;
};

/* Set m->key and m->val from SPEC; -1 with EINVAL when it is none of the
 * forms. udev's /dev/disk/by-label/... names are used as paths when they
 * exist, else read as LABEL= (and so on), \xNN escapes undone; a value
 * in double quotes loses them. */
int media_parse(struct media *m, const char *spec);
/* The candidates: m->only, or every block device (devs_scan). */
int media_candidates(struct media *m);
/* Candidate I's path: an -d path as given (image paths outgrow
 * devs_ent's /dev names), else the block device's. */
const char *media_path(const struct media *m, size_t i);
/* Probe one candidate: 0 with bi filled; -1 when it holds no known
 * filesystem (ENODATA) or cannot be read now (bi->partuuid may still be
 * set). */
int media_probe(const char *path, struct blkid_info *bi);
/* One pass over the candidates: the first match (bi filled), or NULL. */
const char *media_scan(struct media *m, struct blkid_info *bi);
/* The device number of the block device a LABEL=, UUID= or PARTUUID=
 * SPEC names, chosen as findmedia chooses (one pass, no waiting): 0, or
 * -1 with ENOENT when none matches now, EINVAL for another form of SPEC.
 * For initrd-host's root= and blockdev --set-real-root. */
int media_devno(const char *spec, dev_t *dev);

/* The types to mount a medium of TYPE with (mntdev's comma list): a UDF
 * disc falls back to its ISO 9660 bridge on a kernel without udf. */
const char *media_mount_types(const char *type);

/* --- mntdev.c: mount a block device or an image file by a given or probed
 * type: images through an autoclear loop device, a write-protected medium
 * read-only, and nothing left attached when the mount fails. */

struct mntdev {
	/* request */
	const char *source; /* device or image file */
	const char *dir;
	const char *types;    /* NULL or "auto": probe; else "a,b" in order */
	unsigned long flags;  /* MS_* */
	const char *data;     /* filesystem options, may be NULL */
	bool loop;	      /* a loop device even for a block device */
	const char *loop_dev; /* that loop device, NULL for a free one */
	uint64_t offset, sizelimit;
	/* result */
	char type[32];	    /* the type mounted, or the last one tried */
	char loop_name[64]; /* the loop device used, "" if none */
	bool read_only;	    /* mounted read-only as the medium is */
	struct err err;	    /* on failure, what: "stat source", a loop_setup
			     * step, "probe" (ENODATA: nothing known;
			     * ENOTBLK: nothing to probe), "mount" */
};

/* 0 when mounted; -1 with errno and m->err. A loop device made here
 * lives exactly as long as the mount. */
int mntdev_mount(struct mntdev *m);
/* TYPE is listed in /proc/filesystems (true too when that cannot be
 * read: then mount(2) is left to say). */
bool mntdev_fs_known(const char *type);

#endif
