/* verity_test.c - lib/verity: SHA-256, the verity superblock, the tree's
 * geometry, the table line, the DM_TABLE_LOAD buffer, the corruption
 * uevents and their ranges. The ioctls
 * themselves run against the kernel in tests/boot/verity.sh. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <linux/dm-ioctl.h>

#include "verity/verity.h"
#include "t.h"

static void hexof(const uint8_t *d, char *out)
{
	int i;

	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static const char *sha(const void *p, size_t n, size_t step)
{
	static char out[65];
	struct sha256 c;
	uint8_t d[32];
	size_t i;

	sha256_init(&c);
	for (i = 0; i < n; i += step)
		sha256_update(&c, (const char *)p + i, n - i < step ? n - i : step);
	sha256_final(&c, d);
	hexof(d, out);
	return out;
}

static void sha256_matches_the_fips_vectors(void)
{
	static char a[1000000];
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	CHECK_STR(sha("", 0, 1),
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_STR(sha("abc", 3, 3),
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(sha(two, strlen(two), 56),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* the same message in odd pieces: the buffering across blocks */
	CHECK_STR(sha(two, strlen(two), 7),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(a, 'a', sizeof(a));
	CHECK_STR(sha(a, sizeof(a), 4093),
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	CHECK_STR(sha(a, sizeof(a), sizeof(a)),
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
	p[3] = (uint8_t)(v >> 24);
}

/* The superblock "veritysetup format" writes for 2052 data blocks. */
static void make_sb(uint8_t *b)
{
	memset(b, 0, VERITY_SB_SIZE);
	memcpy(b, "verity\0\0", 8);
	put32(b + 8, 1);
	put32(b + 12, 1);
	memset(b + 16, 0xab, 16);
	strcpy((char *)b + 32, "sha256");
	put32(b + 64, 4096);
	put32(b + 68, 4096);
	put32(b + 72, 2052);
	b[80] = 32;
	memset(b + 88, 0x5a, 32);
}

static void a_veritysetup_superblock_parses(void)
{
	uint8_t b[VERITY_SB_SIZE];
	struct verity_sb sb;
	struct err e;

	make_sb(b);
	CHECK(verity_sb_parse(b, sizeof(b), &sb, &e) == 0);
	CHECK(sb.hash_type == 1 && sb.data_bsize == 4096 && sb.hash_bsize == 4096);
	CHECK(sb.data_blocks == 2052 && sb.salt_size == 32 && sb.salt[31] == 0x5a);
	CHECK_STR(sb.alg, "sha256");
	CHECK(sb.uuid[0] == 0xab);
}

static const char *refusal(size_t off, uint32_t v, size_t len)
{
	static uint8_t b[VERITY_SB_SIZE];
	struct verity_sb sb;
	static struct err e;

	make_sb(b);
	if (off)
		put32(b + off, v);
	if (verity_sb_parse(b, len, &sb, &e) == 0)
		return "parsed";
	return e.why;
}

static void a_bad_superblock_is_refused_with_its_reason(void)
{
	CHECK(strstr(refusal(0, 0, 100), "no \"verity\" signature"));
	CHECK(strstr(refusal(8, 2, 512), "version"));
	CHECK(strstr(refusal(12, 2, 512), "hash type"));
	CHECK(strstr(refusal(32, 0x35646d, 512), "unknown hash algorithm")); /* "md5" */
	CHECK(strstr(refusal(64, 3000, 512), "power of two"));
	CHECK(strstr(refusal(68, 256, 512), "power of two"));
	CHECK(strstr(refusal(72, 0, 512), "data block count"));
	CHECK(strstr(refusal(80, 257, 512), "salt longer"));
	CHECK_STR(refusal(64, 65536, 512), "parsed"); /* the kernel decides */
}

static void an_unterminated_algorithm_is_refused(void)
{
	uint8_t b[VERITY_SB_SIZE];
	struct verity_sb sb;
	struct err e;

	make_sb(b);
	memset(b + 32, 'x', 32);
	CHECK(verity_sb_parse(b, sizeof(b), &sb, &e) == -1);
	CHECK(strstr(e.why, "not terminated"));
}

static uint64_t tree(uint64_t blocks, uint32_t hbs, const char *alg)
{
	struct verity_sb sb;

	memset(&sb, 0, sizeof(sb));
	strcpy(sb.alg, alg);
	sb.data_bsize = 4096;
	sb.hash_bsize = hbs;
	sb.data_blocks = blocks;
	return verity_tree_blocks(&sb);
}

static void the_tree_has_dm_veritys_geometry(void)
{
	/* measured: 2052 data blocks, veritysetup wrote 18 hash blocks */
	CHECK(tree(2052, 4096, "sha256") == 18);
	CHECK(tree(1, 4096, "sha256") == 0);   /* the root is the block's digest */
	CHECK(tree(2, 4096, "sha256") == 1);
	CHECK(tree(128, 4096, "sha256") == 1);
	CHECK(tree(129, 4096, "sha256") == 3); /* 2 blocks, then their parent */
	CHECK(tree(16384, 4096, "sha256") == 129);
	CHECK(tree(16385, 4096, "sha256") == 129 + 2 + 1);
	/* sha1 in 4 KiB: 204 digests fit, the fan-out is 128 */
	CHECK(tree(2052, 4096, "sha1") == 18);
	/* 512-byte hash blocks, sha256: fan-out 16 */
	CHECK(tree(256, 512, "sha256") == 16 + 1);
	/* a huge count ends, one block at the top */
	CHECK(tree(UINT64_MAX / 8192, 4096, "sha256") > 0);
}

static void the_root_hash_is_checked_before_use(void)
{
	struct verity_sb sb;
	struct err e;
	char ok[65];

	memset(&sb, 0, sizeof(sb));
	strcpy(sb.alg, "sha256");
	memset(ok, 'a', 64);
	ok[64] = 0;
	CHECK(verity_root_check(&sb, ok, &e) == 0);
	ok[10] = 'g';
	CHECK(verity_root_check(&sb, ok, &e) == -1 && strstr(e.why, "hex"));
	ok[10] = 'A';
	ok[63] = 0;
	CHECK(verity_root_check(&sb, ok, &e) == -1 && strstr(e.why, "64 hex"));
	CHECK(verity_root_check(&sb, "", &e) == -1);
}

static void the_table_line_is_veritysetups(void)
{
	uint8_t b[VERITY_SB_SIZE];
	struct verity_sb sb;
	struct verity_table t;
	struct err e;
	char line[1024], want[1024], salt[65];

	make_sb(b);
	CHECK(verity_sb_parse(b, sizeof(b), &sb, &e) == 0);
	memset(salt, 0, sizeof(salt));
	for (int i = 0; i < 32; i++)
		strcat(salt, "5a");
	t.sb = &sb;
	t.data = t.hash = makedev(7, 0);
	t.hash_start = 2053;
	t.root = "00ff";
	t.opt = NULL;
	snprintf(want, sizeof(want),
		 "1 7:0 7:0 4096 4096 2052 2053 sha256 00ff %s", salt);
	CHECK(verity_table_line(&t, line, sizeof(line)) == strlen(want));
	CHECK_STR(line, want);
	t.opt = "restart_on_corruption";
	CHECK(verity_table_line(&t, line, sizeof(line)) > 0);
	CHECK(strstr(line, " 1 restart_on_corruption") != NULL);
	sb.salt_size = 0; /* no salt: "-" */
	t.opt = NULL;
	verity_table_line(&t, line, sizeof(line));
	CHECK(strcmp(line + strlen(line) - 2, " -") == 0);
	CHECK(verity_table_line(&t, line, 20) == 0); /* does not fit */
}

static void the_load_buffer_has_the_kernels_layout(void)
{
	static uint64_t buf[1024];
	const struct dm_ioctl *io = (const void *)buf;
	const struct dm_target_spec *s = (const void *)(io + 1);
	struct dm_target t = {0, 16416, "verity", "1 7:0 7:0 4096 4096 2052 2053 x y"};
	char name[200];
	size_t n;

	n = dm_pack_load(buf, sizeof(buf), "live-root", &t);
	CHECK(n > sizeof(*io) + sizeof(*s) && n % 8 == 0);
	CHECK(io->version[0] == 4 && io->data_size == n &&
	      io->data_start == sizeof(*io));
	CHECK(io->target_count == 1 && (io->flags & DM_READONLY_FLAG));
	CHECK_STR(io->name, "live-root");
	CHECK(s->sector_start == 0 && s->length == 16416);
	CHECK(s->next == n - sizeof(*io) && s->next % 8 == 0);
	CHECK_STR(s->target_type, "verity");
	CHECK_STR((const char *)(s + 1), t.params);
	CHECK(dm_pack_load(buf, sizeof(*io) + 8, "live-root", &t) == 0);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	CHECK(dm_pack_load(buf, sizeof(buf), name, &t) == 0);
	t.type = "a-type-name-too-long";
	CHECK(dm_pack_load(buf, sizeof(buf), "x", &t) == 0);
}

static void the_filesystem_says_where_the_tree_starts(void)
{
	static uint8_t b[4096];

	memset(b, 0, sizeof(b));
	CHECK(verity_fs_size(b, sizeof(b)) == 0);
	memcpy(b, "hsqs", 4);
	put32(b + 40, 8404992 - 100);
	CHECK(verity_fs_size(b, sizeof(b)) == 8404992 - 100);
	CHECK(verity_fs_size(b, 40) == 0);
	memset(b, 0, sizeof(b));
	put32(b + 1024, 0xE0F5E1E2);
	b[1024 + 12] = 12;
	put32(b + 1024 + 36, 2052);
	CHECK(verity_fs_size(b, sizeof(b)) == 2052ull * 4096);
	b[1024 + 12] = 40; /* nonsense block size */
	CHECK(verity_fs_size(b, sizeof(b)) == 0);
}

/* A kernel uevent as the socket gives it: NUL-separated, NUL-ended. */
static size_t uev(char *buf, const char *const *kv)
{
	size_t n = 0;

	for (; *kv; kv++) {
		strcpy(buf + n, *kv);
		n += strlen(*kv) + 1;
	}
	return n;
}

static void a_corruption_uevent_names_device_and_block(void)
{
	static const char *const ok[] = {"change@/devices/virtual/block/dm-0",
		"ACTION=change", "DEVPATH=/devices/virtual/block/dm-0",
		"SUBSYSTEM=block", "MAJOR=253", "MINOR=0", "DEVNAME=dm-0",
		"DEVTYPE=disk", "DM_VERITY_ERR_BLOCK_NR=0,976", "SEQNUM=1234", NULL};
	static const char *const meta[] = {"change@/devices/virtual/block/dm-1",
		"ACTION=change", "MAJOR=253", "MINOR=1",
		"DM_VERITY_ERR_BLOCK_NR=1,17", NULL};
	static const char *const gone[] = {"remove@/devices/virtual/block/dm-0",
		"ACTION=remove", "MAJOR=253", "MINOR=0", NULL};
	struct verity_event ev;
	char buf[512];
	size_t n;

	n = uev(buf, ok);
	CHECK(verity_uevent(buf, n, &ev) == VE_CORRUPT);
	CHECK(ev.major == 253 && ev.minor == 0 && !ev.hash && ev.block == 976);
	n = uev(buf, meta);
	CHECK(verity_uevent(buf, n, &ev) == VE_CORRUPT);
	CHECK(ev.minor == 1 && ev.hash && ev.block == 17);
	n = uev(buf, gone);
	CHECK(verity_uevent(buf, n, &ev) == VE_REMOVE);
	CHECK(ev.major == 253 && ev.minor == 0);
}

static void other_and_malformed_uevents_are_ignored(void)
{
	static const char *const plain[] = {"change@/devices/virtual/block/dm-0",
		"ACTION=change", "MAJOR=253", "MINOR=0", NULL};
	static const char *const udev[] = {"libudev", "ACTION=change",
		"MAJOR=253", "MINOR=0", "DM_VERITY_ERR_BLOCK_NR=0,1", NULL};
	static const char *const badtype[] = {"change@/x", "MAJOR=253",
		"MINOR=0", "DM_VERITY_ERR_BLOCK_NR=2,1", NULL};
	static const char *const badnum[] = {"change@/x", "MAJOR=253",
		"MINOR=0", "DM_VERITY_ERR_BLOCK_NR=0,12x", NULL};
	static const char *const nodev[] = {"change@/x",
		"DM_VERITY_ERR_BLOCK_NR=0,1", NULL};
	struct verity_event ev;
	char buf[512];
	size_t n;

	n = uev(buf, plain);
	CHECK(verity_uevent(buf, n, &ev) == VE_NONE);
	n = uev(buf, udev);
	CHECK(verity_uevent(buf, n, &ev) == VE_NONE);
	n = uev(buf, badtype);
	CHECK(verity_uevent(buf, n, &ev) == VE_NONE);
	n = uev(buf, badnum);
	CHECK(verity_uevent(buf, n, &ev) == VE_NONE);
	n = uev(buf, nodev);
	CHECK(verity_uevent(buf, n, &ev) == VE_NONE);
	/* not NUL-ended, empty */
	n = uev(buf, plain);
	CHECK(verity_uevent(buf, n - 1, &ev) == VE_NONE);
	CHECK(verity_uevent(buf, 0, &ev) == VE_NONE);
}

static void corrupted_blocks_become_ranges_said_once(void)
{
	static struct verity_ranges r;

	/* a bad folio read twice (readahead, then the page alone) */
	CHECK(!vr_add(&r, false, 976));
	CHECK(!vr_add(&r, false, 977));
	CHECK(!vr_add(&r, false, 976));
	CHECK(!vr_add(&r, false, 978));
	CHECK(vr_flush(&r));
	CHECK(!r.out.hash && r.out.from == 976 && r.out.to == 978);
	/* the same blocks again: said already */
	CHECK(!vr_add(&r, false, 977));
	CHECK(!vr_flush(&r));
	/* a gap ends a range; a hash block is another kind */
	CHECK(!vr_add(&r, false, 2000));
	CHECK(vr_add(&r, false, 2005));
	CHECK(r.out.from == 2000 && r.out.to == 2000);
	CHECK(vr_add(&r, true, 2006));
	CHECK(!r.out.hash && r.out.from == 2005 && r.out.to == 2005);
	CHECK(vr_flush(&r));
	CHECK(r.out.hash && r.out.from == 2006);
	CHECK(r.total == 4 && r.n == 4);
	CHECK(!vr_flush(&r));
}

static void beyond_the_remembered_ranges_each_is_counted(void)
{
	static struct verity_ranges r;
	unsigned i;

	for (i = 0; i < VR_MAX + 5; i++) {
		vr_add(&r, false, 10 * i);
		vr_flush(&r);
	}
	CHECK(r.n == VR_MAX && r.total == VR_MAX + 5);
}

int main(void)
{
	RUN(sha256_matches_the_fips_vectors);
	RUN(a_veritysetup_superblock_parses);
	RUN(a_bad_superblock_is_refused_with_its_reason);
	RUN(an_unterminated_algorithm_is_refused);
	RUN(the_tree_has_dm_veritys_geometry);
	RUN(the_root_hash_is_checked_before_use);
	RUN(the_table_line_is_veritysetups);
	RUN(the_load_buffer_has_the_kernels_layout);
	RUN(the_filesystem_says_where_the_tree_starts);
	RUN(a_corruption_uevent_names_device_and_block);
	RUN(other_and_malformed_uevents_are_ignored);
	RUN(corrupted_blocks_become_ranges_said_once);
	RUN(beyond_the_remembered_ranges_each_is_counted);
	T_EXIT();
}
