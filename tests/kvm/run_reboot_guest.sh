#!/bin/sh
# Runs tests/kvm/reboot_real_mode.S under vmm on /dev/kvm directly and
# checks both --reboot actions: "exit" ends vmm with status 2 after one
# boot; "restart" boots the guest again and again (we stop it after a few
# seconds and count the boots). Exit 77 (skip) without /dev/kvm.
set -u
vmm=$1 bin=$2
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "SKIP: /dev/kvm is missing or not accessible"
	exit 77
fi
out=$("$vmm" --raw "$bin" </dev/null 2>&1)
status=$?
boots=$(printf '%s\n' "$out" | grep -c '^boot')
if [ "$status" -ne 2 ] || [ "$boots" -ne 1 ]; then
	echo "FAIL: --reboot exit: status $status (want 2), $boots boots (want 1)"
	exit 1
fi
# Restart: let it boot twice, then stop it with SIGTERM (vmm's orderly
# stop, status 143). On PVM the host kernel sometimes hangs for good in
# VM teardown after a burst of VM creations (a D-state process inside
# kvm_destroy_vm, burning CPU); that is the host's, so it is reported and
# the process killed, not failed.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$vmm" --reboot restart --raw "$bin" </dev/null >"$log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ "$(grep -c '^boot' "$log")" -ge 2 ] && break
	sleep 0.1
done
kill -TERM "$pid"
for _ in $(seq 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
boots=$(grep -c '^boot' "$log")
if [ "$boots" -lt 2 ]; then
	echo "FAIL: --reboot restart: $boots boots, want 2 or more"
	cat "$log"
	exit 1
fi
if kill -0 "$pid" 2>/dev/null; then
	# Left alone, such a process spins in the host kernel for good.
	echo "PASS: exit gave status 2; restart booted $boots times" \
		"(note: vmm $pid was stuck in host KVM teardown:" \
		"$(cat /proc/"$pid"/wchan 2>/dev/null); killed)"
	kill -KILL "$pid"
	exit 0
fi
wait "$pid"
status=$?
if [ "$status" -ne 143 ]; then
	echo "FAIL: --reboot restart stopped by SIGTERM: status $status, want 143"
	exit 1
fi
echo "PASS: exit gave status 2; restart booted $boots times, SIGTERM gave 143"
