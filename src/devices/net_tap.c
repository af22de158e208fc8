/* net_tap: an existing TAP interface as a net_backend.
 *
 * Each queue pair is one file on /dev/net/tun attached to the interface
 * (TUNSETIFF, IFF_MULTI_QUEUE for more than one). Frames cross it with a
 * 12-byte struct virtio_net_hdr_v1 in front (virtio 1.3 §5.1.6), which the
 * kernel's tun driver reads and writes itself, so checksum and GSO offload
 * pass through untouched. Depends on the Linux tun driver and log.h.
 */
#include "net_tap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include "log.h"

#define TAP_MAX_QUEUES 8
#define TAP_HDR_LEN    ((int)sizeof(struct virtio_net_hdr_v1))
#define TAP_MAX_IOV    (UIO_MAXIOV - 1) /* leaves one for overflow */

#define BIT(f) (1ULL << (f))

/* Transmit offloads need nothing of the kernel but IFF_VNET_HDR: tun
 * accepts partial checksums and TSO frames on write (virtio_net_hdr_to_skb)
 * on every kernel that has TUNSETVNETHDRSZ. */
#define TAP_TX_OFFLOADS                                         \
	(BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_HOST_TSO4) | \
	 BIT(VIRTIO_NET_F_HOST_TSO6) | BIT(VIRTIO_NET_F_HOST_ECN))

struct net_tap {
	struct net_backend be; /* first: the device hands us &be */
	char ifname[IFNAMSIZ];
	int fd[TAP_MAX_QUEUES];
	/* Per queue: where the tail of a frame too big for the caller's
	 * buffers lands, so that we can tell it was too big. */
	uint8_t *overflow[TAP_MAX_QUEUES];
	struct iovec *rx_iov[TAP_MAX_QUEUES]; /* TAP_MAX_IOV + 1 each */
	_Atomic bool guest_csum; /* VIRTIO_NET_F_GUEST_CSUM negotiated */
	_Atomic uint64_t tx_errors;
	_Atomic int64_t last_err_log_s;
};

static struct net_tap *to_tap(struct net_backend *be)
{
	return (struct net_tap *)be;
}

/* Host-side write failures are not the guest's: count, log once a
 * second at most. */
static void tap_log_tx_error(struct net_tap *t, int err)
{
	struct timespec ts;
	uint64_t n = atomic_fetch_add(&t->tx_errors, 1) + 1;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (atomic_exchange(&t->last_err_log_s, ts.tv_sec) == ts.tv_sec)
		return;
	log_warn("net tap %s: frame dropped: %s (%llu so far)", t->ifname,
		 strerror(err), (unsigned long long)n);
}

/* ---- the net_backend operations ---- */

static int tap_send(struct net_backend *be, unsigned int queue,
		    const struct iovec *iov, unsigned int n)
{
	struct net_tap *t = to_tap(be);

	if (writev(t->fd[queue], iov, (int)n) >= 0)
		return 0;
	switch (errno) {
	case EAGAIN:
		return -EAGAIN;
	case EINVAL: /* the header or the frame is malformed */
	case EFAULT:
	case EMSGSIZE:
		return -errno;
	default: /* interface down (EIO), no memory: the network drops */
		tap_log_tx_error(t, errno);
		return 0;
	}
}

/* Copies len bytes into the iov at byte offset off. */
static void iov_put(const struct iovec *iov, unsigned int n, size_t off,
		    const void *src, size_t len)
{
	const uint8_t *p = src;

	for (unsigned int i = 0; i < n && len; i++) {
		size_t l = iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		l -= off;
		if (l > len)
			l = len;
		memcpy((uint8_t *)iov[i].iov_base + off, p, l);
		p += l;
		len -= l;
		off = 0;
	}
}

/* tun writes the first 10 header bytes and skips the rest; complete the
 * v1 header as the contract says (virtio 1.3 §5.1.6.4). */
static void tap_fix_hdr(struct net_tap *t, const struct iovec *iov,
			unsigned int n)
{
	uint8_t one_le[2] = {1, 0};
	uint8_t zero = 0;

	iov_put(iov, n, offsetof(struct virtio_net_hdr_v1, num_buffers), one_le,
		sizeof(one_le));
	/* Without GUEST_CSUM flags must be 0 (§5.1.6.4.1); tun may still
	 * set DATA_VALID for a frame the host already checked. */
	if (!atomic_load(&t->guest_csum))
		iov_put(iov, n, offsetof(struct virtio_net_hdr_v1, flags),
			&zero, 1);
}

static ssize_t tap_recv(struct net_backend *be, unsigned int queue,
			const struct iovec *iov, unsigned int n)
{
	struct net_tap *t = to_tap(be);
	struct iovec *v = t->rx_iov[queue];
	size_t room = 0;
	ssize_t ret;

	if (n > TAP_MAX_IOV)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		v[i] = iov[i];
		room += iov[i].iov_len;
	}
	if (room < TAP_HDR_LEN)
		return -EMSGSIZE;
	/* Whatever does not fit spills into overflow: then it was too big
	 * (tun itself would truncate silently). */
	v[n].iov_base = t->overflow[queue];
	v[n].iov_len = NET_BACKEND_MAX_FRAME + TAP_HDR_LEN;
	ret = readv(t->fd[queue], v, (int)n + 1);
	if (ret < 0)
		return errno == EAGAIN ? 0 : -errno;
	if ((size_t)ret > room)
		return -EMSGSIZE;
	if (ret < TAP_HDR_LEN)
		return -EIO;
	tap_fix_hdr(t, iov, n);
	return ret;
}

static int tap_rx_fd(struct net_backend *be, unsigned int queue)
{
	return to_tap(be)->fd[queue];
}

static int tap_tx_fd(struct net_backend *be, unsigned int queue)
{
	return to_tap(be)->fd[queue];
}

/* The guest's receive offloads as TUN_F_* bits. tun takes TSO only with
 * CSUM and ECN only with TSO (anything else is EINVAL). */
static unsigned int tap_tun_flags(uint64_t guest_bits)
{
	unsigned int f = 0;

	if (!(guest_bits & BIT(VIRTIO_NET_F_GUEST_CSUM)))
		return 0;
	f |= TUN_F_CSUM;
	if (guest_bits & BIT(VIRTIO_NET_F_GUEST_TSO4))
		f |= TUN_F_TSO4;
	if (guest_bits & BIT(VIRTIO_NET_F_GUEST_TSO6))
		f |= TUN_F_TSO6;
	if ((f & (TUN_F_TSO4 | TUN_F_TSO6)) &&
	    (guest_bits & BIT(VIRTIO_NET_F_GUEST_ECN)))
		f |= TUN_F_TSO_ECN;
	return f;
}

static int tap_set_rx_offloads(struct net_backend *be, uint64_t guest_bits)
{
	struct net_tap *t = to_tap(be);

	guest_bits &= be->offloads;
	/* The offload setting belongs to the interface: one queue's file
	 * sets it for all. */
	if (ioctl(t->fd[0], TUNSETOFFLOAD, tap_tun_flags(guest_bits)) < 0)
		return -errno;
	atomic_store(&t->guest_csum,
		     !!(guest_bits & BIT(VIRTIO_NET_F_GUEST_CSUM)));
	return 0;
}

static void tap_destroy(struct net_backend *be)
{
	struct net_tap *t = to_tap(be);

	for (unsigned int q = 0; q < TAP_MAX_QUEUES; q++) {
		if (t->fd[q] >= 0)
			close(t->fd[q]);
		free(t->overflow[q]);
		free(t->rx_iov[q]);
	}
	free(t);
}

static const struct net_backend_ops tap_ops = {
	.send = tap_send,
	.recv = tap_recv,
	.rx_fd = tap_rx_fd,
	.tx_fd = tap_tx_fd,
	.set_rx_offloads = tap_set_rx_offloads,
	.destroy = tap_destroy,
};

/* ---- creation ---- */

/* Which receive offloads tun takes, tried one at a time from the
 * simplest, then switched off until the guest asks (set_rx_offloads). */
static uint64_t tap_probe_rx_offloads(int fd)
{
	static const struct {
		unsigned int tun;
		int feature;
	} steps[] = {
		{TUN_F_CSUM, VIRTIO_NET_F_GUEST_CSUM},
		{TUN_F_CSUM | TUN_F_TSO4, VIRTIO_NET_F_GUEST_TSO4},
		{TUN_F_CSUM | TUN_F_TSO6, VIRTIO_NET_F_GUEST_TSO6},
		{TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO_ECN,
		 VIRTIO_NET_F_GUEST_ECN},
	};
	uint64_t bits = 0;

	for (unsigned int i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		/* Each step builds on the first (CSUM). */
		if (i && !(bits & BIT(VIRTIO_NET_F_GUEST_CSUM)))
			break;
		if (ioctl(fd, TUNSETOFFLOAD, steps[i].tun) == 0)
			bits |= BIT(steps[i].feature);
	}
	/* ECN is only meaningful with TSO4. */
	if (!(bits & BIT(VIRTIO_NET_F_GUEST_TSO4)))
		bits &= ~BIT(VIRTIO_NET_F_GUEST_ECN);
	if (ioctl(fd, TUNSETOFFLOAD, 0) < 0)
		return 0;
	return bits;
}

/* Whether the interface takes a queue with these flags (the queue is
 * let go at once). */
static bool tap_try_attach(const char *ifname, short flags)
{
	struct ifreq ifr = {0};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_flags = flags;
	ok = ioctl(fd, TUNSETIFF, &ifr) == 0;
	close(fd);
	return ok;
}

/* TUNSETIFF's EINVAL means the interface is not what we asked for: find
 * out what it is by asking for the other kinds. (Not from sysfs, which
 * shows the namespace it was mounted in, not ours.) */
static void tap_explain_einval(const char *ifname, unsigned int queues,
			       char *err, size_t err_len)
{
	const short tap = IFF_TAP | IFF_NO_PI, mq = IFF_MULTI_QUEUE;

	if (queues > 1 && tap_try_attach(ifname, tap))
		snprintf(err, err_len,
			 "tap %s: not a multi-queue TAP (ip tuntap add %s "
			 "mode tap multi_queue)",
			 ifname, ifname);
	else if (queues == 1 && tap_try_attach(ifname, tap | mq))
		snprintf(err, err_len,
			 "tap %s: a multi-queue TAP: give queues=2 or more",
			 ifname);
	else if (tap_try_attach(ifname, IFF_TUN | IFF_NO_PI) ||
		 tap_try_attach(ifname, IFF_TUN | IFF_NO_PI | mq))
		snprintf(err, err_len, "tap %s: a TUN, not a TAP interface",
			 ifname);
	else
		snprintf(err, err_len, "tap %s: not a TAP interface", ifname);
}

static int tap_attach_err(const char *ifname, unsigned int queues, int e,
			  char *err, size_t err_len)
{
	if (e == EPERM || e == EACCES)
		snprintf(err, err_len,
			 "tap %s: permission denied (needs CAP_NET_ADMIN or "
			 "ownership)",
			 ifname);
	else if (e == EINVAL)
		tap_explain_einval(ifname, queues, err, err_len);
	else if (e == EBUSY)
		snprintf(err, err_len,
			 "tap %s: busy (attached by another process?)", ifname);
	else
		snprintf(err, err_len, "tap %s: %s", ifname, strerror(e));
	return -e;
}

/* Opens one queue's file and attaches it to the interface. */
static int tap_open_queue(struct net_tap *t, unsigned int queues, char *err,
			  size_t err_len)
{
	struct ifreq ifr = {0};
	int hdr_len = TAP_HDR_LEN, le = 1;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	int e;

	if (fd < 0) {
		e = errno;
		if (e == EPERM || e == EACCES)
			return tap_attach_err(t->ifname, queues, e, err,
					      err_len);
		snprintf(err, err_len, "tap %s: /dev/net/tun: %s", t->ifname,
			 strerror(e));
		return -e;
	}
	memcpy(ifr.ifr_name, t->ifname, IFNAMSIZ);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (queues > 1)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto out_err;
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0)
		goto out_err;
	/* virtio 1.x headers are little-endian; this is already so on a
	 * little-endian host, where the ioctl may be refused. */
	(void)ioctl(fd, TUNSETVNETLE, &le);
	return fd;

out_err:
	e = errno;
	close(fd);
	return tap_attach_err(t->ifname, queues, e, err, err_len);
}

static int tap_check_args(const char *ifname, unsigned int queues, char *err,
			  size_t err_len)
{
	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ) {
		snprintf(err, err_len,
			 "tap: interface name must be 1..%d "
			 "characters",
			 IFNAMSIZ - 1);
		return -EINVAL;
	}
	if (queues < 1 || queues > TAP_MAX_QUEUES) {
		snprintf(err, err_len, "tap %s: queues must be 1..%d", ifname,
			 TAP_MAX_QUEUES);
		return -EINVAL;
	}
	/* vmm never creates an interface: TUNSETIFF would, so look first. */
	if (!if_nametoindex(ifname)) {
		snprintf(err, err_len, "tap %s: no such interface", ifname);
		return -ENODEV;
	}
	return 0;
}

int net_tap_create(const char *ifname, unsigned int queues,
		   struct net_backend **out, char *err, size_t err_len)
{
	struct net_tap *t;
	int ret;

	ret = tap_check_args(ifname, queues, err, err_len);
	if (ret < 0)
		return ret;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	strcpy(t->ifname, ifname);
	for (unsigned int q = 0; q < TAP_MAX_QUEUES; q++)
		t->fd[q] = -1;
	for (unsigned int q = 0; q < queues; q++) {
		t->overflow[q] = malloc(NET_BACKEND_MAX_FRAME + TAP_HDR_LEN);
		t->rx_iov[q] = calloc(TAP_MAX_IOV + 1, sizeof(struct iovec));
		if (!t->overflow[q] || !t->rx_iov[q]) {
			snprintf(err, err_len, "tap %s: out of memory", ifname);
			ret = -ENOMEM;
			goto out_free;
		}
		ret = tap_open_queue(t, queues, err, err_len);
		if (ret < 0)
			goto out_free;
		t->fd[q] = ret;
	}
	t->be.ops = &tap_ops;
	t->be.kind = "tap";
	t->be.queues = queues;
	t->be.vnet_hdr = true;
	t->be.offloads = TAP_TX_OFFLOADS | tap_probe_rx_offloads(t->fd[0]);
	t->be.mtu = 0;
	*out = &t->be;
	return 0;

out_free:
	tap_destroy(&t->be);
	return ret;
}
