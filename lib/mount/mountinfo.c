/* mountinfo.c - parse /proc/self/mountinfo (proc(5)):
 *
 *   36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw
 *   id par dev root   target      opts      optional... - type source super
 *
 * The number of optional fields varies; a lone "-" ends them. The kernel
 * escapes blank, tab, newline and backslash in paths as \ooo.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "mount.h"

char *mountinfo_unescape(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' &&
		    r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 |
				      (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return s;
}

/* Cut the next blank-separated field off *p; NULL at the end of the line. */
static char *field(char **p)
{
	char *s = *p, *e;

	while (*s == ' ')
		s++;
	if (!*s)
		return NULL;
	e = strchr(s, ' ');
	if (e) {
		*e = '\0';
		*p = e + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

static int parse_int(const char *s, int *out)
{
	uint64_t v;

	if (num_u64(s, 0x7fffffff, &v) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_line(char *line, struct mountinfo *m)
{
	char *p = line, *f, *colon, *opt_start = NULL, *opt_end = NULL;
	uint64_t v;

	memset(m, 0, sizeof(*m));
	if (!(f = field(&p)) || parse_int(f, &m->id) < 0)
		return -1;
	if (!(f = field(&p)) || parse_int(f, &m->parent) < 0)
		return -1;
	if (!(f = field(&p)) || !(colon = strchr(f, ':')))
		return -1;
	*colon = '\0';
	if (num_u64(f, 0xffffffff, &v) < 0)
		return -1;
	m->major = (unsigned)v;
	if (num_u64(colon + 1, 0xffffffff, &v) < 0)
		return -1;
	m->minor = (unsigned)v;
	if (!(f = field(&p)))
		return -1;
	m->root = mountinfo_unescape(f);
	if (!(f = field(&p)))
		return -1;
	m->target = mountinfo_unescape(f);
	if (!(f = field(&p)))
		return -1;
	m->opts = f;
	/* Optional fields up to the "-" separator; kept as one string with
	 * their blanks restored, since field() cut them apart. */
	for (;;) {
		if (!(f = field(&p)))
			return -1;
		if (!strcmp(f, "-"))
			break;
		if (!opt_start)
			opt_start = f;
		else
			opt_end[0] = ' ';
		opt_end = f + strlen(f);
	}
	m->optional = opt_start ? opt_start : "";
	if (!(f = field(&p)))
		return -1;
	m->fstype = mountinfo_unescape(f);
	if (!(f = field(&p)))
		return -1;
	m->source = mountinfo_unescape(f);
	f = field(&p);
	m->super_opts = f ? f : "";
	return 0;
}

int mountinfo_parse(const char *text, struct mountinfo_list *l)
{
	size_t lines = 1, n = 0;
	const char *c;
	char *line, *next;

	memset(l, 0, sizeof(*l));
	for (c = text; *c; c++)
		lines += *c == '\n';
	l->buf = strdup(text);
	l->v = calloc(lines, sizeof(*l->v));
	if (!l->buf || !l->v) {
		mountinfo_free(l);
		errno = ENOMEM;
		return -1;
	}
	for (line = l->buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line)
			continue;
		if (parse_line(line, &l->v[n]) < 0) {
			mountinfo_free(l);
			errno = EINVAL;
			return -1;
		}
		n++;
	}
	l->n = n;
	return 0;
}

int mountinfo_read(const char *path, struct mountinfo_list *l)
{
	size_t len;
	char *text;
	int rc, e;

	/* 64 MiB: some hundred thousand mounts, far beyond a real system */
	if (fd_slurp_at(AT_FDCWD, path ? path : "/proc/self/mountinfo",
			64 << 20, &text, &len) < 0)
		return -1;
	rc = mountinfo_parse(text, l);
	e = errno;
	free(text);
	errno = e;
	return rc;
}

void mountinfo_free(struct mountinfo_list *l)
{
	free(l->v);
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

const struct mountinfo *mountinfo_at(const struct mountinfo_list *l,
				     const char *target)
{
	const struct mountinfo *found = NULL;
	size_t i, rounds;

	/* Stacked mounts share the target; the one on top has the one below
	 * as its parent, so follow that chain upwards. */
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].target, target) &&
		    (!found || l->v[i].parent == found->id))
			found = &l->v[i];
	for (rounds = 0; found && rounds < l->n; rounds++) {
		const struct mountinfo *up = NULL;

		for (i = 0; i < l->n; i++)
			if (!strcmp(l->v[i].target, target) &&
			    l->v[i].parent == found->id && &l->v[i] != found)
				up = &l->v[i];
		if (!up)
			break;
		found = up;
	}
	return found;
}

const struct mountinfo *mountinfo_by_id(const struct mountinfo_list *l, int id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			return &l->v[i];
	return NULL;
}

const struct mountinfo *mountinfo_containing(const struct mountinfo_list *l,
					     const char *path)
{
	const char *best = NULL;
	size_t i, n, bestlen = 0;

	for (i = 0; i < l->n; i++) {
		n = strlen(l->v[i].target);
		if (strncmp(path, l->v[i].target, n) != 0)
			continue;
		/* "/" holds everything; "/a" holds "/a" and "/a/b", not "/ab".
		 */
		if (n > 1 && path[n] != '\0' && path[n] != '/')
			continue;
		if (!best || n > bestlen) {
			best = l->v[i].target;
			bestlen = n;
		}
	}
	return best ? mountinfo_at(l, best) : NULL;
}

int mountinfo_is_shared(const struct mountinfo *m)
{
	return strstr(m->optional, "shared:") != NULL;
}
