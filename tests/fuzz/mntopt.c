/* mntopt.c - mount option strings: each line of the input is parsed in
 * turn into one struct, as mount -o applies fstab's options and then the
 * command line's; then the flags for a mount and a remount. */
#include "mount/mount.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mntopt *m = malloc(sizeof(*m));
	char *s = fz_str(data, size), *line, *save;

	if (!m)
		abort();
	mntopt_init(m);
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (mntopt_parse(m, line) < 0 &&
		    !memchr(m->err.what, '\0', sizeof(m->err.what)))
			abort();
		if (!memchr(m->data, '\0', sizeof(m->data)) ||
		    !memchr(m->loop_dev, '\0', sizeof(m->loop_dev)))
			abort();
	}
	(void)mntopt_flags(m, 0);
	(void)mntopt_flags(m, mntopt_from_statvfs(size * 2654435761u));
	free(s);
	free(m);
	return 0;
}
