/* net_harness: the virtio-net unit tests' shared driver side (see
 * net_harness.h).
 */
#include "net_harness.h"

#include <check.h>
#include <string.h>

#include "virtio_net_internal.h"

const uint8_t nh_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

void nh_create(struct net_harness *h, const struct fake_net_options *bo,
	       struct virtio_net_options *o)
{
	memset(h, 0, sizeof(*h));
	guest_ram_init(&h->ram, 32 << 20);
	h->fb = fake_net_create(bo);
	o->be = fake_net_be(h->fb);
	if (!o->mac[0] && !o->mac[1])
		memcpy(o->mac, nh_mac, 6);
	ck_assert_int_eq(virtio_net_create(o, &h->ram.mem, &h->net), 0);
	h->vd = virtio_net_vdev(h->net);
	h->ctrlq = (uint16_t)(2 * o->be->queues);
}

int nh_probe(struct net_harness *h, int i, uint64_t dev)
{
	int r;

	if (!h->ft.vd) {
		fake_transport_init_loop(&h->ft, h->vd, &h->ram, i);
		h->ft.queue_size = 64;
	}
	h->want = FT_LINUX_FEATURES | dev | (ft_loop_packed(i) ? FT_PACKED : 0);
	r = fake_transport_probe(&h->ft, h->want);
	/* §5.1.2: controlq follows the last pair with MQ, else pair 0. */
	if (r == 0 && !virtio_has_feature(h->vd, VIRTIO_NET_F_MQ))
		h->ctrlq = 2;
	else if (r == 0)
		h->ctrlq = (uint16_t)(h->vd->num_queues - 1);
	return r;
}

void nh_destroy(struct net_harness *h)
{
	fake_transport_destroy(&h->ft);
	virtio_net_destroy(h->net);
	if (h->fb)
		net_backend_destroy(fake_net_be(h->fb));
	guest_ram_destroy(&h->ram);
	memset(h, 0, sizeof(*h));
}

void nh_tx(struct net_harness *h, unsigned int q, const void *buf, uint32_t len,
	   unsigned int nseg, bool indirect)
{
	uint64_t gpa = guest_ram_put(&h->ram, buf, len);
	struct drvq_buf b[8];
	uint32_t off = 0, used, piece;
	uint16_t idx = (uint16_t)(2 * q + 1);
	int tok;

	ck_assert_uint_le(nseg, 8);
	for (unsigned int i = 0; i < nseg; i++) {
		piece = i + 1 == nseg ? len - off : len / nseg;
		b[i] = (struct drvq_buf){gpa + off, piece, false};
		off += piece;
	}
	ck_assert_int_eq(
		fake_transport_send(&h->ft, idx, b, nseg, indirect, &tok), 0);
	ck_assert_ptr_eq(
		fake_transport_wait_used(&h->ft, idx, &used, NH_WAIT_NS), &tok);
	ck_assert_uint_eq(used, 0);
}

uint64_t nh_post_rx(struct net_harness *h, unsigned int q, unsigned int nbuf,
		    uint32_t len)
{
	uint64_t first = guest_ram_alloc(&h->ram, (uint64_t)nbuf * len, 8);
	uint16_t idx = (uint16_t)(2 * q);

	for (unsigned int i = 0; i < nbuf; i++) {
		uint64_t gpa = first + (uint64_t)i * len;
		struct drvq_buf b = {gpa, len, true};

		ck_assert_int_eq(drvq_add(&h->ft.q[idx], &b, 1, false,
					  (void *)(uintptr_t)gpa),
				 0);
	}
	fake_transport_kick(&h->ft, idx);
	return first;
}

uint64_t nh_wait_rx(struct net_harness *h, unsigned int q, uint32_t *len,
		    long long timeout_ns)
{
	return (uint64_t)(uintptr_t)fake_transport_wait_used(
		&h->ft, (uint16_t)(2 * q), len, timeout_ns);
}

uint32_t nh_ctrl_raw(struct net_harness *h, const void *cmd, uint32_t len,
		     uint32_t ack_len, uint8_t *ack)
{
	uint64_t gpa = guest_ram_put(&h->ram, cmd, len ? len : 1);
	uint64_t ack_gpa = guest_ram_alloc(&h->ram, ack_len ? ack_len : 1, 1);
	struct drvq_buf b[2];
	unsigned int n = 0;
	uint32_t used;
	int tok;

	memset(guest_ram_ptr(&h->ram, ack_gpa, 1), 0xee, 1);
	if (len)
		b[n++] = (struct drvq_buf){gpa, len, false};
	if (ack_len)
		b[n++] = (struct drvq_buf){ack_gpa, ack_len, true};
	ck_assert_int_eq(
		fake_transport_send(&h->ft, h->ctrlq, b, n, false, &tok), 0);
	ck_assert_ptr_eq(
		fake_transport_wait_used(&h->ft, h->ctrlq, &used, NH_WAIT_NS),
		&tok);
	*ack = *(uint8_t *)guest_ram_ptr(&h->ram, ack_gpa, 1);
	return used;
}

uint8_t nh_ctrl(struct net_harness *h, uint8_t class, uint8_t cmd,
		const void *data, uint32_t dlen)
{
	uint8_t buf[2048], ack;

	ck_assert_uint_le(dlen + 2, sizeof(buf));
	buf[0] = class;
	buf[1] = cmd;
	if (dlen)
		memcpy(buf + 2, data, dlen);
	ck_assert_uint_eq(nh_ctrl_raw(h, buf, dlen + 2, 1, &ack), 1);
	ck_assert_uint_le(ack, VIRTIO_NET_ERR);
	return ack;
}

void nh_frame(uint8_t *buf, uint32_t len, const uint8_t *dst, uint8_t seed)
{
	static const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x99};

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x08;
	buf[13] = 0x00;
	for (uint32_t i = 14; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 7);
}

void nh_stats(struct net_harness *h, struct virtio_net_stats *s)
{
	virtio_net_get_stats(h->net, s);
}
