/* kmod_profile_test.c - lib/kmod/kmod_profile.c: a module profile's
 * entries read against a modules.dep held in memory. */
#include <errno.h>
#include <stdlib.h>

#include "kmod/kmod.h"
#include "t.h"

static struct kmod_ctx k;
static char out[1024];

/* each wanted name, '?' before an optional one, '-' before a glob that
 * matched nothing */
static int collect(void *arg, const struct kmod_want *w)
{
	size_t n = strlen(out);

	(void)arg;
	snprintf(out + n, sizeof(out) - n, "%s%s%s ", w->none ? "-" : "",
		 w->optional ? "?" : "", w->name);
	return 0;
}

static const char *each(const char *text, size_t *line)
{
	size_t dummy;
	int rc;

	out[0] = '\0';
	rc = kmod_profile_each(&k, text, collect, NULL, line ? line : &dummy);
	if (rc < 0)
		snprintf(out, sizeof(out), "error %d", errno);
	return out;
}

static void names_and_optional_names_come_in_the_files_order(void)
{
	CHECK_STR(each("loop\n?usb-storage\n  squashfs \t\n", NULL),
		  "loop ?usb-storage squashfs ");
}

static void comments_and_blank_lines_are_skipped(void)
{
	CHECK_STR(each("# the live filesystems\n\n   \n\t# more\nloop", NULL),
		  "loop ");
	CHECK_STR(each("", NULL), "");
}

static void a_glob_is_every_matching_module_in_modules_dep_order(void)
{
	/* pata-x.ko's name is pata_x: '-' and '_' alike */
	CHECK_STR(each("pata_*\n", NULL), "pata_b pata_x pata_a ");
	CHECK_STR(each("?ata_[pg]*\n", NULL), "?ata_piix ?ata_generic ");
	CHECK_STR(each("pata-?\n", NULL), "pata_b pata_x pata_a ");
}

static void a_glob_with_a_slash_matches_module_paths(void)
{
	CHECK_STR(each("kernel/drivers/ata/*\n", NULL),
		  "pata_b pata_x ata_piix ata_generic ");
	/* a path is matched as written: '-' is not '_' there */
	CHECK_STR(each("kernel/drivers/*/pata-x.ko\n", NULL), "pata_x ");
	CHECK_STR(each("?kernel/drivers/*/pata_x.ko\n", NULL),
		  "-?kernel/drivers/*/pata_x.ko ");
	/* a path without a pattern is a file, named as in modules.dep */
	CHECK_STR(each("kernel/fs/squashfs/squashfs.ko\n", NULL), "squashfs ");
}

static void a_glob_that_matches_nothing_is_said_once(void)
{
	CHECK_STR(each("nvme_*\n?sdhci*\nkernel/usb/*\n", NULL),
		  "-nvme_* -?sdhci* -kernel/usb/* ");
}

static void an_exclusion_holds_wherever_its_line_stands(void)
{
	CHECK_STR(each("pata_*\n!pata_x\n", NULL), "pata_b pata_a ");
	CHECK_STR(each("!pata-x\npata_*\n", NULL), "pata_b pata_a ");
	CHECK_STR(each("!pata_[ab]\npata_*\nata_piix\n", NULL),
		  "pata_x ata_piix ");
	CHECK_STR(each("loop\n!loop\n", NULL), "");
	CHECK_STR(
	    each("kernel/drivers/ata/*\n!kernel/drivers/ata/pata*\n", NULL),
	    "ata_piix ata_generic ");
	/* every match excluded is not "matches nothing" */
	CHECK_STR(each("pata_*\n!pata*\n", NULL), "");
}

static void a_line_that_is_no_entry_is_refused_with_its_number(void)
{
	size_t line = 99;
	char longword[600];

	CHECK_STR(each("loop\n# ok\nsd_mod sr_mod\n", &line), "error 22");
	CHECK(line == 3);
	CHECK_STR(each("loop\n?\n", &line), "error 22");
	CHECK(line == 2);
	CHECK_STR(each("!\n", &line), "error 22");
	CHECK(line == 1);
	memset(longword, 'a', sizeof(longword) - 1);
	longword[sizeof(longword) - 1] = '\0';
	CHECK_STR(each(longword, &line), "error 22");
	CHECK_STR(each("loop\n", &line), "loop ");
	CHECK(line == 0);
}

static void a_bad_line_anywhere_plans_nothing(void)
{
	size_t line;

	out[0] = '\0';
	CHECK(kmod_profile_each(&k, "loop\nsquashfs\nsd_mod sr_mod\n", collect,
				NULL, &line) == -1);
	CHECK(errno == EINVAL && line == 3);
	CHECK_STR(out, "");
}

static int stop_at_squashfs(void *arg, const struct kmod_want *w)
{
	(void)arg;
	return strcmp(w->name, "squashfs") ? 0 : 7;
}

static void a_non_zero_result_stops_the_walk(void)
{
	size_t line;

	CHECK(kmod_profile_each(&k, "loop\nsquashfs\nnone\n", stop_at_squashfs,
				NULL, &line) == 7);
}

int main(void)
{
	k.dep.p = (char *)"kernel/drivers/ata/pata_b.ko: "
			  "kernel/drivers/ata/libata.ko\n"
			  "kernel/drivers/ata/pata-x.ko:\n"
			  "kernel/drivers/ata/ata_piix.ko:\n"
			  "kernel/drivers/ata/ata_generic.ko:\n"
			  "kernel/drivers/block/loop.ko:\n"
			  "kernel/fs/squashfs/squashfs.ko:\n"
			  "extra/pata_a.ko.xz:\n";
	k.dep.len = strlen(k.dep.p);
	RUN(names_and_optional_names_come_in_the_files_order);
	RUN(comments_and_blank_lines_are_skipped);
	RUN(a_glob_is_every_matching_module_in_modules_dep_order);
	RUN(a_glob_with_a_slash_matches_module_paths);
	RUN(a_glob_that_matches_nothing_is_said_once);
	RUN(an_exclusion_holds_wherever_its_line_stands);
	RUN(a_line_that_is_no_entry_is_refused_with_its_number);
	RUN(a_bad_line_anywhere_plans_nothing);
	RUN(a_non_zero_result_stops_the_walk);
	T_EXIT();
}
