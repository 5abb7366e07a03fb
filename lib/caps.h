/* caps.h - capability names and dropping them for good (run_init -d).
 *
 * Dropping means: out of the bounding set (PR_CAPBSET_DROP, so no later
 * exec can regain it), out of this process's inheritable set, and out of
 * /proc/sys/kernel/usermodehelper/{bset,inheritable}, so helpers the kernel
 * starts itself (modprobe, hotplug) do not get it back either.
 */
#ifndef INITBOX_CAPS_H
#define INITBOX_CAPS_H

#include <stdint.h>

enum { CAPS_MAX = 64 };

/* "cap_sys_module", "CAP_SYS_MODULE", "sys_module" or "cap_16": the
 * capability number, or -1 with errno EINVAL. */
int caps_from_name(const char *name);
/* Lowercase "cap_sys_module", or NULL for a number with no name. */
const char *caps_name(int cap);
/* A comma-separated list into a mask; on error *bad points at the name
 * that failed. */
int caps_parse_list(const char *list, uint64_t *mask, const char **bad,
		    size_t *badlen);
/* Drop every capability in MASK. UMH_DIR is normally
 * "/proc/sys/kernel/usermodehelper"; its absence (no /proc) is not an
 * error, as with busybox. -1 with errno and *step naming what failed. */
int caps_drop(uint64_t mask, const char *umh_dir, const char **step);

#endif
