/* serial: an 8250/16550A UART (the PC's COM port) with a 16-byte FIFO.
 *
 * Guest writes to the transmit register go to out_fd; host input arrives
 * through serial_receive() from any thread. The interrupt line follows the
 * UART's interrupt-pending state (level), as on the ISA bus.
 */
#ifndef VMM_DEVICES_SERIAL_H
#define VMM_DEVICES_SERIAL_H

#include <stddef.h>
#include <stdint.h>

struct kvm_vm;
struct serial;

/* Claims ports [port, port + 8) on vm->pio. Returns NULL on failure with
 * errno set. out_fd is not owned. */
struct serial *serial_create(struct kvm_vm *vm, uint16_t port, uint32_t gsi,
			     int out_fd);
void serial_destroy(struct serial *s);

/* Queues host input for the guest. Returns how many bytes were accepted
 * (fewer than len when the receive buffer is full; the caller retries). */
size_t serial_receive(struct serial *s, const void *buf, size_t len);

#endif
