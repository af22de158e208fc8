/* aml: the AML byte-code writer (see aml.h).
 *
 * ACPI 6.5 §20.2 gives the grammar: opcodes in §20.2.5, names in §20.2.2,
 * integers and strings in §20.2.3, PkgLength in §20.2.4; resource
 * descriptors are §6.4. Blocks whose length is only known at the end get
 * their PkgLength inserted in front of the body when they are closed.
 */
#include "aml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Opcodes and prefixes (§20.2.3, §20.2.5) */
#define AML_ZERO_OP	       0x00
#define AML_ONE_OP	       0x01
#define AML_NAME_OP	       0x08
#define AML_BYTE_PREFIX	       0x0a
#define AML_WORD_PREFIX	       0x0b
#define AML_DWORD_PREFIX       0x0c
#define AML_STRING_PREFIX      0x0d
#define AML_QWORD_PREFIX       0x0e
#define AML_SCOPE_OP	       0x10
#define AML_BUFFER_OP	       0x11
#define AML_PACKAGE_OP	       0x12
#define AML_METHOD_OP	       0x14
#define AML_DUAL_NAME_PREFIX   0x2e
#define AML_MULTI_NAME_PREFIX  0x2f
#define AML_EXT_OP_PREFIX      0x5b
#define AML_DEVICE_OP	       0x82 /* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR	       0x5c
#define AML_PARENT_PREFIX_CHAR 0x5e
#define AML_NULL_NAME	       0x00
#define AML_RETURN_OP	       0xa4
#define AML_ONES_OP	       0xff

/* Resource descriptor tags (§6.4.2 small, §6.4.3 large) */
#define AML_RES_IRQ_NOFLAGS    0x22 /* small type 0x04, 2 bytes */
#define AML_RES_IO	       0x47 /* small type 0x08, 7 bytes */
#define AML_RES_END_TAG	       0x79 /* small type 0x0f, 1 byte */
#define AML_RES_MEMORY32_FIXED 0x86
#define AML_RES_DWORD_ADDR     0x87
#define AML_RES_WORD_ADDR      0x88
#define AML_RES_EXT_IRQ	       0x89
#define AML_RES_QWORD_ADDR     0x8a

/* Address space descriptor fields (§6.4.3.5) */
#define AML_ADDR_MEMORY	       0
#define AML_ADDR_IO	       1
#define AML_ADDR_BUS	       2
#define AML_ADDR_MIN_MAX_FIXED 0x0c /* _MIF | _MAF, producer, pos decode */
#define AML_MEM_RW	       0x01
#define AML_MEM_PREFETCHABLE   (3 << 1)
#define AML_IO_ENTIRE_RANGE    0x03

enum { AML_BLOCK_PKG, AML_BLOCK_RES };

static void set_err(struct aml_buf *b, int err)
{
	if (!b->err)
		b->err = err;
}

/* Makes room for n more bytes; false (with b->err set) if it cannot. */
static bool reserve(struct aml_buf *b, size_t n)
{
	size_t need, cap;
	uint8_t *p;

	if (b->err)
		return false;
	if (n > b->max - b->len) {
		set_err(b, -ENOSPC);
		return false;
	}
	need = b->len + n;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256 < b->max ? 256 : b->max;
	while (cap < need)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	p = realloc(b->data, cap);
	if (!p) {
		set_err(b, -ENOMEM);
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

static void insert(struct aml_buf *b, size_t off, const uint8_t *p, size_t n)
{
	if (!reserve(b, n))
		return;
	memmove(b->data + off + n, b->data + off, b->len - off);
	memcpy(b->data + off, p, n);
	b->len += n;
}

void aml_init(struct aml_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void aml_free(struct aml_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int aml_finish(struct aml_buf *b)
{
	if (!b->err && b->depth)
		set_err(b, -EINVAL);
	return b->err;
}

void aml_bytes(struct aml_buf *b, const void *p, size_t n)
{
	if (n == 0 || !reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void aml_byte(struct aml_buf *b, uint8_t v)
{
	aml_bytes(b, &v, 1);
}

static void put_le(struct aml_buf *b, uint64_t v, unsigned int n)
{
	uint8_t out[8];

	for (unsigned int i = 0; i < n; i++)
		out[i] = (uint8_t)(v >> (8 * i));
	aml_bytes(b, out, n);
}

/* --- PkgLength (§20.2.4) --- */

int aml_pkglen_encode(uint32_t total, uint8_t out[4])
{
	int n;

	if (total > AML_PKGLEN_MAX)
		return -E2BIG;
	if (total <= 0x3f) {
		out[0] = (uint8_t)total;
		return 1;
	}
	/* Lead byte: count of extra bytes in bits 7-6, low nibble in 3-0. */
	n = total <= 0xfff ? 2 : total <= 0xfffff ? 3 : 4;
	out[0] = (uint8_t)(((n - 1) << 6) | (total & 0x0f));
	for (int i = 1; i < n; i++)
		out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	return n;
}

/* The PkgLength counts its own bytes, so pick the smallest size that can
 * hold body + itself. */
static int pkglen_for_body(size_t body, uint8_t out[4])
{
	static const size_t limit[] = {0, 0x3f, 0xfff, 0xfffff, 0xfffffff};

	for (int n = 1; n <= 4; n++) {
		if (body <= limit[n] - n)
			return aml_pkglen_encode((uint32_t)(body + n), out);
	}
	return -E2BIG;
}

static void open_block(struct aml_buf *b, uint8_t kind)
{
	if (b->err)
		return;
	if (b->depth == AML_MAX_DEPTH) {
		set_err(b, -E2BIG);
		return;
	}
	b->open[b->depth].off = b->len;
	b->open[b->depth].kind = kind;
	b->depth++;
}

static void close_pkg(struct aml_buf *b, size_t off)
{
	uint8_t pkglen[4];
	int n = pkglen_for_body(b->len - off, pkglen);

	if (n < 0) {
		set_err(b, n);
		return;
	}
	insert(b, off, pkglen, (size_t)n);
}

/* --- Integers, strings, buffers (§20.2.3) --- */

static void put_prefixed(struct aml_buf *b, uint8_t prefix, uint64_t v,
			 unsigned int n)
{
	aml_byte(b, prefix);
	put_le(b, v, n);
}

/* The shortest encoding of v; returns its length (1-9 bytes). */
static size_t integer_encode(uint64_t v, uint8_t out[9])
{
	unsigned int n;

	if (v == 0 || v == 1 || v == UINT64_MAX) {
		out[0] = v == 0	  ? AML_ZERO_OP
			 : v == 1 ? AML_ONE_OP
				  : AML_ONES_OP;
		return 1;
	}
	if (v <= UINT8_MAX) {
		out[0] = AML_BYTE_PREFIX;
		n = 1;
	} else if (v <= UINT16_MAX) {
		out[0] = AML_WORD_PREFIX;
		n = 2;
	} else if (v <= UINT32_MAX) {
		out[0] = AML_DWORD_PREFIX;
		n = 4;
	} else {
		out[0] = AML_QWORD_PREFIX;
		n = 8;
	}
	for (unsigned int i = 0; i < n; i++)
		out[1 + i] = (uint8_t)(v >> (8 * i));
	return 1 + n;
}

void aml_integer(struct aml_buf *b, uint64_t v)
{
	uint8_t out[9];

	aml_bytes(b, out, integer_encode(v, out));
}

void aml_string(struct aml_buf *b, const char *s)
{
	if (!s) {
		set_err(b, -EINVAL);
		return;
	}
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p > 0x7f) {
			set_err(b, -EINVAL);
			return;
		}
	}
	aml_byte(b, AML_STRING_PREFIX);
	aml_bytes(b, s, strlen(s) + 1);
}

void aml_buffer(struct aml_buf *b, const void *data, size_t len)
{
	aml_byte(b, AML_BUFFER_OP);
	open_block(b, AML_BLOCK_PKG);
	aml_integer(b, len);
	aml_bytes(b, data, len);
	aml_end(b);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int64_t aml_eisaid_value(const char *id)
{
	uint32_t v = 0;

	if (!id || strlen(id) != 7)
		return -EINVAL;
	/* Three letters, 5 bits each ('A' is 1), then four hex digits... */
	for (int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return -EINVAL;
		v |= (uint32_t)(id[i] - 0x40) << (26 - 5 * i);
	}
	for (int i = 3; i < 7; i++) {
		int d = hex_digit(id[i]);

		if (d < 0)
			return -EINVAL;
		v |= (uint32_t)d << (4 * (6 - i));
	}
	/* ...packed big-endian, so the DWord's first byte holds bit 31. */
	return __builtin_bswap32(v);
}

void aml_eisaid(struct aml_buf *b, const char *id)
{
	int64_t v = aml_eisaid_value(id);

	if (v < 0) {
		set_err(b, (int)v);
		return;
	}
	put_prefixed(b, AML_DWORD_PREFIX, (uint64_t)v, 4);
}

/* --- Names (§20.2.2) --- */

static bool lead_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
	return lead_char(c) || (c >= '0' && c <= '9');
}

static const char *skip_prefix(const char *p)
{
	if (*p == '\\')
		return p + 1;
	while (*p == '^')
		p++;
	return p;
}

/* Counts the segments of path after its prefix; -EINVAL if malformed. */
static int name_segments(const char *path)
{
	const char *p = skip_prefix(path);
	int n = 0;

	if (*p == '\0')
		return p == path ? -EINVAL : 0; /* "" is not a name, "\" is */
	for (;;) {
		size_t len = 0;

		if (!lead_char(*p))
			return -EINVAL;
		while (name_char(p[len]))
			len++;
		if (len > 4 || ++n > 255)
			return -EINVAL;
		p += len;
		if (*p == '\0')
			return n;
		if (*p++ != '.')
			return -EINVAL;
	}
}

void aml_name_string(struct aml_buf *b, const char *path)
{
	int n = path ? name_segments(path) : -EINVAL;
	const char *p;

	if (n < 0) {
		set_err(b, n);
		return;
	}
	p = skip_prefix(path);
	for (const char *q = path; q < p; q++)
		aml_byte(b,
			 *q == '\\' ? AML_ROOT_CHAR : AML_PARENT_PREFIX_CHAR);
	if (n == 0)
		aml_byte(b, AML_NULL_NAME);
	else if (n == 2)
		aml_byte(b, AML_DUAL_NAME_PREFIX);
	else if (n > 2) {
		aml_byte(b, AML_MULTI_NAME_PREFIX);
		aml_byte(b, (uint8_t)n);
	}
	while (*p) {
		char seg[4] = {'_', '_', '_', '_'};

		for (int i = 0; *p && *p != '.'; i++)
			seg[i] = *p++;
		aml_bytes(b, seg, sizeof(seg));
		if (*p == '.')
			p++;
	}
}

/* --- Named objects and blocks (§19.6 ASL, §20.2.5 AML) --- */

void aml_name(struct aml_buf *b, const char *path)
{
	aml_byte(b, AML_NAME_OP);
	aml_name_string(b, path);
}

void aml_return(struct aml_buf *b)
{
	aml_byte(b, AML_RETURN_OP);
}

void aml_scope(struct aml_buf *b, const char *path)
{
	aml_byte(b, AML_SCOPE_OP);
	open_block(b, AML_BLOCK_PKG);
	aml_name_string(b, path);
}

void aml_device(struct aml_buf *b, const char *path)
{
	aml_byte(b, AML_EXT_OP_PREFIX);
	aml_byte(b, AML_DEVICE_OP);
	open_block(b, AML_BLOCK_PKG);
	aml_name_string(b, path);
}

void aml_method(struct aml_buf *b, const char *path, unsigned int nargs,
		bool serialized)
{
	if (nargs > 7) {
		set_err(b, -EINVAL);
		return;
	}
	aml_byte(b, AML_METHOD_OP);
	open_block(b, AML_BLOCK_PKG);
	aml_name_string(b, path);
	/* MethodFlags: ArgCount in bits 2-0, SerializeFlag in bit 3. */
	aml_byte(b, (uint8_t)(nargs | (serialized ? 1u << 3 : 0)));
}

void aml_package(struct aml_buf *b, unsigned int nelems)
{
	if (nelems > 255) {
		set_err(b, -EINVAL);
		return;
	}
	aml_byte(b, AML_PACKAGE_OP);
	open_block(b, AML_BLOCK_PKG);
	aml_byte(b, (uint8_t)nelems);
}

void aml_resource_template(struct aml_buf *b)
{
	aml_byte(b, AML_BUFFER_OP);
	open_block(b, AML_BLOCK_RES);
}

/* Ends the descriptors with an End Tag (§6.4.2.9), then puts the Buffer's
 * size in front of them; close_pkg() adds the PkgLength before that. */
static void close_resource_template(struct aml_buf *b, size_t off)
{
	uint8_t sum = AML_RES_END_TAG, size[9];

	for (size_t i = off; i < b->len; i++)
		sum += b->data[i];
	aml_byte(b, AML_RES_END_TAG);
	aml_byte(b, (uint8_t)-sum);
	if (b->err)
		return;
	insert(b, off, size, integer_encode(b->len - off, size));
}

void aml_end(struct aml_buf *b)
{
	struct aml_block *blk;

	if (b->err)
		return;
	if (!b->depth) {
		set_err(b, -EINVAL);
		return;
	}
	blk = &b->open[--b->depth];
	if (blk->kind == AML_BLOCK_RES)
		close_resource_template(b, blk->off);
	close_pkg(b, blk->off);
}

/* --- Resource descriptors (§6.4) --- */

void aml_res_io(struct aml_buf *b, uint16_t min, uint16_t max, uint8_t align,
		uint8_t len)
{
	if (min > max) {
		set_err(b, -EINVAL);
		return;
	}
	aml_byte(b, AML_RES_IO);
	aml_byte(b, 0x01); /* _DEC: decodes 16 address bits */
	put_le(b, min, 2);
	put_le(b, max, 2);
	aml_byte(b, align);
	aml_byte(b, len);
}

void aml_res_irq_noflags(struct aml_buf *b, unsigned int irq)
{
	if (irq > 15) {
		set_err(b, -EINVAL);
		return;
	}
	aml_byte(b, AML_RES_IRQ_NOFLAGS);
	put_le(b, 1u << irq, 2);
}

void aml_res_memory32_fixed(struct aml_buf *b, uint32_t base, uint32_t len,
			    bool writable)
{
	aml_byte(b, AML_RES_MEMORY32_FIXED);
	put_le(b, 9, 2); /* length of what follows */
	aml_byte(b, writable ? 1 : 0);
	put_le(b, base, 4);
	put_le(b, len, 4);
}

void aml_res_interrupt(struct aml_buf *b, unsigned int flags, uint32_t gsi)
{
	if (flags & ~0x1fu) {
		set_err(b, -EINVAL);
		return;
	}
	aml_byte(b, AML_RES_EXT_IRQ);
	put_le(b, 6, 2); /* flags, count, one DWord */
	aml_byte(b, (uint8_t)flags);
	aml_byte(b, 1);
	put_le(b, gsi, 4);
}

/* Word/DWord/QWord Address Space Descriptor: width is 2, 4 or 8 bytes. */
static void res_addr_space(struct aml_buf *b, uint8_t tag, unsigned int width,
			   uint8_t type, uint8_t type_flags, uint64_t min,
			   uint64_t len)
{
	uint64_t limit = width == 8 ? UINT64_MAX : (1ull << (8 * width)) - 1;

	if (len == 0 || len > limit || min > limit - (len - 1)) {
		set_err(b, -EINVAL);
		return;
	}
	aml_byte(b, tag);
	put_le(b, 3 + 5 * width, 2); /* 3 flag bytes, 5 fields */
	aml_byte(b, type);
	aml_byte(b, AML_ADDR_MIN_MAX_FIXED);
	aml_byte(b, type_flags);
	put_le(b, 0, width); /* _GRA */
	put_le(b, min, width);
	put_le(b, min + len - 1, width);
	put_le(b, 0, width); /* _TRA */
	put_le(b, len, width);
}

void aml_res_word_bus_number(struct aml_buf *b, uint16_t min, uint32_t len)
{
	res_addr_space(b, AML_RES_WORD_ADDR, 2, AML_ADDR_BUS, 0, min, len);
}

void aml_res_word_io(struct aml_buf *b, uint16_t min, uint32_t len)
{
	res_addr_space(b, AML_RES_WORD_ADDR, 2, AML_ADDR_IO,
		       AML_IO_ENTIRE_RANGE, min, len);
}

static uint8_t mem_flags(bool prefetchable)
{
	return AML_MEM_RW | (prefetchable ? AML_MEM_PREFETCHABLE : 0);
}

void aml_res_dword_memory(struct aml_buf *b, uint32_t min, uint64_t len,
			  bool prefetchable)
{
	res_addr_space(b, AML_RES_DWORD_ADDR, 4, AML_ADDR_MEMORY,
		       mem_flags(prefetchable), min, len);
}

void aml_res_qword_memory(struct aml_buf *b, uint64_t min, uint64_t len,
			  bool prefetchable)
{
	res_addr_space(b, AML_RES_QWORD_ADDR, 8, AML_ADDR_MEMORY,
		       mem_flags(prefetchable), min, len);
}
