/* codec.c - which codecs this build has, and dispatch to them.
 *
 * The tables are filled at file scope from the profile's HAVE_CODEC_x and
 * HAVE_ENCODER_x, so a profile without a codec never references (and never
 * links) its library.
 */
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "archive.h"

static const struct {
	uint8_t m[2];
	enum codec_id id;
} magics[] = {
    /* Same order and bytes as linux lib/decompress.c. */
    {{0x1f, 0x8b}, CODEC_GZIP},	 {{0x1f, 0x9e}, CODEC_GZIP},
    {{0x42, 0x5a}, CODEC_BZIP2}, {{0x5d, 0x00}, CODEC_LZMA},
    {{0xfd, 0x37}, CODEC_XZ},	 {{0x89, 0x4c}, CODEC_LZO},
    {{0x02, 0x21}, CODEC_LZ4},	 {{0x28, 0xb5}, CODEC_ZSTD},
};

static const char *const names[CODEC_COUNT] = {
    [CODEC_NONE] = "none", [CODEC_GZIP] = "gzip", [CODEC_XZ] = "xz",
    [CODEC_LZMA] = "lzma", [CODEC_ZSTD] = "zstd", [CODEC_BZIP2] = "bzip2",
    [CODEC_LZ4] = "lz4",   [CODEC_LZO] = "lzo",
};

static const struct codec_ops *const decoders[CODEC_COUNT] = {
#if HAVE_CODEC_gzip
    [CODEC_GZIP] = &codec_gzip_dec,
#endif
#if HAVE_CODEC_xz
    [CODEC_XZ] = &codec_xz_dec,
    [CODEC_LZMA] = &codec_lzma_dec,
#endif
#if HAVE_CODEC_zstd
    [CODEC_ZSTD] = &codec_zstd_dec,
#endif
};

static const struct codec_ops *const encoders[CODEC_COUNT] = {
#if HAVE_ENCODER_gzip
    [CODEC_GZIP] = &codec_gzip_enc,
#endif
#if HAVE_ENCODER_xz
    [CODEC_XZ] = &codec_xz_enc,
#endif
#if HAVE_ENCODER_zstd
    [CODEC_ZSTD] = &codec_zstd_enc,
#endif
};

enum codec_id codec_detect(const uint8_t *p, size_t n)
{
	size_t i;

	if (n < 2)
		return CODEC_NONE;
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (p[0] == magics[i].m[0] && p[1] == magics[i].m[1])
			return magics[i].id;
	return CODEC_NONE;
}

const char *codec_name(enum codec_id id)
{
	return (unsigned)id < CODEC_COUNT ? names[id] : "?";
}

enum codec_id codec_by_name(const char *name)
{
	int i;

	for (i = 1; i < CODEC_COUNT; i++)
		if (!strcmp(name, names[i]))
			return (enum codec_id)i;
	return CODEC_NONE;
}

int codec_can_decode(enum codec_id id)
{
	return (unsigned)id < CODEC_COUNT && decoders[id];
}

int codec_can_encode(enum codec_id id)
{
	return (unsigned)id < CODEC_COUNT && encoders[id];
}

int codec_dec_init(struct codec_dec *d, enum codec_id id)
{
	memset(d, 0, sizeof(*d));
	if (!codec_can_decode(id)) {
		errno = ENOTSUP;
		return -1;
	}
	d->ops = decoders[id];
	if (d->ops->init(&d->priv, -1) < 0) {
		d->ops = NULL;
		return -1;
	}
	return 0;
}

int codec_dec_run(struct codec_dec *d, const uint8_t **in, size_t *inlen,
		  uint8_t *out, size_t *outlen)
{
	return d->ops->run(d->priv, in, inlen, out, outlen, 0, &d->err);
}

void codec_dec_end(struct codec_dec *d)
{
	if (d->ops)
		d->ops->end(d->priv);
	d->ops = NULL;
	d->priv = NULL;
}

int codec_enc_init(struct codec_enc *e, enum codec_id id, int level)
{
	memset(e, 0, sizeof(*e));
	if (!codec_can_encode(id)) {
		errno = ENOTSUP;
		return -1;
	}
	e->ops = encoders[id];
	if (e->ops->init(&e->priv, level) < 0) {
		e->ops = NULL;
		return -1;
	}
	return 0;
}

int codec_enc_run(struct codec_enc *e, const uint8_t **in, size_t *inlen,
		  uint8_t *out, size_t *outlen, int finish)
{
	return e->ops->run(e->priv, in, inlen, out, outlen, finish, &e->err);
}

void codec_enc_end(struct codec_enc *e)
{
	if (e->ops)
		e->ops->end(e->priv);
	e->ops = NULL;
	e->priv = NULL;
}
