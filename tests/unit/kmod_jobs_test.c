/* kmod_jobs_test.c - lib/kmod/kmod_jobs.c: the order modules load in, what a
 * failed load stops, device drivers first, softdep cycles, and loads in
 * child processes. The loads are stand-ins that record their order. */
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>

#include "kmod/kmod.h"
#include "t.h"

static char order[256], said[512];

static int fake_load(void *ctx, const struct kmod_job *j)
{
	const char *bad = ctx;

	snprintf(order + strlen(order), sizeof(order) - strlen(order), "%s ",
		 j->name);
	return bad && !strcmp(bad, j->name) ? 1 : 0;
}

static void fake_warn(void *ctx, const char *text)
{
	(void)ctx;
	snprintf(said + strlen(said), sizeof(said) - strlen(said), "%s|",
		 text);
}

static void init(struct kmod_jobs *m, unsigned jobs, const char *bad)
{
	memset(m, 0, sizeof(*m));
	m->jobs = jobs;
	m->load = fake_load;
	m->warn = fake_warn;
	m->ctx = (void *)bad;
	order[0] = said[0] = '\0';
}

/* NAME needing the modules.dep list DEPS and the softdeps SOFT; TOP when
 * asked for (not only a dependency) */
static void add(struct kmod_jobs *m, const char *name, const char *deps,
		const char *soft, bool top)
{
	char path[64];
	struct kmod_step s = {.what = KMOD_LOAD,
			      .name = name,
			      .path = path,
			      .deps = deps,
			      .deps_len = strlen(deps),
			      .soft = soft,
			      .top = top};

	snprintf(path, sizeof(path), "/k/%s.ko", name);
	CHECK(kmod_jobs_add(m, &s) != NULL);
}

static void dependencies_load_first_whatever_the_queue_order(void)
{
	struct kmod_jobs m;

	init(&m, 1, NULL);
	add(&m, "c", " k/b.ko k/a.ko", "", true);
	add(&m, "b", " k/a.ko", "", false);
	add(&m, "a", "", "", false);
	kmod_jobs_run(&m, false);
	CHECK_STR(order, "a b c ");
	CHECK(m.loaded == 3 && !m.failed);
	kmod_jobs_free(&m);
}

static void a_failed_dependency_stops_what_needs_it_and_says_so(void)
{
	struct kmod_jobs m;

	init(&m, 1, "a");
	add(&m, "a", "", "", false);
	add(&m, "b", " k/a.ko", "", true);
	add(&m, "x", "", "", true);
	kmod_jobs_run(&m, false);
	CHECK_STR(order, "a x ");
	CHECK_STR(said, "not loading b: a did not load|");
	CHECK(m.failed && m.loaded == 1);
	CHECK(m.q[1].st == KMOD_JOB_FAIL);
	kmod_jobs_free(&m);
}

static void device_drivers_load_before_named_modules(void)
{
	struct kmod_jobs m;

	init(&m, 1, NULL);
	add(&m, "named", "", "", true);
	m.cold = true;
	add(&m, "driver", " k/dep.ko", "", true);
	m.cold = false;
	add(&m, "dep", "", "", false);
	/* queued after the driver and not cold: promoted when it waits */
	CHECK(m.q[2].cold == false);
	kmod_jobs_run(&m, true);
	CHECK_STR(order, "dep driver ");
	kmod_jobs_run(&m, false);
	CHECK_STR(order, "dep driver named ");
	kmod_jobs_free(&m);
}

static void softdeps_waiting_on_each_other_are_ignored(void)
{
	struct kmod_jobs m;

	init(&m, 1, NULL);
	add(&m, "a", "", "b", true);
	add(&m, "b", "", "a", true);
	kmod_jobs_run(&m, false);
	CHECK_STR(order, "a b ");
	CHECK(!m.failed && !said[0]);
	kmod_jobs_free(&m);
}

static void a_missing_hard_dependency_loads_nothing_that_needs_it(void)
{
	struct kmod_jobs m;

	init(&m, 1, NULL);
	add(&m, "a", " k/b.ko", "", true);
	add(&m, "b", " k/a.ko", "", true); /* a broken index: a loop */
	kmod_jobs_run(&m, false);
	CHECK_STR(order, "");
	CHECK(m.failed);
	CHECK(strstr(said, "not loading a: what it needs (b) never came") !=
	      NULL);
	kmod_jobs_free(&m);
}

static void parallel_loads_report_through_exit_status(void)
{
	struct kmod_jobs m;

	init(&m, 4, "bad");
	add(&m, "p", "", "", true);
	add(&m, "q", "", "", true);
	add(&m, "bad", "", "", true);
	add(&m, "r", " k/p.ko", "", true);
	kmod_jobs_run(&m, false);
	/* children record nothing here: their exit status is the result */
	CHECK(m.loaded == 3 && m.failed);
	CHECK(m.q[0].st == KMOD_JOB_OK && m.q[2].st == KMOD_JOB_FAIL &&
	      m.q[3].st == KMOD_JOB_OK);
	CHECK(m.running == 0);
	kmod_jobs_free(&m);
}

/* ext4's plan on a CPU without SSE4.2 (issue 19, finding 11): softdep
 * "pre: crypto-crc32c" is crc32c_intel and crc32c_generic; the first
 * refuses the CPU. ext4 loads, and the run has not failed (the kernel's
 * request_module("fs-ext4") looks for ext4 again only on exit 0). */
static void a_failed_soft_dependency_fails_nothing(void)
{
	struct kmod_jobs m;

	init(&m, 1, "crc32c_intel");
	add(&m, "crc32c_intel", "", "", false);
	add(&m, "crc32c_generic", "", "", false);
	add(&m, "jbd2", "", "crypto_crc32c", false);
	add(&m, "ext4", " k/jbd2.ko", "crypto_crc32c", true);
	kmod_jobs_run(&m, false);
	CHECK_STR(order, "crc32c_intel crc32c_generic jbd2 ext4 ");
	CHECK(!m.failed && m.loaded == 3 && !said[0]);
	CHECK(m.q[0].optional && m.q[1].optional);
	/* in ext4's modules.dep list: needed, not optional */
	CHECK(!m.q[2].optional && !m.q[3].optional);
	kmod_jobs_free(&m);
}

static void the_module_asked_for_failing_fails_the_run(void)
{
	struct kmod_jobs m;

	init(&m, 1, "crc32c_intel");
	add(&m, "crc32c_intel", "", "", true);
	add(&m, "crc32c_generic", "", "", true);
	kmod_jobs_run(&m, false);
	CHECK(m.failed && m.loaded == 1);
	CHECK(!m.q[0].optional);
	kmod_jobs_free(&m);
}

static void a_soft_dependency_whose_own_dependency_fails_is_skipped_quietly(void)
{
	struct kmod_jobs m;

	init(&m, 2, "d");
	add(&m, "d", "", "", false);
	add(&m, "s", " k/d.ko", "", false);
	add(&m, "t", "", "s", true);
	kmod_jobs_run(&m, false);
	CHECK(!m.failed && !said[0]);
	CHECK(m.q[1].st == KMOD_JOB_FAIL && m.q[2].st == KMOD_JOB_OK);
	kmod_jobs_free(&m);
}

int main(void)
{
	RUN(dependencies_load_first_whatever_the_queue_order);
	RUN(a_failed_dependency_stops_what_needs_it_and_says_so);
	RUN(device_drivers_load_before_named_modules);
	RUN(softdeps_waiting_on_each_other_are_ignored);
	RUN(a_missing_hard_dependency_loads_nothing_that_needs_it);
	RUN(parallel_loads_report_through_exit_status);
	RUN(a_failed_soft_dependency_fails_nothing);
	RUN(the_module_asked_for_failing_fails_the_run);
	RUN(a_soft_dependency_whose_own_dependency_fails_is_skipped_quietly);
	T_EXIT();
}
