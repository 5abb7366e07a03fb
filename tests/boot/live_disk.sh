# live_disk.sh - scenario 4: a normal disk boot, root=UUID= on an ext4
# virtio disk, through the same /init.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/live.sh"
boot_need live_disk
boot_kernel || { echo "FAIL: live_disk: cannot fetch the test kernel"; exit 1; }
w=$BOOT_WORK/live_disk
rm -rf "$w" && mkdir -p "$w"
live_rootfs "$w/rootfs" && echo "the disk root" > "$w/rootfs/etc/disk-root" &&
	live_ext4 "$w/disk.img" INITBOX_ROOT 32 "$w/rootfs" ||
	{ echo "FAIL: live_disk: cannot build the disk"; exit 1; }
uuid=$(blkid -s UUID -o value "$w/disk.img")
[ -n "$uuid" ] || { echo "FAIL: live_disk: no UUID on $w/disk.img"; exit 1; }
# -p sr_mod: loaded at boot though this machine has no CD drive.
live_initramfs "$w/initrd.img" -p sr_mod > /dev/null ||
	{ echo "FAIL: live_disk: mkinitramfs failed"; exit 1; }
log=$LOGS/boot-live-disk.serial
BOOT_MEM=128M live_boot live-disk "root=UUID= boots the ext4 virtio disk as /" \
	"$w/initrd.img" "root=UUID=$uuid rootfstype=ext4 livecheck=disk" \
	-drive "file=$w/disk.img,format=raw,if=virtio"
live_expect "/init mounts the disk read-only by default" "$log" '^initbox: root /dev/vda mounted \(ro\)'
live_expect "a module named by mkinitramfs -p is loaded with no device for it" "$log" '^LIVE: modules: (.* )?sr_mod( |$)'
live_refute "no kernel panic" "$log" 'Kernel panic'
live_done
