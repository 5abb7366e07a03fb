/* archive.h - the archive wing (lib/archive/): codecs, the kernel's newc
 * reader and the writer, extraction under a target, the entry list of an
 * archive being built. Stands on base.
 */
#ifndef INITBOX_ARCHIVE_H
#define INITBOX_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/base.h"

/* --- codec.c: streaming decoders and encoders for initramfs compression.
 *
 * A decoder consumes exactly one compressed stream (gzip member, xz or lzma
 * stream, zstd frame) and stops at its end, reporting how much input it
 * used, as the kernel's decompressors do: what follows (NUL padding,
 * another segment) belongs to the caller. Which codecs exist depends on the
 * build profile (HAVE_CODEC_x, HAVE_ENCODER_x); the others are still
 * recognised by their magic so that the caller can name them.
 */

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

/* --- cpio.c: newc/crc archives as the Linux kernel reads them
 * (init/initramfs.c), and a writer.
 *
 * cpio_rd is the kernel's entry state machine as a push parser: feed it
 * bytes in pieces of any size, it returns one event at a time, and file data
 * is handed out in place (pointers into the caller's buffer). cpio_in runs
 * the kernel's outer loop over a file descriptor: NUL padding, uncompressed
 * archives at 4-aligned offsets, compressed segments picked by magic. Memory
 * is fixed: nothing is sized from a header field.
 */

enum {
	CPIO_HDR_LEN = 110,
	CPIO_PATH_MAX = 4096, /* the kernel's PATH_MAX */
};

/* Name plus padding so that 110 + CPIO_N_ALIGN(namesize) is 4-aligned. */
#define CPIO_N_ALIGN(len) ((((uint64_t)(len) + 1) & ~(uint64_t)3) + 2)

struct cpio_entry {
	uint32_t ino, mode, uid, gid, nlink, mtime, filesize;
	uint32_t devmajor, devminor, rdevmajor, rdevminor, namesize, check;
	bool crc;	    /* 070702: check is the sum of the data bytes */
	uint64_t off;	    /* offset of the header in its stream */
	const char *name;   /* NUL-terminated, valid until the next event */
	const char *target; /* symlink target */
};

enum cpio_event {
	CPIO_NEED,     /* all input used; feed more */
	CPIO_ENTRY,    /* rd.e holds an entry (not the trailer) */
	CPIO_DATA,     /* rd.data[0..rd.data_len) is file data */
	CPIO_DATA_END, /* a regular file's data is complete */
	CPIO_TRAILER,  /* TRAILER!!!: the kernel resets its hardlink table */
	CPIO_SKIPPED,  /* an entry the kernel skips silently (rd.why) */
	CPIO_BOUNDARY, /* between entries, a non-NUL byte follows */
	CPIO_ERROR,    /* rd.err at rd.err_off; the stream is dead */
	/* cpio_in only: */
	CPIO_SEG_START, /* in.seg describes the segment that starts */
	CPIO_SEG_END,	/* in.seg has its sizes and entry count */
	CPIO_END,	/* end of input, everything consumed */
};

struct cpio_rd {
	int state;
	uint64_t pos;  /* bytes consumed: the kernel's this_header */
	uint64_t next; /* where the next header starts */
	uint32_t left; /* data bytes still to come */
	uint32_t sum;
	size_t have, want; /* collecting a header, name or symlink */
	struct cpio_entry e;
	const uint8_t *data;
	size_t data_len;
	const char *why; /* CPIO_SKIPPED: which kernel rule */
	const char *err;
	uint64_t err_off;
	uint8_t hdr[CPIO_HDR_LEN];
	/* name + padding + symlink target + NUL, the kernel's symlink_buf */
	char col[CPIO_N_ALIGN(CPIO_PATH_MAX) + CPIO_PATH_MAX + 1];
};

void cpio_rd_init(struct cpio_rd *r, uint64_t pos);
/* At CPIO_BOUNDARY (or at the start) with a '0' next: read a header. */
void cpio_rd_start(struct cpio_rd *r);
/* Process buf[0..len); *used says how much was consumed. */
enum cpio_event cpio_rd_feed(struct cpio_rd *r, const uint8_t *buf, size_t len,
			     size_t *used);
/* After CPIO_ENTRY: do not deliver this entry's data (no checksum). */
void cpio_rd_skip_data(struct cpio_rd *r);
/* Bytes the caller may skip without feeding them (0 unless skipping). */
uint64_t cpio_rd_skippable(const struct cpio_rd *r);
void cpio_rd_skipped(struct cpio_rd *r, uint64_t n);
/* Between entries (the kernel's Reset state). */
bool cpio_rd_idle(const struct cpio_rd *r);
/* Parse the 110-byte header into e: 0, or -1 with *err set. */
int cpio_parse_header(const uint8_t *h, struct cpio_entry *e, const char **err);

struct cpio_seg {
	uint64_t off;	     /* input offset of its first byte */
	enum codec_id codec; /* CODEC_NONE: uncompressed */
	uint64_t csize;	     /* input bytes */
	uint64_t usize;	     /* archive bytes (decompressed) */
	uint64_t entries;    /* entries, trailers not counted */
};

struct dec_res;
struct cpio_in {
	int fd;
	bool seekable; /* a regular file: skipped data is lseek'ed */
	/* Set by the caller before the first cpio_in_next: with two CPUs or
	 * more, each compressed segment is decoded by a process of its own
	 * while this one goes on with what it already gave (decproc). */
	bool overlap;
	int dp_fd;	     /* the decoder's pipe, while it runs */
	int dp_pid;	     /* the decoder process, 0 when none */
	struct dec_res *dp; /* what it leaves (shared memory) */
	bool eof;
	int mode;
	bool dec_done, after_trailer;
	uint8_t *ibuf, *obuf;
	size_t ilen, ipos, olen, opos;
	uint64_t ioff; /* input offset of ibuf[0] */
	struct codec_dec dec;
	struct cpio_seg seg;
	struct cpio_rd rd;
	/* CPIO_ERROR: err at err_off (input offset, or the offset in the
	 * decompressed data of seg when err_in_seg); err.no is set for read
	 * errors. */
	struct err err;
	uint64_t err_off;
	bool err_in_seg;
};

int cpio_in_init(struct cpio_in *in, int fd);
/* The next event; CPIO_ENTRY/DATA/... come from in->rd. */
enum cpio_event cpio_in_next(struct cpio_in *in);
void cpio_in_skip_data(struct cpio_in *in);
void cpio_in_free(struct cpio_in *in);

/* Writer: header + name + NUL padding into out, which must hold
 * CPIO_HDR_LEN + CPIO_N_ALIGN(strlen(name) + 1) bytes; namesize, and the
 * magic from e->crc, are taken care of. Returns the bytes written. */
size_t cpio_put_header(uint8_t *out, const struct cpio_entry *e,
		       const char *name);
/* Sum of bytes, as 070702 wants. */
uint32_t cpio_sum(uint32_t sum, const uint8_t *p, size_t n);

/* A buffered archive writer, compressing when codec is not CODEC_NONE.
 * Alignment counts archive bytes from the start of this output, as the
 * kernel counts from the start of a (decompressed) segment. */
struct cpio_out {
	int fd;
	bool compress;
	struct codec_enc enc;
	uint8_t *buf, *zbuf;
	size_t len;
	uint64_t off;	  /* archive bytes so far */
	uint64_t written; /* bytes written to fd */
	bool crc;	  /* the last entry's magic, kept by the trailer */
	const char *err;  /* the encoder's reason, when it failed */
};

/* -1 with errno ENOTSUP when the codec has no encoder in this build. */
int cpio_out_init(struct cpio_out *o, int fd, enum codec_id codec, int level);
int cpio_out_write(struct cpio_out *o, const void *p, size_t n);
/* NULs up to a multiple of align (a power of two). */
int cpio_out_pad(struct cpio_out *o, unsigned align);
int cpio_out_entry(struct cpio_out *o, const struct cpio_entry *e,
		   const char *name);
/* TRAILER!!!, then NULs to a 512-byte boundary as cpio tools do. */
int cpio_out_trailer(struct cpio_out *o);
/* Flush (ending the compressed stream); the fd stays open. */
int cpio_out_finish(struct cpio_out *o);
void cpio_out_free(struct cpio_out *o);

/* --- extract.c: create cpio entries under a target directory the way the
 * kernel creates them in rootfs, without ever touching anything outside.
 *
 * Every path is resolved inside the target with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS): absolute names, ".." and symlinks planted by
 * earlier entries or earlier segments stay inside, as they stay inside
 * rootfs for the kernel. The last component is handled with *at calls and
 * O_NOFOLLOW: an existing symlink there is replaced, never followed.
 * Kernels without openat2 get a component walk with O_NOFOLLOW, where a
 * symlinked directory in a path is refused. Hardlinks only point at names
 * this extraction created.
 */

struct extract_link;
struct extract_dir;

enum { EXTRACT_LINK_BUCKETS = 1024 };

struct extract {
	int root;	  /* O_PATH fd of the target */
	int fd;		  /* the regular file being written, or -1 */
	bool walk;	  /* no openat2: walk components */
	bool owner;	  /* apply uid/gid and modes as root does */
	/* cpio's options, set after extract_init (the kernel does none):
	 * mkdirs makes missing parent directories (-d), no_time leaves
	 * mtimes at the time of extraction (no -m), keep_newer leaves an
	 * existing file at least as new as the entry (no -u). */
	bool mkdirs, no_time, keep_newer;
	struct err err;	  /* what failed (the entry's name is the caller's) */
	int cfd;	  /* cached parent directory */
	char cname[CPIO_PATH_MAX + 1];
	struct extract_link *links[EXTRACT_LINK_BUCKETS];
	struct extract_dir *dirs; /* deferred mtimes, newest first */
};

/* Open DIR (not following a symlink there). owner: set uid/gid (root). */
int extract_init(struct extract *x, const char *dir, bool owner);
/* Create e. For a regular file, x->fd is then open for the data (the
 * caller writes it with extract_data and calls extract_file_done).
 * -1 with errno, x->err: the entry was not created or
 * gets no data (as the kernel, the caller may go on; x->fd may be open).
 * 1: keep_newer left the existing file (the entry gets no data). */
int extract_entry(struct extract *x, const struct cpio_entry *e);
int extract_data(struct extract *x, const void *p, size_t n);
/* mtime, close. */
int extract_file_done(struct extract *x, const struct cpio_entry *e);
/* TRAILER!!!: forget hardlink candidates, as the kernel's free_hash(). */
void extract_forget_links(struct extract *x);
/* Apply directory modes and mtimes (newest first), free everything.
 * -1 if one failed (x->err), after trying all. */
int extract_finish(struct extract *x);

/* Name handling, exposed for tests: split NAME into the parent path
 * (relative to the target, "" for the target itself) and the last
 * component, as the kernel would resolve it from "/". */
void extract_split(const char *name, char *parent, char *last);

/* --- pack.c: the entry list of a newc archive being built: a directory walk
 * or a gen_init_cpio list, numbered reproducibly, or a name list as GNU
 * cpio -o reads it; then written through a cpio_out. Used by cpio-pack
 * and cpio -o.
 */

struct pack_ent {
	char *name; /* archive name */
	char *src;  /* data file, or symlink target */
	uint32_t mode, uid, gid, mtime, size, rmaj, rmin;
	uint64_t dev, ino; /* identity, for hardlink groups */
	uint32_t links;	   /* names the source says it has */
	uint32_t new_ino, nlink;
	bool nodata; /* a hardlink whose data is on another name */
	size_t pos;
	size_t lead; /* pack_gnu_order: the first name of its inode */
};

struct pack {
	struct pack_ent *v;
	size_t n, cap;
	/* settings, filled by the caller */
	bool crc; /* 070702 with data checksums */
	bool owner_set, mtime_set, epoch_set;
	uint32_t uid, gid, mtime; /* -R, -t */
	int64_t epoch;		  /* SOURCE_DATE_EPOCH: mtimes clamped to it */
	/* on failure: what failed, on what ("stat PATH"), or for a list
	 * error (errno EINVAL, err.no 0) "LIST:LINE: why" */
	struct err err;
	bool out_failed; /* writing the archive: err.no says why */
};

enum { PACK_BUF = 64 << 10 }; /* read size when copying file data */

/* Add the tree under DIR (not DIR itself), names sorted in C order. */
int pack_dir(struct pack *p, const char *dir);
/* Add the entries of a gen_init_cpio list read from f, in list order. */
int pack_list(struct pack *p, FILE *f, const char *name);
/* Add the files named in f, one a line (sep '\n') or NUL-separated, in
 * that order, as GNU cpio -o reads them: a leading "./" is dropped,
 * blank lines are skipped. */
int pack_names(struct pack *p, FILE *f, int sep);
/* Number and order the entries of pack_names as GNU cpio -o
 * --reproducible writes them (copyout.c): inodes from 0 in name order,
 * shared by the names of an inode with more links; a regular file with
 * more links waits for its last listed name, then its waiting names come
 * without data (the latest first) and the last with it; names still
 * waiting at the end follow, latest first, the data on each inode's
 * earliest name. nlink is the source's. */
int pack_gnu_order(struct pack *p);
/* Number inodes in archive order; names of one source inode share the
 * first one's number and only the last carries the data. */
int pack_number(struct pack *p);
/* Write every entry and the trailer. */
int pack_emit(struct pack *p, struct cpio_out *o);
/* Forget the entries (settings stay). */
void pack_clear(struct pack *p);

#endif
