/* pivot.h - why pivot_root(2) said EINVAL: the causes the kernel checks
 * (fs/namespace.c, pivot_root), told apart from the mount table.
 */
#ifndef INITBOX_PIVOT_H
#define INITBOX_PIVOT_H

#include <stddef.h>

#include "mountinfo.h"

/* The cause, as a phrase in BUF, from the mount table L. NEW_ROOT and
 * PUT_OLD are named as the user gave them; NABS and OABS are the same
 * resolved (absolute, no symlinks), NULL when they could not be. */
const char *pivot_why(const struct mountinfo_list *l, const char *new_root,
		      const char *put_old, const char *nabs, const char *oabs,
		      char *buf, size_t len);
/* pivot_why for this process: /proc/self/mountinfo and realpath(3). */
const char *pivot_why_here(const char *new_root, const char *put_old,
			   char *buf, size_t len);

#endif
