/* cpio.c - the kernel's initramfs reader as a push parser, its outer loop
 * over a file descriptor, and the newc writer.
 *
 * Rules followed (linux init/initramfs.c, see docs/cpio.md):
 * - headers are 070701 or 070702, 13 fields of exactly 8 hex digits;
 * - namesize 0 or > PATH_MAX, symlink targets > PATH_MAX, and data on
 *   anything but a regular file or symlink are skipped without error;
 * - between entries NULs are eaten; a non-NUL byte must sit at a 4-aligned
 *   offset ("broken padding");
 * - a top-level '0' at a 4-aligned offset starts an uncompressed archive,
 *   NUL is skipped, anything else is a compressed segment picked by magic;
 *   an entry may not straddle the end of a compressed segment.
 * Unlike the kernel, truncated uncompressed input is an error.
 *
 * With in->overlap and two CPUs, a compressed segment is decoded by a
 * forked process that writes what it decodes to a pipe, so that decoding
 * and file creation overlap (3cpio runs the decompressor as a process for
 * the same reason). A process, not a thread: musl's threads would add
 * 8 KiB to the static binary, fork, pipe and waitpid are in it already.
 * The reader sees the same bytes, and each failure the same words at the
 * same offset, as when it decodes here itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "archive.h"

enum {
	R_RESET,
	R_HDR,
	R_NAME,
	R_LINK,
	R_DATA,
	R_SKIP,
	R_BADSUM,
	R_DEAD,
};

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cpio_parse_header(const uint8_t *h, struct cpio_entry *e, const char **err)
{
	uint32_t f[13];
	int i, j, v;

	if (!memcmp(h, "070701", 6)) {
		e->crc = false;
	} else if (!memcmp(h, "070702", 6)) {
		e->crc = true;
	} else {
		*err = memcmp(h, "070707", 6)
			   ? "no cpio magic"
			   : "incorrect cpio method used: use -H newc option";
		return -1;
	}
	/* Strict hex, as hex2bin() since 2026: no "0x", no blanks. */
	for (i = 0; i < 13; i++) {
		f[i] = 0;
		for (j = 0; j < 8; j++) {
			v = hexval(h[6 + i * 8 + j]);
			if (v < 0) {
				*err = "damaged header";
				return -1;
			}
			f[i] = f[i] << 4 | (uint32_t)v;
		}
	}
	e->ino = f[0];
	e->mode = f[1];
	e->uid = f[2];
	e->gid = f[3];
	e->nlink = f[4];
	e->mtime = f[5];
	e->filesize = f[6];
	e->devmajor = f[7];
	e->devminor = f[8];
	e->rdevmajor = f[9];
	e->rdevminor = f[10];
	e->namesize = f[11];
	e->check = f[12];
	return 0;
}

void cpio_rd_init(struct cpio_rd *r, uint64_t pos)
{
	r->state = R_RESET;
	r->pos = pos;
	r->next = pos;
	r->left = 0;
	r->have = r->want = 0;
	r->err = NULL;
}

void cpio_rd_start(struct cpio_rd *r)
{
	r->state = R_HDR;
	r->have = 0;
	r->want = CPIO_HDR_LEN;
	r->e.off = r->pos;
}

bool cpio_rd_idle(const struct cpio_rd *r)
{
	return r->state == R_RESET;
}

void cpio_rd_skip_data(struct cpio_rd *r)
{
	if (r->state == R_DATA)
		r->state = R_SKIP;
}

uint64_t cpio_rd_skippable(const struct cpio_rd *r)
{
	return r->state == R_SKIP && r->next > r->pos ? r->next - r->pos : 0;
}

void cpio_rd_skipped(struct cpio_rd *r, uint64_t n)
{
	r->pos += n;
}

static enum cpio_event rd_fail(struct cpio_rd *r, const char *why, uint64_t off)
{
	r->state = R_DEAD;
	r->err = why;
	r->err_off = off;
	return CPIO_ERROR;
}

/* A complete header is in r->hdr: decide what to collect next. */
static enum cpio_event rd_header(struct cpio_rd *r)
{
	struct cpio_entry *e = &r->e;
	const char *err;

	if (cpio_parse_header(r->hdr, e, &err) < 0)
		return rd_fail(r, err, e->off);
	e->name = e->target = NULL;
	r->next = (e->off + CPIO_HDR_LEN + CPIO_N_ALIGN(e->namesize) +
		   e->filesize + 3) &
		  ~(uint64_t)3;
	r->state = R_SKIP;
	r->have = 0;
	if (e->namesize == 0 || e->namesize > CPIO_PATH_MAX) {
		r->why = "name size 0 or above PATH_MAX";
		return CPIO_SKIPPED;
	}
	if (S_ISLNK(e->mode)) {
		if (e->filesize > CPIO_PATH_MAX) {
			r->why = "symlink target above PATH_MAX";
			return CPIO_SKIPPED;
		}
		r->want = CPIO_N_ALIGN(e->namesize) + e->filesize;
		r->state = R_LINK;
		return CPIO_NEED;
	}
	if (S_ISREG(e->mode) || e->filesize == 0) {
		r->want = CPIO_N_ALIGN(e->namesize);
		r->state = R_NAME;
		return CPIO_NEED;
	}
	r->why = "data on a special file";
	return CPIO_SKIPPED;
}

/* The name (and symlink target) is collected. */
static enum cpio_event rd_name(struct cpio_rd *r)
{
	struct cpio_entry *e = &r->e;

	if (r->col[e->namesize - 1] != '\0')
		return rd_fail(r, "malformed archive: name without NUL",
			       e->off);
	e->name = r->col;
	r->state = R_SKIP;
	if (S_ISLNK(e->mode)) {
		r->col[CPIO_N_ALIGN(e->namesize) + e->filesize] = '\0';
		e->target = r->col + CPIO_N_ALIGN(e->namesize);
		return CPIO_ENTRY;
	}
	if (!strcmp(e->name, "TRAILER!!!"))
		return CPIO_TRAILER;
	if (S_ISREG(e->mode)) {
		r->state = R_DATA;
		r->left = e->filesize;
		r->sum = 0;
	}
	return CPIO_ENTRY;
}

uint32_t cpio_sum(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sum += p[i];
	return sum;
}

enum cpio_event cpio_rd_feed(struct cpio_rd *r, const uint8_t *buf, size_t len,
			     size_t *used)
{
	enum cpio_event ev;
	size_t u = 0, n;
	uint8_t *dst;

	for (;;) {
		switch (r->state) {
		case R_RESET:
			n = u;
			while (u < len && buf[u] == 0)
				u++;
			r->pos += u - n;
			*used = u;
			if (u == len)
				return CPIO_NEED;
			if (r->pos & 3)
				return rd_fail(r, "broken padding", r->pos);
			return CPIO_BOUNDARY;
		case R_HDR:
		case R_NAME:
		case R_LINK:
			dst = r->state == R_HDR ? r->hdr : (uint8_t *)r->col;
			n = r->want - r->have;
			if (n > len - u)
				n = len - u;
			memcpy(dst + r->have, buf + u, n);
			r->have += n;
			u += n;
			r->pos += n;
			if (r->have < r->want) {
				*used = u;
				return CPIO_NEED;
			}
			ev = r->state == R_HDR ? rd_header(r) : rd_name(r);
			if (ev != CPIO_NEED) {
				*used = u;
				return ev;
			}
			break;
		case R_DATA:
			if (r->left == 0) {
				r->state = R_SKIP;
				if (r->e.crc && r->sum != r->e.check)
					r->state = R_BADSUM;
				*used = u;
				return CPIO_DATA_END;
			}
			if (u == len) {
				*used = u;
				return CPIO_NEED;
			}
			n = len - u < r->left ? len - u : r->left;
			r->data = buf + u;
			r->data_len = n;
			if (r->e.crc)
				r->sum = cpio_sum(r->sum, buf + u, n);
			r->left -= (uint32_t)n;
			r->pos += n;
			*used = u + n;
			return CPIO_DATA;
		case R_SKIP:
			if (r->pos >= r->next) {
				r->state = R_RESET;
				break;
			}
			n = r->next - r->pos < len - u ? r->next - r->pos
						       : len - u;
			u += n;
			r->pos += n;
			if (r->pos < r->next) {
				*used = u;
				return CPIO_NEED;
			}
			break;
		case R_BADSUM:
			*used = u;
			return rd_fail(r, "bad data checksum", r->e.off);
		default:
			*used = u;
			return CPIO_ERROR;
		}
	}
}

/* --- the outer loop --------------------------------------------------- */

enum { IN_TOP, IN_RAW, IN_CODEC };
enum { IBUF_SIZE = 256 << 10, OBUF_SIZE = 256 << 10 };

enum { DS_MORE, DS_DONE, DS_FAIL };
struct dec_fail {
	uint64_t off;
	int no; /* errno of a read error */
	char why[128];
};

/* What the decoder process leaves in shared memory when its stream ends:
 * how it ended, and the input it read past the end, which is ours again. */
struct dec_res {
	int state; /* 0 running (or killed), DS_DONE, DS_FAIL */
	bool eof;
	struct dec_fail fail;
	uint64_t csize, ioff; /* input the stream took; offset of tail[0] */
	size_t left;
	uint8_t tail[IBUF_SIZE];
};

int cpio_in_init(struct cpio_in *in, int fd)
{
	struct stat st;

	memset(in, 0, sizeof(*in));
	in->fd = fd;
	in->seekable = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		       lseek(fd, 0, SEEK_CUR) >= 0;
	in->ibuf = malloc(IBUF_SIZE);
	in->obuf = malloc(OBUF_SIZE);
	if (!in->ibuf || !in->obuf) {
		cpio_in_free(in);
		errno = ENOMEM;
		return -1;
	}
	cpio_rd_init(&in->rd, 0);
	return 0;
}

static void dp_stop(struct cpio_in *in);

void cpio_in_free(struct cpio_in *in)
{
	dp_stop(in);
	if (in->dp)
		(void)munmap(in->dp, sizeof(*in->dp)); /* nothing to report */
	in->dp = NULL;
	codec_dec_end(&in->dec);
	free(in->ibuf);
	free(in->obuf);
	in->ibuf = in->obuf = NULL;
}

static enum cpio_event in_fail(struct cpio_in *in, const char *why,
			       uint64_t off, bool in_seg, int err)
{
	dp_stop(in);
	err_set(&in->err, err, "%s", why);
	in->err_off = off;
	in->err_in_seg = in_seg;
	in->rd.state = R_DEAD;
	in->mode = IN_TOP;
	in->eof = true;
	in->ipos = in->ilen;
	return CPIO_ERROR;
}

/* in_fail with words of its own, at input offset off */
static enum cpio_event in_failf(struct cpio_in *in, uint64_t off,
				const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum cpio_event in_failf(struct cpio_in *in, uint64_t off,
				const char *fmt, ...)
{
	char why[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return in_fail(in, why, off, false, 0);
}

/* Keep what is unread, append what read() gives; -1 on a read error. */
static int in_fill(struct cpio_in *in)
{
	ssize_t r;

	if (in->ipos) {
		memmove(in->ibuf, in->ibuf + in->ipos, in->ilen - in->ipos);
		in->ioff += in->ipos;
		in->ilen -= in->ipos;
		in->ipos = 0;
	}
	while (!in->eof && in->ilen < IBUF_SIZE) {
		r = read(in->fd, in->ibuf + in->ilen, IBUF_SIZE - in->ilen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			in->eof = true;
		in->ilen += (size_t)r;
		break;
	}
	return 0;
}

static enum cpio_event in_read_fail(struct cpio_in *in)
{
	return in_fail(in, "read error", in->ioff + in->ilen, false, errno);
}

/* --- the decoder's step, here or in a process of its own ----------------- */

/* Input filled, decoded into obuf (olen bytes, none when it fails): DS_DONE
 * at the stream's end, DS_FAIL with f set. */
static int dec_step(struct cpio_in *in, struct dec_fail *f)
{
	const uint8_t *p;
	size_t used, n, on = OBUF_SIZE;
	int r;

	in->olen = in->opos = 0;
	if (in->ipos == in->ilen && in_fill(in) < 0) {
		f->no = errno;
		f->off = in->ioff + in->ilen;
		snprintf(f->why, sizeof(f->why), "read error");
		return DS_FAIL;
	}
	p = in->ibuf + in->ipos;
	n = in->ilen - in->ipos;
	r = codec_dec_run(&in->dec, &p, &n, in->obuf, &on);
	used = in->ilen - in->ipos - n;
	in->ipos += used;
	in->seg.csize += used;
	f->no = 0;
	f->off = in->ioff + in->ipos;
	if (r < 0) {
		snprintf(f->why, sizeof(f->why), "%s: %s",
			 codec_name(in->seg.codec), in->dec.err);
		return DS_FAIL;
	}
	in->olen = on;
	if (r == 1)
		return DS_DONE;
	if (!used && !on && in->eof && in->ipos == in->ilen) {
		snprintf(f->why, sizeof(f->why), "truncated %s data",
			 codec_name(in->seg.codec));
		return DS_FAIL;
	}
	return DS_MORE;
}

/* The decoder process: decode, write to the pipe, say how it ended. */
static _Noreturn void dp_child(struct cpio_in *in, int fd)
{
	struct dec_res *res = in->dp;
	int r;

	do {
		r = dec_step(in, &res->fail);
		if (fd_write_all(fd, in->obuf, in->olen) < 0)
			_exit(1); /* the reader has gone */
	} while (r == DS_MORE);
	res->csize = in->seg.csize;
	res->left = in->ilen - in->ipos;
	memcpy(res->tail, in->ibuf + in->ipos, res->left);
	res->ioff = in->ioff + in->ipos;
	res->eof = in->eof;
	res->state = r;
	_exit(0);
}

/* Decode the segment that starts in a process of its own when there are
 * two CPUs for it to use; else (or if any step fails) here, as before. */
static void dp_start(struct cpio_in *in)
{
	cpu_set_t cpus;
	int p[2], pid;

	if (!in->overlap || sched_getaffinity(0, sizeof(cpus), &cpus) < 0 ||
	    CPU_COUNT(&cpus) < 2)
		return;
	if (!in->dp) {
		in->dp = mmap(NULL, sizeof(*in->dp), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (in->dp == MAP_FAILED) {
			in->dp = NULL;
			return;
		}
	}
	in->dp->state = 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	/* Room for four of its writes: with the default 64 KiB the decoder
	 * waits for each of its 256 KiB to be read, and nothing overlaps
	 * (measured: slower than decoding here). Less if the system caps it. */
	(void)fcntl(p[1], F_SETPIPE_SZ, 4 * OBUF_SIZE);
	pid = fork();
	if (pid == 0) {
		fd_close(p[0]);
		dp_child(in, p[1]);
	}
	fd_close(p[1]);
	if (pid < 0) {
		fd_close(p[0]);
		return;
	}
	in->dp_fd = p[0];
	in->dp_pid = pid;
	codec_dec_end(&in->dec); /* the child has its own */
}

/* Wait for the decoder process; its exit status. */
static int dp_reap(struct cpio_in *in)
{
	int st = 0;

	fd_close(in->dp_fd);
	while (waitpid(in->dp_pid, &st, 0) < 0 && errno == EINTR)
		;
	in->dp_pid = 0;
	return st;
}

static void dp_stop(struct cpio_in *in)
{
	if (in->dp_pid <= 0)
		return;
	(void)kill(in->dp_pid, SIGKILL); /* it may have exited already */
	(void)dp_reap(in);
}

/* The decoder process's next bytes into obuf, or at the pipe's end how it
 * ended: as dec_step. */
static int dp_read(struct cpio_in *in, struct dec_fail *f)
{
	struct dec_res *res = in->dp;
	ssize_t r;
	int st;

	in->olen = in->opos = 0;
	while ((r = read(in->dp_fd, in->obuf, OBUF_SIZE)) < 0 && errno == EINTR)
		;
	if (r > 0) {
		in->olen = (size_t)r;
		return DS_MORE;
	}
	f->no = r < 0 ? errno : 0;
	st = dp_reap(in);
	if (r < 0 || !res->state) {
		f->off = in->ioff + in->ipos;
		snprintf(f->why, sizeof(f->why), "%s: the decoder process %s",
			 codec_name(in->seg.codec),
			 r < 0 ? "cannot be read" : WIFSIGNALED(st) ? "was killed" : "ended early");
		return DS_FAIL;
	}
	if (res->state == DS_FAIL) {
		*f = res->fail;
		return DS_FAIL;
	}
	/* the input past the stream's end is read here again */
	memcpy(in->ibuf, res->tail, res->left);
	in->ipos = 0;
	in->ilen = res->left;
	in->ioff = res->ioff;
	in->eof = res->eof;
	in->seg.csize = res->csize;
	return DS_DONE;
}

static enum cpio_event in_top(struct cpio_in *in)
{
	enum codec_id id;
	uint64_t abs;

	for (;;) {
		if (in->ipos == in->ilen) {
			if (in_fill(in) < 0)
				return in_read_fail(in);
			if (in->ipos == in->ilen)
				return CPIO_END;
		}
		while (in->ipos < in->ilen && in->ibuf[in->ipos] == 0)
			in->ipos++;
		if (in->ipos < in->ilen)
			break;
	}
	abs = in->ioff + in->ipos;
	memset(&in->seg, 0, sizeof(in->seg));
	in->seg.off = abs;
	in->after_trailer = false;
	if (in->ibuf[in->ipos] == '0' && !(abs & 3)) {
		in->mode = IN_RAW;
		in->seg.codec = CODEC_NONE;
		cpio_rd_init(&in->rd, abs);
		cpio_rd_start(&in->rd);
		return CPIO_SEG_START;
	}
	if (in->ilen - in->ipos < 2 && in_fill(in) < 0)
		return in_read_fail(in);
	id = codec_detect(in->ibuf + in->ipos, in->ilen - in->ipos);
	if (id == CODEC_NONE)
		return in_fail(in,
			       "invalid magic at start of compressed archive",
			       abs, false, 0);
	if (codec_dec_init(&in->dec, id) < 0) {
		if (errno != ENOTSUP)
			return in_fail(in, "cannot start the decoder", abs,
				       false, errno);
		return in_failf(in, abs, "unsupported compression: %s",
				codec_name(id));
	}
	in->mode = IN_CODEC;
	in->seg.codec = id;
	in->dec_done = false;
	in->olen = in->opos = 0;
	cpio_rd_init(&in->rd, 0);
	dp_start(in);
	return CPIO_SEG_START;
}

/* Count entries and remember trailers; pass the event up. */
static enum cpio_event in_event(struct cpio_in *in, enum cpio_event ev)
{
	if (ev == CPIO_ENTRY || ev == CPIO_SKIPPED) {
		in->seg.entries++;
		in->after_trailer = false;
	} else if (ev == CPIO_TRAILER) {
		in->after_trailer = true;
	} else if (ev == CPIO_ERROR) {
		return in_fail(in, in->rd.err, in->rd.err_off,
			       in->mode == IN_CODEC, 0);
	}
	return ev;
}

static enum cpio_event in_raw(struct cpio_in *in)
{
	enum cpio_event ev;
	struct stat st;
	uint64_t k;
	off_t cur;
	size_t used;

	for (;;) {
		if (in->ipos == in->ilen) {
			k = cpio_rd_skippable(&in->rd);
			/* Listing: seek over data instead of reading it. A
			 * seek past the end would hide truncation, so the
			 * last stretch is read. */
			if (in->seekable && k > IBUF_SIZE) {
				cur = lseek(in->fd, 0, SEEK_CUR);
				if (cur >= 0 && fstat(in->fd, &st) == 0 &&
				    (uint64_t)cur + k <= (uint64_t)st.st_size &&
				    lseek(in->fd, (off_t)k, SEEK_CUR) >= 0) {
					in->ioff += in->ilen + k;
					in->ilen = in->ipos = 0;
					in->seg.csize += k;
					in->seg.usize += k;
					cpio_rd_skipped(&in->rd, k);
				}
			}
			if (in_fill(in) < 0)
				return in_read_fail(in);
			if (in->ipos == in->ilen) {
				ev = cpio_rd_feed(&in->rd, in->ibuf, 0, &used);
				if (ev == CPIO_ERROR || ev == CPIO_DATA_END)
					return in_event(in, ev);
				if (!cpio_rd_idle(&in->rd))
					return in_fail(in, "truncated archive",
						       in->ioff + in->ipos,
						       false, 0);
				in->mode = IN_TOP;
				return CPIO_SEG_END;
			}
		}
		ev = cpio_rd_feed(&in->rd, in->ibuf + in->ipos,
				  in->ilen - in->ipos, &used);
		in->ipos += used;
		in->seg.csize += used;
		in->seg.usize += used;
		if (ev == CPIO_NEED)
			continue;
		if (ev == CPIO_BOUNDARY) {
			if (in->ibuf[in->ipos] == '0' && !in->after_trailer) {
				cpio_rd_start(&in->rd);
				continue;
			}
			in->mode = IN_TOP;
			return CPIO_SEG_END;
		}
		return in_event(in, ev);
	}
}

static enum cpio_event in_codec(struct cpio_in *in)
{
	enum cpio_event ev;
	struct dec_fail f;
	size_t used;
	int r;

	for (;;) {
		if (in->opos == in->olen) {
			if (in->dec_done) {
				ev = cpio_rd_feed(&in->rd, in->obuf, 0, &used);
				if (ev == CPIO_ERROR || ev == CPIO_DATA_END)
					return in_event(in, ev);
				if (!cpio_rd_idle(&in->rd))
					return in_fail(in,
						       "junk at the end of compressed archive",
						       in->rd.pos, true, 0);
				codec_dec_end(&in->dec);
				in->mode = IN_TOP;
				return CPIO_SEG_END;
			}
			r = in->dp_pid > 0 ? dp_read(in, &f) : dec_step(in, &f);
			if (r == DS_FAIL)
				return in_fail(in, f.why, f.off, false, f.no);
			in->seg.usize += in->olen;
			in->dec_done = r == DS_DONE;
			continue;
		}
		ev = cpio_rd_feed(&in->rd, in->obuf + in->opos,
				  in->olen - in->opos, &used);
		in->opos += used;
		if (ev == CPIO_NEED)
			continue;
		if (ev == CPIO_BOUNDARY) {
			if (in->obuf[in->opos] == '0') {
				cpio_rd_start(&in->rd);
				continue;
			}
			return in_fail(in, "junk within compressed archive",
				       in->rd.pos, true, 0);
		}
		return in_event(in, ev);
	}
}

enum cpio_event cpio_in_next(struct cpio_in *in)
{
	if (in->rd.state == R_DEAD)
		return CPIO_ERROR;
	switch (in->mode) {
	case IN_RAW:
		return in_raw(in);
	case IN_CODEC:
		return in_codec(in);
	default:
		return in_top(in);
	}
}

void cpio_in_skip_data(struct cpio_in *in)
{
	cpio_rd_skip_data(&in->rd);
}

/* --- writer ----------------------------------------------------------- */

static void put_hex(uint8_t *p, uint32_t v)
{
	static const char hex[] = "0123456789ABCDEF";
	int i;

	for (i = 7; i >= 0; i--, v >>= 4)
		p[i] = (uint8_t)hex[v & 15];
}

size_t cpio_put_header(uint8_t *out, const struct cpio_entry *e,
		       const char *name)
{
	size_t ns = strlen(name) + 1, pad = CPIO_N_ALIGN(ns);
	uint32_t f[13] = {e->ino,
			  e->mode,
			  e->uid,
			  e->gid,
			  e->nlink,
			  e->mtime,
			  e->filesize,
			  e->devmajor,
			  e->devminor,
			  e->rdevmajor,
			  e->rdevminor,
			  (uint32_t)ns,
			  e->crc ? e->check : 0};
	int i;

	memcpy(out, e->crc ? "070702" : "070701", 6);
	for (i = 0; i < 13; i++)
		put_hex(out + 6 + i * 8, f[i]);
	memcpy(out + CPIO_HDR_LEN, name, ns);
	memset(out + CPIO_HDR_LEN + ns, 0, pad - ns);
	return CPIO_HDR_LEN + pad;
}

/* --- buffered, optionally compressed output ---------------------------- */

enum { OUT_BUF = 256 << 10 };

int cpio_out_init(struct cpio_out *o, int fd, enum codec_id codec, int level)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	if (codec != CODEC_NONE) {
		if (codec_enc_init(&o->enc, codec, level) < 0)
			return -1;
		o->compress = true;
		o->zbuf = malloc(OUT_BUF);
	}
	o->buf = malloc(OUT_BUF);
	if (!o->buf || (o->compress && !o->zbuf)) {
		cpio_out_free(o);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void cpio_out_free(struct cpio_out *o)
{
	codec_enc_end(&o->enc);
	free(o->buf);
	free(o->zbuf);
	o->buf = o->zbuf = NULL;
}

/* Push buf[0..len) out, through the encoder if any. */
static int out_flush(struct cpio_out *o, int finish)
{
	const uint8_t *p = o->buf;
	size_t n = o->len, zn;
	int r;

	if (!o->compress) {
		if (fd_write_all(o->fd, o->buf, o->len) < 0)
			return -1;
		o->written += o->len;
		o->len = 0;
		return 0;
	}
	do {
		zn = OUT_BUF;
		r = codec_enc_run(&o->enc, &p, &n, o->zbuf, &zn, finish);
		if (r < 0) {
			o->err = o->enc.err;
			return -1;
		}
		if (fd_write_all(o->fd, o->zbuf, zn) < 0)
			return -1;
		o->written += zn;
	} while (n || (finish && r != 1));
	o->len = 0;
	return 0;
}

int cpio_out_write(struct cpio_out *o, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t k;

	o->off += n;
	while (n) {
		k = OUT_BUF - o->len < n ? OUT_BUF - o->len : n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
		if (o->len == OUT_BUF && out_flush(o, 0) < 0)
			return -1;
	}
	return 0;
}

int cpio_out_pad(struct cpio_out *o, unsigned align)
{
	static const uint8_t zero[512];
	size_t n = (size_t)(-o->off & (align - 1));

	return cpio_out_write(o, zero, n);
}

int cpio_out_entry(struct cpio_out *o, const struct cpio_entry *e,
		   const char *name)
{
	uint8_t h[CPIO_HDR_LEN + CPIO_N_ALIGN(CPIO_PATH_MAX)];

	if (strlen(name) >= CPIO_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (cpio_out_pad(o, 4) < 0)
		return -1;
	o->crc = e->crc;
	return cpio_out_write(o, h, cpio_put_header(h, e, name));
}

int cpio_out_trailer(struct cpio_out *o)
{
	struct cpio_entry e;

	memset(&e, 0, sizeof(e));
	e.nlink = 1;
	e.crc = o->crc;
	if (cpio_out_entry(o, &e, "TRAILER!!!") < 0)
		return -1;
	return cpio_out_pad(o, 512);
}

int cpio_out_finish(struct cpio_out *o)
{
	return out_flush(o, 1);
}
