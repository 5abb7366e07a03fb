# live_toram.sh - scenario 3: live.toram copies the image into a tmpfs of
# its own, releases the medium (unmounted; no loop device left on it) and
# boots from the copy. The medium's label has a blank: the kernel keeps
# live.media=LABEL="INITBOX TORAM" one word, and so must /init.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/live.sh"
boot_need live_toram
boot_kernel || { echo "FAIL: live_toram: cannot fetch the test kernel"; exit 1; }
w=$BOOT_WORK/live_toram
rm -rf "$w" && mkdir -p "$w/medium/live"
live_rootfs "$w/rootfs" && live_squashfs "$w/rootfs" "$w/medium/live/rootfs.squashfs" &&
	live_ext4 "$w/medium.img" "INITBOX TORAM" 16 "$w/medium" ||
	{ echo "FAIL: live_toram: cannot build the medium"; exit 1; }
live_initramfs "$w/initrd.img" > /dev/null ||
	{ echo "FAIL: live_toram: mkinitramfs failed"; exit 1; }
log=$LOGS/boot-live-toram.serial
BOOT_MEM=128M live_boot live-toram \
	"live.toram boots from a RAM copy with the medium unmounted and no loop device on it" \
	"$w/initrd.img" "live.media=LABEL=\"INITBOX TORAM\" live.toram livecheck=live,toram" \
	-drive "file=$w/medium.img,format=raw,if=virtio"
live_expect "a label with a blank, quoted on the command line, is found" "$log" '^initbox: medium /dev/vda holds /live/rootfs.squashfs'
live_expect "/init says the medium was released" "$log" '^initbox: copied /live/rootfs.squashfs to RAM; medium released'
live_refute "no kernel panic" "$log" 'Kernel panic'
live_done
