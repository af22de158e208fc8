/* net_slirp_fwd: hostfwd= rules of the slirp backend: the parser and the
 * binding.
 *
 * The syntax is QEMU's -netdev user,hostfwd=:
 * [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT, IPv4 addresses in
 * dotted quad (inet_pton), ports 1..65535. The parser is strict (anything
 * else is one clear line of error) and pure. Depends on libslirp.
 */
#include "net_slirp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libslirp.h>

#include "net_slirp_internal.h"

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

/* ---- binding ---- */

/* Formats a rule back into the user's syntax, for messages. */
static void fwd_format(const struct net_slirp_fwd *f, char *buf, size_t len)
{
	char h[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &f->host_addr, h, sizeof(h));
	inet_ntop(AF_INET, &f->guest_addr, g, sizeof(g));
	snprintf(buf, len, "%s:%s:%u-%s:%u", f->udp ? "udp" : "tcp", h,
		 f->host_port, g, f->guest_port);
}

/* Binds the host side ourselves first: libslirp's own failure does not
 * reliably say why, and the user wants to know. SO_REUSEADDR as libslirp
 * sets it, so the probe fails only when libslirp's bind would. */
static int fwd_probe(const struct net_slirp_fwd *f)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr = f->host_addr,
				.sin_port = htons(f->host_port)};
	int fd = socket(AF_INET,
			(f->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	int one = 1, ret = 0;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int net_slirp_add_fwds(Slirp *slirp, const struct net_slirp_options *o,
		       char *err, size_t err_len)
{
	char rule[64];
	int ret;

	for (unsigned int i = 0; i < o->nr_fwd; i++) {
		const struct net_slirp_fwd *f = &o->fwd[i];

		ret = fwd_probe(f);
		errno = 0;
		if (!ret &&
		    slirp_add_hostfwd(slirp, f->udp, f->host_addr, f->host_port,
				      f->guest_addr, f->guest_port) < 0)
			ret = errno ? -errno : -EADDRINUSE;
		if (ret) {
			fwd_format(f, rule, sizeof(rule));
			snprintf(err, err_len, "hostfwd %s: %s", rule,
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}
