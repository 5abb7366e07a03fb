# findmedia.sh - findmedia's superblock probing against util-linux blkid,
# and finding media by tag, by a file on them, with waiting and timeouts.
#
# Images are made by Debian's own tools; loop devices are global, so every
# label and UUID is random per run (another test's device never matches)
# and only the devices made here are detached.
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
need blkid losetup mksquashfs mkfs.erofs mkfs.ext4 mkfs.vfat xorriso \
	mkfs.btrfs mkfs.xfs mkudffs genisoimage
ns_tmp
I=$T/img
mkdir -p "$I" "$T/d" "$T/mnt" "$T/run"
# findmedia's private look-in directories go under /run/initbox
mount -t tmpfs tmpfs /run
echo data > "$T/d/file"
rnd() { od -An -N4 -tx1 /dev/urandom | tr -d ' \n'; }
R=$(rnd)
RU=$(echo "$R" | tr a-f A-F)
uuid() { cat /proc/sys/kernel/random/uuid; }
mkdir -p "$T/bin" && ln -s "$INITBOX" "$T/bin/findmedia"
PATH=$T/bin:$PATH
fm() { findmedia "$@"; }

mk() { # NAME CMD...   (the image is $I/NAME)
	n=$1
	shift
	"$@" > "$T/mk.log" 2>&1 || fail "make the $n image" "$(tail -n 2 "$T/mk.log" | tr '\n' ' ')"
}
sz() { truncate -s "$2" "$I/$1"; }

sz ext4 16M; mk ext4 mkfs.ext4 -q -F -L "e4$R" -U "$(uuid)" "$I/ext4"
sz ext4nocsum 16M; mk ext4nocsum mkfs.ext4 -q -F -O ^metadata_csum -L "n4$R" "$I/ext4nocsum"
sz ext3 16M; mk ext3 mkfs.ext3 -q -F -L "e3$R" "$I/ext3"
sz ext2 16M; mk ext2 mkfs.ext2 -q -F "$I/ext2"
sz fat12 2M; mk fat12 mkfs.vfat -F 12 -n "A$RU" "$I/fat12"
sz fat16 32M; mk fat16 mkfs.vfat -F 16 -n "B$RU" "$I/fat16"
sz fat32 64M; mk fat32 mkfs.vfat -F 32 -n "C $RU" "$I/fat32"
sz fatnolabel 2M; mk fatnolabel mkfs.vfat "$I/fatnolabel"
mk squashfs mksquashfs "$T/d" "$I/squashfs" -noappend -quiet
mk erofs mkfs.erofs --quiet -U "$(uuid)" "$I/erofs" "$T/d"
mk iso xorriso -as mkisofs -quiet -V "ISO_$RU" -o "$I/iso" "$T/d"
mk isojoliet xorriso -as mkisofs -quiet -J -V "Joliet label $R" -o "$I/isojoliet" "$T/d"
# system identifier LCDROM: "CDROM" where High Sierra has its magic, still
# ISO 9660 with a label and a UUID (issue 19, finding 3)
mk isosysid genisoimage -quiet -sysid LCDROM -V "SYS_$RU" -o "$I/isosysid" "$T/d"
mk isosysidx xorriso -as mkisofs -quiet -sysid LCDROM -V "SYX_$RU" -o "$I/isosysidx" "$T/d"
sz btrfs 128M; mk btrfs mkfs.btrfs -q -f -L "bt $R" -U "$(uuid)" "$I/btrfs"
sz xfs 320M; mk xfs mkfs.xfs -q -f -L "xf$R" "$I/xfs"
# UDF, with a UTF-8 label (blkid shows its bytes as M- escapes), and a UDF
# disc with an ISO 9660 bridge, which blkid reports as udf
sz udf 8M; mk udf mkudffs --label="Ud é $R" "$I/udf"
mk udfbridge genisoimage -quiet -udf -J -V "Bridge $R" -o "$I/udfbridge" "$T/d"
# A FAT label byte that is no UTF-8 (0xE5, cp850's a-ring): mkfs.vfat will
# not write it, so it is patched into the root directory's label entry.
LAT=$(printf 'A\345B')$RU
sz fatlatin 2M; mk fatlatin mkfs.vfat -n "AXB$RU" "$I/fatlatin"
for o in $(grep -abo "AXB$RU" "$I/fatlatin" | cut -d: -f1); do
	printf '\345' | dd of="$I/fatlatin" bs=1 seek=$((o + 1)) conv=notrunc 2>/dev/null
done

# TYPE, LABEL and UUID lines, in blkid's export format (escapes included)
tags() { grep -E '^(TYPE|LABEL|UUID)=' | sort | tr '\n' ' '; }
for n in ext4 ext4nocsum ext3 ext2 fat12 fat16 fat32 fatnolabel squashfs \
	erofs iso isojoliet isosysid isosysidx btrfs xfs udf udfbridge fatlatin; do
	want=$(blkid -p -o export "$I/$n" | tags)
	got=$(fm -p "$I/$n" 2>&1 | tags)
	case $want in
	*TYPE=*) ;;
	*) fail "$n: probe equals blkid -p" "blkid itself found nothing"; continue ;;
	esac
	if [ "$want" = "$got" ]; then
		pass "$n: TYPE/LABEL/UUID equal blkid -p ($want)"
	else
		fail "$n: TYPE/LABEL/UUID equal blkid -p" "blkid [$want] findmedia [$got]"
	fi
done

# The blkid fuzz seeds and regression inputs (tests/fuzz/corpus/blkid,
# regress/blkid): where blkid -p identifies one, findmedia agrees. Two
# seeds cut right after their superblock, which blkid -p does not identify
# while findmedia, reading only the superblock, does (docs/findmedia.md).
CUT=" btrfs.img squashfs.img "
for f in "$TOP"/tests/fuzz/corpus/blkid/* "$TOP"/tests/fuzz/regress/blkid/*; do
	n=fuzz-seed/${f##*/}
	want=$(blkid -p -o export "$f" | tags)
	got=$(fm -p "$f" 2>&1 | tags)
	case "$want|$CUT" in
	*TYPE=*) ;;
	*" ${f##*/} "*)
		case $got in
		*TYPE=*) pass "$n: cut after its superblock: findmedia finds it, blkid -p not ($got)" ;;
		*) fail "$n: the cut seed is found" "findmedia [$got]" ;;
		esac
		continue ;;
	esac
	if [ "$want" = "$got" ]; then
		pass "$n: TYPE/LABEL/UUID equal blkid -p (${want:-none})"
	else
		fail "$n: TYPE/LABEL/UUID equal blkid -p" "blkid [$want] findmedia [$got]"
	fi
done

t "LABEL= matches a label that is no UTF-8 by its raw bytes" sh -c \
	"[ \"\$(findmedia -d '$I/fat16' -d '$I/fatlatin' 'LABEL=$LAT')\" = '$I/fatlatin' ]"
t "LABEL= in udev's by-label form (\\xe5) matches it too" sh -c \
	"[ \"\$(findmedia -d '$I/fat16' -d '$I/fatlatin' 'LABEL=A\\xe5B$RU')\" = '$I/fatlatin' ] &&
	 [ \"\$(findmedia -d '$I/fatlatin' '/dev/disk/by-label/A\\xe5B$RU')\" = '$I/fatlatin' ]"
t "LABEL= matches a UTF-8 UDF label" sh -c \
	"[ \"\$(findmedia -d '$I/iso' -d '$I/udf' 'LABEL=Ud é $R')\" = '$I/udf' ]"
t "a UDF disc with an ISO 9660 bridge is udf by its UDF label, not iso9660" sh -c \
	"[ \"\$(findmedia -d '$I/iso' -d '$I/udfbridge' TYPE=udf)\" = '$I/udfbridge' ] &&
	 [ \"\$(findmedia -d '$I/udfbridge' 'LABEL=Bridge $R')\" = '$I/udfbridge' ] &&
	 ! findmedia -d '$I/udfbridge' TYPE=iso9660"

# --- bad input ---------------------------------------------------------------
cp "$I/fat16" "$I/badfat"
# a FAT boot sector whose sector size (0x0B) is 768: blkid rejects it too
printf '\000\003' | dd of="$I/badfat" bs=1 seek=11 conv=notrunc 2>/dev/null
t "a corrupt FAT boot sector is no filesystem, as for blkid" sh -c \
	"[ -z \"\$(blkid -p -o value -s TYPE '$I/badfat')\" ] &&
	 { findmedia -p '$I/badfat' > $T/out 2> $T/err; [ \$? = 1 ]; } &&
	 grep -q 'no known filesystem' $T/err && [ ! -s $T/out ]"
# One label byte changed: the metadata_csum checksum fails. The kernel
# refuses to mount it; util-linux >= 2.39 rejects it, 2.38 still reports
# it. findmedia rejects it, so that a search goes on to a mountable one.
cp "$I/ext4" "$I/corrupt"
printf 'X' | dd of="$I/corrupt" bs=1 seek=1144 conv=notrunc 2>/dev/null
t "an ext4 superblock with a bad checksum is no filesystem" sh -c \
	"{ findmedia -p '$I/corrupt' > $T/out 2> $T/err; [ \$? = 1 ]; } &&
	 grep -q 'no known filesystem' $T/err && [ ! -s $T/out ]"
head -c 33000 "$I/iso" > "$I/short"
t "a truncated image (short read) is no filesystem" sh -c \
	"findmedia -p '$I/short' 2> $T/err; [ \$? = 1 ] && grep -q 'no known filesystem' $T/err"
head -c 100 "$I/ext4" > "$I/tiny"
t "a 100-byte file is no filesystem" sh -c \
	"findmedia -p '$I/tiny' 2> $T/err; [ \$? = 1 ] && grep -q 'no known filesystem' $T/err"
t "a wrong SPEC is a usage error with one clear line" sh -c \
	"findmedia NAME=x 2> $T/err; [ \$? = 2 ] && grep -q \"bad SPEC 'NAME=x'\" $T/err"
t "file= needs an absolute path" sh -c "findmedia file=rel 2>/dev/null; [ \$? = 2 ]"

# --- finding among images given with -d --------------------------------------
t "TYPE= picks the squashfs among other images" sh -c \
	"[ \"\$(findmedia -d '$I/ext4' -d '$I/fat16' -d '$I/squashfs' TYPE=squashfs)\" = '$I/squashfs' ]"
t "UUID= matches case-insensitively (vfat serials are upper case)" sh -c \
	"u=\$(blkid -p -o value -s UUID '$I/ext4' | tr a-f A-F) &&
	 [ \"\$(findmedia -d '$I/fat16' -d '$I/ext4' UUID=\$u)\" = '$I/ext4' ]"
LONG=$T/a-directory-whose-name-is-longer-than-any-dev-name
mkdir -p "$LONG" && ln "$I/ext4" "$LONG/ext4.img"
t "-d takes an image path longer than a /dev name (-l and LABEL=)" sh -c \
	"[ \"\$(findmedia -d '$LONG/ext4.img' LABEL=e4$R)\" = '$LONG/ext4.img' ] &&
	 findmedia -l -d '$LONG/ext4.img' | grep -q '^$LONG/ext4.img: LABEL=\"e4$R\"'"
t "LABEL with a space, quoted as on a command line" sh -c \
	"[ \"\$(findmedia -d '$I/fat16' -d '$I/fat32' 'LABEL=\"C $RU\"')\" = '$I/fat32' ]"

# --- real loop devices, found by scanning /sys/class/block -------------------
attach() { # IMAGE -> prints the device
	d=$(losetup -f --show -r "$1") || return 1
	track_loop "$d"
	echo "$d"
}
L4=$(attach "$I/ext4") && LS=$(attach "$I/btrfs") && LX=$(attach "$I/iso") ||
	fail "attach loop devices" "losetup -f failed"
t "LABEL= finds the ext4 loop device among all block devices" sh -c \
	"[ \"\$(findmedia LABEL=e4$R)\" = '$L4' ]"
t "UUID= finds the iso9660 loop device by its date UUID" sh -c \
	"u=\$(blkid -p -o value -s UUID '$I/iso') &&
	 [ \"\$(findmedia UUID=\$u)\" = '$LX' ]"
t "a device path SPEC prints that device" sh -c "[ \"\$(findmedia '$LS')\" = '$LS' ]"
L4b=$(attach "$I/ext4")
t "one filesystem on two devices is reported once (the first in order)" sh -c \
	"findmedia LABEL=e4$R > $T/out && [ \$(wc -l < $T/out) = 1 ] && grep -qx '$L4' $T/out"
t "-l lists the loop device with blkid's tags" sh -c \
	"findmedia -l | grep -q \"^$L4: LABEL=\\\"e4$R\\\" UUID=\\\"\""

# file=: three squashfs images that differ in one file
for x in a b c; do
	mkdir -p "$T/s$x" && echo "$x" > "$T/s$x/only-$x-$R"
	mksquashfs "$T/s$x" "$I/s$x" -noappend -quiet > /dev/null
done
SA=$(attach "$I/sa"); SB=$(attach "$I/sb"); SC=$(attach "$I/sc")
t "file= finds the device holding the file among three" sh -c \
	"[ \"\$(findmedia -d $SA -d $SB -d $SC file=/only-b-$R)\" = '$SB' ]"
t "file= leaves no mount behind" sh -c \
	"! grep -q findmedia /proc/self/mountinfo && [ -z \"\$(ls /run/initbox)\" ]"
t "file= scanning every device finds it too" sh -c \
	"[ \"\$(findmedia -t 0 file=/only-c-$R)\" = '$SC' ]"
before=$(losetup -a | wc -l)
t "file= on image files attaches loops and leaves none behind" sh -c \
	"[ \"\$(findmedia -d '$I/sa' -d '$I/sc' file=/only-c-$R)\" = '$I/sc' ] &&
	 [ \$(losetup -a | wc -l) = $before ]"
t "-m mounts the medium found, read-only" sh -c \
	"findmedia -m $T/mnt LABEL=e4$R > /dev/null &&
	 awk '\$5 == \"$T/mnt\" { print \$6 }' /proc/self/mountinfo | grep -q '^ro'"
umount "$T/mnt" 2>/dev/null

# --- waiting -----------------------------------------------------------------
s=$(date +%s%N)
fm -t 2 "LABEL=none$R" > "$T/out" 2> "$T/err"
rc=$? e=$(( ($(date +%s%N) - s) / 1000000 ))
if [ $rc = 1 ] && [ $e -ge 1900 ] && [ $e -lt 4000 ] &&
	[ "$(grep -c 'waiting up to 2 s' "$T/err")" = 1 ] &&
	grep -q "no device matches LABEL=none$R (waited 2 s)" "$T/err"; then
	pass "a timeout returns 1 promptly ($e ms for -t 2), saying once it waits"
else
	fail "a timeout returns 1 promptly" "rc $rc after $e ms: $(cat "$T/err")"
fi
t "without -t nothing is awaited" sh -c \
	"s=\$(date +%s); findmedia LABEL=none$R 2>/dev/null; [ \$? = 1 ] && [ \$((\$(date +%s) - s)) -le 1 ]"

sz late 16M; mkfs.ext4 -q -F -L "late$R" "$I/late"
s=$(date +%s%N)
fm -t 20 "LABEL=late$R" > "$T/late.out" 2> "$T/late.err" &
p=$!
sleep 1
LL=$(attach "$I/late")
wait $p
rc=$? e=$(( ($(date +%s%N) - s) / 1000000 ))
if [ $rc = 0 ] && [ "$(cat "$T/late.out")" = "$LL" ] && [ $e -lt 4000 ]; then
	pass "a device attached while waiting is found ($e ms)"
else
	fail "a device attached while waiting is found" "rc $rc after $e ms: $(cat "$T/late.out" "$T/late.err")"
fi

ns_done
