# The guest reboots (reboot=k: through the i8042 reset line): vmm exits 2.
VMM_ARGS=""
EXPECT_STATUS=2

guest_main() {
	echo "rebooting"
	reboot -f
	sleep 5
	echo "still running after reboot -f"
}

check() {
	! grep -q 'still running after reboot -f' "$OUT" ||
		fail "the guest kept running after reboot -f"
}
