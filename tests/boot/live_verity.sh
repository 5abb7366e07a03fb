# live_verity.sh - a verified live boot: scripts/mklive -V (the hash tree
# appended by veritysetup, the root hash in the initramfs and the menu),
# booted by /init from the ISO on a virtio disk:
#  - the lower layer is /dev/mapper/live-root and all of it reads; with
#    live.check every block is read once first, with its rate;
#  - one byte flipped in a file: the live system comes up, the file fails
#    with EIO, the kernel names the block, and the watcher says the range
#    once on the console, with what to do;
#  - a wrong root hash (live.verity= on the command line): one message
#    naming the image, the rescue shell, no panic;
#  - live.check on the flipped image names the byte range, rescue shell;
#  - live.check without verity compares the sha256 mklive stores;
#  - the initramfs phase with and without verity, side by side (measured,
#    not asserted).
# What it tests is /init's use of the verity applet, which tests/boot/
# verity.sh runs against each kernel's dm-verity: one kernel here.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/live.sh"
boot_need live_verity
if [ "$KERNEL" != bookworm ]; then
	echo "SKIP: live_verity: one kernel (bookworm): /init's verity steps do not change with it; tests/boot/verity.sh covers dm-verity on $KERNEL"
	exit 0
fi
boot_kernel || { echo "FAIL: live_verity: cannot fetch the test kernel"; exit 1; }
for c in veritysetup xorriso; do
	command -v $c > /dev/null || { echo "FAIL: live_verity: needs $c (scripts/deps.sh test-tools)"; exit 1; }
done
w=$BOOT_WORK/live_verity
rm -rf "$w" && mkdir -p "$w"
label=INITBOX_VERITY
live_rootfs "$w/rootfs" || { echo "FAIL: live_verity: cannot build the test root"; exit 1; }
mkdir -p "$w/rootfs/data" && head -c 1048576 /dev/urandom > "$w/rootfs/data/blob" || exit 1
mk() { # OUT [mklive args]
	o=$1
	shift
	SOURCE_DATE_EPOCH=1700000000 sh "$TOP/scripts/mklive" -o "$o" -L "$label" -c lz4 \
		-k "$VMLINUZ" -b "$KROOT" -P virt "$@" "$w/rootfs" > "$o.out" 2>&1 ||
		{ echo "FAIL: live_verity: mklive $*: $(tail -n 3 "$o.out")"; exit 1; }
	echo "    $(cat "$o.out")"
}
mk "$w/verity.iso" -V
mk "$w/plain.iso"
root=$(sed -n 's/.*root hash \([0-9a-f]*\).*/\1/p' "$w/verity.iso.out")
[ ${#root} = 64 ] || { echo "FAIL: live_verity: mklive -V printed no root hash"; exit 1; }
for i in verity plain; do
	xorriso -osirrox on -indev "$w/$i.iso" -extract /live/initrd.img "$w/$i.initrd" \
		-extract /boot/grub/grub.cfg "$w/$i.cfg" > /dev/null 2>&1 ||
		{ echo "FAIL: live_verity: cannot read $i.iso"; exit 1; }
done
grep -q "linux /live/vmlinuz live.media=LABEL=$label live.verity=$root live.check" "$w/verity.cfg" &&
	echo "PASS: the menu carries live.verity= and a live.check entry" ||
	{ echo "FAIL: the menu carries live.verity= and a live.check entry: $(grep linux "$w/verity.cfg" | head -n 3)"; LIVE_FAILS=1; }
# one byte of /data/blob flipped where the ISO holds it (the random blob
# is stored as it is: lz4 cannot shrink it)
cp "$w/verity.iso" "$w/flipped.iso"
pat=$(od -An -tx1 -j 524288 -N 16 "$w/rootfs/data/blob" | sed 's/ /\\x/g')
off=$(LC_ALL=C grep -obUaP "$pat" "$w/flipped.iso" | head -n 1 | cut -d: -f1)
[ -n "$off" ] || { echo "FAIL: live_verity: the blob's bytes are not in the ISO as they are"; exit 1; }
b=$(od -An -tu1 -j "$off" -N1 "$w/flipped.iso" | tr -d ' ')
printf "$(printf '\\%03o' $((255 - b)))" | dd of="$w/flipped.iso" bs=1 seek="$off" conv=notrunc status=none

vboot() { # NAME TEST-NAME ISO INITRD APPEND [QEMU...]
	n=$1 tn=$2 iso=$3 ird=$4 app=$5
	shift 5
	BOOT_MEM=192M live_boot "$n" "$tn" "$ird" "live.media=LABEL=$label $app" \
		-drive "file=$iso,if=virtio,format=raw,readonly=on" "$@"
}
# vfail NAME ISO INITRD APPEND: a boot that must stop in the rescue shell
vfail() {
	BOOT_MEM=192M BOOT_UNTIL='rescue shell on the console' BOOT_TIMEOUT=60 \
		boot_run "$1" "$3" "live.media=LABEL=$label $4" \
		-drive "file=$2,if=virtio,format=raw,readonly=on"
}
log() { echo "$LOGS/boot-$1.serial"; }
ph() { # initramfs phase of a boot: switch time minus /init's start
	sed -n 's/^LIVE: initramfs start \([0-9.]*\) switch \([0-9.]*\).*/\1 \2/p' "$(log "$1")" |
		awk '{ printf "%.2f s (init at %.2f s)", $2 - $1, $1 }'
}

vboot lv-verity "a verified live boot: lower layer /dev/mapper/live-root, every file reads" \
	"$w/verity.iso" "$w/verity.initrd" "livecheck=live,verity"
live_expect "/init maps the image from the initramfs's root hash" "$(log lv-verity)" \
	"^initbox: /live/rootfs.squashfs verified by dm-verity as /dev/mapper/live-root"
vboot lv-plain "the same ISO without -V (the baseline)" \
	"$w/plain.iso" "$w/plain.initrd" "livecheck=live"
echo "    initramfs phase: verity $(ph lv-verity), without $(ph lv-plain)"

# the hand-back takes the verified root apart: the squashfs, the table
# live-root (which holds the image's loop devices), the medium
BOOT_UNTIL='^shutdown: poweroff after|reboot: Power down' vboot lv-handback \
	"a verified live root handed back at poweroff" "$w/verity.iso" "$w/verity.initrd" "livecheck=live,handback"
live_expect "handback: the table live-root is removed" "$(log lv-handback)" '^shutdown: removed the device-mapper table live-root$'
live_expect "handback: the medium is released" "$(log lv-handback)" '^shutdown: /dev/vda released$'
live_refute "handback: nothing is still held" "$(log lv-handback)" '^shutdown: .*(still held|still busy|stays writable)'

vboot lv-check "live.check on a good verity image: every block read, the rate, then the boot" \
	"$w/verity.iso" "$w/verity.initrd" "live.check livecheck=live,verity"
live_expect "live.check says the rate" "$(log lv-check)" "^verity: /dev/mapper/live-check: [0-9]+ MiB read in [0-9.]+ s \([0-9.]+ MB/s\)"
live_expect "live.check says every block verified" "$(log lv-check)" "^initbox: live.check: every block of /live/rootfs.squashfs verified"
grep -a "MiB read in" "$(log lv-check)" | sed 's/^/    /'

vboot lv-flipped "one flipped byte: the live system comes up, the file fails with EIO" \
	"$w/flipped.iso" "$w/verity.initrd" "livecheck=live,verity-eio"
live_expect "the kernel names the corrupted block" "$(log lv-flipped)" "device-mapper: verity: [0-9]+:[0-9]+: data block [0-9]+ is corrupted"
l=$(log lv-flipped)
wre='^verity: live-root: data blocks [0-9]+ to [0-9]+ \(bytes [0-9]+ to [0-9]+ of the image\) are corrupted: files there fail to read; rewrite the medium'
live_expect "the watcher names the corrupted range on the console, with what to do" "$l" "$wre"
kb=$(grep -ac 'device-mapper: verity: .* is corrupted' "$l")
wl=$(grep -acE "$wre" "$l")
if [ "$wl" = 1 ]; then
	echo "PASS: the watcher says it once (the kernel: $kb line(s))"
else
	live_fail "the watcher said $wl line(s) for one flipped byte (the kernel: $kb)"
fi
# the block the kernel names is inside the watcher's range
kblk=$(grep -a 'device-mapper: verity: .* is corrupted' "$l" | head -n 1 | sed 's/.*data block \([0-9]*\).*/\1/')
set -- $(grep -aE "$wre" "$l" | head -n 1 | sed 's/.*data blocks \([0-9]*\) to \([0-9]*\).*/\1 \2/')
if [ -n "$kblk" ] && [ $# = 2 ] && [ "$kblk" -ge "$1" ] && [ "$kblk" -le "$2" ]; then
	echo "PASS: the watcher's range ($1 to $2) holds the kernel's block $kblk"
else
	live_fail "the watcher's range (${1:-?} to ${2:-?}) misses the kernel's block ${kblk:-?}"
fi
live_expect "the watcher pins nothing of the initramfs" "$l" '^switch_root: freed .*; nothing pinned'
grep -aE "$wre" "$l" | sed 's/^/    /'

vfail lv-wrong "$w/verity.iso" "$w/verity.initrd" "live.verity=$(echo "$root" | tr 0-9a-f 1-9a-f0)"
l=$(log lv-wrong)
live_expect "a wrong root hash: verity says the first block does not verify" "$l" \
	"^verity: .*/live/rootfs.squashfs: the first block does not verify: wrong root hash, or a damaged image"
live_expect "a wrong root hash: /init names the image and the key, then the rescue shell" "$l" \
	"^initbox: cannot verify /live/rootfs.squashfs: verity said why above \(live.verity=[0-9a-f]{64}\)"
live_expect "a wrong root hash: the rescue shell" "$l" "rescue shell on the console"
live_refute "a wrong root hash: no kernel panic" "$l" "Kernel panic"

vfail lv-check-bad "$w/flipped.iso" "$w/verity.initrd" "live.check"
l=$(log lv-check-bad)
live_expect "live.check on a flipped byte names the byte range" "$l" "^verity: /dev/mapper/live-check: bytes [0-9]+ to [0-9]+ do not read \(damaged or corrupted\)"
live_expect "live.check on a flipped byte: rewrite the medium, the rescue shell" "$l" \
	"^initbox: the medium check found damage in /live/rootfs.squashfs \(live.check\): rewrite the medium"
live_expect "live.check on a flipped byte: the rescue shell" "$l" "rescue shell on the console"
live_refute "live.check on a flipped byte: no kernel panic" "$l" "Kernel panic"
grep -a "do not read" "$l" | sed 's/^/    /'

vboot lv-check-sha "live.check without verity: the sha256 beside the image" \
	"$w/plain.iso" "$w/plain.initrd" "live.check livecheck=live"
live_expect "live.check without verity: the sha256 matches" "$(log lv-check-sha)" \
	"^verity: .*/live/rootfs.squashfs: sha256 matches .*/live/rootfs.squashfs.sha256"
rm -f "$w"/*.iso
live_done
