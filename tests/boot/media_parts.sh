# media_parts.sh - PARTUUID as the kernel reads partition tables
# (block/partitions/efi.c, msdos.c), on Debian's cloud kernel: the kernel
# makes the partition devices;
# findmedia -p must print, on each partition the kernel made, the PARTUUID
# of the table the kernel read, and the kernel must have made the
# partitions this file expects. Two boots: without
# and with "gpt" on the command line (efi.c's force_gpt). Five disks,
# made by sfdisk and patched:
#   vda  GPT with a protective MBR
#   vdb  a valid GPT under a plain MBR, no 0xEE entry (issue 19, finding 4):
#        the MBR's partitions; with "gpt", the GPT's
#   vdc  GPT whose primary header fails its CRC, backup intact (finding 5):
#        no partitions (efi.c reads the backup only after a good primary,
#        msdos.c leaves a disk with 0xEE alone); with "gpt", the backup's
#   vdd  GPT whose primary entry array fails its CRC (finding 5): as vdc
#   vde  MBR whose primary 1 and logical 5 have type 0 and a size
#        (finding 6): partitions all the same
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
boot_need media_parts
boot_kernel || { echo "FAIL: media_parts: cannot fetch the test kernel"; exit 1; }
command -v sfdisk >/dev/null 2>&1 ||
	{ echo "FAIL: media_parts: needs sfdisk (scripts/deps.sh tools)"; exit 1; }
: "${INITBOX:=$BUILD/initbox}"

w=$BOOT_WORK/media_parts
r=$w/root
rm -rf "$w" && mkdir -p "$w" "$r/bin" "$r/sbin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/run"
cp "$(command -v busybox)" "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
cp "$INITBOX" "$r/bin/initbox"
for a in modprobe findmedia; do ln -s ../bin/initbox "$r/sbin/$a"; done
boot_modules "$r" virtio_pci virtio_blk ||
	{ echo "FAIL: media_parts: the module subset"; exit 1; }

# --- disks -------------------------------------------------------------------
GA1=3c1bd0c0-9d7e-4a0c-8a1a-2b7b5f1e0a01 GA2=4d2ce1d1-9d7e-4a0c-8a1a-2b7b5f1e0a02
gpt() { # IMAGE
	truncate -s 8M "$1" &&
	printf 'label: gpt\nlabel-id: 9a1b2c3d-1111-4222-8333-444455556666\nstart=2048,size=4096,uuid=%s\nstart=6144,size=4096,uuid=%s\n' \
		$GA1 $GA2 | sfdisk -q "$1"
}
poke() { # IMAGE OFFSET OCTAL-BYTE
	printf "\\$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
gpt "$w/vda"
gpt "$w/vdb"
truncate -s 8M "$w/dos"
printf 'label: dos\nlabel-id: 0x1234abcd\nstart=2048,size=4096,type=83\nstart=6144,size=10240,type=c\n' |
	sfdisk -q "$w/dos"
# the MBR's boot code, disk id and entries over the protective MBR
dd if="$w/dos" of="$w/vdb" bs=1 skip=440 seek=440 count=72 conv=notrunc 2>/dev/null
gpt "$w/vdc" && poke "$w/vdc" $((512 + 56)) 252	# disk GUID byte: header CRC fails
gpt "$w/vdd" && poke "$w/vdd" $((1024 + 56)) 132	# entry 1's name: array CRC fails
truncate -s 8M "$w/vde"
printf 'label: dos\nlabel-id: 0x5678cdef\nstart=2048,size=2048,type=83\nstart=6144,size=8192,type=5\nstart=8192,size=2048,type=83\n' |
	sfdisk -q "$w/vde"
poke "$w/vde" $((446 + 4)) 0			# primary 1: type 0
poke "$w/vde" $((6144 * 512 + 446 + 4)) 0	# logical 5 in the EBR at 6144: type 0

# --- /init: each partition with the kernel's PARTUUID and findmedia's -------
cat > "$r/init" <<'EOT'
#!/bin/sh
export PATH=/sbin:/bin
echo
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t devtmpfs devtmpfs /dev
busybox mount -t tmpfs tmpfs /run
/sbin/modprobe -q -C
/sbin/modprobe -q -a virtio_pci virtio_blk
# a disk is announced once its partitions exist
/sbin/findmedia -t 10 /dev/vde > /dev/null
for p in /sys/class/block/vd*; do
	[ -e "$p/partition" ] || continue
	n=${p##*/}
	k=$(busybox sed -n 's/^PARTUUID=//p' "$p/uevent")
	f=$(/sbin/findmedia -p "/dev/$n" 2>/dev/null | busybox sed -n 's/^PARTUUID=//p')
	echo "PART $n ${k:--} ${f:--}"
done
echo "BOOT-RESULT: PASS"
busybox poweroff -f
EOT
chmod +x "$r/init"
boot_cpio "$r" "$w/initrd.img"
disks=
for d in vda vdb vdc vdd vde; do
	disks="$disks -drive file=$w/$d,if=virtio,format=raw"
done

# EXPECTED: "NAME PARTUUID" for every partition the kernel made, the
# PARTUUID findmedia -p prints for it, as the table the kernel read has it
# (sfdisk's GUIDs, the MBR's disk id). Where the kernel's uevent carries a
# PARTUUID (not on 6.1) it must be the same. The extended partition vde2
# has none from the kernel (msdos.c sets none); findmedia gives it
# libblkid's, which udev links.
check() { # NAME APPEND EXPECTED...
	n=$1 append=$2
	shift 2
	# shellcheck disable=SC2086
	boot_run "$n" "$w/initrd.img" "quiet $append" $disks
	log=$LOGS/boot-$n.serial
	got=$(grep -a '^PART ' "$log" | tr -d '\r' | LC_ALL=C sort)
	want=$(printf '%s\n' "$@" | LC_ALL=C sort)
	if [ -n "$got" ] && [ "$(echo "$got" | awk '{ print $2, $4 }')" = "$want" ]; then
		echo "PASS: $n: the kernel's partitions, each with findmedia's PARTUUID as its table has it ($(echo "$want" | tr '\n' ' '))"
	else
		echo "FAIL: $n: partitions and PARTUUIDs: want [$(echo "$want" | tr '\n' ' ')] got [$(echo "$got" | tr '\n' ' ')]"
	fi
	bad=$(echo "$got" | awk '$3 != "-" && $3 != $4')
	if [ -z "$bad" ]; then
		echo "PASS: $n: no PARTUUID differs from the kernel's uevent"
	else
		echo "FAIL: $n: findmedia -p PARTUUID is the kernel's: $bad"
	fi
	boot_report "$n" "$n: the boot ran"
}
check media_parts "" "vda1 $GA1" "vda2 $GA2" "vdb1 1234abcd-01" "vdb2 1234abcd-02" \
	"vde1 5678cdef-01" "vde2 5678cdef-02" "vde5 5678cdef-05"
check media_parts_gpt "gpt" "vda1 $GA1" "vda2 $GA2" "vdb1 $GA1" "vdb2 $GA2" \
	"vdc1 $GA1" "vdc2 $GA2" "vdd1 $GA1" "vdd2 $GA2" \
	"vde1 5678cdef-01" "vde2 5678cdef-02" "vde5 5678cdef-05"
