/* kmod_test.c - lib/kmod.c: name normalisation and load plans on a module
 * tree written to a temporary directory. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initbox.h"
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

static int collect(void *arg, enum kmod_what what, const char *name,
		   const char *path, const char *params)
{
	(void)arg;
	(void)path;
	snprintf(plan_out + strlen(plan_out), sizeof(plan_out) - strlen(plan_out),
		 "%s%s%s%s ", what == KMOD_BUILTIN ? "=" : "", name,
		 params ? ":" : "", params ? params : "");
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

static const char *plan(struct kmod_ctx *k, const char *name, const char *params)
{
	plan_out[0] = '\0';
	kmod_plan_reset(k);
	if (kmod_plan(k, name, params, collect, NULL) != 0)
		snprintf(plan_out, sizeof(plan_out), "error %d", errno);
	return plan_out;
}

static void norm(void)
{
	char out[64];

	kmod_norm("kernel/fs/a-b.ko.xz", out, sizeof(out));
	CHECK_STR(out, "a_b");
	kmod_norm("crc32c-intel", out, sizeof(out));
	CHECK_STR(out, "crc32c_intel");
	kmod_norm("x.ko", out, sizeof(out));
	CHECK_STR(out, "x");
}

static void plans(void)
{
	struct kmod_ctx k;

	CHECK(kmod_open(&k, base, "9.9") == 0);
	CHECK_STR(plan(&k, "c", "p=1"), "x a b_b c:p=1 ");
	CHECK_STR(plan(&k, "fs-cee", NULL), "x a b_b c ");
	CHECK_STR(plan(&k, "b_b", NULL), "a b_b ");
	CHECK_STR(plan(&k, "ext4", NULL), "=ext4 ");
	/* both patterns match: y (with its dependency x), and x once */
	CHECK_STR(plan(&k, "usb:v1234p0001d0002", NULL), "x y ");
	CHECK_STR(plan(&k, "nosuch", NULL), "error 2");
	kmod_close(&k);
	CHECK(kmod_open(&k, base, "0.0") == -1 && errno == ENOENT);
}

int main(void)
{
	char cmd[128];

	setup();
	RUN(norm);
	RUN(plans);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	if (system(cmd) != 0)
		return 1;
	T_EXIT();
}
