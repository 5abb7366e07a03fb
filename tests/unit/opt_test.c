/* opt_test.c - lib/base/opt.c and lib/base/num.c */
#include <errno.h>

#include "base/base.h"
#include "t.h"

static const struct opt_long longs[] = {
	{ "show", OPT_NONE, 'S' },
	{ "sizelimit", OPT_ARG, 'L' },
	{ 0 }
};

static void bundles_short_options_and_takes_attached_arguments(void)
{
	char *argv[] = { "x", "-fr", "-o12", "-c", "con", "file", NULL };
	struct opt o;

	opt_init(&o);
	CHECK(opt_next(&o, 6, argv, "frco:c:", longs) == 'f');
	CHECK(opt_next(&o, 6, argv, "frco:c:", longs) == 'r');
	CHECK(opt_next(&o, 6, argv, "frc:o:", longs) == 'o');
	CHECK_STR(o.arg, "12");
	CHECK(opt_next(&o, 6, argv, "frc:o:", longs) == 'c');
	CHECK_STR(o.arg, "con");
	CHECK(opt_next(&o, 6, argv, "frc:o:", longs) == -1);
	CHECK(o.ind == 5);
}

static void stops_at_the_first_operand_so_init_keeps_its_options(void)
{
	char *argv[] = { "switch_root", "-v", "/new", "/sbin/init", "-s", 0 };
	struct opt o;

	opt_init(&o);
	CHECK(opt_next(&o, 5, argv, "vnc:", NULL) == 'v');
	CHECK(opt_next(&o, 5, argv, "vnc:", NULL) == -1);
	CHECK(o.ind == 2);
}

static void double_dash_ends_options(void)
{
	char *argv[] = { "x", "--", "-v", NULL };
	struct opt o;

	opt_init(&o);
	CHECK(opt_next(&o, 3, argv, "v", NULL) == -1);
	CHECK(o.ind == 2);
}

static void long_options_with_and_without_equals(void)
{
	char *argv[] = { "x", "--show", "--sizelimit=4k", "--sizelimit",
			 "9", "--nope", "--show=1", NULL };
	struct opt o;

	opt_init(&o);
	CHECK(opt_next(&o, 7, argv, "", longs) == 'S');
	CHECK(opt_next(&o, 7, argv, "", longs) == 'L');
	CHECK_STR(o.arg, "4k");
	CHECK(opt_next(&o, 7, argv, "", longs) == 'L');
	CHECK_STR(o.arg, "9");
	CHECK(opt_next(&o, 7, argv, "", longs) == '?');
	CHECK_STR(o.err.what, "--nope");
	CHECK(opt_next(&o, 7, argv, "", longs) == '?');
	CHECK_STR(o.err.what, "--show");
}

static void reports_unknown_and_missing_arguments(void)
{
	char *argv[] = { "x", "-z", "-o", NULL };
	struct opt o;

	opt_init(&o);
	CHECK(opt_next(&o, 3, argv, "o:", NULL) == '?');
	CHECK_STR(o.err.what, "-z");
	CHECK(opt_next(&o, 3, argv, "o:", NULL) == ':');
	CHECK_STR(o.err.what, "-o");
	CHECK(opt_next(&o, 3, argv, "o:", NULL) == -1);
}

static void parses_numbers_with_range_checks(void)
{
	uint64_t v;

	CHECK(num_u64("4096", 10000, &v) == 0 && v == 4096);
	CHECK(num_u64("0x10", 100, &v) == 0 && v == 16);
	CHECK(num_u64("101", 100, &v) < 0 && errno == ERANGE);
	CHECK(num_u64("12a", 1000, &v) < 0 && errno == EINVAL);
	CHECK(num_u64("", 1000, &v) < 0 && errno == EINVAL);
	CHECK(num_u64("-1", 1000, &v) < 0);
	CHECK(num_u64("18446744073709551616", UINT64_MAX, &v) < 0 &&
	      errno == ERANGE);
}

static void parses_sizes_like_util_linux(void)
{
	uint64_t v;

	CHECK(num_size("512", &v) == 0 && v == 512);
	CHECK(num_size("4K", &v) == 0 && v == 4096);
	CHECK(num_size("4KiB", &v) == 0 && v == 4096);
	CHECK(num_size("4KB", &v) == 0 && v == 4000);
	CHECK(num_size("64m", &v) == 0 && v == 64ull << 20);
	CHECK(num_size("1G", &v) == 0 && v == 1ull << 30);
	CHECK(num_size("1X", &v) < 0);
	CHECK(num_size("M", &v) < 0);
	CHECK(num_size("1Mx", &v) < 0);
	CHECK(num_size("99999999999E", &v) < 0 && errno == ERANGE);
}

static void prints_human_sizes(void)
{
	char b[32];

	CHECK_STR(num_human(0, b, sizeof(b)), "0 B");
	CHECK_STR(num_human(1023, b, sizeof(b)), "1023 B");
	CHECK_STR(num_human(1536, b, sizeof(b)), "1.5 KiB");
	CHECK_STR(num_human(41ull * 1024 * 1024 + 210000, b, sizeof(b)),
		  "41.2 MiB");
}

static void mixed_options_may_follow_operands(void)
{
	char *argv[] = {"mount", "/dev/x", "-t", "ext4", "/mnt", "--bind",
			"--", "-odd", NULL};
	static const struct opt_long l[] = {{"bind", OPT_NONE, 'B'}, {0}};
	struct opt o;

	opt_init(&o);
	o.mixed = true;
	CHECK(opt_next(&o, 8, argv, "t:", l) == OPT_OPERAND);
	CHECK_STR(o.arg, "/dev/x");
	CHECK(opt_next(&o, 8, argv, "t:", l) == 't');
	CHECK_STR(o.arg, "ext4");
	CHECK(opt_next(&o, 8, argv, "t:", l) == OPT_OPERAND);
	CHECK_STR(o.arg, "/mnt");
	CHECK(opt_next(&o, 8, argv, "t:", l) == 'B');
	/* after "--" even "-odd" is an operand */
	CHECK(opt_next(&o, 8, argv, "t:", l) == OPT_OPERAND);
	CHECK_STR(o.arg, "-odd");
	CHECK(opt_next(&o, 8, argv, "t:", l) == -1);
}

static void optional_long_values_need_equals(void)
{
	char *argv[] = {"losetup", "--dio", "--dio=off", "file", NULL};
	static const struct opt_long l[] = {{"dio", OPT_OPTIONAL, 'D'},
					    {0}};
	struct opt o;

	opt_init(&o);
	CHECK(opt_next(&o, 4, argv, "", l) == 'D');
	CHECK(o.arg == NULL);
	CHECK(opt_next(&o, 4, argv, "", l) == 'D');
	CHECK_STR(o.arg, "off");
	/* not mixed: the operand ends the options, and is not taken as
	 * --dio's value */
	CHECK(opt_next(&o, 4, argv, "", l) == -1);
	CHECK(o.ind == 3);
}

int main(void)
{
	RUN(bundles_short_options_and_takes_attached_arguments);
	RUN(stops_at_the_first_operand_so_init_keeps_its_options);
	RUN(double_dash_ends_options);
	RUN(long_options_with_and_without_equals);
	RUN(reports_unknown_and_missing_arguments);
	RUN(mixed_options_may_follow_operands);
	RUN(optional_long_values_need_equals);
	RUN(parses_numbers_with_range_checks);
	RUN(parses_sizes_like_util_linux);
	RUN(prints_human_sizes);
	T_EXIT();
}
