/* cpio.h - newc/crc archives as the Linux kernel reads them
 * (init/initramfs.c), and a writer.
 *
 * cpio_rd is the kernel's entry state machine as a push parser: feed it
 * bytes in pieces of any size, it returns one event at a time, and file data
 * is handed out in place (pointers into the caller's buffer). cpio_in runs
 * the kernel's outer loop over a file descriptor: NUL padding, uncompressed
 * archives at 4-aligned offsets, compressed segments picked by magic. Memory
 * is fixed: nothing is sized from a header field.
 */
#ifndef INITBOX_CPIO_H
#define INITBOX_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"

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

struct cpio_in {
	int fd;
	bool seekable; /* a regular file: skipped data is lseek'ed */
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
	 * decompressed data of seg when err_in_seg); errno is set for read
	 * errors (err_errno). */
	const char *err;
	uint64_t err_off;
	bool err_in_seg;
	int err_errno;
	char errbuf[96];
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

#endif
