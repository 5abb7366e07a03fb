/* switchroot_report.c - what the switch says: the one-line summary
 * (freed, still pinned) and, with -v, a line per mount, the method, the
 * deletion and each pinned item; the words for a mount's result (see
 * switch.h). The engine calls the report, never the other way round.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "mount/mount.h"
#include "switch.h"

const char *switchroot_result_name(enum sr_result r)
{
	switch (r) {
	case SR_MOVED:
		return "moved";
	case SR_RELOCATED:
		return "moved aside";
	case SR_ABSENT:
		return "absent";
	case SR_NOT_MOUNT:
		return "not a mount";
	case SR_HOLDS_NEWROOT:
		return "holds NEWROOT, left in place";
	case SR_DETACHED:
		return "could not move, detached";
	case SR_FAILED:
		return "could not move or detach";
	}
	return "?";
}

void switchroot_say(void (*line)(void *, const char *), void *ctx,
		    const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	line(ctx, buf);
}

/* The item that holds the most, for the one-line summary. */
static const struct pin_item *biggest(const struct pin_proc *pp)
{
	const struct pin_item *b = &pp->items[0];
	size_t i;

	for (i = 1; i < pp->nitems; i++)
		if (pp->items[i].bytes > b->bytes)
			b = &pp->items[i];
	return b;
}

static void summary(const struct switchroot *s, char *buf, size_t len)
{
	char h1[32], h2[32];
	size_t n = 0, i;
	int r;

#define ADD(...)                                                               \
	do {                                                                   \
		r = snprintf(buf + n, len - n, __VA_ARGS__);                   \
		if (r > 0)                                                     \
			n = n + (size_t)r >= len ? len - 1 : n + (size_t)r;    \
	} while (0)
	if (s->keep)
		ADD("kept the old root (-p)");
	else if (s->spare_all)
		ADD("kept the old root (bind-mounted elsewhere)");
	else
		ADD("freed %s (%llu files)",
		    num_human(s->freed_bytes, h1, sizeof(h1)),
		    (unsigned long long)s->files);
	if (s->errors)
		ADD("; %llu not deleted (first: %s: %s)",
		    (unsigned long long)s->errors, s->first_error,
		    strerror(s->first_errno));
	if (!s->pins_known) {
		ADD("; still pinned: unknown (no /proc in the new root)");
		return;
	}
	if (!s->pins.nprocs && !s->pins.nloops) {
		ADD("; nothing pinned");
		return;
	}
	ADD("; still pinned %s:", num_human(s->pins.bytes, h1, sizeof(h1)));
	for (i = 0; i < s->pins.nprocs; i++) {
		const struct pin_proc *pp = &s->pins.procs[i];
		const struct pin_item *it = biggest(pp);

		ADD("%s pid %d (%s) %s %s %s", i ? "," : "", (int)pp->pid,
		    pp->comm, num_human(pp->bytes, h2, sizeof(h2)), it->what,
		    it->path);
		if (pp->nitems > 1)
			ADD(" +%zu more", pp->nitems - 1);
	}
	for (i = 0; i < s->pins.nloops; i++)
		ADD("%s %s %s backing %s", i || s->pins.nprocs ? "," : "",
		    s->pins.loops[i].name,
		    num_human(s->pins.loops[i].bytes, h2, sizeof(h2)),
		    s->pins.loops[i].backing);
#undef ADD
}

void switchroot_report(const struct switchroot *s, bool verbose,
		       void (*line)(void *ctx, const char *text), void *ctx)
{
	char buf[1024], h[32];
	size_t i, k;

	summary(s, buf, sizeof(buf));
	line(ctx, buf);
	for (i = 0; i < s->nmoves; i++) {
		const struct sr_move *m = &s->moves[i];
		bool bad = m->result == SR_DETACHED || m->result == SR_FAILED ||
			   m->result == SR_HOLDS_NEWROOT;

		if (!verbose && !bad)
			continue;
		if (m->result == SR_MOVED || m->result == SR_RELOCATED)
			switchroot_say(line, ctx, "mount %s: %s to %s", m->from,
			     switchroot_result_name(m->result), m->to);
		else if (m->err)
			switchroot_say(line, ctx, "mount %s: %s: %s", m->from,
			     switchroot_result_name(m->result),
			     strerror(m->err));
		else
			switchroot_say(line, ctx, "mount %s: %s", m->from,
			     switchroot_result_name(m->result));
	}
	if (!verbose)
		return;
	if (s->pivoted)
		switchroot_say(line, ctx,
		     "switched with pivot_root and a detach of the old root");
	else
		switchroot_say(line, ctx,
		     "switched with mount --move and chroot (pivot_root: %s)",
		     strerror(s->pivot_err));
	for (i = 0; i < s->nspare; i++)
		if (s->spare[i].met)
			switchroot_say(line, ctx, "spared %s: bind-mounted elsewhere",
			     s->spare[i].path);
	if (s->spared_newroot[0])
		switchroot_say(line, ctx, "spared %s: it is the new root",
		     s->spared_newroot);
	if (!s->keep && !s->spare_all)
		switchroot_say(line, ctx,
		     "deleted %llu files (%s) and %llu directories; %llu entries on other filesystems left alone",
		     (unsigned long long)s->files,
		     num_human(s->deleted_bytes, h, sizeof(h)),
		     (unsigned long long)s->dirs,
		     (unsigned long long)s->other_fs);
	switchroot_say(line, ctx, "stdio %s%s",
	     s->stdio ? "on " : "kept (no console in the new root)",
	     s->stdio ? s->stdio : "");
	for (i = 0; i < s->pins.nprocs; i++) {
		const struct pin_proc *pp = &s->pins.procs[i];

		switchroot_say(line, ctx, "pinned by pid %d (%s): %s", (int)pp->pid,
		     pp->comm, num_human(pp->bytes, h, sizeof(h)));
		for (k = 0; k < pp->nitems; k++)
			switchroot_say(line, ctx, "  %s %s%s%s", pp->items[k].what,
			     pp->items[k].path, pp->items[k].bytes ? " " : "",
			     pp->items[k].bytes
				 ? num_human(pp->items[k].bytes, h, sizeof(h))
				 : "");
	}
	for (i = 0; i < s->pins.nloops; i++)
		switchroot_say(line, ctx,
		     "pinned by %s: %s, backing file %s (inode %llu)",
		     s->pins.loops[i].name,
		     num_human(s->pins.loops[i].bytes, h, sizeof(h)),
		     s->pins.loops[i].backing,
		     (unsigned long long)s->pins.loops[i].ino);
}
