/* dm.c - the device-mapper ioctls, without libdevmapper (see verity.h).
 *
 * Every call passes one buffer: a struct dm_ioctl, with version 4.0.0
 * (the kernel accepts any 4.x from a client that asks for less),
 * data_size the whole buffer and data_start the end of the struct; a
 * table load follows it with one struct dm_target_spec and the table
 * line, NUL-terminated, its next field 8-aligned as the kernel checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/dm-ioctl.h>

#include "verity.h"

enum { DM_BUF = 16384 }; /* a table line, a status, with room */

static const char ctl_path[] = "/dev/mapper/control";

/* Room for the dm_ioctl and what follows; 8-aligned as the kernel wants. */
union dm_buf {
	struct dm_ioctl io;
	uint64_t align;
	char b[DM_BUF];
};

static int dm_init(struct dm_ioctl *io, size_t size, const char *name)
{
	memset(io, 0, sizeof(*io));
	io->version[0] = 4;
	io->data_size = (uint32_t)size;
	io->data_start = sizeof(*io);
	if (name && strlen(name) >= sizeof(io->name))
		return -1;
	if (name)
		strcpy(io->name, name);
	return 0;
}

static int dm_call(int ctl, unsigned long req, struct dm_ioctl *io,
		   struct err *e, const char *what)
{
	if (ioctl(ctl, req, io) < 0)
		return err_set(e, errno, "%s %s", what, io->name);
	return 0;
}

size_t dm_pack_load(void *buf, size_t len, const char *name,
		    const struct dm_target *t)
{
	struct dm_ioctl *io = buf;
	struct dm_target_spec *s;
	size_t plen = strlen(t->params) + 1;
	size_t total = sizeof(*io) + sizeof(*s) + plen;

	total = (total + 7) & ~(size_t)7;
	if (total > len || total > UINT32_MAX || strlen(t->type) >= sizeof(s->target_type) ||
	    dm_init(io, total, name) < 0)
		return 0;
	memset(io + 1, 0, total - sizeof(*io));
	io->target_count = 1;
	io->flags = DM_READONLY_FLAG;
	s = (struct dm_target_spec *)(io + 1);
	s->sector_start = t->start;
	s->length = t->len;
	/* next: from this spec to the next one (or the end), 8-aligned */
	s->next = (uint32_t)(total - sizeof(*io));
	strcpy(s->target_type, t->type);
	memcpy(s + 1, t->params, plen);
	return total;
}

int dm_open(struct err *e)
{
	int fd = open(ctl_path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		err_set(e, errno, "open %s", ctl_path);
		if (errno == ENOENT)
			e->why = "no device-mapper (modprobe dm-verity)";
	}
	return fd;
}

/* A call that passes only NAME; busy: the words for its EBUSY. */
static int dm_named(int ctl, unsigned long req, const char *name,
		    const char *what, const char *busy, struct err *e)
{
	struct dm_ioctl io;

	if (dm_init(&io, sizeof(io), name) < 0)
		return err_set(e, ENAMETOOLONG, "device-mapper name %s", name);
	if (dm_call(ctl, req, &io, e, what) < 0) {
		if (e->no == EBUSY)
			e->why = busy;
		return -1;
	}
	return 0;
}

int dm_create(int ctl, const char *name, struct err *e)
{
	return dm_named(ctl, DM_DEV_CREATE, name, "create device-mapper device",
			"a device of that name exists", e);
}

int dm_activate(int ctl, const char *name, const struct dm_target *t,
		dev_t *dev, struct err *e)
{
	union dm_buf u;

	if (dm_pack_load(&u, sizeof(u), name, t) == 0)
		return err_set(e, E2BIG, "%s target for %s: table too long",
			       t->type, name);
	if (dm_call(ctl, DM_TABLE_LOAD, &u.io, e, "load the table of") < 0) {
		/* The kernel logs its reason ("device-mapper: table:
		 * 253:0: verity: ..."); the table is what to look at. */
		if (e->no == EINVAL)
			e->why = "the kernel refused the table (its log says why)";
		return -1;
	}
	/* DM_DEV_SUSPEND without DM_SUSPEND_FLAG: resume, which makes the
	 * loaded table live. */
	dm_init(&u.io, sizeof(u.io), name);
	if (dm_call(ctl, DM_DEV_SUSPEND, &u.io, e, "resume") < 0)
		return -1;
	*dev = dev_decode((uint32_t)u.io.dev);
	return 0;
}

int dm_remove(int ctl, const char *name, struct err *e)
{
	return dm_named(ctl, DM_DEV_REMOVE, name, "remove",
			"in use (mounted or open)", e);
}

int dm_status(int ctl, const char *name, bool table, char *type,
	      size_t tlen, char *buf, size_t len, struct err *e)
{
	union dm_buf u;
	const struct dm_target_spec *s;
	const char *line;

	if (dm_init(&u.io, sizeof(u), name) < 0)
		return err_set(e, ENAMETOOLONG, "device-mapper name %s", name);
	u.io.flags = table ? DM_STATUS_TABLE_FLAG : 0;
	if (dm_call(ctl, DM_TABLE_STATUS, &u.io, e, "table status of") < 0)
		return -1;
	if (u.io.flags & DM_BUFFER_FULL_FLAG)
		return err_set(e, E2BIG, "table status of %s", name);
	if (u.io.target_count == 0)
		return err_set(e, ENODATA, "%s has no table", name);
	/* The kernel wrote the spec at data_start and the line after it;
	 * both inside data_size, which it checked against our buffer. */
	if (u.io.data_start + sizeof(*s) >= u.io.data_size ||
	    u.io.data_size > sizeof(u))
		return err_set(e, EPROTO, "table status of %s", name);
	s = (const struct dm_target_spec *)(u.b + u.io.data_start);
	line = (const char *)(s + 1);
	snprintf(type, tlen, "%.*s", (int)sizeof(s->target_type), s->target_type);
	snprintf(buf, len, "%.*s", (int)(u.b + u.io.data_size - line), line);
	return 0;
}
