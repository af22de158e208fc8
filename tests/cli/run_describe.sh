#!/bin/bash
# --print-layout and --dump-dtb as a user meets them: without a guest vmm
# builds the machine, describes it and exits 0; with one it describes it
# and then runs it. Needs /dev/kvm (the PCI bus places its BARs in a real
# VM) but no Linux guest: the raw real-mode test guest will do.
# Usage: run_describe.sh VMM HELLO_BIN. Exit 77 (skip) without /dev/kvm.
set -u
vmm=$1 hello=$2
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "SKIP: /dev/kvm is missing or not accessible"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
truncate -s 16M "$tmp/disk.img"
failed=0
fail() {
	echo "FAIL $*"
	failed=1
}
has() { # file regex what
	grep -qE -- "$2" "$1" || fail "$3: no line matching '$2' in:" "$(cat "$1")"
}

# 1. No guest: the layout on stdout, nothing on stderr, status 0.
"$vmm" --print-layout --console virtio,transport=mmio \
	--disk "$tmp/disk.img,transport=mmio,version=1" --device virtio-rng \
	</dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 0 ] || fail "layout without a guest: status $status: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "layout without a guest: stderr: $(cat "$tmp/err")"
has "$tmp/out" '^  0x0feb00000-0x0febfffff  virtio-mmio window' "layout"
has "$tmp/out" '^  0x0e0000000-0x0e00fffff  PCI ECAM' "layout"
has "$tmp/out" '^  virtio-console +mmio +0x0feb00000-0x0feb001ff  GSI 5, level  --console virtio,transport=mmio$' "layout"
has "$tmp/out" '^  virtio-blk +mmio v1 +0x0feb01000-0x0feb011ff  GSI 6, level' "layout"
has "$tmp/out" '^  virtio-rng +pci 00:01.0 +0x0c0000000-0x0c0003fff  MSI-X, 2 vectors  --device virtio-rng$' "layout"
[ "$failed" = 0 ] && echo "ok   --print-layout without a guest"

# 2. No guest, --dump-dtb: a tree that dtc reads (when it is installed).
"$vmm" --dump-dtb "$tmp/m.dtb" --transport mmio --disk "$tmp/disk.img" \
	--append "hello=world" </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 0 ] && [ ! -s "$tmp/out" ] ||
	fail "--dump-dtb without a guest: status $status: $(cat "$tmp/err")"
[ "$(head -c 4 "$tmp/m.dtb" | od -An -tx1 | tr -d ' ')" = d00dfeed ] ||
	fail "--dump-dtb: $tmp/m.dtb is not a flattened device tree"
if command -v dtc >/dev/null; then
	dtc -I dtb -O dts "$tmp/m.dtb" >"$tmp/m.dts" 2>"$tmp/dtc.err" ||
		fail "dtc: $(cat "$tmp/dtc.err")"
	has "$tmp/m.dts" 'virtio@feb00000 \{' "dts"
	has "$tmp/m.dts" 'bootargs = "console=ttyS0 reboot=k panic=-1 pci=off hello=world";' "dts"
	! grep -q pci@ "$tmp/m.dts" || fail "dts: a PCI node without a PCI device"
else
	echo "note: dtc not installed; the tree was not decompiled"
fi
[ "$failed" = 0 ] && echo "ok   --dump-dtb without a guest"

# 3. With a guest: the layout first, then the guest runs as usual.
"$vmm" --print-layout --raw "$hello" </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 85 ] || fail "layout with a guest: status $status, want 85"
has "$tmp/out" '^virtio devices: none$' "layout with a guest"
has "$tmp/out" 'Hello from real mode' "layout with a guest"
[ "$(grep -n 'virtio devices: none' "$tmp/out" | cut -d: -f1)" -lt \
	"$(grep -n 'Hello from real mode' "$tmp/out" | cut -d: -f1)" ] ||
	fail "layout with a guest: the layout is not printed first"
[ "$failed" = 0 ] && echo "ok   --print-layout, then the guest"

[ $failed -eq 0 ] && echo "PASS" || echo "FAIL"
exit $failed
