/* console: the host side of the guest's console.
 *
 * Reads the user's input (stdin) on its own thread and hands it to a sink
 * (the serial port). When stdin is a terminal it is switched to raw mode,
 * restored on every exit path, and Ctrl-A x quits the VM; when it is a pipe
 * or file, bytes pass through unchanged and end of input is fine.
 */
#ifndef VMM_CONSOLE_H
#define VMM_CONSOLE_H

#include <stddef.h>

struct kvm_vm;

/* Accepts up to len bytes of input; returns how many it took. */
typedef size_t (*console_sink_fn)(void *opaque, const void *buf, size_t len);

struct console_sink {
	console_sink_fn fn;
	void *opaque;
};

#define CONSOLE_ESCAPE_KEY 0x01 /* Ctrl-A */

/* Escape-key state machine, separate so it can be unit-tested: feeds one
 * input byte and says what to do with it. */
enum console_action { CONSOLE_PASS, CONSOLE_SWALLOW, CONSOLE_QUIT };
struct console_escape {
	int pending; /* saw Ctrl-A, waiting for the command key */
};
enum console_action console_escape_feed(struct console_escape *e,
					unsigned char c);

/* Starts the input thread on in_fd. Puts a terminal into raw mode (and
 * registers the restore with atexit). Returns 0 or -errno. */
int console_start(struct kvm_vm *vm, int in_fd, const struct console_sink *s);

/* Ends and joins the input thread (after a stop was requested) and
 * restores the terminal. No-op if console_start() was not called. */
void console_stop(void);

/* Restores the terminal if console_start changed it. Idempotent and
 * async-signal-safe. */
void console_restore(void);

#endif
