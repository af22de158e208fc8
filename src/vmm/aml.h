/* aml: a writer for ACPI Machine Language, the byte code of the DSDT
 * (ACPI 6.5 §20.2 AML grammar, §20.2.4 PkgLength, §6.4 resource data types).
 *
 * The calls mirror ASL: open a Scope/Device/Method/Package/ResourceTemplate,
 * emit its contents, close it with aml_end(). Depends only on libc.
 */
#ifndef VMM_AML_H
#define VMM_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH  16	  /* nested open blocks */
#define AML_PKGLEN_MAX 0x0fffffff /* largest PkgLength (28 bits) */

/*
 * A growing byte buffer. Errors are sticky: the first failure (bad name,
 * too long, out of memory, ...) is kept in err and every later call does
 * nothing, so a builder can emit a whole table and check once, with
 * aml_finish(), instead of after every call.
 */
struct aml_buf {
	uint8_t *data;
	size_t len, cap;
	size_t max; /* len never exceeds this (-ENOSPC instead) */
	int err;    /* 0 or the first -errno */
	unsigned int depth;
	struct aml_block {
		size_t off;   /* where the block's PkgLength will go */
		uint8_t kind; /* AML_BLOCK_* (aml.c) */
	} open[AML_MAX_DEPTH];
};

/* Starts an empty buffer that may grow up to max bytes. */
void aml_init(struct aml_buf *b, size_t max);
/* Frees the bytes; the buffer may be reused after aml_init(). */
void aml_free(struct aml_buf *b);
/* 0 when everything emitted so far was valid and every block is closed;
 * otherwise the first error (-EINVAL for a block left open). */
int aml_finish(struct aml_buf *b);

/* --- Encodings, exposed for tests (§20.2.4, §20.2.2, §20.2.3) --- */

/* Encodes a PkgLength whose value (which counts the PkgLength bytes
 * themselves) is total. Returns the 1-4 bytes written to out, or -E2BIG
 * above AML_PKGLEN_MAX. */
int aml_pkglen_encode(uint32_t total, uint8_t out[4]);
/* The compressed EISA id of a 7-character PNP id such as "PNP0501" (three
 * upper-case letters, four hex digits), as the DWord the AML stores; or
 * -EINVAL (returned as a negative int64_t) for any other string. */
int64_t aml_eisaid_value(const char *id);

/* --- Raw bytes and data objects --- */

void aml_byte(struct aml_buf *b, uint8_t v);
void aml_bytes(struct aml_buf *b, const void *p, size_t n);
/* An Integer in its shortest form: Zero, One, Ones (all 64 bits set),
 * else Byte/Word/DWord/QWord prefix. Tables use DSDT revision 2, so
 * integers are 64 bits wide. */
void aml_integer(struct aml_buf *b, uint64_t v);
/* A String: printable ASCII (0x01-0x7f), NUL-terminated in the AML. */
void aml_string(struct aml_buf *b, const char *s);
/* A Buffer holding a copy of len bytes. */
void aml_buffer(struct aml_buf *b, const void *data, size_t len);
/* EISAID("PNP0501"): the compressed id as a DWord constant, like iasl. */
void aml_eisaid(struct aml_buf *b, const char *id);
/*
 * A NameString: optional root prefix '\' or parent prefixes '^', then zero
 * or more dot-separated segments of 1-4 characters ([A-Z_][A-Z0-9_]*),
 * padded with '_' to four ("_SB" is "_SB_"). Examples: "COM1",
 * "\\_SB_.PCI0", "^^FOO", "\\". Lower case is rejected (-EINVAL).
 */
void aml_name_string(struct aml_buf *b, const char *path);

/* --- Named objects and blocks --- */

/* Name(path, ...): emit the value right after (an integer, package...). */
void aml_name(struct aml_buf *b, const char *path);
/* Return(...): emit the returned object right after. */
void aml_return(struct aml_buf *b);

/* Open a block; aml_end() closes the innermost one. */
void aml_scope(struct aml_buf *b, const char *path);
void aml_device(struct aml_buf *b, const char *path);
/* Method(path, nargs (0-7), Serialized or NotSerialized). */
void aml_method(struct aml_buf *b, const char *path, unsigned int nargs,
		bool serialized);
/* Package(nelems): exactly nelems objects must follow (at most 255). */
void aml_package(struct aml_buf *b, unsigned int nelems);
/* ResourceTemplate(): a Buffer of descriptors; aml_end() appends the End
 * Tag with a checksum that makes the descriptor bytes sum to zero. */
void aml_resource_template(struct aml_buf *b);
void aml_end(struct aml_buf *b);

/* --- Resource descriptors (§6.4), inside aml_resource_template() --- */

/* IO(Decode16, min, max, align, len) (§6.4.2.5) */
void aml_res_io(struct aml_buf *b, uint16_t min, uint16_t max, uint8_t align,
		uint8_t len);
/* IRQNoFlags(){irq}: ISA IRQ 0-15, edge, active-high (§6.4.2.1) */
void aml_res_irq_noflags(struct aml_buf *b, unsigned int irq);
/* Memory32Fixed(ReadWrite or ReadOnly, base, len) (§6.4.3.4) */
void aml_res_memory32_fixed(struct aml_buf *b, uint32_t base, uint32_t len,
			    bool writable);

/* Extended Interrupt descriptor flags (§6.4.3.6); zero means
 * ResourceProducer, Level, ActiveHigh, Exclusive. */
#define AML_IRQ_CONSUMER   (1u << 0)
#define AML_IRQ_EDGE	   (1u << 1)
#define AML_IRQ_ACTIVE_LOW (1u << 2)
#define AML_IRQ_SHARED	   (1u << 3)
#define AML_IRQ_WAKE	   (1u << 4)
/* Interrupt(flags...){gsi} with one interrupt number. */
void aml_res_interrupt(struct aml_buf *b, unsigned int flags, uint32_t gsi);

/* Address space descriptors (§6.4.3.5) for a bridge's windows: always
 * ResourceProducer, MinFixed, MaxFixed, PosDecode, granularity and
 * translation 0, and max = min + len - 1 (len 0 or overflow: -EINVAL). */
void aml_res_word_bus_number(struct aml_buf *b, uint16_t min, uint32_t len);
void aml_res_word_io(struct aml_buf *b, uint16_t min, uint32_t len);
void aml_res_dword_memory(struct aml_buf *b, uint32_t min, uint64_t len,
			  bool prefetchable);
void aml_res_qword_memory(struct aml_buf *b, uint64_t min, uint64_t len,
			  bool prefetchable);

#endif
