# verity.sh - the verity applet against the kernel's dm-verity, in qemu:
# images made by cryptsetup's veritysetup (tree appended, tree in a file
# of its own), mapped by initbox without libdevmapper; corruption named,
# by the kernel and once a range by "verity watch", which ends with the
# mapping;
# bad input refused with one line and nothing left mapped (no dm device,
# no node, no loop device); the eager check of a 100 MiB image, good and
# with one flipped byte, with its rate.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
boot_need verity
boot_kernel || { echo "FAIL: verity: cannot fetch the test kernel"; exit 1; }
for c in veritysetup mksquashfs; do
	command -v $c > /dev/null || { echo "FAIL: verity: needs $c (scripts/deps.sh test-tools)"; exit 1; }
done
w=$BOOT_WORK/verity
r=$w/root d=$w/disk
rm -rf "$w" && mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/mnt" "$d" "$w/src" || exit 1
cp "$(command -v busybox)" "$r/bin/busybox" && ln -s busybox "$r/bin/sh" &&
	cp "$INITBOX" "$r/bin/initbox" || exit 1
boot_modules "$r" virtio_pci virtio_blk squashfs loop dm-verity ||
	{ echo "FAIL: verity: the module subset"; exit 1; }

sq() { mksquashfs "$1" "$2" -noappend -quiet -no-progress -no-xattrs -noI -noD -noF -noX > /dev/null; }
# fmt IMG [HASH]: the tree appended to IMG (or into HASH); prints the root
fmt() {
	if [ $# = 1 ]; then
		s=$(stat -c %s "$1")
		veritysetup format --hash-offset="$s" --data-blocks=$((s / 4096)) "$1" "$1"
	else
		veritysetup format "$1" "$2"
	fi | sed -n 's/^Root hash:[[:space:]]*//p'
}
flip() { # FILE OFFSET: one byte of FILE inverted
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((255 - b)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
le32() { # FILE OFFSET VALUE
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($3 & 255)) $(($3 >> 8 & 255)) $(($3 >> 16 & 255)) $(($3 >> 24 & 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# The small images, on a squashfs disk of their own (files: loop devices)
head -c 3145728 /dev/urandom > "$w/src/payload" && echo hello > "$w/src/small" || exit 1
sq "$w/src" "$d/good.sfs" && cp "$d/good.sfs" "$d/plain.sfs" && cp "$d/good.sfs" "$d/sep.sfs" || exit 1
(cd "$d" && sha256sum plain.sfs > plain.sfs.sha256) || exit 1
size=$(stat -c %s "$d/good.sfs")
root=$(fmt "$d/good.sfs") && sep=$(fmt "$d/sep.sfs" "$d/sep.hash") || exit 1
[ ${#root} = 64 ] && [ ${#sep} = 64 ] || { echo "FAIL: verity: veritysetup format gave no root hash"; exit 1; }
cp "$d/good.sfs" "$d/bad.sfs" && flip "$d/bad.sfs" 1048676 || exit 1
cp "$d/plain.sfs" "$d/plain-bad.sfs" && flip "$d/plain-bad.sfs" 1048676 || exit 1
cp "$d/good.sfs" "$d/trunc.sfs" && truncate -s $((size + 4096)) "$d/trunc.sfs" || exit 1
# 64 KiB data blocks: the superblock parses, a 4 KiB-page kernel refuses
cp "$d/good.sfs" "$d/bigblk.sfs" && le32 "$d/bigblk.sfs" $((size + 64)) 65536 &&
	le32 "$d/bigblk.sfs" $((size + 72)) 1 || exit 1
wrong=$(echo "$root" | tr 0-9a-f 1-9a-f0)
sq "$d" "$w/small.disk" || exit 1

# 100 MiB, raw disks of their own (block devices, no loop)
head -c 104857600 /dev/urandom > "$w/src/big" || exit 1
mkdir -p "$w/bigsrc" && mv "$w/src/big" "$w/bigsrc/" && sq "$w/bigsrc" "$w/big.disk" || exit 1
bigsize=$(stat -c %s "$w/big.disk")
bigroot=$(fmt "$w/big.disk") || exit 1
cp "$w/big.disk" "$w/bigbad.disk" && flip "$w/bigbad.disk" 52428900 || exit 1
rm -rf "$w/bigsrc" "$w/src"

cat > "$r/init" <<EOT
#!/bin/sh
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t devtmpfs devtmpfs /dev
busybox mount -t tmpfs tmpfs /tmp
fails=0
ok() { echo "CHECK PASS: \$1"; }
no() { echo "CHECK FAIL: \$1: \$2"; fails=\$((fails + 1)); }
V=/bin/initbox
# nothing mapped and no loop device bound
clean() { [ -z "\$(busybox ls /sys/block | busybox grep '^dm-')" ] &&
	[ -z "\$(busybox ls /dev/mapper | busybox grep -v '^control\$')" ] &&
	[ -z "\$(busybox cat /sys/block/loop*/loop/backing_file 2>/dev/null)" ]; }
# refuse WHAT REGEX CMD...: fails with one line matching REGEX, leaves nothing
refuse() {
	what=\$1 re=\$2; shift 2
	"\$@" > /tmp/out 2>&1; rc=\$?
	n=\$(busybox wc -l < /tmp/out)
	if [ \$rc = 1 ] && busybox grep -qE "\$re" /tmp/out && [ "\$n" -le 2 ] && clean; then
		ok "\$what: \$(busybox head -n1 /tmp/out)"
	else no "\$what" "rc \$rc, \$(busybox tr '\n' '|' < /tmp/out)"; clean || echo "LEFT: \$(busybox ls /sys/block /dev/mapper)"; fi
}
$V modprobe -a virtio_pci virtio_blk squashfs loop dm-verity || no modprobe "rc \$?"
i=0; while [ ! -b /dev/vdc ] && [ \$i -lt 50 ]; do busybox sleep 0.1; i=\$((i + 1)); done
busybox mount -t squashfs -o ro /dev/vda /mnt || no "mount the image disk" "rc \$?"
M=/mnt

# 1. appended tree, found after the squashfs; reads verify; status; close
if \$V verity open \$M/good.sfs good \$M/good.sfs $root && [ -b /dev/mapper/good ] &&
	busybox mkdir -p /tmp/g && busybox mount -t squashfs -o ro /dev/mapper/good /tmp/g &&
	[ "\$(busybox cat /tmp/g/small)" = hello ] && busybox cat /tmp/g/payload > /dev/null; then
	ok "open: tree appended by veritysetup, offset from the squashfs; files read"
else no "open good.sfs" "rc \$?"; fi
st=\$(\$V verity status good); rc=\$?
[ \$rc = 0 ] && [ "\$st" = "good: verified" ] && ok "status: \$st" || no status "rc \$rc: \$st"
\$V verity close good > /tmp/out 2>&1; rc=\$?
[ \$rc = 1 ] && busybox grep -q "in use" /tmp/out && [ -b /dev/mapper/good ] &&
	ok "close while mounted: \$(busybox cat /tmp/out)" || no "close while mounted" "rc \$rc: \$(busybox cat /tmp/out)"
busybox umount /tmp/g
if \$V verity close good && clean; then ok "close: mapping, node and loop device gone"
else no close "rc \$?"; busybox ls /dev/mapper /sys/block; fi

# 2. tree in a file of its own
if \$V verity open \$M/sep.sfs sep \$M/sep.hash $sep && busybox mount -t squashfs -o ro /dev/mapper/sep /tmp/g &&
	[ "\$(busybox cat /tmp/g/small)" = hello ] && busybox umount /tmp/g && \$V verity close sep && clean; then
	ok "open: tree in a separate file"
else no "open sep.sfs with sep.hash" "rc \$?"; fi

# 3. one flipped byte: the mount works, the file fails with EIO, named once
busybox dmesg -c > /dev/null
if \$V verity open \$M/bad.sfs bad \$M/bad.sfs $root && \$V verity watch bad > /tmp/watch 2>&1 &&
	busybox mount -t squashfs -o ro /dev/mapper/bad /tmp/g; then
	if busybox cat /tmp/g/payload > /dev/null 2> /tmp/err; then no "corrupted block" "read without error"
	elif busybox grep -q 'Input/output error' /tmp/err; then ok "a flipped byte: the file fails with EIO (\$(busybox cat /tmp/err))"
	else no "corrupted block" "\$(busybox cat /tmp/err)"; fi
	k=\$(busybox dmesg | busybox grep -c 'verity: .*: data block 256 is corrupted')
	[ "\$k" -ge 1 ] && ok "the kernel names data block 256 (\$k line)" || no "kernel names the block" "\$(busybox dmesg | busybox tail -n 5)"
	st=\$(\$V verity status bad); rc=\$?
	[ \$rc = 1 ] && [ "\$st" = "bad: corrupted blocks seen" ] && ok "status after corruption: \$st" || no "status bad" "rc \$rc: \$st"
	# the watcher: the kernel's uevents, one line for the range (it
	# speaks after 200 ms without a new bad block)
	busybox sleep 1
	n=\$(busybox grep -c '' /tmp/watch)
	if [ "\$n" = 1 ] && busybox grep -q '^verity: bad: data blocks 256 to 256 (bytes 1048576 to 1052671 of the image) are corrupted' /tmp/watch; then
		ok "the watcher names blocks 256 to 256 once (the kernel: \$k line(s))"
	else no "watcher" "\$n line(s): \$(busybox cat /tmp/watch)"; fi
	busybox umount /tmp/g; \$V verity close bad
	busybox sleep 0.5
	if busybox pgrep -f 'verity watch bad' > /dev/null; then no "watcher ends" "still running after close"
	else ok "the watcher ends when the mapping is removed"; fi
else no "open bad.sfs" "rc \$?"; fi
clean || no "bad.sfs closed" "left mapped"

# 4. bad input: one line, nothing left
refuse "a wrong root hash" "does not verify" \$V verity open \$M/good.sfs x \$M/good.sfs $wrong
refuse "a root hash of the wrong length" "not 64 hex digits" \$V verity open \$M/good.sfs x \$M/good.sfs ${root%?}
refuse "a root hash not hex" "not hexadecimal" \$V verity open \$M/good.sfs x \$M/good.sfs ${root%?}g
refuse "a tree cut short" "truncated image" \$V verity open \$M/trunc.sfs x \$M/trunc.sfs $root
refuse "an image without its tree" "no hash tree at $size" \$V verity open \$M/plain.sfs x \$M/plain.sfs $root
refuse "a tree offset past the end" "no hash tree at 99999744" \$V verity open --hash-offset=99999744 \$M/good.sfs x \$M/good.sfs $root
refuse "a superblock that is no superblock" "no \"verity\" signature" \$V verity open --hash-offset=0 \$M/good.sfs x \$M/good.sfs $root
refuse "a table the kernel refuses" "refused the table" \$V verity open \$M/bigblk.sfs x \$M/bigblk.sfs $root
refuse "a mapping name with a slash" "bad mapping name" \$V verity open \$M/good.sfs a/b \$M/good.sfs $root
\$V verity open \$M/good.sfs dup \$M/good.sfs $root
\$V verity open \$M/sep.sfs dup \$M/sep.hash $sep > /tmp/out 2>&1; rc=\$?
[ \$rc = 1 ] && busybox grep -q "exists" /tmp/out && [ "\$(busybox ls /sys/block | busybox grep -c '^dm-')" = 1 ] &&
	[ "\$(busybox cat /sys/block/loop*/loop/backing_file | busybox wc -l)" = 1 ] &&
	ok "a name already mapped: \$(busybox cat /tmp/out)" || no "a name already mapped" "rc \$rc: \$(busybox cat /tmp/out)"
\$V verity close dup
clean || no "after the refusals" "left mapped"

# 5. the eager check: sha256 beside a plain image, verity over 100 MiB
\$V verity check --sha256=\$M/plain.sfs.sha256 \$M/plain.sfs 2> /tmp/out && busybox grep -q 'sha256 matches' /tmp/out &&
	ok "check --sha256, good image: \$(busybox tr '\r\n' '||' < /tmp/out)" || no "check plain" "\$(busybox cat /tmp/out)"
refuse "check --sha256, one byte flipped" "the image is damaged" \$V verity check --sha256=\$M/plain.sfs.sha256 \$M/plain-bad.sfs
for v in vdb:big:0 vdc:bigbad:1; do
	dev=\${v%%:*} n=\${v#*:}; want=\${n#*:} n=\${n%:*}
	\$V verity open /dev/\$dev \$n /dev/\$dev $bigroot || { no "open \$n" "rc \$?"; continue; }
	\$V verity check /dev/mapper/\$n 2> /tmp/out; rc=\$?
	busybox tr '\r' '\n' < /tmp/out | busybox grep -v '^ *\$' | busybox tail -n 3 | busybox sed "s/^/CHECK-\$n: /"
	if [ \$want = 0 ] && [ \$rc = 0 ] && busybox grep -q 'MiB read in .* MB/s' /tmp/out; then
		ok "check of 100 MiB through verity, good: \$(busybox grep -o '100 MiB read in.*' /tmp/out)"
	elif [ \$want = 1 ] && [ \$rc = 1 ] && busybox grep -q 'bytes 52428800 to 52432895 do not read' /tmp/out &&
		busybox grep -q 'rewrite the medium' /tmp/out; then
		ok "check of 100 MiB with one flipped byte names bytes 52428800-52432895"
	else no "check \$n" "rc \$rc: \$(busybox tr '\r\n' '||' < /tmp/out)"; fi
	\$V verity close \$n
done
clean || no "after the checks" "left mapped"

if [ \$fails = 0 ]; then echo "BOOT-RESULT: PASS"
else echo "BOOT-RESULT: FAIL: \$fails checks failed"; fi
busybox poweroff -f
EOT
chmod +x "$r/init"
boot_cpio "$r" "$w/initrd.img" || { echo "FAIL: verity: cpio"; exit 1; }
BOOT_TIMEOUT=240 boot_run verity "$w/initrd.img" "quiet" \
	-drive file="$w/small.disk",format=raw,if=virtio,readonly=on \
	-drive file="$w/big.disk",format=raw,if=virtio,readonly=on \
	-drive file="$w/bigbad.disk",format=raw,if=virtio,readonly=on
log=$LOGS/boot-verity.serial
grep -a '^CHECK-' "$log"
grep -a '^CHECK \(PASS\|FAIL\): ' "$log" | sed 's/^CHECK //'
n=$(grep -ac '^CHECK PASS: ' "$log")
[ "$n" -ge 21 ] || echo "FAIL: verity: expected 21 checks to pass, saw $n"
boot_report verity "dm-verity mapped by initbox: reads verify, corruption named, bad input leaves nothing"
rm -f "$w/big.disk" "$w/bigbad.disk" "$w/small.disk"
