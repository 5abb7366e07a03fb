/* verity.h - the verity wing (lib/verity/): dm-verity set up by initbox
 * itself, and the digests a medium check needs. Stands on base.
 *
 * Debian (and most distributions) build device-mapper as modules, so the
 * kernel's dm-mod.create= is not there to use: the initramfs talks to
 * /dev/mapper/control itself, with the three ioctls libdevmapper would
 * make (create, load a table, resume), and no library. The hash tree is
 * the one cryptsetup's "veritysetup format" writes: a 512-byte superblock
 * padded to a hash block, the tree right after it (cryptsetup
 * lib/verity/verity.c; Documentation/admin-guide/device-mapper/verity.rst).
 */
#ifndef INITBOX_VERITY_H
#define INITBOX_VERITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/base.h"

/* --- dm.c: the device-mapper ioctls (linux/dm-ioctl.h, interface 4) */

enum { DM_NAME_MAX = 127 };

struct dm_target {
	uint64_t start, len; /* in 512-byte sectors */
	const char *type;    /* "verity" */
	const char *params;  /* the target's table line */
};

/* The DM_TABLE_LOAD argument for one read-only target, into buf (at
 * least sizeof(struct dm_ioctl) bytes, 8-aligned): its size, 0 when the
 * name or the table does not fit len. Separate from the ioctl so that
 * the layout is tested without a kernel. */
size_t dm_pack_load(void *buf, size_t len, const char *name,
		    const struct dm_target *t);

/* /dev/mapper/control, read-write; ENOENT when dm-mod is not loaded. */
int dm_open(struct err *e);
/* Create NAME (no table yet). */
int dm_create(int ctl, const char *name, struct err *e);
/* Load t as NAME's one read-only target, then resume (activate) it;
 * *dev is the new device. */
int dm_activate(int ctl, const char *name, const struct dm_target *t,
		dev_t *dev, struct err *e);
/* Remove NAME; EBUSY while it is open (mounted). */
int dm_remove(int ctl, const char *name, struct err *e);
/* NAME's first target: its type and its status line (table: the table
 * line instead), into buf. */
int dm_status(int ctl, const char *name, bool table, char *type,
	      size_t tlen, char *buf, size_t len, struct err *e);

/* --- vsb.c: the verity superblock, the tree's size, the table line */

enum { VERITY_SB_SIZE = 512, VERITY_SALT_MAX = 256, VERITY_DIGEST_MAX = 64 };

struct verity_sb {
	uint32_t hash_type; /* 1: normal (0 is Chrome OS's) */
	char alg[32];	    /* "sha256" */
	uint32_t data_bsize, hash_bsize;
	uint64_t data_blocks;
	uint16_t salt_size;
	uint8_t salt[VERITY_SALT_MAX];
	uint8_t uuid[16];
};

/* Parse the 512 bytes at p; a what-and-why in e (no errno) for anything
 * a kernel would refuse or a tree this code cannot place. */
int verity_sb_parse(const void *p, size_t len, struct verity_sb *sb,
		    struct err *e);
/* The digest size of ALG in bytes, 0 for one this code does not know. */
unsigned verity_digest_size(const char *alg);
/* The hash blocks the tree of sb needs (without the superblock). */
uint64_t verity_tree_blocks(const struct verity_sb *sb);
/* The root hash as text, checked: hex digits, two per digest byte. */
int verity_root_check(const struct verity_sb *sb, const char *root,
		      struct err *e);

struct verity_table {
	const struct verity_sb *sb;
	dev_t data, hash;
	uint64_t hash_start; /* first tree block, in hash blocks */
	const char *root;
	const char *opt; /* "restart_on_corruption", ...; NULL for none */
};
/* The dm-verity table line into buf; its length, 0 if it does not fit. */
size_t verity_table_line(const struct verity_table *t, char *buf,
			 size_t len);

/* n bytes at p as 2n lowercase hex digits and a NUL into out; 2n. */
size_t verity_hex(char *out, const uint8_t *p, size_t n);

/* The size in bytes of the squashfs or erofs filesystem whose first 4 KiB
 * are at p, 0 for neither: an appended tree starts there, rounded up to
 * the hash block. */
uint64_t verity_fs_size(const void *p, size_t len);

/* --- sha256.c: FIPS 180-4 SHA-256, for an image checked without verity */

struct sha256 {
	uint32_t h[8];
	uint64_t n; /* bytes hashed */
	uint8_t buf[64];
};
void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *p, size_t n);
void sha256_final(struct sha256 *c, uint8_t out[32]);

/* --- uevent.c: the corruption uevents, for "verity watch" ----------- */

enum { VE_NONE, VE_CORRUPT, VE_REMOVE };
struct verity_event {
	unsigned major, minor;
	bool hash; /* a hash-tree block, else a data block */
	unsigned long long block;
};
/* One NETLINK_KOBJECT_UEVENT message of len bytes: VE_CORRUPT with the
 * device and block of a DM_VERITY_ERR_BLOCK_NR event, VE_REMOVE for a
 * device's removal, VE_NONE for anything else (or malformed). */
int verity_uevent(const char *msg, size_t len, struct verity_event *ev);

/* Corrupted blocks in ranges: repeated reads of one bad block, and runs
 * of neighbours, become one range, said once. */
enum { VR_MAX = 64 };
struct verity_range {
	bool hash;
	unsigned long long from, to; /* blocks, inclusive */
};
struct verity_ranges {
	struct verity_range cur, out; /* pending; the one just done */
	bool pending;
	unsigned n, total;	       /* remembered; said in all */
	struct verity_range said[VR_MAX];
};
/* Add a block; true when that completed a new range (in out). */
bool vr_add(struct verity_ranges *r, bool hash, unsigned long long block);
/* Complete the pending range; true when it is new (in out). */
bool vr_flush(struct verity_ranges *r);

#endif
