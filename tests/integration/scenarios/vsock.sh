# virtio-vsock to host Unix sockets, on virtio-pci and (as vsock-mmio)
# virtio-mmio. Three connections each way at once, a few hundred KB each,
# checksummed at both ends:
# - guest to host: guest `socat VSOCK-CONNECT:2:P` reaches the host's
#   listener on the Unix socket uds_P;
# - host to guest: a host program connects to uds, writes "CONNECT P\n",
#   hears "OK <port>" and reaches the guest's `socat VSOCK-LISTEN:P`.
TRANSPORTS="pci mmio"
VSOCK_BYTES=393216
VMM_ARGS="--device virtio-vsock,cid=3,uds=${WORK:-}/v"

host_before() {
	for i in 1 2 3; do
		head -c $VSOCK_BYTES /dev/urandom >"$WORK/h2g.$i"
		echo "host: h2g_sha_$i=$(sha_of "$WORK/h2g.$i")"
		# Listeners for the guest's connections to host port 500i.
		socat -u UNIX-LISTEN:"$WORK/v_500$i" CREATE:"$WORK/g2h.$i" &
		echo $! >>"$WORK/pids"
	done
	host_connect &
	echo $! >>"$WORK/pids"
}

# Once the guest listens, connect to its ports 600i, all at once.
host_connect() {
	host_wait_for 'vmm-report: vsock_listening=yes' || return
	for i in 1 2 3; do
		{
			printf 'CONNECT 600%d\n' "$i"
			cat "$WORK/h2g.$i"
		} | socat -t 30 - UNIX-CONNECT:"$WORK/v" >"$WORK/reply.$i" &
	done
	wait
}

host_after() {
	# What never got its connection must not outlive the run.
	kill $(cat "$WORK/pids") 2>/dev/null
	for i in 1 2 3; do
		echo "g2h_sha_$i=$(sha_of "$WORK/g2h.$i" 2>/dev/null)"
		echo "reply_$i=$(head -n 1 "$WORK/reply.$i" 2>/dev/null)"
	done
}

guest_main() {
	report vsock_devices "$(cat /sys/bus/virtio/devices/*/device |
		grep -c 0x0013)"
	for i in 1 2 3; do
		(socat -u VSOCK-LISTEN:600$i - | sha256sum | cut -d' ' -f1 \
			>/tmp/h2g.$i) &
	done
	for i in 1 2 3; do
		head -c $VSOCK_BYTES /dev/urandom >/tmp/g2h.$i
		report g2h_sha_$i "$(sha256sum /tmp/g2h.$i | cut -d' ' -f1)"
	done
	sleep 1 # the listeners above are bound by now
	report vsock_listening yes
	for i in 1 2 3; do
		socat -u FILE:/tmp/g2h.$i VSOCK-CONNECT:2:500$i &
	done
	wait
	for i in 1 2 3; do
		report h2g_sha_$i "$(cat /tmp/h2g.$i)"
	done
}

check() {
	expect_report vsock_devices 1 || return
	for i in 1 2 3; do
		expect_same_sha "host to guest, connection $i" \
			"$(host_value h2g_sha_$i)" "$(reported h2g_sha_$i)" &&
			expect_same_sha "guest to host, connection $i" \
				"$(reported g2h_sha_$i)" "$(host_value g2h_sha_$i)" &&
			expect_line "^host: reply_$i=OK [0-9]+\$" || return
	done
}
