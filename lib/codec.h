/* codec.h - streaming decoders and encoders for initramfs compression.
 *
 * A decoder consumes exactly one compressed stream (gzip member, xz or lzma
 * stream, zstd frame) and stops at its end, reporting how much input it
 * used, as the kernel's decompressors do: what follows (NUL padding,
 * another segment) belongs to the caller. Which codecs exist depends on the
 * build profile (HAVE_CODEC_x, HAVE_ENCODER_x); the others are still
 * recognised by their magic so that the caller can name them.
 */
#ifndef INITBOX_CODEC_H
#define INITBOX_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* The build profile defines the codecs it has as 1 (config/NAME.mk); the
 * others are 0, so that #if tests every name (-Wundef). */
#ifndef HAVE_CODEC_gzip
#define HAVE_CODEC_gzip 0
#endif
#ifndef HAVE_CODEC_xz
#define HAVE_CODEC_xz 0
#endif
#ifndef HAVE_CODEC_zstd
#define HAVE_CODEC_zstd 0
#endif
#ifndef HAVE_ENCODER_gzip
#define HAVE_ENCODER_gzip 0
#endif
#ifndef HAVE_ENCODER_xz
#define HAVE_ENCODER_xz 0
#endif
#ifndef HAVE_ENCODER_zstd
#define HAVE_ENCODER_zstd 0
#endif

enum codec_id {
	CODEC_NONE, /* no magic matched */
	CODEC_GZIP,
	CODEC_XZ,
	CODEC_LZMA,
	CODEC_ZSTD,
	CODEC_BZIP2,
	CODEC_LZ4,
	CODEC_LZO,
	CODEC_COUNT
};

/* The kernel's decompress_method(): the first two bytes decide (n >= 2). */
enum codec_id codec_detect(const uint8_t *p, size_t n);
const char *codec_name(enum codec_id id);
/* CODEC_NONE for an unknown name; "none" is not a codec. */
enum codec_id codec_by_name(const char *name);
int codec_can_decode(enum codec_id id);
int codec_can_encode(enum codec_id id);

struct codec_ops;

struct codec_dec {
	const struct codec_ops *ops;
	void *priv;	 /* z_stream, lzma_stream or ZSTD_DStream */
	const char *err; /* why the last call failed */
};

/* -1 with errno ENOTSUP when the codec is not built in, ENOMEM. */
int codec_dec_init(struct codec_dec *d, enum codec_id id);
/* Decode from *in (advanced past what was used) into out[0..*outlen);
 * *outlen becomes the number of bytes produced. Returns 1 when the stream
 * ended (nothing after it was consumed), 0 when more input or output space
 * is needed, -1 on corrupt or unsupported data (d->err says why). */
int codec_dec_run(struct codec_dec *d, const uint8_t **in, size_t *inlen,
		  uint8_t *out, size_t *outlen);
void codec_dec_end(struct codec_dec *d);

struct codec_enc {
	const struct codec_ops *ops;
	void *priv;
	const char *err;
};

/* level < 0: the codec's default. The xz encoder writes what the kernel
 * accepts: CRC32 check, dictionary at most 1 MiB. */
int codec_enc_init(struct codec_enc *e, enum codec_id id, int level);
/* Compress in[0..*inlen) (advanced) into out[0..*outlen) (set to bytes
 * produced). With finish set, flushes and ends the stream; returns 1 once
 * the end is fully written, 0 while more calls are needed, -1 on error. */
int codec_enc_run(struct codec_enc *e, const uint8_t **in, size_t *inlen,
		  uint8_t *out, size_t *outlen, int finish);
void codec_enc_end(struct codec_enc *e);

/* One codec's implementation (lib/codec_NAME.c). */
struct codec_ops {
	int (*init)(void **priv, int level);
	int (*run)(void *priv, const uint8_t **in, size_t *inlen, uint8_t *out,
		   size_t *outlen, int finish, const char **err);
	void (*end)(void *priv);
};

extern const struct codec_ops codec_gzip_dec, codec_gzip_enc;
extern const struct codec_ops codec_xz_dec, codec_xz_enc, codec_lzma_dec;
extern const struct codec_ops codec_zstd_dec, codec_zstd_enc;

#endif
