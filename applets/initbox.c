/* initbox - the multicall entry: pick the applet and run it.
 *
 * usage: initbox APPLET [ARGS...]
 *        initbox --list
 *        initbox --install [-s] DIR
 *        initbox --help
 *   --list        print the applets this binary holds, one a line
 *   --install DIR make DIR/APPLET hard links to this binary (-s: symlinks)
 *   APPLET --help print that applet's usage
 *
 * The applet is basename(argv[0]), or argv[1] when called as initbox.
 *
 * exit: the applet's own; 127 unknown applet; 1 --install failed; 2 usage
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applet.h"

struct applet {
	const char *name;
	int (*main)(int argc, char **argv);
	unsigned help, help_len; /* the usage text's place in HELP_TEXT */
};

#define APPLET(name, fn, off, len) int fn(int argc, char **argv);
#include "applets.h"
#undef APPLET

static const struct applet applets[] = {
#define APPLET(name, fn, off, len) { name, fn, off, len },
#include "applets.h"
#undef APPLET
};

#define APPLET(name, fn, off, len)
#define HELP_TEXT_HERE
#include "applets.h"
#undef APPLET

static const char self_help[] =
	"initbox - tools for a Linux initramfs in one static binary\n"
	"usage: initbox APPLET [ARGS...]\n"
	"       initbox --list | --install [-s] DIR | --help\n"
	"       APPLET --help\n";

/* An applet's usage text. In a profile with the gzip decoder all of them
 * are one gzip stream (scripts/applets.sh -z): 8 KiB in the binary where
 * the text is 20 KiB, unpacked only for --help. */
static int help(const struct applet *a)
{
#ifdef HELP_Z
	uint8_t *text = malloc(HELP_SIZE);
	const uint8_t *in = HELP_TEXT;
	size_t inlen = sizeof(HELP_TEXT), outlen = HELP_SIZE;
	struct codec_dec d;

	if (!text || codec_dec_init(&d, CODEC_GZIP) < 0 ||
	    codec_dec_run(&d, &in, &inlen, text, &outlen) != 1 ||
	    outlen != HELP_SIZE)
		die("--help: the built-in text does not unpack");
	codec_dec_end(&d);
#else
	const char *text = HELP_TEXT;
#endif
	fwrite(text + a->help, 1, a->help_len, stdout);
	return out_done(0);
}

static const struct applet *find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(applets); i++)
		if (!strcmp(applets[i].name, name))
			return &applets[i];
	return NULL;
}

static int install(int argc, char **argv)
{
	char exe[PATH_MAX], path[PATH_MAX];
	bool sym = false;
	const char *dir;
	ssize_t n;
	size_t i;
	int rc = 0, r;
	struct stat a, b;

	if (argc > 0 && !strcmp(argv[0], "-s")) {
		sym = true;
		argc--, argv++;
	}
	if (argc != 1)
		die_usage("--install takes one directory");
	dir = argv[0];
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		die_errno("read /proc/self/exe");
	exe[n] = '\0';
	for (i = 0; i < ARRAY_SIZE(applets); i++) {
		r = snprintf(path, sizeof(path), "%s/%s", dir, applets[i].name);
		if (r < 0 || (size_t)r >= sizeof(path)) {
			warn("install %s/%s: name too long", dir,
			     applets[i].name);
			rc = 1;
			continue;
		}
		/* An existing link to this binary is fine; anything else
		 * is the user's and stays. */
		if (lstat(path, &a) == 0) {
			if (stat(path, &a) == 0 && stat(exe, &b) == 0 &&
			    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
				continue;
			warn("install %s: exists, left alone", path);
			rc = 1;
			continue;
		}
		r = sym ? symlink(exe, path) : link(exe, path);
		if (r < 0) {
			warn_errno("install %s", path);
			rc = 1;
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	const struct applet *a;
	const char *name = argv[0] ? strrchr(argv[0], '/') : NULL;
	size_t i;

	name = name ? name + 1 : (argv[0] ? argv[0] : "initbox");
	if (!strcmp(name, "initbox")) {
		if (argc < 2 || !strcmp(argv[1], "--help")) {
			fputs(self_help, argc < 2 ? stderr : stdout);
			return out_done(argc < 2 ? 2 : 0);
		}
		if (!strcmp(argv[1], "--list")) {
			for (i = 0; i < ARRAY_SIZE(applets); i++)
				puts(applets[i].name);
			return out_done(0);
		}
		if (!strcmp(argv[1], "--install"))
			return out_done(install(argc - 2, argv + 2));
		argc--, argv++;
		name = argv[0];
	}
	a = find(name);
	if (!a) {
		fprintf(stderr, "initbox: %s: applet not found\n", name);
		return 127;
	}
	prog = a->name;
	if (argc == 2 && !strcmp(argv[1], "--help"))
		return help(a);
	return out_done(a->main(argc, argv));
}
