#!/bin/sh
# Inner half of tools/bench/net.sh (POSIX sh: busybox ash in the test host,
# or any sh directly on a machine with hardware virtualization, as root for
# TAP). Starts an iperf3 server and a tcp-rr server on the host side, then
# boots the guest once for each KIND:
#   vmm-user    vmm --net user                 (libslirp)
#   qemu-user   QEMU -netdev user              (QEMU's libslirp)
#   vmm-tap     vmm --net tap=vmmbench0        (one queue pair)
#   qemu-tap    QEMU -netdev tap,vhost=off     (the same TAP)
# each with virtio-net on virtio-pci, and copies the guest's "@@net ROW
# VALUE" lines to $BENCH_RESULTS as "@@row KIND ROW VALUE".
# usage: net-run.sh KIND...
# env: BENCH_DIR (vmm, vmlinuz, initrd; iperf3, tcp-rr and ip on PATH),
#      BENCH_MEMORY (default 512M), BENCH_VMM_ARGS (more vmm options:
#      "-v -v" prints each queue's kicks and interrupts at exit)

dir=${BENCH_DIR:?}
mem=${BENCH_MEMORY:-512M}
results=${BENCH_RESULTS:-/dev/stdout}
tap=vmmbench0

ip link set lo up 2>/dev/null
# iproute2's ip by its path (busybox's shell prefers its own applet).
/usr/sbin/ip tuntap add dev $tap mode tap &&
	/usr/sbin/ip addr add 192.168.100.1/24 dev $tap &&
	/usr/sbin/ip link set $tap up || echo "bench: no TAP (not root?); tap rows will be empty"
iperf3 -s -D >/dev/null 2>&1
tcp-rr server 7777 &
rr_pid=$!
sleep 1

# The guest prints its rows on the console; keep only those, or show the
# end of the log when there are none.
guest_rows() { # kind log
	tr -d '\r' <"$2" | sed -n "s/^@@net /@@row $1 /p" >"$2.rows"
	[ -s "$2.rows" ] || { echo "bench: $1 gave no rows:"; tail -n 15 "$2"; }
	cat "$2.rows" >>"$results"
}

for kind in "$@"; do
	echo "bench: $kind"
	log=/tmp/bench-$kind.log
	backend=${kind#*-}
	append="quiet vmm.scenario=net-bench vmm.bench=$backend"
	case $kind in
	vmm-*)
		net="user"
		[ "$backend" = tap ] && net="tap=$tap"
		timeout -s KILL 900 ${BENCH_VMM_WRAP:-} "$dir/vmm" --kernel "$dir/vmlinuz" \
			--initrd "$dir/initrd" --memory "$mem" --cpus 1 \
			--append "$append" --net "$net" ${BENCH_VMM_ARGS:-} \
			</dev/null >"$log" 2>&1
		grep 'kicks,' "$log"
		;;
	qemu-*)
		netdev="user,id=n0"
		[ "$backend" = tap ] &&
			netdev="tap,id=n0,ifname=$tap,script=no,downscript=no,vhost=off"
		timeout -s KILL 900 qemu-system-x86_64 -M q35 -accel kvm \
			-cpu host -m "$mem" -smp 1 -nodefaults -no-user-config \
			-display none -no-reboot -serial stdio \
			-kernel "$dir/vmlinuz" -initrd "$dir/initrd" \
			-append "console=ttyS0 reboot=k panic=-1 $append" \
			-netdev "$netdev" -device virtio-net-pci,netdev=n0,romfile= \
			</dev/null >"$log" 2>&1
		;;
	esac
	guest_rows "$kind" "$log"
done
kill $rr_pid 2>/dev/null
pkill iperf3 2>/dev/null || killall iperf3 2>/dev/null
/usr/sbin/ip link del $tap 2>/dev/null
