/* switch.h - the switch wing (lib/switch/): the switch_root engine and
 * what it says, what pins a filesystem in memory, capabilities, why
 * pivot_root refused. Stands on mount and base.
 */
#ifndef INITBOX_SWITCH_H
#define INITBOX_SWITCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/base.h"
#include "mount/mount.h"

/* --- pins.c: what still holds files of a filesystem in memory.
 *
 * After switch_root has deleted the old root's files, a file's pages stay
 * until its last reference goes: an open descriptor, a mapping (executables
 * and libraries), a process's cwd or root, a loop device backed by it. All
 * of these are found by the filesystem's st_dev, since the files no longer
 * have names.
 */

struct pin_item {
	char what[24];		/* "exe", "cwd", "root", "fd 3", "map" */
	char path[256];		/* as the kernel names it, " (deleted)" cut */
	ino_t ino;
	uint64_t bytes;		/* 0 when another item holds the same inode */
};

struct pin_proc {
	pid_t pid;
	char comm[32];
	uint64_t bytes;		/* distinct inodes of this process */
	struct pin_item *items;
	size_t nitems, items_cap;
};

struct pin_loop {
	char name[32];		/* "loop0" */
	char backing[256];	/* backing_file from sysfs */
	ino_t ino;
	uint64_t bytes;		/* device size */
};

struct pin_ino {
	ino_t ino;
	uint64_t bytes;
};

struct pins {
	struct pin_proc *procs;
	size_t nprocs, procs_cap;
	struct pin_loop *loops;
	size_t nloops, loops_cap;
	uint64_t bytes;		/* all distinct inodes together */
	/* distinct pinned inodes (for callers that must not count them as
	 * freed) */
	struct pin_ino *inos;
	size_t ninos, inos_cap;
};

/* Memory a file holds: st_blocks * 512 where the filesystem counts blocks
 * (tmpfs), else st_size rounded up to pages (ramfs keeps no block count). */
uint64_t pins_file_bytes(const struct stat *st);
/* Scan PROC (normally "/proc") for processes other than SELF (0: none
 * skipped) with anything on device DEV, and loop devices under SYS
 * ("/sys") backed by a file on DEV. 0, or -1 with errno (ENOMEM; an
 * unreadable process is skipped, it may just have exited). */
int pins_scan(const char *proc, const char *sys, dev_t dev, pid_t self,
	      struct pins *p);
/* The processes other than SELF with anything at PREFIX or below it, as
 * this process's root sees paths ("/oldroot": what a root moved there
 * still holds). No loop devices. 0, or -1 with errno. */
int pins_scan_under(const char *proc, const char *prefix, pid_t self,
		    struct pins *p);
void pins_free(struct pins *p);
/* Bytes pinned of inode INO, 0 if it is not pinned. */
uint64_t pins_bytes_of(const struct pins *p, ino_t ino);

/* --- caps.c: capability names and dropping them for good (run_init -d).
 *
 * Dropping means: out of the bounding set (PR_CAPBSET_DROP, so no later
 * exec can regain it), out of this process's inheritable set, and out of
 * /proc/sys/kernel/usermodehelper/{bset,inheritable}, so helpers the kernel
 * starts itself (modprobe, hotplug) do not get it back either.
 */

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
 * error, as with busybox. -1 with errno and e naming what failed. */
int caps_drop(uint64_t mask, const char *umh_dir, struct err *e);

/* --- switchroot.c: leave the initramfs for NEWROOT and free it (the engine
 * behind switch_root and run_init; see docs/switch_root.md).
 *
 * The caller runs the steps in order and reports; each records in
 * s->err what it was doing when it failed:
 *
 *   switchroot_check    every check, nothing changed
 *   switchroot_mounts   / private; /dev /proc /sys /run and every other
 *                       mount on the initramfs moved into NEWROOT
 *   switchroot_enter    keep an fd on the old root; pivot_root(".", ".")
 *                       + detach, else MS_MOVE "." onto "/" + chroot
 *   switchroot_clean    delete the old root's files through that fd
 *   switchroot_stdio    stdio onto the console
 *   switchroot_account  what is freed and what still pins the old root
 */

enum sr_result {
	SR_MOVED,	  /* to the same path in NEWROOT */
	SR_RELOCATED,	  /* under NEWROOT/run/initramfs (no such directory, or
			   * already a mount point there) */
	SR_ABSENT,	  /* /dev, /proc, /sys or /run: no such directory */
	SR_NOT_MOUNT,	  /* a directory of the initramfs, not a mount */
	SR_HOLDS_NEWROOT, /* NEWROOT is inside it: left where it is */
	SR_DETACHED,	  /* could not move it: detached (umount -l) */
	SR_FAILED,	  /* could neither move nor detach it */
};

struct sr_move {
	/* The mount point in the initramfs, and as the new root sees it
	 * (maybe under /run/initramfs). */
	char from[PATH_MAX];
	char to[PATH_MAX + 16];
	enum sr_result result;
	int err; /* errno of the failed move (DETACHED, FAILED) */
};

struct switchroot {
	/* Set by the caller (switchroot_init gives the defaults). */
	const char *newroot;
	const char *init;
	const char *console; /* -c; NULL: /dev/console if NEWROOT has it */
	bool dry_run;	     /* -n: PID 1 not needed, INIT gets no fallback */
	bool keep;	     /* do not delete the old root (run_init -p) */

	/* Filled by the steps. */
	const char *init_asked; /* INIT failed its check and s->init is the
				 * fallback that passed; init_why says why */
	char init_why[PATH_MAX + 128];
	struct err err; /* what failed */
	char newroot_abs[PATH_MAX];
	int console_fd; /* -c opened during the check */
	struct sr_move *moves;
	size_t nmoves, moves_cap;
	int oldfd; /* the old root, opened before the switch */
	dev_t olddev;
	dev_t newdev;	   /* NEWROOT's st_dev */
	ino_t newino;	   /* and st_ino: the new root's top directory,
			    * which may be a directory of the initramfs
			    * (NEWROOT bind-mounted onto itself) */
	bool pivoted;	   /* pivot_root worked (else MS_MOVE + chroot) */
	int pivot_err;	   /* why pivot_root did not */
	const char *stdio; /* what stdio went to: a path, or NULL (kept) */

	/* Bind mounts of initramfs files and directories: their sources are
	 * spared, found by inode (mountinfo's root field is relative to the
	 * filesystem, not to a chroot); by path (mountinfo's root) only when
	 * the mount could not be looked at (ino 0). path is where the
	 * deletion met it once met is set. */
	struct sr_spare {
		ino_t ino;
		bool met;
		char path[256];
	} spare[16];
	size_t nspare;
	bool spare_all; /* the whole root is bind-mounted elsewhere */
	char spared_newroot[PATH_MAX]; /* the initramfs directory that is the
					* new root, left alone ("" if none) */

	/* Deletion. Bytes are what the files held in memory: see
	 * pins_file_bytes. A file with other links frees nothing. */
	uint64_t deleted_bytes, files, dirs, other_fs, errors;
	char first_error[PATH_MAX];
	int first_errno;
	struct pin_ino *del; /* what was deleted, for the pins correction */
	size_t ndel, del_cap;

	/* Accounting. */
	uint64_t freed_bytes; /* deleted and not held by anyone */
	bool pins_known;      /* /proc was there to look */
	struct pins pins;
};

void switchroot_init(struct switchroot *s);
void switchroot_free(struct switchroot *s);
int switchroot_check(struct switchroot *s);
int switchroot_mounts(struct switchroot *s);
int switchroot_enter(struct switchroot *s);
int switchroot_clean(struct switchroot *s);
int switchroot_stdio(struct switchroot *s);
int switchroot_account(struct switchroot *s);
/* The report, one call of LINE per line (the caller prints): the summary
 * first ("freed 41.2 MiB (1312 files); still pinned ..."), then with
 * VERBOSE one line per mount, the switch method, the deletion and each
 * pinned item. Mounts that could not be moved get a line either way. */
void switchroot_report(const struct switchroot *s, bool verbose,
		       void (*line)(void *ctx, const char *text), void *ctx);
/* Format one line and hand it to LINE (the report's and the engine's
 * messages). */
void switchroot_say(void (*line)(void *ctx, const char *text), void *ctx,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Exec ARGV (ARGV[0] is INIT); when it fails, say so through MSG and try
 * /sbin/init, /etc/init, /bin/init (with ARGV's arguments), /bin/sh
 * (without). Returns only if none could run. */
void switchroot_exec(char **argv, void (*msg)(void *ctx, const char *text),
		     void *ctx);
/* Never returns: PID 1 stays alive, reaping adopted children, so the
 * kernel does not panic and the reason stays on screen. */
_Noreturn void switchroot_hang(void);
/* Everything after switchroot_check, in order: mounts, enter, clean,
 * stdio, account, report, exec INIT_ARGV (with fallbacks), hang. Each
 * line to show goes to MSG (errors included, as "step: reason"). Returns
 * -1 (s->err set) only when it failed before changing anything. */
int switchroot_run(struct switchroot *s, char **init_argv, bool verbose,
		   void (*msg)(void *ctx, const char *text), void *ctx);
/* Words for an sr_result ("moved", "not a mount", ...). */
const char *switchroot_result_name(enum sr_result r);

/* --- pivot.c: why pivot_root(2) said EINVAL: the causes the kernel checks
 * (fs/namespace.c, pivot_root), told apart from the mount table.
 */

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
