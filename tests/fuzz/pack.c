/* pack.c - cpio-pack's and cpio -o's writer (lib/pack.c): a gen_init_cpio
 * list (pack_list, pack_number) and a GNU cpio -o name list (pack_names,
 * pack_gnu_order, "@@\n" between the two; NUL-separated when it holds a
 * NUL), each written (pack_emit) to a memory file and read back with
 * cpio_in. Names are looked up in a small tree of the harness's own (a
 * file with two names, a symlink, a FIFO, a directory): the harness
 * changes into it for the call and back.
 *
 * The settings come from the input's size (bit 0 --crc, 1 -R 12:34,
 * 2 SOURCE_DATE_EPOCH, 3 -t), so that seeds are plain lists.
 *
 * Aborts when the archive written does not read back as one archive of
 * the same names in the same order with its trailer, or when a failure
 * names no step. Data is only copied from files inside the tree (a
 * list may name any host file: such an input is not written).
 */
#include <limits.h>

#include "archive/archive.h"
#include "fuzz.h"

static char tree[300], real_tree[PATH_MAX];
static int top_fd, tree_fd;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[400];

	(void)argc;
	(void)argv;
	fz_scratch("pack");
	snprintf(tree, sizeof(tree), "%s/tree", fz_base);
	snprintf(p, sizeof(p), "%s/sub", tree);
	if (mkdir(tree, 0755) < 0 || mkdir(p, 0750) < 0)
		abort();
	snprintf(p, sizeof(p), "%s/a", tree);
	fz_write(p, "hello\n", 6);
	snprintf(p, sizeof(p), "%s/sub/c", tree);
	fz_write(p, "cc", 2);
	top_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	tree_fd = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (top_fd < 0 || tree_fd < 0)
		abort();
	if (fchdir(tree_fd) < 0 || link("a", "b") < 0 ||
	    symlink("a", "l") < 0 || mkfifo("sub/fifo", 0600) < 0 ||
	    fchdir(top_fd) < 0)
		abort();
	if (!realpath(tree, real_tree))
		abort();
	return 0;
}

/* Only files of the tree are read for their data. */
static bool inside(const struct pack *p)
{
	char r[PATH_MAX];
	size_t i, n = strlen(real_tree);
	uint64_t total = 0;

	for (i = 0; i < p->n; i++) {
		const struct pack_ent *e = &p->v[i];

		if (!S_ISREG(e->mode) || !e->size)
			continue;
		if (!realpath(e->src, r) || strncmp(r, real_tree, n) ||
		    (r[n] != '/' && r[n]))
			return false;
		total += e->size;
	}
	return total < (1 << 20);
}

/* The archive in fd reads back as p's entries and a trailer. */
static void read_back(const struct pack *p, int fd)
{
	struct cpio_in in;
	size_t i = 0;
	bool trailer = false, checkable = true;
	enum cpio_event ev;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].name, "TRAILER!!!") || !*p->v[i].name)
			checkable = false;
	if (lseek(fd, 0, SEEK_SET) != 0 || cpio_in_init(&in, fd) < 0)
		abort();
	for (i = 0;;) {
		ev = cpio_in_next(&in);
		if (ev == CPIO_END)
			break;
		if (ev == CPIO_ERROR || ev == CPIO_SKIPPED) {
			if (checkable)
				abort(); /* our own archive is not readable */
			break;
		}
		if (ev == CPIO_TRAILER)
			trailer = true;
		if (ev != CPIO_ENTRY)
			continue;
		if (checkable &&
		    (trailer || i >= p->n || strcmp(in.rd.e.name, p->v[i].name)))
			abort(); /* not the names in the order written */
		i++;
	}
	if (checkable && (!trailer || i != p->n))
		abort();
	cpio_in_free(&in);
}

static void emit(struct pack *p)
{
	struct cpio_out o;
	int fd;

	if (!inside(p))
		return;
	fd = fz_memfd(NULL, 0);
	if (cpio_out_init(&o, fd, CODEC_NONE, 0) < 0)
		abort();
	if (pack_emit(p, &o) < 0) {
		if (!p->err.what[0])
			abort();
	} else {
		if (cpio_out_finish(&o) < 0)
			abort();
		read_back(p, fd);
	}
	cpio_out_free(&o);
	close(fd);
}

static void settings(struct pack *p, size_t size)
{
	memset(p, 0, sizeof(*p));
	p->crc = size & 1;
	p->owner_set = size & 2;
	p->uid = 12;
	p->gid = 34;
	p->epoch_set = size & 4;
	p->epoch = 1000000000;
	p->mtime_set = size & 8;
	p->mtime = 1234567890;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *at = NULL, *names;
	size_t i, nlist = size, nnames = 0;
	struct pack p;
	FILE *f;

	for (i = 0; i + 3 <= size; i++)
		if (!memcmp(data + i, "@@\n", 3)) {
			at = data + i;
			break;
		}
	if (at) {
		nlist = (size_t)(at - data);
		names = at + 3;
		nnames = size - nlist - 3;
	}
	fz_alarm_restarts();
	if (fchdir(tree_fd) < 0)
		abort();

	settings(&p, size);
	f = fmemopen((void *)data, nlist ? nlist : 1, "r");
	if (!f)
		abort();
	if (!nlist)
		(void)fgetc(f); /* fmemopen wants a size: read it empty */
	if (pack_list(&p, f, "list") < 0) {
		if (!p.err.what[0])
			abort();
	} else if (pack_number(&p) < 0) {
		abort();
	} else {
		emit(&p);
	}
	fclose(f);
	pack_clear(&p);

	if (at && nnames) {
		settings(&p, size);
		f = fmemopen((void *)names, nnames, "r");
		if (!f)
			abort();
		if (pack_names(&p, f, memchr(names, 0, nnames) ? 0 : '\n') <
		    0) {
			if (!p.err.what[0])
				abort();
		} else if (pack_gnu_order(&p) < 0) {
			abort();
		} else {
			emit(&p);
		}
		fclose(f);
		pack_clear(&p);
	}
	if (fchdir(top_fd) < 0)
		abort();
	return 0;
}
