/* caps.c - see switch.h. Names as klibc's run-init accepts them
 * (case-insensitive CAP_ names), plus busybox's "cap_N". */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/base.h"
#include "mount/mount.h"
#include "switch.h"

/* linux/capability.h order: the index is the capability number. */
static const char *const full[] = {
#define C(n) "cap_" n
    C("chown"),
    C("dac_override"),
    C("dac_read_search"),
    C("fowner"),
    C("fsetid"),
    C("kill"),
    C("setgid"),
    C("setuid"),
    C("setpcap"),
    C("linux_immutable"),
    C("net_bind_service"),
    C("net_broadcast"),
    C("net_admin"),
    C("net_raw"),
    C("ipc_lock"),
    C("ipc_owner"),
    C("sys_module"),
    C("sys_rawio"),
    C("sys_chroot"),
    C("sys_ptrace"),
    C("sys_pacct"),
    C("sys_admin"),
    C("sys_boot"),
    C("sys_nice"),
    C("sys_resource"),
    C("sys_time"),
    C("sys_tty_config"),
    C("mknod"),
    C("lease"),
    C("audit_write"),
    C("audit_control"),
    C("setfcap"),
    C("mac_override"),
    C("mac_admin"),
    C("syslog"),
    C("wake_alarm"),
    C("block_suspend"),
    C("audit_read"),
    C("perfmon"),
    C("bpf"),
    C("checkpoint_restore"),
#undef C
};

const char *caps_name(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(full))
		return NULL;
	return full[cap];
}

int caps_from_name(const char *name)
{
	const char *s = name;
	uint64_t v;
	size_t i;

	if (!strncasecmp(s, "cap_", 4))
		s += 4;
	for (i = 0; i < ARRAY_SIZE(full); i++)
		if (!strcasecmp(s, full[i] + 4))
			return (int)i;
	if (s != name && num_u64(s, CAPS_MAX - 1, &v) == 0)
		return (int)v;
	errno = EINVAL;
	return -1;
}

int caps_parse_list(const char *list, uint64_t *mask, const char **bad,
		    size_t *badlen)
{
	char name[64];
	const char *p = list, *e;
	size_t n;
	int c;

	*mask = 0;
	for (;;) {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		*bad = p;
		*badlen = n;
		if (n == 0 || n >= sizeof(name)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		c = caps_from_name(name);
		if (c < 0)
			return -1;
		*mask |= 1ULL << c;
		if (!e)
			return 0;
		p = e + 1;
	}
}

/* The usermodehelper files hold two 32-bit words, low first: "%u\t%u". */
static int umh_clear(const char *dir, const char *file, uint64_t mask)
{
	char path[256], buf[64];
	uint64_t lo, hi;
	char *tab;
	ssize_t n;
	int fd, len;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		goto fail;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	tab = strchr(buf, '\t');
	if (!tab)
		goto inval;
	*tab = '\0';
	if (num_u64(buf, 0xffffffff, &lo) < 0 ||
	    num_u64(tab + 1, 0xffffffff, &hi) < 0)
		goto inval;
	lo &= ~(mask & 0xffffffff);
	hi &= ~(mask >> 32);
	len = snprintf(buf, sizeof(buf), "%llu %llu\n", (unsigned long long)lo,
		       (unsigned long long)hi);
	if (lseek(fd, 0, SEEK_SET) < 0 || write(fd, buf, (size_t)len) != len)
		goto fail;
	return close(fd);
inval:
	errno = EINVAL;
fail:
	fd_close(fd);
	return -1;
}

int caps_drop(uint64_t mask, const char *umh_dir, struct err *e)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	int c;

	for (c = 0; c < CAPS_MAX; c++) {
		if (!(mask & (1ULL << c)))
			continue;
		/* EINVAL from READ: a capability this kernel does not know,
		 * which no process can hold. */
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) <= 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return err_set(e, errno, "drop from the bounding set");
	}
	if (syscall(SYS_capget, &h, d) < 0)
		return err_set(e, errno, "read capabilities");
	d[0].inheritable &= ~(uint32_t)(mask & 0xffffffff);
	d[1].inheritable &= ~(uint32_t)(mask >> 32);
	if (syscall(SYS_capset, &h, d) < 0)
		return err_set(e, errno, "clear from the inheritable set");
	if (umh_clear(umh_dir, "bset", mask) < 0)
		return err_set(e, errno, "clear from usermodehelper/bset");
	if (umh_clear(umh_dir, "inheritable", mask) < 0)
		return err_set(e, errno, "clear from usermodehelper/inheritable");
	return 0;
}
