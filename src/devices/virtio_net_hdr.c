/* virtio_net_hdr: the checks virtio-net makes on bytes it did not write:
 * the transmit header (virtio 1.3 §5.1.6.2 Packet Transmission) and the
 * receive filter (§5.1.6.5.1 Packet Receive Filtering, .2 MAC table, .3
 * VLAN filtering). Pure functions: no threads, no guest memory.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "virtio_net_internal.h"

#define F(bit) VIRTIO_NET_BIT(bit)

static bool has(uint64_t features, unsigned int bit)
{
	return features & F(bit);
}

/* The feature a GSO type needs (§5.1.6.2: HOST_TSO4, HOST_TSO6,
 * HOST_UFO), or -1 for a type we do not know. */
static int gso_feature(uint8_t type)
{
	switch (type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return VIRTIO_NET_F_HOST_TSO4;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return VIRTIO_NET_F_HOST_TSO6;
	case VIRTIO_NET_HDR_GSO_UDP:
		return VIRTIO_NET_F_HOST_UFO;
	default:
		return -1;
	}
}

/* §5.1.6.2: a GSO frame has NEEDS_CSUM set and an MSS; ECN only with
 * HOST_ECN and a TCP type. */
static const char *gso_check(const struct virtio_net_hdr_v1 *h,
			     uint32_t frame_len, uint64_t features)
{
	uint8_t type = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	int bit = gso_feature(type);

	if (bit < 0)
		return "unknown gso_type";
	if (!has(features, (unsigned int)bit))
		return "gso_type not negotiated";
	if (h->gso_type & VIRTIO_NET_HDR_GSO_ECN) {
		if (!has(features, VIRTIO_NET_F_HOST_ECN))
			return "GSO_ECN not negotiated";
		if (type == VIRTIO_NET_HDR_GSO_UDP)
			return "GSO_ECN on UDP";
	}
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return "GSO without NEEDS_CSUM";
	if (!le16toh(h->gso_size))
		return "GSO with gso_size 0";
	if (le16toh(h->hdr_len) > frame_len)
		return "hdr_len past the frame";
	return NULL;
}

int virtio_net_hdr_check(const struct virtio_net_hdr_v1 *h, uint32_t frame_len,
			 uint64_t features, bool vnet_hdr, const char **why)
{
	const char *err = NULL;
	uint32_t end;

	if (h->flags &
	    ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID))
		err = "unknown flags";
	else if (!vnet_hdr && ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
			       h->gso_type != VIRTIO_NET_HDR_GSO_NONE))
		err = "offload header, none offered";
	else if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		 !has(features, VIRTIO_NET_F_CSUM))
		err = "NEEDS_CSUM without VIRTIO_NET_F_CSUM";
	else if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		err = gso_check(h, frame_len, features);
	else if (le16toh(h->hdr_len) > frame_len)
		err = "hdr_len past the frame";
	if (!err && (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		/* The 16-bit checksum goes at csum_start + csum_offset. */
		end = (uint32_t)le16toh(h->csum_start) +
		      le16toh(h->csum_offset) + 2;
		if (end > frame_len)
			err = "checksum field past the frame";
	}
	if (why)
		*why = err;
	return err ? -EINVAL : 0;
}

/* ---- the receive filter ---- */

static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static bool in_table(const uint8_t (*t)[6], unsigned int n, const uint8_t *a)
{
	for (unsigned int i = 0; i < n; i++)
		if (!memcmp(t[i], a, 6))
			return true;
	return false;
}

/* §5.1.6.5.3: with CTRL_VLAN a tagged frame passes only for a VLAN id the
 * driver added. */
static bool vlan_ok(const struct virtio_net_filter *f, const uint8_t *frame,
		    uint32_t len)
{
	uint16_t vid;

	if (!f->vlan_filter || len < 16 || frame[12] != 0x81 ||
	    frame[13] != 0x00)
		return true;
	vid = (uint16_t)(((frame[14] << 8) | frame[15]) & 0xfff);
	return f->vlans[vid / 32] & (1u << (vid % 32));
}

static bool multicast_ok(const struct virtio_net_filter *f, const uint8_t *dst)
{
	if (!memcmp(dst, broadcast, 6))
		return !f->nobcast;
	if (f->nomulti)
		return false;
	return f->allmulti || f->multi_overflow ||
	       in_table(f->multi, f->nr_multi, dst);
}

static bool unicast_ok(const struct virtio_net_filter *f, const uint8_t *dst)
{
	if (f->nouni)
		return false;
	return f->alluni || f->uni_overflow || !memcmp(dst, f->mac, 6) ||
	       in_table(f->uni, f->nr_uni, dst);
}

bool virtio_net_filter_accept(const struct virtio_net_filter *f,
			      const uint8_t *frame, uint32_t len)
{
	if (f->promisc)
		return true;
	if (len < 6 || !vlan_ok(f, frame, len))
		return false;
	if (frame[0] & 1)
		return multicast_ok(f, frame);
	return unicast_ok(f, frame);
}

void virtio_net_filter_reset(struct virtio_net_filter *f, const uint8_t *mac)
{
	memset(f, 0, sizeof(*f));
	f->promisc = true;
	memcpy(f->mac, mac, 6);
}
