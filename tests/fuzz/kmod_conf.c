/* kmod_conf.c - the module configuration (lib/kmod/kmod_conf.c): a modprobe.d
 * file and a kernel command line. The input is three sections split at
 * "@@\n": the file, /proc/cmdline's text, then names, one a line; every
 * name is looked up as each directive would be, and its options and
 * install command built as modprobe builds them. */
#include "kmod/kmod.h"
#include "fuzz.h"

static char dir[300], conf[320], cmdline[320];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_scratch("kmod_conf");
	snprintf(dir, sizeof(dir), "%s/modprobe.d", fz_base);
	if (mkdir(dir, 0755) < 0)
		abort();
	snprintf(conf, sizeof(conf), "%s/a.conf", dir);
	snprintf(cmdline, sizeof(cmdline), "%s/cmdline", fz_base);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const what[] = {"options", "blacklist", "alias",
					   "install", "remove",	   "softdep"};
	static struct kmod_ctx k;
	const char *paths[] = {dir, NULL}, *at, *val;
	const uint8_t *p = data, *end = data + size, *sep;
	char *names, *line, *save, *s;
	size_t i, n;
	int part;

	for (part = 0; part < 2; part++) {
		sep = memmem(p, (size_t)(end - p), "@@\n", 3);
		n = sep ? (size_t)(sep - p) : (size_t)(end - p);
		fz_write(part ? cmdline : conf, p, n);
		p = sep ? sep + 3 : end;
	}
	memset(&k, 0, sizeof(k));
	/* its modules.softdep: none */
	snprintf(k.dir, sizeof(k.dir), "%s", fz_base);
	if (kmod_conf_read(&k, paths, cmdline) < 0 || !k.conf.p ||
	    strlen(k.conf.p) != k.conf.len)
		abort();
	names = strndup((const char *)p, (size_t)(end - p));
	if (!names)
		abort();
	for (line = strtok_r(names, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		for (i = 0; i < 6; i++)
			for (at = NULL; (val = kmod_conf_next(&k, what[i], line,
							      i > 1, &at, &n));)
				if (val + n > k.conf.p + k.conf.len)
					abort();
		s = kmod_conf_options(&k, line, "b", "x=1");
		if (!s)
			abort();
		free(s);
		s = kmod_conf_cmd(line, "a b");
		if (!s)
			abort();
		free(s);
	}
	free(names);
	kmod_close(&k);
	return 0;
}
