/* virtio_vsock_conn: the connection table and the guest's packets, the
 * transmitq (virtio 1.3 §5.10.6.4 Device Operation: transmitq, §5.10.6.3
 * flow control, §5.10.6.6 stream sockets, §5.10.6.7 SEQPACKET).
 *
 * Every packet is checked before it touches a connection; a bad one is
 * dropped (unaddressable) or answered with RST. Depends on src/virtio.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "virtio_vsock_internal.h"

struct vsock_conn *vsock_conn_new(struct virtio_vsock *vs, int fd,
				  enum vsock_state state)
{
	struct vsock_conn *c;

	if (vs->nr_conns >= VSOCK_MAX_CONNS)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = fd;
	c->state = state;
	c->type = VIRTIO_VSOCK_TYPE_STREAM;
	vs->conns[vs->nr_conns++] = c;
	return c;
}

struct vsock_conn *vsock_conn_find(struct virtio_vsock *vs, uint32_t local,
				   uint32_t peer)
{
	struct vsock_conn *c;

	for (unsigned int i = 0; i < vs->nr_conns; i++) {
		c = vs->conns[i];
		if (c->state != VSOCK_DEAD && c->state != VSOCK_HANDSHAKE &&
		    c->local_port == local && c->peer_port == peer)
			return c;
	}
	return NULL;
}

void vsock_rst_queue(struct virtio_vsock *vs, uint32_t local, uint32_t peer,
		     uint16_t type)
{
	struct vsock_rst *r;

	if (vs->nr_rst == VSOCK_RST_QUEUE) {
		log_guest("virtio-vsock: RST queue full, dropping one");
		return;
	}
	r = &vs->rst[(vs->rst_head + vs->nr_rst++) % VSOCK_RST_QUEUE];
	*r = (struct vsock_rst){local, peer, type};
}

void vsock_conn_close(struct virtio_vsock *vs, struct vsock_conn *c, bool rst)
{
	if (c->state == VSOCK_DEAD)
		return;
	/* A host program still in its handshake never met the guest. */
	if (rst && c->state != VSOCK_HANDSHAKE)
		vsock_rst_queue(vs, c->local_port, c->peer_port, c->type);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = VSOCK_DEAD;
}

static void conn_free(struct vsock_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c->out);
	free(c);
}

void vsock_conn_sweep(struct virtio_vsock *vs)
{
	unsigned int i = 0;

	while (i < vs->nr_conns) {
		if (vs->conns[i]->state != VSOCK_DEAD) {
			i++;
			continue;
		}
		conn_free(vs->conns[i]);
		vs->conns[i] = vs->conns[--vs->nr_conns];
	}
}

void vsock_conn_drop_all(struct virtio_vsock *vs)
{
	for (unsigned int i = 0; i < vs->nr_conns; i++)
		conn_free(vs->conns[i]);
	vs->nr_conns = 0;
	vs->nr_rst = 0;
	vs->rst_head = 0;
	vs->rx_held = false; /* the reset took it back */
}

uint32_t vsock_conn_credit(const struct vsock_conn *c)
{
	/* u32 wrap arithmetic (§5.10.6.3): in flight is tx_cnt - fwd_cnt.
	 * A guest that claims more forwarded than we sent, or shrinks its
	 * buffer below what is in flight, gets nothing until it makes sense. */
	uint32_t in_flight = c->tx_cnt - c->peer_fwd_cnt;

	return in_flight > c->peer_buf_alloc ? 0
					     : c->peer_buf_alloc - in_flight;
}

/* ---- guest bytes to the Unix socket ---- */

static void note_forwarded(struct vsock_conn *c, uint32_t n)
{
	uint32_t guest_view = c->rx_cnt - c->fwd_sent; /* used, it thinks */

	c->fwd_cnt += n;
	/* Tell the guest once a quarter of the buffer came free, or when
	 * all is out while it thinks more than half is in use. */
	if (c->fwd_cnt - c->fwd_sent >= VSOCK_BUF_ALLOC / 4 ||
	    (!c->len && c->fwd_cnt != c->fwd_sent &&
	     guest_view > VSOCK_BUF_ALLOC / 2))
		c->want |= VSOCK_WANT_CREDIT;
}

/* Sends n bytes at buf[head] as one send; returns what went, -1 on a
 * fatal error, 0 when the socket is full. */
static ssize_t send_some(struct vsock_conn *c, uint32_t n)
{
	ssize_t r;

	do
		r = send(c->fd, c->buf + c->head, n,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EAGAIN ? 0 : -1;
	return r;
}

static void consume(struct vsock_conn *c, uint32_t n)
{
	c->head += n;
	c->len -= n;
	note_forwarded(c, n);
	if (!c->len && !c->nr_msgs) {
		free(c->buf);
		c->buf = NULL;
		c->head = 0;
	}
}

/* Stream: as much as the socket takes. SEQPACKET: whole messages, one
 * send each (an empty message too). Returns -1 on a fatal error. */
static int flush_bytes(struct vsock_conn *c)
{
	bool seq = c->type == VIRTIO_VSOCK_TYPE_SEQPACKET;
	uint32_t n;
	ssize_t r;

	while (seq ? c->nr_msgs > 0 : c->len > 0) {
		n = seq ? c->msg_len[c->msg_head] : c->len;
		r = send_some(c, n);
		if (r < 0)
			return -1;
		if (!r && n)
			return 0;
		if (seq) { /* a SEQPACKET send is all or nothing */
			c->msg_head = (c->msg_head + 1) % VSOCK_SEQ_MSGS;
			c->nr_msgs--;
			r = n;
		}
		consume(c, (uint32_t)r);
	}
	return 0;
}

void vsock_conn_flush(struct virtio_vsock *vs, struct vsock_conn *c)
{
	if (c->state != VSOCK_ESTABLISHED)
		return;
	if (flush_bytes(c) < 0) {
		vsock_conn_close(vs, c, true);
		return;
	}
	if (c->len)
		return;
	/* §5.10.6.6: both directions shut, nothing left: we end it. */
	if (c->guest_shut ==
	    (VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND)) {
		vsock_conn_close(vs, c, true);
		return;
	}
	if ((c->guest_shut & VIRTIO_VSOCK_SHUTDOWN_SEND) && !c->shut_wr) {
		shutdown(c->fd, SHUT_WR);
		c->shut_wr = true;
	}
}

/* Appends the payload at the request's read cursor to buf. */
static int append(struct vsock_conn *c, struct vq_req *req, uint32_t n)
{
	if (!c->buf) {
		c->buf = malloc(VSOCK_BUF_ALLOC);
		if (!c->buf)
			return -ENOMEM;
		c->head = 0;
	}
	if (c->head + c->len + n > VSOCK_BUF_ALLOC) {
		memmove(c->buf, c->buf + c->head, c->len);
		c->head = 0;
	}
	if (vq_req_read(req, c->buf + c->head + c->len, n) != n)
		return -EIO;
	c->len += n;
	return 0;
}

/* §5.10.6.6: an RW packet's payload toward the socket. */
static int deliver(struct virtio_vsock *vs, struct vsock_conn *c,
		   struct vq_req *req, uint32_t len, uint32_t flags)
{
	uint32_t partial;

	if (c->len + len > VSOCK_BUF_ALLOC) {
		log_guest("virtio-vsock: port %u sent past its credit",
			  c->peer_port);
		return -ENOBUFS;
	}
	if (append(c, req, len) < 0)
		return -ENOMEM;
	c->rx_cnt += len;
	if (c->type == VIRTIO_VSOCK_TYPE_SEQPACKET &&
	    (flags & VIRTIO_VSOCK_SEQ_EOM)) {
		if (c->nr_msgs == VSOCK_SEQ_MSGS)
			return -ENOBUFS;
		partial = c->len;
		for (unsigned int i = 0; i < c->nr_msgs; i++)
			partial -=
				c->msg_len[(c->msg_head + i) % VSOCK_SEQ_MSGS];
		c->msg_len[(c->msg_head + c->nr_msgs++) % VSOCK_SEQ_MSGS] =
			partial;
	}
	vsock_conn_flush(vs, c);
	return 0;
}

/* ---- the transmitq ---- */

static void on_shutdown(struct virtio_vsock *vs, struct vsock_conn *c,
			uint32_t flags)
{
	flags &= VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND;
	c->guest_shut |= flags;
	/* The guest reads no more: the program's writes fail from now. */
	if (flags & VIRTIO_VSOCK_SHUTDOWN_RCV)
		shutdown(c->fd, SHUT_RD);
	vsock_conn_flush(vs, c);
}

/* An established or requested connection's packet. Returns <0 to reset. */
static int on_conn_packet(struct virtio_vsock *vs, struct vsock_conn *c,
			  const struct virtio_vsock_hdr *h, struct vq_req *req)
{
	uint16_t op = le16toh(h->op);

	c->peer_buf_alloc = le32toh(h->buf_alloc);
	c->peer_fwd_cnt = le32toh(h->fwd_cnt);
	if (op == VIRTIO_VSOCK_OP_RST) {
		vsock_conn_close(vs, c, false);
		return 0;
	}
	if (c->state == VSOCK_REQUESTED)
		return op == VIRTIO_VSOCK_OP_RESPONSE
			       ? vsock_host_accepted(vs, c)
			       : -EPROTO;
	switch (op) {
	case VIRTIO_VSOCK_OP_RW:
		if (c->guest_shut & VIRTIO_VSOCK_SHUTDOWN_SEND)
			return -EPROTO;
		return deliver(vs, c, req, le32toh(h->len), le32toh(h->flags));
	case VIRTIO_VSOCK_OP_SHUTDOWN:
		on_shutdown(vs, c, le32toh(h->flags));
		return 0;
	case VIRTIO_VSOCK_OP_CREDIT_UPDATE:
		return 0; /* the header said it all */
	case VIRTIO_VSOCK_OP_CREDIT_REQUEST:
		c->want |= VSOCK_WANT_CREDIT;
		return 0;
	default: /* REQUEST or RESPONSE on a live connection */
		return -EPROTO;
	}
}

/* What every packet must satisfy before we look at its ports (§5.10.6):
 * addressed from the guest to the host, a sane length that matches the
 * buffer, a known type and op. Returns 0, -EINVAL to drop it, -EPROTO to
 * answer RST. */
static int check_packet(struct virtio_vsock *vs,
			const struct virtio_vsock_hdr *h, uint32_t readable)
{
	uint16_t type = le16toh(h->type), op = le16toh(h->op);
	uint32_t len = le32toh(h->len);

	if (le64toh(h->src_cid) != vs->guest_cid ||
	    le64toh(h->dst_cid) != VSOCK_HOST_CID) {
		log_guest("virtio-vsock: packet from cid %llu to cid %llu",
			  (unsigned long long)le64toh(h->src_cid),
			  (unsigned long long)le64toh(h->dst_cid));
		return -EINVAL;
	}
	if (len > VSOCK_MAX_PKT || len != readable - VSOCK_HDR_LEN ||
	    (len && op != VIRTIO_VSOCK_OP_RW)) {
		log_guest("virtio-vsock: op %u len %u in a %u-byte buffer", op,
			  len, readable);
		return -EPROTO;
	}
	if (type != VIRTIO_VSOCK_TYPE_STREAM &&
	    !(type == VIRTIO_VSOCK_TYPE_SEQPACKET &&
	      virtio_has_feature(&vs->vd, VIRTIO_VSOCK_F_SEQPACKET))) {
		log_guest("virtio-vsock: socket type %u", type);
		return -EPROTO;
	}
	if (op == VIRTIO_VSOCK_OP_INVALID ||
	    op > VIRTIO_VSOCK_OP_CREDIT_REQUEST) {
		log_guest("virtio-vsock: op %u", op);
		return -EPROTO;
	}
	return 0;
}

static void handle_packet(struct virtio_vsock *vs, struct vq_req *req)
{
	struct virtio_vsock_hdr h;
	struct vsock_conn *c;
	uint32_t local, peer;
	int r;

	if (vq_req_readable(req) < VSOCK_HDR_LEN ||
	    vq_req_read(req, &h, sizeof(h)) != sizeof(h)) {
		log_guest("virtio-vsock: %u-byte packet", vq_req_readable(req));
		return;
	}
	r = check_packet(vs, &h, vq_req_readable(req));
	if (r == -EINVAL)
		return;
	local = le32toh(h.dst_port);
	peer = le32toh(h.src_port);
	c = vsock_conn_find(vs, local, peer);
	if (!r && c && c->type != le16toh(h.type))
		r = -EPROTO;
	if (!r && le16toh(h.op) == VIRTIO_VSOCK_OP_REQUEST) {
		if (!c) {
			vsock_host_connect(vs, &h, le16toh(h.type));
			return;
		}
		r = -EPROTO; /* a second REQUEST for a live connection */
	}
	if (!r && c)
		r = on_conn_packet(vs, c, &h, req);
	else if (!r)
		r = -ENOTCONN;
	/* §5.10.6.4: never answer an RST with an RST. */
	if (r < 0 && c)
		vsock_conn_close(vs, c, le16toh(h.op) != VIRTIO_VSOCK_OP_RST);
	else if (r < 0 && le16toh(h.op) != VIRTIO_VSOCK_OP_RST)
		vsock_rst_queue(vs, local, peer, le16toh(h.type));
}

void vsock_tx_run(struct virtio_vsock *vs)
{
	struct virtq *vq = virtio_queue(&vs->vd, VSOCK_TXQ);

	while (vq_pop(vq, &vs->tx) > 0) {
		handle_packet(vs, &vs->tx);
		vq_push(vq, &vs->tx, 0);
	}
	vq_flush(vq);
}
