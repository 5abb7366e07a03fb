# live_iso.sh - scenario 2: the live image on an ISO 9660 medium (xorriso)
# attached as a CD-ROM, found without naming it: /init searches every
# medium for /live/rootfs.squashfs. Two boots: a virtio-scsi CD-ROM
# (sr_mod, the default module set) and qemu's -cdrom, an IDE CD-ROM (with
# mkinitramfs -m ... ata_piix).
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/live.sh"
boot_need live_iso
command -v xorriso > /dev/null || { echo "FAIL: live_iso: needs xorriso (scripts/deps.sh tools)"; exit 1; }
boot_kernel || { echo "FAIL: live_iso: cannot fetch the test kernel"; exit 1; }
w=$BOOT_WORK/live_iso
rm -rf "$w" && mkdir -p "$w/medium/live"
live_rootfs "$w/rootfs" && live_squashfs "$w/rootfs" "$w/medium/live/rootfs.squashfs" &&
	xorriso -as mkisofs -quiet -V INITBOX_ISO -J -R -o "$w/live.iso" "$w/medium" 2> "$w/xorriso.err" ||
	{ echo "FAIL: live_iso: cannot build the ISO: $(tail -n 2 "$w/xorriso.err")"; exit 1; }
live_initramfs "$w/initrd.img" > /dev/null &&
	live_initramfs "$w/initrd-ide.img" -m virtio_pci -m sr_mod -m ata_piix -m loop \
		-m squashfs -m overlay -m isofs > /dev/null ||
	{ echo "FAIL: live_iso: mkinitramfs failed"; exit 1; }
log=$LOGS/boot-live-iso.serial
BOOT_MEM=128M live_boot live-iso \
	"a live root from an ISO 9660 virtio-scsi CD-ROM, found by searching for /live/rootfs.squashfs" \
	"$w/initrd.img" "livecheck=live,medium" -device virtio-scsi-pci,id=scsi \
	-drive "if=none,id=cd,file=$w/live.iso,media=cdrom,format=raw" -device scsi-cd,drive=cd
live_expect "the medium found is the CD-ROM" "$log" '^initbox: medium /dev/sr[0-9] holds /live/rootfs.squashfs'
live_refute "no kernel panic" "$log" 'Kernel panic'
log=$LOGS/boot-live-iso-ide.serial
BOOT_MEM=128M live_boot live-iso-ide "the same from qemu's -cdrom (IDE, ata_piix)" \
	"$w/initrd-ide.img" "livecheck=live,medium" -cdrom "$w/live.iso"
live_expect "the medium found is the IDE CD-ROM" "$log" '^initbox: medium /dev/sr[0-9] holds /live/rootfs.squashfs'
live_done
