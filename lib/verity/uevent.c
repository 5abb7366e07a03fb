/* uevent.c - dm-verity's corruption uevents, and the block ranges they
 * name (see verity.h).
 *
 * On each corrupted block dm-verity (drivers/md/dm-verity-target.c,
 * verity_handle_err) logs a line and sends a "change" uevent for the
 * mapped disk with DM_VERITY_ERR_BLOCK_NR=TYPE,BLOCK (TYPE 0 a data
 * block, 1 a hash block), up to DM_VERITY_MAX_CORRUPTED_ERRS (100) per
 * device; then it logs "reached maximum errors" and sends no more. The
 * message is "ACTION@DEVPATH\0KEY=VALUE\0...".
 */
#include <stdlib.h>
#include <string.h>

#include "verity.h"

static bool num(const char *s, char end, unsigned long long *v)
{
	char *e;

	if (*s < '0' || *s > '9')
		return false;
	*v = strtoull(s, &e, 10);
	return *e == end;
}

int verity_uevent(const char *msg, size_t len, struct verity_event *ev)
{
	const char *p = msg, *end = msg + len;
	unsigned long long v;
	bool remove = false, err = false, maj = false, min = false;

	memset(ev, 0, sizeof(*ev));
	/* udev's own messages start "libudev\0": only the kernel's count */
	if (!len || msg[len - 1] || !memchr(msg, '@', strnlen(msg, len)))
		return VE_NONE;
	for (p += strlen(p) + 1; p < end; p += strlen(p) + 1) {
		if (!strcmp(p, "ACTION=remove"))
			remove = true;
		else if (!strncmp(p, "MAJOR=", 6) && num(p + 6, 0, &v))
			ev->major = (unsigned)v, maj = true;
		else if (!strncmp(p, "MINOR=", 6) && num(p + 6, 0, &v))
			ev->minor = (unsigned)v, min = true;
		else if (!strncmp(p, "DM_VERITY_ERR_BLOCK_NR=", 23)) {
			const char *c = p + 23;

			if (!num(c, ',', &v) || v > 1)
				continue;
			ev->hash = v == 1;
			if (num(strchr(c, ',') + 1, 0, &ev->block))
				err = true;
		}
	}
	if (!maj || !min)
		return VE_NONE;
	if (remove)
		return VE_REMOVE;
	return err ? VE_CORRUPT : VE_NONE;
}

/* A block is pending when it extends the pending range (the same kind,
 * the next block or one already in it); else the pending range is done. */
bool vr_add(struct verity_ranges *r, bool hash, unsigned long long block)
{
	bool done = false;

	if (r->pending && r->cur.hash == hash && block >= r->cur.from &&
	    block <= r->cur.to + 1) {
		if (block > r->cur.to)
			r->cur.to = block;
		return false;
	}
	if (r->pending)
		done = vr_flush(r);
	r->cur.hash = hash;
	r->cur.from = r->cur.to = block;
	r->pending = true;
	return done;
}

/* The pending range is done: new (to be said) unless a range said
 * before holds it all. Said ranges are remembered up to VR_MAX. */
bool vr_flush(struct verity_ranges *r)
{
	unsigned i;

	if (!r->pending)
		return false;
	r->pending = false;
	r->out = r->cur;
	for (i = 0; i < r->n; i++)
		if (r->said[i].hash == r->cur.hash && r->said[i].from <= r->cur.from &&
		    r->said[i].to >= r->cur.to)
			return false;
	if (r->n < VR_MAX)
		r->said[r->n++] = r->cur;
	r->total++;
	return true;
}
