/* virtio_vsock_internal: what the parts of virtio-vsock share (virtio 1.3
 * §5.10). virtio_vsock.c is the device and its thread, virtio_vsock_conn.c
 * the connections and the guest's packets (transmitq), virtio_vsock_host.c
 * the Unix-socket side and the packets for the guest (receiveq). Not for
 * use outside src/devices/virtio_vsock*.c.
 */
#ifndef VMM_DEVICES_VIRTIO_VSOCK_INTERNAL_H
#define VMM_DEVICES_VIRTIO_VSOCK_INTERNAL_H

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <linux/virtio_vsock.h>

#include "virtio.h"
#include "virtio_vsock.h"

/* Queue numbers (§5.10.2). */
#define VSOCK_RXQ      0
#define VSOCK_TXQ      1
#define VSOCK_EVTQ     2
#define VSOCK_HOST_CID 2 /* §5.10.4: the host's CID */

#define VSOCK_HDR_LEN ((uint32_t)sizeof(struct virtio_vsock_hdr))
#define VSOCK_MAX_PKT (64u * 1024) /* payload per packet, either way */
/* Our receive buffer per connection (§5.10.6.3 buf_alloc): the most the
 * guest may have sent that we have not yet written to the Unix socket. A
 * guest that sends more is reset. Also the largest SEQPACKET message. */
#define VSOCK_BUF_ALLOC	  (64u * 1024)
#define VSOCK_MAX_CONNS	  1024
#define VSOCK_SEQ_MAX_OUT (256u * 1024) /* longest message to the guest */
#define VSOCK_SEQ_MSGS	  64  /* SEQPACKET messages buffered per connection */
#define VSOCK_RST_QUEUE	  256 /* RSTs waiting for a receive buffer */
#define VSOCK_LINE_MAX	  32  /* "CONNECT <port>\n" from a host program */
#define VSOCK_HOST_PORT0  (1u << 30) /* first port of host connections */

enum vsock_state {
	VSOCK_HANDSHAKE,   /* host program: reading its "CONNECT P\n" */
	VSOCK_REQUESTED,   /* we sent REQUEST, waiting for the guest */
	VSOCK_ESTABLISHED, /* relaying */
	VSOCK_DEAD,	   /* closed; freed at the next sweep */
};

/* What a connection still owes the guest, sent in this order. */
#define VSOCK_WANT_REQUEST  0x1
#define VSOCK_WANT_RESPONSE 0x2
#define VSOCK_WANT_CREDIT   0x4
#define VSOCK_WANT_SHUTDOWN 0x8 /* SHUTDOWN(SEND): the host hit EOF */

/* One connection: a guest (port) and a host (port) end and a Unix socket. */
struct vsock_conn {
	enum vsock_state state;
	uint16_t type;	     /* VIRTIO_VSOCK_TYPE_* */
	uint32_t local_port; /* ours (the host's) */
	uint32_t peer_port;  /* the guest's */
	int fd;
	unsigned int want;   /* VSOCK_WANT_* */
	uint32_t guest_shut; /* VIRTIO_VSOCK_SHUTDOWN_* the guest sent */
	bool shut_wr;	     /* shutdown(SHUT_WR) done */
	bool in_ready;	     /* the socket may have bytes for the guest */
	bool host_eof;	     /* the socket said EOF */
	bool hup;	     /* poll said HUP/ERR: no more polling */

	/* Credit the guest gives us (§5.10.6.3): we may have at most
	 * peer_buf_alloc bytes in flight, tx_cnt - peer_fwd_cnt. */
	uint32_t peer_buf_alloc, peer_fwd_cnt, tx_cnt;
	/* Credit we give: rx_cnt bytes came, fwd_cnt went to the socket,
	 * fwd_sent is the fwd_cnt the guest last heard. */
	uint32_t rx_cnt, fwd_cnt, fwd_sent;

	/* Guest bytes the socket did not take yet: buf[head, head + len). */
	uint8_t *buf;
	uint32_t head, len;
	/* SEQPACKET: lengths of the complete messages at the start of buf;
	 * bytes after them are a message still arriving. */
	uint32_t msg_len[VSOCK_SEQ_MSGS];
	unsigned int msg_head, nr_msgs;

	/* SEQPACKET toward the guest: the message being sent. */
	uint8_t *out;
	uint32_t out_len, out_off;
	uint32_t need_credit; /* the next message's size, if over credit */
};

struct vsock_rst {
	uint32_t local_port, peer_port;
	uint16_t type;
};

struct virtio_vsock {
	struct virtio_dev vd; /* first: the core hands us &vd */
	struct virtio_vsock_config cfg;
	uint32_t guest_cid;
	/* Room left in sun_path for "_<port>". */
	char uds_path[sizeof(((struct sockaddr_un *)0)->sun_path) - 11];
	int listen_fd;
	bool bound; /* uds_path is ours to unlink */
	int wake;   /* eventfd: a kick, a reset or destroy */

	pthread_t thread;
	bool started;
	/* lock/cond: pause (a reset wants the queues; pause_queue says
	 * which, -1 for all), paused (the thread let go), exit. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool pause, paused, exit;
	int pause_queue;

	/* The thread's from here on. */
	struct vsock_conn *conns[VSOCK_MAX_CONNS];
	unsigned int nr_conns, rr;
	uint32_t next_host_port;
	struct vsock_rst rst[VSOCK_RST_QUEUE];
	unsigned int rst_head, nr_rst;

	struct vq_req tx, rx;
	bool rx_held;	 /* rx holds a receive buffer we have not used */
	bool rx_starved; /* the receiveq was empty at the last look */
	struct iovec iov[VQ_REQ_MAX_SEGS];
	uint8_t scratch[VSOCK_MAX_PKT];

	struct pollfd pfd[VSOCK_MAX_CONNS + 2];
	struct vsock_conn *pconn[VSOCK_MAX_CONNS + 2];
};

/* ---- virtio_vsock_conn.c: connections, the transmitq ---- */

/* A new connection (NULL at the cap or without memory), in the table. */
struct vsock_conn *vsock_conn_new(struct virtio_vsock *vs, int fd,
				  enum vsock_state state);
/* The live connection (local, peer), or NULL. */
struct vsock_conn *vsock_conn_find(struct virtio_vsock *vs, uint32_t local,
				   uint32_t peer);
/* Closes the socket; with rst, queues an RST for the guest. The memory
 * goes at the next vsock_conn_sweep. */
void vsock_conn_close(struct virtio_vsock *vs, struct vsock_conn *c, bool rst);
void vsock_conn_sweep(struct virtio_vsock *vs);
/* Closes every connection without telling the guest (device reset). */
void vsock_conn_drop_all(struct virtio_vsock *vs);
/* Queues an RST for the guest; dropped if the queue is full. */
void vsock_rst_queue(struct virtio_vsock *vs, uint32_t local, uint32_t peer,
		     uint16_t type);
/* Writes what the socket takes of the buffered guest bytes, then carries
 * out a guest shutdown the bytes were waiting for. */
void vsock_conn_flush(struct virtio_vsock *vs, struct vsock_conn *c);
/* Bytes we may still send the guest (0 if it claims the impossible). */
uint32_t vsock_conn_credit(const struct vsock_conn *c);
/* Handles every packet on the transmitq (§5.10.6.4). */
void vsock_tx_run(struct virtio_vsock *vs);

/* ---- virtio_vsock_host.c: Unix sockets, the receiveq ---- */

/* Binds and listens on vs->uds_path; err gets one line on failure. */
int vsock_host_listen(struct virtio_vsock *vs, char *err, size_t err_len);
/* Accepts host programs waiting on the listener. */
void vsock_host_accept(struct virtio_vsock *vs);
/* Reads a host program's "CONNECT P\n" and asks the guest. */
void vsock_host_handshake(struct virtio_vsock *vs, struct vsock_conn *c);
/* The guest's REQUEST to port P: connect to UDS_PATH_P. */
void vsock_host_connect(struct virtio_vsock *vs,
			const struct virtio_vsock_hdr *h, uint16_t type);
/* The guest accepted a host program's connection: tell the program. */
int vsock_host_accepted(struct virtio_vsock *vs, struct vsock_conn *c);
/* Fills receive buffers with what is owed to the guest (§5.10.6.5). */
void vsock_rx_run(struct virtio_vsock *vs);

#endif
