/* spec: option fields and values (see spec.h). */
#include "spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *spec_next_field(char **cursor, char **value)
{
	char *field = *cursor, *eq;

	if (!field)
		return NULL;
	*cursor = strchr(field, ',');
	if (*cursor)
		*(*cursor)++ = '\0';
	eq = strchr(field, '=');
	*value = eq ? eq + 1 : NULL;
	if (eq)
		*eq = '\0';
	return field;
}

int spec_on_off(const char *v, bool *out)
{
	if (v && (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "1")))
		*out = true;
	else if (v &&
		 (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "0")))
		*out = false;
	else
		return -1;
	return 0;
}

int spec_uint(const char *v, unsigned long max, unsigned long *out)
{
	unsigned long n;
	char *end;

	if (!v || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n > max)
		return -1;
	*out = n;
	return 0;
}

/* ccw is a bus this VMM has (src/bus/ccw), but an x86 guest has no
 * channel subsystem to find it through. */
int spec_transport(const char *what, const char *v, enum machine_transport *t,
		   char *err, size_t err_len)
{
	if (v && !strcmp(v, "pci")) {
		*t = MACHINE_TRANSPORT_PCI;
	} else if (v && !strcmp(v, "mmio")) {
		*t = MACHINE_TRANSPORT_MMIO;
	} else if (v && !strcmp(v, "ccw")) {
		snprintf(
			err, err_len,
			"%s: transport 'ccw' is not available on x86 guests "
			"(virtio-ccw needs an s390 channel subsystem); use pci "
			"or mmio",
			what);
		return -1;
	} else {
		snprintf(err, err_len,
			 "%s: unknown transport '%s' (known: pci, mmio)", what,
			 v ? v : "");
		return -1;
	}
	return 0;
}
