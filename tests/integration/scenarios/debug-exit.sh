# The guest writes 0x21 to the debug-exit port 0x501: vmm exits with
# (0x21 << 1) | 1 = 67 at once, without the guest powering off.
VMM_ARGS=""
EXPECT_STATUS=67

guest_main() {
	echo "writing 0x21 to port 0x501"
	port_write 0x501 0x21
	sleep 5
	echo "still running after the debug-exit write"
}

check() {
	! grep -q 'still running after the debug-exit write' "$OUT" ||
		fail "the guest kept running after the port write"
}
