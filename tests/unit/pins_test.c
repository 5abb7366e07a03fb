/* pins_test.c - lib/switch/pins.c: what a pinned file holds in memory. */
#include <sys/stat.h>

#include "switch/switch.h"
#include "t.h"

static void pinned_bytes_are_blocks_or_pages(void)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0644;
	st.st_size = 10;
	st.st_blocks = 8;
	CHECK(pins_file_bytes(&st) == 4096);
	st.st_blocks = 0; /* ramfs keeps no block count */
	st.st_size = 4097;
	CHECK(pins_file_bytes(&st) == 8192);
	st.st_mode = S_IFDIR | 0755;
	CHECK(pins_file_bytes(&st) == 0);
}

int main(void)
{
	RUN(pinned_bytes_are_blocks_or_pages);
	T_EXIT();
}
