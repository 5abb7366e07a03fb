/* match.c - shell-style patterns as modules.alias uses them: '*', '?',
 * and bracket classes with ranges and '!' or '^' negation.
 *
 * Written here rather than taken from libc because musl's fnmatch brings
 * its multibyte tables (~13 KiB) into the static binary, for patterns that
 * are plain ASCII by construction (depmod writes them).
 */
#include <stdbool.h>

#include "base.h"

/* One bracket class at *pp (just past '['); advances *pp past ']'.
 * Returns -1 for an unterminated class (then '[' is an ordinary char). */
static int class_match(const char **pp, unsigned char c)
{
	const char *p = *pp;
	bool neg = false, hit = false;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	/* A ']' first in the class is a member, not its end. */
	if (*p == ']') {
		hit = c == ']';
		p++;
	}
	for (; *p && *p != ']'; p++) {
		unsigned char lo = (unsigned char)*p, hi = lo;

		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = (unsigned char)p[2];
			p += 2;
		}
		if (c >= lo && c <= hi)
			hit = true;
	}
	if (*p != ']')
		return -1;
	*pp = p + 1;
	return hit != neg;
}

bool match_glob(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	/* Iterative with one backtrack point: the last '*' seen. A later
	 * mismatch retries that star with one more character, which is
	 * enough because earlier stars can only have matched less. */
	while (*s) {
		const char *p = pat;
		int r;

		if (*p == '*') {
			star = ++pat;
			resume = s;
			continue;
		}
		if (*p == '?') {
			pat++, s++;
			continue;
		}
		if (*p == '[') {
			p++;
			r = class_match(&p, (unsigned char)*s);
			if (r == 1) {
				pat = p, s++;
				continue;
			}
			if (r == -1 && *s == '[') {
				pat++, s++;
				continue;
			}
		} else if (*p && *p == *s) {
			pat++, s++;
			continue;
		}
		if (!star)
			return false;
		pat = star;
		s = ++resume;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}
