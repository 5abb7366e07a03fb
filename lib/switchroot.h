/* switchroot.h - leave the initramfs for NEWROOT and free it (the engine
 * behind switch_root and run_init; see docs/switch_root.md).
 *
 * The caller runs the steps in order and reports; each records in
 * s->step what it was doing when it failed:
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
#ifndef INITBOX_SWITCHROOT_H
#define INITBOX_SWITCHROOT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pins.h"

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
	const char *step; /* what failed: points into stepbuf */
	bool step_errno;  /* errno explains the failure */
	char stepbuf[PATH_MAX + 128];
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
 * -1 (s->step set) only when it failed before changing anything. */
int switchroot_run(struct switchroot *s, char **init_argv, bool verbose,
		   void (*msg)(void *ctx, const char *text), void *ctx);
/* Words for an sr_result ("moved", "not a mount", ...). */
const char *switchroot_result_name(enum sr_result r);

#endif
