# live_seed.sh - scenario 1, the seed case: a labelled ext4 medium holding
# live/rootfs.squashfs, 128 MiB of RAM, the initramfs made by
# scripts/mkinitramfs. The live root comes up as an overlay, the mounts
# /init made under /run/initbox are visible in it, and the initramfs is
# freed entirely.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/live.sh"
boot_need live_seed
boot_kernel || { echo "FAIL: live_seed: cannot fetch the test kernel"; exit 1; }
w=$BOOT_WORK/live_seed
rm -rf "$w" && mkdir -p "$w/medium/live"
live_rootfs "$w/rootfs" && live_squashfs "$w/rootfs" "$w/medium/live/rootfs.squashfs" &&
	live_ext4 "$w/medium.img" INITBOX_LIVE 16 "$w/medium" ||
	{ echo "FAIL: live_seed: cannot build the medium"; exit 1; }
live_initramfs "$w/initrd.img" > "$w/mkinitramfs.out" ||
	{ echo "FAIL: live_seed: mkinitramfs failed: $(tail -n 3 "$w/mkinitramfs.out")"; exit 1; }
cat "$w/mkinitramfs.out"
log=$LOGS/boot-live-seed.serial
BOOT_MEM=128M live_boot live-seed \
	"a live root from LABEL=INITBOX_LIVE comes up in 128 MiB with /run/initbox mounts visible and the initramfs freed" \
	"$w/initrd.img" "live.media=LABEL=INITBOX_LIVE livecheck=live,medium,freed" \
	-drive "file=$w/medium.img,format=raw,if=virtio"
live_expect "switch_root reports what it freed" "$log" '^switch_root: freed [0-9.]+ [KMG]iB'
live_expect "nothing pins the initramfs after the switch" "$log" '^switch_root: freed .*; nothing pinned'
live_refute "no kernel panic" "$log" 'Kernel panic'
# findmedia opened no disk before the kernel let it be opened (which runs
# the kernel's block-major autoload, a usermode modprobe, and says so)
live_refute "no block device autoload on the way" "$log" 'block device autoloading'
hm=$(kmod_hash_module)
if [ -n "$hm" ]; then
	live_expect "the signatures' hash module ($hm) loaded first" "$log" "^LIVE: modules: .*$hm \$"
else
	live_expect "the kernel has its signatures' hash built in: no hash module loaded" "$log" '^LIVE: modules: '
	live_refute "no sha256 module in /proc/modules" "$log" '^LIVE: modules: .*sha256'
fi
grep -E '^LIVE: (Mem|Shmem|init started|initramfs)' "$log"
live_done
