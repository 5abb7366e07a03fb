# live_mklive.sh - scripts/mklive's ISO booted by the firmware, no -kernel:
# SeaBIOS from an IDE CD-ROM and from a USB stick on xhci (the ISO's bytes
# as a disk, as dd writes them), OVMF from the same two. Each picks the
# menu's default entry, which boots the busybox test root on Debian's
# generic kernel (-P pc), verified (mklive -V), to BOOT-RESULT: PASS. Also: two runs with the
# same SOURCE_DATE_EPOCH give the same bytes, mklive's refusals, and the
# Debian systemd root (scripts/lib/live_debian.sh) from mklive's ISO on
# SeaBIOS at 128 MiB, its check unit's checks passing.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/live.sh"
. "$TOP/scripts/lib/debroot.sh"
. "$TOP/scripts/lib/live_debian.sh"
boot_need live_mklive
# What it tests (the ISO's layout, GRUB on SeaBIOS and OVMF, CD and USB,
# reproducible bytes) does not change with the kernel, and it is the
# slowest boot test (146 s on 6.12): one kernel. live_hw boots each
# suite's generic kernel from a CD.
if [ "$KERNEL" != bookworm ]; then
	echo "SKIP: live_mklive: Debian 12's generic kernel only: the ISO, GRUB and firmware paths do not change with the kernel (KERNEL=$KERNEL)"
	exit 0
fi
boot_kernel generic || { echo "FAIL: live_mklive: cannot fetch the generic kernel"; exit 1; }
w=$BOOT_WORK/live_mklive
rm -rf "$w" && mkdir -p "$w"
label=INITBOX_MKLIVE vcheck=
mk() { # OUT ROOT [mklive args]: the test build (serial console)
	o=$1 r=$2
	shift 2
	SOURCE_DATE_EPOCH=1700000000 sh "$TOP/scripts/mklive" -o "$o" -L "$label" \
		-k "$VMLINUZ" -b "$KROOT" -s -a "panic=-1 livecheck=live,medium$vcheck" "$@" "$r"
}

# --- refusals: each a clear message and exit 1 (2 for usage) --------------
refuses() { # NAME REGEX EXIT COMMAND...
	n=$1 re=$2 want=$3
	shift 3
	"$@" > "$w/refuse.out" 2>&1
	rc=$?
	if [ $rc -eq "$want" ] && grep -qE "$re" "$w/refuse.out"; then
		echo "PASS: mklive refuses $n"
	else
		echo "FAIL: mklive refuses $n: exit $rc, said: $(head -n 2 "$w/refuse.out")"
		LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
	fi
}
mkdir -p "$w/noinit/bin" "$w/nomods/lib/modules"
refuses "a ROOT without /sbin/init" "noinit has no /sbin/init" 1 mk "$w/x.iso" "$w/noinit"
live_rootfs "$w/rootfs" || { echo "FAIL: live_mklive: cannot build the test root"; exit 1; }
kre=$(echo "$KVER" | sed 's/[.+]/\\&/g') # 6.12.118+deb13-amd64 as a regex
refuses "a kernel with no matching modules" "no modules for kernel $kre: .*nomods/lib/modules/$kre is missing" 1 \
	mk "$w/x.iso" "$w/rootfs" -b "$w/nomods"
refuses "a label longer than ISO 9660 allows" "is 33 characters: ISO 9660 allows 32" 1 \
	mk "$w/x.iso" "$w/rootfs" -L ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456
refuses "a label with a blank" "only A-Z a-z 0-9 _ . - are allowed" 1 \
	mk "$w/x.iso" "$w/rootfs" -L "MY LIVE"
# a PATH with every tool of the machine but xorriso
mkdir -p "$w/path"
for f in /usr/local/bin/* /usr/bin/* /usr/sbin/* /bin/* /sbin/*; do
	[ "${f##*/}" = xorriso ] || [ -e "$w/path/${f##*/}" ] || ln -s "$f" "$w/path/"
done
refuses "a missing tool, naming its package" "xorriso not found \(apt-get install xorriso\)" 1 \
	env PATH="$w/path" sh "$TOP/scripts/mklive" -o "$w/x.iso" -k "$VMLINUZ" -b "$KROOT" "$w/rootfs"
[ ! -e "$w/x.iso" ] && echo "PASS: mklive writes nothing when it refuses" ||
	{ echo "FAIL: mklive writes nothing when it refuses: $w/x.iso exists"; LIVE_FAILS=$((${LIVE_FAILS:-0} + 1)); }

# --- the image, twice --------------------------------------------------------
# -V: the four firmware boots are of a verified image (its lower layer
# /dev/mapper/live-root, every file read through it); reproducible too
vcheck=,verity
mk "$w/live.iso" "$w/rootfs" -V > "$w/mklive.out" 2>&1 ||
	{ echo "FAIL: live_mklive: mklive failed: $(tail -n 3 "$w/mklive.out")"; exit 1; }
echo "    $(cat "$w/mklive.out")"
# the same inputs made again from scratch, a second later
sleep 1
live_rootfs "$w/rootfs" && mk "$w/again.iso" "$w/rootfs" -V > /dev/null 2>&1 ||
	{ echo "FAIL: live_mklive: the second mklive run failed"; exit 1; }
if cmp -s "$w/live.iso" "$w/again.iso"; then
	echo "PASS: two mklive runs with the same SOURCE_DATE_EPOCH give the same ISO bytes ($(stat -c %s "$w/live.iso") B)"
else
	echo "FAIL: two mklive runs with the same SOURCE_DATE_EPOCH differ: $(cmp "$w/live.iso" "$w/again.iso" | head -n 1)"
	LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
fi
rm -f "$w/again.iso"
vcheck=
# A stick is written with dd: the same bytes as a disk; a copy, as the
# boots write nothing but must not share the file with the CD boots.
cp "$w/live.iso" "$w/stick.img"

# --- the four boots --------------------------------------------------------------
# The menu's three entries on the serial console, then the default one's
# boot; the medium /init found is the CD drive (sr) or the stick (sd).
firmware_boot() { # NAME FIRMWARE MEM WHAT DEVICE-REGEX QEMU...
	n=$1 fw=$2 mem=$3 what=$4 dev=$5
	shift 5
	log=$LOGS/boot-$n.serial
	BOOT_MEM=$mem BOOT_TIMEOUT=${BOOT_TIMEOUT:-300} boot_firmware "$n" "$fw" "$@"
	boot_report "$n" "$what"
	grep -q '^BOOT-RESULT: PASS' "$log" || LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
	live_expect "$n: the menu has the live.toram entry" "$log" "copied to RAM \(live\.toram\)"
	live_expect "$n: the menu has the rescue entry" "$log" \
		"Rescue shell before the medium is searched \(break=premount\)"
	live_expect "$n: the default entry carries live.media=LABEL=$label" "$log" \
		"Command line: BOOT_IMAGE=/live/vmlinuz live\.media=LABEL=$label "
	live_expect "$n: /init found the medium on $dev" "$log" \
		"^initbox: medium /dev/$dev[0-9]* holds /live/rootfs.squashfs"
	echo "    $n: ${BOOT_SECONDS} s in qemu (TCG)"
}
usb="-device qemu-xhci,id=xhci -drive if=none,id=stick,format=raw,file=$w/stick.img -device usb-storage,bus=xhci.0,drive=stick,bootindex=0"
firmware_boot mklive-bios-cd bios 128M "SeaBIOS boots the ISO from an IDE CD-ROM (128 MiB)" 'sr' \
	-cdrom "$w/live.iso"
# shellcheck disable=SC2086
firmware_boot mklive-bios-usb bios 128M "SeaBIOS boots the ISO written to a USB stick on xhci (128 MiB)" 'sd[a-z]' $usb
# GRUB 2.06's EFI linux loader runs out of memory loading Debian's kernel
# at 256 MiB (docs/live-boot.md): the UEFI boots get 512 MiB.
firmware_boot mklive-uefi-cd uefi 512M "OVMF boots the ISO from an IDE CD-ROM (512 MiB)" 'sr' \
	-cdrom "$w/live.iso"
# shellcheck disable=SC2086
firmware_boot mklive-uefi-usb uefi 512M "OVMF boots the ISO written to a USB stick on xhci (512 MiB)" 'sd[a-z]' $usb

# --- a real distribution: Debian 12 with systemd, from the ISO ----------------
# The check unit powers off once multi-user.target is reached, with
# BOOT-RESULT: PASS when its checks (no failed unit, /run moved, the
# /run/initbox mounts, Shmem) passed. lz4: the squashfs is made in seconds.
if live_debian_rootfs "$w/debian" &&
	mk "$w/debian.iso" "$w/debian" -c lz4 > "$w/mklive-debian.out" 2>&1; then
	echo "    $(cat "$w/mklive-debian.out")"
	BOOT_TIMEOUT=600 firmware_boot mklive-bios-debian bios 128M \
		"SeaBIOS boots the Debian systemd root from mklive's ISO on an IDE CD-ROM (128 MiB)" 'sr' \
		-cdrom "$w/debian.iso"
	grep '^LIVE: \(boot finished\|MemAvailable\|analyze\)' "$LOGS/boot-mklive-bios-debian.serial" |
		sed 's/^/    /'
else
	echo "FAIL: live_mklive: cannot build the Debian root's ISO: $(tail -n 3 "$w/mklive-debian.out" 2>/dev/null)"
	LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
fi
rm -rf "$w/debian"
live_done
