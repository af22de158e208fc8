/* net_slirp_fwd: the parser of one hostfwd= rule for the slirp backend.
 *
 * The syntax is QEMU's -netdev user,hostfwd=:
 * [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT, IPv4 addresses in
 * dotted quad (inet_pton), ports 1..65535. Strict: anything else is one
 * clear line of error. Pure: no sockets, no libslirp. Depends on libc only.
 */
#include "net_slirp.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FWD_RULE_MAX  128 /* longer than any valid rule */
#define GUEST_DEFAULT "10.0.2.15"

static int fwd_fail(char *err, size_t err_len, const char *rule,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fwd_fail(char *err, size_t err_len, const char *rule,
		    const char *fmt, ...)
{
	char why[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (err && err_len)
		snprintf(err, err_len, "hostfwd '%s': %s", rule, why);
	return -1;
}

/* A decimal port 1..65535, digits only (no sign, no spaces). */
static int fwd_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* One side, "[ADDR]:PORT", split in place. An empty ADDR means dflt. */
static int fwd_side(char *side, const char *dflt, struct in_addr *addr,
		    uint16_t *port, const char *name, const char *rule,
		    char *err, size_t err_len)
{
	char *colon = strchr(side, ':');

	if (!colon || strchr(colon + 1, ':'))
		return fwd_fail(err, err_len, rule,
				"%s part must be [ADDR]:PORT", name);
	*colon = '\0';
	if (inet_pton(AF_INET, *side ? side : dflt, addr) != 1)
		return fwd_fail(err, err_len, rule,
				"%s address '%s' is not an IPv4 address", name,
				side);
	if (fwd_port(colon + 1, port) < 0)
		return fwd_fail(err, err_len, rule,
				"%s port '%s' is not a number in 1..65535",
				name, colon + 1);
	return 0;
}

/* The protocol before the first ':'; empty means tcp. Returns the rest. */
static char *fwd_proto(char *buf, bool *udp, const char *rule, char *err,
		       size_t err_len)
{
	char *colon = strchr(buf, ':');

	if (!colon) {
		fwd_fail(err, err_len, rule,
			 "expected [tcp|udp]:[HOSTADDR]:HOSTPORT-"
			 "[GUESTADDR]:GUESTPORT");
		return NULL;
	}
	*colon = '\0';
	if (!*buf || !strcmp(buf, "tcp")) {
		*udp = false;
	} else if (!strcmp(buf, "udp")) {
		*udp = true;
	} else {
		fwd_fail(err, err_len, rule,
			 "protocol '%s' is neither tcp nor udp", buf);
		return NULL;
	}
	return colon + 1;
}

int net_slirp_parse_fwd(const char *rule, struct net_slirp_fwd *out, char *err,
			size_t err_len)
{
	char buf[FWD_RULE_MAX + 1];
	struct net_slirp_fwd f = {0};
	char *rest, *dash;

	if (!rule || !*rule)
		return fwd_fail(err, err_len, "", "empty rule");
	if (strlen(rule) > FWD_RULE_MAX)
		return fwd_fail(err, err_len, "...",
				"rule longer than %d bytes", FWD_RULE_MAX);
	strcpy(buf, rule);
	rest = fwd_proto(buf, &f.udp, rule, err, err_len);
	if (!rest)
		return -1;
	dash = strchr(rest, '-');
	if (!dash || strchr(dash + 1, '-'))
		return fwd_fail(err, err_len, rule,
				"needs exactly one '-' between the host and "
				"the guest part");
	*dash = '\0';
	if (fwd_side(rest, "0.0.0.0", &f.host_addr, &f.host_port, "host", rule,
		     err, err_len) < 0 ||
	    fwd_side(dash + 1, GUEST_DEFAULT, &f.guest_addr, &f.guest_port,
		     "guest", rule, err, err_len) < 0)
		return -1;
	*out = f;
	return 0;
}
