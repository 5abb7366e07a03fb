# switch_root_free.sh - (a) a 40 MiB padded initramfs switching to an ext4
# root frees it all: MemAvailable in the new root within 2 MiB of the same
# boot without padding, and switch_root reports >= 40 MiB freed, and how
# it switched: move + chroot before Linux 7.0 (rootfs cannot be pivoted),
# pivot_root and a detach of the old root on 7.x's nullfs root.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
boot_need switch_root_free
boot_kernel || { echo "FAIL: switch_root_free: cannot fetch the test kernel"; exit 1; }
. "$TOP/scripts/lib/switchroot.sh"
w=$BOOT_WORK/switch_root_free
mkdir -p "$w"
sr_newroot "$w/root" "$SR_MEMINIT
echo 'BOOT-RESULT: PASS'
/bin/busybox poweroff -f" && sr_rootdisk "$w/root" "$w/root.img" || { echo "FAIL: switch_root_free: cannot build the root disk"; exit 1; }
sr_initramfs "$w/ir" '/bin/switch_root -v /newroot $INIT' || { echo "FAIL: switch_root_free: cannot build the initramfs"; exit 1; }
boot_cpio "$w/ir" "$w/plain.img"
dd if=/dev/urandom of="$w/ir/padding" bs=1M count=40 2>/dev/null
boot_cpio "$w/ir" "$w/padded.img"
rc=0
mem() { sed -n 's/^MEMAVAIL: //p' "$LOGS/boot-$1.serial" | head -n 1; }
boot_run sr-free-plain "$w/plain.img" "" -drive "file=$w/root.img,if=virtio,format=raw" ||
	{ boot_report sr-free-plain "the unpadded boot reaches the new root"; rc=1; }
boot_run sr-free-padded "$w/padded.img" "" -drive "file=$w/root.img,if=virtio,format=raw" ||
	{ boot_report sr-free-padded "the padded boot reaches the new root"; rc=1; }
a=$(mem sr-free-plain) b=$(mem sr-free-padded)
line=$(grep -m1 '^switch_root: freed' "$LOGS/boot-sr-free-padded.serial")
echo "plain MemAvailable ${a:-?} kB, padded ${b:-?} kB; $line"
if [ -n "$a" ] && [ -n "$b" ] && [ $((a - b)) -le 2048 ] && [ $((b - a)) -le 2048 ]; then
	echo "PASS: a padded initramfs leaves MemAvailable within 2 MiB of an unpadded one (plain $a kB, padded $b kB)"
else
	echo "FAIL: a padded initramfs leaves MemAvailable within 2 MiB of an unpadded one: plain ${a:-?} kB, padded ${b:-?} kB"; rc=1
fi
freed=$(printf '%s' "$line" | sed -n 's/^switch_root: freed \([0-9.]*\) MiB.*/\1/p')
if [ -n "$freed" ] && awk -v f="$freed" 'BEGIN { exit !(f >= 40) }'; then
	echo "PASS: switch_root reports at least 40 MiB freed ($line)"
else
	echo "FAIL: switch_root reports at least 40 MiB freed: '$line'"; rc=1
fi
if [ "$KERNEL_MAJOR" -lt 7 ]; then
	how="switched with mount --move and chroot (pivot_root: Invalid argument)"
else
	how="switched with pivot_root and a detach of the old root"
fi
if grep -q "^switch_root: $how" "$LOGS/boot-sr-free-padded.serial"; then
	echo "PASS: switch_root as PID 1 on $KVER says how it switched: $how"
else
	echo "FAIL: switch_root as PID 1 on $KVER says how it switched ($how): $(grep '^switch_root: switched' "$LOGS/boot-sr-free-padded.serial")"; rc=1
fi
exit $rc
