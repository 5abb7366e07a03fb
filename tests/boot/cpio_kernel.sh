# cpio_kernel.sh - the real client: the kernel itself unpacks cpio-pack
# archives (an uncompressed early segment, then xz or zstd), and one that
# cpio -o wrote by the initrd document's command (find . | cpio --quiet -H
# newc -o | gzip -9 -n, after the same early segment); /init checks
# contents, modes, owners, mtimes, symlinks, hardlinks and nodes.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
boot_need cpio_kernel
H=${INITBOX_HOST:-}
[ -x "$H" ] || { echo "FAIL: cpio_kernel: no host-profile binary at INITBOX_HOST (make CONFIG=host)"; exit 1; }
boot_kernel || { echo "FAIL: cpio_kernel: cannot fetch the test kernel"; exit 1; }
w=$BOOT_WORK/cpio_kernel
rm -rf "$w" && mkdir -p "$w/root/bin" "$w/root/etc/private" "$w/root/dev" \
	"$w/early/kernel/x86/microcode"
cp "$(command -v busybox)" "$w/root/bin/busybox"
r=$w/root
printf 'hello from cpio-pack\n' > "$r/etc/motd"
printf 'secret\n' > "$r/etc/private/key"
chmod 0640 "$r/etc/private/key"
chmod 0700 "$r/etc/private"
chown 12:34 "$r/etc/private/key"
printf 'x' > "$r/bin/suid"
chmod 4755 "$r/bin/suid"
printf 'shared\n' > "$r/bin/h1"
ln "$r/bin/h1" "$r/bin/h2"
ln -s ../etc/motd "$r/bin/motd-link"
mkfifo "$r/dev/fifo"
mknod "$r/dev/mynull" c 1 3
touch -d @1000000000 "$r/etc/motd"
touch -d @1234567890 "$r/etc/private"
printf 'GenuineIntel' > "$w/early/kernel/x86/microcode/GenuineIntel.bin"
cat > "$r/init" <<'EOT'
#!/bin/busybox sh
b=/bin/busybox
bad=
check() { # WHAT CONDITION...
	w=$1
	shift
	"$@" || { echo "check failed: $w"; bad="$bad $w"; }
}
check "file content" [ "$($b cat /etc/motd)" = "hello from cpio-pack" ]
check "file mode 0640" [ "$($b stat -c %a /etc/private/key)" = 640 ]
check "directory mode 0700" [ "$($b stat -c %a /etc/private)" = 700 ]
check "owner 12:34" [ "$($b stat -c %u:%g /etc/private/key)" = 12:34 ]
check "setuid bit" [ "$($b stat -c %a /bin/suid)" = 4755 ]
check "symlink" [ "$($b readlink /bin/motd-link)" = ../etc/motd ]
check "symlink resolves" [ "$($b cat /bin/motd-link)" = "hello from cpio-pack" ]
check "hardlink inode" [ "$($b stat -c %i /bin/h1)" = "$($b stat -c %i /bin/h2)" ]
check "hardlink count" [ "$($b stat -c %h /bin/h1)" = 2 ]
check "hardlink data" [ "$($b cat /bin/h1)" = shared ]
check "fifo" [ -p /dev/fifo ]
check "char device 1,3" [ "$($b stat -c %t,%T /dev/mynull)" = 1,3 ]
check "file mtime" [ "$($b stat -c %Y /etc/motd)" = 1000000000 ]
check "directory mtime" [ "$($b stat -c %Y /etc/private)" = 1234567890 ]
check "early segment" [ "$($b cat /kernel/x86/microcode/GenuineIntel.bin)" = GenuineIntel ]
if [ -z "$bad" ]; then
	echo "BOOT-RESULT: PASS"
else
	echo "BOOT-RESULT: FAIL:$bad"
fi
$b poweroff -f
EOT
chmod 755 "$r/init"
rc=0
for c in xz zstd; do
	if ! "$H" cpio-pack -e "$w/early" -c $c -o "$w/initrd.$c" "$r"; then
		echo "FAIL: the kernel unpacks a cpio-pack image ($c): cpio-pack failed"
		rc=1
		continue
	fi
	if boot_run cpio_kernel-$c "$w/initrd.$c" ""; then
		echo "PASS: the kernel unpacks a cpio-pack image: early uncompressed segment + $c (${BOOT_SECONDS} s)"
	else
		boot_report cpio_kernel-$c "the kernel unpacks a cpio-pack image: early uncompressed segment + $c"
		rc=1
	fi
done
# cpio as installed under its name: the default (initramfs) profile's
mkdir -p "$w/path"
ln -sf "${INITBOX:-$TOP/build/initbox}" "$w/path/cpio"
if "$H" cpio-pack -o "$w/initrd.cpio-o" "$w/early" &&
   (cd "$r" && PATH=$w/path:$PATH &&
	find . | cpio --quiet -H newc -o | gzip -9 -n) >> "$w/initrd.cpio-o"; then
	if boot_run cpio_kernel-cpio-o "$w/initrd.cpio-o" ""; then
		echo "PASS: the kernel unpacks what find . | cpio --quiet -H newc -o | gzip -9 -n wrote (${BOOT_SECONDS} s)"
	else
		boot_report cpio_kernel-cpio-o "the kernel unpacks what find . | cpio --quiet -H newc -o | gzip -9 -n wrote"
		rc=1
	fi
else
	echo "FAIL: the kernel unpacks what find . | cpio --quiet -H newc -o | gzip -9 -n wrote: cpio -o failed"
	rc=1
fi
exit $rc
