/* overlay.c - directories and options for an overlayfs mount (see
 * mount.h; kernel: Documentation/filesystems/overlayfs.rst).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "mount.h"

/* S with every character of SPECIAL escaped by a backslash. */
static int put_path(char *buf, size_t len, size_t *at, const char *s, size_t n,
		    const char *special)
{
	for (; n && *s; s++, n--) {
		if (strchr(special, *s)) {
			if (*at + 1 >= len)
				return -1;
			buf[(*at)++] = '\\';
		}
		if (*at + 1 >= len)
			return -1;
		buf[(*at)++] = *s;
	}
	buf[*at] = '\0';
	return 0;
}

static int put(char *buf, size_t len, size_t *at, const char *s)
{
	size_t n = strlen(s);

	if (*at + n >= len)
		return -1;
	memcpy(buf + *at, s, n + 1);
	*at += n;
	return 0;
}

int overlay_lower_add(char *list, size_t len, const char *dir)
{
	size_t was = strlen(list), at = was;

	if ((at && put(list, len, &at, ":") < 0) ||
	    put(list, len, &at, dir) < 0) {
		list[was] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int overlay_data(char *buf, size_t len, const char *lower, const char *upper,
		 const char *work, const char *more, const char *extra)
{
	const char *l = lower;
	size_t at = 0, n;

	buf[0] = '\0';
	if (put(buf, len, &at, "lowerdir=") < 0)
		goto long_;
	while (*l) {
		/* ':' separates the layers; ',' and '\' are escaped */
		n = strcspn(l, ":");
		if (put_path(buf, len, &at, l, n, ",\\") < 0)
			goto long_;
		l += n;
		if (*l == ':' && put(buf, len, &at, ":") < 0)
			goto long_;
		if (*l)
			l++;
	}
	if (put(buf, len, &at, ",upperdir=") < 0 ||
	    put_path(buf, len, &at, upper, strlen(upper), ",:\\") < 0 ||
	    put(buf, len, &at, ",workdir=") < 0 ||
	    put_path(buf, len, &at, work, strlen(work), ",:\\") < 0)
		goto long_;
	if (more && *more &&
	    (put(buf, len, &at, ",") < 0 || put(buf, len, &at, more) < 0))
		goto long_;
	if (extra && *extra &&
	    (put(buf, len, &at, ",") < 0 || put(buf, len, &at, extra) < 0))
		goto long_;
	return 0;
long_:
	errno = E2BIG;
	return -1;
}
