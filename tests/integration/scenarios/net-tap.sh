# virtio-net on a TAP device with two queue pairs, split rings, on
# virtio-pci and (as net-tap-mmio) virtio-mmio. The run has a network
# namespace of its own (VMM_NETNS) in which host_before makes a
# multi-queue TAP, 192.168.100.1/24, as a user would before starting vmm.
# The guest (2 vCPUs, so Linux uses both pairs) configures 192.168.100.2,
# pings the host and moves a few MB each way at once, checksummed.
# The offloads must pass through untouched: the guest negotiates the
# checksum, TSO and mergeable-buffer bits, and the frames that cross the
# TAP are bigger than the 1500-byte MTU allows on average (TSO segments on
# the way out, large receive on the way in).
# Then the control queue, end to end: the guest changes its MAC while the
# link is up (CTRL_MAC_ADDR: the device's receive filter must follow, or
# the host's replies to the new address are dropped) and talks on VLAN 5
# (CTRL_VLAN: the tagged frames pass the device's VLAN filter).
TRANSPORTS="pci mmio"
VMM_NETNS=1
TAP=vmmtap0
TAP_BYTES=4194304
VMM_ARGS="--cpus 2 --net tap=$TAP,queues=2,packed=off"

# iproute2's ip, by its path: busybox's shell in the test host runs its own
# applet for a plain "ip", and that one cannot make a multi_queue TAP.
IPROUTE2=/usr/sbin/ip

host_before() {
	$IPROUTE2 tuntap add dev $TAP mode tap multi_queue &&
		$IPROUTE2 addr add 192.168.100.1/24 dev $TAP &&
		$IPROUTE2 link set $TAP up || echo "host: could not make $TAP"
	head -c $TAP_BYTES /dev/urandom >"$WORK/to_guest"
	echo "host: to_guest_sha=$(sha_of "$WORK/to_guest")"
	socat -u TCP-LISTEN:7000,bind=192.168.100.1 CREATE:"$WORK/from_guest" &
	echo $! >>"$WORK/pids"
	socat -u FILE:"$WORK/to_guest" TCP-LISTEN:7001,bind=192.168.100.1 &
	echo $! >>"$WORK/pids"
	$IPROUTE2 link add link $TAP name $TAP.5 type vlan id 5 &&
		$IPROUTE2 addr add 192.168.105.1/24 dev $TAP.5 &&
		$IPROUTE2 link set $TAP.5 up || echo "host: could not make $TAP.5"
	host_neigh &
	echo $! >>"$WORK/pids"
}

# The MAC the host learnt for the guest after the change, read while the
# TAP is still up (closing it flushes the neighbour table).
host_neigh() {
	host_wait_for 'vmm-report: ping_new_mac=' || return
	$IPROUTE2 neigh show 192.168.100.2 dev $TAP |
		grep -o 'lladdr [0-9a-f:]*' >"$WORK/neigh"
}

host_after() {
	# What never got its connection must not outlive the run.
	kill $(cat "$WORK/pids") 2>/dev/null
	echo "from_guest_sha=$(sha_of "$WORK/from_guest" 2>/dev/null)"
	echo "neigh=$(cat "$WORK/neigh" 2>/dev/null)"
	# /proc/net/dev, not /sys/class/net: sysfs shows the namespace that
	# mounted it. Receive bytes and packets are its first two columns.
	sed -n "s/^ *$TAP: *//p" /proc/net/dev | {
		read -r bytes packets _
		echo "tap_rx_bytes=$bytes"
		echo "tap_rx_packets=$packets"
	}
	$IPROUTE2 link del $TAP
}

# The device's features file is a string of 0/1 characters, bit 0 first.
net_feature() { # bit
	cut -c $(($1 + 1)) /sys/class/net/eth0/device/features
}

guest_main() {
	# VIRTIO_NET_F_*: CSUM 0, GUEST_CSUM 1, GUEST_TSO4 7, GUEST_TSO6 8,
	# HOST_TSO4 11, HOST_TSO6 12, MRG_RXBUF 15, STATUS 16, CTRL_VQ 17,
	# MQ 22; VIRTIO_F_RING_PACKED 34 (off here).
	bits=
	for b in 0 1 7 8 11 12 15 16 17 22 34; do
		bits="$bits$(net_feature $b)"
	done
	report features "$bits"
	report queues "$(ls /sys/class/net/eth0/queues | tr '\n' ' ')"
	ip addr add 192.168.100.2/24 dev eth0
	ip link set eth0 up
	report ping "$(ping -c 3 -W 5 192.168.100.1 | grep -o '[0-9]* packets received')"

	head -c $TAP_BYTES /dev/urandom >/tmp/out
	report out_sha "$(sha256sum /tmp/out | cut -d' ' -f1)"
	socat -u FILE:/tmp/out TCP:192.168.100.1:7000 &
	socat -u TCP:192.168.100.1:7001 - | sha256sum | cut -d' ' -f1 >/tmp/in.sha
	wait
	report in_sha "$(cat /tmp/in.sha)"
	for s in rx_packets rx_bytes; do
		report "guest_$s" "$(cat /sys/class/net/eth0/statistics/$s)"
	done

	# A new MAC while the link is up; a gratuitous ARP tells the host.
	ip link set eth0 address 52:54:00:ab:cd:ef
	arping -U -c 1 -I eth0 192.168.100.2 >/dev/null 2>&1
	report ping_new_mac "$(ping -c 3 -W 5 192.168.100.1 |
		grep -o '[0-9]* packets received')"
	sleep 1 # host_neigh reads the host's neighbour table
	vconfig add eth0 5 >/dev/null
	ip addr add 192.168.105.2/24 dev eth0.5
	ip link set eth0.5 up
	report ping_vlan "$(ping -c 3 -W 5 192.168.105.1 |
		grep -o '[0-9]* packets received')"
}

# Frames bigger than an MTU-sized one on average (1514 bytes with the
# Ethernet header), which only segmentation offload makes possible. How
# much bigger depends on the sender's pacing, so nothing more is asked.
expect_big_frames() { # what packets bytes
	[ -n "$2" ] && [ "$2" -gt 0 ] && [ "$3" -gt $((4 * 1048576)) ] &&
		[ $(($3 / $2)) -gt 1514 ] ||
		fail "$1: $2 frames for $3 bytes (expected over 4 MiB in frames averaging over 1514 bytes)"
}

check() {
	expect_report features 11111111110 &&
		expect_report queues "rx-0 rx-1 tx-0 tx-1 " &&
		expect_report ping "3 packets received" &&
		expect_same_sha "guest to host" "$(reported out_sha)" \
			"$(host_value from_guest_sha)" &&
		expect_same_sha "host to guest" "$(host_value to_guest_sha)" \
			"$(reported in_sha)" &&
		expect_big_frames "TAP receive (guest TSO)" \
			"$(host_value tap_rx_packets)" "$(host_value tap_rx_bytes)" &&
		expect_big_frames "guest receive (large receive)" \
			"$(reported guest_rx_packets)" "$(reported guest_rx_bytes)" &&
		expect_report ping_new_mac "3 packets received" &&
		expect_line '^host: neigh=lladdr 52:54:00:ab:cd:ef$' &&
		expect_report ping_vlan "3 packets received"
}
