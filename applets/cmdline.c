/* cmdline - the kernel command line, split as the kernel splits it
 *
 * usage: cmdline [FILE]
 *   prints the words of FILE (default /proc/cmdline; - is stdin) on one
 *   line, each in single quotes, for a shell to take as its arguments:
 *     eval "set -- $(cmdline)"
 *
 * The words are what the kernel's parser (next_arg() in kernel/params.c)
 * makes of the line: split at blanks outside double quotes; the quotes
 * around a whole word or a whole value removed, quotes elsewhere kept;
 * no escapes. A newline inside quotes stays in its word. "--" is printed
 * too: the words after it are init's arguments, not parameters.
 *
 * exit: 0; 1 FILE cannot be read or is longer than a command line can be
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "applet.h"

/* Called through the applet table (applets/initbox.c, generated). */
int cmdline_main(int argc, char **argv);

/* s in single quotes; a quote in s as '\'' */
static void put_quoted(const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
}

int cmdline_main(int argc, char **argv)
{
	char buf[CMDLINE_MAX];
	const char *path = "/proc/cmdline";
	struct cmdline_word w;
	char *s = buf;
	int n = 0;

	if (argc > 1 && !strcmp(argv[1], "--"))
		argv++, argc--;
	if (argc > 2)
		die_usage("one FILE at most");
	if (argc == 2)
		path = argv[1];
	if (cmdline_read(!strcmp(path, "-") ? "/dev/stdin" : path, buf,
			 sizeof(buf)) < 0) {
		if (errno == E2BIG)
			warn("%s: longer than %d bytes: not a command line",
			     path, CMDLINE_MAX - 1);
		else
			warn_errno("read %s", path);
		return 1;
	}
	while (cmdline_next(&s, &w)) {
		fputs(n++ ? " '" : "'", stdout);
		put_quoted(w.param);
		if (w.val) {
			putchar('=');
			put_quoted(w.val);
		}
		putchar('\'');
	}
	putchar('\n');
	return fflush(stdout) == 0 ? 0 : 1;
}
