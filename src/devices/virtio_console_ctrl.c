/* virtio_console_ctrl: the multiport control queues of virtio-console
 * (virtio 1.3 §5.3.6.2 Multiport Device Operation, §5.3.5 initialization).
 *
 * The driver says DEVICE_READY; we announce every port (PORT_ADD); for
 * each port it says PORT_READY and we send its PORT_NAME, if it has one,
 * and PORT_OPEN (the host end is connected). PORT_OPEN from the driver
 * tells us when the guest opens or closes a port. Everything runs on the
 * device thread. Depends on src/virtio and src/kvm only.
 */
#include "virtio_console_internal.h"

#include <endian.h>
#include <string.h>

#include "log.h"

/* Queues a message for the driver; drops it (once logged) when a driver
 * that repeats itself has filled the backlog. */
static void ctrl_queue(struct virtio_console *con, uint32_t id, uint16_t event,
		       uint16_t value)
{
	unsigned int tail;

	if (con->nr_pending == CONSOLE_CTRL_PENDING) {
		log_guest("virtio-console: control backlog full, message %u "
			  "for port %u dropped",
			  event, id);
		return;
	}
	tail = (con->pending_head + con->nr_pending) % CONSOLE_CTRL_PENDING;
	con->pending[tail] = (struct virtio_console_msg){id, event, value};
	con->nr_pending++;
}

static void port_ready(struct virtio_console *con, uint32_t id, uint16_t value)
{
	if (!value) {
		log_guest("virtio-console: the driver could not add port %u",
			  id);
		return;
	}
	if (con->ports[id].name[0])
		ctrl_queue(con, id, VIRTIO_CONSOLE_PORT_NAME, 0);
	ctrl_queue(con, id, VIRTIO_CONSOLE_PORT_OPEN, 1);
}

/* One message from the driver. The header was copied out of guest memory
 * before any field is looked at. */
static void ctrl_handle(struct virtio_console *con,
			const struct virtio_console_control *c)
{
	uint32_t id = le32toh(c->id);
	uint16_t event = le16toh(c->event), value = le16toh(c->value);

	if (event == VIRTIO_CONSOLE_DEVICE_READY) {
		if (!value) {
			log_guest(
				"virtio-console: the driver failed to set up");
			return;
		}
		for (uint32_t i = 0; i < con->nr_ports; i++)
			ctrl_queue(con, i, VIRTIO_CONSOLE_PORT_ADD, 0);
		return;
	}
	if (id >= con->nr_ports) {
		log_guest("virtio-console: control message %u for port %u of "
			  "%u",
			  event, id, con->nr_ports);
		return;
	}
	if (event == VIRTIO_CONSOLE_PORT_READY)
		port_ready(con, id, value);
	else if (event == VIRTIO_CONSOLE_PORT_OPEN)
		__atomic_store_n(&con->ports[id].guest_open, value != 0,
				 __ATOMIC_RELEASE);
	else
		log_guest("virtio-console: unknown control event %u", event);
}

/* Control transmitq: messages from the driver, device-readable. */
static void ctrl_receive(struct virtio_console *con)
{
	struct virtq *vq = virtio_queue(&con->vd, CONSOLE_CTRL_TXQ);
	struct virtio_console_control c;

	while (vq_pop(vq, &con->tx) > 0) {
		if (vq_req_read(&con->tx, &c, sizeof(c)) == sizeof(c))
			ctrl_handle(con, &c);
		else
			log_guest("virtio-console: short control message");
		vq_push(vq, &con->tx, 0);
	}
	vq_flush(vq);
}

/* Control receiveq: each pending message into one driver buffer, a name
 * right after its header. A buffer too small for the header fails that
 * message (a well-behaved driver gives 4 KiB buffers). */
static void ctrl_deliver(struct virtio_console *con)
{
	struct virtq *vq = virtio_queue(&con->vd, CONSOLE_CTRL_RXQ);
	struct virtio_console_control c;
	struct virtio_console_msg *m;
	const char *name;
	size_t len;

	while (con->nr_pending && vq_pop(vq, &con->tx) > 0) {
		m = &con->pending[con->pending_head];
		c = (struct virtio_console_control){.id = htole32(m->id),
						    .event = htole16(m->event),
						    .value = htole16(m->value)};
		len = vq_req_write(&con->tx, &c, sizeof(c));
		name = con->ports[m->id].name;
		if (len == sizeof(c) && m->event == VIRTIO_CONSOLE_PORT_NAME)
			len += vq_req_write(&con->tx, name, strlen(name));
		if (len < sizeof(c))
			log_guest("virtio-console: control buffer too small");
		vq_push(vq, &con->tx, (uint32_t)len);
		con->pending_head =
			(con->pending_head + 1) % CONSOLE_CTRL_PENDING;
		con->nr_pending--;
	}
	vq_flush(vq);
}

void virtio_console_ctrl_run(struct virtio_console *con)
{
	ctrl_receive(con);
	ctrl_deliver(con);
}

void virtio_console_ctrl_reset(struct virtio_console *con)
{
	con->pending_head = 0;
	con->nr_pending = 0;
	for (unsigned int i = 0; i < con->nr_ports; i++)
		__atomic_store_n(&con->ports[i].guest_open, false,
				 __ATOMIC_RELEASE);
}
