# The guest reboots with reboot=t, Linux's triple-fault method (an empty
# IDT, then int3): the vCPU shuts down, vmm reports it with the guest's
# registers and exits 4.
VMM_APPEND="reboot=t"
EXPECT_STATUS=4

guest_main() {
	echo "rebooting by triple fault"
	reboot -f
	sleep 5
	echo "still running after the triple fault"
}

check() {
	grep -q 'triple fault' "$OUT" ||
		fail "vmm did not report the triple fault"
	grep -q 'rip=' "$OUT" || fail "vmm did not print the guest's registers"
	! grep -q 'still running after the triple fault' "$OUT" ||
		fail "the guest kept running"
}
