/* net_slirp_log: libslirp's own messages, routed to vmm's log (see
 * net_slirp_internal.h). Depends on the glib that libslirp loads, looked
 * up at run time, and src/kvm/log.h.
 */
#include <dlfcn.h>
#include <pthread.h>

#include "log.h"
#include "net_slirp_internal.h"

/* libslirp reports its own trouble (not the guest's) through glib's g_log,
 * domain "Slirp". glib's default writer stamps the local time, reading
 * /etc/localtime the first time, and probes stderr for journald: under
 * vmm's seccomp filter that first warning would stop the VM. So the domain
 * goes to our log. glib is loaded along with libslirp; g_log_set_handler
 * is looked up at run time rather than built against glib's headers
 * (which libslirp's own header does not need). */
#define GLIB_LOG_ALL	0xff /* every level and flag, G_LOG_* */
#define GLIB_LOG_SEVERE 0x1c /* G_LOG_LEVEL_ERROR | _CRITICAL | _WARNING */

typedef void (*slirp_glog_fn)(const char *domain, int level, const char *msg,
			      void *data);
typedef unsigned int (*slirp_glog_set_fn)(const char *domain, int levels,
					  slirp_glog_fn fn, void *data);

static void slirp_glog(const char *domain, int level, const char *msg,
		       void *data)
{
	if (level & GLIB_LOG_SEVERE)
		log_warn("net user: libslirp: %s", msg);
	else
		log_debug("net user: libslirp: %s", msg);
}

static void slirp_route_glib_log_once(void)
{
	slirp_glog_set_fn set =
		(slirp_glog_set_fn)dlsym(RTLD_DEFAULT, "g_log_set_handler");

	if (set)
		set("Slirp", GLIB_LOG_ALL, slirp_glog, NULL);
	else
		log_warn("net user: cannot route libslirp's messages: %s",
			 dlerror());
}

void net_slirp_route_glib_log(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, slirp_route_glib_log_once);
}
