# cpio_pack.sh - cpio-pack: round trips through cpio-unpack and GNU cpio,
# reproducibility, compression (host profile), lists, prepended segments.
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
need cpio bsdcpio gzip xz zstd sha256sum
ns_tmp
H=${INITBOX_HOST:-}
[ -x "$H" ] || { fail "cpio-pack" "no host-profile binary at INITBOX_HOST (make CONFIG=host)"; exit 1; }

# What a user compares: names, types, modes, owners, sizes, link counts,
# symlink targets, mtimes of everything, contents.
manifest() { # DIR
	(cd "$1" && find . -mindepth 1 -printf '%P %y %m %U:%G %s %n %T@ %l\n' |
		LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}

# The first differences between two trees, for a FAIL line.
same() { # DIR1 DIR2 FUNCTION
	$3 "$1" > "$T/m1"
	$3 "$2" > "$T/m2"
	diff "$T/m1" "$T/m2" | head -5 | tr '\n' ' '
}

# The source tree: every type, set-id bits, hardlinks, old mtimes,
# directories written after their mtime was set.
S=$T/src
mkdir -p "$S/bin" "$S/etc/ro" "$S/dev" "$S/empty"
printf 'hello\n' > "$S/etc/motd"
head -c 300000 /dev/urandom > "$S/bin/big"
printf '#!/bin/sh\n' > "$S/bin/tool"
chmod 4755 "$S/bin/tool"
ln "$S/bin/tool" "$S/bin/tool-link"
ln "$S/bin/tool" "$S/etc/tool-third"
ln -s ../etc/motd "$S/bin/motd-link"
ln -s /absolute/target "$S/abs-link"
mkfifo "$S/dev/fifo"
mknod "$S/dev/null" c 1 3
mknod "$S/dev/loop9" b 7 9
chown 12:34 "$S/etc/motd"
chmod 2750 "$S/etc/ro"
chmod 0555 "$S/empty"
find "$S" -mindepth 1 -exec touch -h -d '2001-02-03 04:05:06' {} +
touch -d '1999-12-31 23:59:59' "$S/bin"

for c in none gzip xz zstd; do
	rm -rf "$T/out" && mkdir "$T/out"
	if "$H" cpio-pack -c $c -o "$T/a.$c" "$S" &&
	   "$INITBOX" cpio-unpack -C "$T/out" "$T/a.$c" &&
	   [ "$(manifest "$S")" = "$(manifest "$T/out")" ]; then
		pass "round trip through cpio-unpack keeps the tree ($c)"
	else
		fail "round trip through cpio-unpack keeps the tree ($c)" \
			"$(same "$S" "$T/out" manifest)"
	fi
done

rm -rf "$T/gnu" && mkdir "$T/gnu"
(cd "$T/gnu" && cpio -idm --quiet < "$T/a.none") 2>/dev/null
# GNU cpio leaves directory mtimes at "now" when it creates files in
# them later, so those are compared apart from the rest.
# GNU cpio 2.13 does not restore symlink mtimes either (2.15 does).
nodirtime() { manifest "$1" | awk '$2 == "d" || $2 == "l" { $7 = "-" } { print }'; }
if [ "$(nodirtime "$S")" = "$(nodirtime "$T/gnu")" ]; then
	pass "GNU cpio unpacks a cpio-pack archive to the same tree"
else
	fail "GNU cpio unpacks a cpio-pack archive to the same tree" \
		"$(same "$S" "$T/gnu" nodirtime)"
fi

t "the same input gives identical bytes" sh -c \
	"'$H' cpio-pack -c xz -o $T/r1 $S && touch -a $S/etc/motd && '$H' cpio-pack -c xz -o $T/r2 $S && cmp $T/r1 $T/r2"

cp -a "$S" "$T/src2"
touch -d '2030-01-01' "$T/src2/etc/motd"
t "SOURCE_DATE_EPOCH clamps newer mtimes and leaves older ones" sh -c \
	"SOURCE_DATE_EPOCH=1000000000 '$INITBOX' cpio-pack -o $T/e.cpio $T/src2 &&
	 '$INITBOX' cpio-unpack -tv $T/e.cpio > $T/e.lst &&
	 grep -q ' 2001-09-09 01:46 etc/motd\$' $T/e.lst && grep -q ' 1999-12-31 23:59 bin\$' $T/e.lst"

t "-R 0:0 and -t override owners and mtimes" sh -c \
	"'$INITBOX' cpio-pack -R 0:0 -t 86400 -o $T/o.cpio $S && '$INITBOX' cpio-unpack -tv $T/o.cpio > $T/o.lst &&
	 ! grep -v ' 0        0  ' $T/o.lst && [ \$(grep -c ' 1970-01-02 00:00 ' $T/o.lst) = \$(wc -l < $T/o.lst) ]"

t "names are sorted and inodes renumbered, hardlinks share one" sh -c \
	"cpio -it --quiet < $T/a.none > $T/n.lst && LC_ALL=C sort -c $T/n.lst &&
	 cpio -itv --quiet < $T/a.none | grep -c '^-rwsr-xr-x   3 ' | grep -qx 3"

t "xz output carries the CRC32 check and a 1 MiB dictionary, as the kernel needs" sh -c \
	"xz -lvv $T/a.xz | grep -q 'CRC32' && xz -lvv $T/a.xz | grep -q 'dict=1MiB' && ! xz -lvv $T/a.xz | grep -q CRC64"

t "compressed outputs are what gzip, xz and zstd read" sh -c \
	"gzip -dc $T/a.gzip | cmp - $T/a.none && xz -dc $T/a.xz | cmp - $T/a.none && zstd -qdc $T/a.zstd | cmp - $T/a.none"

t "archives end with TRAILER!!! padded to 512 bytes" sh -c \
	"[ \$((\$(stat -c %s $T/a.none) % 512)) = 0 ] && grep -q 'TRAILER!!!' $T/a.none"

t "the initramfs profile writes uncompressed archives and says compression needs the host build" sh -c \
	"! '$INITBOX' cpio-pack -c zstd -o $T/d.img $S 2> $T/err && grep -q 'host profile' $T/err &&
	 '$INITBOX' cpio-pack -o $T/d.img $S && cmp $T/d.img $T/a.none"

mkdir -p "$T/early/kernel/x86/microcode"
printf 'ucode' > "$T/early/kernel/x86/microcode/GenuineIntel.bin"
t "-e DIR puts an uncompressed archive before the compressed one" sh -c \
	"'$H' cpio-pack -e $T/early -c zstd -o $T/m.img $S && '$INITBOX' cpio-unpack -e $T/m.img > $T/m.seg &&
	 awk 'NR==2 && \$2==\"none\" && \$5==4 {a=1} NR==3 && \$2==\"zstd\" {b=1} END {exit !(a&&b&&NR==3)}' $T/m.seg &&
	 mkdir $T/m && '$INITBOX' cpio-unpack -C $T/m $T/m.img && [ -f $T/m/kernel/x86/microcode/GenuineIntel.bin ] && [ -f $T/m/etc/motd ]"
t "-p FILE puts an existing archive first, as it is" sh -c \
	"'$H' cpio-pack -p $T/a.none -c gzip -o $T/p.img $T/early && cmp -n \$(stat -c %s $T/a.none) $T/p.img $T/a.none &&
	 '$INITBOX' cpio-unpack -e $T/p.img | awk 'NR==3 && \$2==\"gzip\" {ok=1} END {exit !ok}'"

cat > "$T/list" <<EOL
# a gen_init_cpio list
dir /dev 755 0 0
nod /dev/console 600 0 0 c 5 1
dir /bin 755 0 0
file /bin/x \${LISTSRC}/etc/motd 755 0 0 /bin/y
slink /bin/z x 777 0 0
pipe /p 644 0 0
sock /s 644 0 0
EOL
t "a gen_init_cpio list packs every entry type, hardlinks included" sh -c \
	"LISTSRC=$S '$INITBOX' cpio-pack -s $T/list -o $T/l.cpio && mkdir $T/l && '$INITBOX' cpio-unpack -C $T/l $T/l.cpio &&
	 [ -c $T/l/dev/console ] && [ \$(stat -c %t:%T $T/l/dev/console) = 5:1 ] && [ -p $T/l/p ] && [ -S $T/l/s ] &&
	 [ \$(stat -c %i $T/l/bin/x) = \$(stat -c %i $T/l/bin/y) ] && [ \"\$(cat $T/l/bin/y)\" = hello ] &&
	 [ \$(readlink $T/l/bin/z) = x ] && [ \$(stat -c %a $T/l/bin/x) = 755 ]"
t "a bad list line is an error naming the line" sh -c \
	"printf 'dir /a 755 0\n' > $T/bad.list && ! '$INITBOX' cpio-pack -s $T/bad.list > /dev/null 2> $T/err && grep -q ':1: dir takes 4 fields' $T/err"

t "--crc writes 070702 entries GNU cpio verifies" sh -c \
	"'$INITBOX' cpio-pack --crc -o $T/c.cpio $S && head -c 6 $T/c.cpio | grep -q 070702 &&
	 (cd $T && cpio -i --only-verify-crc --quiet < $T/c.cpio)"

ns_done
