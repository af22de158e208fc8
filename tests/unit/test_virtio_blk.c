/* Unit tests for virtio-blk (src/devices/virtio_blk*.c, virtio 1.3 §5.2):
 * a driver on the fake transport sends requests against a temporary raw
 * image; the host side of the image is checked byte for byte. Every test
 * runs on every bus of ft_buses (core, PCI, MMIO: config space and status
 * go over the wire) and on split and packed rings, the loop index _i
 * encoding all three (FT_LOOPS); the I/O threads are real, so completions
 * are awaited with a timeout.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_blk.h>

#include "fake_transport.h"
#include "test_runner.h"
#include "virtio_blk.h"

#define BIT(n)	(1ULL << (n))
#define SECTORS 2048 /* 1 MiB image */
#define IMG_LEN (SECTORS * 512)
#define BLK_ALL                                                    \
	(BIT(VIRTIO_BLK_F_SIZE_MAX) | BIT(VIRTIO_BLK_F_SEG_MAX) |  \
	 BIT(VIRTIO_BLK_F_BLK_SIZE) | BIT(VIRTIO_BLK_F_TOPOLOGY) | \
	 BIT(VIRTIO_BLK_F_FLUSH) | BIT(VIRTIO_BLK_F_CONFIG_WCE) |  \
	 BIT(VIRTIO_BLK_F_RO) | BIT(VIRTIO_BLK_F_DISCARD) |        \
	 BIT(VIRTIO_BLK_F_WRITE_ZEROES) | BIT(VIRTIO_BLK_F_MQ))
#define WAIT_NS (5LL * 1000000000LL)

static struct guest_ram ram;
static struct fake_transport ft;
static struct virtio_blk *blk;
static struct virtio_dev *vd;
static char path[64];
static int host_fd = -1;
static uint8_t *pattern; /* the image's initial contents */

static void setup(void)
{
	guest_ram_init(&ram, 32 << 20);
	strcpy(path, "/tmp/test_virtio_blk.XXXXXX");
	host_fd = mkstemp(path);
	ck_assert_int_ge(host_fd, 0);
	pattern = malloc(IMG_LEN);
	for (unsigned int i = 0; i < IMG_LEN; i++)
		pattern[i] = (uint8_t)(i * 7 + (i >> 9));
	ck_assert_int_eq(pwrite(host_fd, pattern, IMG_LEN, 0), IMG_LEN);
	blk = NULL;
}

static void teardown(void)
{
	fake_transport_destroy(&ft);
	virtio_blk_destroy(blk);
	close(host_fd);
	unlink(path);
	free(pattern);
	guest_ram_destroy(&ram);
}

static uint64_t ring_bits(int i)
{
	return FT_LINUX_FEATURES | BLK_ALL |
	       (ft_loop_packed(i) ? FT_PACKED : 0);
}

/* Creates the device with o (path filled in) and probes it. */
static void bring_up(struct virtio_blk_options *o, int i)
{
	o->path = path;
	ck_assert_int_eq(virtio_blk_create(o, &ram.mem, &blk), 0);
	vd = virtio_blk_vdev(blk);
	fake_transport_init_loop(&ft, vd, &ram, i);
	ck_assert_int_eq(fake_transport_probe(&ft, ring_bits(i)), 0);
	ck_assert_int_eq(virtio_has_feature(vd, VIRTIO_F_RING_PACKED),
			 ft_loop_packed(i));
}

static void bring_up_default(int i)
{
	struct virtio_blk_options o = {.serial = "vmm-disk-0"};

	bring_up(&o, i);
}

/* Waits for the next used buffer on queue q; fails after WAIT_NS. */
static void *wait_used(uint16_t q, uint32_t *len)
{
	void *tok = fake_transport_wait_used(&ft, q, len, WAIT_NS);

	ck_assert_msg(tok, "no completion on queue %u", q);
	return tok;
}

/* One request in guest RAM: header, optional data, status byte. */
struct req {
	uint64_t hdr, data, status;
	uint32_t data_len;
	bool data_writable;
};

static void req_prepare(struct req *r, uint32_t type, uint64_t sector,
			uint32_t data_len, bool writable)
{
	struct virtio_blk_outhdr h = {.type = htole32(type),
				      .sector = htole64(sector)};

	r->hdr = guest_ram_put(&ram, &h, sizeof(h));
	r->data = data_len ? guest_ram_alloc(&ram, data_len, 512) : 0;
	r->data_len = data_len;
	r->data_writable = writable;
	r->status = guest_ram_alloc(&ram, 1, 1);
	*(uint8_t *)guest_ram_ptr(&ram, r->status, 1) = 0xee;
}

/* Sends r on queue q; the data goes out as two segments when it can. */
static void req_send(struct req *r, uint16_t q, bool indirect)
{
	struct drvq_buf b[4];
	unsigned int n = 0;
	uint32_t first = r->data_len > 512 ? 512 : r->data_len;

	b[n++] = (struct drvq_buf){r->hdr, sizeof(struct virtio_blk_outhdr)};
	if (first)
		b[n++] = (struct drvq_buf){r->data, first, r->data_writable};
	if (r->data_len > first)
		b[n++] = (struct drvq_buf){r->data + first, r->data_len - first,
					   r->data_writable};
	b[n++] = (struct drvq_buf){r->status, 1, true};
	ck_assert_int_eq(fake_transport_send(&ft, q, b, n, indirect, r), 0);
}

static uint8_t req_status(struct req *r)
{
	return *(uint8_t *)guest_ram_ptr(&ram, r->status, 1);
}

/* Sends, waits, checks status and used length; returns the data pointer. */
static void *do_req(uint32_t type, uint64_t sector, uint32_t len, bool wr,
		    const void *src, uint8_t want, uint32_t want_used)
{
	struct req r;
	uint32_t used;

	req_prepare(&r, type, sector, len, wr);
	if (src)
		memcpy(guest_ram_ptr(&ram, r.data, len), src, len);
	req_send(&r, 0, sector & 1);
	ck_assert_ptr_eq(wait_used(0, &used), &r);
	ck_assert_uint_eq(req_status(&r), want);
	ck_assert_uint_eq(used, want_used);
	return len ? guest_ram_ptr(&ram, r.data, len) : NULL;
}

static void host_read(void *dst, off_t off, size_t len)
{
	ck_assert_int_eq(pread(host_fd, dst, len, off), (ssize_t)len);
}

/* Config space as the driver sees it, through the bus. */
static uint8_t cfg_byte(uint32_t off)
{
	uint8_t v = 0xee;

	ck_assert_int_eq(fake_transport_config_read(&ft, off, &v, 1), 0);
	return v;
}

static void set_writeback(uint8_t v)
{
	fake_transport_config_write(&ft, 32, &v, 1);
}

START_TEST(test_config_space)
{
	struct virtio_blk_config c;
	uint8_t v = 2;

	bring_up_default(_i);
	ck_assert_int_eq(fake_transport_config_read(&ft, 0, &c, sizeof(c)), 0);
	ck_assert_uint_eq(le64toh(c.capacity), SECTORS);
	ck_assert_uint_eq(le32toh(c.seg_max), 254);
	ck_assert_uint_eq(le32toh(c.blk_size), 512);
	ck_assert_uint_eq(c.wce, 1);
	ck_assert(!virtio_has_feature(vd, VIRTIO_BLK_F_RO));
	ck_assert(!virtio_has_feature(vd, VIRTIO_BLK_F_MQ));
	/* Only writeback is writable, and only with 0 or 1. */
	set_writeback(0);
	ck_assert_uint_eq(cfg_byte(32), 0);
	set_writeback(2);
	ck_assert_uint_eq(cfg_byte(32), 0);
	fake_transport_config_write(&ft, 0, &v, 1);
	fake_transport_config_write(&ft, 33, &v, 1);
	ck_assert_uint_eq(cfg_byte(0), SECTORS & 0xff);
	ck_assert_uint_eq(cfg_byte(33), ((uint8_t *)&c)[33]);
	if (ft.bus == &ft_bus_core) {
		/* Only the core bus hears the refusals. */
		ck_assert_int_lt(fake_transport_config_write(&ft, 32, &v, 1),
				 0);
		ck_assert_int_lt(fake_transport_config_write(&ft, 0, &v, 1), 0);
	}
	/* A reset brings the write cache back. */
	fake_transport_set_status(&ft, 0);
	ck_assert_uint_eq(fake_transport_status(&ft), 0);
	ck_assert_uint_eq(cfg_byte(32), 1);
}
END_TEST

START_TEST(test_read_write_roundtrip)
{
	uint8_t buf[4 * 512], host[sizeof(buf)];
	uint8_t *got;

	bring_up_default(_i);
	/* Reads see the image as the host wrote it, at several places. */
	got = do_req(VIRTIO_BLK_T_IN, 100, 1536, true, NULL, 0, 1537);
	ck_assert_mem_eq(got, pattern + 100 * 512, 1536);
	got = do_req(VIRTIO_BLK_T_IN, SECTORS - 4, 2048, true, NULL, 0, 2049);
	ck_assert_mem_eq(got, pattern + (SECTORS - 4) * 512, 2048);
	/* Writes land byte for byte, and read back. */
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(0x5a ^ i ^ (i >> 8));
	do_req(VIRTIO_BLK_T_OUT, 7, sizeof(buf), false, buf, 0, 1);
	host_read(host, 7 * 512, sizeof(host));
	ck_assert_mem_eq(host, buf, sizeof(buf));
	host_read(host, 6 * 512, 512); /* neighbours untouched */
	ck_assert_mem_eq(host, pattern + 6 * 512, 512);
	host_read(host, 11 * 512, 512);
	ck_assert_mem_eq(host, pattern + 11 * 512, 512);
	got = do_req(VIRTIO_BLK_T_IN, 7, sizeof(buf), true, NULL, 0,
		     sizeof(buf) + 1);
	ck_assert_mem_eq(got, buf, sizeof(buf));
	/* Zero-length transfers are legal. */
	do_req(VIRTIO_BLK_T_IN, 0, 0, true, NULL, 0, 1);
	do_req(VIRTIO_BLK_T_OUT, SECTORS, 0, false, NULL, 0, 1);
}
END_TEST

START_TEST(test_flush_and_writethrough)
{
	uint8_t buf[512], host[512], v = 0;

	bring_up_default(_i);
	memset(buf, 0xc3, sizeof(buf));
	do_req(VIRTIO_BLK_T_OUT, 3, 512, false, buf, 0, 1);
	do_req(VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL, 0, 1);
	/* Write-through: writes complete durable (RWF_DSYNC), still right. */
	set_writeback(v);
	ck_assert_uint_eq(cfg_byte(32), 0);
	memset(buf, 0x3c, sizeof(buf));
	do_req(VIRTIO_BLK_T_OUT, 4, 512, false, buf, 0, 1);
	host_read(host, 4 * 512, 512);
	ck_assert_mem_eq(host, buf, 512);
	do_req(VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL, 0, 1);
}
END_TEST

static const struct id_case {
	const char *serial;
	uint32_t buf_len;
	const char *want; /* VIRTIO_BLK_ID_BYTES, NUL padded */
} id_cases[] = {
	{"vmm-disk-0", 20, "vmm-disk-0\0\0\0\0\0\0\0\0\0"},
	{"01234567890123456789", 20, "01234567890123456789"},
	{NULL, 20, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"},
	{"abcdefgh", 4, "abcd"}, /* short buffer: what fits */
	{"abcdefgh", 64, "abcdefgh\0\0\0\0\0\0\0\0\0\0\0"},
};

START_TEST(test_get_id)
{
	const struct id_case *c = &id_cases[ft_loop_case(_i)];
	struct virtio_blk_options o = {.serial = c->serial};
	uint32_t n = c->buf_len < 20 ? c->buf_len : 20;
	uint8_t *got;

	bring_up(&o, _i);
	got = do_req(VIRTIO_BLK_T_GET_ID, 0, c->buf_len, true, NULL, 0,
		     c->buf_len + 1);
	ck_assert_mem_eq(got, c->want, n);
}
END_TEST

START_TEST(test_serial_too_long)
{
	struct virtio_blk_options o = {.serial = "012345678901234567890",
				       .path = "/dev/null"};

	ck_assert_int_eq(virtio_blk_create(&o, &ram.mem, &blk), -EINVAL);
	blk = NULL;
	(void)_i;
}
END_TEST

static void send_dz(uint32_t type,
		    const struct virtio_blk_discard_write_zeroes *segs,
		    unsigned int nr, uint32_t table_len, uint8_t want)
{
	struct virtio_blk_outhdr h = {.type = htole32(type)};
	struct req r = {0};
	struct drvq_buf b[3];
	unsigned int n = 0;
	uint32_t used;

	r.hdr = guest_ram_put(&ram, &h, sizeof(h));
	r.data = guest_ram_alloc(&ram, nr * sizeof(*segs) + 16, 8);
	memcpy(guest_ram_ptr(&ram, r.data, nr * sizeof(*segs)), segs,
	       nr * sizeof(*segs));
	r.status = guest_ram_alloc(&ram, 1, 1);
	b[n++] = (struct drvq_buf){r.hdr, sizeof(h)};
	if (table_len) /* the core refuses zero-length buffers */
		b[n++] = (struct drvq_buf){r.data, table_len};
	b[n++] = (struct drvq_buf){r.status, 1, true};
	ck_assert_int_eq(fake_transport_send(&ft, 0, b, n, false, &r), 0);
	ck_assert_ptr_eq(wait_used(0, &used), &r);
	ck_assert_uint_eq(used, 1);
	ck_assert_uint_eq(req_status(&r), want);
}

static struct virtio_blk_discard_write_zeroes seg(uint64_t s, uint32_t n,
						  uint32_t flags)
{
	return (struct virtio_blk_discard_write_zeroes){htole64(s), htole32(n),
							htole32(flags)};
}

static bool all_zero(off_t off, size_t len)
{
	uint8_t buf[65536];

	ck_assert_uint_le(len, sizeof(buf));
	host_read(buf, off, len);
	for (size_t i = 0; i < len; i++)
		if (buf[i])
			return false;
	return true;
}

START_TEST(test_discard_punches_hole)
{
	struct virtio_blk_discard_write_zeroes s[2];
	struct stat before, after;

	bring_up_default(_i);
	fsync(host_fd);
	ck_assert_int_eq(fstat(host_fd, &before), 0);
	s[0] = seg(256, 128, 0); /* 64 KiB at 128 KiB */
	s[1] = seg(1024, 128, 0);
	send_dz(VIRTIO_BLK_T_DISCARD, s, 2, sizeof(s), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(fstat(host_fd, &after), 0);
	ck_assert_int_lt(after.st_blocks, before.st_blocks);
	ck_assert_int_eq(lseek(host_fd, 256 * 512, SEEK_HOLE), 256 * 512);
	ck_assert(all_zero(1024 * 512, 65536));
	ck_assert_int_eq(after.st_size, IMG_LEN); /* KEEP_SIZE */
}
END_TEST

START_TEST(test_write_zeroes)
{
	struct virtio_blk_discard_write_zeroes s[2];
	uint8_t host[512];

	bring_up_default(_i);
	s[0] = seg(10, 3, 0);
	s[1] = seg(512, 128, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	send_dz(VIRTIO_BLK_T_WRITE_ZEROES, s, 2, sizeof(s), VIRTIO_BLK_S_OK);
	ck_assert(all_zero(10 * 512, 3 * 512));
	ck_assert(all_zero(512 * 512, 128 * 512));
	host_read(host, 13 * 512, 512);
	ck_assert_mem_eq(host, pattern + 13 * 512, 512);
	host_read(host, 9 * 512, 512);
	ck_assert_mem_eq(host, pattern + 9 * 512, 512);
}
END_TEST

START_TEST(test_readonly_refuses_writes)
{
	struct virtio_blk_options o = {.readonly = true};
	struct virtio_blk_discard_write_zeroes s = seg(0, 8, 0);
	uint8_t buf[512], host[512];

	bring_up(&o, _i);
	ck_assert(virtio_has_feature(vd, VIRTIO_BLK_F_RO));
	ck_assert(!virtio_has_feature(vd, VIRTIO_BLK_F_DISCARD));
	memset(buf, 0x11, sizeof(buf));
	do_req(VIRTIO_BLK_T_OUT, 2, 512, false, buf, VIRTIO_BLK_S_IOERR, 1);
	host_read(host, 2 * 512, 512);
	ck_assert_mem_eq(host, pattern + 2 * 512, 512);
	send_dz(VIRTIO_BLK_T_DISCARD, &s, 1, sizeof(s), VIRTIO_BLK_S_UNSUPP);
	send_dz(VIRTIO_BLK_T_WRITE_ZEROES, &s, 1, sizeof(s),
		VIRTIO_BLK_S_UNSUPP);
	ck_assert(!all_zero(0, 4096));
	/* Reads still work. */
	ck_assert_mem_eq(do_req(VIRTIO_BLK_T_IN, 2, 512, true, NULL, 0, 513),
			 pattern + 2 * 512, 512);
}
END_TEST

/* Malformed reads and writes: each gets its status, none crashes. */
static const struct bad_rw {
	const char *what;
	uint32_t type;
	uint64_t sector;
	uint32_t len;
	bool writable;
	uint8_t want;
} bad_rw[] = {
	{"read past the end", VIRTIO_BLK_T_IN, SECTORS - 1, 1024, true, 1},
	{"read at the end", VIRTIO_BLK_T_IN, SECTORS, 512, true, 1},
	{"read, sector overflows", VIRTIO_BLK_T_IN, UINT64_MAX, 512, true, 1},
	{"read, huge sector", VIRTIO_BLK_T_IN, 1ULL << 55, 512, true, 1},
	{"write past the end", VIRTIO_BLK_T_OUT, SECTORS - 1, 1024, false, 1},
	{"write, sector overflows", VIRTIO_BLK_T_OUT, UINT64_MAX - 1, 1024,
	 false, 1},
	{"read, not a sector multiple", VIRTIO_BLK_T_IN, 0, 100, true, 1},
	{"write, not a sector multiple", VIRTIO_BLK_T_OUT, 0, 513, false, 1},
	{"unknown type", 0x77, 0, 512, true, VIRTIO_BLK_S_UNSUPP},
	{"legacy SCSI", VIRTIO_BLK_T_SCSI_CMD, 0, 512, true,
	 VIRTIO_BLK_S_UNSUPP},
	{"barrier flag", VIRTIO_BLK_T_OUT | VIRTIO_BLK_T_BARRIER, 0, 512, false,
	 VIRTIO_BLK_S_UNSUPP},
	{"zone report (no ZONED)", 16, 0, 512, true, VIRTIO_BLK_S_UNSUPP},
};

START_TEST(test_bad_ranges_and_types)
{
	const struct bad_rw *c = &bad_rw[ft_loop_case(_i)];
	uint8_t host[IMG_LEN / 64];

	bring_up_default(_i);
	do_req(c->type, c->sector, c->len, c->writable,
	       c->writable ? NULL : pattern, c->want,
	       c->writable ? c->len + 1 : 1);
	host_read(host, 0, sizeof(host));
	ck_assert_msg(!memcmp(host, pattern, sizeof(host)), "%s wrote",
		      c->what);
	/* The queue goes on. */
	do_req(VIRTIO_BLK_T_IN, 1, 512, true, NULL, 0, 513);
}
END_TEST

/* Malformed DISCARD / WRITE_ZEROES segment tables. */
static const struct bad_dz {
	const char *what;
	uint32_t type, nr, table_len;
	struct virtio_blk_discard_write_zeroes s;
	uint8_t want;
} bad_dz[] = {
	{"discard with unmap", VIRTIO_BLK_T_DISCARD, 1, 16, {0, 8, 1}, 2},
	{"discard, unknown flag", VIRTIO_BLK_T_DISCARD, 1, 16, {0, 8, 4}, 2},
	{"zeroes, unknown flag",
	 VIRTIO_BLK_T_WRITE_ZEROES,
	 1,
	 16,
	 {0, 8, 2},
	 2},
	{"discard past the end",
	 VIRTIO_BLK_T_DISCARD,
	 1,
	 16,
	 {SECTORS, 1, 0},
	 1},
	{"zeroes overflowing",
	 VIRTIO_BLK_T_WRITE_ZEROES,
	 1,
	 16,
	 {UINT64_MAX, 2, 0},
	 1},
	{"zeroes too many sectors",
	 VIRTIO_BLK_T_WRITE_ZEROES,
	 1,
	 16,
	 {0, 0xffffffff, 0},
	 1},
	{"table of 15 bytes", VIRTIO_BLK_T_DISCARD, 1, 15, {0, 8, 0}, 2},
	{"table of 17 bytes", VIRTIO_BLK_T_WRITE_ZEROES, 1, 17, {0, 8, 0}, 2},
	{"33 segments", VIRTIO_BLK_T_DISCARD, 33, 33 * 16, {0, 8, 0}, 2},
};

START_TEST(test_bad_segment_tables)
{
	const struct bad_dz *c = &bad_dz[ft_loop_case(_i)];
	struct virtio_blk_discard_write_zeroes s[33];

	bring_up_default(_i);
	for (unsigned int i = 0; i < c->nr; i++)
		s[i] = seg(c->s.sector, c->s.num_sectors, c->s.flags);
	send_dz(c->type, s, c->nr, c->table_len, c->want);
	ck_assert_msg(!all_zero(0, 4096), "%s zeroed", c->what);
	/* A header with no table at all. */
	send_dz(c->type, s, 1, 0, VIRTIO_BLK_S_UNSUPP);
}
END_TEST

/* Requests too broken to carry a status byte, or a full header. */
START_TEST(test_short_header_and_no_status)
{
	uint8_t hdr[16] = {0};
	uint64_t h = guest_ram_put(&ram, hdr, sizeof(hdr));
	uint64_t data = guest_ram_alloc(&ram, 512, 512);
	uint64_t st = guest_ram_alloc(&ram, 1, 1);
	struct drvq_buf only_hdr[] = {{h, 16}, {data, 512}};
	struct drvq_buf short_hdr[] = {{h, 8}, {st, 1, true}};
	struct drvq_buf no_hdr[] = {{data, 512, true}};
	uint32_t used;
	int tok[3];

	bring_up_default(_i);
	ck_assert_int_eq(
		fake_transport_send(&ft, 0, only_hdr, 2, false, &tok[0]), 0);
	ck_assert_ptr_eq(wait_used(0, &used), &tok[0]);
	ck_assert_uint_eq(used, 0);
	*(uint8_t *)guest_ram_ptr(&ram, st, 1) = 0xee;
	ck_assert_int_eq(
		fake_transport_send(&ft, 0, short_hdr, 2, false, &tok[1]), 0);
	ck_assert_ptr_eq(wait_used(0, &used), &tok[1]);
	ck_assert_uint_eq(used, 1);
	ck_assert_uint_eq(*(uint8_t *)guest_ram_ptr(&ram, st, 1),
			  VIRTIO_BLK_S_IOERR);
	/* Writable only: no header at all; the last byte is the status. */
	ck_assert_int_eq(fake_transport_send(&ft, 0, no_hdr, 1, false, &tok[2]),
			 0);
	ck_assert_ptr_eq(wait_used(0, &used), &tok[2]);
	ck_assert_uint_eq(used, 512);
	ck_assert_uint_eq(*(uint8_t *)guest_ram_ptr(&ram, data + 511, 1),
			  VIRTIO_BLK_S_IOERR);
	do_req(VIRTIO_BLK_T_IN, 1, 512, true, NULL, 0, 513);
}
END_TEST

#define DEPTH 32

/* Many requests in flight on each of two queues, completed correctly. */
START_TEST(test_queue_depth_and_mq)
{
	struct virtio_blk_options o = {.num_queues = 2};
	static struct req r[2][DEPTH];
	uint8_t host[4096];
	uint32_t used;
	struct req *done;

	bring_up(&o, _i);
	ck_assert(virtio_has_feature(vd, VIRTIO_BLK_F_MQ));
	ck_assert_uint_eq(ft.nr_queues, 2);
	for (uint16_t q = 0; q < 2; q++) {
		for (unsigned int k = 0; k < DEPTH; k++) {
			uint64_t sector = (q * DEPTH + k) * 8;

			req_prepare(&r[q][k], VIRTIO_BLK_T_OUT, sector, 4096,
				    false);
			memset(guest_ram_ptr(&ram, r[q][k].data, 4096),
			       (int)(q * DEPTH + k + 1), 4096);
			ck_assert_int_eq(
				drvq_add(&ft.q[q],
					 (struct drvq_buf[]){
						 {r[q][k].hdr, 16},
						 {r[q][k].data, 4096},
						 {r[q][k].status, 1, true}},
					 3, k & 1, &r[q][k]),
				0);
		}
	}
	fake_transport_kick(&ft, 0);
	fake_transport_kick(&ft, 1);
	for (uint16_t q = 0; q < 2; q++)
		for (unsigned int k = 0; k < DEPTH; k++) {
			done = wait_used(q, &used);
			ck_assert(done >= &r[q][0] && done <= &r[q][DEPTH - 1]);
			ck_assert_uint_eq(used, 1);
			ck_assert_uint_eq(req_status(done), 0);
		}
	for (unsigned int k = 0; k < 2 * DEPTH; k++) {
		uint8_t want[4096];

		memset(want, (int)(k + 1), sizeof(want));
		host_read(host, k * 4096, sizeof(host));
		ck_assert_mem_eq(host, want, sizeof(host));
	}
}
END_TEST

/* A reset (device, or queue for case 1) with requests in flight: it
 * returns only once the I/O thread has let go of the ring; the ring is not
 * touched after; the device works again after a new probe. */
START_TEST(test_reset_in_flight)
{
	static struct req r[DEPTH];
	static uint8_t snap[8192], host[16384], ones[16384];
	bool queue_reset = ft_loop_case(_i) == 1;
	bool packed = ft_loop_packed(_i);
	unsigned int landed = 0;
	size_t ring_len =
		packed ? 16 * 256 : sizeof(struct vring_used) + 8 * 256;
	void *ring;

	bring_up_default(_i);
	memset(ones, 0x77, sizeof(ones));
	for (unsigned int k = 0; k < DEPTH; k++) {
		req_prepare(&r[k], VIRTIO_BLK_T_OUT, k * 64, sizeof(ones),
			    false);
		memcpy(guest_ram_ptr(&ram, r[k].data, sizeof(ones)), ones,
		       sizeof(ones));
		req_send(&r[k], 0, false);
	}
	if (queue_reset)
		ck_assert_int_eq(fake_transport_queue_reset(&ft, 0), 0);
	else
		fake_transport_set_status(&ft, 0);
	/* Nothing may change in the ring once the reset returned. */
	ring = guest_ram_ptr(
		&ram, packed ? ft.q[0].desc_gpa : ft.q[0].device_gpa, ring_len);
	memcpy(snap, ring, ring_len);
	usleep(50000);
	ck_assert_mem_eq(snap, ring, ring_len);
	if (!queue_reset)
		ck_assert_uint_eq(fake_transport_status(&ft), 0);
	ck_assert(!virtio_queue_enabled(vd, 0));
	/* Each write landed whole or not at all; the gaps are untouched. */
	for (unsigned int k = 0; k < DEPTH; k++) {
		host_read(host, k * 64 * 512, sizeof(host));
		if (!memcmp(host, ones, sizeof(host)))
			landed++;
		else
			ck_assert_mem_eq(host, pattern + k * 64 * 512,
					 sizeof(host));
		host_read(host, (k * 64 + 32) * 512, sizeof(host));
		ck_assert_mem_eq(host, pattern + (k * 64 + 32) * 512,
				 sizeof(host));
	}
	ck_assert_uint_le(landed, DEPTH);
	/* Probe again: the device works. */
	ck_assert_int_eq(fake_transport_probe(&ft, ring_bits(_i)), 0);
	ck_assert_mem_eq(do_req(VIRTIO_BLK_T_IN, 40, 512, true, NULL, 0, 513),
			 pattern + 40 * 512, 512);
}
END_TEST

START_TEST(test_cache_none)
{
	struct virtio_blk_options o = {.cache = VIRTIO_BLK_CACHE_NONE};
	uint8_t buf[1024], host[1024];

	bring_up(&o, _i);
	memset(buf, 0x42, sizeof(buf));
	do_req(VIRTIO_BLK_T_OUT, 9, sizeof(buf), false, buf, 0, 1);
	host_read(host, 9 * 512, sizeof(host));
	ck_assert_mem_eq(host, buf, sizeof(host));
	ck_assert_mem_eq(do_req(VIRTIO_BLK_T_IN, 9, 1024, true, NULL, 0, 1025),
			 buf, sizeof(buf));
}
END_TEST

START_TEST(test_bad_options)
{
	struct virtio_blk_options o = {.path = "/nonexistent/disk.img"};

	ck_assert_int_eq(virtio_blk_create(&o, &ram.mem, &blk), -ENOENT);
	o.path = path;
	o.num_queues = VIRTIO_BLK_MAX_QUEUES + 1;
	ck_assert_int_eq(virtio_blk_create(&o, &ram.mem, &blk), -EINVAL);
	o.num_queues = 1;
	ck_assert_int_eq(ftruncate(host_fd, 100), 0); /* under one sector */
	ck_assert_int_eq(virtio_blk_create(&o, &ram.mem, &blk), -EINVAL);
	o.path = "/tmp"; /* a directory */
	ck_assert_int_lt(virtio_blk_create(&o, &ram.mem, &blk), 0);
	blk = NULL;
	(void)_i;
}
END_TEST

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static Suite *blk_suite(void)
{
	Suite *s = suite_create("virtio_blk");
	TCase *tc = tcase_create("blk");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_config_space, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_read_write_roundtrip, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_flush_and_writethrough, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_get_id, 0, FT_LOOPS(N(id_cases)));
	tcase_add_loop_test(tc, test_serial_too_long, 0, 1);
	tcase_add_loop_test(tc, test_discard_punches_hole, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_write_zeroes, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_readonly_refuses_writes, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_bad_ranges_and_types, 0,
			    FT_LOOPS(N(bad_rw)));
	tcase_add_loop_test(tc, test_bad_segment_tables, 0,
			    FT_LOOPS(N(bad_dz)));
	tcase_add_loop_test(tc, test_short_header_and_no_status, 0,
			    FT_LOOPS(1));
	tcase_add_loop_test(tc, test_queue_depth_and_mq, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_reset_in_flight, 0, FT_LOOPS(2));
	tcase_add_loop_test(tc, test_cache_none, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_bad_options, 0, 1);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(blk_suite());
}
