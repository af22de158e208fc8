# The guest half of tools/bench/net.sh, run as the scenario "net-bench" by
# the default guest's /init (busybox ash; net_dhcp and report come from
# there). The kernel command line says which backend the host set up:
# vmm.bench=user (DHCP from libslirp or QEMU's slirp, the host is 10.0.2.2)
# or vmm.bench=tap (static 192.168.100.2, the host is 192.168.100.1).
# Prints "@@net ROW VALUE" lines: iperf3 throughput guest to host and host
# to guest (Mbit/s at the receiver) and the TCP round trip (tcp-rr, us).
# NET_SECONDS (iperf3 -t) and NET_RR_COUNT are set in front of this file.

# The receiver's Mbit/s from iperf3's summary.
iperf_mbits() {
	awk '/receiver/ { for (i = 1; i < NF; i++)
		if ($(i + 1) == "Mbits/sec") print $i;
		else if ($(i + 1) == "Gbits/sec") print $i * 1000 }' | tail -n 1
}

guest_main() {
	backend=user
	for word in $(cat /proc/cmdline); do
		case $word in vmm.bench=*) backend=${word#vmm.bench=} ;; esac
	done
	if [ "$backend" = tap ]; then
		server=192.168.100.1
		ip addr add 192.168.100.2/24 dev eth0
		ip link set eth0 up
		sleep 1
	else
		server=10.0.2.2
		net_dhcp eth0 || echo "net-bench: no DHCP lease"
	fi
	# A first short run warms both ends (ARP, slirp's socket set-up).
	iperf3 -c $server -t 1 >/dev/null 2>&1
	echo "@@net g2h_mbits $(iperf3 -c $server -t "$NET_SECONDS" -f m | iperf_mbits)"
	echo "@@net h2g_mbits $(iperf3 -c $server -t "$NET_SECONDS" -f m -R | iperf_mbits)"
	tcp-rr client $server 7777 "$NET_RR_COUNT" |
		sed -n 's/^mean_us=\([0-9.]*\) median_us=\([0-9.]*\).*/@@net rr_mean_us \1\n@@net rr_median_us \2/p'
}
