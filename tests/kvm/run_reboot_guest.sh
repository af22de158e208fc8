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
out=$(timeout -s TERM 3 "$vmm" --reboot restart --raw "$bin" </dev/null 2>&1)
boots=$(printf '%s\n' "$out" | grep -c '^boot')
if [ "$boots" -lt 3 ]; then
	echo "FAIL: --reboot restart: $boots boots in 3 s (want several)"
	exit 1
fi
echo "PASS: exit gave status 2; restart booted $boots times in 3 s"
