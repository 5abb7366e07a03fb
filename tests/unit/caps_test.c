/* caps_test.c - lib/switch/caps.c: capability names and lists. */
#include "switch/switch.h"
#include "t.h"

static void caps_names_as_klibc_and_busybox_take_them(void)
{
	uint64_t mask;
	const char *bad;
	size_t n;

	CHECK(caps_from_name("CAP_SYS_MODULE") == 16);
	CHECK(caps_from_name("cap_sys_admin") == 21);
	CHECK(caps_from_name("Sys_Boot") == 22);
	CHECK(caps_from_name("cap_40") == 40);
	CHECK(caps_from_name("cap_64") < 0);
	CHECK(caps_from_name("16") < 0);
	CHECK(caps_from_name("cap_nope") < 0);
	CHECK_STR(caps_name(16), "cap_sys_module");
	CHECK(caps_parse_list("cap_sys_module,CAP_SYS_RAWIO", &mask, &bad,
			      &n) == 0);
	CHECK(mask == (1ULL << 16 | 1ULL << 17));
	CHECK(caps_parse_list("cap_chown,bogus,cap_kill", &mask, &bad, &n) <
	      0);
	CHECK(n == 5 && !strncmp(bad, "bogus", n));
	CHECK(caps_parse_list("cap_chown,", &mask, &bad, &n) < 0);
}

int main(void)
{
	RUN(caps_names_as_klibc_and_busybox_take_them);
	T_EXIT();
}
