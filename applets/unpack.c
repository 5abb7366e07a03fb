/* unpack.c - the copy-in loop of cpio-unpack and cpio (unpack.h).
 *
 * Notes: entries the kernel skips are reported and unpacking goes on, as
 * the kernel goes on; a malformed stream stops at its offset.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unpack.h"

/* Control characters in names could drive the terminal: octal escapes.
 * Then END. Runs go out with fwrite and END with fputs, because GCC
 * turns one-character writes into fputc, 274 bytes more of musl. */
static void put_name(FILE *f, const char *s, const char *end)
{
	size_t n;

	for (;;) {
		for (n = 0; (unsigned char)s[n] >= 0x20 && s[n] != 0x7f &&
			    s[n] != '\\';
		     n++)
			;
		fwrite(s, 1, n, f);
		s += n;
		if (!*s)
			break;
		fprintf(f, "\\%03o", (unsigned char)*s++);
	}
	fputs(end, f);
}

/* By hand: strftime and localtime would pull in musl's time zone code,
 * so times are UTC (GNU cpio's listing under TZ=UTC). */
static void put_time(const struct unpack *u, uint32_t mtime)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	time_t t = mtime, now;
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		fputs("? ", stdout);
	} else if (!u->gnu_list) {
		printf("%04d-%02d-%02d %02d:%02d ", tm.tm_year + 1900,
		       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	} else {
		/* GNU: the year instead of the time of day for a file
		 * older than six months or in the future */
		now = time(NULL);
		printf("%.3s %2d ", months + 3 * tm.tm_mon, tm.tm_mday);
		if (now - t > 6L * 30 * 24 * 60 * 60 || now < t)
			printf(" %d ", tm.tm_year + 1900);
		else
			printf("%02d:%02d ", tm.tm_hour, tm.tm_min);
	}
}

static void list_entry(const struct unpack *u, const struct cpio_entry *e)
{
	static const char types[] = "?pc?d?b?-?l?s???";
	char m[11];
	int i;

	if (u->verbose) {
		m[0] = types[(e->mode >> 12) & 15];
		for (i = 0; i < 9; i++)
			m[1 + i] =
			    (e->mode & (0400 >> i)) ? "rwxrwxrwx"[i] : '-';
		if (e->mode & S_ISUID)
			m[3] = m[3] == 'x' ? 's' : 'S';
		if (e->mode & S_ISGID)
			m[6] = m[6] == 'x' ? 's' : 'S';
		if (e->mode & S_ISVTX)
			m[9] = m[9] == 'x' ? 't' : 'T';
		m[10] = '\0';
		printf("%s %3u %-8u %-8u ", m, e->nlink, e->uid, e->gid);
		if (S_ISBLK(e->mode) || S_ISCHR(e->mode))
			printf("%3u, %3u ", e->rdevmajor, e->rdevminor);
		else
			printf("%8u ", e->filesize);
		put_time(u, e->mtime);
	}
	if (u->verbose && S_ISLNK(e->mode)) {
		put_name(stdout, e->name, " -> ");
		put_name(stdout, e->target, "\n");
	} else {
		put_name(stdout, e->name, "\n");
	}
}

static _Noreturn void bad_archive(struct unpack *u)
{
	struct cpio_in *in = &u->in;

	if (!u->list && !u->examine && extract_finish(&u->x) < 0)
		warn_errno("finish %s: %s", u->archive, u->x.err.what);
	if (in->err.no) {
		errno = in->err.no;
		die_errno("read %s at offset %llu", u->archive,
			  (unsigned long long)in->err_off);
	}
	if (in->err_in_seg)
		die("%s: offset %llu of the %s data at %llu: %s", u->archive,
		    (unsigned long long)in->err_off, codec_name(in->seg.codec),
		    (unsigned long long)in->seg.off, in->err.what);
	die("%s: offset %llu: %s", u->archive, (unsigned long long)in->err_off,
	    in->err.what);
}

/* An entry that was not created, named by its header's offset: in the
 * archive, or in the decompressed data of a compressed segment. */
static void entry_failed(struct unpack *u, const struct cpio_entry *e)
{
	const char *why = u->x.err.why ? u->x.err.why : strerror(u->x.err.no);

	if (u->in.seg.codec == CODEC_NONE)
		warn("%s: offset %llu: %s %s: %s", u->archive,
		     (unsigned long long)e->off, u->x.err.what, e->name, why);
	else
		warn("%s: offset %llu of the %s data at %llu: %s %s: %s",
		     u->archive, (unsigned long long)e->off,
		     codec_name(u->in.seg.codec),
		     (unsigned long long)u->in.seg.off, u->x.err.what, e->name,
		     why);
	u->failed = 1;
}

/* GNU cpio's selection: fnmatch(PATTERN, NAME, 0) against any pattern. */
static bool selected(const struct unpack *u, const char *name)
{
	int i;

	for (i = 0; i < u->npats; i++)
		if (match_glob(u->pats[i], name))
			return !u->nonmatch;
	return u->npats == 0 || u->nonmatch;
}

static void entry(struct unpack *u, const struct cpio_entry *e)
{
	struct cpio_entry c = *e;
	int r;

	if (u->examine || !selected(u, e->name)) {
		cpio_in_skip_data(&u->in);
		return;
	}
	if (u->list) {
		list_entry(u, e);
		cpio_in_skip_data(&u->in);
		return;
	}
	if (u->verbose) {
		put_name(u->names, e->name, "\n");
	}
	if (u->owner_set) {
		c.uid = u->uid;
		c.gid = u->gid;
	}
	r = extract_entry(&u->x, &c);
	if (r > 0) {
		/* GNU cpio's notice, and like it not a failure */
		warn("%s not created: newer or same age version exists",
		     e->name);
		cpio_in_skip_data(&u->in);
	} else if (r < 0) {
		entry_failed(u, e);
		if (u->x.fd >= 0) {
			fd_close(u->x.fd);
			u->x.fd = -1;
		}
		cpio_in_skip_data(&u->in);
	}
}

static void examine_line(const struct cpio_seg *s)
{
	printf("%10llu  %-5s %12llu %12llu %8llu\n", (unsigned long long)s->off,
	       codec_name(s->codec), (unsigned long long)s->csize,
	       (unsigned long long)s->usize, (unsigned long long)s->entries);
}

void unpack_run(struct unpack *u)
{
	struct cpio_in *in = &u->in;
	const struct cpio_entry *e = &in->rd.e;

	if (u->examine)
		printf("%10s  %-5s %12s %12s %8s\n", "offset", "codec",
		       "compressed", "unpacked", "entries");
	for (;;) {
		switch (cpio_in_next(in)) {
		case CPIO_ENTRY:
			u->headers++;
			entry(u, e);
			break;
		case CPIO_DATA:
			if (extract_data(&u->x, in->rd.data, in->rd.data_len) <
			    0)
				die_errno("write %s", e->name);
			break;
		case CPIO_DATA_END:
			if (extract_file_done(&u->x, e) < 0) {
				warn_errno("%s %s", u->x.err.what, e->name);
				u->failed = 1;
			}
			break;
		case CPIO_TRAILER:
			u->headers++;
			if (!u->list && !u->examine)
				extract_forget_links(&u->x);
			break;
		case CPIO_SKIPPED:
			/* Malformed, but the kernel goes on: so does the
			 * unpacking, and the exit status says it. */
			warn("%s: offset %llu: %s: entry skipped, as the kernel skips it",
			     u->archive, (unsigned long long)e->off,
			     in->rd.why);
			u->headers++;
			u->failed = 1;
			break;
		case CPIO_SEG_END:
			u->bytes += in->seg.usize;
			if (u->examine)
				examine_line(&in->seg);
			break;
		case CPIO_END:
			/* GNU cpio's rule, not the kernel's: an empty input
			 * (gzip -cd of a missing file) is not an empty
			 * archive */
			if (u->need_header && !u->headers)
				die("%s: offset %llu: premature end of archive",
				    u->archive,
				    (unsigned long long)(in->ioff + in->ilen));
			return;
		case CPIO_ERROR:
			bad_archive(u);
		default:
			break;
		}
	}
}
