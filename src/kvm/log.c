/* log: stderr messages with a level threshold and a rate limit for
 * guest-triggered messages (see log.h). */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

enum log_level log_threshold = LOG_WARN;

static void vlog(const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	/* One fprintf per line so lines from several threads do not mix. The
	 * \r keeps the line readable when the terminal is in raw mode. */
	fprintf(stderr, "vmm: %s\r\n", line);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_threshold)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void log_guest(const char *fmt, ...)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static time_t window;
	static unsigned int tokens = 10;
	struct timespec now;
	va_list ap;
	int allowed;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&lock);
	if (now.tv_sec != window && tokens < 10) {
		window = now.tv_sec;
		tokens++;
	}
	allowed = tokens > 0;
	if (allowed)
		tokens--;
	pthread_mutex_unlock(&lock);
	if (!allowed || log_threshold < LOG_WARN)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}
