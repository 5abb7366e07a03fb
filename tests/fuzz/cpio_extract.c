/* cpio_extract.c - the cpio reader (cpio_rd) fed in pieces of varying
 * sizes, every entry extracted into a fresh directory as cpio-unpack
 * does (with cpio's -d on odd-sized inputs, its no -u rule on inputs
 * whose size has bit 1 set). Beside the target sits a sentinel directory: the run aborts if
 * anything in it changed or anything appeared beside the two.
 *
 * The piece sizes come from a hash of the input, so that an input
 * replays the same way and the seeds are plain archives. */
#include <dirent.h>
#include <errno.h>

#include "archive/archive.h"
#include "fuzz.h"

static char target[300], sentinel[300];
static char snap[4096], now[4096];

static size_t list_len;
static char *list_out;

static int list_one(const char *p, const struct stat *st, int flag,
		    struct FTW *f)
{
	char line[512];
	int n;

	(void)flag;
	(void)f;
	n = snprintf(line, sizeof(line), "%s %o %lld %lu %lu %lld\n",
		     p + strlen(sentinel), (unsigned)st->st_mode,
		     (long long)st->st_size, (unsigned long)st->st_nlink,
		     (unsigned long)st->st_ino, (long long)st->st_mtime);
	if (n < 0 || list_len + (size_t)n >= sizeof(snap))
		abort();
	memcpy(list_out + list_len, line, (size_t)n + 1);
	list_len += (size_t)n;
	return 0;
}

/* The sentinel tree (names, modes, sizes, links, inodes, mtimes and the
 * victim's content) and the names beside the target. */
static void take(char *out)
{
	char buf[320] = "";
	struct dirent *d;
	DIR *dir;
	int fd, n, names = 0;

	list_out = out;
	list_len = 0;
	if (nftw(sentinel, list_one, 8, FTW_PHYS) < 0)
		abort();
	snprintf(buf, sizeof(buf), "%s/victim", sentinel);
	fd = open(buf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		abort();
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n != 9 || memcmp(buf, "original\n", 9))
		abort();
	dir = opendir(fz_base);
	if (!dir)
		abort();
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (strcmp(d->d_name, "sentinel") &&
		    strcmp(d->d_name, "target"))
			abort(); /* something appeared outside the target */
		names++;
	}
	closedir(dir);
	if (names > 2)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[320];

	(void)argc;
	(void)argv;
	fz_scratch("cpio");
	snprintf(target, sizeof(target), "%s/target", fz_base);
	snprintf(sentinel, sizeof(sentinel), "%s/sentinel", fz_base);
	snprintf(p, sizeof(p), "%s/dir", sentinel);
	if (mkdir(sentinel, 0755) < 0 || mkdir(p, 0755) < 0)
		abort();
	snprintf(p, sizeof(p), "%s/victim", sentinel);
	fz_write(p, "original\n", 9);
	snprintf(p, sizeof(p), "%s/dir/file", sentinel);
	fz_write(p, "", 0);
	take(snap);
	return 0;
}

static uint32_t hash(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* Mostly small pieces (a header split anywhere), sometimes large. */
static size_t piece(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	switch ((*s >> 16) & 3) {
	case 0:
		return 1 + ((*s >> 8) & 3);
	case 1:
		return 1 + ((*s >> 4) & 127);
	case 2:
		return 1 + ((*s >> 4) & 1023);
	default:
		return 65536;
	}
}

/* Data only ever goes into a regular file: never into a FIFO (the open
 * would have blocked) or a device node (opening it may have effects). */
static void regular(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		abort();
}

static void unpack(struct extract *x, const uint8_t *data, size_t size)
{
	struct cpio_rd *rd = malloc(sizeof(*rd));
	uint32_t seed = hash(data, size);
	size_t off = 0, end = 0, used, n;
	bool after_trailer = false;
	enum cpio_event ev;

	if (!rd)
		abort();
	cpio_rd_init(rd, 0);
	for (;;) {
		if (off == end) {
			if (end == size)
				break;
			n = piece(&seed);
			end += n < size - end ? n : size - end;
		}
		ev = cpio_rd_feed(rd, data + off, end - off, &used);
		if (used > end - off)
			abort();
		off += used;
		switch (ev) {
		case CPIO_NEED:
			if (off != end)
				abort();
			break;
		case CPIO_ENTRY:
			after_trailer = false;
			if (extract_entry(x, &rd->e) < 0) {
				if (x->fd >= 0)
					close(x->fd);
				x->fd = -1;
				cpio_rd_skip_data(rd);
			} else if (x->fd >= 0) {
				regular(x->fd);
			}
			break;
		case CPIO_DATA:
			if (x->fd >= 0 &&
			    extract_data(x, rd->data, rd->data_len) < 0)
				goto out; /* cpio-unpack dies here */
			break;
		case CPIO_DATA_END:
			(void)extract_file_done(x, &rd->e);
			break;
		case CPIO_TRAILER:
			extract_forget_links(x);
			after_trailer = true;
			break;
		case CPIO_SKIPPED:
			break;
		case CPIO_BOUNDARY:
			/* the next archive: '0' at a 4-aligned offset (a
			 * compressed segment would start here instead) */
			if (off >= end || data[off] != '0')
				goto out;
			if (after_trailer)
				cpio_rd_init(rd, rd->pos);
			cpio_rd_start(rd);
			after_trailer = false;
			break;
		default:
			goto out;
		}
	}
	ev = cpio_rd_feed(rd, data + off, 0, &used);
	if (ev == CPIO_DATA_END)
		(void)extract_file_done(x, &rd->e);
out:
	free(rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct extract *x = malloc(sizeof(*x));

	if (!x)
		abort();
	fz_alarm_restarts();
	if (mkdir(target, 0755) < 0)
		abort();
	if (extract_init(x, target, geteuid() == 0) < 0)
		abort();
	/* cpio's -d (parents made through the same resolution) and its
	 * no -u rule, on half of the inputs each */
	x->mkdirs = size & 1;
	x->keep_newer = size & 2;
	if (size && data[0] == '0') {
		unpack(x, data, size);
	}
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	(void)extract_finish(x);
	take(now);
	if (strcmp(snap, now))
		abort(); /* the sentinel changed */
	if (fz_rmtree(target) < 0)
		abort();
	free(x);
	return 0;
}
