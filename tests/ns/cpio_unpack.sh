# cpio_unpack.sh - cpio-unpack: listing, segment table, interop with GNU
# cpio and bsdcpio, malformed input, and the malicious-archive suite
# (nothing written outside the target, checked with a sentinel tree).
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
need cpio bsdcpio gzip xz zstd bzip2 lz4 sha256sum
ns_tmp
B=$INITBOX
A=$T/arc
mkdir -p "$A"

manifest() { # DIR: what a user compares, directory mtimes aside
	(cd "$1" && find . -mindepth 1 -printf '%P %y %m %U:%G %s %n %l\n' |
		LC_ALL=C sort && find . -mindepth 1 ! -type d ! -type l -printf '%P %T@\n' |
		LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}
same_tree() { # DIR1 DIR2
	manifest "$1" > "$A/m1"
	manifest "$2" > "$A/m2"
	diff "$A/m1" "$A/m2" > "$A/mdiff" && return 0
	head -n 6 "$A/mdiff" >&2
	return 1
}

S=$T/src
mkdir -p "$S/bin" "$S/etc" "$S/dev"
printf 'hello\n' > "$S/etc/motd"
head -c 100000 /dev/urandom > "$S/bin/big"
printf 'x' > "$S/bin/a"
ln "$S/bin/a" "$S/bin/b"
ln -s ../etc/motd "$S/bin/l"
mknod "$S/dev/null" c 1 3
mkfifo "$S/dev/fifo"
chmod 4711 "$S/bin/big"
chown 5:6 "$S/etc/motd"
find "$S" -exec touch -h -d '2010-01-01' {} +

(cd "$S" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$A/gnu.cpio"
(cd "$S" && find . | LC_ALL=C sort | bsdcpio -o --format newc --quiet 2>/dev/null) > "$A/bsd.cpio"
mkdir "$A/ref"
(cd "$A/ref" && cpio -idm --quiet < "$A/gnu.cpio")
for f in gnu bsd; do
	rm -rf "$T/x" && mkdir "$T/x"
	if "$B" cpio-unpack -C "$T/x" "$A/$f.cpio" 2> "$A/why" &&
	   same_tree "$A/ref" "$T/x" 2>> "$A/why"; then
		pass "a $f-made archive unpacks to the tree GNU cpio makes"
	else
		fail "a $f-made archive unpacks to the tree GNU cpio makes" "$(tr '\n' ' ' < "$A/why")"
	fi
done

t "reads the archive from stdin, -t lists names in order" sh -c \
	"'$B' cpio-unpack -t < $A/gnu.cpio > $A/names && cpio -it --quiet < $A/gnu.cpio | cmp - $A/names"
t "-tv lists like ls -l: modes, owners, sizes, devices, link targets" sh -c \
	"'$B' cpio-unpack -tv $A/gnu.cpio > $A/long &&
	 grep -q '^-rws--x--x   1 0        0          100000 2010-01-01 00:00 bin/big\$' $A/long &&
	 grep -q '^crw-r--r--   1 0        0          1,   3 ' $A/long &&
	 grep -q ' bin/l -> ../etc/motd\$' $A/long && grep -q '^-rw-r--r--   1 5        6   ' $A/long"

mkdir "$T/esc"
printf 'x' > "$T/esc/$(printf 'red\033[31mALERT\007')"
t "control characters in listed names are escaped" sh -c \
	"'$B' cpio-pack $T/esc | '$B' cpio-unpack -t > $A/esc.lst && grep -q '^red\\\\033\\[31mALERT\\\\007\$' $A/esc.lst &&
	 ! grep -q \"\$(printf '\033')\" $A/esc.lst"

# A three-codec image: uncompressed, then gzip, xz, zstd (xz as the kernel
# wants it), with NUL padding between.
(cat "$A/gnu.cpio"; gzip -n < "$A/bsd.cpio"; printf '\0\0\0'; xz --check=crc32 < "$A/gnu.cpio"; zstd -q < "$A/gnu.cpio") > "$A/multi.img"
g=$(stat -c %s "$A/gnu.cpio") b=$(stat -c %s "$A/bsd.cpio") n=$(cpio -it --quiet < "$A/gnu.cpio" | wc -l)
t "-e prints one line per segment with codec, sizes and entry count" sh -c \
	"'$B' cpio-unpack -e $A/multi.img > $A/seg && [ \$(wc -l < $A/seg) = 5 ] &&
	 awk 'NR>1 { print \$2, \$4, \$5 }' $A/seg | tr '\n' ' ' | grep -qx 'none $g $n gzip $b $n xz $g $n zstd $g $n '"
rm -rf "$T/x" && mkdir "$T/x"
t "concatenated uncompressed, gzip, xz and zstd segments all extract" sh -c \
	"'$B' cpio-unpack -C $T/x $A/multi.img"
same_tree "$A/ref" "$T/x" 2>"$A/why" && pass "the concatenated image gives the same tree" ||
	fail "the concatenated image gives the same tree" "$(tr '\n' ' ' < "$A/why")"
xz --format=lzma < "$A/gnu.cpio" > "$A/legacy.lzma"
t "legacy lzma (lzma_alone) is read" sh -c "'$B' cpio-unpack -t $A/legacy.lzma | grep -qx etc/motd"

# Malformed input: exit 1 and one line naming the byte offset.
bad() { # NAME FILE PATTERN
	rm -rf "$T/x" && mkdir "$T/x"
	"$B" cpio-unpack -C "$T/x" "$2" 2> "$A/err"
	rc=$?
	if [ $rc = 1 ] && [ "$(wc -l < "$A/err")" = 1 ] && grep -q "$3" "$A/err"; then
		pass "$1"
	else
		fail "$1" "exit $rc: $(cat "$A/err" | tr '\n' ' ')"
	fi
}
cp "$A/gnu.cpio" "$A/hex.cpio"
printf '0x1234' | dd of="$A/hex.cpio" bs=1 seek=$((112 + 22)) conv=notrunc 2>/dev/null
bad "bad hex in a header is a damaged header at its offset" "$A/hex.cpio" "offset 112: damaged header"
head -c 300 "$A/gnu.cpio" > "$A/trunc.cpio"
bad "a truncated archive is an error" "$A/trunc.cpio" "offset 300: truncated archive"
(cat "$A/gnu.cpio"; zstd -q < "$A/gnu.cpio"; printf 'garbage') > "$A/junk.img"
bad "junk after a compressed segment is refused with its offset" "$A/junk.img" \
	"offset $(( $(stat -c %s "$A/junk.img") - 7 )): invalid magic at start of compressed archive"
head -c $(( $(stat -c %s "$A/multi.img") - 5 )) "$A/multi.img" > "$A/tz.img"
bad "a truncated compressed stream is an error" "$A/tz.img" "zstd"
(cd "$S" && find . | LC_ALL=C sort | cpio -o -H crc --quiet) > "$A/crc.cpio"
t "crc (070702) archives are verified and extracted" sh -c "rm -rf $T/x && mkdir $T/x && '$B' cpio-unpack -C $T/x $A/crc.cpio"
off=$(grep -abo hello "$A/crc.cpio" | head -n 1 | cut -d: -f1)
printf 'J' | dd of="$A/crc.cpio" bs=1 seek="$off" conv=notrunc 2>/dev/null
bad "a checksum mismatch is an error" "$A/crc.cpio" "bad data checksum"
(cd "$S" && find . | cpio -o -H odc --quiet) > "$A/odc.cpio"
bad "odc archives get the kernel's message" "$A/odc.cpio" "offset 0: incorrect cpio method used: use -H newc option"
(cat "$A/gnu.cpio"; bzip2 < "$A/gnu.cpio") > "$A/bz.img"
bad "bzip2 is recognised and refused by name" "$A/bz.img" "unsupported compression: bzip2"
lz4 -q -l < "$A/gnu.cpio" > "$A/lz.img"
bad "lz4 (legacy) is recognised and refused by name" "$A/lz.img" "offset 0: unsupported compression: lz4"
xz --check=crc64 < "$A/gnu.cpio" > "$A/crc64.xz"
# The sanitizer layer's glibc build links Debian's liblzma, which verifies
# CRC64; only the musl builds carry the CRC32-only one (scripts/deps.sh).
if [ "${INITBOX_LAYER:-}" = asan ]; then
	skip "an xz stream with a CRC64 check is refused" "Debian's liblzma in the sanitizer build verifies CRC64"
else
	bad "an xz stream with a CRC64 check is refused, as the kernel refuses it" "$A/crc64.xz" \
		"offset 12: xz: integrity check not supported"
fi
# A wrong CRC32 (the block's check field, the 4 bytes before the index
# that the footer's backward size locates): the initramfs profile checks
# it with zlib's CRC code (lib/archive/codec_xz.c), the host profile with liblzma's.
xz --check=crc32 < "$A/gnu.cpio" > "$A/badcrc.xz"
e=$(stat -c %s "$A/badcrc.xz")
bsz=$(od -An -tu4 -j $((e - 8)) -N4 "$A/badcrc.xz" | tr -d ' ')
ci=$((e - 12 - (bsz + 1) * 4 - 4))
v=$(od -An -tu1 -j "$ci" -N1 "$A/badcrc.xz" | tr -d ' ')
printf "\\$(printf %o $((v ^ 64)))" | dd of="$A/badcrc.xz" bs=1 seek="$ci" conv=notrunc 2>/dev/null
bad "an xz stream whose CRC32 does not match is an error" "$A/badcrc.xz" "xz: xz/lzma data is corrupt"
(cat "$A/gnu.cpio"; printf '\0'; gzip < "$A/gnu.cpio") > "$A/pad.img"
bad "after an uncompressed archive a misaligned segment is broken padding, as in the kernel" \
	"$A/pad.img" "broken padding"

# namesize 0: the kernel skips the entry and goes on; so does cpio-unpack,
# with a line naming the offset and exit 1. The first entry, ".", has
# namesize 2, which pads like namesize 0: only it is skipped.
hdr=0
cp "$A/gnu.cpio" "$A/ns0.cpio"
printf '00000000' | dd of="$A/ns0.cpio" bs=1 seek=94 conv=notrunc 2>/dev/null
rm -rf "$T/x" && mkdir "$T/x"
"$B" cpio-unpack -C "$T/x" "$A/ns0.cpio" 2> "$A/err"
rc=$?
if [ $rc = 1 ] && grep -q "offset $hdr: name size 0 or above PATH_MAX: entry skipped" "$A/err" &&
   [ -f "$T/x/etc/motd" ] && [ -c "$T/x/dev/null" ]; then
	pass "namesize 0: skipped as the kernel does, reported with its offset, exit 1"
else
	fail "namesize 0: skipped as the kernel does, reported with its offset, exit 1" \
		"exit $rc: $(tr '\n' ' ' < "$A/err")"
fi

# Constant memory: peak RSS does not grow with the data.
truncate -s 1M "$T/big1" && truncate -s 200M "$T/big2"
printf 'file big %s 644 0 0\n' "$T/big1" > "$A/l1"
printf 'file big %s 644 0 0\n' "$T/big2" > "$A/l2"
"$B" cpio-pack -s "$A/l1" > "$A/s1.cpio" && "$B" cpio-pack -s "$A/l2" > "$A/s2.cpio"
rss() { rm -rf "$T/x" && mkdir "$T/x" && /usr/bin/time -f %M "$B" cpio-unpack -C "$T/x" "$1" 2>&1 >/dev/null | tail -n 1; }
r1=$(rss "$A/s1.cpio"); r2=$(rss "$A/s2.cpio")
rm -f "$T/big1" "$T/big2" "$A/s1.cpio" "$A/s2.cpio"
if [ -n "$r1" ] && [ "$r2" -lt $((r1 + 1024)) ]; then
	pass "memory stays constant: 1 MiB file ${r1} KiB, 200 MiB file ${r2} KiB peak RSS"
else
	fail "memory stays constant" "1 MiB: ${r1} KiB, 200 MiB: ${r2} KiB"
fi

# --- malicious archives --------------------------------------------------
# The target is $T/box/target; $T/box/outside and everything else under
# $T (but the scratch directory) is the sentinel tree.
O=$T/box/outside
mkdir -p "$O/dir" "$T/box/target"
printf 'original\n' > "$O/victim"
chmod 0640 "$O/victim"
sentinel() {
	(cd "$T" && find . -path ./box/target -prune -o -path ./arc -prune -o \
		-printf '%p %y %m %s %n %T@ %l\n' | LC_ALL=C sort &&
	 find box/outside -type f -exec sha256sum {} +) | sha256sum
	ls / | grep -c '^pwn' || true
}
printf 'PWNED\n' > "$A/payload"
evil() { # NAME LIST-LINES... (after the last: the check inside target)
	name=$1
	shift
	rm -rf "$T/box/target" && mkdir "$T/box/target"
	: > "$A/evil.list"
	for l in "$@"; do printf '%s\n' "$l" >> "$A/evil.list"; done
	"$B" cpio-pack -s "$A/evil.list" -o "$A/evil.cpio" || { fail "$name" "cpio-pack failed"; return; }
	before=$(sentinel)
	"$B" cpio-unpack -C "$T/box/target" "$A/evil.cpio" 2> "$A/err"
	after=$(sentinel)
	if [ "$before" = "$after" ] && ! grep -rq PWNED "$O"; then
		pass "$name: nothing outside the target changes"
	else
		fail "$name" "the sentinel tree changed"
	fi
}
P=$A/payload
evil "traversal with .. and absolute names" \
	"file ../outside/victim $P 644 0 0" "file ../../pwn1 $P 644 0 0" \
	"file /pwn2 $P 644 0 0" "dir a 755 0 0" "file a/../../pwn3 $P 644 0 0"
t "traversal: the entries land inside, as the kernel resolves them in rootfs" sh -c \
	"[ -f $T/box/target/pwn1 ] && [ -f $T/box/target/pwn2 ] && [ -f $T/box/target/pwn3 ]"
evil "symlink then write through it (absolute target)" \
	"slink l $O 777 0 0" "file l/victim $P 644 0 0" "file l/pwn-new $P 644 0 0" "dir l/dir/sub 755 0 0"
evil "symlink then write through it (relative ../.. target and a chain)" \
	"slink r ../outside 777 0 0" "slink c1 c2 777 0 0" "slink c2 ../../box/outside 777 0 0" \
	"file r/victim $P 644 0 0" "file c1/victim $P 644 0 0" "nod c1/pwn-dev 600 0 0 c 1 3"
evil "a symlink as last component is replaced, not followed" \
	"slink f $O/victim 777 0 0" "file f $P 600 0 0" "slink d $O/dir 777 0 0" "dir d 700 0 0"
t "the symlinks were replaced by a file and a directory of their own" sh -c \
	"[ -f $T/box/target/f ] && [ ! -L $T/box/target/f ] && [ -d $T/box/target/d ] && [ ! -L $T/box/target/d ] &&
	 [ \$(stat -c %a $O/dir) = 755 ] && [ \$(stat -c %a $O/victim) = 640 ]"
evil "hardlinks cannot reach files outside" \
	"file ../outside/victim $P 644 0 0 hl1" "slink o $O 777 0 0" "file o/victim $P 644 0 0 hl2"
t "hardlink names whose first name could not be created are files of their own" sh -c \
	"[ \$(stat -c %h $O/victim) = 1 ] && [ \"\$(cat $T/box/target/hl1)\" = PWNED ]"

# A hardlink group whose first name the archive replaced by a FIFO or a
# device node (issue 13): data only goes into a regular file, so the
# unpack ends instead of waiting for a reader, and opens no node. The
# names are the fuzzing campaign's reproducers.
R=$TOP/tests/fuzz/regress/cpio_extract
hl_swapped() { # NAME ARCHIVE PATTERN NAME-NOT-CREATED
	rm -rf "$T/x" && mkdir "$T/x"
	timeout -k 5 20 "$B" cpio-unpack -C "$T/x" "$2" 2> "$A/err"
	rc=$?
	if [ $rc = 1 ] && grep -q "$3" "$A/err" && [ ! -e "$T/x/$4" ]; then
		pass "$1"
	else
		fail "$1" "exit $rc: $(ls "$T/x" | tr '\n' ' ')$(tr '\n' ' ' < "$A/err")"
	fi
}
hl_swapped "a hardlink to a first name now holding a FIFO is refused, the unpack ends" \
	"$R/cpio-hang-fifo-hardlink.cpio" \
	"offset 232: link h2: its first name no longer holds the same type of file" h2
hl_swapped "a hardlink to a first name now holding a device node is refused, nothing opened" \
	"$R/cpio-open-devnode-hardlink.cpio" \
	"offset 224: link g: its first name no longer holds the same type of file" g
gzip -n < "$R/cpio-hang-fifo-hardlink.cpio" > "$A/hlfifo.gz"
hl_swapped "in a compressed segment the refused entry's offset is in its data" \
	"$A/hlfifo.gz" "offset 232 of the gzip data at 0: link h2: its first name" h2

# A hardlink whose first name's parent was a symlink, since replaced by
# one to a directory holding an existing file (issue 19, finding 1): the
# later name must not link to that file, which may be hardlinked from
# outside the target; it becomes a new file with the data, as with GNU
# cpio. Both applets that extract.
hl_retarget() { # NAME COMMAND...
	name=$1
	shift
	rm -rf "$T/box/target" && mkdir -p "$T/box/target/etc" "$T/box/target/a"
	ln "$O/victim" "$T/box/target/etc/hl2"
	before=$(sentinel)
	"$@" < "$R/cpio-hardlink-swap.cpio" 2> "$A/err"
	rc=$?
	if [ $rc = 0 ] && [ "$before" = "$(sentinel)" ] && grep -q original "$O/victim" &&
	   [ "$(stat -c %a "$O/victim")" = 640 ] && [ "$(cat "$T/box/target/z")" = PWNED ] &&
	   [ "$(stat -c %a:%h "$T/box/target/z")" = 4755:1 ]; then
		pass "$name"
	else
		fail "$name" "exit $rc, victim $(stat -c %a "$O/victim") $(cat "$O/victim"): $(tr '\n' ' ' < "$A/err")"
	fi
}
hl_retarget "cpio-unpack: a hardlink never reaches a file that was in the target" \
	"$B" cpio-unpack -C "$T/box/target"
hl_retarget "cpio -i -d: a hardlink never reaches a file that was in the target" \
	"$B" cpio -i -d --quiet -D "$T/box/target"
rm -rf "$T/box/target" && mkdir -p "$T/box/target/etc" "$T/box/target/a"
ln "$O/victim" "$T/box/target/etc/hl2"
(cd "$T/box/target" && cpio -i -d --quiet < "$R/cpio-hardlink-swap.cpio" 2>/dev/null)
t "GNU cpio agrees: the victim is untouched, z a file of its own" sh -c \
	"grep -q original $O/victim && [ \"\$(cat $T/box/target/z)\" = PWNED ]"

# Planted by an earlier segment: an uncompressed archive with the
# symlink, then a compressed one writing through it.
rm -rf "$T/box/target" && mkdir "$T/box/target"
printf 'slink l %s 777 0 0\nslink rel ../outside 777 0 0\n' "$O" > "$A/seg1.list"
printf 'file l/victim %s 644 0 0\nfile rel/victim %s 644 0 0\ndir l/pwn-dir 755 0 0\n' "$P" "$P" > "$A/seg2.list"
"$B" cpio-pack -s "$A/seg1.list" > "$A/cross.img"
"$B" cpio-pack -s "$A/seg2.list" | gzip >> "$A/cross.img"
before=$(sentinel)
"$B" cpio-unpack -C "$T/box/target" "$A/cross.img" 2>/dev/null
if [ "$before" = "$(sentinel)" ] && ! grep -rq PWNED "$O"; then
	pass "a symlink planted by an earlier segment: nothing outside the target changes"
else
	fail "a symlink planted by an earlier segment" "the sentinel tree changed"
fi

# An existing symlink in the target, and a target that is a symlink.
rm -rf "$T/box/target" && mkdir "$T/box/target"
ln -s "$O/victim" "$T/box/target/pre"
printf 'file pre %s 644 0 0\n' "$P" > "$A/pre.list"
"$B" cpio-pack -s "$A/pre.list" > "$A/pre.cpio"
before=$(sentinel)
"$B" cpio-unpack -C "$T/box/target" "$A/pre.cpio"
t "a symlink already in the target is replaced, its target untouched" sh -c \
	"[ '$before' = '$(sentinel)' ] && [ ! -L $T/box/target/pre ] && grep -q PWNED $T/box/target/pre && grep -q original $O/victim"
ln -s "$O" "$A/link-target"
t "a target directory that is a symlink is refused" sh -c \
	"! '$B' cpio-unpack -C $A/link-target $A/pre.cpio 2> $A/err && grep -q 'open the target' $A/err && grep -q original $O/victim"

ns_done
