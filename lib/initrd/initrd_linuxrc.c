/* initrd_linuxrc.c - running a legacy initrd's /linuxrc as the kernel
 * did, with a stand-in for real-root-dev on kernels without it: a tmpfs
 * given to linuxrc's own proc mounts by a seccomp user-notification
 * supervisor on mount(2) (see initrd.h; the filter, the one place that
 * knows the architectures, is in seccomp.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/openat2.h>

#include "base/base.h"
#include "archive/archive.h"
#include "mount/mount.h"
#include "media/media.h"
#include "initrd.h"

/* --- the stand-in -------------------------------------------------------- */

int initrd_standin_make(struct initrd_standin *s, const char *dir,
			uint32_t value, struct err *e)
{
	struct dirent *de;
	struct stat st;
	char src[PATH_MAX], dst[PATH_MAX];
	DIR *d;
	int fd;

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	snprintf(s->file, sizeof(s->file), "%s/real-root-dev", dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return err_set(e, errno, "make the stand-in directory");
	if (mount("initrd-rrd", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0555,size=64k") < 0)
		return err_set(e, errno, "mount the stand-in tmpfs");
	fd = open(s->file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || close(fd) < 0 || initrd_rrd_set(s->file, value) < 0 ||
	    stat(dir, &st) < 0)
		goto undo;
	s->dev = st.st_dev;
	/* The kernel's other entries, each bound over a same-named
	 * placeholder: a missing /proc is no reason to stop. */
	d = opendir("/proc/sys/kernel");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    !strcmp(de->d_name, "real-root-dev"))
			continue;
		snprintf(src, sizeof(src), "/proc/sys/kernel/%s", de->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", dir, de->d_name);
		if (stat(src, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (mkdir(dst, 0555) < 0)
				continue;
		} else {
			fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
				  0644);
			if (fd < 0 || close(fd) < 0)
				continue;
		}
		if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) == 0)
			s->bound++;
	}
	if (d)
		dir_close(d);
	return 0;
undo:
	err_set(e, errno, "create the stand-in real-root-dev");
	(void)umount2(dir, MNT_DETACH); /* failing already */
	errno = e->no;
	return -1;
}

void initrd_standin_remove(struct initrd_standin *s)
{
	struct mountinfo_list l;
	size_t i, n;
	bool again = true;

	/* The copies given to linuxrc's proc mounts first, top down; a
	 * detach takes the bound kernel entries with it. */
	for (n = 0; again && n < 64; n++) {
		again = false;
		if (mountinfo_read(NULL, &l) < 0)
			break;
		for (i = l.n; i-- > 0;) {
			const struct mountinfo *m = &l.v[i];

			if (m->major != major(s->dev) ||
			    m->minor != minor(s->dev) || strcmp(m->root, "/"))
				continue;
			if (umount2(m->target, MNT_DETACH) == 0)
				again = true;
		}
		mountinfo_free(&l);
	}
	/* Without /proc the loop above saw nothing: the stand-in itself. */
	(void)umount2(s->dir, MNT_DETACH); /* already gone is fine */
	(void)rmdir(s->dir);		   /* an empty leftover only */
}

/* --- running /linuxrc --------------------------------------------------- */

/* One byte and one fd over a unix socket (SCM_RIGHTS). */
struct fd_msg {
	char c;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr mh;
};

static void fd_msg_init(struct fd_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->c = 'f';
	m->iov.iov_base = &m->c;
	m->iov.iov_len = 1;
	m->mh.msg_iov = &m->iov;
	m->mh.msg_iovlen = 1;
	m->mh.msg_control = m->cbuf;
	m->mh.msg_controllen = sizeof(m->cbuf);
}

static int send_fd(int sock, int fd)
{
	struct fd_msg m;
	struct cmsghdr *cm;

	fd_msg_init(&m);
	cm = CMSG_FIRSTHDR(&m.mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &m.mh, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	struct fd_msg m;
	struct cmsghdr *cm;
	int fd;

	fd_msg_init(&m);
	if (recvmsg(sock, &m.mh, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&m.mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* A NUL-terminated string from the stopped caller's memory. */
static int peek_str(pid_t pid, uint64_t addr, char *buf, size_t len)
{
	size_t got = 0, n;
	struct iovec l, r;
	ssize_t k;

	while (got < len - 1) {
		/* Page by page: a string may end just before an unmapped
		 * page, and a read across it would fail whole. */
		n = 4096 - ((addr + got) & 4095);
		if (n > len - 1 - got)
			n = len - 1 - got;
		l.iov_base = buf + got;
		l.iov_len = n;
		r.iov_base = (void *)(uintptr_t)(addr + got);
		r.iov_len = n;
		k = process_vm_readv(pid, &l, 1, &r, 1, 0);
		if (k <= 0)
			return -1;
		if (memchr(buf + got, '\0', (size_t)k))
			return 0;
		got += (size_t)k;
	}
	errno = ENAMETOOLONG;
	return -1;
}

/* PATH as the caller sees it (its root and cwd), as an O_PATH fd. */
static int resolve(pid_t pid, const char *path)
{
	struct open_how how = {
	    .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT,
	};
	char at[64];
	int dfd, fd;

	/* A relative path is taken inside the cwd: ".." past it is clamped,
	 * which an initrd script has no reason to rely on. */
	snprintf(at, sizeof(at), "/proc/%d/%s", (int)pid,
		 path[0] == '/' ? "root" : "cwd");
	dfd = open(at, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	fd = (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
	fd_close(dfd);
	return fd;
}

static void emu_fail(struct initrd_run *x, const char *what)
{
	if (!x->emu_err[0])
		snprintf(x->emu_err, sizeof(x->emu_err), "%s: %s", what,
			 strerror(errno));
}

/* Give the proc mounted at fd (its root) the stand-in at sys/kernel. */
static void decorate(struct initrd_run *x, int fd)
{
	char at[64];
	int k;

	k = openat(fd, "sys/kernel", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (k < 0) {
		emu_fail(x, "open sys/kernel in linuxrc's proc");
		return;
	}
	snprintf(at, sizeof(at), "/proc/self/fd/%d", k);
	if (mount(x->standin->dir, at, NULL, MS_BIND | MS_REC, NULL) < 0)
		emu_fail(x,
			 "bind the stand-in over linuxrc's /proc/sys/kernel");
	else
		x->proc_mounts++;
	fd_close(k);
}

/* mount(2) of a proc by linuxrc: done here, then decorated, so the
 * stand-in is in place before the call returns (a script may write
 * real-root-dev on its next line). Returns 0 or a negative errno for the
 * caller; 1 to let the kernel run the call as it is. */
static int on_mount(struct initrd_run *x, const struct seccomp_notif *n,
		    int lfd)
{
	const unsigned long other = MS_REMOUNT | MS_BIND | MS_MOVE | MS_SHARED |
				    MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;
	char type[16], target[PATH_MAX], data[1024], at[64];
	unsigned long flags = (unsigned long)n->data.args[3];
	int fd, top, e;
	uint64_t id = n->id;

	if (!n->data.args[2] ||
	    peek_str((pid_t)n->pid, n->data.args[2], type, sizeof(type)) < 0 ||
	    strcmp(type, "proc") || (flags & other) || !n->data.args[1] ||
	    peek_str((pid_t)n->pid, n->data.args[1], target, sizeof(target)) <
		0)
		return 1;
	data[0] = '\0';
	if (n->data.args[4] &&
	    peek_str((pid_t)n->pid, n->data.args[4], data, sizeof(data)) < 0)
		return 1;
	fd = resolve((pid_t)n->pid, target);
	if (fd < 0)
		return 1; /* the kernel says why, to the caller */
	/* The caller may have died and its pid been reused meanwhile. */
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0) {
		fd_close(fd);
		return 1;
	}
	snprintf(at, sizeof(at), "/proc/self/fd/%d", fd);
	if (mount("proc", at, "proc", flags & ~MS_MGC_MSK,
		  data[0] ? data : NULL) < 0) {
		e = errno;
		fd_close(fd);
		return -e;
	}
	fd_close(fd);
	top = resolve((pid_t)n->pid, target);
	if (top < 0) {
		emu_fail(x, "find the proc mounted for linuxrc");
		return 0;
	}
	decorate(x, top);
	fd_close(top);
	return 0;
}

/* umount(2) by linuxrc of a proc holding the stand-in: the stand-in
 * goes first, so the umount does not fail with EBUSY. */
static void on_umount(const struct initrd_run *x, const struct seccomp_notif *n)
{
	char target[PATH_MAX], at[64];
	struct statfs sf;
	struct stat st;
	int fd, k;

	if (!n->data.args[0] || peek_str((pid_t)n->pid, n->data.args[0], target,
					 sizeof(target)) < 0)
		return;
	fd = resolve((pid_t)n->pid, target);
	if (fd < 0)
		return;
	if (fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC) {
		k = openat(fd, "sys/kernel", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (k >= 0 && fstat(k, &st) == 0 &&
		    st.st_dev == x->standin->dev) {
			snprintf(at, sizeof(at), "/proc/self/fd/%d", k);
			/* If this fails the umount says EBUSY itself. */
			(void)umount2(at, MNT_DETACH);
		}
		if (k >= 0)
			fd_close(k);
	}
	fd_close(fd);
}

static void serve(struct initrd_run *x, int lfd,
		  const struct seccomp_notif_sizes *sz)
{
	struct seccomp_notif *n = calloc(1, sz->seccomp_notif);
	struct seccomp_notif_resp *r = calloc(1, sz->seccomp_notif_resp);
	int k;

	if (!n || !r)
		goto out;
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, n) < 0)
		goto out; /* ENOENT: the caller went away */
	memset(r, 0, sz->seccomp_notif_resp);
	r->id = n->id;
	k = 1;
	if (seccomp_is_mount(&n->data))
		k = on_mount(x, n, lfd);
	else
		on_umount(x, n);
	if (k == 1)
		r->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else
		r->error = k;
	/* ENOENT: the caller was killed meanwhile; nothing to answer. */
	(void)ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, r);
out:
	free(n);
	free(r);
}

static _Noreturn void child(const struct initrd_run *x, int sock)
{
	char a0[] = "linuxrc", e0[] = "HOME=/", e1[] = "TERM=linux";
	char *argv[] = {a0, NULL};
	char *envp[] = {e0, e1, NULL};
	sigset_t none;
	int fd, i;

	(void)sigemptyset(&none); /* fails only for a bad pointer */
	/* PID 1's blocked signals are not linuxrc's; this cannot fail with
	 * a valid set and how */
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (x->console) {
		fd = open(x->console, O_RDWR | O_NOCTTY);
		if (fd < 0)
			_exit(126);
		for (i = 0; i < 3; i++)
			if (dup2(fd, i) < 0)
				_exit(126);
		if (fd > 2)
			fd_close(fd);
	}
	if (setsid() < 0 || chdir(x->root) < 0 || chroot(".") < 0)
		_exit(126);
	if (sock >= 0) {
		fd = seccomp_mount_listener();
		if (fd < 0 || send_fd(sock, fd) < 0)
			_exit(126);
		fd_close(fd);
		fd_close(sock);
	}
	execve("/linuxrc", argv, envp);
	_exit(127);
}

int initrd_run_linuxrc(struct initrd_run *x)
{
	struct seccomp_notif_sizes sz;
	struct pollfd p;
	int sv[2] = {-1, -1}, lfd = -1, st, e;
	const char *step;
	pid_t pid;

	x->status = 0;
	x->proc_mounts = 0;
	x->emu_err[0] = '\0';
	if (x->standin) {
		step = "ask the kernel for seccomp notification sizes";
		if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
			return err_set(&x->err, errno, "%s", step);
		step = "make a socket pair";
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return err_set(&x->err, errno, "%s", step);
	}
	step = "fork";
	pid = fork();
	if (pid < 0) {
		e = errno;
		goto fail;
	}
	if (pid == 0) {
		if (sv[0] >= 0)
			fd_close(sv[0]);
		child(x, sv[1]);
	}
	x->pid = pid;
	if (x->standin) {
		fd_close(sv[1]);
		sv[1] = -1;
		step = "receive the seccomp listener from linuxrc's process";
		lfd = recv_fd(sv[0]);
		e = errno;
		fd_close(sv[0]);
		sv[0] = -1;
		if (lfd < 0) {
			/* The child failed before exec; its status says
			 * which way, the message says what it was doing. */
			while (waitpid(pid, &x->status, 0) < 0 &&
			       errno == EINTR)
				;
			return err_set(&x->err, e ? e : EPROTO, "%s", step);
		}
	}
	for (;;) {
		pid_t w = waitpid(-1, &st, lfd >= 0 ? WNOHANG : 0);

		if (w == pid) {
			x->status = st;
			break;
		}
		if (w < 0 && errno != EINTR) {
			step = "wait for linuxrc";
			err_set(&x->err, errno, "%s", step);
			if (lfd >= 0)
				fd_close(lfd);
			return -1;
		}
		if (w > 0 || lfd < 0)
			continue; /* an orphan reaped, or EINTR */
		p.fd = lfd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, 100) > 0 && (p.revents & POLLIN))
			serve(x, lfd, &sz);
	}
	if (lfd >= 0)
		fd_close(lfd);
	return 0;
fail:
	if (sv[0] >= 0)
		fd_close(sv[0]);
	if (sv[1] >= 0)
		fd_close(sv[1]);
	return err_set(&x->err, e, "%s", step);
}
