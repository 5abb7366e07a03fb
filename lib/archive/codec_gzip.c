/* codec_gzip.c - gzip through zlib: one member per decoder run (windowBits
 * 16+15 stops at the member's end, as the kernel's gunzip does). */
#include <errno.h>
#include <stdlib.h>

#include "base/base.h"
#include "archive.h"

#if HAVE_CODEC_gzip || HAVE_ENCODER_gzip
#include <zlib.h>

static int zerr(int r, z_stream *z, const char **err)
{
	if (r == Z_MEM_ERROR) {
		*err = "out of memory";
		errno = ENOMEM;
	} else {
		*err = z->msg ? z->msg : "gzip data is corrupt";
		errno = EINVAL;
	}
	return -1;
}
#endif

#if HAVE_CODEC_gzip && !HAVE_ENCODER_gzip
/* inflate links zlib's Adler-32 (1.1 KiB, unrolled) for zlib-wrapped
 * streams, which windowBits 16+15 never reads: only the initial
 * adler32(0, NULL, 0) runs. This plain one takes its place in the
 * initramfs profile and is still right for any input. */
uLong adler32_z(uLong adler, const Bytef *buf, z_size_t len)
{
	unsigned long a = adler & 0xffff, b = (adler >> 16) & 0xffff;

	if (!buf)
		return 1;
	while (len--) {
		a = (a + *buf++) % 65521;
		b = (b + a) % 65521;
	}
	return (b << 16) | a;
}

uLong adler32(uLong adler, const Bytef *buf, uInt len)
{
	return adler32_z(adler, buf, len);
}
#endif

#if HAVE_CODEC_gzip
static int gz_dec_init(void **priv, int level)
{
	z_stream *z = calloc(1, sizeof(*z));

	(void)level;
	if (!z)
		return -1;
	if (inflateInit2(z, 16 + 15) != Z_OK) {
		free(z);
		errno = ENOMEM;
		return -1;
	}
	*priv = z;
	return 0;
}

static int gz_dec_run(void *priv, const uint8_t **in, size_t *inlen,
		      uint8_t *out, size_t *outlen, int finish,
		      const char **err)
{
	z_stream *z = priv;
	uInt ai = *inlen > UINT32_MAX ? UINT32_MAX : (uInt)*inlen;
	uInt ao = *outlen > UINT32_MAX ? UINT32_MAX : (uInt)*outlen;
	int r;

	(void)finish;
	z->next_in = (Bytef *)*in;
	z->avail_in = ai;
	z->next_out = out;
	z->avail_out = ao;
	r = inflate(z, Z_NO_FLUSH);
	*in += ai - z->avail_in;
	*inlen -= ai - z->avail_in;
	*outlen = ao - z->avail_out;
	if (r == Z_STREAM_END)
		return 1;
	if (r == Z_OK || r == Z_BUF_ERROR)
		return 0;
	return zerr(r, z, err);
}

static void gz_dec_end(void *priv)
{
	(void)inflateEnd(priv); /* only fails on a bad stream state */
	free(priv);
}

const struct codec_ops codec_gzip_dec = {gz_dec_init, gz_dec_run, gz_dec_end};
#endif

#if HAVE_ENCODER_gzip
static int gz_enc_init(void **priv, int level)
{
	z_stream *z = calloc(1, sizeof(*z));

	if (!z)
		return -1;
	if (level < 0 || level > 9)
		level = 9;
	/* zlib's own gzip header: mtime 0, no name, so output is
	 * reproducible. */
	if (deflateInit2(z, level, Z_DEFLATED, 16 + 15, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		free(z);
		errno = ENOMEM;
		return -1;
	}
	*priv = z;
	return 0;
}

static int gz_enc_run(void *priv, const uint8_t **in, size_t *inlen,
		      uint8_t *out, size_t *outlen, int finish,
		      const char **err)
{
	z_stream *z = priv;
	uInt ai = *inlen > UINT32_MAX ? UINT32_MAX : (uInt)*inlen;
	uInt ao = *outlen > UINT32_MAX ? UINT32_MAX : (uInt)*outlen;
	int r;

	z->next_in = (Bytef *)*in;
	z->avail_in = ai;
	z->next_out = out;
	z->avail_out = ao;
	r = deflate(z, finish && ai == *inlen ? Z_FINISH : Z_NO_FLUSH);
	*in += ai - z->avail_in;
	*inlen -= ai - z->avail_in;
	*outlen = ao - z->avail_out;
	if (r == Z_STREAM_END)
		return 1;
	if (r == Z_OK || r == Z_BUF_ERROR)
		return 0;
	return zerr(r, z, err);
}

static void gz_enc_end(void *priv)
{
	(void)deflateEnd(priv); /* reports only discarded pending data */
	free(priv);
}

const struct codec_ops codec_gzip_enc = {gz_enc_init, gz_enc_run, gz_enc_end};
#endif
