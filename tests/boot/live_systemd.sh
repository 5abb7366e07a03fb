# live_systemd.sh - a real distribution, live, at 128 MiB: Debian 12
# minbase with systemd as init (scripts/lib/debroot.sh, cached), as the
# squashfs of an ISO 9660 image; Debian's generic kernel (every storage
# driver a module) with mkinitramfs -P pc. Booted as a CD in qemu pc's IDE
# drive (-cdrom) and as a USB stick on qemu-xhci. The root's
# initbox-check.service (scripts/lib/live_debian.sh) checks, once systemd
# has finished: multi-user.target reached, no failed unit, /run the tmpfs
# /init made and moved (not mounted again), the /run/initbox mounts,
# Shmem within 1 MiB of the live system's tmpfs files; and records
# systemd-analyze's times.
#
# Under TCG a systemd boot takes 30 s to 2 min (more on a loaded machine):
# BOOT_TIMEOUT defaults to 600 s here. SYSTEMD_MEM (default 128M) sets the
# memory of both boots.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/debroot.sh"
. "$TOP/scripts/lib/live.sh"
. "$TOP/scripts/lib/live_debian.sh"
boot_need live_systemd
command -v xorriso > /dev/null || { echo "FAIL: live_systemd: needs xorriso (scripts/deps.sh tools)"; exit 1; }
boot_kernel generic || { echo "FAIL: live_systemd: cannot fetch Debian's generic kernel"; exit 1; }
mem=${SYSTEMD_MEM:-128M}
w=$BOOT_WORK/live_systemd
rm -rf "$w" && mkdir -p "$w" || exit 1
live_debian_rootfs "$w/rootfs" ||
	{ echo "FAIL: live_systemd: cannot build the systemd root (scripts/lib/debroot.sh)"; exit 1; }
live_debian_iso "$w/rootfs" "$w/live.iso" INITBOX_DEB ||
	{ echo "FAIL: live_systemd: cannot build the ISO"; exit 1; }
rm -rf "$w/rootfs"
echo "live.iso: $(stat -c %s "$w/live.iso") bytes"
live_initramfs "$w/initrd.img" -P pc > "$w/mkinitramfs.out" ||
	{ echo "FAIL: live_systemd: mkinitramfs -P pc failed: $(tail -n 3 "$w/mkinitramfs.out")"; exit 1; }
cat "$w/mkinitramfs.out"
# A boot that stops in /init's rescue shell ends at once, not at the
# timeout; the answer is built in the shell, so the echo of the typed line
# is no BOOT-RESULT line
printf '%s\n' 'r=FA; echo; echo "BOOT-RESULT: ${r}IL: /init stopped in its rescue shell"' > "$w/input"

# check NAME: what the two boots both assert, from the serial log
check() {
	log=$LOGS/boot-$1.serial
	live_refute "$1: no kernel panic" "$log" 'Kernel panic'
	# a boot that never left the initramfs has failed once, above
	grep -q '^switch_root: freed' "$log" || return 0
	live_expect "$1: switch_root freed the initramfs, nothing pinned" "$log" '^switch_root: freed .*; nothing pinned'
	live_expect "$1: systemd reached multi-user.target" "$log" '^LIVE: check passed: multi-user.target reached'
	live_expect "$1: systemctl --failed is empty" "$log" '^LIVE: check passed: systemctl --failed lists nothing'
	live_expect "$1: /run is /init's tmpfs, moved" "$log" '^LIVE: check passed: /run \(mount id [0-9]+\) was mounted before'
	live_expect "$1: the /run/initbox mounts are visible" "$log" '^LIVE: check passed: /run/initbox/cow is visible'
	live_expect "$1: systemd-analyze's times are recorded" "$log" '^LIVE: analyze: Startup finished in'
	grep -E '^LIVE: (init started|boot finished|analyze|Mem|Shmem|shmem|tmpfs|journal|initramfs)' "$log"
	echo "qemu wall time: $BOOT_SECONDS s"
}

BOOT_MEM=$mem BOOT_TIMEOUT=${BOOT_TIMEOUT:-600} BOOT_INPUT=$w/input \
	BOOT_INPUT_AFTER='^initbox: boot stopped; rescue shell' live_boot systemd-ide \
	"Debian 12 with systemd, live from qemu pc's IDE CD-ROM at $mem" \
	"$w/initrd.img" "live.media=LABEL=INITBOX_DEB" -M pc -cdrom "$w/live.iso"
check systemd-ide
BOOT_MEM=$mem BOOT_TIMEOUT=${BOOT_TIMEOUT:-600} BOOT_INPUT=$w/input \
	BOOT_INPUT_AFTER='^initbox: boot stopped; rescue shell' live_boot systemd-usb \
	"Debian 12 with systemd, live from a USB stick (qemu-xhci, usb-storage) at $mem" \
	"$w/initrd.img" "live.media=LABEL=INITBOX_DEB" -M pc -device qemu-xhci,id=xhci \
	-drive "if=none,id=stick,file=$w/live.iso,format=raw,readonly=on" \
	-device usb-storage,bus=xhci.0,drive=stick
check systemd-usb

# --- persistence on an IDE disk, and systemd-shutdown's hand-back --------
# systemctl poweroff: systemd-shutdown switches to /run/initramfs and runs
# /shutdown poweroff, which unmounts the overlay and the persistence
# below it. On the host then: e2fsck -fn clean, no journal to recover, the
# file written before the poweroff whole. Side by side: the same boot
# with initbox.handback=no (measured, not asserted), and the time from
# the poweroff request to the kernel's "reboot: Power down" for both.
# On every kernel; the comparison boot (a measurement) on bookworm only.
cow=$w/cow.img
features() { ext4_features "$cow"; }
# kernel timestamps: from the poweroff request to the power going
off_time() { # LOG
	awk '/^LIVE: poweroff requested at/ { r = $5 }
		/reboot: Power down/ { p = $0; sub(/^\[ */, "", p); sub(/\].*/, "", p) }
		END { if (r != "" && p != "") printf "%.2f s", p - r; else print "?" }' "$1"
}
live_ext4 "$cow" INITBOX_COW 128 || exit 1
BOOT_MEM=$mem BOOT_TIMEOUT=${BOOT_TIMEOUT:-600} BOOT_INPUT=$w/input \
	BOOT_INPUT_AFTER='^initbox: boot stopped; rescue shell' \
	BOOT_UNTIL='^shutdown: poweroff after|reboot: Power down' live_boot systemd-persist \
	"Debian 12 with systemd, persistence on an IDE disk, systemctl poweroff hands back" \
	"$w/initrd.img" "live.media=LABEL=INITBOX_DEB live.cow=LABEL=INITBOX_COW" -M pc \
	-cdrom "$w/live.iso" -drive "file=$cow,format=raw,if=ide,index=0"
log=$LOGS/boot-systemd-persist.serial
live_refute "systemd-persist: no kernel panic" "$log" 'Kernel panic'
live_expect "systemd-persist: the upper layer is the persistence disk" "$log" '^LIVE: check passed: /run/initbox/persist is visible'
live_expect "systemd-persist: systemd-shutdown hands back to /run/initramfs/shutdown" "$log" '^shutdown: poweroff: taking apart /oldroot$'
live_expect "systemd-persist: the persistence disk is released" "$log" '^shutdown: /dev/sda released$'
live_expect "systemd-persist: the CD is released" "$log" '^shutdown: /dev/sr0 released$'
live_refute "systemd-persist: nothing is still held" "$log" '^shutdown: .*(still held|still busy|stays writable)'
ext4_clean "systemd-persist: after systemctl poweroff" "$cow"
big_file "systemd-persist" "$log" "$cow"
grep '^shutdown: ' "$log" | sed 's/^/    /'
echo "    poweroff request to power-off, with the hand-back: $(off_time "$log")"
if [ "$KERNEL" != bookworm ]; then
	live_done
	exit
fi
live_ext4 "$cow" INITBOX_COW 128 || exit 1
BOOT_MEM=$mem BOOT_TIMEOUT=${BOOT_TIMEOUT:-600} BOOT_INPUT=$w/input \
	BOOT_INPUT_AFTER='^initbox: boot stopped; rescue shell' \
	BOOT_UNTIL='reboot: Power down' live_boot systemd-persist-off \
	"Debian 12 with systemd, persistence, initbox.handback=no (the comparison)" \
	"$w/initrd.img" "live.media=LABEL=INITBOX_DEB live.cow=LABEL=INITBOX_COW initbox.handback=no" -M pc \
	-cdrom "$w/live.iso" -drive "file=$cow,format=raw,if=ide,index=0"
echo "    poweroff request to power-off, without it: $(off_time "$LOGS/boot-systemd-persist-off.serial")"
case " $(features) " in
*" needs_recovery "*) echo "    without the hand-back: needs_recovery set; e2fsck -fn: $(e2fsck -fn "$cow" 2>&1 | grep -ci 'wrong\|differ') count(s) wrong" ;;
*) echo "    without the hand-back: the filesystem happened to be clean" ;;
esac
live_done
