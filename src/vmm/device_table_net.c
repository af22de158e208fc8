/* device_table_net: the rows for --net (virtio-net on a libslirp or TAP
 * backend) and --device virtio-vsock: each one's fields, checked before
 * the VM exists, and how to make one. The plan and the plugging are in
 * device_table.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_table_internal.h"
#include "net_backend.h"
#include "net_tap.h"
#include "sandbox.h"
#include "spec.h"

/* QEMU's locally administered prefix: the Nth --net gets ...:56 + N. */
static const unsigned char default_mac[6] = {0x52, 0x54, 0x00,
					     0x12, 0x34, 0x56};

/* "52:54:00:12:34:56": six hex pairs, unicast (§5.1.4: the driver uses it
 * as its address, so a multicast one would make no sense). */
static int parse_mac(const char *v, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (!v ||
	    sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6 ||
	    strlen(v) != 17 || (b[0] & 1))
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

/* id=NAME for --control: letters, digits, '-' and '_', at most 15. */
static int check_id(const char *v)
{
	size_t n = v ? strlen(v) : 0;

	if (n == 0 || n > 15 ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyz"
		      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789-_") != n)
		return -1;
	return 0;
}

static int net_hostfwd(struct virtio_slot *s, char *v)
{
	struct net_slirp_options *o = &s->o.net.slirp;

	if (o->nr_fwd == NET_SLIRP_MAX_FWD) {
		snprintf(s->why, sizeof(s->why), "at most %d hostfwd rules",
			 NET_SLIRP_MAX_FWD);
		return -1;
	}
	if (!v || net_slirp_parse_fwd(v, &o->fwd[o->nr_fwd], s->why,
				      sizeof(s->why)) < 0) {
		if (!v)
			snprintf(s->why, sizeof(s->why),
				 "hostfwd needs a rule, like "
				 "hostfwd=tcp:127.0.0.1:8080-:80");
		return -1;
	}
	o->nr_fwd++;
	return 0;
}

/* --net user|tap=IFNAME[,hostfwd=RULE]...[,queues=N][,mac=MAC][,mtu=N]
 *       [,id=NAME] */
static int net_field(struct virtio_slot *s, const char *key, char *v)
{
	struct net_slot_options *o = &s->o.net;
	unsigned long n;

	if (!strcmp(key, "user") && !v && !o->user) {
		o->user = true;
		return 0;
	}
	if (!strcmp(key, "tap") && v && *v && !o->tap) {
		o->tap = v;
		return 0;
	}
	if (!strcmp(key, "hostfwd"))
		return net_hostfwd(s, v);
	if (!strcmp(key, "queues") &&
	    !spec_uint(v, VIRTIO_NET_MAX_QUEUE_PAIRS, &n) && n > 0) {
		o->queues = (unsigned int)n;
		return 0;
	}
	if (!strcmp(key, "mac"))
		return parse_mac(v, o->dev.mac);
	if (!strcmp(key, "mtu") && !spec_uint(v, 65535, &n) && n >= 68) {
		o->dev.mtu = (uint16_t)n;
		return 0;
	}
	if (!strcmp(key, "id") && !check_id(v)) {
		o->id = v;
		return 0;
	}
	return -1;
}

/* One backend, and only its own fields. */
static int net_complete(struct virtio_slot *s, char *err, size_t len)
{
	struct net_slot_options *o = &s->o.net;
	const char *problem = NULL;

	if (o->user == !!o->tap)
		problem = "give exactly one backend: user or tap=IFNAME";
	else if (o->tap && o->slirp.nr_fwd)
		problem = "hostfwd= is a field of the user backend";
	else if (o->user && o->queues > 1)
		problem = "queues= needs a multi-queue TAP (tap=IFNAME)";
	if (problem) {
		snprintf(err, len, "%s: %s", s->what, problem);
		return -1;
	}
	o->slirp.mtu = o->dev.mtu;
	return 0;
}

/* The defaults that depend on which --net this is; set before the
 * fields, which may override them. */
void device_table_net_defaults(struct virtio_slot *s, unsigned int index)
{
	struct net_slot_options *o = &s->o.net;

	o->index = index;
	memcpy(o->dev.mac, default_mac, sizeof(default_mac));
	o->dev.mac[5] = (uint8_t)(default_mac[5] + index);
	snprintf(o->default_id, sizeof(o->default_id), "net%u", index);
	o->id = o->default_id;
}

/* What a net slot owns: the device and its backend. */
struct net_dev {
	struct virtio_net *net;
	struct net_backend *be;
};

static void net_destroy(void *dev)
{
	struct net_dev *d = dev;

	virtio_net_destroy(d->net); /* first: it calls the backend */
	net_backend_destroy(d->be);
	free(d);
}

static int net_create(struct virtio_slot *s, struct kvm_vm *vm,
		      struct virtio_dev **vd)
{
	struct net_slot_options *o = &s->o.net;
	struct net_dev *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return -ENOMEM;
	if (o->tap)
		ret = net_tap_create(o->tap, o->queues ? o->queues : 1, &d->be,
				     s->why, sizeof(s->why));
	else
		ret = net_slirp_create(&o->slirp, &d->be, s->why,
				       sizeof(s->why));
	if (ret == 0 && o->dev.mtu > (d->be->mtu ? d->be->mtu : 1500)) {
		snprintf(s->why, sizeof(s->why),
			 "mtu=%u is above what the %s backend takes (%u)",
			 o->dev.mtu, d->be->kind,
			 d->be->mtu ? d->be->mtu : 1500);
		ret = -EINVAL;
	}
	if (ret == 0) {
		o->dev.be = d->be;
		o->dev.packed_off = !s->packed;
		ret = virtio_net_create(&o->dev, &vm->mem, &d->net);
	}
	if (ret < 0) {
		net_destroy(d);
		return ret;
	}
	s->dev = d;
	*vd = virtio_net_vdev(d->net);
	return 0;
}

struct virtio_net *device_table_net_of(struct virtio_slot *s)
{
	if (s->kind != &device_table_net_kind || !s->dev)
		return NULL;
	return ((struct net_dev *)s->dev)->net;
}

/* libslirp makes a host socket per guest connection and re-reads
 * /etc/resolv.conf; a TAP is only read and written. */
static unsigned int net_sandbox_needs(const struct virtio_slot *s)
{
	return s->o.net.tap ? 0
			    : SANDBOX_NEED_SOCKETS | SANDBOX_NEED_READ_FILES;
}

const struct virtio_kind device_table_net_kind = {
	.name = "virtio-net",
	.sandbox_needs = net_sandbox_needs,
	.field = net_field,
	.create = net_create,
	.destroy = net_destroy,
	.complete = net_complete,
};

/* --device virtio-vsock,cid=N,uds=PATH */
static int vsock_field(struct virtio_slot *s, const char *key, char *v)
{
	unsigned long n;

	if (!strcmp(key, "cid") && !spec_uint(v, UINT32_MAX - 1, &n)) {
		s->o.vsock.guest_cid = n;
		return 0;
	}
	if (!strcmp(key, "uds") && v && *v) {
		s->o.vsock.uds_path = v;
		return 0;
	}
	return -1;
}

static int vsock_complete(struct virtio_slot *s, char *err, size_t len)
{
	const struct virtio_vsock_options *o = &s->o.vsock;

	if (!o->uds_path || !o->guest_cid)
		snprintf(err, len, "%s: needs cid=N and uds=PATH", s->what);
	else if (o->guest_cid < VIRTIO_VSOCK_MIN_GUEST_CID)
		snprintf(err, len,
			 "%s: cid=%llu is reserved (0-2 are the hypervisor, "
			 "local and host); use 3 or more",
			 s->what, (unsigned long long)o->guest_cid);
	else
		return 0;
	return -1;
}

static int vsock_create(struct virtio_slot *s, struct kvm_vm *vm,
			struct virtio_dev **vd)
{
	struct virtio_vsock *vs = NULL;
	int ret;

	s->o.vsock.packed_off = !s->packed;
	ret = virtio_vsock_create(&s->o.vsock, &vm->mem, &vs, s->why,
				  sizeof(s->why));
	if (ret == 0) {
		s->dev = vs;
		*vd = virtio_vsock_vdev(vs);
	}
	return ret;
}

static void vsock_destroy(void *dev)
{
	virtio_vsock_destroy(dev);
}

/* Guest connections to the host become connect()s to Unix sockets; the
 * listener's file is removed when vmm stops. */
static unsigned int vsock_sandbox_needs(const struct virtio_slot *s)
{
	return SANDBOX_NEED_SOCKETS | SANDBOX_NEED_UNLINK;
}

const struct virtio_kind device_table_vsock_kind = {
	.name = "virtio-vsock",
	.sandbox_needs = vsock_sandbox_needs,
	.field = vsock_field,
	.create = vsock_create,
	.destroy = vsock_destroy,
	.complete = vsock_complete,
	.only_one = true,
};
