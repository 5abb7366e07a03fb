/* blkid.h - superblock probing: TYPE, LABEL, UUID and PARTUUID as
 * util-linux blkid prints them (blkid -p -o export).
 *
 * Recognised: udf, iso9660, vfat (FAT12/16/32), ext2/ext3/ext4, squashfs,
 * erofs, btrfs, xfs. LABEL holds the raw bytes (UTF-8 where the filesystem
 * stores UTF-16 or Latin-1). PARTUUID: the GPT partition entry GUID or the MBR
 * "disksig-NN" of a partition block device (found through sysfs).
 */
#ifndef INITBOX_BLKID_H
#define INITBOX_BLKID_H

#include <stddef.h>
#include <stdint.h>

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

#endif
