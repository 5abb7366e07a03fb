/* mountinfo.c - /proc/self/mountinfo text: parsed, then every lookup the
 * applets make, on each entry's own paths. */
#include "mount/mount.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mountinfo_list l;
	char *s = fz_str(data, size);
	const struct mountinfo *m;
	size_t i;

	if (mountinfo_parse(s, &l) == 0) {
		for (i = 0; i < l.n; i++) {
			m = &l.v[i];
			if (!m->root || !m->target || !m->opts ||
			    !m->optional || !m->fstype || !m->source ||
			    !m->super_opts)
				abort();
			if (!mountinfo_at(&l, m->target) ||
			    !mountinfo_by_id(&l, m->id))
				abort();
			if (m->target[0] == '/' &&
			    !mountinfo_containing(&l, m->target))
				abort();
			(void)mountinfo_is_shared(m);
		}
		mountinfo_free(&l);
	}
	(void)mountinfo_unescape(s);
	free(s);
	return 0;
}
