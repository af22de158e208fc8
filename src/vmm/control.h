/* control: the --control socket, where a running vmm takes commands.
 *
 * A Unix stream socket; a client writes one command per line and reads
 * one reply line per command: "OK" or "ERR reason". Commands:
 *   link ID up|down   plug or pull a --net device's cable (ID: id=, or
 *                     net0, net1, ... in --net order)
 *   help              the list of commands, on one line
 * One client at a time, on the control thread; never on a vCPU.
 */
#ifndef VMM_CONTROL_H
#define VMM_CONTROL_H

#include <stddef.h>

struct virtio_devices;
struct control;

/* Binds and listens on path (a socket file there that nobody listens on
 * is replaced; anything else is refused) and starts the thread. Returns 0
 * and *out, or -1 with "--control PATH: reason" in err. */
int control_start(const char *path, struct virtio_devices *v,
		  struct control **out, char *err, size_t err_len);

/* Stops the thread, closes the sockets and removes the socket file. NULL
 * is ignored. */
void control_stop(struct control *c);

/* Runs one command line (no newline) and writes the reply line (no
 * newline) into reply. Exposed for the unit test. */
void control_command(struct virtio_devices *v, char *line, char *reply,
		     size_t reply_len);

#endif
