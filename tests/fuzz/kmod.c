/* kmod.c - the module indexes depmod writes, and modprobe's lookups in
 * them. The input is up to seven sections split at "@@\n": modules.dep,
 * modules.alias, modules.softdep, modules.builtin, modules.builtin.alias,
 * modules.builtin.modinfo, then the names asked for, one a line. Each is
 * written to a module tree in a scratch directory; modules.softdep is
 * read as the whole configuration (any modprobe.d directive); every name is planned
 * alone (kmod_plan), then all of them at once as modaliases
 * (kmod_plan_aliases).
 *
 * "^^" anywhere stands for a name of 255 characters: libFuzzer's
 * dictionary words are at most 64 bytes, and such names once read past
 * a buffer (alias_line). */
#include "kmod/kmod.h"
#include "fuzz.h"

static const char *const files[] = {
    "modules.dep",     "modules.alias",		"modules.softdep",
    "modules.builtin", "modules.builtin.alias", "modules.builtin.modinfo",
};
static char dir[300], longname[256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char cmd[300];

	(void)argc;
	(void)argv;
	fz_scratch("kmod");
	snprintf(cmd, sizeof(cmd), "%s/lib", fz_base);
	if (mkdir(cmd, 0755) < 0)
		abort();
	snprintf(cmd, sizeof(cmd), "%s/lib/modules", fz_base);
	if (mkdir(cmd, 0755) < 0)
		abort();
	snprintf(dir, sizeof(dir), "%s/lib/modules/9.9", fz_base);
	if (mkdir(dir, 0755) < 0)
		abort();
	memset(longname, 'a', 255);
	return 0;
}

/* s[0..n) with every "^^" made the long name, into a new buffer. */
static char *expand(const uint8_t *s, size_t n, size_t *len)
{
	char *out = malloc(n * 128 + 1);
	size_t i, o = 0;

	if (!out)
		abort();
	for (i = 0; i < n; i++) {
		if (s[i] == '^' && i + 1 < n && s[i + 1] == '^') {
			memcpy(out + o, longname, 255);
			o += 255;
			i++;
		} else {
			out[o++] = (char)s[i];
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

static int step(void *arg, const struct kmod_step *s)
{
	(void)arg;
	if (!s->name || strlen(s->name) >= 64)
		abort();
	if (s->what != KMOD_BUILTIN && (!s->path || !s->soft || !s->params))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kmod_ctx k;
	const uint8_t *p = data, *end = data + size, *sep;
	char path[400], *names = NULL, *line, *save, *v[64];
	const char *conf[] = {NULL, NULL};
	size_t i, n, len, nv = 0;

	for (i = 0; i < 7; i++) {
		sep = memmem(p, (size_t)(end - p), "@@\n", 3);
		n = sep ? (size_t)(sep - p) : (size_t)(end - p);
		if (i < 6) {
			char *text = expand(p, n, &len);

			snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
			fz_write(path, text, len);
			free(text);
		} else {
			names = expand(p, n, &len);
		}
		p = sep ? sep + 3 : end;
	}
	snprintf(path, sizeof(path), "%s/modules.softdep", dir);
	conf[0] = path;
	if (kmod_open(&k, fz_base, "9.9") < 0 || kmod_conf_read(&k, conf, NULL) < 0)
		abort();
	for (line = strtok_r(names, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		kmod_plan_reset(&k);
		(void)kmod_plan(&k, line, "p=1", step, NULL);
		if (nv < 64)
			v[nv++] = line;
	}
	kmod_plan_reset(&k);
	(void)kmod_plan_aliases(&k, v, nv, step, NULL);
	kmod_close(&k);
	free(names);
	return 0;
}
