/* kmod_load.c - loading a module file (see kmod.h): finit_module, with
 * the kernel decompressing where it can, else decompressed here for
 * init_module; and whether a module is loaded already.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "archive/archive.h"
#include "kmod.h"

enum {
	MAX_FILE = 64 << 20,
	MAX_MODULE = 256 << 20,
};

bool kmod_loaded(const char *name)
{
	char path[128], buf[32];
	struct kmod_buf b;
	size_t n = strlen(name);
	const char *s;
	bool yes = false;

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	if (fd_read_small(path, buf, sizeof(buf)) >= 0)
		return !strncmp(buf, "live", 4) || !strncmp(buf, "coming", 6);
	if (kmod_read("/proc/modules", MAX_FILE, &b) < 0)
		return false;
	for (s = b.p; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
		if (!strncmp(s, name, n) && s[n] == ' ') {
			yes = true;
			break;
		}
	free(b.p);
	return yes;
}

int kmod_refcnt(const char *name)
{
	char path[128], buf[32];
	uint64_t v;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", name);
	if (fd_read_small(path, buf, sizeof(buf)) <= 0)
		return -1; /* not loaded, or built in: no refcnt */
	buf[strcspn(buf, "\n")] = '\0';
	return num_u64(buf, INT32_MAX, &v) < 0 ? -1 : (int)v;
}

int kmod_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) < 0 ? -1 : 0;
}

/* the whole file, decompressed when it is gzip, xz or zstd */
static int load_image(int fd, enum codec_id id, uint8_t **out, size_t *outlen,
		      const char **step)
{
	struct codec_dec d;
	struct kmod_buf in;
	const uint8_t *ip;
	size_t il, cap = 0, len = 0, room;
	uint8_t *o = NULL, *t;
	char path[64];
	int rc, err;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	*step = "read";
	if (kmod_read(path, MAX_MODULE, &in) < 0)
		return -1;
	if (id == CODEC_NONE) {
		*out = (uint8_t *)in.p;
		*outlen = in.len;
		return 0;
	}
	*step = "decompress";
	if (codec_dec_init(&d, id) < 0) {
		free(in.p);
		return -1;
	}
	ip = (const uint8_t *)in.p;
	il = in.len;
	err = EBADMSG; /* corrupt or truncated unless said otherwise */
	do {
		if (cap - len < 65536 && cap < MAX_MODULE) {
			size_t want = cap ? cap * 2 : in.len * 4 + 65536;

			/* Grow up to the cap, not past it: a module between
			 * half the cap and the cap still fits. */
			if (want > MAX_MODULE)
				want = MAX_MODULE;
			t = realloc(o, want);
			if (!t) {
				err = ENOMEM;
				rc = -1;
				break;
			}
			o = t;
			cap = want;
		}
		if (cap == len) {
			err = EFBIG;
			rc = -1;
			break;
		}
		room = cap - len;
		rc = codec_dec_run(&d, &ip, &il, o + len, &room);
		if (rc < 0) {
			/* The codec's own phrase says more than "corrupt":
			 * e.g. an xz CRC64 check, which the kernel's own
			 * module decompressor refuses too. */
			err = errno;
			if (d.err)
				*step = d.err;
		}
		len += room;
		if (rc == 0 && !il && !room) {
			rc = -1; /* truncated stream: no input, no progress */
			break;
		}
	} while (rc == 0);
	codec_dec_end(&d);
	free(in.p);
	if (rc < 0) {
		errno = err;
		free(o);
		return -1;
	}
	*out = o;
	*outlen = len;
	return 0;
}

/* the codec named in /sys/module/compression (kernel >= 5.17 with
 * CONFIG_MODULE_DECOMPRESS), CODEC_NONE when absent */
static enum codec_id kernel_codec(void)
{
	char buf[16];

	if (fd_read_small("/sys/module/compression", buf, sizeof(buf)) <= 0)
		return CODEC_NONE;
	buf[strcspn(buf, "\n")] = '\0';
	return codec_by_name(buf);
}

int kmod_load(const char *path, const char *params, struct err *err)
{
	uint8_t head[8], *img = NULL;
	enum codec_id id = CODEC_NONE;
	const char *step = "read";
	size_t len;
	ssize_t n;
	long rc;
	int fd, e;

	if (!params)
		params = "";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errno, "open");
	n = pread(fd, head, sizeof(head), 0);
	if (n < 0)
		goto fail;
	if (n >= 2)
		id = codec_detect(head, (size_t)n);
	if (id != CODEC_NONE && id != CODEC_GZIP && id != CODEC_XZ &&
	    id != CODEC_ZSTD)
		id = CODEC_NONE; /* an ELF file is never "compressed" */
	step = "finit_module";
	if (id == CODEC_NONE)
		rc = syscall(SYS_finit_module, fd, params, 0);
	else if (kernel_codec() == id)
		rc = syscall(SYS_finit_module, fd, params,
			     MODULE_INIT_COMPRESSED_FILE);
	else {
		rc = -1;
		errno = ENOSYS; /* decompress here */
	}
	if (rc < 0 &&
	    (errno == ENOSYS ||
	     (id != CODEC_NONE && (errno == EINVAL || errno == EOPNOTSUPP)))) {
		if (load_image(fd, id, &img, &len, &step) < 0)
			goto fail;
		step = "init_module";
		rc = syscall(SYS_init_module, img, (unsigned long)len, params);
		e = errno;
		free(img);
		errno = e;
	}
	if (rc < 0 && errno != EEXIST)
		goto fail;
	fd_close(fd);
	return 0;
fail:
	/* the kernel's reasons in words of its own (kmod_strerror) */
	e = errno;
	err_set(err, e, "%s", step);
	err->why = kmod_strerror(e);
	fd_close(fd);
	errno = e;
	return -1;
}

const char *kmod_strerror(int err)
{
	switch (err) {
	case ENOEXEC:
		return "invalid module format (built for another kernel?)";
	case ENOENT:
		return "unknown symbol or parameter in module (see dmesg)";
	case EKEYREJECTED:
		return "module signature rejected";
	case ENODEV:
		/* module_init's refusal: crc32c_intel without SSE4.2,
		 * sha256_ssse3 without SSSE3, a driver with no device */
		return "no such device (not for this CPU or hardware)";
	default:
		return strerror(err);
	}
}
