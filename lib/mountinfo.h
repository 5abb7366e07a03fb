/* mountinfo.h - /proc/self/mountinfo, parsed.
 *
 * One entry a mount, in the kernel's order (parents before children as
 * they were mounted). Paths are relative to the reading process's root,
 * octal escapes (\040 for a blank) decoded. Strings point into the list's
 * own buffer, so they live until mountinfo_free.
 */
#ifndef INITBOX_MOUNTINFO_H
#define INITBOX_MOUNTINFO_H

#include <stddef.h>

struct mountinfo {
	int id;			/* mount ID */
	int parent;		/* parent's mount ID (itself for a namespace root) */
	unsigned major, minor;	/* st_dev of files on it */
	const char *root;	/* the directory of the filesystem mounted here */
	const char *target;	/* the mount point */
	const char *opts;	/* per-mount options: "rw,nosuid" */
	const char *optional;	/* propagation tags: "shared:1 master:2", or "" */
	const char *fstype;	/* "tmpfs", "fuse.sshfs" */
	const char *source;	/* "/dev/vda1", "none" */
	const char *super_opts;	/* superblock options */
};

struct mountinfo_list {
	struct mountinfo *v;
	size_t n;
	char *buf;		/* the text, cut up in place */
};

/* Parse TEXT (copied). 0, or -1 with errno: EINVAL for a malformed line,
 * ENOMEM. */
int mountinfo_parse(const char *text, struct mountinfo_list *l);
/* Read and parse PATH (NULL: /proc/self/mountinfo). */
int mountinfo_read(const char *path, struct mountinfo_list *l);
void mountinfo_free(struct mountinfo_list *l);
/* The entry mounted at TARGET (the topmost if several are stacked), or
 * NULL. */
const struct mountinfo *mountinfo_at(const struct mountinfo_list *l,
				     const char *target);
const struct mountinfo *mountinfo_by_id(const struct mountinfo_list *l,
					int id);
/* The mount holding PATH (absolute, no symlinks): the longest mount point
 * that is PATH or a parent directory of it; the topmost if stacked. */
const struct mountinfo *mountinfo_containing(const struct mountinfo_list *l,
					     const char *path);
/* True when the propagation tags hold "shared:". */
int mountinfo_is_shared(const struct mountinfo *m);
/* Decode \NNN octal escapes in place; returns S. */
char *mountinfo_unescape(char *s);

#endif
