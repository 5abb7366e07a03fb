/* num_glob.c - the number parsers (num.c) and the glob matcher (match.c).
 * The input is "PATTERN\nSTRING"; every parser reads both halves. A
 * pattern without metacharacters matches exactly itself. */
#include "base/base.h"
#include "fuzz.h"

static void numbers(const char *s)
{
	char buf[32] = "";
	uint64_t v;

	if (num_u64(s, UINT64_MAX, &v) == 0)
		num_human(v, buf, sizeof(buf));
	if (num_u64(s, 4096, &v) == 0 && v > 4096)
		abort();
	if (num_size(s, &v) == 0)
		num_human(v, buf, sizeof(buf));
	if (num_scan_hex(s, &v))
		num_human(v, buf, sizeof(buf));
	(void)num_scan_dec(s, &v);
	if (!memchr(buf, '\0', sizeof(buf)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pat = fz_str(data, size), *str = strchr(pat, '\n');

	if (str)
		*str++ = '\0';
	else
		str = pat + strlen(pat);
	numbers(pat);
	numbers(str);
	if (!strpbrk(pat, "*?[\\") && match_glob(pat, str) != !strcmp(pat, str))
		abort();
	(void)match_glob(str, pat);
	free(pat);
	return 0;
}
