/* virtio_vsock_host: the Unix-socket side of virtio-vsock and the packets
 * it sends the guest on the receiveq (virtio 1.3 §5.10.6.5, §5.10.6.3
 * flow control, §5.10.6.6 stream, §5.10.6.7 SEQPACKET).
 *
 * Firecracker's convention: the guest's connection to port P reaches
 * "UDS_PATH_P"; a program on UDS_PATH says "CONNECT P\n" and hears "OK
 * <host port>\n". Depends on src/virtio and the kernel's Unix sockets.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "virtio_vsock_internal.h"

/* ---- the listener ---- */

static int bind_listen(int fd, const struct sockaddr_un *sa)
{
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0)
		return -errno;
	if (listen(fd, 128) < 0)
		return -errno;
	return 0;
}

/* A socket file nobody listens on is left over from an earlier run: it
 * may go. Anything else at the path stays (EADDRINUSE). */
static bool stale_socket(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, r;

	if (lstat(sa->sun_path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	r = r < 0 && errno == ECONNREFUSED;
	close(fd);
	return r;
}

int vsock_host_listen(struct virtio_vsock *vs, char *err, size_t err_len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int r;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", vs->uds_path);
	vs->listen_fd =
		socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (vs->listen_fd < 0) {
		r = -errno;
		goto out_err;
	}
	r = bind_listen(vs->listen_fd, &sa);
	if (r == -EADDRINUSE && stale_socket(&sa) && !unlink(sa.sun_path))
		r = bind_listen(vs->listen_fd, &sa);
	if (r < 0)
		goto out_err;
	vs->bound = true;
	return 0;
out_err:
	if (vs->listen_fd >= 0)
		close(vs->listen_fd);
	vs->listen_fd = -1;
	snprintf(err, err_len, "vsock uds=%s: %s", vs->uds_path, strerror(-r));
	return r;
}

void vsock_host_accept(struct virtio_vsock *vs)
{
	int fd;

	for (;;) {
		fd = accept4(vs->listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN, or a failure we cannot help */
		if (!vsock_conn_new(vs, fd, VSOCK_HANDSHAKE)) {
			log_warn("virtio-vsock: %u connections, refusing one",
				 VSOCK_MAX_CONNS);
			close(fd);
		}
	}
}

/* "CONNECT <decimal port>\n" exactly. */
static int parse_connect(const char *line, uint32_t *port)
{
	unsigned long long v = 0;
	const char *p = line + strlen("CONNECT ");

	if (strncmp(line, "CONNECT ", strlen("CONNECT ")))
		return -EINVAL;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9' && v <= UINT32_MAX; p++)
		v = v * 10 + (unsigned long long)(*p - '0');
	if (v > UINT32_MAX || strcmp(p, "\n"))
		return -EINVAL;
	*port = (uint32_t)v;
	return 0;
}

static uint32_t new_host_port(struct virtio_vsock *vs, uint32_t peer)
{
	uint32_t port;

	do {
		port = vs->next_host_port++;
		if (vs->next_host_port < VSOCK_HOST_PORT0)
			vs->next_host_port = VSOCK_HOST_PORT0;
	} while (vsock_conn_find(vs, port, peer));
	return port;
}

void vsock_host_handshake(struct virtio_vsock *vs, struct vsock_conn *c)
{
	char line[VSOCK_LINE_MAX + 1];
	ssize_t n = recv(c->fd, line, VSOCK_LINE_MAX, MSG_PEEK);
	char *nl;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	nl = n > 0 ? memchr(line, '\n', (size_t)n) : NULL;
	if (!nl && n > 0 && n < VSOCK_LINE_MAX && !c->hup)
		return; /* the rest of the line is still coming */
	/* Take the line only: what follows is data for the guest. */
	if (!nl ||
	    recv(c->fd, line, (size_t)(nl - line + 1), 0) != nl - line + 1) {
		vsock_conn_close(vs, c, false);
		return;
	}
	nl[1] = '\0';
	if (parse_connect(line, &c->peer_port) < 0) {
		log_info("virtio-vsock: bad line from a host program");
		vsock_conn_close(vs, c, false);
		return;
	}
	c->local_port = new_host_port(vs, c->peer_port);
	c->state = VSOCK_REQUESTED;
	c->want = VSOCK_WANT_REQUEST;
}

int vsock_host_accepted(struct virtio_vsock *vs, struct vsock_conn *c)
{
	char ok[32];
	int n = snprintf(ok, sizeof(ok), "OK %" PRIu32 "\n", c->local_port);

	if (send(c->fd, ok, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) != n)
		return -EPIPE;
	c->state = VSOCK_ESTABLISHED;
	return 0;
}

void vsock_host_connect(struct virtio_vsock *vs,
			const struct virtio_vsock_hdr *h, uint16_t type)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	uint32_t local = le32toh(h->dst_port), peer = le32toh(h->src_port);
	int st = type == VIRTIO_VSOCK_TYPE_SEQPACKET ? SOCK_SEQPACKET
						     : SOCK_STREAM;
	struct vsock_conn *c;
	int fd = -1;

	/* The cap first: a connection made and dropped would look like a
	 * peer to the program listening there. */
	if (vs->nr_conns >= VSOCK_MAX_CONNS)
		goto out_rst;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_%" PRIu32, vs->uds_path,
		 local);
	fd = socket(AF_UNIX, st | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* Non-blocking: a full backlog (EAGAIN) is a refusal too. */
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto out_rst;
	c = vsock_conn_new(vs, fd, VSOCK_ESTABLISHED);
	if (!c)
		goto out_rst;
	c->type = type;
	c->local_port = local;
	c->peer_port = peer;
	c->peer_buf_alloc = le32toh(h->buf_alloc);
	c->peer_fwd_cnt = le32toh(h->fwd_cnt);
	c->want = VSOCK_WANT_RESPONSE;
	return;
out_rst:
	if (fd >= 0)
		close(fd);
	vsock_rst_queue(vs, local, peer, type);
}

/* ---- packets for the guest (§5.10.6.5) ---- */

/* Header, then payload from scratch; pushes the buffer. */
static void put_packet(struct virtio_vsock *vs, struct vsock_conn *c,
		       uint16_t op, uint32_t flags, const void *data,
		       uint32_t len)
{
	struct virtq *vq = virtio_queue(&vs->vd, VSOCK_RXQ);
	struct virtio_vsock_hdr h = {
		.src_cid = htole64(VSOCK_HOST_CID),
		.dst_cid = htole64(vs->guest_cid),
		.src_port = htole32(c->local_port),
		.dst_port = htole32(c->peer_port),
		.len = htole32(len),
		.type = htole16(c->type),
		.op = htole16(op),
		.flags = htole32(flags),
		.buf_alloc = htole32(VSOCK_BUF_ALLOC),
		.fwd_cnt = htole32(c->fwd_cnt),
	};

	vq_req_write(&vs->rx, &h, sizeof(h));
	vq_req_write(&vs->rx, data, len);
	vq_push(vq, &vs->rx, VSOCK_HDR_LEN + len);
	vs->rx_held = false;
	c->fwd_sent = c->fwd_cnt; /* every header carries our credit */
	c->want &= ~(unsigned int)VSOCK_WANT_CREDIT;
	c->tx_cnt += op == VIRTIO_VSOCK_OP_RW ? len : 0;
}

static uint32_t room(struct virtio_vsock *vs, struct vsock_conn *c)
{
	uint32_t r = vq_req_writable(&vs->rx) - VSOCK_HDR_LEN;
	uint32_t credit = vsock_conn_credit(c);

	r = r < VSOCK_MAX_PKT ? r : VSOCK_MAX_PKT;
	return r < credit ? r : credit;
}

/* The next piece of a SEQPACKET message; reads one when none is open.
 * Returns true if it sent a packet. */
static bool seq_data(struct virtio_vsock *vs, struct vsock_conn *c)
{
	uint32_t left, n;
	ssize_t r;

	if (!c->out) {
		r = recv(c->fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
		if (r < 0 && errno == EAGAIN) {
			c->in_ready = false;
			return false;
		}
		if (r <= 0) { /* EOF (an empty message reads the same) */
			c->host_eof = true;
			c->want |= VSOCK_WANT_SHUTDOWN;
			return false;
		}
		/* The whole message must fit the guest's credit; one that
		 * never can (§5.10.6.7) ends the connection. */
		if ((uint32_t)r > c->peer_buf_alloc || r > VSOCK_SEQ_MAX_OUT) {
			vsock_conn_close(vs, c, true);
			return false;
		}
		if ((uint32_t)r > vsock_conn_credit(c)) {
			c->need_credit = (uint32_t)r;
			return false;
		}
		c->need_credit = 0;
		c->out = malloc((size_t)r);
		if (!c->out ||
		    recv(c->fd, c->out, (size_t)r, MSG_DONTWAIT) != r) {
			vsock_conn_close(vs, c, true);
			return false;
		}
		c->out_len = (uint32_t)r;
		c->out_off = 0;
	}
	/* The guest may shrink its credit while a message is under way. */
	left = c->out_len - c->out_off;
	n = room(vs, c);
	n = left < n ? left : n;
	if (!n)
		return false;
	put_packet(vs, c, VIRTIO_VSOCK_OP_RW,
		   n == left ? VIRTIO_VSOCK_SEQ_EOM | VIRTIO_VSOCK_SEQ_EOR : 0,
		   c->out + c->out_off, n);
	c->out_off += n;
	if (c->out_off == c->out_len) {
		free(c->out);
		c->out = NULL;
	}
	return true;
}

static bool stream_data(struct virtio_vsock *vs, struct vsock_conn *c)
{
	uint32_t n = room(vs, c);
	ssize_t r;

	if (!n)
		return false;
	r = recv(c->fd, vs->scratch, n, MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
		c->in_ready = false;
		return false;
	}
	if (r < 0) {
		vsock_conn_close(vs, c, true);
		return false;
	}
	if (!r) {
		c->host_eof = true;
		c->want |= VSOCK_WANT_SHUTDOWN;
		return false;
	}
	put_packet(vs, c, VIRTIO_VSOCK_OP_RW, 0, vs->scratch, (uint32_t)r);
	return true;
}

static bool may_read(const struct vsock_conn *c)
{
	return c->state == VSOCK_ESTABLISHED && c->in_ready && !c->host_eof &&
	       !(c->guest_shut & VIRTIO_VSOCK_SHUTDOWN_RCV) &&
	       !(c->want & VSOCK_WANT_RESPONSE);
}

/* One packet of what c owes the guest, in order; false if nothing. */
static bool conn_packet(struct virtio_vsock *vs, struct vsock_conn *c)
{
	if (c->state == VSOCK_DEAD || c->state == VSOCK_HANDSHAKE)
		return false;
	if (c->want & VSOCK_WANT_REQUEST) {
		c->want &= ~(unsigned int)VSOCK_WANT_REQUEST;
		put_packet(vs, c, VIRTIO_VSOCK_OP_REQUEST, 0, NULL, 0);
		return true;
	}
	if (c->want & VSOCK_WANT_RESPONSE) {
		c->want &= ~(unsigned int)VSOCK_WANT_RESPONSE;
		put_packet(vs, c, VIRTIO_VSOCK_OP_RESPONSE, 0, NULL, 0);
		return true;
	}
	if (c->want & VSOCK_WANT_CREDIT) {
		put_packet(vs, c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0);
		return true;
	}
	if (c->out || may_read(c)) {
		if (c->type == VIRTIO_VSOCK_TYPE_SEQPACKET ? seq_data(vs, c)
							   : stream_data(vs, c))
			return true;
	}
	if ((c->want & VSOCK_WANT_SHUTDOWN) && c->state == VSOCK_ESTABLISHED) {
		c->want &= ~(unsigned int)VSOCK_WANT_SHUTDOWN;
		put_packet(vs, c, VIRTIO_VSOCK_OP_SHUTDOWN,
			   VIRTIO_VSOCK_SHUTDOWN_SEND, NULL, 0);
		return true;
	}
	return false;
}

static bool rst_packet(struct virtio_vsock *vs)
{
	struct vsock_rst *r = &vs->rst[vs->rst_head];
	struct vsock_conn c = {.local_port = r->local_port,
			       .peer_port = r->peer_port,
			       .type = r->type};

	if (!vs->nr_rst)
		return false;
	vs->rst_head = (vs->rst_head + 1) % VSOCK_RST_QUEUE;
	vs->nr_rst--;
	put_packet(vs, &c, VIRTIO_VSOCK_OP_RST, 0, NULL, 0);
	return true;
}

/* One packet into the held buffer, round robin over the connections. */
static bool next_packet(struct virtio_vsock *vs)
{
	unsigned int n = vs->nr_conns, i;

	if (rst_packet(vs))
		return true;
	for (unsigned int k = 0; k < n; k++) {
		i = (vs->rr + k) % n;
		if (conn_packet(vs, vs->conns[i])) {
			vs->rr = i + 1;
			return true;
		}
	}
	return false;
}

void vsock_rx_run(struct virtio_vsock *vs)
{
	struct virtq *vq = virtio_queue(&vs->vd, VSOCK_RXQ);

	vs->rx_starved = false;
	for (;;) {
		if (!vs->rx_held) {
			if (vq_pop(vq, &vs->rx) <= 0) {
				vs->rx_starved = true;
				break;
			}
			vs->rx_held = true;
		}
		if (vq_req_writable(&vs->rx) < VSOCK_HDR_LEN) {
			log_guest("virtio-vsock: %u-byte receive buffer",
				  vq_req_writable(&vs->rx));
			vq_push(vq, &vs->rx, 0);
			vs->rx_held = false;
			continue;
		}
		/* A connection that failed queued an RST: send it too. */
		if (!next_packet(vs) && !vs->nr_rst)
			break;
	}
	vq_flush(vq);
}
