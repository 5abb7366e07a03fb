# live_emptycd.sh - an empty CD drive is not read. qemu's pc machine (and
# many PCs) has an IDE CD drive with no disc, whose size the kernel gives
# as 2097151 sectors, not 0; a finder that probes it anyway fills the
# kernel's log (and the live system's journal) with "I/O error, dev sr0"
# and "Medium not present" lines, once per scan. findmedia asks the drive
# (CDROM_DRIVE_STATUS) first, as udev's cdrom_id does.
. "$TOP/tests/boot/lib.sh"
. "$TOP/tests/boot/live/lib.sh"
boot_need live_emptycd
boot_kernel || { echo "FAIL: live_emptycd: cannot fetch the test kernel"; exit 1; }
w=$BUILD/boot-work/live_emptycd
rm -rf "$w" && mkdir -p "$w/medium/live"
live_rootfs "$w/rootfs" && live_squashfs "$w/rootfs" "$w/medium/live/rootfs.squashfs" &&
	live_ext4 "$w/medium.img" INITBOX_LIVE 16 "$w/medium" ||
	{ echo "FAIL: live_emptycd: cannot build the medium"; exit 1; }
# ata_piix and sr_mod loaded at boot: the drive is there from the start
live_initramfs "$w/initrd.img" -p ata_piix -p sr_mod > /dev/null ||
	{ echo "FAIL: live_emptycd: mkinitramfs failed"; exit 1; }
log=$LOGS/boot-live-emptycd.serial
# the medium is found by the file it holds: every device is probed
BOOT_MEM=128M live_boot live-emptycd \
	"a live boot with an empty IDE CD drive beside the medium" \
	"$w/initrd.img" "livecheck=live,medium" \
	-drive "file=$w/medium.img,format=raw,if=virtio" -drive if=ide,index=2,media=cdrom
live_expect "the empty drive is there (sr0)" "$log" '\[sr0\] scsi3-mmc drive'
live_refute "the empty drive is never read: no I/O error on sr0" "$log" 'I/O error, dev sr0|sr0.*Medium not present|Buffer I/O error on dev sr0'
live_refute "no kernel panic" "$log" 'Kernel panic'
live_done
