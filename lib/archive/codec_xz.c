/* codec_xz.c - xz and legacy lzma through liblzma.
 *
 * The xz decoder runs without LZMA_CONCATENATED so that it stops at the end
 * of one stream; stream padding and what follows go back to the caller.
 * The encoder writes what the kernel's XZ Embedded accepts: CRC32 check and
 * a dictionary of at most 1 MiB.
 */
#include <errno.h>
#include <stdlib.h>

#include "base/base.h"
#include "archive.h"

#if HAVE_CODEC_xz || HAVE_ENCODER_xz
#include <lzma.h>

#if HAVE_CODEC_gzip && !HAVE_ENCODER_xz
#include <zlib.h>

/* liblzma's CRC32 is the same CRC as zlib's (polynomial, inversions and
 * all), but slice-by-8 with an 8 KiB table in the binary; zlib's builds
 * its table at run time (deps.sh: DYNAMIC_CRC_TABLE). Defined here, the
 * archive's crc32_fast.o is never linked in: the initramfs profile is
 * 8 KiB smaller. The encoder's match finder reads liblzma's table itself,
 * so the host profile keeps liblzma's own. */
uint32_t lzma_crc32(const uint8_t *buf, size_t size, uint32_t crc);
uint32_t lzma_crc32(const uint8_t *buf, size_t size, uint32_t crc)
{
	/* zlib answers 0 for a NULL buffer, liblzma the CRC it was given */
	return buf ? (uint32_t)crc32_z(crc, buf, size) : crc;
}
#endif

/* A header may ask for a huge dictionary; refuse beyond this. */
enum { XZ_MEMLIMIT = 256u << 20 };

static const char *lzerr(lzma_ret r)
{
	switch (r) {
	case LZMA_MEM_ERROR:
		errno = ENOMEM;
		return "out of memory";
	case LZMA_MEMLIMIT_ERROR:
		errno = ENOMEM;
		return "dictionary too large";
	case LZMA_FORMAT_ERROR:
		errno = EINVAL;
		return "not in xz/lzma format";
	case LZMA_OPTIONS_ERROR:
		errno = ENOTSUP;
		return "unsupported xz/lzma options";
	case LZMA_UNSUPPORTED_CHECK:
		errno = ENOTSUP;
		return "integrity check not supported (the kernel, too, reads only xz --check=crc32)";
	default:
		errno = EINVAL;
		return "xz/lzma data is corrupt";
	}
}

static int lz_new(void **priv, lzma_stream **s)
{
	lzma_stream init = LZMA_STREAM_INIT;

	*s = malloc(sizeof(**s));
	if (!*s)
		return -1;
	**s = init;
	*priv = *s;
	return 0;
}

static int lz_run(void *priv, const uint8_t **in, size_t *inlen, uint8_t *out,
		  size_t *outlen, int finish, const char **err)
{
	lzma_stream *s = priv;
	size_t ai = *inlen, ao = *outlen;
	lzma_ret r;

	s->next_in = *in;
	s->avail_in = ai;
	s->next_out = out;
	s->avail_out = ao;
	r = lzma_code(s, finish ? LZMA_FINISH : LZMA_RUN);
	*in += ai - s->avail_in;
	*inlen = s->avail_in;
	*outlen = ao - s->avail_out;
	if (r == LZMA_STREAM_END)
		return 1;
	if (r == LZMA_OK || r == LZMA_BUF_ERROR)
		return 0;
	*err = lzerr(r);
	return -1;
}

static void lz_end(void *priv)
{
	lzma_end(priv);
	free(priv);
}
#endif

#if HAVE_CODEC_xz
static int xz_dec_init(void **priv, int level)
{
	lzma_stream *s;
	lzma_ret r;

	(void)level;
	if (lz_new(priv, &s) < 0)
		return -1;
	/* A check this build cannot verify (only CRC32 is built in, as in
	 * the kernel) is refused instead of silently skipped. */
	r = lzma_stream_decoder(s, XZ_MEMLIMIT, LZMA_TELL_UNSUPPORTED_CHECK);
	if (r != LZMA_OK) {
		free(s);
		(void)lzerr(r);
		return -1;
	}
	return 0;
}

static int lzma_dec_init(void **priv, int level)
{
	lzma_stream *s;
	lzma_ret r;

	(void)level;
	if (lz_new(priv, &s) < 0)
		return -1;
	r = lzma_alone_decoder(s, XZ_MEMLIMIT);
	if (r != LZMA_OK) {
		free(s);
		(void)lzerr(r);
		return -1;
	}
	return 0;
}

const struct codec_ops codec_xz_dec = {xz_dec_init, lz_run, lz_end};
const struct codec_ops codec_lzma_dec = {lzma_dec_init, lz_run, lz_end};
#endif

#if HAVE_ENCODER_xz
static int xz_enc_init(void **priv, int level)
{
	lzma_options_lzma opt;
	lzma_filter f[2];
	lzma_stream *s;
	lzma_ret r;

	if (level < 0 || level > 9)
		level = 6;
	if (lzma_lzma_preset(&opt, (uint32_t)level)) {
		errno = EINVAL;
		return -1;
	}
	/* The kernel's multi-call decoder allocates the whole dictionary. */
	if (opt.dict_size > (1u << 20))
		opt.dict_size = 1u << 20;
	f[0].id = LZMA_FILTER_LZMA2;
	f[0].options = &opt;
	f[1].id = LZMA_VLI_UNKNOWN;
	f[1].options = NULL;
	if (lz_new(priv, &s) < 0)
		return -1;
	r = lzma_stream_encoder(s, f, LZMA_CHECK_CRC32);
	if (r != LZMA_OK) {
		free(s);
		(void)lzerr(r);
		return -1;
	}
	return 0;
}

const struct codec_ops codec_xz_enc = {xz_enc_init, lz_run, lz_end};
#endif
