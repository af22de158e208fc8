/* log: one-line messages to stderr, prefixed "vmm: ".
 *
 * The bottom layer of the tree so that every other layer can use it.
 * Guest-caused problems go through log_guest(), which is rate-limited so a
 * hostile guest cannot flood the host's log.
 */
#ifndef VMM_KVM_LOG_H
#define VMM_KVM_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Messages above this level are dropped. Default LOG_WARN. */
extern enum log_level log_threshold;

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Rate-limited: at most a burst of 10 messages, then 1 per second. */
void log_guest(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_err(...)   log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
