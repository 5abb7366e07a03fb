# cpio.sh - cpio, installed under that name: the kernel documentation's
# two commands verbatim, copy-out byte for byte against GNU cpio -o
# --reproducible, copy-in and listings against GNU cpio and busybox cpio
# entry by entry, busybox's own cpio test cases, -d, -m, -u, patterns, the
# safety rules, and cpio-unpack -d.
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
need cpio busybox gzip xz zstd sha256sum find
ns_tmp
GNU=$(command -v cpio)
mkdir "$T/bin"
ln -s "$INITBOX" "$T/bin/cpio"
OURS=$T/bin/cpio
A=$T/arc
mkdir "$A"

# What a user compares: names, types, modes, owners, sizes, link counts,
# symlink targets, mtimes (but of directories, and of symlinks, which GNU
# and busybox cpio leave at the time of extraction), contents.
manifest() { # DIR
	(cd "$1" && find . -mindepth 1 -printf '%P %y %m %U:%G %s %n %l\n' |
		LC_ALL=C sort && find . -mindepth 1 ! -type d ! -type l -printf '%P %T@\n' |
		LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}
same_tree() { # DIR1 DIR2: silent when equal, the first differences if not
	manifest "$1" > "$A/m1"
	manifest "$2" > "$A/m2"
	diff "$A/m1" "$A/m2" | head -n 6
	cmp -s "$A/m1" "$A/m2"
}
fresh() { rm -rf "$1" && mkdir -p "$1"; }

# Every type: set-id bits, three hardlinks, a symlink, a FIFO, nodes, an
# empty directory, an owner other than root, old mtimes.
S=$T/src
mkdir -p "$S/bin" "$S/etc/ro" "$S/dev" "$S/empty" "$S/lib/modules/6.1"
printf 'hello\n' > "$S/etc/motd"
head -c 200000 /dev/urandom > "$S/bin/big"
printf '#!/bin/sh\n' > "$S/bin/tool"
chmod 4755 "$S/bin/tool"
ln "$S/bin/tool" "$S/bin/tool-link"
ln "$S/bin/tool" "$S/etc/tool-third"
ln -s ../etc/motd "$S/bin/motd-link"
mkfifo "$S/dev/fifo"
mknod "$S/dev/null" c 1 3
mknod "$S/dev/loop9" b 7 9
printf 'mod\n' > "$S/lib/modules/6.1/m.ko"
chown 12:34 "$S/etc/motd"
chmod 2750 "$S/etc/ro"
find "$S" -exec touch -h -d '2011-02-03 04:05:06' {} +

# --- the two commands of Documentation/admin-guide/initrd.rst ------------
(cd "$S" && PATH=$T/bin:$PATH &&
	find . | cpio --quiet -H newc -o | gzip -9 -n > "$A/imagefile.img")
fresh "$T/x"
(cd "$T/x" && PATH=$T/bin:$PATH &&
	gzip -cd "$A/imagefile.img" | cpio -imd --quiet) > "$A/out" 2>&1
rc=$?
if [ $rc = 0 ] && [ ! -s "$A/out" ] && same_tree "$S" "$T/x" > "$A/why"; then
	pass "find . | cpio --quiet -H newc -o | gzip -9 -n, then gzip -cd | cpio -imd --quiet, reproduces the tree"
else
	fail "find . | cpio --quiet -H newc -o | gzip -9 -n, then gzip -cd | cpio -imd --quiet, reproduces the tree" "rc $rc $(cat "$A/out" "$A/why" | tr '\n' ' ')"
fi

# --- copy-out: byte-identical to GNU cpio -o --reproducible --------------
same_out() { # NAME NAMELIST OPTIONS...: both cpios on the same names
	n=$1 list=$2
	shift 2
	(cd "$S" && "$GNU" -o --reproducible --quiet "$@" < "$list") > "$A/gnu.out"
	(cd "$S" && "$OURS" -o --quiet "$@" < "$list") > "$A/ours.out" 2> "$A/err"
	if [ -s "$A/gnu.out" ] && cmp "$A/gnu.out" "$A/ours.out" > "$A/why" 2>&1; then
		pass "$n"
	else
		fail "$n" "$(cat "$A/why" "$A/err" | tr '\n' ' ')"
	fi
}
(cd "$S" && find .) > "$A/find"
(cd "$S" && find . -print0) > "$A/find0"
(cd "$S" && find bin etc -depth) > "$A/depth"
# hardlinks listed apart, one of them missing at the end (GNU writes the
# waiting names last), "./" and "//" prefixes, a blank line
printf '%s\n' bin/tool ./etc/motd .//bin/big '' etc/tool-third dev/null \
	bin/tool-link ./dev/fifo etc bin/tool > "$A/mixed"
printf '%s\n' bin/tool etc/motd etc/tool-third > "$A/partial"
same_out "-o -H newc on find's names is GNU cpio's archive, byte for byte" "$A/find" -H newc
same_out "-o -H crc is GNU cpio's archive, checksums included" "$A/find" -H crc
same_out "-o -0 -R 0:0 on find -print0 is GNU cpio's archive" "$A/find0" -0 -R 0:0 -H newc
same_out "-o on find -depth (children before parents) is GNU cpio's archive" "$A/depth" -H newc
same_out "hardlinks listed apart, a name twice, ./ prefixes: GNU cpio's archive" "$A/mixed" -H newc
same_out "hardlinks not all listed: the data on the name GNU cpio puts it on" "$A/partial" -H newc
same_out "-R root:root -O FILE is GNU cpio's archive" "$A/find" -H newc -R root:root
(cd "$S" && "$OURS" -o -H newc -O "$A/o.cpio" < "$A/find") 2> "$A/err"
(cd "$S" && "$GNU" -o --reproducible -H newc < "$A/find") > "$A/gnu.out" 2> "$A/gnu.err"
t "-O FILE writes the archive there and says N blocks on stderr, as GNU cpio" sh -c \
	"cmp $A/o.cpio $A/gnu.out && grep -qx '[0-9]* blocks' $A/err && cmp $A/err $A/gnu.err"
(cd "$S" && "$GNU" -ov --reproducible -H newc < "$A/find") 2> "$A/gnu.err" > /dev/null
(cd "$S" && "$OURS" -ov -H newc < "$A/find") 2> "$A/err" > /dev/null
# GNU names them as given, we as stored (find's ./ dropped)
t "-ov names the files on stderr in the order given, as GNU cpio (then N blocks)" sh -c \
	"sed 's|^\./||' $A/gnu.err | cmp - $A/err"
printf 'etc/motd\nno/such/file\n' > "$A/missing"
(cd "$S" && "$OURS" -o -H newc < "$A/missing" > "$A/none.cpio" 2> "$A/err")
rc=$?
t "a name that cannot be read fails -o (exit 1) before any byte is written" sh -c \
	"[ $rc = 1 ] && [ ! -s $A/none.cpio ] && grep -q 'stat no/such/file: No such file' $A/err"

# --- copy-in: archives of GNU cpio and busybox cpio ----------------------
(cd "$S" && find . | LC_ALL=C sort | "$GNU" -o -H newc --quiet) > "$A/gnu.cpio"
(cd "$S" && find . | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null) > "$A/bb.cpio"
fresh "$A/ref"
(cd "$A/ref" && "$GNU" -idm --quiet < "$A/gnu.cpio")
for f in gnu bb; do
	fresh "$T/x"
	if (cd "$T/x" && "$OURS" -idm --quiet < "$A/$f.cpio") > "$A/why" 2>&1 &&
	   same_tree "$A/ref" "$T/x" >> "$A/why"; then
		pass "cpio -idm unpacks a $f-made archive to the tree GNU cpio makes"
	else
		fail "cpio -idm unpacks a $f-made archive to the tree GNU cpio makes" "$(tr '\n' ' ' < "$A/why")"
	fi
done
(cd "$S" && find . | "$OURS" -o -H newc --quiet) > "$A/ours.cpio"
for peer in gnu busybox; do
	fresh "$T/x"
	case $peer in
	gnu) (cd "$T/x" && "$GNU" -idm --quiet < "$A/ours.cpio") ;;
	busybox) (cd "$T/x" && busybox cpio -idm < "$A/ours.cpio" 2>/dev/null) ;;
	esac
	if same_tree "$S" "$T/x" > "$A/why"; then
		pass "$peer cpio -idm unpacks our archive to the source tree"
	else
		fail "$peer cpio -idm unpacks our archive to the source tree" "$(tr '\n' ' ' < "$A/why")"
	fi
done
# Listings, entry by entry: a recent and an old file (GNU shows the year
# for files older than six months), owners as numbers, devices, links.
touch -d '1 hour ago' "$S/etc/motd"
(cd "$S" && find . | "$GNU" -o -H newc --quiet) > "$A/gnu2.cpio"
t "-t lists GNU cpio's names, in order" sh -c \
	"'$OURS' -t --quiet < $A/gnu2.cpio > $A/l1 && '$GNU' -t --quiet < $A/gnu2.cpio | cmp - $A/l1"
t "-tv lists as GNU cpio -tvn does (under TZ=UTC), line for line" sh -c \
	"'$OURS' -itv --quiet -F $A/gnu2.cpio > $A/l1 && TZ=UTC '$GNU' -itvn --quiet < $A/gnu2.cpio > $A/l2 &&
	 grep -q '2011 bin/big' $A/l1 && grep -q ' 1,   3 ' $A/l1 && diff $A/l2 $A/l1"
t "-t lists every hardlink name, the empty ones too (busybox lists only the one with data)" sh -c \
	"'$OURS' -t --quiet < $A/ours.cpio | grep -c '^bin/tool\$\|^bin/tool-link\$\|^etc/tool-third\$' | grep -qx 3 &&
	 '$GNU' -t --quiet < $A/ours.cpio | grep -c '^bin/tool\$\|^bin/tool-link\$\|^etc/tool-third\$' | grep -qx 3"
t "-t with patterns selects as GNU cpio does ('*' crosses '/'), -f inverts" sh -c \
	"'$OURS' -t --quiet 'bin/*' '*null' < $A/gnu2.cpio > $A/l1 && '$GNU' -t --quiet 'bin/*' '*null' < $A/gnu2.cpio | cmp - $A/l1 &&
	 '$OURS' -tf --quiet 'bin/*' < $A/gnu2.cpio > $A/l1 && '$GNU' -tf --quiet 'bin/*' < $A/gnu2.cpio | cmp - $A/l1"
fresh "$T/x"
t "-i with a pattern extracts only the matching entries (-D DIR)" sh -c \
	"'$OURS' -id --quiet -D $T/x 'lib/*' < $A/gnu.cpio && [ -f $T/x/lib/modules/6.1/m.ko ] &&
	 [ ! -e $T/x/etc ] && [ \$(find $T/x -mindepth 1 | wc -l) = 4 ]"
for z in gzip xz zstd; do
	# xz as the kernel wants it (its initramfs reader checks CRC32 only)
	case $z in xz) xz --check=crc32 -c ;; *) $z -c ;; esac < "$A/gnu.cpio" > "$A/img.$z"
	fresh "$T/x"
	if (cd "$T/x" && "$OURS" -idm --quiet < "$A/img.$z") > "$A/why" 2>&1 &&
	   same_tree "$A/ref" "$T/x" >> "$A/why"; then
		pass "cpio -idm < a $z-compressed image unpacks it"
	else
		fail "cpio -idm < a $z-compressed image unpacks it" "$(tr '\n' ' ' < "$A/why")"
	fi
done

# --- -d, -m, -u ----------------------------------------------------------
(cd "$S" && find lib/modules -type f | "$GNU" -o -H newc --quiet) > "$A/mods.cpio"
fresh "$T/x"
(cd "$T/x" && "$OURS" -i --quiet < "$A/mods.cpio") 2> "$A/err"
rc=$?
t "without -d an entry whose parent is missing is skipped and reported (exit 1)" sh -c \
	"[ $rc = 1 ] && [ -z \"\$(ls -A $T/x)\" ] &&
	 grep -q 'offset 0: resolve the parent directory lib/modules/6.1/m.ko: missing (skipped, as the kernel skips it)' $A/err"
t "with -d the leading directories are made" sh -c \
	"cd $T/x && '$OURS' -id --quiet < $A/mods.cpio && cmp lib/modules/6.1/m.ko $S/lib/modules/6.1/m.ko &&
	 [ \$(stat -c %a lib/modules) = 755 ]"
fresh "$T/x"
t "cpio-unpack -d makes them too; without it, the same skip" sh -c \
	"! '$INITBOX' cpio-unpack -C $T/x $A/mods.cpio 2>/dev/null && [ -z \"\$(ls -A $T/x)\" ] &&
	 '$INITBOX' cpio-unpack -d -C $T/x $A/mods.cpio && [ -f $T/x/lib/modules/6.1/m.ko ]"
fresh "$T/x"
t "without -m files get the time of extraction, with -m the archive's" sh -c \
	"cd $T/x && '$OURS' -id --quiet < $A/gnu.cpio && [ \$(( \$(date +%s) - \$(stat -c %Y etc/motd) )) -lt 100 ] &&
	 '$OURS' -idmu --quiet < $A/gnu.cpio && [ \$(stat -c %Y etc/motd) = \$(stat -c %Y $S/bin/big) ]"
printf 'newer\n' > "$T/x/etc/motd"
(cd "$T/x" && "$OURS" -id --quiet < "$A/gnu.cpio") 2> "$A/err"
rc=$?
t "without -u a file at least as new as the entry stays, named as GNU cpio names it (exit 0)" sh -c \
	"[ $rc = 0 ] && grep -qx newer $T/x/etc/motd &&
	 grep -qx 'cpio: etc/motd not created: newer or same age version exists' $A/err"
t "with -u it is replaced" sh -c \
	"cd $T/x && '$OURS' -idu --quiet < $A/gnu.cpio && grep -qx hello etc/motd"

# --- safety: cpio shares cpio-unpack's rules -----------------------------
mkdir -p "$T/evil/src" "$T/outside"
ln -s "$T/outside" "$T/evil/src/esc"
ln -s ../../../outside "$T/evil/src/rel"
printf 'x\n' > "$T/evil/f"
(cd "$T/evil/src" && printf '%s\n' esc rel | "$GNU" -o -H newc --quiet) > "$A/evil1.cpio"
# names through the planted links, .. and absolute
for n in esc/new/f rel/f ../../f /abs/f; do
	printf 'file %s %s 0644 0 0\n' "$n" "$T/evil/f"
done > "$A/evil.list"
"$INITBOX" cpio-pack -s "$A/evil.list" > "$A/evil2.cpio" 2>/dev/null
fresh "$T/x"
(cd "$T/x" && cat "$A/evil1.cpio" "$A/evil2.cpio" | "$OURS" -idu --quiet) 2> "$A/err"
t "symlinks, .. and absolute names with -d: nothing outside the target" sh -c \
	"[ -z \"\$(ls -A $T/outside)\" ] && [ ! -e $T/f ] && [ ! -e /abs ] && [ -f $T/x/abs/f ] && [ -f $T/x/f ]"

# --- busybox's testsuite cases (testsuite/cpio.tests), as cases of ours ---
mkdir -p "$T/bbt/cpio.testdir"
: > "$T/bbt/cpio.testdir/x"
ln "$T/bbt/cpio.testdir/x" "$T/bbt/cpio.testdir/y"
(cd "$T/bbt" && find cpio.testdir | "$GNU" -o -H newc --quiet) > "$A/zl.cpio"
fresh "$T/x"
t "busybox case: extracts zero-sized hardlinks (both names, link count 2)" sh -c \
	"cd $T/x && '$OURS' -i --quiet < $A/zl.cpio 2>&1 &&
	 [ \"\$(ls -ln cpio.testdir | awk 'NR>1 { print \$1, \$2, \$5, \$9 }' | tr '\n' ' ')\" = '-rw-r--r-- 2 0 x -rw-r--r-- 2 0 y ' ]"
t "busybox case: lists hardlinks (every name) and says 1 block on stderr" sh -c \
	"'$OURS' -t < $A/zl.cpio > $A/l1 2> $A/l2 && printf 'cpio.testdir\ncpio.testdir/x\ncpio.testdir/y\n' | cmp - \$(sort $A/l1 > $A/l3 && echo $A/l3) &&
	 grep -qx '1 block' $A/l2"
printf 'data' > "$T/bbt/cpio.testdir/x"
(cd "$T/bbt" && find cpio.testdir | "$GNU" -o -H newc --quiet) > "$A/hl.cpio"
fresh "$T/x"
t "busybox case: extracts hardlinks with data (one inode, its data)" sh -c \
	"cd $T/x && '$OURS' -i --quiet < $A/hl.cpio && [ \$(stat -c %i cpio.testdir/x) = \$(stat -c %i cpio.testdir/y) ] &&
	 grep -qx data cpio.testdir/y"
fresh "$T/x/cpio.testdir"
t "busybox case: extracts into an existing directory" sh -c \
	"cd $T/x && '$OURS' -i --quiet < $A/hl.cpio 2>&1 && grep -qx data cpio.testdir/x"
t "busybox case: -R with create sets every owner" sh -c \
	"cd $T/bbt && echo cpio.testdir/x | '$OURS' -o -H newc --quiet -R 1234:5678 | '$OURS' -tv --quiet | grep -q '^-rw-r--r--   2 1234     5678 '"
fresh "$T/x"
t "busybox case: -R with extract sets every owner" sh -c \
	"cd $T/x && '$OURS' -i --quiet -R 8765:4321 < $A/hl.cpio && [ \$(stat -c %u:%g cpio.testdir/x) = 8765:4321 ]"
t "busybox case: set-id bits are restored" sh -c \
	"[ \$(stat -c %a $A/ref/bin/tool) = 4755 ] && [ \$(stat -c %a $A/ref/etc/ro) = 2750 ] &&
	 fresh() { rm -rf \$1 && mkdir \$1; } && fresh $T/x && cd $T/x && '$OURS' -id --quiet < $A/ours.cpio &&
	 [ \$(stat -c %a bin/tool) = 4755 ] && [ \$(stat -c %a etc/ro) = 2750 ]"

# --- an input without an archive ----------------------------------------
# GNU cpio: "premature end of archive" (exit 2; ours 1, as every error), so
# that `gzip -cd missing.img | cpio -id` fails; cpio-unpack follows the
# kernel, which unpacks an empty or all-NUL initramfs as an empty one.
printf '\0\0\0\0' > "$A/nul4"
gzip -c < /dev/null > "$A/empty.gz"
"$GNU" -o -H newc --quiet < /dev/null > "$A/trailer.cpio"
for in in /dev/null "$A/nul4"; do
	for m in -i -id -t; do
		fresh "$T/x"
		# through a pipe: on a file at its end GNU asks /dev/tty for
		# the next volume instead (and fails, exit 2, without a tty)
		(cd "$T/x" && cat "$in" | "$GNU" $m) > "$A/gnu.out" 2>&1
		grc=$?
		(cd "$T/x" && cat "$in" | "$OURS" $m) > "$A/out" 2>&1
		rc=$?
		t "cat $(basename "$in") | cpio $m fails with 'premature end of archive' as GNU cpio does (GNU exit $grc, ours 1), nothing made, no block count" sh -c \
			"[ $grc = 2 ] && grep -qx '.*cpio: premature end of archive' $A/gnu.out &&
			 [ $rc = 1 ] && grep -q '^cpio: stdin: offset [0-9]*: premature end of archive\$' $A/out &&
			 ! grep -q block $A/out && [ -z \"\$(ls -A $T/x)\" ]"
	done
done
fresh "$T/x"
(cd "$T/x" && gzip -cd "$A/missing.img" 2>/dev/null | "$OURS" -id) > "$A/out" 2>&1
rc=$?
t "gzip -cd missing.img | cpio -id fails (exit 1), as with GNU cpio" sh -c \
	"[ $rc = 1 ] && grep -q 'premature end of archive' $A/out"
"$OURS" -t < "$A/empty.gz" > "$A/out" 2>&1
rc=$?
t "an empty gzip stream holds no archive either: premature end of archive" sh -c \
	"[ $rc = 1 ] && grep -q 'premature end of archive' $A/out"
"$GNU" -t < "$A/trailer.cpio" > "$A/gnu.out" 2>&1
grc=$?
"$OURS" -t < "$A/trailer.cpio" > "$A/out" 2>&1
rc=$?
t "an archive of only its trailer is an empty archive: exit 0 and '1 block', as GNU cpio" sh -c \
	"[ $grc = 0 ] && [ $rc = 0 ] && cmp $A/gnu.out $A/out"
for in in /dev/null "$A/nul4"; do
	fresh "$T/x"
	"$INITBOX" cpio-unpack -C "$T/x" < "$in" > "$A/out" 2>&1
	rc=$?
	"$INITBOX" cpio-unpack -t < "$in" >> "$A/out" 2>&1
	rc2=$?
	t "cpio-unpack of $(basename "$in") is an empty initramfs, as the kernel unpacks it: exit 0, no output, nothing made" sh -c \
		"[ $rc = 0 ] && [ $rc2 = 0 ] && [ ! -s $A/out ] && [ -z \"\$(ls -A $T/x)\" ]"
done

# --- what is left out says so --------------------------------------------
"$OURS" -p "$T/x" < /dev/null > "$A/out" 2>&1
rc=$?
t "-p is refused: 'cpio: -p: not supported', exit 2" sh -c \
	"[ $rc = 2 ] && grep -qx 'cpio: -p: not supported' $A/out"
"$OURS" -o -H odc < /dev/null > "$A/out" 2>&1
rc=$?
t "formats other than newc and crc are refused, exit 2" sh -c \
	"[ $rc = 2 ] && grep -q 'cpio: -H odc: not supported' $A/out"
"$OURS" < /dev/null > "$A/out" 2>&1
rc=$?
t "no mode is a usage error" sh -c "[ $rc = 2 ] && grep -q 'one of -i, -o, -t' $A/out"
ns_done
