/* cpio-unpack - list or extract an initramfs exactly as the kernel reads it
 *
 * usage: cpio-unpack [-t [-v]] [-e] [-v] [-C DIR] [ARCHIVE]
 *   ARCHIVE   the image (default or "-": stdin)
 *   -t        list the names; with -v like ls -l (numeric owners, UTC)
 *   -e        examine: one line per segment (offset, compression,
 *             compressed and unpacked bytes, entries)
 *   -C DIR    extract into DIR (default: the current directory)
 *   -v        when extracting, print each name
 *   -i        accepted for cpio compatibility (extracting is the default)
 *
 * Reads newc (070701) and crc (070702, checksums verified) archives,
 * concatenated, NUL-padded, uncompressed or compressed with gzip, xz, lzma
 * or zstd (bzip2, lz4, lzo are recognised and refused), as the kernel's
 * initramfs unpacker does. Nothing is written outside DIR: absolute names,
 * ".." and symlinks (also ones planted by earlier entries or segments) are
 * resolved inside it, as inside rootfs; a symlink in the way of a new
 * entry is replaced, never followed. Data only goes into regular files: a
 * hardlink to a first name that a later entry replaced by a FIFO or a node
 * is refused (docs/cpio.md). Owners are set when run as root.
 * Entries the kernel skips silently (namesize 0 or above 4096, symlink
 * targets above 4096, data on a special file) are skipped the same way,
 * reported, and make the exit status 1. Control characters in listed
 * names are printed as octal escapes.
 *
 * exit: 0 ok; 1 malformed archive (one line naming the byte offset; what
 *       was extracted before stays; after an entry the kernel skips, the
 *       rest is still unpacked) or an entry that could not be created;
 *       2 usage
 *
 * Notes: like the kernel, parent directories are never created: an
 * archive lists them first. Regular files are written with plain write(2)
 * from the decoder's buffer; directory modes (for non-root) and mtimes are
 * applied at the end, newest first, so that creating children does not
 * disturb them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "initbox.h"

struct unpack {
	const char *archive;
	bool list, verbose, examine;
	int failed;
	struct cpio_in in;
	struct extract x;
};

/* Control characters in names could drive the terminal. */
static void put_name(const char *s)
{
	unsigned char c;

	for (; (c = (unsigned char)*s); s++) {
		if (c < 0x20 || c == 0x7f || c == '\\')
			printf("\\%03o", c);
		else
			putchar(c);
	}
}

static void list_entry(const struct unpack *u, const struct cpio_entry *e)
{
	static const char types[] = "?pc?d?b?-?l?s???";
	char m[11], when[64];
	time_t t = e->mtime;
	struct tm tm;
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
		/* by hand: strftime would pull in musl's time zone code */
		if (gmtime_r(&t, &tm))
			snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d",
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				 tm.tm_hour, tm.tm_min);
		else
			strcpy(when, "?");
		printf("%s %3u %-8u %-8u ", m, e->nlink, e->uid, e->gid);
		if (S_ISBLK(e->mode) || S_ISCHR(e->mode))
			printf("%3u, %3u ", e->rdevmajor, e->rdevminor);
		else
			printf("%8u ", e->filesize);
		printf("%s ", when);
	}
	put_name(e->name);
	if (u->verbose && S_ISLNK(e->mode)) {
		fputs(" -> ", stdout);
		put_name(e->target);
	}
	putchar('\n');
}

static _Noreturn void bad_archive(struct unpack *u)
{
	struct cpio_in *in = &u->in;

	if (!u->list && !u->examine && extract_finish(&u->x) < 0)
		warn_errno("finish %s: %s", u->archive, u->x.step);
	if (in->err_errno) {
		errno = in->err_errno;
		die_errno("read %s at offset %llu", u->archive,
			  (unsigned long long)in->err_off);
	}
	if (in->err_in_seg)
		die("%s: offset %llu of the %s data at %llu: %s", u->archive,
		    (unsigned long long)in->err_off, codec_name(in->seg.codec),
		    (unsigned long long)in->seg.off, in->err);
	die("%s: offset %llu: %s", u->archive, (unsigned long long)in->err_off,
	    in->err);
}

/* An entry that was not created, named by its header's offset: in the
 * archive, or in the decompressed data of a compressed segment. */
static void entry_failed(struct unpack *u, const struct cpio_entry *e)
{
	const char *why = u->x.why ? u->x.why : strerror(errno);

	if (u->in.seg.codec == CODEC_NONE)
		warn("%s: offset %llu: %s %s: %s", u->archive,
		     (unsigned long long)e->off, u->x.step, e->name, why);
	else
		warn("%s: offset %llu of the %s data at %llu: %s %s: %s",
		     u->archive, (unsigned long long)e->off,
		     codec_name(u->in.seg.codec),
		     (unsigned long long)u->in.seg.off, u->x.step, e->name,
		     why);
	u->failed = 1;
}

static void entry(struct unpack *u, const struct cpio_entry *e)
{
	if (u->list || u->examine) {
		if (u->list)
			list_entry(u, e);
		cpio_in_skip_data(&u->in);
		return;
	}
	if (u->verbose) {
		put_name(e->name);
		putchar('\n');
	}
	if (extract_entry(&u->x, e) < 0) {
		entry_failed(u, e);
		if (u->x.fd >= 0) {
			(void)close(u->x.fd); /* the failure is reported */
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

static void run(struct unpack *u)
{
	struct cpio_in *in = &u->in;
	const struct cpio_entry *e = &in->rd.e;

	for (;;) {
		switch (cpio_in_next(in)) {
		case CPIO_ENTRY:
			entry(u, e);
			break;
		case CPIO_DATA:
			if (extract_data(&u->x, in->rd.data, in->rd.data_len) <
			    0)
				die_errno("write %s", e->name);
			break;
		case CPIO_DATA_END:
			if (extract_file_done(&u->x, e) < 0) {
				warn_errno("%s %s", u->x.step, e->name);
				u->failed = 1;
			}
			break;
		case CPIO_TRAILER:
			if (!u->list && !u->examine)
				extract_forget_links(&u->x);
			break;
		case CPIO_SKIPPED:
			/* Malformed, but the kernel goes on: so does the
			 * unpacking, and the exit status says it. */
			warn("%s: offset %llu: %s: entry skipped, as the kernel skips it",
			     u->archive, (unsigned long long)e->off,
			     in->rd.why);
			u->failed = 1;
			break;
		case CPIO_SEG_END:
			if (u->examine)
				examine_line(&in->seg);
			break;
		case CPIO_END:
			return;
		case CPIO_ERROR:
			bad_archive(u);
		default:
			break;
		}
	}
}

/* Called through the applet table (applets/initbox.c, generated). */
int cpio_unpack_main(int argc, char **argv);

int cpio_unpack_main(int argc, char **argv)
{
	struct unpack u = {0};
	const char *dir = ".";
	struct opt o;
	int c, fd = 0;

	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "tveiC:", NULL)) != -1) {
		switch (c) {
		case 't':
			u.list = true;
			break;
		case 'v':
			u.verbose = true;
			break;
		case 'e':
			u.examine = true;
			break;
		case 'i':
			break;
		case 'C':
			dir = o.arg;
			break;
		default:
			die_opt(&o, c);
		}
	}
	if (argc - o.ind > 1)
		die_usage("more than one archive");
	if (u.list && u.examine)
		die_usage("-t and -e exclude each other");
	u.archive = o.ind < argc ? argv[o.ind] : "-";
	if (strcmp(u.archive, "-")) {
		fd = open(u.archive, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die_errno("open %s", u.archive);
	} else {
		u.archive = "stdin";
	}
	if (cpio_in_init(&u.in, fd) < 0)
		die_errno("allocate buffers");
	if (!u.list && !u.examine) {
		/* Modes come from the archive, not from our umask. */
		umask(0);
		if (extract_init(&u.x, dir, geteuid() == 0) < 0)
			die_errno("%s %s", u.x.step, dir);
	}
	if (u.examine)
		printf("%10s  %-5s %12s %12s %8s\n", "offset", "codec",
		       "compressed", "unpacked", "entries");
	run(&u);
	if (!u.list && !u.examine && extract_finish(&u.x) < 0) {
		warn_errno("%s %s", u.x.step, dir);
		u.failed = 1;
	}
	cpio_in_free(&u.in);
	return out_done(u.failed);
}
