/* seccomp.h - the seccomp user-notification filter of the linuxrc
 * supervisor (initrd_linuxrc.c): mount(2) and umount2(2), native and, on
 * x86_64, i386 (an old initrd may hold 32-bit programs). One small
 * interface over the architecture-specific parts.
 */
#ifndef INITBOX_SECCOMP_H
#define INITBOX_SECCOMP_H

#include <stdbool.h>
#include <linux/seccomp.h>

/* Install the filter on the calling thread (no_new_privs already set);
 * returns the listener fd, -1 with errno (ENOSYS on an architecture the
 * filter does not know). */
int seccomp_mount_listener(void);
/* The notified call is a mount(2) (else an umount2(2)). */
bool seccomp_is_mount(const struct seccomp_data *d);

#endif
