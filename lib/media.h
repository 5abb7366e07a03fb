/* media.h - find a boot medium: a SPEC (LABEL=, UUID=, PARTUUID=, TYPE=,
 * file=PATH, a device path) matched against the block devices (or a
 * given list) by their superblocks. Used by findmedia.
 */
#ifndef INITBOX_MEDIA_H
#define INITBOX_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "blkid.h"
#include "devs.h"

enum { MEDIA_MAX_DEVS = 256, MEDIA_MAX_ONLY = 16 };
enum media_key {
	MEDIA_LABEL,
	MEDIA_UUID,
	MEDIA_PARTUUID,
	MEDIA_TYPE,
	MEDIA_FILE,
	MEDIA_PATH
};

struct media {
	/* request */
	enum media_key key;
	const char *spec, *val; /* val: the value after KEY=, unescaped */
	char unesc[256];
	bool need_fs; /* a device path must hold a known filesystem (it is
		       * to be mounted; a CD drive exists before its disc) */
	const char *only[MEDIA_MAX_ONLY]; /* candidates; none: every device */
	size_t n_only;
	/* work */
	struct devs_ent devs[MEDIA_MAX_DEVS];
	size_t n_devs;
	struct {
		char type[16], uuid[64];
	} seen[MEDIA_MAX_DEVS];
	size_t n_seen;
	/* A failure on the way that did not end the search (media_scan):
	 * what (with errno warn_err), "" if none. */
	char warn[320];
	int warn_err;
};

/* Set m->key and m->val from SPEC; -1 with EINVAL when it is none of the
 * forms. udev's /dev/disk/by-label/... names are used as paths when they
 * exist, else read as LABEL= (and so on), \xNN escapes undone; a value
 * in double quotes loses them. */
int media_parse(struct media *m, const char *spec);
/* The candidates: m->only, or every block device (devs_scan). */
int media_candidates(struct media *m);
/* Candidate I's path: an -d path as given (image paths outgrow
 * devs_ent's /dev names), else the block device's. */
const char *media_path(const struct media *m, size_t i);
/* Probe one candidate: 0 with bi filled; -1 when it holds no known
 * filesystem (ENODATA) or cannot be read now (bi->partuuid may still be
 * set). */
int media_probe(const char *path, struct blkid_info *bi);
/* One pass over the candidates: the first match (bi filled), or NULL. */
const char *media_scan(struct media *m, struct blkid_info *bi);
/* The device number of the block device a LABEL=, UUID= or PARTUUID=
 * SPEC names, chosen as findmedia chooses (one pass, no waiting): 0, or
 * -1 with ENOENT when none matches now, EINVAL for another form of SPEC.
 * For initrd-host's root= and blockdev --set-real-root. */
int media_devno(const char *spec, dev_t *dev);

/* The types to mount a medium of TYPE with (mntdev's comma list): a UDF
 * disc falls back to its ISO 9660 bridge on a kernel without udf. */
const char *media_mount_types(const char *type);

#endif
