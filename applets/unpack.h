/* unpack.h - the copy-in loop cpio-unpack and cpio share
 * (applets/unpack.c): list, examine or extract an archive through
 * lib/archive/cpio.c's reader and lib/archive/extract.c, with the messages both say. */
#ifndef INITBOX_UNPACK_H
#define INITBOX_UNPACK_H

#include <stdio.h>

#include "applet.h"

struct unpack {
	const char *archive; /* its name in messages */
	bool list, verbose, examine;
	bool gnu_list; /* -tv as GNU cpio lists (cpio), not ls -l style */
	FILE *names;   /* where -v puts extracted names */
	char **pats;   /* select entries matching one of npats globs */
	int npats;
	bool nonmatch;	/* -f: those matching none */
	bool owner_set; /* -R: every entry gets uid:gid */
	uint32_t uid, gid;
	uint64_t bytes; /* archive bytes read (cpio's block count) */
	bool need_header; /* cpio: input without one header is an error */
	uint64_t headers; /* entries, trailers and skipped entries seen */
	int failed;
	struct cpio_in in;
	struct extract x;
};

/* Run over the whole archive on in (cpio_in_init done; x set up unless
 * listing or examining). A malformed archive dies naming its offset. */
void unpack_run(struct unpack *u);

#endif
