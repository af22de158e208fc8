/* Unit tests for virtio_net_hdr.c: the transmit header check (virtio 1.3
 * §5.1.6.2) row by row, every GSO type with and without its feature, bad
 * checksum offsets, and the receive filter function on its own
 * (§5.1.6.5.1-3). No device, no threads.
 */
#include <check.h>
#include <endian.h>
#include <string.h>

#include "test_runner.h"
#include "virtio_net_internal.h"

#define N(a)   (int)(sizeof(a) / sizeof((a)[0]))
#define F(bit) (1ULL << (bit))
#define ALL                                                     \
	(F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_HOST_TSO4) |     \
	 F(VIRTIO_NET_F_HOST_TSO6) | F(VIRTIO_NET_F_HOST_ECN) | \
	 F(VIRTIO_NET_F_HOST_UFO))
#define NC  VIRTIO_NET_HDR_F_NEEDS_CSUM
#define DV  VIRTIO_NET_HDR_F_DATA_VALID
#define T4  VIRTIO_NET_HDR_GSO_TCPV4
#define T6  VIRTIO_NET_HDR_GSO_TCPV6
#define UDP VIRTIO_NET_HDR_GSO_UDP
#define ECN VIRTIO_NET_HDR_GSO_ECN

static const struct hdr_case {
	uint8_t flags, gso;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
	uint32_t frame;
	uint64_t features;
	bool vnet_hdr, ok;
} cases[] = {
	/* plain frames */
	{0, 0, 0, 0, 0, 0, 60, 0, false, true},
	{DV, 0, 0, 0, 0, 0, 60, 0, false, true},
	{0x04, 0, 0, 0, 0, 0, 60, ALL, true, false}, /* RSC_INFO */
	{0x80, 0, 0, 0, 0, 0, 60, ALL, true, false},
	{0, 0, 61, 0, 0, 0, 60, ALL, true, false}, /* hdr_len past end */
	{0, 0, 60, 0, 0, 0, 60, ALL, true, true},
	/* checksum offload */
	{NC, 0, 0, 0, 34, 16, 60, ALL, true, true},
	{NC, 0, 0, 0, 34, 16, 52, ALL, true, true},  /* ends exactly */
	{NC, 0, 0, 0, 34, 16, 51, ALL, true, false}, /* one past */
	{NC, 0, 0, 0, 0xffff, 0xffff, 60, ALL, true, false},
	{NC, 0, 0, 0, 34, 16, 60, ALL & ~F(VIRTIO_NET_F_CSUM), true, false},
	{NC, 0, 0, 0, 34, 16, 60, ALL, false, false}, /* no vnet_hdr */
	/* every GSO type, with and without its feature */
	{NC, T4, 54, 1448, 34, 16, 9000, ALL, true, true},
	{NC, T4, 54, 1448, 34, 16, 9000, ALL & ~F(VIRTIO_NET_F_HOST_TSO4), true,
	 false},
	{NC, T6, 74, 1428, 54, 16, 9000, ALL, true, true},
	{NC, T6, 74, 1428, 54, 16, 9000, ALL & ~F(VIRTIO_NET_F_HOST_TSO6), true,
	 false},
	{NC, UDP, 42, 1472, 34, 6, 9000, ALL, true, true},
	{NC, UDP, 42, 1472, 34, 6, 9000, ALL & ~F(VIRTIO_NET_F_HOST_UFO), true,
	 false},
	{NC, T4 | ECN, 54, 1448, 34, 16, 9000, ALL, true, true},
	{NC, T6 | ECN, 74, 1428, 54, 16, 9000, ALL & ~F(VIRTIO_NET_F_HOST_ECN),
	 true, false},
	{NC, UDP | ECN, 42, 1472, 34, 6, 9000, ALL, true, false},
	{NC, 2, 54, 1448, 34, 16, 9000, ALL, true, false},   /* unknown */
	{NC, 5, 54, 1448, 34, 16, 9000, ALL, true, false},   /* unknown */
	{NC, ECN, 54, 1448, 34, 16, 9000, ALL, true, false}, /* ECN alone */
	{0, T4, 54, 1448, 34, 16, 9000, ALL, true, false},   /* no NEEDS_CSUM */
	{NC, T4, 54, 0, 34, 16, 9000, ALL, true, false},     /* gso_size 0 */
	{NC, T4, 9001, 1448, 34, 16, 9000, ALL, true, false},
	{NC, T4, 54, 1448, 34, 16, 9000, ALL, false, false}, /* no vnet_hdr */
	{0, T4, 0, 0, 0, 0, 60, 0, false, false},
};

START_TEST(test_hdr_check)
{
	const struct hdr_case *c = &cases[_i];
	struct virtio_net_hdr_v1 h = {
		.flags = c->flags,
		.gso_type = c->gso,
		.hdr_len = htole16(c->hdr_len),
		.gso_size = htole16(c->gso_size),
		.csum_start = htole16(c->csum_start),
		.csum_offset = htole16(c->csum_offset),
	};
	const char *why = "unset";
	int r = virtio_net_hdr_check(&h, c->frame, c->features, c->vnet_hdr,
				     &why);

	ck_assert_msg((r == 0) == c->ok, "row %d: %d (%s)", _i, r,
		      why ? why : "ok");
	ck_assert_msg(c->ok ? why == NULL : why != NULL, "row %d: why", _i);
}
END_TEST

static const uint8_t me[6] = {0x52, 0x54, 0, 1, 2, 3};
static const uint8_t other[6] = {0x52, 0x54, 0, 9, 9, 9};
static const uint8_t mc[6] = {0x33, 0x33, 0, 0, 0, 1};
static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static bool accept(const struct virtio_net_filter *f, const uint8_t *dst,
		   int vid, uint32_t len)
{
	uint8_t fr[64] = {0};

	memcpy(fr, dst, 6);
	if (vid >= 0) {
		fr[12] = 0x81;
		fr[14] = (uint8_t)(vid >> 8);
		fr[15] = (uint8_t)vid;
	}
	return virtio_net_filter_accept(f, fr, len);
}

START_TEST(test_filter_fn)
{
	struct virtio_net_filter f;

	virtio_net_filter_reset(&f, me);
	ck_assert(f.promisc);
	ck_assert(accept(&f, other, -1, 64));
	ck_assert(accept(&f, other, -1, 2)); /* promisc takes anything */
	f.promisc = false;
	ck_assert(accept(&f, me, -1, 64));
	ck_assert(!accept(&f, me, -1, 5)); /* shorter than an address */
	ck_assert(!accept(&f, other, -1, 64));
	ck_assert(!accept(&f, mc, -1, 64));
	ck_assert(accept(&f, bc, -1, 64));
	memcpy(f.uni[0], other, 6);
	f.nr_uni = 1;
	memcpy(f.multi[0], mc, 6);
	f.nr_multi = 1;
	ck_assert(accept(&f, other, -1, 64));
	ck_assert(accept(&f, mc, -1, 64));
	f.nomulti = true;
	ck_assert(!accept(&f, mc, -1, 64));
	ck_assert(accept(&f, bc, -1, 64)); /* broadcast is not multicast */
	f.nobcast = true;
	ck_assert(!accept(&f, bc, -1, 64));
	f.vlan_filter = true;
	ck_assert(!accept(&f, me, 7, 64));
	ck_assert(accept(&f, me, 7, 14)); /* too short to carry a tag */
	f.vlans[0] = 1u << 7;
	ck_assert(accept(&f, me, 7, 64));
	ck_assert(!accept(&f, me, 4095, 64));
	f.nouni = true;
	ck_assert(!accept(&f, me, 7, 64));
}
END_TEST

static Suite *hdr_suite(void)
{
	Suite *s = suite_create("virtio_net_hdr");
	TCase *tc = tcase_create("hdr");

	tcase_add_loop_test(tc, test_hdr_check, 0, N(cases));
	tcase_add_test(tc, test_filter_fn);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(hdr_suite());
}
