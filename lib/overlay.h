/* overlay.h - the pieces of an overlayfs root (mount-overlay): the
 * directories it needs and the option string mount(2) gets.
 */
#ifndef INITBOX_OVERLAY_H
#define INITBOX_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>

/* Append DIR to the ':'-joined list in LIST (len bytes); -1 with
 * ENAMETOOLONG when it does not fit. */
int overlay_lower_add(char *list, size_t len, const char *dir);
/* "lowerdir=LOWER,upperdir=UPPER,workdir=WORK[,MORE][,EXTRA]" into buf,
 * separators in the paths escaped as overlayfs reads them (LOWER is a
 * ':'-joined list); MORE and EXTRA may be NULL or "". -1 with E2BIG when
 * it is longer than len. */
int overlay_data(char *buf, size_t len, const char *lower, const char *upper,
		 const char *work, const char *more, const char *extra);

#endif
