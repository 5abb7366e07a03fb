/* cpio_in.c - a whole initramfs image through cpio_in, the entry point
 * cpio-unpack reads with: NUL padding, uncompressed archives and the
 * gzip, xz, lzma and zstd framing, every segment after the other. Data
 * is decoded and dropped, as when listing. */
#include "archive/archive.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpio_in *in = malloc(sizeof(*in));
	enum cpio_event ev;
	int fd = fz_memfd(data, size);
	uint64_t events = 0;

	if (!in || cpio_in_init(in, fd) < 0)
		abort();
	do {
		ev = cpio_in_next(in);
		/* every event consumes input or ends: no endless loop */
		if (++events > 4 * (uint64_t)size + (1u << 20))
			abort();
		if (ev == CPIO_DATA && in->rd.data_len == 0)
			abort();
	} while (ev != CPIO_END && ev != CPIO_ERROR);
	if (ev == CPIO_ERROR && !in->err.what[0])
		abort(); /* cpio-unpack must be able to say why */
	cpio_in_free(in);
	free(in);
	close(fd);
	return 0;
}
