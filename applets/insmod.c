/* insmod - load one kernel module file
 *
 * usage: insmod FILE [PARAM=VALUE...]
 *   FILE may be compressed (.ko.gz, .ko.xz, .ko.zst); dependencies are not
 *   resolved (modprobe does that). A module already loaded is success.
 *
 * exit: 0 loaded or already loaded, 1 the load failed, 2 usage
 *
 * Notes: finit_module(2), with MODULE_INIT_COMPRESSED_FILE when
 * /sys/module/compression names the file's codec (Linux >= 5.17); else
 * the file is decompressed here and given to init_module(2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "applet.h"

/* Called through the applet table (applets/initbox.c, generated). */
int insmod_main(int argc, char **argv);

int insmod_main(int argc, char **argv)
{
	struct {
		char params[4096];
		size_t len;
		struct err err;
		char buf[ERR_STR_MAX];
	} s;
	int i, n, first = 1;

	memset(&s, 0, sizeof(s));
	if (argc > 1 && !strcmp(argv[1], "--"))
		first++;
	if (argc <= first)
		die_usage("missing FILE");
	if (argv[first][0] == '-' && argv[first][1])
		die_usage("unknown option %s", argv[first]);
	for (i = first + 1; i < argc; i++) {
		n = snprintf(s.params + s.len, sizeof(s.params) - s.len, "%s%s",
			     s.len ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= sizeof(s.params) - s.len)
			die_usage("parameters too long");
		s.len += (size_t)n;
	}
	if (kmod_load(argv[first], s.params, &s.err) < 0)
		die("load %s: %s", argv[first],
		    err_str(&s.err, s.buf, sizeof(s.buf)));
	return 0;
}
