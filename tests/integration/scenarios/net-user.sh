# virtio-net on user-mode networking (libslirp), on virtio-pci and (as
# net-user-mmio) virtio-mmio, packed rings. The guest:
# - leases 10.0.2.15 by DHCP, with 10.0.2.2 as router and 10.0.2.3 as DNS;
# - fetches a file from an HTTP server on the host's loopback through the
#   gateway address, and reports its sha256;
# - listens on two TCP ports and a UDP port that hostfwd rules forward from
#   the host: a host client sends a few MB in, another reads a few MB out,
#   and one datagram arrives;
# - sees its carrier drop and return when the host says "link net0 down"
#   and "link net0 up" on vmm's --control socket, and still moves data;
# - gets an IPv6 address from libslirp's router advertisements.
# The run has a network namespace of its own, so its ports meet nobody's.
TRANSPORTS="pci mmio"
VMM_NETNS=1
HTTP_PORT=18080
FWD_IN=15000 FWD_OUT=15001 FWD_UDP=15002
BLOB_BYTES=1048576
FWD_BYTES=3145728
VMM_ARGS="--net user,hostfwd=tcp:127.0.0.1:$FWD_IN-:5000,hostfwd=tcp:127.0.0.1:$FWD_OUT-:5001,hostfwd=udp:127.0.0.1:$FWD_UDP-:5002
	--control ${WORK:-}/control"

host_before() {
	mkdir -p "$WORK/www"
	head -c $BLOB_BYTES /dev/urandom >"$WORK/www/blob"
	echo "host: blob_sha=$(sha_of "$WORK/www/blob")"
	head -c $FWD_BYTES /dev/urandom >"$WORK/to_guest"
	echo "host: to_guest_sha=$(sha_of "$WORK/to_guest")"
	busybox httpd -f -p 127.0.0.1:$HTTP_PORT -h "$WORK/www" &
	echo $! >"$WORK/httpd.pid"
	host_clients &
	echo $! >"$WORK/clients.pid"
}

# What a user on the host does once the guest is ready for it.
host_clients() {
	host_wait_for 'vmm-report: fwd_listening=yes' || return
	socat -u -t 30 FILE:"$WORK/to_guest" TCP:127.0.0.1:$FWD_IN
	socat -u TCP:127.0.0.1:$FWD_OUT CREATE:"$WORK/from_guest"
	echo udp-datagram-42 | socat -u - UDP:127.0.0.1:$FWD_UDP
	host_wait_for 'vmm-report: carrier_before=' || return
	echo 'link net0 down' | socat - UNIX-CONNECT:"$WORK/control" \
		>"$WORK/reply_down"
	host_wait_for 'vmm-report: carrier_down=' || return
	echo 'link net0 up' | socat - UNIX-CONNECT:"$WORK/control" \
		>"$WORK/reply_up"
}

host_after() {
	kill "$(cat "$WORK/httpd.pid")" "$(cat "$WORK/clients.pid")" 2>/dev/null
	echo "from_guest_sha=$(sha_of "$WORK/from_guest" 2>/dev/null)"
	echo "reply_down=$(cat "$WORK/reply_down" 2>/dev/null)"
	echo "reply_up=$(cat "$WORK/reply_up" 2>/dev/null)"
}

# Wait (up to $2 tenths of a second) until the file $1 holds $3.
wait_file_value() { # file tenths value
	i=0
	while [ "$(cat "$1" 2>/dev/null)" != "$3" ] && [ $i -lt "$2" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cat "$1"
}

guest_main() {
	net_dhcp eth0
	report dhcp_status $?
	report address "$(ip -4 -o addr show dev eth0 | awk '{print $4}')"
	report router "$(ip route show default | awk '{print $3; exit}')"
	report dns "$(awk '{print $2; exit}' /etc/resolv.conf)"
	report http_sha "$(wget -q -O - "http://10.0.2.2:$HTTP_PORT/blob" |
		sha256sum | cut -d' ' -f1)"

	head -c $FWD_BYTES /dev/urandom >/tmp/out
	report out_sha "$(sha256sum /tmp/out | cut -d' ' -f1)"
	socat -u TCP-LISTEN:5000 - | sha256sum | cut -d' ' -f1 >/tmp/in.sha &
	in_pid=$!
	socat -u FILE:/tmp/out TCP-LISTEN:5001 &
	out_pid=$!
	timeout 120 socat -u UDP-RECVFROM:5002 - >/tmp/udp &
	udp_pid=$!
	while ! netstat -ltn | grep -q ':5001 '; do sleep 0.1; done
	report fwd_listening yes
	wait $in_pid $out_pid $udp_pid
	report in_sha "$(cat /tmp/in.sha)"
	report udp "$(cat /tmp/udp)"

	# SLAAC from libslirp's router advertisement (prefix fec0::/64),
	# before the carrier drops (which takes the address away);
	# /proc/net/if_inet6 has one address a line, 32 hex digits first.
	i=0
	while [ $i -lt 100 ] && ! grep -q '^fec0.* eth0$' /proc/net/if_inet6; do
		sleep 0.1
		i=$((i + 1))
	done
	report ipv6 "$(awk '$6 == "eth0" && /^fec0/ { print substr($1, 1, 4) }' \
		/proc/net/if_inet6 | head -n 1)"

	report carrier_before "$(cat /sys/class/net/eth0/carrier)"
	report carrier_down "$(wait_file_value /sys/class/net/eth0/carrier 600 0)"
	report carrier_up "$(wait_file_value /sys/class/net/eth0/carrier 600 1)"
	report http_after_up "$(wget -q -O - "http://10.0.2.2:$HTTP_PORT/blob" |
		sha256sum | cut -d' ' -f1)"
}

check() {
	blob=$(host_value blob_sha)
	expect_report dhcp_status 0 &&
		expect_report address 10.0.2.15/24 &&
		expect_report router 10.0.2.2 &&
		expect_report dns 10.0.2.3 &&
		expect_same_sha "HTTP through the gateway" "$blob" \
			"$(reported http_sha)" &&
		expect_same_sha "hostfwd into the guest" \
			"$(host_value to_guest_sha)" "$(reported in_sha)" &&
		expect_same_sha "hostfwd out of the guest" "$(reported out_sha)" \
			"$(host_value from_guest_sha)" &&
		expect_report udp udp-datagram-42 &&
		expect_report carrier_before 1 &&
		expect_line '^host: reply_down=OK' &&
		expect_report carrier_down 0 &&
		expect_line '^host: reply_up=OK' &&
		expect_report carrier_up 1 &&
		expect_same_sha "HTTP after the link came back" "$blob" \
			"$(reported http_after_up)" &&
		expect_report ipv6 fec0
}
