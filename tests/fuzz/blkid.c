/* blkid.c - the superblock probes (blkid_probe, through media_probe as
 * findmedia calls it) and the GPT/MBR readers (blkid_partuuid) on an image
 * in a memory file. The results must be NUL-terminated strings. */
#include "media/media.h"
#include "fuzz.h"

static void terminated(const char *s, size_t len)
{
	if (!memchr(s, '\0', len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blkid_info bi;
	char path[64], out[40];
	int fd = fz_memfd(data, size);
	unsigned part;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (media_probe(path, &bi) == 0) {
		terminated(bi.type, sizeof(bi.type));
		terminated(bi.label, sizeof(bi.label));
		terminated(bi.uuid, sizeof(bi.uuid));
		terminated(bi.partuuid, sizeof(bi.partuuid));
		if (!bi.type[0])
			abort();
	}
	for (part = 1; part <= 5; part++) {
		if (blkid_partuuid(fd, part, 0, out, sizeof(out)) == 0)
			terminated(out, sizeof(out));
		if (blkid_partuuid(fd, part, BLKID_FORCE_GPT, out,
				   sizeof(out)) == 0)
			terminated(out, sizeof(out));
	}
	close(fd);
	return 0;
}
