/* initrd_test.c - lib/initrd/initrd.c: real-root-dev's number format, reading
 * it back, and the root= forms that need no device */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "initrd/initrd.h"
#include "t.h"

static char path[] = "/tmp/initrd_test.XXXXXX";

/* Write TEXT to the test file and read it back as real-root-dev. */
static int rrd(const char *text, uint32_t *v)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -2;
	(void)close(fd);
	return initrd_rrd_get(path, v);
}

static void encode_is_the_kernels_new_encode_dev(void)
{
	CHECK(dev_encode(makedev(1, 0)) == INITRD_ROOT_RAM0);
	CHECK(dev_encode(makedev(3, 1)) == 0x301);
	CHECK(dev_encode(makedev(259, 0x12345)) == 0x12310345);
	CHECK(dev_decode(0x12310345) == makedev(259, 0x12345));
	CHECK(dev_decode(0xfe01) == makedev(254, 1));
}

static void rrd_reads_like_proc_dointvec(void)
{
	uint32_t v = 7;

	CHECK(rrd("256\n", &v) == 0 && v == 256);
	CHECK(rrd("  0x301 \n", &v) == 0 && v == 0x301);
	CHECK(rrd("0400", &v) == 0 && v == 0400);
	CHECK(rrd("4294967295", &v) == 0 && v == 0xffffffffu);
}

static void rrd_refuses_empty_signed_junk_and_too_big(void)
{
	uint32_t v = 7;

	errno = 0;
	CHECK(rrd("\n", &v) == -1 && errno == EINVAL);
	CHECK(rrd("", &v) == -1);
	CHECK(rrd("-1", &v) == -1);
	CHECK(rrd("0x301x", &v) == -1);
	CHECK(rrd("4294967296", &v) == -1);
	CHECK(v == 7);
}

static void root_forms_the_kernel_reads_without_a_device(void)
{
	dev_t d = 0;

	CHECK(initrd_root_lookup("8:1", &d) == 0 && d == makedev(8, 1));
	CHECK(initrd_root_lookup("0301", &d) == 0 && d == makedev(3, 1));
	CHECK(initrd_root_lookup("0x100", &d) == 0 && d == makedev(1, 0));
	errno = 0;
	CHECK(initrd_root_lookup("8:x", &d) < 0 && errno == EINVAL);
	CHECK(initrd_root_lookup("5000:1", &d) < 0 && errno == EINVAL);
	CHECK(initrd_root_lookup("sda1", &d) < 0 && errno == EINVAL);
}

int main(void)
{
	int fd = mkstemp(path);

	if (fd < 0) {
		printf("FAIL: initrd_test: mkstemp\n");
		return 1;
	}
	(void)close(fd);
	RUN(encode_is_the_kernels_new_encode_dev);
	RUN(rrd_reads_like_proc_dointvec);
	RUN(rrd_refuses_empty_signed_junk_and_too_big);
	RUN(root_forms_the_kernel_reads_without_a_device);
	(void)unlink(path);
	T_EXIT();
}
