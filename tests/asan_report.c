/* asan_report.c - linked into the sanitizer build only (make check-asan).
 *
 * gcc links ASan and UBSan as two runtimes, each with its own copy of the
 * report file: ASAN_OPTIONS=log_path reaches ASan's, while UBSan, running
 * as ASan's plugin, ignores UBSAN_OPTIONS=log_path and writes to stderr,
 * where a test that expects an applet to fail never looks. This sets
 * UBSan's own report path from INITBOX_UBSAN_LOG before main.
 */
#include <dlfcn.h>
#include <stdlib.h>

__attribute__((constructor)) static void ubsan_report_path(void)
{
	const char *path = getenv("INITBOX_UBSAN_LOG");
	void (*set)(const char *);
	void *h;

	if (!path)
		return;
	h = dlopen("libubsan.so.1", RTLD_NOW | RTLD_NOLOAD);
	if (!h)
		return;
	set = (void (*)(const char *))dlsym(h, "__sanitizer_set_report_path");
	if (set)
		set(path);
}
