/* codec_zstd.c - zstd through libzstd's streaming API, one frame per
 * decoder run (ZSTD_decompressStream returns 0 at a frame's end and
 * consumes nothing after it). */
#include <errno.h>
#include <stdlib.h>

#include "base/base.h"
#include "archive.h"

#if HAVE_CODEC_zstd || HAVE_ENCODER_zstd
#include <zstd.h>
#endif

#if HAVE_CODEC_zstd
static int zs_dec_init(void **priv, int level)
{
	ZSTD_DStream *d = ZSTD_createDStream();

	(void)level;
	if (!d) {
		errno = ENOMEM;
		return -1;
	}
	/* Window limit: libzstd's default (128 MiB) bounds memory. */
	if (ZSTD_isError(ZSTD_initDStream(d))) {
		ZSTD_freeDStream(d);
		errno = ENOMEM;
		return -1;
	}
	*priv = d;
	return 0;
}

static int zs_dec_run(void *priv, const uint8_t **in, size_t *inlen,
		      uint8_t *out, size_t *outlen, int finish,
		      const char **err)
{
	ZSTD_inBuffer ib = {*in, *inlen, 0};
	ZSTD_outBuffer ob = {out, *outlen, 0};
	size_t r;

	(void)finish;
	r = ZSTD_decompressStream(priv, &ob, &ib);
	*in += ib.pos;
	*inlen -= ib.pos;
	*outlen = ob.pos;
	if (ZSTD_isError(r)) {
		*err = ZSTD_getErrorName(r);
		errno = EINVAL;
		return -1;
	}
	return r == 0;
}

static void zs_dec_end(void *priv)
{
	ZSTD_freeDStream(priv);
}

const struct codec_ops codec_zstd_dec = {zs_dec_init, zs_dec_run, zs_dec_end};
#endif

#if HAVE_ENCODER_zstd
static int zs_enc_init(void **priv, int level)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();

	if (!c) {
		errno = ENOMEM;
		return -1;
	}
	if (level < 1 || level > ZSTD_maxCLevel())
		level = 3;
	if (ZSTD_isError(
		ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1))) {
		ZSTD_freeCCtx(c);
		errno = EINVAL;
		return -1;
	}
	*priv = c;
	return 0;
}

static int zs_enc_run(void *priv, const uint8_t **in, size_t *inlen,
		      uint8_t *out, size_t *outlen, int finish,
		      const char **err)
{
	ZSTD_inBuffer ib = {*in, *inlen, 0};
	ZSTD_outBuffer ob = {out, *outlen, 0};
	size_t r;

	r = ZSTD_compressStream2(priv, &ob, &ib,
				 finish ? ZSTD_e_end : ZSTD_e_continue);
	*in += ib.pos;
	*inlen -= ib.pos;
	*outlen = ob.pos;
	if (ZSTD_isError(r)) {
		*err = ZSTD_getErrorName(r);
		errno = EINVAL;
		return -1;
	}
	return finish && r == 0;
}

static void zs_enc_end(void *priv)
{
	ZSTD_freeCCtx(priv);
}

const struct codec_ops codec_zstd_enc = {zs_enc_init, zs_enc_run, zs_enc_end};
#endif
