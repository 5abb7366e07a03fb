/* verity.c - the verity superblock and what is built from it: the input's
 * first 512 bytes are a superblock (as veritysetup writes it), the rest a
 * root hash and a filesystem's first page. Whatever parses becomes a tree
 * size, a table line and a DM_TABLE_LOAD buffer, each checked to stay in
 * bounds; SHA-256 runs over the whole input in uneven pieces. The input
 * is also read as a uevent, and a corruption in it joins the ranges. */
#include <linux/dm-ioctl.h>
#include <sys/sysmacros.h>

#include "verity/verity.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t buf[2048];
	static char line[1024];
	static struct verity_ranges vr;
	struct verity_event ev;
	struct verity_sb sb;
	struct verity_table t;
	struct dm_target tg;
	struct sha256 c;
	struct err e;
	uint8_t d[32];
	size_t n, i, step = size % 97 + 1;
	char *root = fz_str(size > 512 ? data + 512 : data, size > 512 ? size - 512 : 0);

	root[strcspn(root, "\n")] = 0;
	(void)verity_fs_size(data, size);
	if (verity_sb_parse(data, size, &sb, &e) == 0) {
		if (!sb.alg[0] || !memchr(sb.alg, 0, sizeof(sb.alg)))
			abort();
		if (verity_tree_blocks(&sb) > sb.data_blocks)
			abort(); /* a tree is never larger than what it covers */
		if (verity_root_check(&sb, root, &e) == 0 &&
		    strlen(root) != 2 * verity_digest_size(sb.alg))
			abort();
		t.sb = &sb;
		t.data = makedev(7, 0);
		t.hash = makedev(259, 1 << 19);
		t.hash_start = sb.data_blocks + 1;
		t.root = root;
		t.opt = size & 1 ? "restart_on_corruption" : NULL;
		n = verity_table_line(&t, line, sizeof(line));
		if (n && (n != strlen(line) || n >= sizeof(line)))
			abort();
		if (n) {
			tg.start = 0;
			tg.len = sb.data_blocks * (sb.data_bsize / 512);
			tg.type = "verity";
			tg.params = line;
			n = dm_pack_load(buf, sizeof(buf), "fuzz", &tg);
			if (n == 0 || n > sizeof(buf) || n % 8 ||
			    ((const struct dm_ioctl *)buf)->data_size != n)
				abort();
		}
	} else if (!memchr(e.what, 0, sizeof(e.what)) || !e.why) {
		abort();
	}
	sha256_init(&c);
	for (i = 0; i < size; i += step)
		sha256_update(&c, data + i, size - i < step ? size - i : step);
	sha256_final(&c, d);
	/* the input as a uevent, too; each event fed to the ranges */
	if (verity_uevent((const char *)data, size, &ev) == VE_CORRUPT) {
		if (ev.block == 0 && ev.hash && vr.n > VR_MAX)
			abort();
		(void)vr_add(&vr, ev.hash, ev.block);
		if (vr_flush(&vr) && vr.out.from > vr.out.to)
			abort();
		if (vr.n > VR_MAX)
			abort();
	}
	free(root);
	return 0;
}
