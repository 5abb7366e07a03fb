/* cmdline.h - the kernel command line, split as the kernel splits it.
 *
 * One parser for every reader (modprobe's configuration, initrd-host, the
 * cmdline applet behind /init), with the rules of next_arg() in Linux's
 * kernel/params.c: words end at blanks outside double quotes; a word is
 * PARAM or PARAM=VALUE, split at the first '='; a quote opening the word
 * or the value is removed with the word's last character when that is a
 * quote; other quotes stay; there are no escapes. Whatever the line holds
 * is data: a newline inside quotes stays inside its value.
 */
#ifndef INITBOX_CMDLINE_H
#define INITBOX_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* COMMAND_LINE_SIZE is 2048 on x86 and arm64, 4096 at most elsewhere;
 * bootconfig adds to the line within that size, /proc a newline */
enum { CMDLINE_MAX = 8192 };

struct cmdline_word {
	char *param; /* the word, or its part before the first '=' */
	char *val;   /* after the first '=', NULL without one */
	bool quoted; /* the word or its value had its quotes removed */
};

/* The next word of the line at *s, split in place; *s moves past it.
 * false at the end of the line. */
bool cmdline_next(char **s, struct cmdline_word *w);

/* Read PATH (/proc/cmdline) whole into buf, NUL-terminated. -1 with errno;
 * E2BIG when it does not fit. */
int cmdline_read(const char *path, char *buf, size_t size);

/* kmod's reading of a word as a module's option, MODULE.PARAM[=VALUE]:
 * MODULE only of the characters a module name holds (letters, digits,
 * '_' and '-'), PARAM without a further '.' or a quote. Returns the length of
 * MODULE, 0 when the word is not a module's option. */
size_t cmdline_module(const struct cmdline_word *w);

#endif
