#!/bin/sh
# Boots tests/kvm/hello_real_mode.S under vmm on /dev/kvm directly (no test
# host: a real-mode guest runs even on PVM) and checks what it printed on
# the serial port and the exit status it asked for through the debug port.
# Usage: run_raw_guest.sh VMM HELLO_BIN. Exit 77 (skip) without /dev/kvm.
set -u
vmm=$1 bin=$2
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "SKIP: /dev/kvm is missing or not accessible"
	exit 77
fi
out=$("$vmm" --raw "$bin" </dev/null 2>&1)
status=$?
printf '%s\n' "$out"
case "$out" in
*"Hello from real mode"*) ;;
*) echo "FAIL: the guest's message did not arrive"; exit 1 ;;
esac
if [ "$status" -ne 85 ]; then
	echo "FAIL: exit status $status, want 85 ((0x2a << 1) | 1)"
	exit 1
fi
echo "PASS"
