/* pivot.c - see switch.h. The checks come in the order that tells the
 * most likely cause first: the root itself, then the propagation of
 * PUT_OLD and NEW_ROOT's parent, then the paths.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mount/mount.h"
#include "switch.h"

const char *pivot_why(const struct mountinfo_list *l, const char *new_root,
		      const char *put_old, const char *nabs, const char *oabs,
		      char *buf, size_t len)
{
	const struct mountinfo *root, *nm, *om, *np;
	size_t n;

	root = mountinfo_at(l, "/");
	if (!root) {
		snprintf(buf, len, "the current root is not a mount point (a chroot into a directory?)");
		return buf;
	}
	/* Before Linux 7.0 the initramfs (fstype "rootfs") is the namespace's
	 * root, its own parent, and cannot be pivoted. From 7.0 it sits on
	 * the immutable nullfs (mount 1, outside the namespace's view): it
	 * can, and an EINVAL there has one of the causes below. */
	if (root->parent == root->id) {
		snprintf(buf, len, "the current root is the initramfs (rootfs), which cannot be pivoted: use switch_root");
		return buf;
	}
	if (!nabs || !oabs) {
		snprintf(buf, len, "invalid argument (cannot resolve %s)",
			 new_root);
		return buf;
	}
	nm = mountinfo_at(l, nabs);
	om = mountinfo_containing(l, oabs);
	np = nm ? mountinfo_by_id(l, nm->parent) : NULL;
	if (om && mountinfo_is_shared(om)) {
		snprintf(buf, len, "PUT_OLD %s is on a shared mount (%s): run 'mount --make-rprivate /' first",
			 put_old, om->target);
		return buf;
	}
	if (np && mountinfo_is_shared(np)) {
		snprintf(buf, len, "the mount holding NEW_ROOT (%s) is shared: run 'mount --make-rprivate /' first",
			 np->target);
		return buf;
	}
	if (!nm) {
		snprintf(buf, len, "NEW_ROOT %s is not a mount point (mount --bind it onto itself)",
			 new_root);
		return buf;
	}
	n = strlen(nabs);
	if (strncmp(oabs, nabs, n) ||
	    (n > 1 && oabs[n] != '\0' && oabs[n] != '/')) {
		snprintf(buf, len, "PUT_OLD %s is not at or under NEW_ROOT %s",
			 put_old, new_root);
		return buf;
	}
	if (mountinfo_is_shared(root)) {
		snprintf(buf, len, "the current root is a shared mount: run 'mount --make-rprivate /' first");
		return buf;
	}
	snprintf(buf, len, "invalid argument (no known cause found)");
	return buf;
}

const char *pivot_why_here(const char *new_root, const char *put_old,
			   char *buf, size_t len)
{
	char nabs[PATH_MAX], oabs[PATH_MAX];
	struct mountinfo_list l;
	bool resolved;

	if (mountinfo_read(NULL, &l) < 0) {
		snprintf(buf, len, "invalid argument (no /proc to tell why)");
		return buf;
	}
	resolved = realpath(new_root, nabs) && realpath(put_old, oabs);
	pivot_why(&l, new_root, put_old, resolved ? nabs : NULL,
		  resolved ? oabs : NULL, buf, len);
	mountinfo_free(&l);
	return buf;
}
