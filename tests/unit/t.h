/* t.h - the unit-test harness: one PASS/FAIL line per test, read by
 * tests/run. A test is a function; CHECK records the first failure with its
 * line and keeps the test's remaining checks from cascading. */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <string.h>

static int t_failed_total;
static const char *t_fail_msg;
static int t_fail_line;

#define CHECK(cond)                                                    \
	do {                                                           \
		if (!(cond) && !t_fail_msg) {                          \
			t_fail_msg = #cond;                            \
			t_fail_line = __LINE__;                        \
		}                                                      \
	} while (0)

#define CHECK_STR(a, b) CHECK(strcmp((a), (b)) == 0)

static inline void t_run(const char *name, void (*fn)(void))
{
	t_fail_msg = NULL;
	fn();
	if (t_fail_msg) {
		printf("FAIL: %s: line %d: %s\n", name, t_fail_line,
		       t_fail_msg);
		t_failed_total++;
	} else {
		printf("PASS: %s\n", name);
	}
	fflush(stdout);
}

#define RUN(fn) t_run(#fn, fn)
#define T_EXIT() return t_failed_total ? 1 : 0

#endif
