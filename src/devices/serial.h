/* serial: an 8250/16550A UART (the PC's COM port) with a 16-byte FIFO.
 *
 * Guest writes to the transmit register go to out_fd; host input arrives
 * through serial_receive() from any thread. The interrupt line follows the
 * UART's interrupt-pending state (level), as on the ISA bus.
 *
 * The host is modelled as the far end of a cable with RTS/CTS flow control:
 * it holds CTS, DSR and DCD asserted, and its input reaches the UART only
 * while the guest asserts RTS (MCR bit 1), which drivers do when the port
 * is opened. Until then input waits in a 4 KiB host-side buffer.
 */
#ifndef VMM_DEVICES_SERIAL_H
#define VMM_DEVICES_SERIAL_H

#include <stddef.h>
#include <stdint.h>

struct kvm_vm;
struct serial;

/* Claims ports [port, port + 8) on vm->pio. Returns NULL on failure with
 * errno set. out_fd is not owned; -1 discards the output. Each transmitted
 * byte is written at once (no buffering); if out_fd takes nothing for a
 * second, output is dropped until it drains (logged). Writing to a pipe
 * without a reader raises SIGPIPE: the process should ignore it. */
struct serial *serial_create(struct kvm_vm *vm, uint16_t port, uint32_t gsi,
			     int out_fd);

/* Releases the ports and the device. The caller makes sure no vCPU and no
 * input thread still uses it. NULL is a no-op. */
void serial_destroy(struct serial *s);

/* Queues host input for the guest. Returns how many bytes were accepted
 * (fewer than len when the receive buffer is full; the caller retries). */
size_t serial_receive(struct serial *s, const void *buf, size_t len);

#endif
