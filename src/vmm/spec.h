/* spec: the pieces of a device option ("PATH,key=value,..."): fields,
 * on/off and number values, and transport names. Pure string work, so
 * every bad value is one message before any device exists. Depends on
 * machine.h (the transports) and libc.
 */
#ifndef VMM_SPEC_H
#define VMM_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "machine.h"

/* The next "key=value" field at *cursor (comma-separated), split in place:
 * returns the key and sets *value (NULL for a bare "key"), or NULL at the
 * end. Start with *cursor just after the spec's first field (NULL: none). */
char *spec_next_field(char **cursor, char **value);

/* on/yes/1 and off/no/0. 0, or -1 (out unchanged) for anything else. */
int spec_on_off(const char *v, bool *out);

/* A decimal number from 0 to max, digits only. 0 or -1. */
int spec_uint(const char *v, unsigned long max, unsigned long *out);

/* "pci" or "mmio". -1 with "WHAT: ..." in err for anything else; "ccw"
 * gets its own message, since that transport exists but not for x86. */
int spec_transport(const char *what, const char *v, enum machine_transport *t,
		   char *err, size_t err_len);

#endif
