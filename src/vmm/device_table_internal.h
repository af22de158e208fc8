/* device_table_internal: what device_table.c (the plan and the plugging)
 * shares with the files that hold the device kinds: device_table_kinds.c
 * (disk, console, rng, console port) and device_table_net.c (virtio-net
 * and its backends, virtio-vsock). Only these files include device
 * headers (../shared/STYLE.md: one module names devices).
 */
#ifndef VMM_DEVICE_TABLE_INTERNAL_H
#define VMM_DEVICE_TABLE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "kvm.h"
#include "machine.h"
#include "net_slirp.h"
#include "options.h"
#include "transport.h"
#include "virtio.h"
#include "virtio_blk.h"
#include "virtio_console.h"
#include "virtio_net.h"
#include "virtio_rng.h"
#include "virtio_vsock.h"

#define MAX_VIRTIO_DEVICES \
	(OPTIONS_MAX_DISKS + OPTIONS_MAX_DEVICES + OPTIONS_MAX_NETS + 1)
#define MAX_SPEC_LEN 512

_Static_assert(MAX_VIRTIO_DEVICES <= MACHINE_MAX_VIRTIO,
	       "struct machine has room for every virtio device");

struct virtio_slot;

/* One row per kind of virtio device: its name, the fields only it takes,
 * and how to make one. Fields every device takes (transport=, version=,
 * packed=) are handled once, in parse_fields(). */
struct virtio_kind {
	const char *name; /* as --device and --print-layout name it */
	/* Takes one "key=value" field (value NULL for a bare "key"): 0, or
	 * -1 if the key or value is not one of this device's. */
	int (*field)(struct virtio_slot *s, const char *key, char *value);
	/* Makes the device from s->o: 0 with s->dev and *vd set, or -errno
	 * (with a reason in s->why when strerror would not say enough). */
	int (*create)(struct virtio_slot *s, struct kvm_vm *vm,
		      struct virtio_dev **vd);
	void (*destroy)(void *dev);
	bool only_one; /* the guest driver handles one device of this kind */
	/* Optional: what the device needs from the seccomp filter once it
	 * runs (enum sandbox_needs bits); NULL: nothing beyond the base. */
	unsigned int (*sandbox_needs)(const struct virtio_slot *s);
	/* Optional: after the last field, -1 (err set) if one the device
	 * needs is missing or two do not go together. */
	int (*complete)(struct virtio_slot *s, char *err, size_t len);
};

/* --net: which host backend, and the fields that go to it. */
struct net_slot_options {
	struct virtio_net_options dev;
	const char *tap;     /* tap=IFNAME; NULL: user (slirp) */
	bool user;	     /* the bare field "user" was given */
	unsigned int queues; /* tap queues= (0: 1) */
	struct net_slirp_options slirp;
	const char *id;	    /* id= or "netN" */
	unsigned int index; /* N: the Nth --net, from 0 */
	char default_id[16];
};

/* One device the user asked for: parsed and placed by the plan, then
 * created and put on its transport. */
struct virtio_slot {
	const struct virtio_kind *kind;
	char what[MAX_SPEC_LEN + 16]; /* "--disk SPEC": messages, layout */
	char fields[MAX_SPEC_LEN];    /* split in place; o points into it */
	char why[256]; /* field's or create's reason, if it gave one */
	union {
		struct virtio_blk_options blk;
		struct virtio_rng_options rng;
		struct virtio_console_options console;
		struct {
			struct virtio_console_options o;
			const char *in, *out; /* host files; NULL: none */
		} port;
		struct net_slot_options net;
		struct virtio_vsock_options vsock;
	} o;
	bool packed;
	enum machine_transport transport;
	unsigned int version; /* virtio-mmio register layout; 0: default */
	unsigned int idx;     /* the device in m->virtio */
	void *dev;
};

/* The rows (device_table_kinds.c, device_table_net.c). --disk, --console
 * virtio and --net make one kind each; --device names its kind. */
extern const struct virtio_kind device_table_blk_kind;
extern const struct virtio_kind device_table_console_kind;
extern const struct virtio_kind device_table_net_kind;
extern const struct virtio_kind device_table_vsock_kind;
extern const struct virtio_kind *const device_table_device_kinds[];
extern const size_t device_table_nr_device_kinds;

/* Sets the defaults of the Nth --net (index from 0): MAC 52:54:00:12:34:
 * (56 + N), id "netN". Called before its fields are parsed. */
void device_table_net_defaults(struct virtio_slot *s, unsigned int index);

/* The virtio-net device a slot made, for --control's link command;
 * NULL if the slot is not a net device. */
struct virtio_net *device_table_net_of(struct virtio_slot *s);

#endif
