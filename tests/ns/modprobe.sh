# modprobe.sh - module resolution from a fake module tree (modules.dep,
# modules.alias, modules.builtin, modules.softdep), asserted through the
# dry run; the host's kernel has its drivers built in, so real loading is
# tested under qemu (tests/boot/media_modules.sh). insmod's failures are
# real: a garbage module is refused by the kernel.
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
need xz
ns_tmp
K=6.1.0-test
D=$T/lib/modules/$K
mkdir -p "$D/kernel/a" "$D/kernel/fs"
for f in base.ko mid.ko top-mod.ko fs/sqfs.ko.xz fs/lonely.ko.zst crc.ko \
	crcgen.ko drv.ko drv2.ko; do
	: > "$D/kernel/$f"
done
cat > "$D/modules.dep" <<'EOF'
kernel/base.ko:
kernel/mid.ko: kernel/base.ko
kernel/top-mod.ko: kernel/mid.ko kernel/base.ko
kernel/fs/sqfs.ko.xz: kernel/crc.ko
kernel/fs/lonely.ko.zst:
kernel/crc.ko:
kernel/crcgen.ko:
kernel/drv.ko: kernel/base.ko
kernel/drv2.ko:
EOF
cat > "$D/modules.alias" <<'EOF'
# Aliases extracted from modules themselves.
alias fs-sqfs sqfs
alias pci:v00001AF4d*sv*sd*bc*sc*i* drv
alias pci:v00001AF4d00001001sv*sd*bc01sc*i* drv2
alias crypto-crc crcgen
alias crypto-crc crc
EOF
printf 'kernel/fs/ext9.ko\n' > "$D/modules.builtin"
printf 'softdep sqfs pre: crypto-crc post: lonely\n' > "$D/modules.softdep"
# no modprobe.d of the host's (modprobe_conf.sh tests the configuration)
mp() { "$INITBOX" modprobe -d "$T" -S "$K" --config "$T/noconf" "$@"; }
plan() { mp -n "$@" 2>&1 | sed "s|$D/kernel/||" | tr '\n' ' '; }

got=$(plan top-mod)
[ "$got" = "insmod base.ko insmod mid.ko insmod top-mod.ko " ] &&
	pass "dependencies load first, in modules.dep's reverse order" ||
	fail "dependencies load first" "$got"
got=$(plan top_mod)
[ "$got" = "insmod base.ko insmod mid.ko insmod top-mod.ko " ] &&
	pass "'-' and '_' are the same in module names" ||
	fail "'-' and '_' are the same in module names" "$got"
got=$(plan fs-sqfs)
[ "$got" = "insmod crc.ko insmod crcgen.ko insmod fs/sqfs.ko.xz insmod fs/lonely.ko.zst " ] &&
	pass "an alias resolves; dependencies, softdep pre: (an alias of two), the module, softdep post:, as kmod" ||
	fail "alias with softdep pre:" "$got"
got=$(plan 'pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00')
[ "$got" = "insmod base.ko insmod drv.ko insmod drv2.ko " ] &&
	pass "a modalias matches every fnmatch pattern in modules.alias" ||
	fail "modalias fnmatch" "$got"
got=$(plan mid foo=1 bar=two)
[ "$got" = "insmod base.ko insmod mid.ko foo=1 bar=two " ] &&
	pass "parameters go to the module asked for, not its dependencies" ||
	fail "parameters" "$got"
got=$(mp -v -n ext9 2>&1; echo "rc=$?"; mp -D ext9 2>&1)
[ "$got" = "rc=0
builtin ext9" ] && pass "a built-in module is success (said by -D only, as kmod)" ||
	fail "built-in module" "$got"
got=$(plan -a mid lonely)
[ "$got" = "insmod base.ko insmod mid.ko insmod fs/lonely.ko.zst " ] &&
	pass "-a takes several modules" || fail "-a" "$got"

# --plan and -P: the machine-readable plan mkinitramfs builds images from
got=$(mp --plan top-mod mid ext9 nosuch 2>&1; echo "rc=$?")
[ "$got" = "kernel/base.ko
kernel/mid.ko
kernel/top-mod.ko
builtin ext9
missing nosuch
rc=1" ] && pass "--plan: each module's file once as modules.dep names it, builtin and missing lines, exit 1 for a missing name" ||
	fail "--plan lines" "$got"
cat > "$T/prof" <<'EOF'
# a profile: names, globs, optional and excluded entries
?nosuch
top_mod
kernel/fs/*
  !lonely
crc*
?zz*
EOF
got=$(mp --plan -P "$T/prof" 2>&1; echo "rc=$?")
[ "$got" = "missing ?nosuch
kernel/base.ko
kernel/mid.ko
kernel/top-mod.ko
kernel/crc.ko
kernel/crcgen.ko
kernel/fs/sqfs.ko.xz
kernel/fs/lonely.ko.zst
missing ?zz*
rc=0" ] && pass "-P: entries in order, a path glob, an excluded entry still brought by a softdep, optional ones missing without failing" ||
	fail "-P --plan" "$got"
printf 'mid\nnone_such\n' > "$T/prof2"
got=$(mp --plan -P "$T/prof2" lonely 2>&1; echo "rc=$?")
[ "$got" = "kernel/base.ko
kernel/mid.ko
missing none_such
kernel/fs/lonely.ko.zst
rc=1" ] && pass "-P: a required entry the tree lacks fails the plan; operands come after the profile" ||
	fail "-P required entry" "$got"
got=$(mp -n -P "$T/prof" 2>&1; echo "rc=$?")
want=$(mp -n -a top_mod sqfs crc crcgen 2>&1; echo "rc=$?")
[ "$got" = "$want" ] && pass "-P without --plan loads the entries as -a loads its NAMEs (dry run here), an optional one missing silently" ||
	fail "-P -n" "$got"
printf 'mid\n# two words\nmid top\n' > "$T/prof3"
t "-P: a line that is no entry is refused naming the file and the line, exit 1" sh -c \
	"'$INITBOX' modprobe -d '$T' -S $K --config '$T/noconf' --plan -P '$T/prof3' > $T/out 2> $T/err; [ \$? = 1 ] &&
	 [ \"\$(cat $T/err)\" = 'modprobe: read profile $T/prof3: line 3: not an entry' ] && [ ! -s $T/out ]"
got=$(mp -R crypto-crc fs-sqfs ext9 2>&1; echo "rc=$?")
[ "$got" = "crcgen
crc
sqfs
ext9
rc=0" ] && pass "-R prints the modules each name resolves to, built-in ones too" ||
	fail "-R" "$got"
t "--plan with -C is a usage error" sh -c \
	"'$INITBOX' modprobe -d '$T' -S $K --plan -C > /dev/null 2>&1; [ \$? = 2 ]"
t "a missing module: exit 1, one clear line naming the kernel version" sh -c \
	"'$INITBOX' modprobe -d '$T' -S $K nosuch 2> $T/err; [ \$? = 1 ] &&
	 [ \"\$(cat $T/err)\" = 'modprobe: module nosuch not found in modules.dep ($K)' ]"
t "a file's name (./top-mod.ko, a path into the tree): refused with one line, nothing planned" sh -c \
	"'$INITBOX' modprobe -n -d '$T' -S $K ./top-mod.ko > $T/out 2> $T/err; [ \$? = 1 ] && [ ! -s $T/out ] &&
	 [ \"\$(cat $T/err)\" = 'modprobe: ./top-mod.ko is a file, not a module name: insmod loads a file' ] &&
	 '$INITBOX' modprobe -n -d '$T' -S $K '$D/kernel/top-mod.ko' > $T/out 2>&1; [ \$? = 1 ] && ! grep -q '^insmod' $T/out"
printf 'alias mod-simple deaddood\n' > "$T/dead.conf"
t "an alias of a missing module: -n exits 0 silently (-v: a line), a load exits 1 naming both" sh -c \
	"'$INITBOX' modprobe -n -d '$T' -S $K --config $T/dead.conf mod-simple > $T/out 2>&1 && [ ! -s $T/out ] &&
	 '$INITBOX' modprobe -n -v -d '$T' -S $K --config $T/dead.conf mod-simple 2> $T/err > $T/out && [ ! -s $T/out ] &&
	 grep -qx 'modprobe: alias mod-simple: module deaddood not found in modules.dep ($K)' $T/err &&
	 ! '$INITBOX' modprobe -d '$T' -S $K --config $T/dead.conf mod-simple 2> $T/err &&
	 grep -qx 'modprobe: module deaddood (alias mod-simple) not found in modules.dep ($K)' $T/err"
t "-q: a missing module exits 1 without a message" sh -c \
	"'$INITBOX' modprobe -q -d '$T' -S $K -- nosuch 2> $T/err; [ \$? = 1 ] && [ ! -s $T/err ]"
t "no modules.dep: exit 1 naming the file" sh -c \
	"'$INITBOX' modprobe -d '$T' -S 0.0-none base 2> $T/err; [ \$? = 1 ] &&
	 grep -q 'read $T/lib/modules/0.0-none/modules.dep' $T/err"
t "no operand is a usage error" sh -c "'$INITBOX' modprobe 2>/dev/null; [ \$? = 2 ]"
t "-C with an operand but no -a is a usage error" sh -c "'$INITBOX' modprobe -C x 2>/dev/null; [ \$? = 2 ]"

# coldplug on a fake sysfs (--sysfs): the modalias files of /sys/bus/X/devices
S=$T/sys
dev() { # DIR MODALIAS
	mkdir -p "$S/$1" && echo "$2" > "$S/$1/modalias"
}
dev bus/pci/devices/0000:00:01.0 pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00
dev bus/pci/devices/0000:00:02.0 pci:v00008086d00001237sv00000000sd00000000bc06sc00i00
dev bus/pci/devices/0000:00:03.0 pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00
mkdir -p "$S/bus/platform/devices/serial8250" "$S/bus/empty"
got=$(plan --sysfs "$S" -C)
[ "$got" = "insmod base.ko insmod drv.ko insmod drv2.ko " ] &&
	pass "-C: every device's modalias resolved, each module once, dependencies first; no driver is no error" ||
	fail "-C on a fake sysfs" "$got"
t "-C: exit 0 when most devices have no driver" sh -c \
	"'$INITBOX' modprobe -n -d '$T' -S $K --sysfs '$S' -C > /dev/null 2> $T/err; [ \$? = 0 ] && [ ! -s $T/err ]"
got=$(plan --sysfs "$S" -C -a lonely top-mod)
[ "$got" = "insmod base.ko insmod drv.ko insmod drv2.ko insmod fs/lonely.ko.zst insmod mid.ko insmod top-mod.ko " ] &&
	pass "-C -a NAME...: the NAMEs after the devices' drivers, nothing twice" ||
	fail "-C -a" "$got"
got=$(plan -j 4 --sysfs "$S" -C -a lonely top-mod)
[ "$got" = "insmod base.ko insmod drv.ko insmod drv2.ko insmod fs/lonely.ko.zst insmod mid.ko insmod top-mod.ko " ] &&
	pass "-j 4 -n: the same plan as one job" || fail "-j 4 -n" "$got"
t "-j 0 and -j x are usage errors" sh -c \
	"'$INITBOX' modprobe -j 0 -n x 2>/dev/null; [ \$? = 2 ] || exit 1
	 '$INITBOX' modprobe --jobs=x -n x 2>/dev/null; [ \$? = 2 ]"
t "-C -a: a missing NAME exits 1 (silently with -q)" sh -c \
	"'$INITBOX' modprobe -q -n -d '$T' -S $K --sysfs '$S' -C -a lonely nosuch > /dev/null 2> $T/err; [ \$? = 1 ] && [ ! -s $T/err ]"
t "-w without -C is a usage error" sh -c \
	"'$INITBOX' modprobe -w 5 -n x 2>/dev/null; [ \$? = 2 ]"
# -w: the watch after the coldplug ends at SIGTERM (here with no uevent to
# wake it: the namespace's netlink socket hears none) or at its time
t "-C -w 30: SIGTERM ends the watch at once, exit 0, the plan printed once" sh -c \
	"'$INITBOX' modprobe -n -d '$T' -S $K --sysfs '$S' -C -w 30 > $T/w.out 2>&1 & p=\$!
	 sleep 0.5; s=\$(date +%s%N); kill -TERM \$p; wait \$p; rc=\$?; e=\$(date +%s%N)
	 [ \$rc = 0 ] && [ \$(( (e - s) / 1000000 )) -lt 500 ] &&
	 [ \"\$(tr '\\n' ' ' < $T/w.out | sed 's|$D/kernel/||g')\" = 'insmod base.ko insmod drv.ko insmod drv2.ko ' ]"
t "-C -w 1: the watch ends by itself after 1 s" sh -c \
	"s=\$(date +%s%N); '$INITBOX' modprobe -n -d '$T' -S $K --sysfs '$S' -C -w 1 > /dev/null 2>&1 || exit 1
	 e=\$(date +%s%N); ms=\$(( (e - s) / 1000000 )); [ \$ms -ge 1000 ] && [ \$ms -lt 2500 ]"
mkdir -p "$S/bus/virtio/devices"
ln -s ../../../devices/pci0/virtio0 "$S/bus/virtio/devices/virtio0"
dev devices/pci0/virtio0 'fs-sqfs'
got=$(plan --sysfs "$S" -C)
# modules.alias's order: its fs-sqfs line comes first
[ "$got" = "insmod crc.ko insmod crcgen.ko insmod fs/sqfs.ko.xz insmod fs/lonely.ko.zst insmod base.ko insmod drv.ko insmod drv2.ko " ] &&
	pass "-C follows a bus's device links; softdep pre: of a coldplugged module first" ||
	fail "-C through device links" "$got"
# no bus directory: the /sys/devices tree is walked
S2=$T/sys2
mkdir -p "$S2/devices/pci0/0000:00:01.0/virtio0"
echo pci:v00001AF4d00001000sv0sd0bc02sc00i00 > "$S2/devices/pci0/0000:00:01.0/modalias"
echo fs-sqfs > "$S2/devices/pci0/0000:00:01.0/virtio0/modalias"
got=$(plan --sysfs "$S2" -C)
[ "$got" = "insmod crc.ko insmod crcgen.ko insmod fs/sqfs.ko.xz insmod fs/lonely.ko.zst insmod base.ko insmod drv.ko " ] &&
	pass "-C without SYSFS/bus walks SYSFS/devices, nested devices included" ||
	fail "-C devices walk" "$got"
t "-C on a missing sysfs: exit 1 naming it" sh -c \
	"'$INITBOX' modprobe -d '$T' -S $K --sysfs '$T/none' -C 2> $T/err; [ \$? = 1 ] &&
	 grep -q 'read modaliases under $T/none: open devices' $T/err"

mkdir -p "$T/lib/modules/$(uname -r)"
: > "$T/lib/modules/$(uname -r)/modules.dep"
t "coldplug reads /sys/devices and finds no driver in an empty tree" sh -c \
	"'$INITBOX' modprobe -C -d '$T' 2> $T/err; [ \$? = 0 ] && [ ! -s $T/err ]"

# insmod: the kernel's own refusal and the userspace decompressor
head -c 4096 /dev/urandom > "$T/junk.ko"
# kbuild compresses modules with xz --check=crc32 (the kernel reads no other)
xz --check=crc32 -c "$T/junk.ko" > "$T/junk.ko.xz"
xz --check=crc64 -c "$T/junk.ko" > "$T/crc64.ko.xz"
head -c 100 "$T/junk.ko.xz" > "$T/cut.ko.xz"
t "insmod of a missing file: exit 1, 'open'" sh -c \
	"'$INITBOX' insmod $T/none.ko 2> $T/err; [ \$? = 1 ] && grep -q 'load $T/none.ko: open: No such file' $T/err"
t "insmod of garbage: the kernel refuses, exit 1" sh -c \
	"'$INITBOX' insmod $T/junk.ko 2> $T/err; [ \$? = 1 ] && grep -q 'load $T/junk.ko: ' $T/err"
t "insmod of xz garbage: decompressed here, then refused by the kernel" sh -c \
	"'$INITBOX' insmod $T/junk.ko.xz 2> $T/err; [ \$? = 1 ] && grep -q 'load $T/junk.ko.xz: \\(init\\|finit\\)_module' $T/err"
t "insmod of a truncated .ko.xz fails at decompress" sh -c \
	"'$INITBOX' insmod $T/cut.ko.xz 2> $T/err; [ \$? = 1 ] && grep -q 'load $T/cut.ko.xz: decompress' $T/err"
# Real loads the kernel refuses (issue 19, finding 11): a soft dependency
# that does not load fails nothing, as with kmod (crc32c_intel refusing a
# CPU without SSE4.2 beside crc32c_generic for ext4; the kernel's
# request_module("fs-ext4") looks for ext4 again only when modprobe exits
# 0); a hard dependency that does not load fails what needs it. The
# modules wanted are "loaded" already (a fake /sys/module in this
# namespace), so only garbage reaches the kernel, which refuses it.
F=$T/f/lib/modules/$K
mkdir -p "$F/kernel" "$T/f/sysmod/wanted"
for f in wanted soft hard needy; do cp "$T/junk.ko" "$F/kernel/$f.ko"; done
printf 'kernel/wanted.ko:\nkernel/soft.ko:\nkernel/hard.ko:\nkernel/needy.ko: kernel/hard.ko\n' > "$F/modules.dep"
printf 'softdep wanted pre: soft\n' > "$F/modules.softdep"
echo live > "$T/f/sysmod/wanted/initstate"
mount --bind "$T/f/sysmod" /sys/module
t "a soft dependency that does not load: said, exit 0" sh -c \
	"'$INITBOX' modprobe -j 1 -d '$T/f' -S $K --config '$T/noconf' wanted 2> $T/err; [ \$? = 0 ] &&
	 grep -q 'load $F/kernel/soft.ko: .*(a soft dependency: going on without it)' $T/err"
t "a hard dependency that does not load: the module needing it is not loaded, exit 1" sh -c \
	"'$INITBOX' modprobe -j 1 -d '$T/f' -S $K --config '$T/noconf' needy 2> $T/err; [ \$? = 1 ] &&
	 grep -q 'not loading needy: hard did not load' $T/err && ! grep -q 'load $F/kernel/needy.ko' $T/err"
t "-a: a module asked for that does not load fails the run, after a softdep of another" sh -c \
	"'$INITBOX' modprobe -j 1 -d '$T/f' -S $K --config '$T/noconf' -a wanted soft 2> $T/err; [ \$? = 1 ]"
umount /sys/module
# The sanitizer layer's glibc build links Debian's liblzma, which verifies
# CRC64; only the musl builds carry the CRC32-only one (scripts/deps.sh).
if [ "${INITBOX_LAYER:-}" = asan ]; then
	skip "insmod of a CRC64 .ko.xz says the check is unsupported" "Debian's liblzma in the sanitizer build verifies CRC64"
else
	t "insmod of a CRC64 .ko.xz says the check is unsupported" sh -c \
		"'$INITBOX' insmod $T/crc64.ko.xz 2> $T/err; [ \$? = 1 ] && grep -q 'load $T/crc64.ko.xz: integrity check not supported' $T/err"
fi
ns_done
