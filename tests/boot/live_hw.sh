# live_hw.sh - the hardware users boot from (issue 14): Debian's generic
# kernel, whose storage drivers are all modules, an initramfs of
# mkinitramfs -P pc, and the busybox live root on each kind of medium a PC
# has. One boot per controller; half of them name the medium
# (live.media=LABEL=INITBOXHW), the others let /init search every device
# for /live/rootfs.squashfs:
#   ide-cd      -M pc -cdrom (ata_piix, sr_mod)           label
#   ahci-cd     -M q35, a SATA CD-ROM (ahci, sr_mod)      search
#   ahci-disk   -M q35, a SATA disk (ahci, sd_mod)        label
#   xhci        a vfat stick on qemu-xhci (usb_storage)    search
#   ehci        a vfat stick on EHCI                       label
#   xhci-hub    the stick behind a usb-hub on qemu-xhci    search
#   nvme        an NVMe disk                               label
#   virtio      a virtio disk                              search
# Then the coldplug that goes on while /init waits (modprobe -C -w):
#   late        a stick attached from qemu's monitor 5 s after findmedia
#               starts waiting, found within live.timeout
#   toram-usb   live.toram from a stick that is unplugged (device_del)
#               after the switch; the live system reads its whole root
# Prints "HW: NAME wall W s, /init from S0 s to the switch at S1 s (uptime)"
# lines for docs/live-boot.md (in build/test-logs/boot-live_hw.log).
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/live.sh"
boot_need live_hw
for c in xorriso mkfs.vfat mcopy; do
	command -v $c > /dev/null || { echo "FAIL: live_hw: needs $c (scripts/deps.sh tools)"; exit 1; }
done
boot_kernel generic || { echo "FAIL: live_hw: cannot fetch the generic kernel"; exit 1; }
w=$BOOT_WORK/live_hw
L=INITBOXHW
rm -rf "$w" && mkdir -p "$w/medium/live"
live_rootfs "$w/rootfs" && live_squashfs "$w/rootfs" "$w/medium/live/rootfs.squashfs" &&
	xorriso -as mkisofs -quiet -V $L -J -R -o "$w/live.iso" "$w/medium" 2> "$w/xorriso.err" &&
	live_ext4 "$w/disk.img" $L 24 "$w/medium" &&
	mkfs.vfat -C -n $L "$w/stick.img" 24576 > /dev/null &&
	mcopy -s -i "$w/stick.img" "$w/medium/live" ::/ ||
	{ echo "FAIL: live_hw: cannot build the media"; exit 1; }
live_initramfs "$w/initrd.img" -P pc > /dev/null ||
	{ echo "FAIL: live_hw: mkinitramfs -P pc failed"; exit 1; }
echo "HW: kernel $KVER, initramfs -P pc $(stat -c %s "$w/initrd.img") bytes"

# hw NAME HOW DEV TEST [QEMU...]: one boot at 128 MiB; HOW is label or
# search; the medium found must be /dev/DEV
# (live_boot's own variables are n, tn: these are hw_*)
hw() {
	hw_n=$1 hw_dev=$3 hw_tn=$4
	hw_a="livecheck=live,medium"
	[ "$2" = search ] || hw_a="live.media=LABEL=$L $hw_a"
	shift 4
	BOOT_MEM=128M live_boot "live-hw-$hw_n" "$hw_tn" "$w/initrd.img" "$hw_a" "$@"
	hw_log=$LOGS/boot-live-hw-$hw_n.serial
	live_expect "$hw_n: the medium is /dev/$hw_dev" "$hw_log" "^initbox: medium /dev/$hw_dev holds /live/rootfs.squashfs"
	hw_times "$hw_n" "$hw_log"
}
hw_times() { # NAME LOG
	echo "HW: $1 wall $BOOT_SECONDS s, $(sed -n 's/^LIVE: initramfs start \([0-9.]*\) switch \([0-9.]*\).*/\/init from \1 s to the switch at \2 s (uptime)/p' "$2")"
}
usb() { echo "if=none,id=stick,format=raw,file=$w/stick.img"; }

hw ide-cd label sr0 "an IDE CD-ROM (-M pc -cdrom), by label" -M pc -cdrom "$w/live.iso"
hw ahci-cd search sr0 "a SATA CD-ROM on AHCI (-M q35), by searching" -M q35 \
	-drive "if=none,id=cd,media=cdrom,format=raw,file=$w/live.iso" -device ide-cd,drive=cd,bus=ide.0
hw ahci-disk label sda "a SATA disk on AHCI (-M q35), by label" -M q35 \
	-drive "if=none,id=d,format=raw,file=$w/disk.img" -device ide-hd,drive=d,bus=ide.1
hw xhci search sda "a USB stick on qemu-xhci, by searching" -device qemu-xhci,id=xhci \
	-drive "$(usb)" -device usb-storage,bus=xhci.0,drive=stick
hw ehci label sda "a USB stick on EHCI, by label" -device usb-ehci,id=ehci \
	-drive "$(usb)" -device usb-storage,bus=ehci.0,drive=stick
# qemu's usb-hub is a full-speed device: EHCI alone (no companion
# controller) refuses it, xHCI takes every speed
hw xhci-hub search sda "a USB stick behind a usb-hub on qemu-xhci, by searching" -device qemu-xhci,id=xhci \
	-device usb-hub,bus=xhci.0,port=1 -drive "$(usb)" -device usb-storage,bus=xhci.0,port=1.1,drive=stick
hw nvme label nvme0n1 "an NVMe disk, by label" \
	-drive "if=none,id=nv,format=raw,file=$w/disk.img" -device nvme,drive=nv,serial=initboxhw
hw virtio search vda "a virtio disk, by searching" -drive "if=virtio,format=raw,file=$w/disk.img"

# The stick arrives 5 s after findmedia says it waits: only the coldplug's
# watch loads xhci's late devices' drivers (usb_storage, then sd_mod for
# the SCSI disk usb-storage adds).
plug_late() {
	mon_after "waiting up to 60 s for LABEL=$L" 5 || return 1
	mon "drive_add 0 $(usb)"
	mon "device_add usb-storage,bus=xhci.0,drive=stick,id=stick0"
}
log=$LOGS/boot-live-hw-late.serial
BOOT_MONITOR=plug_late BOOT_MEM=128M live_boot live-hw-late \
	"a USB stick attached 5 s after /init starts waiting is found within live.timeout" \
	"$w/initrd.img" "live.media=LABEL=$L live.timeout=60 livecheck=live,medium" \
	-device qemu-xhci,id=xhci
live_expect "late: /init waited for the stick" "$log" "waiting up to 60 s for LABEL=$L"
live_expect "late: the stick is the medium" "$log" '^initbox: medium /dev/sda holds /live/rootfs.squashfs'
live_refute "late: no driver was missing" "$log" 'has no driver'
hw_times late "$log"

# live.toram: the stick is unplugged once the live system says it waits
# for that; the live init then reads its whole root with the caches
# dropped, from the RAM copy.
unplug() {
	mon_after '^LIVE: waiting for the medium to go' || return 1
	mon "device_del stick0"
}
log=$LOGS/boot-live-hw-toram-usb.serial
BOOT_MONITOR=unplug BOOT_MEM=128M live_boot live-hw-toram-usb \
	"live.toram from a USB stick: the stick unplugged after the switch, the system runs on" \
	"$w/initrd.img" "live.toram livecheck=live,toram,unplugged" \
	-device qemu-xhci,id=xhci -drive "$(usb)" -device usb-storage,bus=xhci.0,drive=stick,id=stick0
live_expect "toram-usb: the kernel saw the stick go" "$log" 'USB disconnect'
live_expect "toram-usb: the live system ran on after it" "$log" '^LIVE: check passed: all [0-9]+ files of / read back'
live_refute "toram-usb: no I/O error on the stick or the loop device" "$log" 'I/O error, dev (sd|loop)'
live_refute "toram-usb: no kernel panic" "$log" 'Kernel panic'
hw_times toram-usb "$log"

# The medium on an IDE CD, the persistence on a USB stick, which
# enumerates after the CD is found: the driver watch goes on until the
# persistence is found too (sd_mod binds the stick's disk), and the
# hand-back leaves its ext4 clean at poweroff. On xHCI and on EHCI.
command -v e2fsck > /dev/null || { echo "FAIL: live_hw: needs e2fsck (e2fsprogs)"; exit 1; }
for hc in xhci:qemu-xhci ehci:usb-ehci; do
	hc_n=${hc%%:*}
	live_ext4 "$w/cow.img" INITBOXCOW 32 || exit 1
	log=$LOGS/boot-live-hw-cd-$hc_n-persist.serial
	BOOT_MEM=128M BOOT_UNTIL='^shutdown: poweroff after|reboot: Power down' live_boot "live-hw-cd-$hc_n-persist" \
		"the medium on an IDE CD, the persistence on a USB stick ($hc_n) that comes later" \
		"$w/initrd.img" "live.media=LABEL=$L live.cow=LABEL=INITBOXCOW livecheck=live,persist-write,handback" \
		-M pc -cdrom "$w/live.iso" -device "${hc#*:},id=hc" \
		-drive "if=none,id=cow,format=raw,file=$w/cow.img" -device usb-storage,bus=hc.0,drive=cow
	live_expect "cd-$hc_n-persist: the medium is the CD" "$log" '^initbox: medium /dev/sr0 holds /live/rootfs.squashfs'
	live_expect "cd-$hc_n-persist: the stick's disk is released at poweroff" "$log" '^shutdown: /dev/sda released$'
	if e2fsck -fn "$w/cow.img" > /dev/null 2>&1 &&
		! dumpe2fs -h "$w/cow.img" 2> /dev/null | grep -q '^Filesystem features:.*needs_recovery'; then
		echo "PASS: cd-$hc_n-persist: the stick's ext4 is clean after the poweroff"
	else
		echo "FAIL: cd-$hc_n-persist: the stick's ext4 is not clean after the poweroff: $(e2fsck -fn "$w/cow.img" 2>&1 | tail -n 2 | tr '\n' '|')"
		LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
	fi
	hw_times "cd-$hc_n-persist" "$log"
done
live_done
