/* virtio_net_ctrl: the control virtqueue (virtio 1.3 §5.1.6.5 Control
 * Virtqueue): rx mode, MAC table and address, VLAN table, announcement
 * acks and the number of queue pairs.
 *
 * Runs on pair 0's thread. A command is a 2-byte class/command header and
 * its data, device-readable, then one device-writable ack byte. Every
 * length is checked; a malformed command gets VIRTIO_NET_ERR, or, with no
 * writable byte for the ack, is completed with nothing written.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "log.h"
#include "virtio_net_internal.h"

struct ctrl_cmd {
	struct virtio_net *net;
	struct vq_req *req;
	uint8_t class, cmd;
};

static bool ctrl_has(struct ctrl_cmd *c, unsigned int bit)
{
	return virtio_has_feature(&c->net->vd, bit);
}

/* Reads exactly len bytes of data, and requires nothing after them. */
static bool read_exact(struct ctrl_cmd *c, void *dst, size_t len)
{
	return vq_req_read_left(c->req) == len &&
	       vq_req_read(c->req, dst, len) == len;
}

/* §5.1.6.5.1: one byte, zero turns the mode off. */
static int ctrl_rx(struct ctrl_cmd *c)
{
	struct virtio_net_filter *f = &c->net->filter;
	bool *mode[] = {&f->promisc, &f->allmulti, &f->alluni,
			&f->nomulti, &f->nouni,	   &f->nobcast};
	uint8_t on;

	if (c->cmd >= sizeof(mode) / sizeof(*mode) ||
	    !ctrl_has(c, VIRTIO_NET_F_CTRL_RX) ||
	    (c->cmd > VIRTIO_NET_CTRL_RX_ALLMULTI &&
	     !ctrl_has(c, VIRTIO_NET_F_CTRL_RX_EXTRA)))
		return -EINVAL;
	if (!read_exact(c, &on, 1))
		return -EINVAL;
	pthread_mutex_lock(&c->net->filter_lock);
	*mode[c->cmd] = on != 0;
	pthread_mutex_unlock(&c->net->filter_lock);
	return 0;
}

/* One table of struct virtio_net_ctrl_mac: a le32 count and the entries.
 * More than VIRTIO_NET_MAC_TABLE entries are skipped and the table
 * overflows (that kind is then accepted as a whole). */
static int read_mac_table(struct vq_req *req, uint8_t (*t)[6], unsigned int *nr,
			  bool *overflow)
{
	uint32_t n;
	uint8_t skip[6];

	if (vq_req_read(req, &n, sizeof(n)) != sizeof(n))
		return -EINVAL;
	n = le32toh(n);
	if ((uint64_t)n * 6 > vq_req_read_left(req))
		return -EINVAL;
	*overflow = n > VIRTIO_NET_MAC_TABLE;
	*nr = *overflow ? 0 : n;
	for (uint32_t i = 0; i < n; i++)
		vq_req_read(req, i < *nr ? t[i] : skip, 6);
	return 0;
}

/* §5.1.6.5.2: TABLE_SET (unicast table, then multicast table) and
 * ADDR_SET (the default MAC, shown in config space). */
static int ctrl_mac(struct ctrl_cmd *c)
{
	struct virtio_net *net = c->net;
	struct virtio_net_filter t;
	uint8_t mac[6];

	if (c->cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET) {
		if (!ctrl_has(c, VIRTIO_NET_F_CTRL_MAC_ADDR) ||
		    !read_exact(c, mac, 6))
			return -EINVAL;
		virtio_config_update(&net->vd, 0, mac, 6);
		pthread_mutex_lock(&net->filter_lock);
		memcpy(net->filter.mac, mac, 6);
		pthread_mutex_unlock(&net->filter_lock);
		return 0;
	}
	if (c->cmd != VIRTIO_NET_CTRL_MAC_TABLE_SET ||
	    !ctrl_has(c, VIRTIO_NET_F_CTRL_RX))
		return -EINVAL;
	if (read_mac_table(c->req, t.uni, &t.nr_uni, &t.uni_overflow) < 0 ||
	    read_mac_table(c->req, t.multi, &t.nr_multi, &t.multi_overflow) <
		    0 ||
	    vq_req_read_left(c->req))
		return -EINVAL;
	pthread_mutex_lock(&net->filter_lock);
	memcpy(net->filter.uni, t.uni, sizeof(t.uni));
	memcpy(net->filter.multi, t.multi, sizeof(t.multi));
	net->filter.nr_uni = t.nr_uni;
	net->filter.nr_multi = t.nr_multi;
	net->filter.uni_overflow = t.uni_overflow;
	net->filter.multi_overflow = t.multi_overflow;
	pthread_mutex_unlock(&net->filter_lock);
	return 0;
}

/* §5.1.6.5.3: a le16 VLAN id below 4096. */
static int ctrl_vlan(struct ctrl_cmd *c)
{
	struct virtio_net_filter *f = &c->net->filter;
	uint16_t vid;

	if (c->cmd > VIRTIO_NET_CTRL_VLAN_DEL ||
	    !ctrl_has(c, VIRTIO_NET_F_CTRL_VLAN) ||
	    !read_exact(c, &vid, sizeof(vid)))
		return -EINVAL;
	vid = le16toh(vid);
	if (vid >= VIRTIO_NET_VLANS)
		return -EINVAL;
	pthread_mutex_lock(&c->net->filter_lock);
	if (c->cmd == VIRTIO_NET_CTRL_VLAN_ADD)
		f->vlans[vid / 32] |= 1u << (vid % 32);
	else
		f->vlans[vid / 32] &= ~(1u << (vid % 32));
	pthread_mutex_unlock(&c->net->filter_lock);
	return 0;
}

/* §5.1.6.5.4: the driver has announced itself; no data. */
static int ctrl_announce(struct ctrl_cmd *c)
{
	if (c->cmd != VIRTIO_NET_CTRL_ANNOUNCE_ACK ||
	    !ctrl_has(c, VIRTIO_NET_F_GUEST_ANNOUNCE) ||
	    vq_req_read_left(c->req))
		return -EINVAL;
	virtio_net_status_update(c->net, 0, VIRTIO_NET_S_ANNOUNCE);
	return 0;
}

/* §5.1.6.5.5: struct virtio_net_ctrl_mq, 1 .. max_virtqueue_pairs. */
static int ctrl_mq(struct ctrl_cmd *c)
{
	uint16_t pairs;

	if (c->cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET ||
	    !ctrl_has(c, VIRTIO_NET_F_MQ) ||
	    !read_exact(c, &pairs, sizeof(pairs)))
		return -EINVAL;
	pairs = le16toh(pairs);
	if (pairs < VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN || pairs > c->net->nr_pairs)
		return -EINVAL;
	__atomic_store_n(&c->net->curr_pairs, pairs, __ATOMIC_RELEASE);
	virtio_net_wake_all(c->net);
	return 0;
}

static int ctrl_dispatch(struct ctrl_cmd *c)
{
	switch (c->class) {
	case VIRTIO_NET_CTRL_RX:
		return ctrl_rx(c);
	case VIRTIO_NET_CTRL_MAC:
		return ctrl_mac(c);
	case VIRTIO_NET_CTRL_VLAN:
		return ctrl_vlan(c);
	case VIRTIO_NET_CTRL_ANNOUNCE:
		return ctrl_announce(c);
	case VIRTIO_NET_CTRL_MQ:
		return ctrl_mq(c);
	default:
		return -EINVAL; /* GUEST_OFFLOADS etc.: never offered */
	}
}

/* One command; returns the used length (the ack byte, or 0). */
static uint32_t ctrl_serve(struct virtio_net *net, struct vq_req *req)
{
	struct virtio_net_ctrl_hdr h;
	struct ctrl_cmd c = {.net = net, .req = req};
	uint8_t ack = VIRTIO_NET_ERR;

	if (!vq_req_writable(req)) {
		log_guest("virtio-net: control command without an ack byte");
		virtio_net_count(net, ctrl_err);
		return 0;
	}
	if (vq_req_read(req, &h, sizeof(h)) == sizeof(h)) {
		c.class = h.class;
		c.cmd = h.cmd;
		if (ctrl_dispatch(&c) == 0)
			ack = VIRTIO_NET_OK;
	}
	if (ack != VIRTIO_NET_OK) {
		log_guest("virtio-net: control command %u/%u refused", c.class,
			  c.cmd);
		virtio_net_count(net, ctrl_err);
	} else {
		virtio_net_count(net, ctrl_ok);
	}
	return (uint32_t)vq_req_write(req, &ack, 1);
}

void virtio_net_ctrl_run(struct virtio_net *net)
{
	struct virtq *vq = virtio_queue(&net->vd, virtio_net_ctrl_index(net));
	unsigned int done = 0;

	while (vq_pop(vq, &net->ctrl) > 0) {
		vq_push(vq, &net->ctrl, ctrl_serve(net, &net->ctrl));
		if (++done == VIRTIO_NET_BUDGET) {
			net->pairs[0].more = true; /* the data path's turn */
			break;
		}
	}
	if (done)
		vq_flush(vq);
}
