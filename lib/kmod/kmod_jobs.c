/* kmod_jobs.c - loading a plan's modules up to m->jobs at a time (see
 * kmod.h): each in a child process once the modules it needs (modules.dep,
 * softdep pre:) are in, device drivers before the named modules. A load
 * that could not overlap another runs in this process.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "base/base.h"
#include "archive/archive.h"
#include "kmod.h"

static void say(struct kmod_jobs *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(struct kmod_jobs *m, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (m->warn)
		m->warn(m->ctx, buf);
}

struct kmod_job *kmod_jobs_find(struct kmod_jobs *m, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < m->nq; i++)
		if (!strncmp(m->q[i].name, name, len) && !m->q[i].name[len])
			return &m->q[i];
	return NULL;
}

/* Each blank-separated word of LIST, in place: *w and its length. */
static bool next_word(const char **list, const char **w, size_t *len)
{
	const char *c = *list + strspn(*list, " ");

	*len = strcspn(c, " ");
	*w = c;
	*list = c + *len;
	return *len > 0;
}

/* A device's driver loads before the named modules: so do the modules
 * it needs that were queued for a NAME. */
void kmod_jobs_promote(struct kmod_jobs *m, const struct kmod_job *j)
{
	const char *lists[2] = {j->hard, j->soft}, *l, *w;
	struct kmod_job *d;
	size_t len;
	int i;

	for (i = 0; i < 2; i++)
		for (l = lists[i]; next_word(&l, &w, &len);) {
			d = kmod_jobs_find(m, w, len);
			if (d && d->st == KMOD_JOB_WAIT && !d->cold) {
				d->cold = true;
				m->promoted = true;
				kmod_jobs_promote(m, d);
			}
		}
}

static void drop(struct kmod_job *j)
{
	free(j->path);
	free(j->params);
	free(j->hard);
	free(j->soft);
}

/* Whether WORD (LEN bytes) is one of LIST's blank-separated words. */
static bool listed(const char *list, const char *word, size_t len)
{
	const char *w;
	size_t n;

	while (next_word(&list, &w, &n))
		if (n == len && !memcmp(w, word, len))
			return true;
	return false;
}

/* Only a softdep wants J: it is not asked for, and no module asked for
 * has it in its modules.dep list (the full closure), as kmod tells its
 * "required" modules from the others. */
static bool optional(struct kmod_jobs *m, const struct kmod_job *j)
{
	size_t i;

	if (j->top)
		return false;
	for (i = 0; i < m->nq; i++)
		if (m->q[i].top && listed(m->q[i].hard, j->name, strlen(j->name)))
			return false;
	return true;
}

/* A failure fails the run only for a module asked for: a dependency's
 * fails those that need it (ready), which fail the run in turn; a soft
 * dependency's is lost, as with kmod. */
static void ended(struct kmod_jobs *m, struct kmod_job *j, bool ok)
{
	j->st = ok ? KMOD_JOB_OK : KMOD_JOB_FAIL;
	if (ok)
		m->loaded++;
	else if (j->top)
		m->failed = true;
}

/* 1 when every job J needs has ended (a failed hard dependency fails J,
 * said once), 0 while one is still to come. A soft one that failed only
 * loses its ordering, as with kmod. */
static int ready(struct kmod_jobs *m, struct kmod_job *j)
{
	const char *l, *w;
	struct kmod_job *d;
	size_t len;

	for (l = j->hard; next_word(&l, &w, &len);) {
		d = kmod_jobs_find(m, w, len);
		if (!d || d == j || d->st == KMOD_JOB_OK)
			continue;
		if (j->cold && d->st == KMOD_JOB_WAIT && !d->cold) {
			d->cold = true; /* start it in pass 0 */
			m->promoted = true;
		}
		if (d->st == KMOD_JOB_FAIL) {
			/* a softdep's own dependency: said by its load */
			if (!optional(m, j))
				say(m, "not loading %s: %s did not load", j->name, d->name);
			ended(m, j, false);
		}
		return 0;
	}
	if (m->soft_off)
		return 1;
	for (l = j->soft; next_word(&l, &w, &len);) {
		d = kmod_jobs_find(m, w, len);
		if (d && d != j && (d->st == KMOD_JOB_WAIT || d->st == KMOD_JOB_RUN))
			return 0;
	}
	return 1;
}

/* Start what may start: device drivers first, then the named modules
 * (while only drivers are due, with a job to spare only). With one job
 * the loads run here, one after the other. Returns how many jobs it
 * started or ended. */
static unsigned start(struct kmod_jobs *m, bool cold_only)
{
	unsigned n = 0, nready = 0;
	bool solo;
	int pass;
	size_t i;

	/* A load that could not overlap another (the only one that may
	 * start, none running: a chain of dependencies, the kernel's
	 * request_module) runs here, without a fork. */
	for (i = 0; m->jobs > 1 && !m->running && i < m->nq; i++)
		if (m->q[i].st == KMOD_JOB_WAIT && ready(m, &m->q[i]))
			nready++;
	solo = m->jobs == 1 || (!m->running && nready <= 1);
	for (pass = 0; pass < 2; pass++) {
		if (pass && cold_only && m->jobs == 1)
			break;
		for (i = 0; i < m->nq && m->running < m->jobs; i++) {
			struct kmod_job *j = &m->q[i];

			if (j->st != KMOD_JOB_WAIT || j->cold != !pass)
				continue;
			if (!ready(m, j)) {
				n += j->st == KMOD_JOB_FAIL;
				continue;
			}
			n++;
			j->optional = optional(m, j);
			/* the plan line must be out before a load that
			 * may hang or oops, and not copied into a child */
			if (m->before)
				m->before(m->ctx, j);
			if (!solo)
				j->pid = fork();
			if (!solo && j->pid == 0)
				_exit(m->load(m->ctx, j));
			if (solo || j->pid < 0) {
				ended(m, j, m->load(m->ctx, j) == 0);
				/* what it unblocks may overlap: count again */
				if (m->jobs > 1)
					return n;
				continue;
			}
			j->st = KMOD_JOB_RUN;
			m->running++;
		}
	}
	return n;
}

static bool pending(struct kmod_jobs *m, bool cold_only)
{
	size_t i;

	for (i = 0; i < m->nq; i++)
		if ((m->q[i].st == KMOD_JOB_WAIT || m->q[i].st == KMOD_JOB_RUN) &&
		    (!cold_only || m->q[i].cold))
			return true;
	return false;
}

/* Nothing runs and nothing can start: jobs wait on each other. Only
 * softdeps can (a pre: b, b pre: a); they are then ignored. Otherwise
 * (a broken index) what waits fails. */
static bool stuck(struct kmod_jobs *m, bool cold_only)
{
	size_t i;

	if (m->promoted) {
		m->promoted = false;
		return false; /* pass 1's job is now in pass 0: go again */
	}
	if (!m->soft_off) {
		m->soft_off = true;
		return false;
	}
	for (i = 0; i < m->nq; i++)
		if (m->q[i].st == KMOD_JOB_WAIT && (!cold_only || m->q[i].cold)) {
			say(m, "not loading %s: what it needs (%s) never came", m->q[i].name, m->q[i].hard);
			ended(m, &m->q[i], false);
		}
	return true;
}

/* Run the queue until no device driver (COLD_ONLY) or nothing at all is
 * left to load. */
void kmod_jobs_run(struct kmod_jobs *m, bool cold_only)
{
	struct kmod_job *j;
	int status;
	pid_t pid;
	size_t i;

	for (;;) {
		unsigned n = start(m, cold_only);

		if (!pending(m, cold_only))
			break;
		if (!m->running) {
			if (n || !stuck(m, cold_only))
				continue;
			break;
		}
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0) {
			/* children reaped behind our back (SIGCHLD
			 * ignored): their results are lost */
			for (i = 0; i < m->nq; i++)
				if (m->q[i].st == KMOD_JOB_RUN) {
					say(m, "load %s: lost its child: %s", m->q[i].path, strerror(errno));
					ended(m, &m->q[i], false);
				}
			m->running = 0;
			continue;
		}
		for (i = 0, j = NULL; i < m->nq; i++)
			if (m->q[i].st == KMOD_JOB_RUN && m->q[i].pid == pid)
				j = &m->q[i];
		if (!j)
			continue; /* not ours (inherited) */
		m->running--;
		if (WIFSIGNALED(status))
			say(m, "load %s: killed by signal %d", j->path, WTERMSIG(status));
		ended(m, j, WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

struct kmod_job *kmod_jobs_add(struct kmod_jobs *m, const struct kmod_step *s)
{
	struct kmod_job *j;

	if (array_grow(&m->q, &m->cap, m->nq, sizeof(*m->q)) < 0)
		return NULL;
	j = &m->q[m->nq];
	memset(j, 0, sizeof(*j));
	snprintf(j->name, sizeof(j->name), "%s", s->name);
	j->path = strdup(s->path);
	j->params = s->params ? strdup(s->params) : NULL;
	j->hard = kmod_step_hard(s);
	j->soft = strdup(s->soft);
	if (!j->path || !j->hard || !j->soft || (s->params && !j->params)) {
		drop(j);
		errno = ENOMEM;
		return NULL;
	}
	j->cold = m->cold;
	j->top = s->top;
	m->nq++;
	if (j->cold)
		kmod_jobs_promote(m, j);
	return j;
}

void kmod_jobs_free(struct kmod_jobs *m)
{
	size_t i;

	for (i = 0; i < m->nq; i++)
		drop(&m->q[i]);
	free(m->q);
	m->q = NULL;
	m->nq = m->cap = 0;
}
