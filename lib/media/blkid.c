/* blkid.c - superblock probing with the rules of util-linux libblkid 2.38,
 * so that TYPE, LABEL, UUID and PARTUUID read exactly as `blkid -p` prints
 * them.
 *
 * Every field comes from a fixed-size buffer on the stack; offsets and
 * counts taken from a superblock are range-checked against the device size
 * before a read, and a read past the end means "not this filesystem".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/fs.h>
#include <zlib.h>

#include "base/base.h"
#include "mount/mount.h"
#include "media.h"

struct rd {
	int fd;
	uint64_t size; /* UINT64_MAX when unknown: short reads decide */
};

enum { NO = 0, YES = 1 };

/* Read exactly len bytes at off. A range past the end of the device is
 * ENODATA (the caller treats it as "not this filesystem"). */
static int rd_at(const struct rd *r, uint64_t off, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	if (off > r->size || len > r->size - off || off > INT64_MAX - len) {
		errno = ENODATA;
		return -1;
	}
	while (got < len) {
		n = pread(r->fd, (char *)buf + got, len - got,
			  (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENODATA;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

/* Probers return YES or NO, or -1 on a read error other than ENODATA. */
static int rd_fail(void)
{
	return errno == ENODATA ? NO : -1;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* CRC-32C (Castagnoli), no final inversion: callers pass ~0 as the seed
 * and invert where the filesystem does, as libblkid's crc32c() is used. */
static uint32_t crc32c(uint32_t crc, const uint8_t *p, size_t n)
{
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0x82F63B78u & (0u - (crc & 1)));
	}
	return crc;
}

/* LABEL as libblkid stores it: up to the first NUL, trailing white space
 * trimmed; all blank = no label. */
static void set_label(struct blkid_info *bi, const uint8_t *s, size_t n)
{
	size_t i;

	if (n > sizeof(bi->label) - 1)
		n = sizeof(bi->label) - 1;
	for (i = 0; i < n && s[i]; i++)
		bi->label[i] = (char)s[i];
	while (i > 0 && isspace((unsigned char)bi->label[i - 1]))
		i--;
	bi->label[i] = '\0';
}

/* Lowercase DCE form; an all-zero UUID is no UUID. */
static void set_uuid(struct blkid_info *bi, const uint8_t *u)
{
	static const char hex[] = "0123456789abcdef";
	char *o = bi->uuid;
	int i;

	for (i = 0; i < 16 && !u[i]; i++)
		;
	if (i == 16)
		return;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[u[i] >> 4];
		*o++ = hex[u[i] & 15];
	}
	*o = '\0';
}

static void set_type(struct blkid_info *bi, const char *t)
{
	snprintf(bi->type, sizeof(bi->type), "%s", t);
}

/* --- iso9660 ------------------------------------------------------------ */

enum {
	ISO_SB = 0x8000,
	ISO_SECTOR = 2048,
	ISO_PVD_LEN = 847, /* through the modification date */
	ISO_VOLID = 40,
	ISO_ESCAPES = 88,
	ISO_CREATED = 813,
	ISO_MODIFIED = 830,
};

/* UUID from a 17-byte ISO date: "YYYY-MM-DD-HH-MM-SS-cc"; all '0' with a
 * zero timezone offset means unset. */
static bool iso_date_uuid(struct blkid_info *bi, const uint8_t *d)
{
	int i, zeros = 0;

	for (i = 0; i < 16; i++)
		zeros += d[i] == '0';
	if (zeros == 16 && d[16] == 0)
		return false;
	snprintf(bi->uuid, sizeof(bi->uuid),
		 "%c%c%c%c-%c%c-%c%c-%c%c-%c%c-%c%c-%c%c", d[0], d[1], d[2],
		 d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12],
		 d[13], d[14], d[15]);
	return true;
}

enum { ENC_LATIN1 = 8, ENC_UTF16BE = 16 }; /* UDF's compression ids */

/* LATIN1 or UTF-16BE (surrogate pairs joined) to UTF-8 as libblkid's
 * ul_encode_to_utf8 converts: up to U+0000, at most len - 1 bytes and a
 * NUL. Returns the length. */
static size_t to_utf8(int enc, const uint8_t *s, size_t n, uint8_t *out,
		      size_t len)
{
	static const uint8_t lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
	size_t i, o = 0, k;
	uint32_t c, c2;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (enc == ENC_UTF16BE) {
			if (i + 2 > n)
				break;
			c = be16(s + i++);
			if (c >= 0xD800 && c <= 0xDBFF && i + 2 < n) {
				c2 = be16(s + i + 1);
				if (c2 >= 0xDC00 && c2 <= 0xDFFF) {
					c = 0x10000 + ((c - 0xD800) << 10) +
					    (c2 - 0xDC00);
					i += 2;
				}
			}
		}
		if (!c)
			break;
		k = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
		if (o + k >= len)
			break;
		out[o++] = (uint8_t)(lead[k] | c >> (6 * (k - 1)));
		while (--k)
			out[o++] =
			    (uint8_t)(0x80 | (c >> (6 * (k - 1)) & 0x3F));
	}
	out[o] = '\0';
	return o;
}

/* converted in place, then trimmed as set_label does */
static void set_label_enc(struct blkid_info *bi, int enc, const uint8_t *s,
			  size_t n)
{
	uint8_t *l = (uint8_t *)bi->label;

	set_label(bi, l, to_utf8(enc, s, n, l, sizeof(bi->label)));
}

/* Joliet holds 16 UTF-16 characters, the PVD 32 d-characters with '_' for
 * what they cannot say. When Joliet's label is a prefix of the PVD's ('_'
 * and case aside), libblkid rebuilds the long label: Joliet's characters
 * (the PVD's where it is upper case and Joliet's only differs in case),
 * then the rest of the PVD's. UTF-16BE into out (96 bytes); its length, 0
 * if Joliet's is no prefix. */
static size_t iso_merge_label(uint8_t *out, const uint8_t *j, const uint8_t *a)
{
	size_t o = 0, u = 0, i;

	for (i = 0; u + 1 < 32 && i < 32; i++, u += 2, o += 2) {
		if (j[u] >= 0xD8 && j[u] <= 0xDB && u + 3 < 32 &&
		    j[u + 2] >= 0xDC && j[u + 2] <= 0xDF) {
			out[o++] = j[u++];
			out[o++] = j[u++];
		}
		out[o] = 0;
		if (a[i] == '_') {
			out[o] = j[u];
			out[o + 1] = j[u + 1];
		} else if (!j[u] && j[u + 1] == '_') {
			out[o + 1] = a[i];
		} else if (!j[u] && toupper(a[i]) == toupper(j[u + 1])) {
			out[o + 1] = isupper(a[i]) ? j[u + 1] : a[i];
		} else {
			return 0;
		}
	}
	for (; i < 32; i++, o += 2) {
		out[o] = 0;
		out[o + 1] = a[i];
	}
	return o;
}

static bool iso_joliet(const uint8_t *vd)
{
	return vd[0] == 2 && (!memcmp(vd + ISO_ESCAPES, "%/@", 3) ||
			      !memcmp(vd + ISO_ESCAPES, "%/C", 3) ||
			      !memcmp(vd + ISO_ESCAPES, "%/E", 3));
}

static int probe_iso9660(const struct rd *r, struct blkid_info *bi)
{
	uint8_t vd[ISO_PVD_LEN], pvd[ISO_PVD_LEN], jl[32], m[96];
	bool have_pvd = false, have_jl = false;
	uint64_t off;
	size_t n;
	int i;

	if (rd_at(r, ISO_SB, vd, sizeof(vd)) < 0)
		return rd_fail();
	/* CD001 first, as libblkid's magic table has it: an ISO 9660 system
	 * identifier such as "LCDROM" puts "CDROM" at High Sierra's offset */
	if (memcmp(vd + 1, "CD001", 5)) {
		if (memcmp(vd + 9, "CDROM", 5))
			return NO;
		/* High Sierra: label only */
		set_type(bi, "iso9660");
		set_label(bi, vd + 8 + 32 + 8, 32);
		return YES;
	}
	/* the first primary and the first Joliet descriptor */
	for (i = 0, off = ISO_SB; i < 16 && !(have_pvd && have_jl);
	     i++, off += ISO_SECTOR) {
		if (i && rd_at(r, off, vd, sizeof(vd)) < 0) {
			if (errno != ENODATA)
				return -1;
			break;
		}
		if (vd[0] == 0xFF)
			break;
		if (vd[0] == 1 && !have_pvd) {
			memcpy(pvd, vd, sizeof(pvd));
			have_pvd = true;
		} else if (!have_jl && iso_joliet(vd)) {
			memcpy(jl, vd + ISO_VOLID, sizeof(jl));
			have_jl = true;
		}
	}
	if (!have_pvd)
		return NO;
	set_type(bi, "iso9660");
	if (!iso_date_uuid(bi, pvd + ISO_MODIFIED))
		(void)iso_date_uuid(bi,
				    pvd + ISO_CREATED); /* may be unset too */
	if (!have_jl)
		set_label(bi, pvd + ISO_VOLID, 32);
	else if ((n = iso_merge_label(m, jl, pvd + ISO_VOLID)))
		set_label_enc(bi, ENC_UTF16BE, m, n);
	else
		set_label_enc(bi, ENC_UTF16BE, jl, sizeof(jl));
	return YES;
}

/* --- udf ----------------------------------------------------------------- */

enum {
	UDF_TAG_PVD = 1,
	UDF_TAG_AVDP = 2,
	UDF_TAG_LVD = 6,
	UDF_TAG_TD = 8,
	UDF_MAX_VDS = 256, /* libblkid has no bound; real sequences hold ~10 */
};

/* A volume recognition sequence at 32 KiB of VSD_LEN-byte descriptors
 * that reaches an NSR02/NSR03 before anything unknown (ECMA-167 2/8.3;
 * UDF <= 2.00 may put NSR after TEA01, so TEA01 does not end it). */
static int udf_vrs(const struct rd *r, uint32_t vsd_len)
{
	static const char known[] = "BEA01BOOT2CD001CDW02TEA01";
	uint8_t v[6];
	int b, k;

	for (b = 0; b < 64; b++) {
		if (rd_at(r, ISO_SB + (uint64_t)b * vsd_len, v, sizeof(v)) < 0)
			return rd_fail();
		if (!v[1])
			return NO;
		if (!memcmp(v + 1, "NSR02", 5) || !memcmp(v + 1, "NSR03", 5))
			return YES;
		for (k = 0; k < 25 && memcmp(v + 1, known + k, 5); k += 5)
			;
		if (k == 25)
			return NO;
	}
	return NO;
}

/* Descriptor charset "OSTA Compressed Unicode": only then does libblkid
 * read the dstrings. */
static bool udf_cs0(const uint8_t *cs)
{
	return !cs[0] && !memcmp(cs + 1, "OSTA Compressed Unicode", 24);
}

/* A dstring's characters: clen counts the compression id too. */
static size_t udf_dlen(const uint8_t *d, size_t size)
{
	size_t n = d[size - 1];

	n -= n > 0;
	return n > size - 2 ? size - 2 : n;
}

/* UUID from the volume set id as libblkid makes it from its first 16
 * UTF-8 bytes: all hex, lowercased; else the first 8 lowercased if hex,
 * then the next 4 bytes in hex; else the first 8 bytes in hex. */
static void udf_uuid(struct blkid_info *bi, const uint8_t *vs)
{
	uint8_t b[17] = {0};
	char *u = bi->uuid;
	size_t h, i;

	if ((vs[0] != ENC_LATIN1 && vs[0] != ENC_UTF16BE) ||
	    to_utf8(vs[0], vs + 1, udf_dlen(vs, 128), b, sizeof(b)) < 8)
		return;
	for (h = 0; h < 16 && isxdigit(b[h]); h++)
		;
	if (h < 8)
		h = 0;
	else if (h < 16)
		h = 8;
	for (i = 0; i < h; i++)
		*u++ = (char)tolower(b[i]);
	for (; i < h + (16 - h) / 2; i++, u += 2)
		snprintf(u, 3, "%02x", b[i]);
}

static int probe_udf(const struct rd *r, struct blkid_info *bi)
{
	uint32_t pbs[] = {512, 512, 1024, 2048, 4096}, bs = 0, loc, count, b;
	uint8_t d[440]; /* libblkid's struct volume_descriptor */
	bool have_label = false;
	uint16_t type;
	int vrs2048, rc, i, k;

	if (ioctl(r->fd, BLKSSZGET, &k) == 0 && k >= 512 && k <= 4096)
		pbs[0] = (uint32_t)k; /* a device's sector size first */
	vrs2048 = udf_vrs(r, 2048);
	if (vrs2048 < 0)
		return -1;
	/* the anchor at sector 256, or 512 on an unclosed disc, is found
	 * where the block size guessed is the real one */
	for (i = 0; i < 5 && !bs; i++) {
		if (i && pbs[i] == pbs[0])
			continue;
		rc = pbs[i] > 2048 ? udf_vrs(r, pbs[i]) : vrs2048;
		if (rc != YES) {
			if (rc < 0)
				return -1;
			continue;
		}
		for (k = 256; k <= 512 && !bs; k += 256) {
			if (rd_at(r, (uint64_t)k * pbs[i], d, 24) < 0)
				return rd_fail();
			if (le16(d) == UDF_TAG_AVDP &&
			    le32(d + 12) == (uint32_t)k)
				bs = pbs[i];
		}
	}
	if (!bs)
		return NO;
	count = le32(d + 16) / bs;
	loc = le32(d + 20);
	set_type(bi, "udf");
	/* LABEL from the first logical volume descriptor, UUID from the
	 * first primary one */
	for (b = 0; b < count && b < UDF_MAX_VDS; b++) {
		if (rd_at(r, ((uint64_t)loc + b) * bs, d, sizeof(d)) < 0)
			return rd_fail();
		type = le16(d);
		if (!type || le32(d + 12) != loc + b || type == UDF_TAG_TD)
			break;
		if (type == UDF_TAG_PVD && !bi->uuid[0] && udf_cs0(d + 200))
			udf_uuid(bi, d + 72);
		if (type == UDF_TAG_LVD && !have_label && udf_cs0(d + 20) &&
		    (d[84] == ENC_LATIN1 || d[84] == ENC_UTF16BE)) {
			set_label_enc(bi, d[84], d + 85, udf_dlen(d + 84, 128));
			have_label = true;
		}
	}
	return YES;
}

/* --- vfat --------------------------------------------------------------- */

enum {
	FAT12_MAX = 0xFF4,
	FAT16_MAX = 0xFFF4,
	FAT32_MAX = 0x0FFFFFF6,
};

/* The volume-label entry of a root directory region (libblkid takes LABEL
 * from here only, never from the boot sector). 1 found, 0 not, -1 error. */
static int fat_root_label(const struct rd *r, uint64_t off, uint32_t entries,
			  uint8_t name[11])
{
	uint8_t buf[512];
	uint32_t i, k, chunk;

	for (i = 0; i < entries; i += chunk) {
		chunk = entries - i < 16 ? entries - i : 16;
		if (rd_at(r, off + (uint64_t)i * 32, buf, chunk * 32) < 0)
			return errno == ENODATA ? 0 : -1;
		/* cppcheck-suppress knownConditionTrueFalse
		 * (chunk >= 1: i < entries) */
		for (k = 0; k < chunk; k++) {
			const uint8_t *e = buf + k * 32;
			uint8_t attr = e[11];

			if (e[0] == 0)
				return 0;
			if (e[0] == 0xE5 || le16(e + 20) || le16(e + 26) ||
			    (attr & 0x3F) == 0x0F)
				continue;
			if ((attr & (0x08 | 0x10)) == 0x08) {
				memcpy(name, e, 11);
				if (name[0] == 0x05)
					name[0] = 0xE5;
				return 1;
			}
		}
	}
	return 0;
}

/* A boot sector without a FAT magic string that is really an MBR (boot
 * flags 0/0x80 and a used entry) is not taken for FAT. */
static bool looks_like_mbr(const uint8_t *b)
{
	int i, used = 0;

	for (i = 0; i < 4; i++) {
		const uint8_t *p = b + 446 + 16 * i;

		if (p[0] != 0 && p[0] != 0x80)
			return false;
		used += p[4] != 0;
	}
	return used > 0;
}

static int probe_vfat(const struct rd *r, struct blkid_info *bi)
{
	uint8_t b[512], name[11];
	uint16_t ssz, dir_entries, reserved;
	uint32_t sectors, fat_len, fat_size, dir_size, clusters, max, data;
	const uint8_t *serno = NULL;
	bool magic;
	int rc = 0;

	if (rd_at(r, 0, b, sizeof(b)) < 0)
		return rd_fail();
	magic =
	    !memcmp(b + 0x52, "MSWIN", 5) || !memcmp(b + 0x52, "FAT32   ", 8) ||
	    !memcmp(b + 0x36, "MSDOS", 5) || !memcmp(b + 0x36, "FAT16   ", 8) ||
	    !memcmp(b + 0x36, "FAT12   ", 8) ||
	    !memcmp(b + 0x36, "FAT     ", 8);
	if (!magic) {
		if (b[510] != 0x55 || b[511] != 0xAA || looks_like_mbr(b))
			return NO;
		if (!memcmp(b + 0x36, "JFS     ", 8) ||
		    !memcmp(b + 0x36, "HPFS    ", 8))
			return NO;
	}
	ssz = le16(b + 0x0B);
	reserved = le16(b + 0x0E);
	if (!b[0x10] || !reserved || !(b[0x15] >= 0xF8 || b[0x15] == 0xF0) ||
	    !pow2(b[0x0D]) || !pow2(ssz) || ssz < 512 || ssz > 4096)
		return NO;
	dir_entries = le16(b + 0x11);
	sectors = le16(b + 0x13);
	if (!sectors)
		sectors = le32(b + 0x20);
	fat_len = le16(b + 0x16);
	if (!fat_len)
		fat_len = le32(b + 0x24);
	fat_size = fat_len * b[0x10];
	dir_size = ((uint32_t)dir_entries * 32 + ssz - 1) / ssz;
	/* unsigned wrap-around on nonsense gives a huge count: rejected */
	clusters = (sectors - (reserved + fat_size + dir_size)) / b[0x0D];
	if (!le16(b + 0x16) && le32(b + 0x24))
		max = FAT32_MAX;
	else
		max = clusters > FAT12_MAX ? FAT16_MAX : FAT12_MAX;
	if (clusters > max)
		return NO;

	if (le16(b + 0x16)) {
		rc = fat_root_label(r, ((uint64_t)reserved + fat_size) * ssz,
				    dir_entries, name);
		if (b[0x26] == 0x28 || b[0x26] == 0x29)
			serno = b + 0x27;
	} else if (le32(b + 0x24)) {
		uint32_t csize = (uint32_t)b[0x0D] * ssz;
		uint32_t entries =
		    (uint32_t)(((uint64_t)le32(b + 0x24) * ssz) / 4);
		uint32_t next = le32(b + 0x2C);
		uint8_t fe[4], fsinfo[512];
		uint16_t fsinfo_sect;
		int loops = 100;

		data = reserved + fat_size;
		while (next >= 2 && next < entries && --loops) {
			uint64_t off =
			    ((uint64_t)data + (uint64_t)(next - 2) * b[0x0D]) *
			    ssz;

			rc = fat_root_label(r, off, csize / 32, name);
			if (rc)
				break;
			if (rd_at(r,
				  (uint64_t)reserved * ssz + (uint64_t)next * 4,
				  fe, 4) < 0) {
				if (errno != ENODATA)
					return -1;
				break;
			}
			next = le32(fe) & 0x0FFFFFFF;
		}
		serno = b + 0x43;
		fsinfo_sect = le16(b + 0x30);
		if (fsinfo_sect) {
			if (rd_at(r, (uint64_t)fsinfo_sect * ssz, fsinfo,
				  sizeof(fsinfo)) < 0)
				return rd_fail();
			if (memcmp(fsinfo, "RRaA", 4) &&
			    memcmp(fsinfo, "RRdA", 4) &&
			    memcmp(fsinfo, "\0\0\0\0", 4))
				return NO;
			if (memcmp(fsinfo + 484, "rrAa", 4) &&
			    memcmp(fsinfo + 484, "\0\0\0\0", 4))
				return NO;
		}
	}
	if (rc < 0)
		return -1;
	set_type(bi, "vfat");
	if (rc > 0)
		set_label(bi, name, 11);
	if (serno && (serno[0] | serno[1] | serno[2] | serno[3]))
		snprintf(bi->uuid, sizeof(bi->uuid), "%02X%02X-%02X%02X",
			 serno[3], serno[2], serno[1], serno[0]);
	return YES;
}

/* --- ext2/3/4 ----------------------------------------------------------- */

enum {
	EXT_COMPAT_JOURNAL = 0x4,
	EXT_INCOMPAT_JOURNAL_DEV = 0x8,
	EXT_RO_METADATA_CSUM = 0x400,
	EXT_FLAGS_TEST_FS = 0x4,
	EXT2_RO_SUPP = 0x1 | 0x2 | 0x4,
	EXT2_INCOMPAT_SUPP = 0x2 | 0x10,
	EXT3_INCOMPAT_SUPP = 0x2 | 0x4 | 0x10,
};

static int probe_ext(const struct rd *r, struct blkid_info *bi)
{
	uint8_t sb[1024];
	uint32_t fc, fi, frc;
	const char *type;

	if (rd_at(r, 1024, sb, sizeof(sb)) < 0)
		return rd_fail();
	if (sb[0x38] != 0x53 || sb[0x39] != 0xEF)
		return NO;
	fc = le32(sb + 0x5C);
	fi = le32(sb + 0x60);
	frc = le32(sb + 0x64);
	if ((frc & EXT_RO_METADATA_CSUM) &&
	    crc32c(~0u, sb, 0x3FC) != le32(sb + 0x3FC))
		return NO;
	if (fi & EXT_INCOMPAT_JOURNAL_DEV)
		type = "jbd";
	else if ((le32(sb + 0x160) & EXT_FLAGS_TEST_FS) &&
		 ((frc & ~EXT2_RO_SUPP) || (fi & ~EXT3_INCOMPAT_SUPP)))
		type = "ext4dev";
	else if ((frc & ~EXT2_RO_SUPP) || (fi & ~EXT3_INCOMPAT_SUPP))
		type = "ext4";
	else if (fc & EXT_COMPAT_JOURNAL)
		type = "ext3";
	else if (!(fi & ~EXT2_INCOMPAT_SUPP))
		type = "ext2";
	else
		return NO; /* needs recovery without a journal: nobody's */
	set_type(bi, type);
	set_label(bi, sb + 0x78, 16);
	set_uuid(bi, sb + 0x68);
	return YES;
}

/* --- xfs ---------------------------------------------------------------- */

static int probe_xfs(const struct rd *r, struct blkid_info *bi)
{
	uint8_t sb[512], sec[32768];
	uint32_t bsize, agcount, agblocks;
	uint16_t ssz, isize, version;

	if (rd_at(r, 0, sb, sizeof(sb)) < 0)
		return rd_fail();
	if (memcmp(sb, "XFSB", 4))
		return NO;
	bsize = be32(sb + 4);
	agblocks = be32(sb + 84);
	agcount = be32(sb + 88);
	version = be16(sb + 100);
	ssz = be16(sb + 102);
	isize = be16(sb + 104);
	if (!agcount || !agblocks || !pow2(ssz) || ssz < 512 || ssz > 32768 ||
	    sb[121] >= 32 || ssz != 1u << sb[121] || !pow2(bsize) ||
	    bsize < 512 || bsize > 65536 || sb[120] >= 32 ||
	    bsize != 1u << sb[120] || !pow2(isize) || isize < 256 ||
	    isize > 2048 || sb[122] >= 32 || isize != 1u << sb[122] ||
	    !(be32(sb + 8) | be32(sb + 12)))
		return NO;
	if ((version & 0xF) == 5) {
		/* v5: crc32c over the sector with the crc field zeroed,
		 * stored inverted and little-endian (xfs_end_cksum) */
		uint32_t want, crc;

		if (rd_at(r, 0, sec, ssz) < 0)
			return rd_fail();
		want = le32(sec + 224);
		memset(sec + 224, 0, 4);
		crc = ~crc32c(~0u, sec, ssz);
		if (crc != want)
			return NO;
	}
	set_type(bi, "xfs");
	if (sb[108])
		set_label(bi, sb + 108, 12);
	set_uuid(bi, sb + 32);
	return YES;
}

/* --- squashfs, erofs, btrfs --------------------------------------------- */

static int probe_squashfs(const struct rd *r, struct blkid_info *bi)
{
	uint8_t sb[96];
	uint16_t major;

	if (rd_at(r, 0, sb, sizeof(sb)) < 0)
		return rd_fail();
	if (memcmp(sb, "hsqs", 4))
		return NO;
	major = le16(sb + 28);
	if (major == 4)
		set_type(bi, "squashfs");
	else if (major >= 1 && major < 4)
		set_type(bi, "squashfs3");
	else
		return NO;
	return YES; /* squashfs has neither label nor UUID */
}

static int probe_erofs(const struct rd *r, struct blkid_info *bi)
{
	uint8_t sb[4096];
	uint32_t len;

	if (rd_at(r, 1024, sb, 128) < 0)
		return rd_fail();
	if (le32(sb) != 0xE0F5E1E2u)
		return NO;
	if (sb[12] > 12 || sb[12] < 10)
		return NO;
	if (le32(sb + 8) & 1) {
		uint32_t want = le32(sb + 4);

		len = (1u << sb[12]) - 1024;
		if (len && rd_at(r, 1024, sb, len) < 0)
			return rd_fail();
		memset(sb + 4, 0, 4);
		if (crc32c(~0u, sb, len) != want)
			return NO;
	}
	set_type(bi, "erofs");
	if (sb[64])
		set_label(bi, sb + 64, 16);
	set_uuid(bi, sb + 48);
	return YES;
}

static int probe_btrfs(const struct rd *r, struct blkid_info *bi)
{
	uint8_t sb[4096];

	if (rd_at(r, 65536, sb, sizeof(sb)) < 0)
		return rd_fail();
	if (memcmp(sb + 0x40, "_BHRfS_M", 8))
		return NO;
	/* csum_type 0 is crc32c over the rest of the block, stored as the
	 * kernel's crypto crc32c (inverted) little-endian */
	if (le16(sb + 0xC4) == 0 &&
	    ~crc32c(~0u, sb + 0x20, sizeof(sb) - 0x20) != le32(sb))
		return NO;
	set_type(bi, "btrfs");
	if (sb[0x12B])
		set_label(bi, sb + 0x12B, 256);
	set_uuid(bi, sb + 0x20);
	return YES;
}

/* --- partition tables --------------------------------------------------- */

static void guid_str(const uint8_t *g, char *out, size_t len)
{
	snprintf(out, len, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 le32(g), le16(g + 4), le16(g + 6), g[8], g[9], g[10], g[11],
		 g[12], g[13], g[14], g[15]);
}

/* The kernel makes the partition devices (block/partitions/efi.c, then
 * msdos.c): a partition's PARTUUID is read from the table the kernel read,
 * by its rules, not libblkid's. */
enum {
	GPT_NO_ENTRY = 2, /* a GPT without that partition: no MBR read */
	GPT_HDR_MIN = 92,
	GPT_ENTRY = 128,	   /* is_gpt_valid takes no other entry size */
	GPT_ENTRIES_MAX = 4 << 20, /* its KMALLOC_MAX_SIZE bound (x86-64) */
	MBR_LIMIT = 256,	   /* DISK_MAX_PARTS: numbers stay below */
};

/* is_pmbr_valid: the boot signature and an 0xEE entry from LBA 1,
 * protective or hybrid (other entries beside it); its size is not held
 * against it, so that an image dd'd to a larger disk still reads */
static bool mbr_protective(const uint8_t *m)
{
	int i;

	if (m[510] != 0x55 || m[511] != 0xAA)
		return false;
	for (i = 0; i < 4; i++)
		if (m[446 + 16 * i + 4] == 0xEE &&
		    le32(m + 446 + 16 * i + 8) == 1)
			return true;
	return false;
}

/* is_gpt_valid: the header at lba (its CRC, its own LBA, the usable range
 * within the disk, 128-byte entries) and the CRC of its entry array. YES
 * with the array's LBA and count, NO, or -1. */
static int gpt_valid(const struct rd *r, uint32_t ssz, uint64_t lba,
		     uint64_t *entries, uint32_t *count)
{
	uint8_t h[4096], buf[4096];
	uint64_t last = r->size / ssz - 1, off, n;
	uint32_t hsize, crc;
	size_t chunk;

	if (rd_at(r, lba * ssz, h, ssz) < 0)
		return rd_fail();
	if (memcmp(h, "EFI PART", 8))
		return NO;
	hsize = le32(h + 12);
	if (hsize < GPT_HDR_MIN || hsize > ssz)
		return NO;
	crc = le32(h + 16);
	memset(h + 16, 0, 4);
	if ((uint32_t)crc32(0, h, hsize) != crc || le64(h + 24) != lba)
		return NO;
	if (le64(h + 40) > last || le64(h + 48) > last ||
	    le64(h + 48) < le64(h + 40))
		return NO;
	*entries = le64(h + 72);
	*count = le32(h + 80);
	if (le32(h + 84) != GPT_ENTRY || !*count ||
	    *count > GPT_ENTRIES_MAX / GPT_ENTRY || *entries > last)
		return NO;
	crc = (uint32_t)crc32(0, NULL, 0);
	for (off = 0, n = (uint64_t)*count * GPT_ENTRY; off < n; off += chunk) {
		chunk = n - off < sizeof(buf) ? (size_t)(n - off) : sizeof(buf);
		if (rd_at(r, *entries * ssz + off, buf, chunk) < 0)
			return rd_fail();
		crc = (uint32_t)crc32(crc, buf, (unsigned)chunk);
	}
	return crc == le32(h + 88) ? YES : NO;
}

/* find_valid_gpt: a protective MBR, then the primary header; the
 * backup at the last LBA only with "gpt", which also does without the
 * protective MBR. Then is_pte_valid: a type GUID, within the disk. */
static int gpt_partuuid(const struct rd *r, uint32_t ssz, unsigned flags,
			unsigned partno, char *out, size_t len)
{
	static const uint8_t unused[16];
	uint8_t m[512], e[GPT_ENTRY];
	uint64_t last, entries;
	uint32_t count;
	int rc;

	if (r->size / ssz < 3)
		return NO;
	last = r->size / ssz - 1;
	if (!(flags & BLKID_FORCE_GPT)) {
		if (rd_at(r, 0, m, sizeof(m)) < 0)
			return rd_fail();
		if (!mbr_protective(m))
			return NO;
	}
	rc = gpt_valid(r, ssz, 1, &entries, &count);
	if (rc == NO && (flags & BLKID_FORCE_GPT))
		rc = gpt_valid(r, ssz, last, &entries, &count);
	if (rc != YES)
		return rc;
	if (partno > count)
		return GPT_NO_ENTRY;
	if (rd_at(r, entries * ssz + (uint64_t)(partno - 1) * GPT_ENTRY, e,
		  sizeof(e)) < 0)
		return rd_fail() == NO ? GPT_NO_ENTRY : -1;
	if (!memcmp(e, unused, sizeof(unused)) || le64(e + 32) > last ||
	    le64(e + 40) > last)
		return GPT_NO_ENTRY;
	guid_str(e + 16, out, len);
	return YES;
}

static bool is_extended(uint8_t t)
{
	return t == 0x05 || t == 0x0F || t == 0x85;
}

/* parse_extended: the EBR chain of the extended partition at LBA first,
 * first_size long; its logical partitions are numbered on from *n. An
 * entry is a partition when its size is not 0, whatever its type; the 3rd
 * and 4th only within the extended partition (they may hold garbage); at
 * most 100 links without one. */
static int mbr_logical(const struct rd *r, uint32_t ssz, uint64_t first,
		       uint64_t first_size, unsigned partno, unsigned *n)
{
	uint64_t cur = first, cur_size = first_size, offs, size, at;
	uint8_t ebr[512];
	const uint8_t *p;
	int links = 0, i;

	for (;;) {
		if (++links > 100 || *n + 1 >= MBR_LIMIT)
			return NO;
		if (rd_at(r, cur * ssz, ebr, sizeof(ebr)) < 0)
			return rd_fail();
		if (ebr[510] != 0x55 || ebr[511] != 0xAA)
			return NO;
		for (i = 0; i < 4; i++) {
			p = ebr + 446 + 16 * i;
			offs = le32(p + 8);
			size = le32(p + 12);
			at = cur + offs;
			if (!size || is_extended(p[4]))
				continue;
			if (i >= 2 &&
			    (offs + size > cur_size || at < first ||
			     at + size > first + first_size))
				continue;
			links = 0;
			if (++*n == partno)
				return YES;
			if (*n + 1 >= MBR_LIMIT)
				return NO;
		}
		for (i = 0; i < 4; i++) {
			p = ebr + 446 + 16 * i;
			if (le32(p + 12) && is_extended(p[4]))
				break;
		}
		if (i == 4)
			return NO;
		cur = first + le32(p + 8);
		cur_size = le32(p + 12);
	}
}

/* msdos_partition: no partitions when a boot flag is neither 0 nor 0x80
 * or an entry is GPT's 0xEE; a primary entry is a partition when its size
 * is not 0, whatever its type (type 0 included); each extended one's
 * logical partitions from 5 on, in entry order. LBAs count logical
 * blocks. */
static int mbr_partuuid(const struct rd *r, uint32_t ssz, unsigned partno,
			char *out, size_t len)
{
	uint8_t m[512];
	const uint8_t *p;
	unsigned n = 4;
	int i, rc;

	if (rd_at(r, 0, m, sizeof(m)) < 0)
		return rd_fail();
	if (m[510] != 0x55 || m[511] != 0xAA)
		return NO;
	for (i = 0; i < 4; i++)
		if ((m[446 + 16 * i] != 0 && m[446 + 16 * i] != 0x80) ||
		    m[446 + 16 * i + 4] == 0xEE)
			return NO;
	rc = NO;
	if (partno <= 4) {
		if (le32(m + 446 + 16 * (partno - 1) + 12))
			rc = YES;
	} else {
		for (i = 0; i < 4 && rc == NO; i++) {
			p = m + 446 + 16 * i;
			if (le32(p + 12) && is_extended(p[4]))
				rc = mbr_logical(r, ssz, le32(p + 8),
						 le32(p + 12), partno, &n);
		}
	}
	if (rc == YES)
		snprintf(out, len, "%08x-%02x", le32(m + 440), partno);
	return rc;
}

static int rd_init(struct rd *r, int fd)
{
	struct stat st;
	uint64_t sz;

	r->fd = fd;
	r->size = UINT64_MAX;
	if (fstat(fd, &st) < 0)
		return -1;
	if (S_ISREG(st.st_mode))
		r->size = (uint64_t)st.st_size;
	else if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, &sz) == 0)
		r->size = sz;
	return 0;
}

int blkid_partuuid(int disk_fd, unsigned partno, unsigned flags, char *out,
		   size_t len)
{
	struct rd r;
	int ssz = 512, rc;

	if (!partno || len < 37) {
		errno = EINVAL;
		return -1;
	}
	if (rd_init(&r, disk_fd) < 0)
		return -1;
	if (ioctl(disk_fd, BLKSSZGET, &ssz) < 0 || ssz < 512 || ssz > 4096)
		ssz = 512;
	rc = gpt_partuuid(&r, (uint32_t)ssz, flags, partno, out, len);
	if (rc == NO)
		rc = mbr_partuuid(&r, (uint32_t)ssz, partno, out, len);
	if (rc == YES)
		return 0;
	if (rc != -1)
		errno = ENODATA;
	return -1;
}

/* The kernel's "gpt" parameter forces GPT (efi.c's __setup("gpt"), which
 * the kernel matches on every word that begins so, "gpt=0" too). */
static unsigned kernel_gpt_flags(void)
{
	char buf[CMDLINE_MAX], *s = buf;
	struct cmdline_word w;

	/* no /proc: the kernel's default is all there is to follow */
	if (cmdline_read("/proc/cmdline", buf, sizeof(buf)) < 0)
		return 0;
	while (cmdline_next(&s, &w)) {
		if (!w.val && !strcmp(w.param, "--"))
			break; /* init's words, not the kernel's */
		if (!strncmp(w.param, "gpt", 3))
			return BLKID_FORCE_GPT;
	}
	return 0;
}

/* A partition block device: its number and its disk from sysfs, then the
 * disk's table. Missing pieces just leave PARTUUID empty. */
static void probe_partuuid(int fd, struct blkid_info *bi)
{
	char path[96], link[PATH_MAX], dev[PATH_MAX + 8];
	struct stat st;
	uint64_t partno;
	ssize_t n;
	char *slash, *end;
	int dfd;
	FILE *f;

	if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode))
		return;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/partition",
		 major(st.st_rdev), minor(st.st_rdev));
	f = fopen(path, "re");
	if (!f)
		return;
	n = (ssize_t)fread(link, 1, 31, f);
	(void)fclose(f); /* read-only stream: nothing to flush */
	if (n <= 0)
		return;
	link[n] = '\0';
	end = strchr(link, '\n');
	if (end)
		*end = '\0';
	if (num_u64(link, 4096, &partno) < 0 || !partno)
		return;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major(st.st_rdev),
		 minor(st.st_rdev));
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = '\0';
	slash = strrchr(link, '/');
	if (!slash)
		return;
	*slash = '\0';
	slash = strrchr(link, '/');
	snprintf(dev, sizeof(dev), "/dev/%s", slash ? slash + 1 : link);
	dfd = open(dev, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (dfd < 0)
		return;
	if (blkid_partuuid(dfd, (unsigned)partno, kernel_gpt_flags(),
			   bi->partuuid, sizeof(bi->partuuid)) < 0)
		bi->partuuid[0] = '\0';
	fd_close(dfd);
}

/* libblkid's order: vfat, xfs, ext*, udf, iso9660, squashfs, btrfs, erofs:
 * a UDF disc with an ISO 9660 bridge is udf. */
int blkid_probe(int fd, struct blkid_info *bi)
{
	static int (*const probers[])(const struct rd *,
				      struct blkid_info *) = {
	    probe_vfat,	   probe_xfs,	   probe_ext,	probe_udf,
	    probe_iso9660, probe_squashfs, probe_btrfs, probe_erofs,
	};
	struct rd r;
	size_t i;
	int rc;

	memset(bi, 0, sizeof(*bi));
	if (rd_init(&r, fd) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(probers); i++) {
		rc = probers[i](&r, bi);
		if (rc < 0) {
			memset(bi, 0, sizeof(*bi));
			return -1;
		}
		if (rc == YES) {
			probe_partuuid(fd, bi);
			return 0;
		}
		memset(bi, 0, sizeof(*bi));
	}
	/* no filesystem, but a partition still has its PARTUUID */
	probe_partuuid(fd, bi);
	errno = ENODATA;
	return -1;
}
