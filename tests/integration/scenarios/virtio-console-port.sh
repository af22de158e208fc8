# A named virtio-console port (MULTIPORT, control queue) next to the serial
# console: the guest finds it by name in /sys/class/virtio-ports, reads
# what the host wrote into a FIFO and writes a line the host finds in a
# file. Also run as virtio-console-port-mmio on virtio-mmio.
TRANSPORTS="pci mmio"
PORT_NAME=org.vmm.test.0
VMM_ARGS="--device virtio-console,name=$PORT_NAME,in=${WORK:-}/in.fifo,out=${WORK:-}/out.txt"

host_before() {
	mkfifo "$WORK/in.fifo"
	# Blocks until vmm opens the FIFO; the bytes then wait in it until
	# the guest opens the port.
	printf 'host-to-guest-%s\n' 42 >"$WORK/in.fifo" &
}

host_after() {
	echo "out=$(cat "$WORK/out.txt")"
}

guest_main() {
	for p in /sys/class/virtio-ports/*; do
		[ "$(cat "$p/name" 2>/dev/null)" = "$PORT_NAME" ] && port=${p##*/}
	done
	report port "${port:-none}"
	[ -n "${port:-}" ] || return
	report multiport "$(cut -c 2 "/sys/class/virtio-ports/$port/device/features")"
	# Opening the port tells the device (PORT_OPEN); only then does it
	# pass the host's bytes on.
	report from_host "$(head -n 1 "/dev/$port")"
	echo "guest-to-host-$((6 * 7))" >"/dev/$port"
}

check() {
	expect_report multiport 1 &&
		expect_line '^vmm-report: port=vport[0-9]+p0$' &&
		expect_report from_host host-to-guest-42 &&
		expect_line '^host: out=guest-to-host-42$'
}
