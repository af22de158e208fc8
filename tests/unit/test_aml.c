/* test_aml: the AML writer against hand-assembled bytes.
 *
 * Expected bytes follow ACPI 6.5 §20.2 (PkgLength §20.2.4, names §20.2.2,
 * data objects §20.2.3) and §6.4 (resource descriptors); they were
 * cross-checked against iasl's output for the same ASL. iasl writes 0 as the
 * End Tag checksum, we write the real one: those bytes are worked by hand.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aml.h"

#define MAX	      (4u << 20)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void dump(const char *what, const uint8_t *p, size_t n)
{
	fprintf(stderr, "%s (%zu):", what, n);
	for (size_t i = 0; i < n && i < 96; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "\n");
}

static void assert_bytes(struct aml_buf *b, const uint8_t *exp, size_t n)
{
	ck_assert_int_eq(aml_finish(b), 0);
	if (b->len != n || memcmp(b->data, exp, n)) {
		dump("expected", exp, n);
		dump("got     ", b->data, b->len);
		ck_abort_msg("AML bytes differ");
	}
}

#define EXPECT_AML(b, ...)                                   \
	do {                                                 \
		static const uint8_t exp_[] = {__VA_ARGS__}; \
		assert_bytes((b), exp_, sizeof(exp_));       \
	} while (0)

/* Decodes a PkgLength the way an AML interpreter does; returns its size. */
static int pkglen_decode(const uint8_t *p, uint32_t *value)
{
	int extra = p[0] >> 6;

	if (!extra) {
		*value = p[0] & 0x3f;
		return 1;
	}
	ck_assert_int_eq(p[0] & 0x30, 0); /* reserved bits */
	*value = p[0] & 0x0f;
	for (int i = 1; i <= extra; i++)
		*value |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	return 1 + extra;
}

/* --- PkgLength --- */

static const struct {
	uint32_t total;
	int n;
	uint8_t bytes[4];
} pkglen_cases[] = {
	{1, 1, {0x01}},
	{63, 1, {0x3f}},
	{64, 2, {0x40, 0x04}},
	{65, 2, {0x41, 0x04}},
	{4095, 2, {0x4f, 0xff}},
	{4096, 3, {0x80, 0x00, 0x01}},
	{0xfffff, 3, {0x8f, 0xff, 0xff}},	 /* 1 MiB - 1 */
	{0x100000, 4, {0xc0, 0x00, 0x00, 0x01}}, /* 1 MiB */
	{0x123456, 4, {0xc6, 0x45, 0x23, 0x01}},
	{0xfffffff, 4, {0xcf, 0xff, 0xff, 0xff}},
	{0x10000000, -E2BIG, {0}},
	{0xffffffff, -E2BIG, {0}},
};

START_TEST(test_pkglen_encode)
{
	uint8_t out[4] = {0};
	int n = aml_pkglen_encode(pkglen_cases[_i].total, out);

	ck_assert_int_eq(n, pkglen_cases[_i].n);
	if (n > 0) {
		uint32_t back;

		ck_assert_mem_eq(out, pkglen_cases[_i].bytes, (size_t)n);
		ck_assert_int_eq(pkglen_decode(out, &back), n);
		ck_assert_uint_eq(back, pkglen_cases[_i].total);
	}
}
END_TEST

/* A Buffer of data_len bytes: its body is the BufferSize integer plus the
 * data, and the PkgLength must grow exactly when it no longer fits. */
static const struct {
	size_t data_len;
	int pkglen_bytes;
} block_cases[] = {
	{0, 1},	      {60, 1}, /* body 62: PkgLength 63 */
	{61, 2},	       /* body 63: 63 + 1 > 63 */
	{4090, 2},	       /* body 4093: PkgLength 4095 */
	{4091, 3},	       /* body 4094: 4094 + 2 > 4095 */
	{0xffff7, 3},	       /* body 0xffffc: PkgLength 0xfffff */
	{0xffff8, 4},	       /* body 0xffffd: 0xffffd + 3 > 0xfffff */
};

START_TEST(test_pkglen_block_boundaries)
{
	size_t len = block_cases[_i].data_len;
	uint8_t *data = calloc(1, len + 1);
	struct aml_buf b;
	uint32_t pkglen;
	int n;

	ck_assert_ptr_nonnull(data);
	aml_init(&b, MAX);
	aml_buffer(&b, data, len);
	ck_assert_int_eq(aml_finish(&b), 0);
	ck_assert_uint_eq(b.data[0], 0x11); /* BufferOp */
	n = pkglen_decode(b.data + 1, &pkglen);
	ck_assert_int_eq(n, block_cases[_i].pkglen_bytes);
	/* PkgLength covers everything after the opcode, itself included. */
	ck_assert_uint_eq(pkglen, b.len - 1);
	aml_free(&b);
	free(data);
}
END_TEST

/* --- Integers --- */

static const struct {
	uint64_t v;
	size_t n;
	uint8_t bytes[9];
} int_cases[] = {
	{0, 1, {0x00}},	      /* ZeroOp */
	{1, 1, {0x01}},	      /* OneOp */
	{2, 2, {0x0a, 0x02}}, /* BytePrefix */
	{0xff, 2, {0x0a, 0xff}},
	{0x100, 3, {0x0b, 0x00, 0x01}}, /* WordPrefix */
	{0xffff, 3, {0x0b, 0xff, 0xff}},
	{0x10000, 5, {0x0c, 0x00, 0x00, 0x01, 0x00}}, /* DWordPrefix */
	{0xffffffff, 5, {0x0c, 0xff, 0xff, 0xff, 0xff}},
	{0x100000000ull, 9, {0x0e, 0, 0, 0, 0, 1, 0, 0, 0}}, /* QWordPrefix */
	{0xfffffffffffffffeull,
	 9,
	 {0x0e, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	{0xffffffffffffffffull, 1, {0xff}}, /* OnesOp */
};

START_TEST(test_integer)
{
	struct aml_buf b;

	aml_init(&b, MAX);
	aml_integer(&b, int_cases[_i].v);
	assert_bytes(&b, int_cases[_i].bytes, int_cases[_i].n);
	aml_free(&b);
}
END_TEST

/* --- Names --- */

static const struct {
	const char *path;
	size_t n;
	uint8_t bytes[16];
} name_cases[] = {
	{"COM1", 4, {'C', 'O', 'M', '1'}},
	{"_SB", 4, {'_', 'S', 'B', '_'}}, /* padded with '_' */
	{"A", 4, {'A', '_', '_', '_'}},
	{"\\", 2, {0x5c, 0x00}}, /* root, NullName */
	{"^", 2, {0x5e, 0x00}},
	{"^^FOO", 6, {0x5e, 0x5e, 'F', 'O', 'O', '_'}},
	{"\\_SB_.PCI0",
	 10,
	 {0x5c, 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0'}}, /* Dual */
	{"A.B.C",
	 14,
	 {0x2f, 3, 'A', '_', '_', '_', 'B', '_', '_', '_', 'C', '_', '_',
	  '_'}}, /* MultiNamePrefix, count */
};

START_TEST(test_name_string)
{
	struct aml_buf b;

	aml_init(&b, MAX);
	aml_name_string(&b, name_cases[_i].path);
	assert_bytes(&b, name_cases[_i].bytes, name_cases[_i].n);
	aml_free(&b);
}
END_TEST

static const char *const bad_names[] = {
	"",    "ABCDE", "1ABC", "com1",	 "A..B",     "A.",
	".A",  "\\\\A", "^\\A", "A B",	 "A-B",	     "AB.",
	"\\.", "^^.A",	"A.1",	"_SB_.", "\\_S5_\n", NULL,
};

START_TEST(test_name_string_invalid)
{
	struct aml_buf b;

	aml_init(&b, MAX);
	aml_name_string(&b, bad_names[_i]);
	ck_assert_int_eq(aml_finish(&b), -EINVAL);
	ck_assert_uint_eq(b.len, 0); /* nothing half-written */
	aml_free(&b);
}
END_TEST

/* "A.A.A...": 255 segments fit MultiNamePrefix's count byte, 256 do not. */
START_TEST(test_name_string_segment_count)
{
	for (int nsegs = 255; nsegs <= 256; nsegs++) {
		char *path = malloc((size_t)nsegs * 2);
		struct aml_buf b;

		ck_assert_ptr_nonnull(path);
		for (int i = 0; i < nsegs; i++) {
			path[2 * i] = 'A';
			path[2 * i + 1] = i == nsegs - 1 ? '\0' : '.';
		}
		aml_init(&b, MAX);
		aml_name_string(&b, path);
		if (nsegs == 255) {
			ck_assert_int_eq(aml_finish(&b), 0);
			ck_assert_uint_eq(b.len, 2 + 255 * 4);
			ck_assert_uint_eq(b.data[0], 0x2f);
			ck_assert_uint_eq(b.data[1], 255);
		} else {
			ck_assert_int_eq(aml_finish(&b), -EINVAL);
		}
		aml_free(&b);
		free(path);
	}
}
END_TEST

/* --- EISAID --- */

static const struct {
	const char *id;
	int64_t v;
} eisaid_cases[] = {
	{"PNP0501", 0x0105d041}, /* 16550A UART */
	{"PNP0A03", 0x030ad041}, /* PCI bus */
	{"PNP0A08", 0x080ad041}, /* PCI Express bus */
	{"PNP0B00", 0x000bd041}, /* AT RTC */
	{"PNP0303", 0x0303d041}, /* PS/2 keyboard */
	{"AAA0000", 0x00002104}, /* 'A' is 1 in each 5-bit field */
	{"ZZZFFFF", 0xffff5a6b}, {"pnp0501", -EINVAL}, {"PNP050", -EINVAL},
	{"PNP05011", -EINVAL},	 {"PNP05G1", -EINVAL}, {"PNP05a1", -EINVAL},
	{"P1P0501", -EINVAL},	 {"@NP0501", -EINVAL}, {"", -EINVAL},
	{NULL, -EINVAL},
};

START_TEST(test_eisaid_value)
{
	ck_assert_int_eq(aml_eisaid_value(eisaid_cases[_i].id),
			 eisaid_cases[_i].v);
}
END_TEST

START_TEST(test_eisaid_aml)
{
	struct aml_buf b;

	aml_init(&b, MAX);
	aml_eisaid(&b, "PNP0501");
	EXPECT_AML(&b, 0x0c, 0x41, 0xd0, 0x05, 0x01); /* always a DWord */
	aml_free(&b);

	aml_init(&b, MAX);
	aml_eisaid(&b, "PNP05");
	ck_assert_int_eq(aml_finish(&b), -EINVAL);
	ck_assert_uint_eq(b.len, 0);
	aml_free(&b);
}
END_TEST

/* --- Strings, buffers, packages, methods --- */

START_TEST(test_string)
{
	struct aml_buf b;

	aml_init(&b, MAX);
	aml_string(&b, "Ab1");
	aml_string(&b, "");
	EXPECT_AML(&b, 0x0d, 'A', 'b', '1', 0x00, 0x0d, 0x00);
	aml_free(&b);

	aml_init(&b, MAX);
	aml_string(&b, "caf\xc3\xa9"); /* not ASCII */
	ck_assert_int_eq(aml_finish(&b), -EINVAL);
	ck_assert_uint_eq(b.len, 0);
	aml_free(&b);
}
END_TEST

START_TEST(test_buffer)
{
	static const uint8_t data[] = {1, 2, 3};
	struct aml_buf b;

	aml_init(&b, MAX);
	aml_buffer(&b, data, sizeof(data));
	EXPECT_AML(&b, 0x11, 0x06, 0x0a, 0x03, 0x01, 0x02, 0x03);
	aml_free(&b);
}
END_TEST

/* Name(P1, Package(2) { Package(1) { One }, "x" }) */
START_TEST(test_nested_package)
{
	struct aml_buf b;

	aml_init(&b, MAX);
	aml_name(&b, "P1");
	aml_package(&b, 2);
	aml_package(&b, 1);
	aml_integer(&b, 1);
	aml_end(&b);
	aml_string(&b, "x");
	aml_end(&b);
	EXPECT_AML(&b, 0x08, 'P', '1', '_', '_', 0x12, 0x09, 0x02, 0x12, 0x03,
		   0x01, 0x01, 0x0d, 'x', 0x00);
	aml_free(&b);
}
END_TEST

/* Method(_STA, 0, NotSerialized) { Return(0x0F) }
 * Method(M2, 2, Serialized) { Return(Zero) } */
START_TEST(test_method_return)
{
	struct aml_buf b;

	aml_init(&b, MAX);
	aml_method(&b, "_STA", 0, false);
	aml_return(&b);
	aml_integer(&b, 0x0f);
	aml_end(&b);
	aml_method(&b, "M2", 2, true);
	aml_return(&b);
	aml_integer(&b, 0);
	aml_end(&b);
	EXPECT_AML(&b, 0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0f,
		   0x14, 0x08, 'M', '2', '_', '_', 0x0a, 0xa4, 0x00);
	aml_free(&b);
}
END_TEST

/* The example device of the DSDT, assembled by hand from the spec:
 * Scope(\_SB) { Device(COM1) { Name(_HID, EISAID("PNP0501"))
 *   Name(_UID, 0) Name(_CRS, ResourceTemplate() {
 *     IO(Decode16, 0x3F8, 0x3F8, 1, 8) IRQNoFlags() {4} }) } } */
START_TEST(test_device_bytes)
{
	struct aml_buf b;

	aml_init(&b, MAX);
	aml_scope(&b, "\\_SB_");
	aml_device(&b, "COM1");
	aml_name(&b, "_HID");
	aml_eisaid(&b, "PNP0501");
	aml_name(&b, "_UID");
	aml_integer(&b, 0);
	aml_name(&b, "_CRS");
	aml_resource_template(&b);
	aml_res_io(&b, 0x3f8, 0x3f8, 1, 8);
	aml_res_irq_noflags(&b, 4);
	aml_end(&b);
	aml_end(&b);
	aml_end(&b);
	EXPECT_AML(&b,
		   /* ScopeOp, PkgLength 0x33 (5C + 4 + 45), \_SB_ */
		   0x10, 0x33, 0x5c, '_', 'S', 'B', '_',
		   /* DeviceOp, PkgLength 43, COM1 */
		   0x5b, 0x82, 0x2b, 'C', 'O', 'M', '1',
		   /* Name(_HID, DWord 0x0105D041) */
		   0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01,
		   /* Name(_UID, Zero) */
		   0x08, '_', 'U', 'I', 'D', 0x00,
		   /* Name(_CRS, Buffer(13) {...}) */
		   0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0a, 0x0d,
		   /* IO: tag, Decode16, min, max, align, len */
		   0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
		   /* IRQNoFlags: tag, mask 1 << 4 */
		   0x22, 0x10, 0x00,
		   /* End Tag, checksum: 0x2f2 + 0x0e = 0x300 */
		   0x79, 0x0e);
	aml_free(&b);
}
END_TEST

/* --- Resource templates --- */

static void r_mem32(struct aml_buf *b)
{
	aml_res_memory32_fixed(b, 0xd0000000, 0x200, true);
}

static void r_irq_level(struct aml_buf *b)
{
	aml_res_interrupt(b, AML_IRQ_CONSUMER, 5);
}

static void r_irq_edge(struct aml_buf *b)
{
	aml_res_interrupt(b,
			  AML_IRQ_CONSUMER | AML_IRQ_EDGE | AML_IRQ_ACTIVE_LOW |
				  AML_IRQ_SHARED,
			  0x20);
}

static void r_bus(struct aml_buf *b)
{
	aml_res_word_bus_number(b, 0, 0x100);
}

static void r_wordio(struct aml_buf *b)
{
	aml_res_word_io(b, 0x1000, 0xf000);
}

static void r_dwordmem(struct aml_buf *b)
{
	aml_res_dword_memory(b, 0xc0000000, 0x3ec00000, false);
}

static void r_qwordmem(struct aml_buf *b)
{
	aml_res_qword_memory(b, 0x8000000000ull, 0x8000000000ull, true);
}

static void r_none(struct aml_buf *b)
{
}

static const struct {
	const char *asl;
	void (*emit)(struct aml_buf *b);
	size_t n;
	uint8_t desc[48]; /* descriptor bytes, End Tag excluded */
} res_cases[] = {
	{"Memory32Fixed(ReadWrite, 0xD0000000, 0x200)",
	 r_mem32,
	 12,
	 {0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xd0, 0x00, 0x02, 0x00,
	  0x00}},
	{"Interrupt(ResourceConsumer, Level, ActiveHigh, Exclusive) {5}",
	 r_irq_level,
	 9,
	 {0x89, 0x06, 0x00, 0x01, 0x01, 0x05, 0x00, 0x00, 0x00}},
	{"Interrupt(ResourceConsumer, Edge, ActiveLow, Shared) {0x20}",
	 r_irq_edge,
	 9,
	 {0x89, 0x06, 0x00, 0x0f, 0x01, 0x20, 0x00, 0x00, 0x00}},
	{"WordBusNumber(ResourceProducer, MinFixed, MaxFixed, PosDecode, "
	 "0, 0, 0xFF, 0, 0x100)",
	 r_bus,
	 16,
	 {0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
	  0x00, 0x00, 0x00, 0x00, 0x01}},
	{"WordIO(ResourceProducer, MinFixed, MaxFixed, PosDecode, "
	 "EntireRange, 0, 0x1000, 0xFFFF, 0, 0xF000)",
	 r_wordio,
	 16,
	 {0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x10, 0xff,
	  0xff, 0x00, 0x00, 0x00, 0xf0}},
	{"DWordMemory(ResourceProducer, PosDecode, MinFixed, MaxFixed, "
	 "NonCacheable, ReadWrite, 0, 0xC0000000, 0xFEBFFFFF, 0, 0x3EC00000)",
	 r_dwordmem,
	 26,
	 {0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x00,
	  0x00, 0x00, 0x00, 0x00, 0xc0, 0xff, 0xff, 0xbf, 0xfe,
	  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x3e}},
	{"QWordMemory(ResourceProducer, PosDecode, MinFixed, MaxFixed, "
	 "Prefetchable, ReadWrite, 0, 0x8000000000, 0xFFFFFFFFFF, 0, "
	 "0x8000000000)",
	 r_qwordmem,
	 46,
	 {0x8a,
	  0x2b,
	  0x00,
	  0x00,
	  0x0c,
	  0x07,
	  /* _GRA */ 0x00,
	  0x00,
	  0x00,
	  0x00,
	  0x00,
	  0x00,
	  0x00,
	  0x00,
	  /* _MIN */ 0x00,
	  0x00,
	  0x00,
	  0x00,
	  0x80,
	  0x00,
	  0x00,
	  0x00,
	  /* _MAX */ 0xff,
	  0xff,
	  0xff,
	  0xff,
	  0xff,
	  0x00,
	  0x00,
	  0x00,
	  /* _TRA */ 0x00,
	  0x00,
	  0x00,
	  0x00,
	  0x00,
	  0x00,
	  0x00,
	  0x00,
	  /* _LEN */ 0x00,
	  0x00,
	  0x00,
	  0x00,
	  0x80,
	  0x00,
	  0x00,
	  0x00}},
	{"(empty)", r_none, 0, {0}},
};

/* Each descriptor inside a ResourceTemplate: Buffer(size) { desc, End Tag,
 * checksum }, with size counting the End Tag and all bytes summing to 0. */
START_TEST(test_resource_descriptor)
{
	size_t n = res_cases[_i].n, off;
	struct aml_buf b;
	uint32_t pkglen;
	uint8_t sum = 0;

	aml_init(&b, MAX);
	aml_resource_template(&b);
	res_cases[_i].emit(&b);
	aml_end(&b);
	ck_assert_msg(aml_finish(&b) == 0, "%s", res_cases[_i].asl);
	ck_assert_uint_eq(b.data[0], 0x11);
	off = 1 + (size_t)pkglen_decode(b.data + 1, &pkglen);
	ck_assert_uint_eq(pkglen, b.len - 1);
	ck_assert_uint_eq(b.data[off], 0x0a); /* BytePrefix: size < 256 */
	ck_assert_uint_eq(b.data[off + 1], n + 2);
	off += 2;
	ck_assert_uint_eq(b.len, off + n + 2);
	ck_assert_msg(!memcmp(b.data + off, res_cases[_i].desc, n), "%s",
		      res_cases[_i].asl);
	ck_assert_uint_eq(b.data[off + n], 0x79);
	for (size_t i = off; i < b.len; i++)
		sum += b.data[i];
	ck_assert_uint_eq(sum, 0);
	aml_free(&b);
}
END_TEST

START_TEST(test_resource_template_empty)
{
	struct aml_buf b;

	aml_init(&b, MAX);
	aml_resource_template(&b);
	aml_end(&b);
	EXPECT_AML(&b, 0x11, 0x05, 0x0a, 0x02, 0x79, 0x87);
	aml_free(&b);
}
END_TEST

/* 40 IO descriptors: 322 bytes, so a WordPrefix size and 2-byte PkgLength. */
START_TEST(test_resource_template_large)
{
	struct aml_buf b;
	uint32_t pkglen;
	uint8_t sum = 0;
	int n;

	aml_init(&b, MAX);
	aml_resource_template(&b);
	for (int i = 0; i < 40; i++)
		aml_res_io(&b, (uint16_t)(0x100 + 8 * i),
			   (uint16_t)(0x100 + 8 * i), 8, 8);
	aml_end(&b);
	ck_assert_int_eq(aml_finish(&b), 0);
	n = pkglen_decode(b.data + 1, &pkglen);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(pkglen, b.len - 1);
	ck_assert_uint_eq(b.data[1 + n], 0x0b);
	ck_assert_uint_eq(b.data[2 + n] | b.data[3 + n] << 8, 40 * 8 + 2);
	for (size_t i = 4 + (size_t)n; i < b.len; i++)
		sum += b.data[i];
	ck_assert_uint_eq(sum, 0);
	ck_assert_uint_eq(b.data[b.len - 2], 0x79);
	aml_free(&b);
}
END_TEST

/* --- Misuse: every bad argument is -EINVAL and stops the buffer --- */

static void bad_irq16(struct aml_buf *b)
{
	aml_res_irq_noflags(b, 16);
}
static void bad_io_min_gt_max(struct aml_buf *b)
{
	aml_res_io(b, 0x3f9, 0x3f8, 1, 8);
}
static void bad_irq_flags(struct aml_buf *b)
{
	aml_res_interrupt(b, 1u << 5, 5);
}
static void bad_bus_len0(struct aml_buf *b)
{
	aml_res_word_bus_number(b, 0, 0);
}
static void bad_bus_len_too_big(struct aml_buf *b)
{
	aml_res_word_bus_number(b, 0, 0x10000); /* _LEN is 16 bits */
}
static void bad_wordio_wraps(struct aml_buf *b)
{
	aml_res_word_io(b, 0xffff, 2);
}
static void bad_dword_wraps(struct aml_buf *b)
{
	aml_res_dword_memory(b, 0xfff00000, 0x100001, false);
}
static void bad_dword_len(struct aml_buf *b)
{
	aml_res_dword_memory(b, 0, 0x100000000ull, false);
}
static void bad_qword_wraps(struct aml_buf *b)
{
	aml_res_qword_memory(b, 0xfffffffffffff000ull, 0x2000, false);
}
static void bad_method_args(struct aml_buf *b)
{
	aml_method(b, "M8", 8, false);
}
static void bad_package_size(struct aml_buf *b)
{
	aml_package(b, 256);
}
static void bad_end_unopened(struct aml_buf *b)
{
	aml_end(b);
}
static void bad_device_name(struct aml_buf *b)
{
	aml_device(b, "dev0");
}
static void bad_left_open(struct aml_buf *b)
{
	aml_scope(b, "\\_SB_");
}

static void (*const misuse_cases[])(struct aml_buf *b) = {
	bad_irq16,	 bad_io_min_gt_max,   bad_irq_flags,
	bad_bus_len0,	 bad_bus_len_too_big, bad_wordio_wraps,
	bad_dword_wraps, bad_dword_len,	      bad_qword_wraps,
	bad_method_args, bad_package_size,    bad_end_unopened,
	bad_device_name, bad_left_open,
};

START_TEST(test_misuse)
{
	struct aml_buf b;
	size_t len;

	aml_init(&b, MAX);
	misuse_cases[_i](&b);
	ck_assert_int_eq(aml_finish(&b), -EINVAL);
	/* Sticky: later valid calls change nothing. */
	len = b.len;
	aml_integer(&b, 0x1234);
	aml_name(&b, "OK");
	ck_assert_uint_eq(b.len, len);
	ck_assert_int_eq(aml_finish(&b), -EINVAL);
	aml_free(&b);
}
END_TEST

START_TEST(test_nesting_limit)
{
	struct aml_buf b;

	aml_init(&b, MAX);
	for (int i = 0; i < AML_MAX_DEPTH; i++)
		aml_scope(&b, "S");
	ck_assert_int_eq(b.err, 0);
	aml_scope(&b, "S");
	ck_assert_int_eq(aml_finish(&b), -E2BIG);
	aml_free(&b);
}
END_TEST

/* A capped buffer: the write that would pass max fails, nothing after it
 * lands, and the bytes before it are intact. */
START_TEST(test_max_len)
{
	struct aml_buf b;

	aml_init(&b, 6);
	aml_name(&b, "_UID");  /* 5 bytes */
	aml_integer(&b, 0x10); /* 2 more: one too many */
	ck_assert_int_eq(aml_finish(&b), -ENOSPC);
	ck_assert_uint_eq(b.len, 5);
	ck_assert_mem_eq(b.data, "\x08_UID", 5);
	aml_integer(&b, 0);
	ck_assert_uint_eq(b.len, 5);
	aml_free(&b);

	/* Closing a block needs room for its PkgLength too. */
	aml_init(&b, 6);
	aml_scope(&b, "ABCD"); /* 5 bytes, PkgLength not yet in */
	aml_end(&b);	       /* 6 */
	ck_assert_int_eq(aml_finish(&b), 0);
	EXPECT_AML(&b, 0x10, 0x05, 'A', 'B', 'C', 'D');
	aml_free(&b);

	aml_init(&b, 5);
	aml_scope(&b, "ABCD");
	aml_end(&b);
	ck_assert_int_eq(aml_finish(&b), -ENOSPC);
	aml_free(&b);
}
END_TEST

static Suite *aml_suite(void)
{
	Suite *s = suite_create("aml");
	TCase *enc = tcase_create("encodings");
	TCase *obj = tcase_create("objects");
	TCase *res = tcase_create("resources");
	TCase *bad = tcase_create("misuse");

	tcase_add_loop_test(enc, test_pkglen_encode, 0,
			    ARRAY_SIZE(pkglen_cases));
	tcase_add_loop_test(enc, test_pkglen_block_boundaries, 0,
			    ARRAY_SIZE(block_cases));
	tcase_add_loop_test(enc, test_integer, 0, ARRAY_SIZE(int_cases));
	tcase_add_loop_test(enc, test_name_string, 0, ARRAY_SIZE(name_cases));
	tcase_add_loop_test(enc, test_name_string_invalid, 0,
			    ARRAY_SIZE(bad_names));
	tcase_add_test(enc, test_name_string_segment_count);
	tcase_add_loop_test(enc, test_eisaid_value, 0,
			    ARRAY_SIZE(eisaid_cases));
	tcase_add_test(enc, test_eisaid_aml);
	suite_add_tcase(s, enc);

	tcase_add_test(obj, test_string);
	tcase_add_test(obj, test_buffer);
	tcase_add_test(obj, test_nested_package);
	tcase_add_test(obj, test_method_return);
	tcase_add_test(obj, test_device_bytes);
	suite_add_tcase(s, obj);

	tcase_add_loop_test(res, test_resource_descriptor, 0,
			    ARRAY_SIZE(res_cases));
	tcase_add_test(res, test_resource_template_empty);
	tcase_add_test(res, test_resource_template_large);
	suite_add_tcase(s, res);

	tcase_add_loop_test(bad, test_misuse, 0, ARRAY_SIZE(misuse_cases));
	tcase_add_test(bad, test_nesting_limit);
	tcase_add_test(bad, test_max_len);
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(aml_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
