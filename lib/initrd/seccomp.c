/* seccomp.c - see initrd.h. The architecture #ifdefs of the linuxrc
 * supervisor live here and nowhere else.
 */
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>

#include "base/base.h"
#include "archive/archive.h"
#include "mount/mount.h"
#include "media/media.h"
#include "initrd.h"

/* The syscalls the supervisor sees: mount and umount2, native and, on
 * x86_64, i386 (an old initrd may hold 32-bit programs). */
#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define COMPAT_ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define NATIVE_ARCH AUDIT_ARCH_I386
#endif

#ifdef NATIVE_ARCH
int seccomp_mount_listener(void)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, arch)),
#ifdef COMPAT_ARCH
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, COMPAT_ARCH, 6, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#else
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#endif
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mount, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_umount2, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
#ifdef COMPAT_ARCH
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, I386_NR_mount, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, I386_NR_umount2, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
#endif
	};
	struct sock_fprog fp = {.len = ARRAY_SIZE(f), .filter = f};

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER, &fp);
}

bool seccomp_is_mount(const struct seccomp_data *d)
{
#ifdef COMPAT_ARCH
	if (d->arch == COMPAT_ARCH)
		return d->nr == I386_NR_mount;
#endif
	return d->nr == __NR_mount;
}
#else
int seccomp_mount_listener(void)
{
	errno = ENOSYS;
	return -1;
}

bool seccomp_is_mount(const struct seccomp_data *d)
{
	(void)d;
	return false;
}
#endif
