/* kmod_test.c - lib/kmod/kmod.c: name normalisation and load plans on a module
 * tree written to a temporary directory. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmod/kmod.h"
#include "t.h"

static char base[64];
static char plan_out[1024];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/lib/modules/9.9/%s", base, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int collect(void *arg, const struct kmod_step *s)
{
	(void)arg;
	snprintf(plan_out + strlen(plan_out), sizeof(plan_out) - strlen(plan_out),
		 "%s%s%s%s ", s->what == KMOD_BUILTIN ? "=" : "", s->name,
		 s->params && *s->params ? ":" : "", s->params ? s->params : "");
	return 0;
}

static void setup(void)
{
	char d[128];

	snprintf(base, sizeof(base), "/tmp/kmod_test.%d", (int)getpid());
	snprintf(d, sizeof(d), "mkdir -p %s/lib/modules/9.9", base);
	if (system(d) != 0)
		return;
	put("modules.dep", "k/a.ko:\nk/b-b.ko: k/a.ko\nk/c.ko.zst: k/b-b.ko k/a.ko\n"
			   "k/x.ko:\nk/y.ko: k/x.ko\n");
	put("modules.alias", "alias fs-cee c\nalias usb:v1234p*d* y\nalias usb:v12[3-4]4p00* x\n");
	put("modules.builtin", "kernel/fs/ext4/ext4.ko\n");
	put("modules.softdep", "softdep c pre: x\n");
}

/* the tree of version V, configured by modules.softdep alone */
static int open_tree(struct kmod_ctx *k, const char *v)
{
	static const char *const none[] = {NULL};

	if (kmod_open(k, base, v) < 0)
		return -1;
	return kmod_conf_read(k, none, NULL);
}

static const char *plan(struct kmod_ctx *k, const char *name, const char *params)
{
	plan_out[0] = '\0';
	kmod_plan_reset(k);
	if (kmod_plan(k, name, params, collect, NULL) != 0)
		snprintf(plan_out, sizeof(plan_out), "error %d", errno);
	return plan_out;
}

static void names_lose_directory_suffix_and_dashes(void)
{
	char out[64];

	kmod_norm("kernel/fs/a-b.ko.xz", out, sizeof(out));
	CHECK_STR(out, "a_b");
	kmod_norm("crc32c-intel", out, sizeof(out));
	CHECK_STR(out, "crc32c_intel");
	kmod_norm("x.ko", out, sizeof(out));
	CHECK_STR(out, "x");
}

/* kmod's order: dependencies, softdep pre:, the module, softdep post: */
static void plans_dependencies_then_softdeps_then_the_module(void)
{
	struct kmod_ctx k;

	CHECK(open_tree(&k, "9.9") == 0);
	CHECK_STR(plan(&k, "c", "p=1"), "a b_b x c:p=1 ");
	CHECK_STR(plan(&k, "fs-cee", NULL), "a b_b x c ");
	CHECK_STR(plan(&k, "b_b", NULL), "a b_b ");
	CHECK_STR(plan(&k, "ext4", NULL), "=ext4 ");
	/* both patterns match: y (with its dependency x), and x once */
	CHECK_STR(plan(&k, "usb:v1234p0001d0002", NULL), "x y ");
	CHECK_STR(plan(&k, "nosuch", NULL), "error 2");
	kmod_close(&k);
	CHECK(kmod_open(&k, base, "0.0") == -1 && errno == ENOENT);
}

/* what a step says it needs: modules.dep's list and the softdep pre: */
static int needs(void *arg, const struct kmod_step *s)
{
	char *out = arg;

	if (s->what == KMOD_LOAD)
		snprintf(out + strlen(out), 256 - strlen(out), "%s<%.*s|%s> ",
			 s->name, (int)s->deps_len, s->deps, s->soft);
	return 0;
}

static void a_step_names_what_it_needs(void)
{
	struct kmod_ctx k;
	char out[256] = "";

	CHECK(open_tree(&k, "9.9") == 0);
	kmod_plan_reset(&k);
	CHECK(kmod_plan(&k, "c", NULL, needs, out) == 0);
	CHECK_STR(out, "a<|> b_b< k/a.ko|> x<|> c< k/b-b.ko k/a.ko|x> ");
	kmod_close(&k);
}

/* modules.dep's list as names, in the listed order */
static int hard(void *arg, const struct kmod_step *s)
{
	char *out = arg, *h;

	if (s->what != KMOD_LOAD)
		return 0;
	h = kmod_step_hard(s);
	snprintf(out + strlen(out), 256 - strlen(out), "%s<%s> ", s->name,
		 h ? h : "(null)");
	free(h);
	return 0;
}

static void step_dependencies_are_module_names(void)
{
	struct kmod_ctx k;
	char out[256] = "";

	CHECK(open_tree(&k, "9.9") == 0);
	kmod_plan_reset(&k);
	CHECK(kmod_plan(&k, "c", NULL, hard, out) == 0);
	CHECK_STR(out, "a<> b_b<a> x<> c<b_b a> ");
	kmod_close(&k);
}

static void device_aliases_resolve_in_one_pass_in_alias_order(void)
{
	/* unsorted, one duplicate, '-' where the pattern has '_', one with
	 * no driver; a class pattern and a prefix shared by two patterns */
	char *devs[] = {"usb:v1234p0001d0002", "pci:v1d2", "fs_cee",
			"usb:v1244p00ffd0001", "usb:v1234p0001d0002"};
	struct kmod_ctx k;

	CHECK(open_tree(&k, "9.9") == 0);
	plan_out[0] = '\0';
	kmod_plan_reset(&k);
	/* modules.alias's order: c (after a b_b, and softdep x), y, x */
	CHECK(kmod_plan_aliases(&k, devs, 5, collect, NULL) == 0);
	CHECK_STR(plan_out, "a b_b x c y ");
	plan_out[0] = '\0';
	kmod_plan_reset(&k);
	CHECK(kmod_plan_aliases(&k, devs + 1, 1, collect, NULL) == 0);
	CHECK_STR(plan_out, "");
	CHECK(kmod_plan_aliases(&k, devs, 0, collect, NULL) == 0);
	CHECK_STR(plan_out, "");
	CHECK(kmod_plan_aliases(&k, devs + 3, 1, collect, NULL) == 0);
	CHECK_STR(plan_out, "x ");
	kmod_close(&k);
}

static void modalias(const char *dir, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "mkdir -p %s/%s", base, dir);
	if (system(path) != 0)
		return;
	snprintf(path, sizeof(path), "%s/%s/modalias", base, dir);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void scan_returns_each_modalias_once_and_then_only_new_ones(void)
{
	struct kmod_strs seen = {0}, fresh = {0};
	struct err err;
	char sys[128];

	snprintf(sys, sizeof(sys), "%s/sys", base);
	modalias("sys/bus/pci/devices/p1", "pci:b\n");
	modalias("sys/bus/pci/devices/p2", "pci:a\n");
	modalias("sys/bus/pci/devices/p3", "pci:a\n");
	modalias("sys/bus/virtio/devices/v0", "");
	CHECK(kmod_scan(sys, &seen, &fresh, &err) == 2);
	CHECK(fresh.n == 2 && !strcmp(fresh.v[0], "pci:a") &&
	      !strcmp(fresh.v[1], "pci:b"));
	/* nothing new: the round loop ends */
	CHECK(kmod_scan(sys, &seen, &fresh, &err) == 0 && fresh.n == 0);
	modalias("sys/bus/virtio/devices/v1", "virtio:d2\n");
	CHECK(kmod_scan(sys, &seen, &fresh, &err) == 1);
	CHECK(fresh.n == 1 && !strcmp(fresh.v[0], "virtio:d2"));
	CHECK(seen.n == 3);
	kmod_strs_free(&seen);
	/* no bus/: the devices tree */
	modalias("sys2/devices/a/b", "x:1\n");
	modalias("sys2/devices/a", "x:2\n");
	snprintf(sys, sizeof(sys), "%s/sys2", base);
	CHECK(kmod_scan(sys, &seen, &fresh, &err) == 2);
	snprintf(sys, sizeof(sys), "%s/none", base);
	CHECK(kmod_scan(sys, &seen, &fresh, &err) == -1 && errno == ENOENT &&
	      !strcmp(err.what, "open devices"));
	kmod_strs_free(&seen);
	kmod_strs_free(&fresh);
}

/* An alias as long as a modalias can be, against modules.alias lines that
 * share its first 255 bytes: one with a NUL byte where the name goes on
 * (the prefix test once read past the name's buffer), one glob that does
 * match, and a name longer than any line of the index. */
static void a_long_alias_matches_only_within_its_buffer(void)
{
	char name[600], line[700], path[256];
	struct kmod_ctx k;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/lib/modules/9.8", base);
	CHECK(mkdir(path, 0755) == 0);
	memset(name, 'a', 300);
	name[300] = '\0';
	snprintf(path, sizeof(path), "%s/lib/modules/9.8/modules.alias", base);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	n = snprintf(line, sizeof(line), "alias %.255s", name);
	line[n++] = '\0';
	n += snprintf(line + n, sizeof(line) - (size_t)n,
		      "x nul\nalias %.280s* glob\n", name);
	CHECK(fwrite(line, 1, (size_t)n, f) == (size_t)n);
	CHECK(fclose(f) == 0);
	snprintf(path, sizeof(path), "%s/lib/modules/9.8/modules.dep", base);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs("k/nul.ko:\nk/glob.ko:\n", f);
	CHECK(fclose(f) == 0);

	CHECK(open_tree(&k, "9.8") == 0);
	CHECK_STR(plan(&k, name, NULL), "glob ");
	name[255] = 'b';
	CHECK_STR(plan(&k, name, NULL), "error 2");
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CHECK_STR(plan(&k, name, NULL), "error 36");
	kmod_close(&k);
}

static void a_proc_file_that_says_zero_bytes_is_read_to_its_end(void)
{
	struct kmod_buf b;

	/* /proc/self/maps says 0 bytes, and holds more than 16 */
	CHECK(kmod_read("/proc/self/maps", 1 << 20, &b) == 0);
	CHECK(b.len > 0 && strchr(b.p, '\n') != NULL);
	free(b.p);
	CHECK(kmod_read("/proc/self/maps", 16, &b) < 0 && errno == EFBIG);
}

int main(void)
{
	char cmd[128];

	setup();
	RUN(names_lose_directory_suffix_and_dashes);
	RUN(plans_dependencies_then_softdeps_then_the_module);
	RUN(a_step_names_what_it_needs);
	RUN(step_dependencies_are_module_names);
	RUN(device_aliases_resolve_in_one_pass_in_alias_order);
	RUN(scan_returns_each_modalias_once_and_then_only_new_ones);
	RUN(a_long_alias_matches_only_within_its_buffer);
	RUN(a_proc_file_that_says_zero_bytes_is_read_to_its_end);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	if (system(cmd) != 0)
		return 1;
	T_EXIT();
}
