/* vsb.c - the verity superblock, the hash tree's geometry and the table
 * line (see verity.h).
 *
 * The superblock, as cryptsetup writes it (lib/verity/verity.c, all
 * little-endian): "verity\0\0", u32 version (1), u32 hash_type, u8
 * uuid[16], char algorithm[32], u32 data_block_size, u32
 * hash_block_size, u64 data_blocks, u16 salt_size, 6 bytes padding, u8
 * salt[256], 168 bytes padding: 512 bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "verity.h"

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool pow2_in(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

unsigned verity_digest_size(const char *alg)
{
	static const struct {
		const char *name;
		unsigned size;
	} algs[] = {{"sha256", 32}, {"sha1", 20}, {"sha512", 64}};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(algs); i++)
		if (strcmp(alg, algs[i].name) == 0)
			return algs[i].size;
	return 0;
}

static int bad(struct err *e, const char *why)
{
	err_set(e, 0, "verity superblock");
	e->why = why;
	return -1;
}

int verity_sb_parse(const void *p, size_t len, struct verity_sb *sb,
		    struct err *e)
{
	const uint8_t *b = p;
	unsigned ds;

	if (len < VERITY_SB_SIZE || memcmp(b, "verity\0\0", 8) != 0)
		return bad(e, "no \"verity\" signature");
	if (le32(b + 8) != 1)
		return bad(e, "version is not 1");
	memset(sb, 0, sizeof(*sb));
	sb->hash_type = le32(b + 12);
	memcpy(sb->uuid, b + 16, 16);
	if (!memchr(b + 32, 0, 32))
		return bad(e, "algorithm not terminated");
	memcpy(sb->alg, b + 32, 32);
	sb->data_bsize = le32(b + 64);
	sb->hash_bsize = le32(b + 68);
	sb->data_blocks = le64(b + 72);
	sb->salt_size = (uint16_t)(b[80] | b[81] << 8);
	if (sb->hash_type > 1)
		return bad(e, "hash type not 0 or 1");
	ds = verity_digest_size(sb->alg);
	if (ds == 0)
		return bad(e, "unknown hash algorithm");
	/* The kernel's bounds: 512 bytes to a page; 64 KiB pages exist. */
	if (!pow2_in(sb->data_bsize, 512, 65536) ||
	    !pow2_in(sb->hash_bsize, 512, 65536))
		return bad(e, "block size not a power of two in 512..65536");
	if (sb->hash_bsize < 2 * ds)
		return bad(e, "hash block under two digests");
	if (sb->data_blocks == 0 ||
	    sb->data_blocks > UINT64_MAX / sb->data_bsize / 2)
		return bad(e, "data block count out of range");
	if (sb->salt_size > VERITY_SALT_MAX)
		return bad(e, "salt longer than 256 bytes");
	memcpy(sb->salt, b + 88, sb->salt_size);
	return 0;
}

uint64_t verity_tree_blocks(const struct verity_sb *sb)
{
	unsigned ds = verity_digest_size(sb->alg), bits = 0, levels = 0, i;
	uint64_t total = 0;

	/* dm-verity's geometry (verity_ctr): the fan-out is the largest
	 * power of two of digests a block holds; there are as many levels
	 * as it takes to cover data_blocks, and level i holds one digest
	 * for each 2^(bits * (i + 1)) data blocks. One data block needs
	 * no tree: the root is its own digest. */
	while ((2u << bits) * ds <= sb->hash_bsize)
		bits++;
	while (bits * levels < 64 && (sb->data_blocks - 1) >> (bits * levels))
		levels++;
	for (i = 0; i < levels; i++) {
		unsigned sh = bits * (i + 1);

		total += sh >= 64 ? 1 : (sb->data_blocks >> sh) +
			 ((sb->data_blocks & ((1ull << sh) - 1)) != 0);
	}
	return total;
}

int verity_root_check(const struct verity_sb *sb, const char *root,
		      struct err *e)
{
	size_t n = strlen(root), want = 2 * verity_digest_size(sb->alg);

	err_set(e, 0, "root hash %.140s", root);
	if (strspn(root, "0123456789abcdefABCDEF") != n) {
		e->why = "not hexadecimal";
		return -1;
	}
	if (n != want) {
		e->why = want == 64 ? "not 64 hex digits (a sha256 digest)"
				    : "not the length of the digest";
		return -1;
	}
	return 0;
}

size_t verity_hex(char *out, const uint8_t *p, size_t n)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = 0;
	return 2 * n;
}

size_t verity_table_line(const struct verity_table *t, char *buf, size_t len)
{
	const struct verity_sb *sb = t->sb;
	char salt[2 * VERITY_SALT_MAX + 1] = "-";
	int n;

	if (sb->salt_size)
		verity_hex(salt, sb->salt, sb->salt_size);
	n = snprintf(buf, len, "%u %u:%u %u:%u %u %u %llu %llu %s %s %s%s%s",
		     sb->hash_type, major(t->data), minor(t->data),
		     major(t->hash), minor(t->hash), sb->data_bsize,
		     sb->hash_bsize, (unsigned long long)sb->data_blocks,
		     (unsigned long long)t->hash_start, sb->alg, t->root, salt,
		     t->opt ? " 1 " : "", t->opt ? t->opt : "");
	return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

uint64_t verity_fs_size(const void *p, size_t len)
{
	const uint8_t *b = p;

	if (len >= 48 && memcmp(b, "hsqs", 4) == 0)
		return le64(b + 40); /* squashfs: bytes_used */
	if (len >= 1024 + 40 && le32(b + 1024) == 0xE0F5E1E2 &&
	    b[1024 + 12] >= 9 && b[1024 + 12] <= 16)
		return (uint64_t)le32(b + 1024 + 36) << b[1024 + 12]; /* erofs */
	return 0;
}
