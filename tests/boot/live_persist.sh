# live_persist.sh - scenario 6: live.cow=LABEL=INITBOX_COW keeps the
# overlay's upper layer on an ext4 device: a file written in one boot is
# there in the next.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/live.sh"
boot_need live_persist
boot_kernel || { echo "FAIL: live_persist: cannot fetch the test kernel"; exit 1; }
w=$BOOT_WORK/live_persist
rm -rf "$w" && mkdir -p "$w/medium/live"
live_rootfs "$w/rootfs" && live_squashfs "$w/rootfs" "$w/medium/live/rootfs.squashfs" &&
	live_ext4 "$w/medium.img" INITBOX_LIVE 16 "$w/medium" &&
	live_ext4 "$w/cow.img" INITBOX_COW 16 ||
	{ echo "FAIL: live_persist: cannot build the media"; exit 1; }
live_initramfs "$w/initrd.img" > /dev/null ||
	{ echo "FAIL: live_persist: mkinitramfs failed"; exit 1; }
drives="-drive file=$w/medium.img,format=raw,if=virtio -drive file=$w/cow.img,format=raw,if=virtio"
args="live.media=LABEL=INITBOX_LIVE live.cow=LABEL=INITBOX_COW"
# shellcheck disable=SC2086
BOOT_MEM=128M live_boot live-persist-1 "boot 1 writes a file on the persistent overlay" \
	"$w/initrd.img" "$args livecheck=live,persist-write" $drives
# shellcheck disable=SC2086
BOOT_MEM=128M live_boot live-persist-2 "boot 2 finds the file written in boot 1" \
	"$w/initrd.img" "$args livecheck=live,persist-read" $drives
live_refute "no kernel panic" "$LOGS/boot-live-persist-2.serial" 'Kernel panic'
live_done
