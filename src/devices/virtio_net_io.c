/* virtio_net_io: a queue pair's data path (virtio 1.3 §5.1.6.2 Packet
 * Transmission, §5.1.6.3 Setting Up Receive Buffers, §5.1.6.4 Processing
 * of Incoming Packets, §5.1.6.4.2 merged buffers).
 *
 * Runs on the pair's thread only. Transmit: header checked on a host copy,
 * frame handed to the backend straight from guest memory. Receive: one
 * frame into a host bounce buffer, then into as many guest buffers as it
 * needs. Depends on src/virtio, src/kvm and net_backend.h.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "log.h"
#include "virtio_net_internal.h"

#define ETH_HDR_LEN 14

static bool link_up(struct virtio_net *net)
{
	return __atomic_load_n(&net->link_up, __ATOMIC_ACQUIRE);
}

/* ---- transmit ---- */

/* Reads and checks the header of the request in p->tx and describes the
 * frame in p->tx_iov. Returns 0, or <0 (counted) to drop the frame. */
static int tx_prepare(struct virtio_net_pair *p)
{
	struct virtio_net *net = p->net;
	struct virtio_net_hdr_v1 h;
	const char *why = "frame too short or too long";
	uint32_t flen;
	size_t got;

	if (vq_req_read(&p->tx, &h, sizeof(h)) < sizeof(h))
		goto out_bad; /* includes no device-readable byte at all */
	flen = vq_req_read_left(&p->tx);
	if (flen < ETH_HDR_LEN || flen > NET_BACKEND_MAX_FRAME)
		goto out_bad;
	if (virtio_net_hdr_check(&h, flen, net->vd.features, net->be->vnet_hdr,
				 &why) < 0)
		goto out_bad;
	if (!link_up(net)) { /* the cable is out: the frame is lost */
		virtio_net_count(net, tx_dropped);
		return -ENETDOWN;
	}
	p->tx_n = 0;
	if (net->be->vnet_hdr) {
		/* The checked copy goes out, not the guest's bytes. */
		h.flags &= ~VIRTIO_NET_HDR_F_DATA_VALID;
		h.num_buffers = 0;
		p->tx_hdr = h;
		p->tx_iov[p->tx_n++] =
			(struct iovec){&p->tx_hdr, sizeof(p->tx_hdr)};
	}
	p->tx_n += vq_req_read_iov(&p->tx, p->tx_iov + p->tx_n, VQ_REQ_MAX_SEGS,
				   flen, &got);
	return 0;
out_bad:
	log_guest("virtio-net: transmit: %s: frame dropped", why);
	virtio_net_count(net, tx_errors);
	return -EINVAL;
}

/* Hands p->tx to the backend. Returns false if the backend cannot take
 * it now (-EAGAIN): it stays in hand until tx_fd polls writable. */
static bool tx_send(struct virtio_net_pair *p)
{
	struct net_backend *be = p->net->be;
	int r = net_backend_send(be, p->idx, p->tx_iov, p->tx_n);

	if (r == -EAGAIN && be->ops->tx_fd(be, p->idx) >= 0) {
		p->want_tx = true;
		return false;
	}
	if (r < 0)
		virtio_net_count(p->net, tx_errors);
	else
		virtio_net_count(p->net, tx_packets);
	return true;
}

void virtio_net_tx_run(struct virtio_net_pair *p)
{
	unsigned int done = 0;

	while (done < VIRTIO_NET_BUDGET) {
		if (!p->tx_held) {
			if (vq_pop(p->txq, &p->tx) <= 0)
				break; /* empty (kicks are on again) or broken
					*/
			p->tx_held = tx_prepare(p) == 0;
			if (!p->tx_held) {
				vq_push(p->txq, &p->tx, 0);
				done++;
				continue;
			}
		}
		if (!tx_send(p))
			break;
		p->tx_held = false;
		vq_push(p->txq, &p->tx, 0);
		done++;
	}
	if (done == VIRTIO_NET_BUDGET)
		p->more = true;
	if (done) {
		net_backend_send_done(p->net->be, p->idx);
		vq_flush(p->txq); /* one notification decision per batch */
	}
}

/* ---- receive ---- */

/* Makes sure one receive buffer is in hand. A buffer that cannot even hold
 * the header is returned unused. Returns false if the ring is empty. */
static bool rx_have_buffer(struct virtio_net_pair *p, unsigned int *pushed)
{
	struct vq_req *req = &p->held[0];

	while (!p->nr_held) {
		if (vq_pop(p->rxq, req) <= 0)
			return false;
		if (vq_req_writable(req) >= VIRTIO_NET_HDR_LEN) {
			p->nr_held = 1;
			break;
		}
		log_guest("virtio-net: receive buffer of %u bytes, shorter "
			  "than the header",
			  vq_req_writable(req));
		virtio_net_count(p->net, rx_errors);
		vq_push(p->rxq, req, 0);
		(*pushed)++;
	}
	return true;
}

/* Gets buffers for a frame of len bytes (header included): one big enough,
 * or with MRG_RXBUF as many as it takes. Returns 1 when they are in hand,
 * 0 when the ring ran dry (wait for a kick), -1 if the frame can never
 * fit: the buffers in hand fill the whole ring (counted in descriptors, at
 * least one per buffer; an indirect chain counts as its length, which
 * errs on the side of giving up early). The buffers then stay in hand for
 * the next frame. */
static int rx_gather(struct virtio_net_pair *p, uint32_t len, bool mrg)
{
	uint16_t ring = virtio_queue_size(&p->net->vd, p->rxq->index);
	uint64_t room = 0;
	unsigned int slots = 0;
	struct vq_req *req;

	if (!mrg)
		return vq_req_writable(&p->held[0]) >= len ? 1 : -1;
	for (unsigned int i = 0; i < p->nr_held; i++) {
		room += vq_req_writable(&p->held[i]);
		slots += p->held[i].nr_segs;
	}
	while (room < len) {
		if (slots >= ring || p->nr_held == VIRTIO_NET_QUEUE_MAX_SIZE)
			return -1;
		req = &p->held[p->nr_held];
		if (vq_pop(p->rxq, req) <= 0)
			return 0;
		p->nr_held++;
		room += vq_req_writable(req);
		slots += req->nr_segs;
	}
	return 1;
}

/* The next frame starts in held[0]: one too short for the header is
 * returned unused. Returns the buffers returned. */
static unsigned int rx_trim(struct virtio_net_pair *p)
{
	unsigned int n = 0;

	while (n < p->nr_held &&
	       vq_req_writable(&p->held[n]) < VIRTIO_NET_HDR_LEN)
		vq_push(p->rxq, &p->held[n++], 0);
	if (n) {
		p->nr_held -= n;
		memmove(p->held, p->held + n, p->nr_held * sizeof(*p->held));
	}
	return n;
}

/* Copies the waiting frame into the buffers in hand (§5.1.6.4: num_buffers
 * says how many it took) and returns them. Returns the buffers used. */
static unsigned int rx_deliver(struct virtio_net_pair *p, bool mrg)
{
	struct virtio_net_hdr_v1 *h = (struct virtio_net_hdr_v1 *)p->bounce;
	uint32_t len = p->pending, off = 0;
	unsigned int k = 1;
	uint64_t room = vq_req_writable(&p->held[0]);
	size_t w;

	while (mrg && room < len)
		room += vq_req_writable(&p->held[k++]);
	h->num_buffers = htole16((uint16_t)k);
	for (unsigned int i = 0; i < k; i++) {
		w = vq_req_write(&p->held[i], p->bounce + off, len - off);
		off += (uint32_t)w;
		vq_push(p->rxq, &p->held[i], (uint32_t)w);
	}
	p->nr_held -= k;
	if (p->nr_held) /* rare: left over from a frame that never fit */
		memmove(p->held, p->held + k, p->nr_held * sizeof(*p->held));
	p->pending = 0;
	virtio_net_count(p->net, rx_packets);
	return k + rx_trim(p);
}

/* Takes the next frame from the backend into the bounce buffer, header
 * first. Returns 1 with p->pending set, 0 if none is waiting, -1 if one
 * was dropped (counted). */
static int rx_fetch(struct virtio_net_pair *p)
{
	struct virtio_net *net = p->net;
	uint32_t hl = net->be->vnet_hdr ? 0 : VIRTIO_NET_HDR_LEN;
	struct iovec iov = {p->bounce + hl,
			    VIRTIO_NET_HDR_LEN + NET_BACKEND_MAX_FRAME - hl};
	ssize_t r = net_backend_recv(net->be, p->idx, &iov, 1);
	bool ok;

	if (r == 0 || r == -EAGAIN)
		return 0;
	if (r < 0 || (size_t)r + hl < VIRTIO_NET_HDR_LEN) {
		virtio_net_count(net, rx_errors);
		return -1;
	}
	if (hl) /* no offload: a header that says "nothing special" */
		memset(p->bounce, 0, VIRTIO_NET_HDR_LEN);
	if (!link_up(net)) {
		virtio_net_count(net, rx_dropped);
		return -1;
	}
	pthread_mutex_lock(&net->filter_lock);
	ok = virtio_net_filter_accept(&net->filter,
				      p->bounce + VIRTIO_NET_HDR_LEN,
				      (uint32_t)(r + hl) - VIRTIO_NET_HDR_LEN);
	pthread_mutex_unlock(&net->filter_lock);
	if (!ok) {
		virtio_net_count(net, rx_filtered);
		return -1;
	}
	p->pending = (uint32_t)(r + hl);
	return 1;
}

/* One step for the frame in hand or the next one. Returns false when the
 * pass is over (p->want_rx says whether to poll rx_fd). */
static bool rx_step(struct virtio_net_pair *p, bool mrg, unsigned int *pushed)
{
	int r;

	if (p->pending && !link_up(p->net)) {
		p->pending = 0;
		virtio_net_count(p->net, rx_dropped);
	}
	if (!p->pending) {
		/* No buffer: frames wait in the backend until a kick. A
		 * pulled cable drains them without one. */
		if (link_up(p->net) && !rx_have_buffer(p, pushed))
			return false;
		r = p->rx_maybe ? rx_fetch(p) : 0;
		if (r == 0)
			p->want_rx = true;
		return r != 0;
	}
	if (!p->nr_held && !rx_have_buffer(p, pushed))
		return false;
	r = rx_gather(p, p->pending, mrg);
	if (r == 0)
		return false;
	if (r < 0) {
		log_guest("virtio-net: receive buffers too small for a "
			  "%u-byte frame: dropped",
			  p->pending);
		virtio_net_count(p->net, rx_dropped);
		p->pending = 0;
		return true;
	}
	*pushed += rx_deliver(p, mrg);
	return true;
}

void virtio_net_rx_run(struct virtio_net_pair *p)
{
	bool mrg = virtio_has_feature(&p->net->vd, VIRTIO_NET_F_MRG_RXBUF);
	unsigned int pushed = 0, n;

	/* §5.1.6.5.5: pairs past the active count are idle. */
	if (p->idx >= __atomic_load_n(&p->net->curr_pairs, __ATOMIC_ACQUIRE))
		return;
	for (n = 0; n < VIRTIO_NET_BUDGET; n++)
		if (!rx_step(p, mrg, &pushed))
			break;
	if (n == VIRTIO_NET_BUDGET)
		p->more = true;
	if (pushed)
		vq_flush(p->rxq);
}

void virtio_net_io_drop(struct virtio_net_pair *p, unsigned int fence)
{
	/* The core forgets these requests with the ring (their epoch is
	 * stale); a frame waiting in the bounce buffer survives. */
	if (fence & VIRTIO_NET_FENCE_RX)
		p->nr_held = 0;
	if (fence & VIRTIO_NET_FENCE_TX)
		p->tx_held = false;
}
