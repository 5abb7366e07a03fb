# mount.sh - mount and umount: probed types on real images (Debian's
# mksquashfs, mkfs.erofs, mkfs.ext4), every option form as seen in
# /proc/self/mountinfo, bind/move/remount/propagation, -o loop, and bad
# input that must leave no mount and no loop device behind.
#
# Loop devices are global: cleanup detaches only devices whose backing
# inode is a file under this test's $T (see losetup.sh).
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
need mksquashfs mkfs.erofs mkfs.ext4 truncate losetup dd
ns_tmp

L="$INITBOX losetup"
M="$INITBOX mount"
U="$INITBOX umount"
detach_mine() {
	find "$T" -type f | while read -r f; do
		{ losetup -j "$f"; $L -j "$f"; } 2>/dev/null | cut -d: -f1 |
		sort -u | while read -r d; do losetup -d "$d"; done
	done
	ns_cleanup
}
trap detach_mine EXIT

# The last mountinfo line for DIR, its per-mount and superblock options.
mi() { awk -v d="$1" '$5 == d { l = $0 } END { print l }' /proc/self/mountinfo; }
fstype() { mi "$1" | sed 's/.* - \([^ ]*\) .*/\1/'; }
vfsopt() { mi "$1" | awk '{ print $6 }' | tr , '\n' | grep -qx "$2"; }
superopt() { mi "$1" | sed 's/.* - [^ ]* [^ ]* //' | tr , '\n' | grep -qx "$2"; }
mounted() { [ -n "$(mi "$1")" ]; }
# Loop devices backed by FILE (none: exit 1).
loops_of() { $L -j "$1"; }

mkdir "$T/src" "$T/m"
echo hello > "$T/src/hello"
mksquashfs "$T/src" "$T/sq.img" -quiet -noappend >/dev/null
mkfs.erofs -q "$T/er.img" "$T/src" >/dev/null 2>&1 || mkfs.erofs "$T/er.img" "$T/src" >/dev/null
truncate -s 8M "$T/e4.img"
mkfs.ext4 -q -d "$T/src" "$T/e4.img"
# The ext4 image 1 MiB into a file: -o loop,offset=
head -c 1048576 /dev/urandom > "$T/off.img"
cat "$T/e4.img" >> "$T/off.img"
cp "$T/e4.img" "$T/e4b.img"

# --- probed types ---------------------------------------------------------
for fs in sq:squashfs er:erofs e4:ext4; do
	img=${fs%%:*} type=${fs#*:}
	mkdir "$T/m/$img"
	t "no -t: a $type image is probed and mounted" eval \
		"$M '$T/$img.img' '$T/m/$img' && [ \"\$(cat '$T/m/$img/hello')\" = hello ] &&
		 grep -q ' $T/m/$img .* - $type /dev/loop' /proc/self/mountinfo"
done
t "-t auto probes as well" eval \
	"mkdir $T/m/auto && $M -t auto '$T/e4b.img' $T/m/auto && grep -q ' $T/m/auto .* - ext4 ' /proc/self/mountinfo"
LD=$(mi "$T/m/sq" | awk '{ print $(NF - 1) }')
t "the loop device of a mounted image is autoclear" eval \
	"[ \"\$(cat /sys/block/${LD#/dev/}/loop/autoclear)\" = 1 ]"
t "umount of a loop mount frees its device" eval \
	"$U '$T/m/sq' && ! mounted '$T/m/sq' && ! loops_of '$T/sq.img'"
$U "$T/m/er" "$T/m/e4" "$T/m/auto"

t "-o loop,offset= mounts an image inside a file" eval \
	"$M -o loop,offset=1M,ro '$T/off.img' $T/m/e4 && [ \"\$(cat $T/m/e4/hello)\" = hello ] &&
	 d=\$(mi $T/m/e4 | awk '{ print \$(NF - 1) }') &&
	 [ \"\$(cat /sys/block/\${d#/dev/}/loop/offset)\" = 1048576 ] && vfsopt $T/m/e4 ro"
$U "$T/m/e4"
t "-o loop=DEV uses that device" eval \
	"N=\$((210 + \$\$ % 40)); [ -z \"\$(cat /sys/block/loop\$N/loop/backing_file 2>/dev/null)\" ] &&
	 $M -o loop=/dev/loop\$N '$T/e4.img' $T/m/e4 && mi $T/m/e4 | grep -q \" /dev/loop\$N \" &&
	 $U $T/m/e4"

mkdir "$T/rodir"
cp "$T/e4.img" "$T/rodir/e4r.img"
mount --bind "$T/rodir" "$T/rodir" && mount -o remount,bind,ro "$T/rodir"
t "an image on a read-only mount is mounted read-only, with a warning" eval \
	"$M '$T/rodir/e4r.img' $T/m/e4 2> $T/err && vfsopt $T/m/e4 ro &&
	 grep -q 'e4r.img: write-protected, mounted read-only' $T/err && $U $T/m/e4"

# --- option forms (tmpfs) ------------------------------------------------
k=0
for case in "ro:vfs:ro" "nosuid:vfs:nosuid" "nodev:vfs:nodev" \
	"noexec:vfs:noexec" "noatime:vfs:noatime" "nodiratime:vfs:nodiratime" \
	"relatime:vfs:relatime" "nosymfollow:vfs:nosymfollow" \
	"sync:super:sync" "dirsync:super:dirsync" "lazytime:super:lazytime" \
	"size=1m:super:size=1024k" "mode=0700:super:mode=700"; do
	o=${case%%:*} rest=${case#*:} where=${rest%%:*} want=${rest#*:}
	k=$((k + 1))
	mkdir "$T/o$k"
	t "-o $o shows as $want in mountinfo" eval \
		"$M -t tmpfs -o $o tmpfs $T/o$k && ${where}opt $T/o$k '$want'"
done
t "-o strictatime leaves neither relatime nor noatime" eval \
	"mkdir $T/st && $M -t tmpfs -o noatime,strictatime tmpfs $T/st &&
	 mounted $T/st && ! vfsopt $T/st relatime && ! vfsopt $T/st noatime"
t "-r mounts read-only, -w read-write" eval \
	"mkdir $T/r $T/w && $M -r -t tmpfs tmpfs $T/r && vfsopt $T/r ro &&
	 $M -w -t tmpfs tmpfs $T/w && vfsopt $T/w rw"
t "x-* and fstab-only options are not passed to the filesystem" eval \
	"mkdir $T/x && $M -t tmpfs -o defaults,noauto,nofail,x-initrd.mount,X-mount.mkdir,size=2m tmpfs $T/x &&
	 superopt $T/x size=2048k"
t "options may follow the operands" eval \
	"mkdir $T/late && $M -t tmpfs tmpfs $T/late -o nodev && vfsopt $T/late nodev"

# --- bind, move, remount, propagation --------------------------------------
mkdir "$T/a" "$T/b" "$T/c" "$T/d"
$M -t tmpfs -o nosuid tmpfs "$T/a"
echo x > "$T/a/file"
mkdir "$T/a/sub"
$M -t tmpfs tmpfs "$T/a/sub"
t "--bind shows the same files elsewhere" eval \
	"$M --bind $T/a $T/b && [ \"\$(cat $T/b/file)\" = x ] && ! mounted $T/b/sub"
t "--bind -o ro gives a read-only bind, source still writable" eval \
	"$M --bind -o ro $T/a $T/c && vfsopt $T/c ro && vfsopt $T/c nosuid &&
	 ! touch $T/c/new 2>/dev/null && touch $T/a/new"
t "--rbind takes the submounts along" eval \
	"$M --rbind $T/a $T/d && mounted $T/d/sub"
t "-o remount,ro makes a mount read-only and keeps its other flags" eval \
	"$M -o remount,ro $T/a && vfsopt $T/a ro && vfsopt $T/a nosuid && ! touch $T/a/y 2>/dev/null"
t "-o remount,rw makes it writable again" eval \
	"$M -o remount,rw $T/a && vfsopt $T/a rw && touch $T/a/y"
t "-o remount,size= changes a tmpfs option" eval \
	"$M -o remount,size=3m $T/a && superopt $T/a size=3072k"
mkdir "$T/mv1" "$T/mv2"
$M -t tmpfs tmpfs "$T/mv1"
echo moved > "$T/mv1/f"
t "--move moves a mount" eval \
	"$M --move $T/mv1 $T/mv2 && ! mounted $T/mv1 && [ \"\$(cat $T/mv2/f)\" = moved ]"
t "--make-shared and --make-private change propagation" eval \
	"$M --make-shared $T/mv2 && mi $T/mv2 | grep -q ' shared:' &&
	 $M --make-private $T/mv2 && ! mi $T/mv2 | grep -q ' shared:'"
t "--make-rprivate applies to submounts" eval \
	"$M --make-rshared $T/a && mi $T/a/sub | grep -q ' shared:' &&
	 $M --make-rprivate $T/a && ! mi $T/a/sub | grep -q ' shared:'"
t "mount alone lists mounts as util-linux does" eval \
	"$M | grep -x 'tmpfs on $T/mv2 type tmpfs (rw,relatime)' &&
	 [ \"\$($M | grep ' $T/mv2 ')\" = \"\$(mount | grep ' $T/mv2 ')\" ]"
t "mount -t TYPE lists only that type" eval \
	"$M -t tmpfs | grep -q ' $T/mv2 ' && ! $M -t tmpfs | grep -v ' type tmpfs '"

# --- umount ------------------------------------------------------------------
t "umount -d detaches a losetup-made device" eval \
	"D=\$($L -f --show '$T/e4b.img') && $M \$D $T/m/e4 && $U -d $T/m/e4 &&
	 ! mounted $T/m/e4 && ! loops_of '$T/e4b.img'"
t "umount DEV unmounts where DEV is mounted" eval \
	"$M '$T/e4b.img' $T/m/e4 && D=\$(mi $T/m/e4 | awk '{ print \$(NF - 1) }') &&
	 $U \$D && ! mounted $T/m/e4"
t "umount of what is not mounted exits 1 with one line" eval \
	"! $U $T/m/e4 2> $T/err && [ \$(wc -l < $T/err) = 1 ] && grep -q 'm/e4: not mounted' $T/err"
mkdir "$T/busy"
$M -t tmpfs tmpfs "$T/busy"
(cd "$T/busy" && exec sleep 3) &
sleep 0.3
t "umount of a busy mount fails and says so; -l detaches it" eval \
	"! $U $T/busy 2> $T/err && grep -q 'busy' $T/err && $U -l $T/busy && ! mounted $T/busy"

# --- bad input: one line, exit 1, nothing left behind ----------------------
# A corrupt superblock, a truncated image, a wrong type, an unknown type.
head -c 2097152 /dev/urandom > "$T/src/noise"
mksquashfs "$T/src" "$T/big.img" -quiet -noappend -noI -noD -noF >/dev/null
head -c $(($(stat -c %s "$T/big.img") / 2)) "$T/big.img" > "$T/trunc.img"
cp "$T/e4.img" "$T/corrupt.img"
# ext4's magic 0xEF53 lives at byte 1080.
printf '\0\0' | dd of="$T/corrupt.img" bs=1 seek=1080 conv=notrunc 2>/dev/null
cp "$T/e4.img" "$T/wrong.img"
mkdir "$T/bad"
mountinfo_before=$(cat /proc/self/mountinfo)
bad() { # NAME EXPECTED-MESSAGE IMAGE [MOUNT-OPTION...]
	name=$1 msg=$2 img=$3
	shift 3
	t "$name: one line, exit 1, no mount or loop left" eval \
		"$M $* '$T/$img' $T/bad 2> $T/err; rc=\$?
		 [ \$rc = 1 ] && [ \$(wc -l < $T/err) = 1 ] &&
		 grep -q \"$msg\" $T/err && ! loops_of '$T/$img' &&
		 [ \"\$(cat /proc/self/mountinfo)\" = \"\$mountinfo_before\" ] || { cat $T/err; false; }"
}
bad "a corrupt superblock" "corrupt.img: no filesystem recognised" corrupt.img
bad "a truncated squashfs" "bad superblock, option or type 'squashfs'" trunc.img
bad "a wrong -t" "bad superblock, option or type 'squashfs'" wrong.img -t squashfs
bad "an unknown type" "wrong.img: unknown filesystem type 'nosuchfs' (load the nosuchfs module)" wrong.img -t nosuchfs
bad "a missing image" "nope.img: No such file or directory" nope.img
t "a missing mount point: one line, exit 1, no loop left" eval \
	"! $M '$T/e4.img' $T/nodir 2> $T/err && [ \$(wc -l < $T/err) = 1 ] &&
	 grep -q 'mount point $T/nodir: No such file' $T/err && ! loops_of '$T/e4.img'"
t "a bad offset is a usage error naming the option" eval \
	"$M -o loop,offset=1X '$T/e4.img' $T/bad 2> $T/err; [ \$? = 2 ] && grep -q \"offset=1X\" $T/err"
t "a bad filesystem option: one line, exit 1" eval \
	"! $M -t tmpfs -o size=lots tmpfs $T/bad 2> $T/err && [ \$(wc -l < $T/err) = 1 ] && ! mounted $T/bad"

ns_done
