# modules_compressed.sh - compressed modules (.ko.xz, .ko.zst) loaded by
# initbox's insmod and modprobe under strace, both ways:
#  - the kernel decompresses: finit_module(fd, "", MODULE_INIT_COMPRESSED_FILE)
#    when /sys/module/compression names the file's codec (6.12 and 7.x:
#    CONFIG_MODULE_DECOMPRESS with xz);
#  - initbox decompresses and calls init_module: where the kernel offers
#    no decompression (6.1), or names another codec (forced here by
#    bind-mounting a file saying "zstd" over /sys/module/compression).
# The kernel never sees a compressed file without the flag ("Invalid ELF
# header" in its log). Modules are the kernel's own files; on a kernel
# that ships plain .ko (6.1) the test compresses copies with xz (CRC32,
# as the kernel's build does) and zstd.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
boot_need modules_compressed
boot_kernel || { echo "FAIL: modules_compressed: cannot fetch the test kernel"; exit 1; }
. "$TOP/scripts/lib/switchroot.sh"
for c in strace xz zstd; do
	command -v $c > /dev/null || { echo "FAIL: modules_compressed: needs $c (scripts/deps.sh test-tools)"; exit 1; }
done
w=$BOOT_WORK/modules_compressed
r=$w/root
rm -rf "$w" && mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" || exit 1
cp "$(command -v busybox)" "$r/bin/busybox" && ln -s busybox "$r/bin/sh" &&
	cp "$INITBOX" "$r/bin/initbox" || exit 1
sr_dynamic "$r" "$(command -v strace)" /bin/strace ||
	{ echo "FAIL: modules_compressed: cannot put strace in the image"; exit 1; }
# Three modules no device needs: loop (insmod by path, kernel path),
# isofs with cdrom (modprobe, forced userspace path), squashfs (zstd).
boot_modules "$r" loop isofs squashfs || { echo "FAIL: modules_compressed: the module subset"; exit 1; }
md=$r/lib/modules/$KVER
suf=$(kmod_file loop | sed 's/.*\(\.ko[.a-z]*\)$/\1/')
if [ "$suf" = .ko ]; then
	# 6.1: compress copies as 6.12 and 7.x ship them, squashfs as zstd
	for f in $(find "$md/kernel" -name '*.ko'); do
		case $f in
		*/squashfs.ko) zstd -q --rm -19 "$f" ;;
		*) xz --check=crc32 --lzma2=dict=1MiB "$f" ;;
		esac || { echo "FAIL: modules_compressed: cannot compress $f"; exit 1; }
	done
	depmod -b "$r" "$KVER" && rm -f "$md"/*.bin || exit 1
	shipped="plain .ko (compressed here)"
else
	shipped="$suf"
fi
loop=$(cd "$md" && find kernel -name 'loop.ko.*')

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
live() { [ "\$(busybox cat /sys/module/\$1/initstate 2>/dev/null)" = live ]; }
st() { strace -f -qq -e trace=finit_module,init_module -o /tmp/st "\$@"; }
kc=\$(busybox cat /sys/module/compression 2>/dev/null)
echo "KERNEL-DECOMPRESS: \${kc:-none}"

# 1. insmod of loop (xz) by path
st /bin/initbox insmod /lib/modules/$KVER/$loop; rc=\$?
echo "STRACE1: \$(busybox tr '\n' '|' < /tmp/st)"
if [ "\$kc" = xz ]; then
	if [ \$rc = 0 ] && live loop && busybox grep -q 'finit_module(.*MODULE_INIT_COMPRESSED_FILE) = 0' /tmp/st &&
		! busybox grep -q 'init_module(0x' /tmp/st; then
		ok "insmod loop.ko.xz: the kernel decompresses (finit_module with MODULE_INIT_COMPRESSED_FILE)"
	else no "insmod loop.ko.xz through the kernel" "rc \$rc"; fi
else
	if [ \$rc = 0 ] && live loop && busybox grep -q '^[0-9]* *init_module(0x.*) = 0' /tmp/st &&
		! busybox grep -q 'MODULE_INIT_COMPRESSED_FILE' /tmp/st; then
		ok "insmod loop.ko.xz on a kernel that cannot decompress (\${kc:-none}): initbox decompresses, init_module"
	else no "insmod loop.ko.xz decompressed by initbox" "rc \$rc"; fi
fi

# 2. modprobe isofs (with cdrom) with the kernel's codec hidden: the
# userspace path, whatever the kernel offers
if [ -n "\$kc" ]; then
	echo zstd > /tmp/fakecomp
	busybox mount --bind /tmp/fakecomp /sys/module/compression ||
		no "bind a fake /sys/module/compression" "mount failed"
fi
st /bin/initbox modprobe -v isofs > /tmp/o 2>&1; rc=\$?
echo "STRACE2: \$(busybox tr '\n' '|' < /tmp/st)"
if [ \$rc = 0 ] && live isofs && live cdrom &&
	[ "\$(busybox grep -c '^[0-9]* *init_module(0x.*) = 0' /tmp/st)" = 2 ] &&
	! busybox grep -q 'finit_module' /tmp/st; then
	ok "modprobe isofs with the kernel's decompression unavailable: both modules decompressed by initbox (init_module)"
else no "modprobe isofs decompressed by initbox" "rc \$rc \$(busybox cat /tmp/o)"; fi
[ -z "\$kc" ] || busybox umount /sys/module/compression

# 3. zstd where the kernel names xz: initbox decompresses (6.1: no codec)
sq=\$(busybox find /lib/modules -name 'squashfs.ko*')
st /bin/initbox insmod "\$sq"; rc=\$?
echo "STRACE3: \$(busybox tr '\n' '|' < /tmp/st) (\$sq)"
case \$sq in
*.zst) want=userspace; [ "\$kc" = zstd ] && want=kernel ;;
*.xz) want=userspace; [ "\$kc" = xz ] && want=kernel ;;
*) want=plain ;;
esac
if [ \$rc = 0 ] && live squashfs && case \$want in
	kernel) busybox grep -q 'MODULE_INIT_COMPRESSED_FILE) = 0' /tmp/st ;;
	userspace) busybox grep -q '^[0-9]* *init_module(0x.*) = 0' /tmp/st ;;
	*) busybox grep -q 'finit_module(.*, 0) = 0' /tmp/st ;;
	esac; then
	ok "insmod \${sq##*/} (kernel decompresses \${kc:-nothing}): loaded the \$want way"
else no "insmod \${sq##*/}" "rc \$rc, expected the \$want way"; fi

if busybox dmesg | busybox grep -q 'Invalid ELF header'; then
	no "the kernel never got a compressed file without the flag" "\$(busybox dmesg | busybox grep 'Invalid ELF')"
else ok "the kernel never got a compressed file without the flag"; fi
if [ \$fails = 0 ]; then echo "BOOT-RESULT: PASS"
else echo "BOOT-RESULT: FAIL: \$fails checks failed"; fi
busybox poweroff -f
EOT
chmod +x "$r/init"
boot_cpio "$r" "$w/initrd.img" || { echo "FAIL: modules_compressed: cpio"; exit 1; }
boot_run modules_compressed "$w/initrd.img" "quiet"
log=$LOGS/boot-modules_compressed.serial
echo "modules as the kernel ships them: $shipped; $(grep -ao -m1 'KERNEL-DECOMPRESS: .*' "$log")"
grep -a '^STRACE' "$log"
grep -a '^CHECK \(PASS\|FAIL\): ' "$log" | sed 's/^CHECK //'
n=$(grep -ac '^CHECK PASS: ' "$log")
[ "$n" -ge 4 ] || echo "FAIL: modules_compressed: expected 4 checks to pass, saw $n"
boot_report modules_compressed "compressed modules load through the kernel or through initbox, as the kernel allows"
