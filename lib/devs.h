/* devs.h - block devices for finding boot media: enumeration from
 * /sys/class/block in tie-breaking order, /dev nodes created when devtmpfs
 * has none, and bounded waiting for new devices (kernel uevents, else
 * polling with back-off).
 */
#ifndef INITBOX_DEVS_H
#define INITBOX_DEVS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum devs_class {
	DEVS_REMOVABLE, /* removable flag, a CD (sr*), or on USB */
	DEVS_FIXED,
	DEVS_VIRTUAL, /* loop, ram, zram: images, tried last */
};

struct devs_ent {
	char name[32]; /* kernel name: "vda1", "sr0", "loop3" */
	char path[48]; /* "/dev/vda1" */
	char disk[32]; /* its whole disk ("vda" for vda1, itself for a disk) */
	unsigned partno; /* 0 for a whole disk */
	dev_t devno;
	uint64_t size; /* bytes */
	enum devs_class cls;
};

/* The block devices with a nonzero size, in the order media are tried:
 * removable before fixed before virtual; disks by name (version order);
 * a disk's partitions (by number) before the disk itself. Creates a
 * missing /dev node (mknod). Stores at most max entries, *n = how many. */
int devs_scan(struct devs_ent *v, size_t max, size_t *n);

/* Make /dev/NAME a block node for devno if it does not exist. */
int devs_node(const char *path, dev_t devno);

/* Waiting for devices: a NETLINK_KOBJECT_UEVENT socket when the kernel
 * lets us open one (nl >= 0), else plain sleeps. Either way the caller
 * rescans after each wait, at most every delay_ms (100 ms doubling to
 * 1 s), and at once when a block-device uevent arrives. */
struct devs_wait {
	int nl;
	unsigned delay_ms;
};
void devs_wait_init(struct devs_wait *w);
/* Wait until a block uevent, the back-off interval, or deadline_ms (on
 * devs_now_ms()'s clock), whichever comes first. 1 when a block uevent was
 * seen, 0 otherwise. */
int devs_wait_next(struct devs_wait *w, uint64_t deadline_ms);
void devs_wait_end(struct devs_wait *w);
/* Read every uevent queued on the socket fd; 1 if one had the field key
 * ("SUBSYSTEM=block"; a key ending in '=' matches any value, "MODALIAS=")
 * or some were lost (the receive buffer overflowed: ENOBUFS), else 0. */
int devs_drain(int fd, const char *key);
/* CLOCK_MONOTONIC in milliseconds. */
uint64_t devs_now_ms(void);

#endif
