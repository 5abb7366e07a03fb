/* num.c - number parsing with range checks, and human-readable sizes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base.h"

/* Scanners for fixed-format kernel text (/proc/PID/maps and the like),
 * cheaper than sscanf in a static binary: each reads one number at s and
 * returns the first character after it, or NULL when there is no digit or
 * the value overflows. */
static const char *scan(const char *s, unsigned base, uint64_t *out)
{
	const char *b = s;
	uint64_t v = 0;
	unsigned d;

	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return NULL;
		v = v * base + d;
	}
	if (s == b)
		return NULL;
	*out = v;
	return s;
}

/* Decimal, or hex with 0x; no sign, no blanks, no trailing junk. */
int num_u64(const char *s, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v = 0;
	unsigned base = 10;

	if (!s || !*s)
		goto inval;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
		base = 16;
		s += 2;
	}
	end = scan(s, base, &v);
	if (!end && *s >= '0' && *s <= '9')
		goto range; /* digits, but too many */
	if (!end || *end)
		goto inval;
	if (v > max)
		goto range;
	*out = v;
	return 0;
inval:
	errno = EINVAL;
	return -1;
range:
	errno = ERANGE;
	return -1;
}

int num_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	char digits[32];
	const char *u, *p;
	size_t n = strspn(s, "0123456789");
	uint64_t v, mul = 1, step = 1024;
	int i, exp;

	if (n == 0 || n >= sizeof(digits)) {
		errno = n ? ERANGE : EINVAL;
		return -1;
	}
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return num_u64(s, UINT64_MAX, out);
	if (num_u64(digits, UINT64_MAX, &v) < 0)
		return -1;
	u = s + n;
	if (*u) {
		p = strchr(units, *u >= 'a' ? *u - 32 : *u);
		if (!p || !*p) {
			errno = EINVAL;
			return -1;
		}
		exp = (int)(p - units) + 1;
		if (!strcmp(u + 1, "B"))
			step = 1000;
		else if (u[1] && strcmp(u + 1, "iB")) {
			errno = EINVAL;
			return -1;
		}
		for (i = 0; i < exp; i++)
			mul *= step;
		if (v > UINT64_MAX / mul) {
			errno = ERANGE;
			return -1;
		}
	}
	*out = v * mul;
	return 0;
}

char *num_human(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	int i = -1;

	if (b < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)b);
		return buf;
	}
	while (v >= 1024 && i < 3) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s", v, unit[i]);
	return buf;
}

const char *num_scan_hex(const char *s, uint64_t *out)
{
	return scan(s, 16, out);
}

const char *num_scan_dec(const char *s, uint64_t *out)
{
	return scan(s, 10, out);
}

/* One id of an owner: a number, or root (an initramfs has no passwd). */
static int owner_id(const char *s, size_t n, uint32_t *out)
{
	char b[16];
	uint64_t v;

	if (n >= sizeof(b))
		return -1;
	memcpy(b, s, n);
	b[n] = '\0';
	if (!strcmp(b, "root")) {
		*out = 0;
		return 0;
	}
	if (num_u64(b, UINT32_MAX, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int num_owner(const char *s, uint32_t *uid, uint32_t *gid)
{
	size_t n = strcspn(s, ":.");

	if (!s[n] || owner_id(s, n, uid) < 0 ||
	    owner_id(s + n + 1, strlen(s + n + 1), gid) < 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
