/* kmod_profile.c - module profiles: the modules a kind of machine needs,
 * as data (config/modules/), one entry a line, expanded against a tree's
 * modules.dep. The plan of each name is kmod_plan's; this file only says
 * which names to plan.
 */
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "archive/archive.h"
#include "kmod.h"

enum { WORD = 512 }; /* the longest alias kmod_plan takes is 511 */

/* a pattern over module names, or with a '/' over their paths */
static bool is_glob(const char *s)
{
	return s[strcspn(s, "*?[/")] != '\0';
}

/* Line [s, s + n) as an entry: its word (without the ? or !) in WORD and
 * its mark in *mark (0, '?' or '!'). 0 for a blank or comment line, 1 for
 * an entry, -1 (EINVAL) for a line that is neither. */
static int entry(const char *s, size_t n, char *word, char *mark)
{
	size_t i;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (!n || *s == '#')
		return 0;
	*mark = 0;
	if (*s == '?' || *s == '!')
		*mark = *s++, n--;
	for (i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '\t')
			break;
	if (!n || i < n || n >= WORD) {
		errno = EINVAL;
		return -1;
	}
	memcpy(word, s, n);
	word[n] = '\0';
	return 1;
}

/* Whether WORD (normalised or, with a '/', a path glob) names module NAME
 * at PATH (PATH NULL: an entry that is a name, not a file) */
static bool names(const char *word, const char *name, const char *path)
{
	char pat[WORD];

	if (strchr(word, '/'))
		return path && match_glob(word, path);
	kmod_norm_alias(word, strlen(word), pat, sizeof(pat));
	return match_glob(pat, name);
}

/* Whether a ! line of TEXT takes module NAME (at PATH) out */
static bool excluded(const char *text, const char *name, const char *path)
{
	const char *l, *nl;
	char word[WORD], mark;

	for (l = text; *l; l = nl + !!*nl) {
		nl = l + strcspn(l, "\n");
		if (entry(l, (size_t)(nl - l), word, &mark) == 1 &&
		    mark == '!' && names(word, name, path))
			return true;
	}
	return false;
}

/* Glob WORD over modules.dep: fn for each module it names and TEXT keeps;
 * *any says whether one matched at all */
static int expand(const struct kmod_ctx *k, const char *text, const char *word,
		  struct kmod_want *w, kmod_want_fn fn, void *arg, bool *any)
{
	const char *l, *nl, *colon;
	char path[4096], name[64];
	int rc;

	*any = false;
	for (l = k->dep.p; l && *l; l = nl + !!*nl) {
		nl = l + strcspn(l, "\n");
		colon = memchr(l, ':', (size_t)(nl - l));
		if (!colon || (size_t)(colon - l) >= sizeof(path))
			continue;
		memcpy(path, l, (size_t)(colon - l));
		path[colon - l] = '\0';
		kmod_norm(path, name, sizeof(name));
		if (!names(word, name, path))
			continue;
		*any = true;
		if (excluded(text, name, path))
			continue;
		w->name = name;
		rc = fn(arg, w);
		if (rc)
			return rc;
	}
	return 0;
}

int kmod_profile_each(const struct kmod_ctx *k, const char *text,
		      kmod_want_fn fn, void *arg, size_t *line)
{
	const char *l, *nl;
	char word[WORD], name[WORD], mark;
	struct kmod_want w;
	bool any;
	int rc;

	/* every line checked before the first name is planned: a bad
	 * profile plans nothing */
	*line = 0;
	for (l = text; *l; l = nl + !!*nl) {
		nl = l + strcspn(l, "\n");
		++*line;
		if (entry(l, (size_t)(nl - l), word, &mark) < 0)
			return -1;
	}
	for (l = text; *l; l = nl + !!*nl) {
		nl = l + strcspn(l, "\n");
		rc = entry(l, (size_t)(nl - l), word, &mark);
		if (!rc || mark == '!')
			continue;
		w = (struct kmod_want){.name = word, .optional = mark == '?'};
		if (is_glob(word)) {
			rc = expand(k, text, word, &w, fn, arg, &any);
			if (!rc && !any) {
				w.name = word;
				w.none = true;
				rc = fn(arg, &w);
			}
		} else {
			kmod_norm_alias(word, strlen(word), name, sizeof(name));
			rc = excluded(text, name, NULL) ? 0 : fn(arg, &w);
		}
		if (rc)
			return rc;
	}
	*line = 0;
	return 0;
}
