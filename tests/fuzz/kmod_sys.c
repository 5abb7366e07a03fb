/* kmod_sys.c - modprobe's parsers of what the system hands it, at their
 * parsing layer: kmod_scan over a sysfs tree written from the input (the
 * modalias files of /sys/bus/X/devices/Y, or of /sys/devices when there
 * is no bus), the module file's decompression before init_module
 * (load_image, lib/kmod_load.c's static: the file is included here, no
 * module is ever loaded), and the job queue of kmod_jobs.c with a load
 * that only says yes or no.
 *
 * Input, "@@\n" between: sysfs lines "bus/X/devices/Y=MODALIAS" (or
 * "devices/..."); a module file; job lines "NAME DEP... [| SOFT...]"
 * (a NAME starting with 'x' fails to load, one starting with 'c' is a
 * device driver).
 *
 * Aborts when a scan's strings are not sorted and unique, a second scan
 * finds anything new, a decompressed module exceeds the cap, or a job is
 * still waiting after the queue ran, was loaded twice, or loaded before
 * a hard dependency that loaded.
 */
#include "../../lib/kmod/kmod_load.c"
#include "fuzz.h"

static char sys[300];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_scratch("kmod_sys");
	snprintf(sys, sizeof(sys), "%s/sys", fz_base);
	return 0;
}

/* PATH=VALUE as a file under sys: names of [a-z0-9_.:-] only, below
 * bus/ or devices/, at most 8 deep. */
static void sys_file(char *line)
{
	char path[600], *eq = strchr(line, '='), *c;
	int depth = 0, fd;
	size_t n;

	if (!eq || eq == line)
		return;
	*eq = '\0';
	if (strncmp(line, "bus/", 4) && strncmp(line, "devices/", 8))
		return;
	for (c = line; *c; c++) {
		if (*c == '/') {
			if (c[1] == '/' || c[1] == '\0' || ++depth > 8)
				return;
			continue;
		}
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_:-", *c) &&
		    !(*c == '.' && c[-1] != '/' && c[-1] != '.'))
			return;
	}
	snprintf(path, sizeof(path), "%s/%s", sys, line);
	for (c = path + strlen(sys) + 1; (c = strchr(c, '/')); c++) {
		*c = '\0';
		(void)mkdir(path, 0755);
		*c = '/';
	}
	/* an earlier line may have made a file where this one wants a
	 * directory, or the other way round: that line is dropped */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = strlen(eq + 1);
	if ((n && write(fd, eq + 1, n) != (ssize_t)n) || close(fd) < 0)
		abort();
}

static void sorted(const struct kmod_strs *s)
{
	size_t i;

	for (i = 1; i < s->n; i++)
		if (strcmp(s->v[i - 1], s->v[i]) >= 0)
			abort();
}

static void scan(char *text)
{
	struct kmod_strs seen = {0}, fresh = {0};
	struct err err;
	char *line, *save;
	int n;

	if (mkdir(sys, 0755) < 0)
		abort();
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		sys_file(line);
	n = kmod_scan(sys, &seen, &fresh, &err);
	if (n >= 0) {
		if ((size_t)n != fresh.n)
			abort();
		sorted(&fresh);
		sorted(&seen);
		if (kmod_scan(sys, &seen, &fresh, &err) != 0)
			abort(); /* nothing new the second time */
	}
	kmod_strs_free(&seen);
	kmod_strs_free(&fresh);
	if (fz_rmtree(sys) < 0)
		abort();
}

static void module(const uint8_t *p, size_t n)
{
	enum codec_id id = CODEC_NONE;
	const char *step;
	uint8_t *img;
	size_t len;
	int fd = fz_memfd(p, n);

	if (n >= 2)
		id = codec_detect(p, n);
	if (id != CODEC_GZIP && id != CODEC_XZ && id != CODEC_ZSTD)
		id = CODEC_NONE;
	if (load_image(fd, id, &img, &len, &step) == 0) {
		if (len > MAX_MODULE)
			abort();
		free(img);
	} else if (!step) {
		abort();
	}
	close(fd);
}

struct run {
	struct kmod_jobs *m;
	char order[4096];
	size_t n;
};

static int load(void *ctx, const struct kmod_job *j)
{
	struct run *r = ctx;
	const char *l = j->hard, *w;
	struct kmod_job *d;
	size_t len;

	/* a hard dependency that loaded came first */
	for (; *(l += strspn(l, " "));) {
		len = strcspn(l, " ");
		w = l;
		l += len;
		d = kmod_jobs_find(r->m, w, len);
		if (d && d != j && d->st == KMOD_JOB_WAIT)
			abort();
	}
	if (j->st != KMOD_JOB_WAIT)
		abort(); /* loaded twice */
	return j->name[0] == 'x';
}

static void jobs(char *text)
{
	struct kmod_jobs m;
	struct kmod_step s;
	struct run r;
	char *line, *save, *bar, deps[2048], *c;
	size_t i, n = 0;

	memset(&m, 0, sizeof(m));
	memset(&r, 0, sizeof(r));
	r.m = &m;
	m.jobs = 1;
	m.load = load;
	m.ctx = &r;
	for (line = strtok_r(text, "\n", &save); line && n < 64;
	     line = strtok_r(NULL, "\n", &save), n++) {
		memset(&s, 0, sizeof(s));
		bar = strchr(line, '|');
		if (bar)
			*bar++ = '\0';
		s.what = KMOD_LOAD;
		s.name = line;
		c = strchr(line, ' ');
		deps[0] = '\0';
		if (c) {
			*c++ = '\0';
			/* modules.dep's paths: /lib/modules/NAME.ko */
			for (char *w = strtok(c, " "); w; w = strtok(NULL, " "))
				snprintf(deps + strlen(deps),
					 sizeof(deps) - strlen(deps),
					 "%s/k/%s.ko", *deps ? " " : "", w);
		}
		if (!*line || strlen(line) >= 64)
			continue;
		s.path = "/k/m.ko";
		s.params = "";
		s.deps = deps;
		s.deps_len = strlen(deps);
		s.soft = bar ? bar : "";
		m.cold = line[0] == 'c';
		if (kmod_jobs_find(&m, line, strlen(line)))
			continue; /* as modprobe: one job a module */
		if (!kmod_jobs_add(&m, &s))
			abort();
	}
	kmod_jobs_run(&m, true);
	for (i = 0; i < m.nq; i++)
		if (m.q[i].cold && m.q[i].st == KMOD_JOB_WAIT)
			abort();
	kmod_jobs_run(&m, false);
	for (i = 0; i < m.nq; i++)
		if (m.q[i].st == KMOD_JOB_WAIT || m.q[i].st == KMOD_JOB_RUN)
			abort();
	kmod_jobs_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[3] = {data, NULL, NULL};
	size_t len[3] = {size, 0, 0}, i, k = 0;
	char *s;

	for (i = 0; k < 2 && i + 3 <= size; i++)
		if (!memcmp(data + i, "@@\n", 3)) {
			len[k] = (size_t)(data + i - part[k]);
			part[++k] = data + i + 3;
			len[k] = size - (i + 3);
			i += 2;
		}
	s = fz_str(part[0], len[0]);
	scan(s);
	free(s);
	if (part[1])
		module(part[1], len[1]);
	if (part[2]) {
		s = fz_str(part[2], len[2]);
		jobs(s);
		free(s);
	}
	return 0;
}
