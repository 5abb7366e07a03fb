# switch_root_pins.sh - (b) a process left running from the initramfs holds
# a 20 MiB file and a tmpfs at /image holds 20 MiB: the report names the
# process, its pid and the bytes; /image is visible and unmountable in the
# new root. (c) init=/nonexistent falls back to /sbin/init, no panic; and
# pivot_root on the real rootfs names the cause.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
boot_need switch_root_pins
boot_kernel || { echo "FAIL: switch_root_pins: cannot fetch the test kernel"; exit 1; }
. "$TOP/scripts/lib/switchroot.sh"
w=$BOOT_WORK/switch_root_pins
mkdir -p "$w"
rc=0
sr_newroot "$w/root" 'mount -t proc proc /proc
if [ "$(cat /image/canary)" = image-canary ] && umount /image && ! grep -q " /image " /proc/self/mountinfo; then
	echo "IMAGE: visible and unmounted"
fi
echo "INIT: $0 $*"
echo "BOOT-RESULT: PASS"
poweroff -f' && for a in cat grep umount poweroff mount; do ln -s busybox "$w/root/bin/$a"; done &&
	sr_rootdisk "$w/root" "$w/root.img" || { echo "FAIL: switch_root_pins: cannot build the root disk"; exit 1; }
SR_PRE='mkdir -p /image && mount -t tmpfs -o size=32m img /image
echo image-canary > /image/canary
dd if=/dev/urandom of=/image/fill bs=1M count=20 2>/dev/null
dd if=/dev/urandom of=/held bs=1M count=20 2>/dev/null
sleep 600 < /held &
h=$! i=0
while [ $i -lt 100 ] && ! { [ "$(cat /proc/$h/comm)" = sleep ] && [ "$(/bin/busybox readlink /proc/$h/fd/0)" = /held ]; }; do
	sleep 0.05
	i=$((i + 1))
done
echo "HOLDER: $h"'
# pivot_root's EINVAL as the kernel gives it: before 7.0 the initramfs
# cannot be pivoted at all; from 7.0 (nullfs under it) it can, and an
# EINVAL has another cause: PUT_OLD outside NEW_ROOT, NEW_ROOT not a mount.
if [ "$KERNEL_MAJOR" -lt 7 ]; then
	PIVOT_TRY='/bin/pivot_root /newroot /newroot/tmp 2>&1 | sed "s/^/PIVOT: /"'
else
	PIVOT_TRY='/bin/pivot_root /newroot /run 2>&1 | sed "s/^/PIVOT: /"
/bin/pivot_root /newroot/tmp /newroot/tmp 2>&1 | sed "s/^/PIVOT2: /"'
fi
SR_PRE="$SR_PRE
$PIVOT_TRY" sr_initramfs "$w/ir" '/bin/switch_root /newroot $INIT' || exit 1
boot_cpio "$w/ir" "$w/ir.img"
boot_run sr-pins "$w/ir.img" "" -drive "file=$w/root.img,if=virtio,format=raw" ||
	{ boot_report sr-pins "a pinned initramfs boots"; rc=1; }
log=$LOGS/boot-sr-pins.serial
holder=$(sed -n 's/^HOLDER: //p' "$log")
line=$(grep -m1 '^switch_root: freed' "$log")
pinned=$(printf '%s' "$line" | sed -n "s/.*still pinned \([0-9.]*\) MiB: pid $holder (sleep) \([0-9.]*\) MiB fd 0 \/held.*/\2/p")
if [ -n "$holder" ] && [ -n "$pinned" ] && awk -v p="$pinned" 'BEGIN { exit !(p >= 20) }'; then
	echo "PASS: the report names the holding process, its pid and its bytes ($line)"
else
	echo "FAIL: the report names the holding process, its pid and its bytes: holder ${holder:-?}: '$line'"; rc=1
fi
grep -q '^IMAGE: visible and unmounted' "$log" &&
	echo "PASS: the /image tmpfs is visible and unmountable in the new root" ||
	{ echo "FAIL: the /image tmpfs is visible and unmountable in the new root"; rc=1; }
if [ "$KERNEL_MAJOR" -lt 7 ]; then
	grep -q "^PIVOT: pivot_root: pivot root to /newroot: the current root is the initramfs (rootfs), which cannot be pivoted: use switch_root" "$log" &&
		echo "PASS: pivot_root on the real rootfs says to use switch_root" ||
		{ echo "FAIL: pivot_root on the real rootfs says to use switch_root: $(grep PIVOT "$log")"; rc=1; }
else
	grep -q "^PIVOT: pivot_root: pivot root to /newroot: PUT_OLD /run is not at or under NEW_ROOT /newroot" "$log" &&
		echo "PASS: on the nullfs root (>= 7.0) pivot_root's EINVAL names PUT_OLD outside NEW_ROOT, not the initramfs" ||
		{ echo "FAIL: on the nullfs root pivot_root's EINVAL names PUT_OLD outside NEW_ROOT: $(grep PIVOT "$log")"; rc=1; }
	grep -q "^PIVOT2: pivot_root: pivot root to /newroot/tmp: NEW_ROOT /newroot/tmp is not a mount point" "$log" &&
		echo "PASS: on the nullfs root (>= 7.0) pivot_root's EINVAL names a NEW_ROOT that is no mount point" ||
		{ echo "FAIL: on the nullfs root pivot_root's EINVAL names a NEW_ROOT that is no mount point: $(grep PIVOT2 "$log")"; rc=1; }
fi

# (c) init=/nonexistent
SR_PRE= sr_initramfs "$w/ir" '/bin/switch_root /newroot $INIT' || exit 1
boot_cpio "$w/ir" "$w/irc.img"
if boot_run sr-noinit "$w/irc.img" "init=/nonexistent" -drive "file=$w/root.img,if=virtio,format=raw" &&
	grep -q "^switch_root: INIT /nonexistent: does not exist in NEWROOT /newroot; using /sbin/init instead" "$LOGS/boot-sr-noinit.serial" &&
	grep -q "^INIT: /sbin/init" "$LOGS/boot-sr-noinit.serial" && ! grep -q "Kernel panic" "$LOGS/boot-sr-noinit.serial"; then
	echo "PASS: init=/nonexistent falls back to /sbin/init, saying so, without a panic"
else
	boot_report sr-noinit "init=/nonexistent falls back to /sbin/init, saying so, without a panic"; rc=1
fi
exit $rc
