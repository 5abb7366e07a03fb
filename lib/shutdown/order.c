/* order.c - the mounts under a directory, in the order they can go (see
 * shutdown.h).
 *
 * A mount can be unmounted once nothing is mounted on it: its children
 * first. The depth in the mount tree (parent links of mountinfo), not the
 * path, decides: a mount moved to a shorter path, or one stacked on
 * another at the same path, keeps its place in the tree.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mount/mount.h"
#include "shutdown.h"

bool sd_under(const char *path, const char *top)
{
	size_t n = strlen(top);

	while (n > 1 && top[n - 1] == '/')
		n--;
	if (n == 1 && top[0] == '/')
		return path[0] == '/';
	return !strncmp(path, top, n) && (path[n] == '\0' || path[n] == '/');
}

/* Ancestors of entry I up to the namespace's root; a loop in bad data
 * ends at l->n steps. */
static size_t depth(const struct mountinfo_list *l, size_t i)
{
	const struct mountinfo *m = &l->v[i], *p;
	size_t d = 0;

	while (d < l->n && (p = mountinfo_by_id(l, m->parent)) && p != m) {
		m = p;
		d++;
	}
	return d;
}

size_t sd_order(const struct mountinfo_list *l, const char *top, size_t *idx)
{
	size_t i, j, n = 0, dk;

	for (i = l->n; i-- > 0;) {
		if (!sd_under(l->v[i].target, top))
			continue;
		/* insertion by depth, deepest first; the kernel's later
		 * entries (walked first) stay ahead of equals */
		dk = depth(l, i);
		for (j = n; j > 0 && depth(l, idx[j - 1]) < dk; j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
		n++;
	}
	return n;
}

int sd_mounts_read(const char *top, struct sd_mounts *m)
{
	memset(m, 0, sizeof(*m));
	if (mountinfo_read(NULL, &m->l) < 0)
		return -1;
	m->idx = calloc(m->l.n ? m->l.n : 1, sizeof(*m->idx));
	if (!m->idx) {
		mountinfo_free(&m->l);
		return -1;
	}
	m->n = sd_order(&m->l, top, m->idx);
	return 0;
}

void sd_mounts_free(struct sd_mounts *m)
{
	free(m->idx);
	mountinfo_free(&m->l);
	memset(m, 0, sizeof(*m));
}
