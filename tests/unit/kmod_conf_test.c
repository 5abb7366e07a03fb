/* kmod_conf_test.c - lib/kmod/kmod_conf.c: modprobe.d files merged and read as
 * kmod 30 reads them, the kernel command line, and what the configuration
 * does to a load plan (lib/kmod/kmod.c), on trees in a temporary directory. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "kmod/kmod.h"
#include "t.h"

static char base[64];
static char out[2048];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void setup(void)
{
	char d[512];

	snprintf(base, sizeof(base), "/tmp/kmod_conf_test.%d", (int)getpid());
	snprintf(d, sizeof(d),
		 "mkdir -p %s/etc %s/lib %s/lib/modules/9.9/k %s/lib/x.conf",
		 base, base, base, base);
	if (system(d) != 0)
		return;
	put("lib/modules/9.9/modules.dep",
	    "k/a.ko:\nk/b-b.ko: k/a.ko\nk/c.ko: k/b-b.ko k/a.ko\nk/p.ko:\n"
	    "k/q.ko:\nk/cd.ko:\n");
	put("lib/modules/9.9/modules.alias",
	    "alias fs-cee c\nalias pci:v1* q\n");
	put("lib/modules/9.9/modules.softdep", "softdep q pre: p\n");
	/* the same name in /etc wins; names sort across directories */
	put("etc/20-over.conf", "options a from=etc\n");
	put("lib/20-over.conf", "options a from=lib\n");
	put("lib/10-first.conf", "# a comment\n"
				 "  options   b-b  x=1 \\\n y=2\n"
				 "blacklist q\n"
				 "alias my-c* c\n"
				 "alias my-q q\n"
				 "softdep c foo pre: p post: cd\n"
				 "install cd echo cd $CMDLINE_OPTS\n"
				 "remove a echo bye\n"
				 "frobnicate a\n"
				 "options lonely\n"
				 "softdep none\n");
	put("lib/30-last.alias", "options c last=1\n");
	put("lib/.hidden.conf", "options a hidden=1\n");
	put("lib/notes.txt", "options a txt=1\n");
	put("cmdline", "BOOT_IMAGE=/vmlinuz-9.9 root=/dev/vda1 ro a.p=1 "
		       "b-b.q=\"two words\" modprobe.blacklist=p,cd-x "
		       "\"x.y=z\" x=1.2 c.flag -- init.arg=1\n");
}

static const char *conf(struct kmod_ctx *k, const char *cmdline)
{
	const char *paths[] = {NULL, NULL, NULL};
	char etc[128], lib[128], cl[160];

	snprintf(etc, sizeof(etc), "%s/etc", base);
	snprintf(lib, sizeof(lib), "%s/lib", base);
	snprintf(cl, sizeof(cl), "%s/%s", base, cmdline ? cmdline : "-");
	paths[0] = etc;
	paths[1] = lib;
	if (kmod_open(k, base, "9.9") < 0 ||
	    kmod_conf_read(k, paths, cmdline ? cl : NULL) < 0)
		return "error";
	return k->conf.p;
}

static void files_merge_by_name_and_read_in_name_order(void)
{
	struct kmod_ctx k;

	CHECK_STR(conf(&k, NULL), "options b_b  x=1  y=2\n"
				  "blacklist q\n"
				  "alias my_c* c\n"
				  "alias my_q q\n"
				  "softdep c pre: p post: cd\n"
				  "install cd echo cd $CMDLINE_OPTS\n"
				  "remove a echo bye\n"
				  "options a from=etc\n"
				  "options c last=1\n"
				  "softdep q pre: p\n");
	kmod_close(&k);
}

/* kmod 30's reading: a word quoted whole is requoted, words not a
 * module's are skipped, and those after "--" are read too */
static void the_kernel_command_line_comes_after_the_files(void)
{
	struct kmod_ctx k;
	const char *c = conf(&k, "cmdline");

	CHECK(strstr(c, "softdep q pre: p\n"
			"options a p=1\n"
			"options b_b q=\"two words\"\n"
			"blacklist p\n"
			"blacklist cd_x\n"
			"options x y=\"z\"\n"
			"options c flag\n"
			"options init arg=1\n") != NULL);
	CHECK(strstr(c, "options init arg=1\n")[19] == '\0');
	kmod_close(&k);
}

/* issue 19, findings 2 and 9: a newline inside a quoted value is data,
 * never a directive; a word whose part before the '.' cannot be a
 * module's name is not an option */
static void the_command_line_is_data(void)
{
	struct kmod_ctx k;
	const char *c;

	put("cmdline2", "x.y=\"\ninstall loop echo INJECTED #\" "
			"ivrs_acpihid[14:00.5]=AMD0020:00 loop.max_loop=4\n");
	c = conf(&k, "cmdline2");
	CHECK(strstr(c, "options x y=\" install loop echo INJECTED #\"\n"
			"options loop max_loop=4\n") != NULL);
	CHECK(strstr(c, "\ninstall loop") == NULL);
	CHECK(strstr(c, "ivrs") == NULL);
	kmod_close(&k);
}

static void lookups_match_names_and_patterns(void)
{
	struct kmod_ctx k;
	const char *at = NULL, *v;
	size_t n;
	char *s;

	conf(&k, "cmdline");
	v = kmod_conf_next(&k, "alias", "my_cee", true, &at, &n);
	CHECK(v && n == 1 && *v == 'c');
	CHECK(!kmod_conf_next(&k, "alias", "my_cee", true, &at, &n));
	at = NULL;
	CHECK(!kmod_conf_next(&k, "alias", "my_cee", false, &at, &n));
	s = kmod_conf_options(&k, "b_b", NULL, "z=3");
	CHECK(s && !strcmp(s, " x=1  y=2 q=\"two words\" z=3"));
	free(s);
	s = kmod_conf_options(&k, "q", NULL, NULL);
	CHECK(s && !strcmp(s, ""));
	free(s);
	/* a module reached through alias b_b gets b_b's options; the same
	 * name twice counts once */
	s = kmod_conf_options(&k, "q", "b_b", NULL);
	CHECK(s && !strcmp(s, " x=1  y=2 q=\"two words\""));
	free(s);
	s = kmod_conf_options(&k, "b_b", "b_b", NULL);
	CHECK(s && !strcmp(s, " x=1  y=2 q=\"two words\""));
	free(s);
	s = kmod_conf_cmd("a $CMDLINE_OPTS b $CMDLINE_OPTS", "x=1");
	CHECK(s && !strcmp(s, "a x=1 b x=1"));
	free(s);
	kmod_close(&k);
}

static int collect(void *arg, const struct kmod_step *s)
{
	(void)arg;
	snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s%s%s%s ",
		 s->what == KMOD_INSTALL ? "!" : s->what == KMOD_MISSING ? "?" : "",
		 s->top ? "*" : "", s->name,
		 *s->params ? ":" : "", s->params);
	return 0;
}

static const char *plan(struct kmod_ctx *k, const char *name)
{
	out[0] = '\0';
	kmod_plan_reset(k);
	if (kmod_plan(k, name, NULL, collect, NULL) != 0)
		snprintf(out, sizeof(out), "error %d", errno);
	return out;
}

static void a_plan_follows_the_configuration(void)
{
	struct kmod_ctx k;
	char *devs[] = {"pci:v1"};

	conf(&k, NULL);
	/* options for dependencies too; softdep pre: p and post: cd (an
	 * install command) around c */
	CHECK_STR(plan(&k, "c"), "a:from=etc b_b: x=1  y=2 p *c:last=1 !cd ");
	/* a configured alias first; blacklisted q only through an alias */
	CHECK_STR(plan(&k, "my-cx"),
		  "a:from=etc b_b: x=1  y=2 p *c:last=1 !cd ");
	CHECK_STR(plan(&k, "q"), "p *q ");
	CHECK_STR(plan(&k, "pci:v1"), "");
	CHECK_STR(plan(&k, "my_q"), "");
	k.bl_names = true;
	CHECK_STR(plan(&k, "q"), "");
	k.bl_off = true;
	CHECK_STR(plan(&k, "pci:v1"), "p *q ");
	k.bl_off = false;
	out[0] = '\0';
	CHECK(kmod_plan_aliases(&k, devs, 1, collect, NULL) == 0);
	CHECK_STR(out, "");
	kmod_close(&k);
	/* an install command of a module with softdeps is ignored (kmod) */
	put("lib/40-i.conf", "install c /bin/true\ninstall nomod echo x\n"
			     "alias pci:v1 p\n");
	conf(&k, NULL);
	CHECK_STR(plan(&k, "c"), "a:from=etc b_b: x=1  y=2 p *c:last=1 !cd ");
	CHECK_STR(plan(&k, "nomod"), "!*nomod ");
	/* a device a configured alias matches is that alias's alone */
	out[0] = '\0';
	kmod_plan_reset(&k);
	CHECK(kmod_plan_aliases(&k, devs, 1, collect, NULL) == 0);
	CHECK_STR(out, "*p ");
	kmod_close(&k);
	/* an alias of a module the tree lacks: a step of its own, and the
	 * alias's other modules after it (issue 19, finding 8) */
	put("lib/45-dead.conf", "alias mod-dead deaddood\nalias mod-dead p\n"
				"softdep p pre: mod-dead\n");
	conf(&k, NULL);
	CHECK_STR(plan(&k, "mod-dead"), "?*deaddood ?deaddood *p ");
	kmod_close(&k);
}

static int softs(void *arg, const struct kmod_step *s)
{
	(void)arg;
	snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s<%s> ",
		 s->name, s->soft ? s->soft : "(null)");
	return 0;
}

/* with -j, a post: module must wait for the module that wants it */
static void a_post_softdep_waits_for_its_module(void)
{
	struct kmod_ctx k;

	conf(&k, NULL);
	out[0] = '\0';
	kmod_plan_reset(&k);
	CHECK(kmod_plan(&k, "c", NULL, softs, NULL) == 0);
	CHECK_STR(out, "a<> b_b<> p<> c<p> cd<c> ");
	kmod_close(&k);
}

int main(void)
{
	char cmd[128];

	setup();
	RUN(files_merge_by_name_and_read_in_name_order);
	RUN(the_kernel_command_line_comes_after_the_files);
	RUN(the_command_line_is_data);
	RUN(lookups_match_names_and_patterns);
	RUN(a_post_softdep_waits_for_its_module);
	RUN(a_plan_follows_the_configuration);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	if (system(cmd) != 0)
		return 1;
	T_EXIT();
}
