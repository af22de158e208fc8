/* fz_formats: the input format of every fuzz target, in one place.
 *
 * The targets decode these; make_seeds.c encodes valid traffic in them for
 * the committed corpus; docs/fuzzing.md explains them. All fields are
 * little-endian and read with fz.h: a short input is padded with zeroes.
 */
#ifndef VMM_FUZZ_FZ_FORMATS_H
#define VMM_FUZZ_FZ_FORMATS_H

/* ---- fuzz_vq_split, fuzz_vq_packed --------------------------------------
 * The echo device (tests/support/echo_dev) on the core bus, both queues set
 * up by the driver model (tests/support/drvq), then a program of driver
 * actions, well-formed (through drvq) and raw (bytes into the rings).
 *
 * Header: u8 features (FZ_VQ_F_*), u8 size. Split rings: 1 << (size % 9);
 * packed: size, 0 meaning 256. With FZ_VQ_F_HOLD at most 128 (split) or
 * 255 (packed): the echo device parks at most 255 requests.
 * Then ops until the input ends: u8 opcode % FZ_VQ_NR_OPS, its fields. */
#define FZ_VQ_F_INDIRECT   0x01 /* VIRTIO_RING_F_INDIRECT_DESC */
#define FZ_VQ_F_EVENT_IDX  0x02 /* VIRTIO_RING_F_EVENT_IDX */
#define FZ_VQ_F_IN_ORDER   0x04 /* VIRTIO_F_IN_ORDER */
#define FZ_VQ_F_NOTIF_DATA 0x08 /* VIRTIO_F_NOTIFICATION_DATA */
#define FZ_VQ_F_RING_RESET 0x10 /* VIRTIO_F_RING_RESET */
#define FZ_VQ_F_HOLD	   0x20 /* park requests until FZ_VQ_COMPLETE */
#define FZ_VQ_F_FLUSH_EACH 0x40 /* echo flushes after every request */

enum fz_vq_op {
	/* u8 flags (FZ_VQ_ADD_*), u8 n (1 + n % 32 buffers), then n times:
	 * u8 mode (FZ_VQ_BUF_*), u16 len, and u64 gpa (FZ_VQ_BUF_RAW) or
	 * u16 off (the others). drvq_add, then kick if the device asks. */
	FZ_VQ_ADD,
	FZ_VQ_KICK,	  /* u8 queue: notify unconditionally */
	FZ_VQ_HARVEST,	  /* u8 queue: drvq_get_used until empty */
	FZ_VQ_CB,	  /* u8: bit 0 queue, bit 1 enable (else disable) */
	FZ_VQ_COMPLETE,	  /* u8 held index, u8 bit 0 flush: echo + vq_push */
	FZ_VQ_RAW_DESC,	  /* u8 queue, u16 index, 16 bytes: one descriptor */
	FZ_VQ_RAW_DRIVER, /* u8 queue, u16 off, u16 val: driver area */
	/* u8 queue, u16 head (split: next avail entry, idx++) or position
	 * (packed), u16 flags (packed: AVAIL/USED from the driver's wrap
	 * counter, the other one if bit 15 is set). */
	FZ_VQ_PUBLISH,
	FZ_VQ_POKE,    /* u16 off, u8 len, bytes: into the data area */
	FZ_VQ_RAW_MEM, /* u32 gpa, u8 len, bytes: anywhere in low RAM */
	FZ_VQ_QRESET,  /* u8 queue: virtio_queue_reset, then set up again */
	FZ_VQ_RESET,   /* device reset and a new probe */
	FZ_VQ_NR_OPS,
};

#define FZ_VQ_ADD_QUEUE	   0x01
#define FZ_VQ_ADD_INDIRECT 0x02
#define FZ_VQ_ADD_NO_KICK  0x04

#define FZ_VQ_BUF_DATA	   0 /* data area + off % FZ_VQ_DATA_LEN */
#define FZ_VQ_BUF_RAW	   1 /* any gpa at all */
#define FZ_VQ_BUF_HIGH	   2 /* the high RAM region + off */
#define FZ_VQ_BUF_LOW_END  3 /* end of low RAM - off */
#define FZ_VQ_BUF_WHERE	   0x03
#define FZ_VQ_BUF_WRITABLE 0x04
#define FZ_VQ_DATA_LEN	   0x4000

/* ---- fuzz_virtio_pci -----------------------------------------------------
 * The echo device on a virtio-pci function in slot 1 of a PCI host (as
 * tests/unit/test_pci_virtio.c sets it up, MSI-X on eventfds), 64 KiB of
 * guest RAM at 0. Ops until the input ends: u8 op, then
 *   FZ_PCI_ECAM_*: u16 off (bus 0 ECAM, slots 0 and 1), u8 width
 *   FZ_PCI_BAR0_*: u16 off (% 0x4000), u8 width
 *   FZ_PCI_BAR1_*: u16 off (% 0x1000), u8 width
 *   FZ_PCI_PIO_*:  u8 port (0xcf8 + port % 8), u8 width
 * and for writes a u64 value; width is 1 << (width % 4) bytes.
 *   FZ_PCI_MEM:    u16 gpa, u8 len, bytes: guest RAM (ring contents). */
enum fz_pci_op {
	FZ_PCI_ECAM_READ,
	FZ_PCI_ECAM_WRITE,
	FZ_PCI_BAR0_READ,
	FZ_PCI_BAR0_WRITE,
	FZ_PCI_BAR1_READ,
	FZ_PCI_BAR1_WRITE,
	FZ_PCI_PIO_READ,
	FZ_PCI_PIO_WRITE,
	FZ_PCI_MEM,
	FZ_PCI_NR_OPS,
};
#define FZ_PCI_RAM_LEN 0x10000

/* ---- fuzz_virtio_mmio ----------------------------------------------------
 * The echo device behind one virtio-mmio register window (as
 * tests/unit/test_virtio_mmio.c sets it up, the line on a fake IOAPIC
 * input), 64 KiB of guest RAM at 0. Header: u8 flags (FZ_MMIO_F_*). Then
 * ops until the input ends: u8 op, then
 *   FZ_MMIO_READ:    u16 off (% 0x200), u8 width
 *   FZ_MMIO_WRITE:   u16 off (% 0x200), u8 width, u64 value
 * with width 1 << (width % 4) bytes (an 8-byte access may cross the end);
 *   FZ_MMIO_MEM:     u16 gpa, u8 len, bytes: guest RAM (ring contents);
 *   FZ_MMIO_PROCESS: u8 queue (% 2): the echo device pops and pushes
 *                    everything available, as its thread would unkicked. */
#define FZ_MMIO_F_LEGACY     0x01 /* version 1 (§4.2.4), else version 2 */
#define FZ_MMIO_F_FLUSH_EACH 0x02 /* echo flushes after every request */

enum fz_mmio_op {
	FZ_MMIO_READ,
	FZ_MMIO_WRITE,
	FZ_MMIO_MEM,
	FZ_MMIO_PROCESS,
	FZ_MMIO_NR_OPS,
};
#define FZ_MMIO_RAM_LEN 0x10000

/* ---- fuzz_virtio_blk -----------------------------------------------------
 * virtio-blk on a 64 KiB raw image (a memfd), on the core bus of the fake
 * transport; the driver model builds well-formed rings, the requests in
 * them are the fuzzer's. Header: u8 flags (FZ_BLK_F_*), u16 mask of the
 * device features the driver accepts (bit i: the i-th of FZ_BLK_FEATURES),
 * u8 queue size (4 << (v % 7)). Then ops until the input ends: */
#define FZ_BLK_FEATURES                                                      \
	VIRTIO_BLK_F_FLUSH, VIRTIO_BLK_F_CONFIG_WCE, VIRTIO_BLK_F_DISCARD,   \
		VIRTIO_BLK_F_WRITE_ZEROES, VIRTIO_BLK_F_MQ, VIRTIO_BLK_F_RO, \
		VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_SIZE_MAX,                 \
		VIRTIO_BLK_F_BLK_SIZE, VIRTIO_BLK_F_TOPOLOGY
#define FZ_BLK_F_PACKED	  0x01
#define FZ_BLK_F_READONLY 0x02
#define FZ_BLK_F_NOCACHE  0x04 /* cache=none */
#define FZ_BLK_F_TWO_Q	  0x08 /* num_queues = 2 */
#define FZ_BLK_F_INDIRECT 0x10 /* offered to the driver */
#define FZ_BLK_F_EVENT	  0x20 /* EVENT_IDX offered to the driver */
#define FZ_BLK_F_IN_ORDER 0x40

enum fz_blk_op {
	/* u8 flags (FZ_BLK_R_*), u8 type (% 8: IN, OUT, FLUSH, GET_ID,
	 * DISCARD, WRITE_ZEROES, else a raw u32 follows), u8 sector mode
	 * (% 3: a u8, capacity - a u8, a raw u64) and the sector, u8 header
	 * length (0: 16, else 1 + v % 32), u8 status length (0xff: none,
	 * else 1 + v % 8), u8 n (n % 9 data segments), then per segment
	 * u16 off (% FZ_BLK_DATA_LEN), u16 len. Queued, not kicked. */
	FZ_BLK_REQ,
	FZ_BLK_KICK,	  /* kick every queue and wait for every answer */
	FZ_BLK_CFG_WRITE, /* u8 off, u8 len (1 + len % 8), u64 value */
	FZ_BLK_CFG_READ,  /* u8 off, u8 len */
	FZ_BLK_RESET,	  /* wait, device reset, probe again */
	FZ_BLK_POKE, /* u16 off, u8 len, bytes: into the data area (tables) */
	FZ_BLK_NR_OPS,
};
#define FZ_BLK_R_QUEUE	  0x01
#define FZ_BLK_R_INDIRECT 0x02
#define FZ_BLK_R_FLIP	  0x04 /* data the other direction */
#define FZ_BLK_R_SPLIT	  0x08 /* header in two descriptors */
#define FZ_BLK_DATA_LEN	  0x10000
#define FZ_BLK_IMAGE_LEN  0x10000

/* ---- fuzz_vsock ----------------------------------------------------------
 * virtio-vsock (guest CID 3) on the core bus, its Unix sockets in a
 * temporary directory: UDS_PATH_1024 a stream listener, UDS_PATH_1025 a
 * SEQPACKET one, nothing at 1026. The driver model keeps FZ_VS_RX_BUFS
 * receive buffers posted; the packets on the transmitq are the fuzzer's.
 * Header: u8 flags (FZ_VS_F_*), u8 queue size (8 << (v % 6)). Then ops
 * until the input ends: */
#define FZ_VS_F_PACKED 0x01
#define FZ_VS_F_SEQPACKET                                   \
	0x02 /* the driver accepts VIRTIO_VSOCK_F_SEQPACKET \
	      */
#define FZ_VS_F_INDIRECT 0x04
#define FZ_VS_F_EVENT	 0x08
#define FZ_VS_RX_BUFS	 8
#define FZ_VS_RX_LEN	 2048
#define FZ_VS_PORT0	 1024 /* listeners at 1024 (stream), 1025 (seq) */

enum fz_vs_op {
	/* u8 mode (FZ_VS_P_*), then with FZ_VS_P_RAW 44 raw header
	 * bytes, else u8 src (guest port 1000 + v % 4), u8 dst (% 4:
	 * ports 1024, 1025, 1026, or the host port 2^30 + a u8 that
	 * follows), u8 type
	 * (% 4), u8 op (% 9), u32 flags, u32 buf_alloc, u32 fwd_cnt;
	 * then u16 payload length (% 8192) and the payload. The
	 * header's len is the payload length unless FZ_VS_P_LEN, which
	 * reads a raw u32 for it. Sent and waited for. */
	FZ_VS_PKT,
	FZ_VS_HARVEST,	   /* check and repost what the device sent */
	FZ_VS_HOST_ACCEPT, /* accept on the listeners (at most 16
			      sockets) */
	FZ_VS_HOST_WRITE,  /* u8 which socket, u8 len, bytes */
	FZ_VS_HOST_CLOSE,  /* u8 which socket, u8 how: close, SHUT_WR,
			      SHUT_RD */
	/* u8 mode: 0 "CONNECT <u16>\n" (the u16 follows), else a u8
	 * length and that many raw bytes, to UDS_PATH as a host
	 * program. */
	FZ_VS_HOST_CONNECT,
	FZ_VS_EVENT, /* post an event buffer */
	FZ_VS_RESET, /* device reset, probe, receive buffers again */
	FZ_VS_NR_OPS,
};
#define FZ_VS_P_RAW   0x01
#define FZ_VS_P_LEN   0x02
#define FZ_VS_P_SPLIT 0x04 /* header in two descriptors */
#define FZ_VS_P_ONE   0x08 /* header and payload in one descriptor */
#define FZ_VS_P_INDIR 0x10

/* ---- fuzz_virtio_net -----------------------------------------------------
 * virtio-net on the fake in-memory backend (tests/support/fake_net_backend),
 * on the core bus of the fake transport; the driver model builds
 * well-formed rings, the headers, frames and control commands in them are
 * the fuzzer's. Header: u8 flags (FZ_NET_F_*), u32 mask of the device
 * features the driver accepts (bit i: the i-th of FZ_NET_FEATURES; the
 * core refuses combinations §5.1.3.1 forbids, and the input then runs with
 * VERSION_1 alone), u8 queue size (4 << (v % 5)). Then ops until the input
 * ends: */
#define FZ_NET_FEATURES                                               \
	VIRTIO_NET_F_CSUM, VIRTIO_NET_F_GUEST_CSUM, VIRTIO_NET_F_MAC, \
		VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_TSO6,     \
		VIRTIO_NET_F_GUEST_ECN, VIRTIO_NET_F_GUEST_UFO,       \
		VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_HOST_TSO6,       \
		VIRTIO_NET_F_HOST_ECN, VIRTIO_NET_F_HOST_UFO,         \
		VIRTIO_NET_F_MRG_RXBUF, VIRTIO_NET_F_STATUS,          \
		VIRTIO_NET_F_CTRL_VQ, VIRTIO_NET_F_CTRL_RX,           \
		VIRTIO_NET_F_CTRL_VLAN, VIRTIO_NET_F_CTRL_RX_EXTRA,   \
		VIRTIO_NET_F_GUEST_ANNOUNCE, VIRTIO_NET_F_MQ,         \
		VIRTIO_NET_F_CTRL_MAC_ADDR, VIRTIO_NET_F_MTU,         \
		VIRTIO_NET_F_SPEED_DUPLEX
#define FZ_NET_F_PACKED	  0x01
#define FZ_NET_F_VNET_HDR 0x02 /* the backend takes headers and offloads */
#define FZ_NET_F_TWO_Q	  0x04 /* two queue pairs */
#define FZ_NET_F_INDIRECT 0x08 /* offered to the driver */
#define FZ_NET_F_EVENT	  0x10 /* EVENT_IDX offered to the driver */
#define FZ_NET_F_IN_ORDER 0x20
/* Data queues are kicked through the device's kick eventfds, as KVM's
 * ioeventfds do on PCI and MMIO, not through queue_notify. */
#define FZ_NET_F_KICK_FDS 0x40

enum fz_net_op {
	/* u8 flags (FZ_NET_T_*), u8 header bytes in the chain (0: 12,
	 * else v % 16), 12 header bytes, u16 frame length (%
	 * FZ_NET_FRAME_MAX), u8 nseg (1 + v % 4). The frame is a
	 * pattern. Queued, not kicked. */
	FZ_NET_TX,
	/* u8 pair (bit 0; 1 + (v >> 1) % 3 descriptors per buffer), u8
	 * n (1 + n % 8), u16 len (1 + len % 4096): n receive buffers of
	 * len bytes, kicked if the device asks. */
	FZ_NET_RX_POST,
	/* u8 pair, u8 dst (% 5: ours, broadcast, multicast, other, our
	 * MAC VLAN-tagged), u16 length (% FZ_NET_FRAME_MAX; bit 15:
	 * 65000), with a vnet backend 12 header bytes: a frame from the
	 * host. */
	FZ_NET_INJECT,
	/* u8 class, u8 cmd, u8 dlen (% 64), dlen bytes, u8 ack length
	 * (% 3), u8 split (readable part in two descriptors if odd):
	 * one control command, kicked and waited for. */
	FZ_NET_CTRL,
	FZ_NET_KICK,	 /* kick every queue, wait for every tx answer */
	FZ_NET_LINK,	 /* u8: link up if bit 0 */
	FZ_NET_BLOCK,	 /* u8 pair, u8 on: the backend answers -EAGAIN */
	FZ_NET_CFG_READ, /* u8 off, u8 len (1 + len % 8) */
	FZ_NET_RESET,	 /* wait, device reset, probe again */
	FZ_NET_QRESET,	 /* u8 queue (% all): queue reset, then probe
			    again */
	FZ_NET_NR_OPS,
};
#define FZ_NET_T_PAIR	  0x01
#define FZ_NET_T_INDIRECT 0x02
#define FZ_NET_FRAME_MAX  2048

/* ---- fuzz_boot_linux -----------------------------------------------------
 * u8 memory (index into the sizes in fuzz_boot_linux.c), u32 initrd
 * (bit 31: absent; bit 30: 4 GiB + the low 30 bits, sparse; else the low
 * 22 bits are its length), u16 command line length, the command line,
 * then the kernel file: everything that is left. */
#define FZ_BOOT_NO_INITRD   0x80000000u
#define FZ_BOOT_HUGE_INITRD 0x40000000u

/* ---- fuzz_options --------------------------------------------------------
 * The input split at NUL bytes is argv[1..] (at most 64 words) of
 * `vmm`; every --disk and --device spec that parses is then given to the
 * device plan (device_table_plan_virtio). */
#define FZ_OPTIONS_MAX_ARGS 64

#endif
