/* cpio-pack - build a reproducible newc initramfs archive
 *
 * usage: cpio-pack [OPTIONS] DIR
 *        cpio-pack [OPTIONS] -s LIST
 *   DIR         pack the tree under DIR (names relative to it, sorted)
 *   -s LIST     pack the entries of a gen_init_cpio list ("-": stdin;
 *               its lines: docs/cpio.md)
 *   -o FILE     write to FILE instead of stdout
 *   -c CODEC    compress the archive: gzip, xz, zstd or none (default);
 *               xz is written as the kernel wants it (CRC32, 1 MiB dict)
 *   -l LEVEL    compression level (gzip 1-9, xz 0-9, zstd 1-19)
 *   -R UID:GID  owner of every entry, e.g. -R 0:0
 *   -t SECONDS  mtime of every entry
 *   -p FILE     put FILE first, uncompressed, as it is (an existing
 *               archive, early microcode)
 *   -e DIR      put an uncompressed archive of DIR first
 *   --crc       write 070702 entries (data checksums)
 *
 * The same input gives the same bytes (SOURCE_DATE_EPOCH clamps mtimes).
 * Compression needs the host profile (make CONFIG=host).
 *
 * exit: 0 ok, 1 failed, 2 usage
 *
 * Notes: the lines of a list, as gen_init_cpio reads them:
 *     file NAME LOCATION MODE UID GID [LINKNAME...]
 *     dir NAME MODE UID GID
 *     nod NAME MODE UID GID b|c MAJOR MINOR
 *     slink NAME TARGET MODE UID GID
 *     pipe NAME MODE UID GID
 *     sock NAME MODE UID GID
 * (MODE octal; ${VAR} expanded in LOCATION; # comments).
 * Names sorted (C order), inodes renumbered in name order,
 * hardlinks kept (the data on the last name), mtimes clamped to
 * SOURCE_DATE_EPOCH when it is set (list entries other than files get
 * SOURCE_DATE_EPOCH, or the current time). Each archive ends with
 * TRAILER!!! and NULs up to 512 bytes. The initramfs profile writes
 * uncompressed archives only.
 * The kernel never creates parent directories, so a directory
 * always precedes its contents (sorting guarantees it for DIR; a list is
 * written in its own order). Segments follow each other with NUL padding
 * to 4 bytes, as the kernel's outer loop requires of uncompressed ones.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applet.h"

struct cpio_pack {
	struct pack p;
	struct cpio_out out;
	const char *outname;
};

static _Noreturn void pack_failed(struct cpio_pack *c)
{
	char buf[ERR_STR_MAX];

	if (c->out.err)
		die("compress %s: %s", c->outname, c->out.err);
	if (c->p.out_failed)
		die("write %s: %s", c->outname, strerror(c->p.err.no));
	if (!c->p.err.what[0])
		die_errno("pack");
	die("%s", err_str(&c->p.err, buf, sizeof(buf)));
}

/* An uncompressed segment first: a file as it is, NUL-padded to 4. */
static void prepend_file(struct cpio_pack *c, const char *file)
{
	char buf[16 << 10];
	ssize_t r;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die_errno("open %s", file);
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_errno("read %s", file);
		if (cpio_out_write(&c->out, buf, (size_t)r) < 0)
			die_errno("write %s", c->outname);
	}
	fd_close(fd);
	if (cpio_out_pad(&c->out, 4) < 0)
		die_errno("write %s", c->outname);
}

static void pack_tree(struct cpio_pack *c, const char *dir, const char *list)
{
	FILE *f;

	if (list) {
		f = strcmp(list, "-") ? fopen(list, "re") : stdin;
		if (!f)
			die_errno("open %s", list);
		if (pack_list(&c->p, f, list) < 0)
			pack_failed(c);
		if (f != stdin)
			(void)fclose(f); /* read-only */
	} else if (pack_dir(&c->p, dir) < 0) {
		pack_failed(c);
	}
	if (pack_number(&c->p) < 0 || pack_emit(&c->p, &c->out) < 0)
		pack_failed(c);
	pack_clear(&c->p);
}

static const struct opt_long longs[] = {
    {"crc", OPT_NONE, 'C'},
    {"output", OPT_ARG, 'o'},
    {NULL, 0, 0},
};

/* Called through the applet table (applets/initbox.c, generated). */
int cpio_pack_main(int argc, char **argv);

int cpio_pack_main(int argc, char **argv)
{
	struct cpio_pack c;
	const char *list = NULL, *early = NULL, *pre = NULL, *env;
	enum codec_id codec = CODEC_NONE;
	struct opt o;
	uint64_t v;
	int ch, fd = 1, level = -1;

	memset(&c, 0, sizeof(c));
	c.outname = "stdout";
	opt_init(&o);
	while ((ch = opt_next(&o, argc, argv, "s:o:c:l:R:t:p:e:", longs)) !=
	       -1) {
		switch (ch) {
		case 's':
			list = o.arg;
			break;
		case 'o':
			c.outname = o.arg;
			break;
		case 'e':
			early = o.arg;
			break;
		case 'p':
			pre = o.arg;
			break;
		case 'C':
			c.p.crc = true;
			break;
		case 'R':
			if (num_owner(o.arg, &c.p.uid, &c.p.gid) < 0)
				die_usage("-R wants UID:GID, not %s", o.arg);
			c.p.owner_set = true;
			break;
		case 'c':
			codec = codec_by_name(o.arg);
			if (codec == CODEC_NONE && strcmp(o.arg, "none"))
				die_usage("unknown codec %s", o.arg);
			break;
		case 'l':
			if (num_u64(o.arg, 22, &v) < 0)
				die_usage("bad level %s", o.arg);
			level = (int)v;
			break;
		case 't':
			if (num_u64(o.arg, UINT32_MAX, &v) < 0)
				die_usage("bad time %s", o.arg);
			c.p.mtime_set = true;
			c.p.mtime = (uint32_t)v;
			break;
		default:
			die_opt(&o, ch);
		}
	}
	if (!!list == (o.ind < argc) || argc - o.ind > 1)
		die_usage(list ? "a list and a directory given"
			       : "missing operand DIR (or -s LIST)");
	if (codec != CODEC_NONE && !codec_can_encode(codec))
		die("compress %s: this build has no encoders; compression needs the host profile (make CONFIG=host)",
		    codec_name(codec));
	env = getenv("SOURCE_DATE_EPOCH");
	if (env && *env) {
		if (num_u64(env, INT64_MAX, &v) < 0)
			die("bad SOURCE_DATE_EPOCH %s", env);
		c.p.epoch_set = true;
		c.p.epoch = (int64_t)v;
	}
	if (strcmp(c.outname, "stdout")) {
		fd = open(c.outname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0644);
		if (fd < 0)
			die_errno("open %s", c.outname);
	}
	if (pre || early) {
		if (cpio_out_init(&c.out, fd, CODEC_NONE, 0) < 0)
			die_errno("start the output");
		if (pre)
			prepend_file(&c, pre);
		if (early)
			pack_tree(&c, early, NULL);
		if (cpio_out_finish(&c.out) < 0)
			die_errno("write %s", c.outname);
		cpio_out_free(&c.out);
	}
	if (cpio_out_init(&c.out, fd, codec, level) < 0)
		die_errno("start the %s encoder", codec_name(codec));
	pack_tree(&c, list ? NULL : argv[o.ind], list);
	if (cpio_out_finish(&c.out) < 0) {
		if (c.out.err)
			die("compress %s: %s", c.outname, c.out.err);
		die_errno("write %s", c.outname);
	}
	cpio_out_free(&c.out);
	if (fd != 1 && close(fd) < 0)
		die_errno("close %s", c.outname);
	return 0;
}
