/* cmdline_test.c - lib/base/cmdline.c: the kernel's splitting rules (next_arg()
 * in kernel/params.c), and kmod's reading of a word as a module option. */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "t.h"

/* LINE's words as "param|value|q" (value "-" when there is none, q when
 * quotes were removed), joined with ';' */
static const char *split(const char *line)
{
	static char buf[CMDLINE_MAX], out[CMDLINE_MAX];
	struct cmdline_word w;
	char *s = buf;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	out[0] = '\0';
	while (cmdline_next(&s, &w))
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s|%s|%s",
				      n ? ";" : "", w.param,
				      w.val ? w.val : "-", w.quoted ? "q" : "");
	return out;
}

static void blanks_end_words_outside_quotes(void)
{
	CHECK_STR(split(""), "");
	CHECK_STR(split(" \t\n"), "");
	CHECK_STR(split("ro  quiet\tinit=/sbin/init\n"),
		  "ro|-|;quiet|-|;init|/sbin/init|");
	/* the kernel's isspace() holds Latin-1's no-break space */
	CHECK_STR(split("a\xa0" "b"), "a|-|;b|-|");
	CHECK_STR(split("a -- b=1"), "a|-|;--|-|;b|1|");
}

static void quotes_around_a_value_or_a_whole_word_go(void)
{
	CHECK_STR(split("foo=\"bar baz\" x"), "foo|bar baz|q;x|-|");
	CHECK_STR(split("\"foo=bar baz\" x"), "foo|bar baz|q;x|-|");
	CHECK_STR(split("\"foo bar\""), "foo bar|-|q");
	CHECK_STR(split("foo=\"\""), "foo||q");
}

static void other_quotes_stay_and_there_are_no_escapes(void)
{
	CHECK_STR(split("foo=bar\"baz qux\" y"), "foo|bar\"baz qux\"|;y|-|");
	CHECK_STR(split("a=\\\"b c"), "a|\\\"b c|"); /* the quote opens */
	/* an open quote runs to the end of the line */
	CHECK_STR(split("a=\"b c"), "a|b c|q");
}

static void the_first_equals_splits_unless_it_opens_the_word(void)
{
	CHECK_STR(split("a=b=c"), "a|b=c|");
	CHECK_STR(split("=x"), "=x|-|");
	CHECK_STR(split("a="), "a||");
}

static void root_label_with_a_blank_is_one_word(void)
{
	CHECK_STR(split("root=LABEL=\"My Disk\" ro"),
		  "root|LABEL=\"My Disk\"|;ro|-|");
	CHECK_STR(split("live.media=\"LABEL=My Disk\" ro"),
		  "live.media|LABEL=My Disk|q;ro|-|");
}

/* issue 19, finding 2 (shared/findings/cmdline-newline.txt) */
static void a_newline_inside_quotes_stays_in_the_value(void)
{
	CHECK_STR(split("x.y=\"\ninstall loop echo INJECTED #\"\n"),
		  "x.y|\ninstall loop echo INJECTED #|q");
}

static size_t module(const char *word)
{
	static char buf[256];
	struct cmdline_word w;
	char *s = buf;

	snprintf(buf, sizeof(buf), "%s", word);
	return cmdline_next(&s, &w) ? cmdline_module(&w) : 99;
}

static void a_module_option_names_a_module(void)
{
	CHECK(module("loop.max_loop=4") == 4);
	CHECK(module("b-b.q=\"two words\"") == 3);
	CHECK(module("c.flag") == 1);
	CHECK(module("\"x.y=z\"") == 1);
	CHECK(module("ivrs_acpihid[14:00.5]=AMD0020:00") == 0);
	CHECK(module("x.y.z=1") == 0);
	CHECK(module(".p=1") == 0);
	CHECK(module("m.=1") == 0);
	CHECK(module("m.p\"q\"=1") == 0);
	CHECK(module("foo=\"a b.c=d\"") == 0);
	CHECK(module("root=/dev/vda") == 0);
}

int main(void)
{
	RUN(blanks_end_words_outside_quotes);
	RUN(quotes_around_a_value_or_a_whole_word_go);
	RUN(other_quotes_stay_and_there_are_no_escapes);
	RUN(the_first_equals_splits_unless_it_opens_the_word);
	RUN(root_label_with_a_blank_is_one_word);
	RUN(a_newline_inside_quotes_stays_in_the_value);
	RUN(a_module_option_names_a_module);
	T_EXIT();
}
