/* cpio-unpack - list or extract an initramfs exactly as the kernel reads it
 *
 * usage: cpio-unpack [-t [-v]] [-e] [-v] [-d] [-C DIR] [ARCHIVE]
 *   ARCHIVE   the image (default or "-": stdin)
 *   -t        list the names; with -v like ls -l (numeric owners, UTC)
 *   -e        examine: one line per segment (offset, compression,
 *             compressed and unpacked bytes, entries)
 *   -C DIR    extract into DIR (default: the current directory)
 *   -v        when extracting, print each name
 *   -d        make missing parent directories (as cpio -d)
 *   -i        accepted for cpio compatibility (extracting is the default)
 *
 * newc and crc archives, concatenated, uncompressed or compressed with
 * gzip, xz, lzma or zstd; nothing is written outside DIR (docs/cpio.md).
 *
 * exit: 0 ok; 1 malformed archive (named by its offset) or an entry that
 *       could not be created or was skipped; 2 usage
 *
 * Notes: reads newc (070701) and crc (070702, checksums verified)
 * archives, concatenated, NUL-padded, uncompressed or compressed with
 * gzip, xz, lzma or zstd (bzip2, lz4, lzo are recognised and refused), as
 * the kernel's initramfs unpacker does. Nothing is written outside DIR:
 * absolute names, ".." and symlinks (also ones planted by earlier entries
 * or segments) are resolved inside it, as inside rootfs; a symlink in the
 * way of a new entry is replaced, never followed. Data only goes into
 * regular files: a hardlink to a first name that a later entry replaced by
 * a FIFO or a node is refused (docs/cpio.md). Owners are set when run as
 * root. Entries the kernel skips silently (namesize 0 or above 4096,
 * symlink targets above 4096, data on a special file) are skipped the same
 * way, reported, and make the exit status 1. Control characters in listed
 * names are printed as octal escapes. An empty or all-NUL input is an
 * empty initramfs (exit 0), as the kernel unpacks it. After a malformed header, what was
 * extracted before stays; after an entry the kernel skips, the rest is
 * still unpacked.
 * Like the kernel, parent directories are not created without -d (an
 * archive for the kernel lists them first): an entry whose parent is
 * missing is skipped, as the kernel skips it, and reported. Regular files
 * are written with plain write(2) from the decoder's buffer; directory
 * modes (for non-root) and mtimes are applied at the end, newest first, so
 * that creating children does not disturb them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unpack.h"

/* Called through the applet table (applets/initbox.c, generated). */
int cpio_unpack_main(int argc, char **argv);

int cpio_unpack_main(int argc, char **argv)
{
	struct unpack u = {.names = stdout};
	const char *dir = ".";
	struct opt o;
	int c, fd = 0;
	bool mkdirs = false;

	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "tveidC:", NULL)) != -1) {
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
		case 'd':
			mkdirs = true;
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
		/* decoding beside the file creation, on two CPUs or more */
		u.in.overlap = true;
		/* Modes come from the archive, not from our umask. */
		umask(0);
		if (extract_init(&u.x, dir, geteuid() == 0) < 0)
			die_errno("%s %s", u.x.err.what, dir);
		u.x.mkdirs = mkdirs;
	}
	unpack_run(&u);
	if (!u.list && !u.examine && extract_finish(&u.x) < 0) {
		warn_errno("%s %s", u.x.err.what, dir);
		u.failed = 1;
	}
	cpio_in_free(&u.in);
	return out_done(u.failed);
}
