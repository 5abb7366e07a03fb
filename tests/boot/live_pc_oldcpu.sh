# live_pc_oldcpu.sh - issue 19, finding 11: an image of mkinitramfs -P pc
# on a CPU without SSSE3 or SSE4.2 (qemu64), Debian 12's generic kernel,
# the live medium on an IDE CD and persistence on an ext4 virtio disk
# (live.cow=LABEL=...). The arch modules of that kernel refuse such a CPU
# (finit_module: ENODEV): sha256_ssse3, the signature hash /init loads
# first, and crc32c_intel, which ext4's and jbd2's softdep "pre:
# crypto-crc32c" names beside crc32c_generic. ext4 must load anyway, and
# the persistent overlay mount. One kernel only (bookworm): the modules'
# names and softdeps are 6.1's.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/live.sh"
boot_need live_pc_oldcpu
if [ "$KERNEL" != bookworm ]; then
	echo "SKIP: live_pc_oldcpu: Debian 12's generic kernel only (KERNEL=$KERNEL)"
	exit 0
fi
command -v xorriso > /dev/null || { echo "FAIL: live_pc_oldcpu: needs xorriso (scripts/deps.sh tools)"; exit 1; }
boot_kernel generic || { echo "FAIL: live_pc_oldcpu: cannot fetch the generic kernel"; exit 1; }
w=$BOOT_WORK/live_pc_oldcpu
L=INITBOX_OLDCPU C=INITBOX_OLDCOW
rm -rf "$w" && mkdir -p "$w/medium/live"
live_rootfs "$w/rootfs" && live_squashfs "$w/rootfs" "$w/medium/live/rootfs.squashfs" &&
	xorriso -as mkisofs -quiet -V $L -J -R -o "$w/live.iso" "$w/medium" 2> "$w/xorriso.err" &&
	live_ext4 "$w/cow.img" $C 16 ||
	{ echo "FAIL: live_pc_oldcpu: cannot build the media"; exit 1; }
live_initramfs "$w/initrd.img" -P pc > /dev/null ||
	{ echo "FAIL: live_pc_oldcpu: mkinitramfs -P pc failed"; exit 1; }
log=$LOGS/boot-live-pc-oldcpu.serial
BOOT_CPU=qemu64 BOOT_MEM=160M live_boot live-pc-oldcpu \
	"qemu64 CPU, -P pc, generic kernel: CD medium, persistence on ext4 by label" \
	"$w/initrd.img" "live.media=LABEL=$L live.cow=LABEL=$C livecheck=live,persist-write" \
	-M pc -cdrom "$w/live.iso" -drive "file=$w/cow.img,format=raw,if=virtio"
live_expect "the persistence device is mounted" "$log" "LIVE: check passed: wrote /var/persist-marker"
live_refute "no mount fails with 'No such device'" "$log" "No such device"
live_refute "no kernel panic" "$log" 'Kernel panic'

# The device is there but its filesystem's driver never loads (ext4
# blacklisted in the image: the kernel's fs-ext4 request loads nothing):
# /init names the filesystem, not "no persistence device found". The boot
# ends in the rescue shell: stopped once the line is out.
mkdir -p "$w/conf" && echo 'blacklist ext4' > "$w/conf/noext4.conf"
live_initramfs "$w/noext4.img" -P pc -C "$w/conf" > /dev/null ||
	{ echo "FAIL: live_pc_oldcpu: mkinitramfs -P pc -C failed"; exit 1; }
BOOT_UNTIL='boot stopped' BOOT_CPU=qemu64 BOOT_MEM=160M boot_run live-pc-noext4 "$w/noext4.img" \
	"live.media=LABEL=$L live.cow=LABEL=$C" \
	-M pc -cdrom "$w/live.iso" -drive "file=$w/cow.img,format=raw,if=virtio"
live_expect "a persistence device whose driver did not load: the filesystem is named" \
	"$LOGS/boot-live-pc-noext4.serial" \
	"^initbox: persistence device LABEL=$C: /dev/vda holds ext4, but the ext4 driver did not load"
live_expect "findmedia names the missing driver" "$LOGS/boot-live-pc-noext4.serial" \
	"^findmedia: mount /dev/vda on /run/initbox/persist: the ext4 driver did not load"
live_done
