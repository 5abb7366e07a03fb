/* match_test.c - lib/base/match.c against the C library's fnmatch, and the
 * number scanners of lib/base/num.c */
#include <fnmatch.h>

#include "base/base.h"
#include "t.h"

static const char *const pats[] = {
	"", "*", "?", "a", "a*", "*a", "*a*", "a?c", "[abc]", "[!abc]",
	"[^abc]", "[a-c]x", "[]]", "[]a]*", "[!]]", "a[", "a[b", "[",
	"**a", "*?*", "a*b*c", "*ab*ab", "fs-squashfs", "fs-*",
	"pci:v00008086d00007010sv*sd*bc*sc*i*",
	"pci:v*d*sv*sd*bc01sc06i01*", "virtio:d00000002v*",
	"acpi*:PNP0[Aa]0[0-9]:*", "usb:v*p*d*dc*dsc*dp*ic08isc06ip50in*",
};

static const char *const strs[] = {
	"", "a", "b", "abc", "axc", "ax", "xa", "cx", "]", "]a", "a[", "a[b",
	"[", "aab", "abab", "aXbYc", "acb", "fs-squashfs", "fs-overlay",
	"pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80",
	"pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc06i01",
	"virtio:d00000002v00001AF4", "acpi:PNP0A03:", "acpi*:PNP0a0B:",
	"usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip50in00",
};

static void agrees_with_fnmatch_on_alias_patterns(void)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(pats); i++)
		for (j = 0; j < ARRAY_SIZE(strs); j++) {
			bool want = fnmatch(pats[i], strs[j], 0) == 0;

			if (match_glob(pats[i], strs[j]) != want) {
				printf("# pattern '%s' string '%s': want %d\n",
				       pats[i], strs[j], want);
				CHECK(!"match_glob differs from fnmatch");
			}
		}
}

static void backtracks_without_blowing_up(void)
{
	char s[201];

	memset(s, 'a', 200);
	s[200] = '\0';
	CHECK(!match_glob("*a*a*a*a*a*a*a*a*a*b", s));
	CHECK(match_glob("*a*a*a*a*a*a*a*a*a*a", s));
}

static void scans_numbers_in_kernel_text(void)
{
	uint64_t v;
	const char *l = "7f01a000-7f01b000 r-xp 08:02 12345";

	l = num_scan_hex(l, &v);
	CHECK(l && *l == '-' && v == 0x7f01a000);
	CHECK(num_scan_hex("x", &v) == NULL);
	CHECK(num_scan_hex("fffffffffffffffff", &v) == NULL);
	l = num_scan_dec("12345 /x", &v);
	CHECK(l && *l == ' ' && v == 12345);
	CHECK(num_scan_dec("ab", &v) == NULL);
}

int main(void)
{
	RUN(agrees_with_fnmatch_on_alias_patterns);
	RUN(backtracks_without_blowing_up);
	RUN(scans_numbers_in_kernel_text);
	T_EXIT();
}
