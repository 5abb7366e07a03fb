# live_emptycd.sh - an empty CD drive is not read. qemu's pc machine (and
# many PCs) has an IDE CD drive with no disc, whose size the kernel gives
# as 2097151 sectors, not 0; a finder that probes it anyway fills the
# kernel's log (and the live system's journal) with "I/O error, dev sr0"
# and "Medium not present" lines, once per scan. findmedia asks the drive
# (CDROM_DRIVE_STATUS) first, as udev's cdrom_id does. A disc put in the
# drive while /init waits is found: findmedia rescans at least once a
# second and asks the drive again (its open makes the kernel re-read the
# disc's size), with no block uevent needed.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/live.sh"
boot_need live_emptycd
boot_kernel || { echo "FAIL: live_emptycd: cannot fetch the test kernel"; exit 1; }
w=$BOOT_WORK/live_emptycd
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

# The disc arrives: the drive is empty at boot, the ISO goes in 5 s after
# /init says it waits (qemu's monitor, as a user closing the tray).
xorriso -as mkisofs -quiet -V INITBOX_CD -J -R -o "$w/live.iso" "$w/medium" 2> "$w/xorriso.err" ||
	{ echo "FAIL: live_emptycd: cannot build the ISO: $(tail -n 2 "$w/xorriso.err")"; exit 1; }
insert_disc() {
	mon_after "waiting up to 60 s for LABEL=INITBOX_CD" 5 || return 1
	mon "change ide1-cd0 $w/live.iso raw"
}
log=$LOGS/boot-live-emptycd-insert.serial
BOOT_MONITOR=insert_disc BOOT_MEM=128M live_boot live-emptycd-insert \
	"a disc put in the empty drive while /init waits is found" \
	"$w/initrd.img" "live.media=LABEL=INITBOX_CD live.timeout=60 livecheck=live,medium" \
	-drive if=ide,index=2,media=cdrom
live_expect "insert: /init waited for the disc" "$log" "waiting up to 60 s for LABEL=INITBOX_CD"
live_expect "insert: the disc is the medium" "$log" '^initbox: medium /dev/sr0 holds /live/rootfs.squashfs'
# The empty drive is never read while /init waits (5 s, about five scans:
# each would log its read errors, a second apart). Only the new disc's
# first read fails, once: qemu's drive, like a real one, answers the first
# commands after a disc change with "medium may have changed", and the
# kernel logs that read's errors (3 lines on 6.1, 9 on 6.12, all within a
# few ms), then the next scan reads the disc. So: every such line within
# one second.
span=$(sed -n 's/^\[ *\([0-9.]*\)\] I\/O error, dev sr0.*/\1/p' "$log" |
	awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.2f", NR ? b - a : 0 }')
n=$(grep -c 'I/O error, dev sr0' "$log")
if awk -v s="$span" 'BEGIN { exit !(s < 1) }'; then
	echo "PASS: insert: the empty drive was not read while /init waited ($n error lines, within $span s: the new disc's first read)"
else
	echo "FAIL: insert: the empty drive was read while /init waited: $n 'I/O error, dev sr0' lines over $span s"
	LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
fi
live_done
