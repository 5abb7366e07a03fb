# run_init.sh - klibc's CLI on the switch_root engine: -n, -p, -d, -c.
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
ns_tmp
. "$TOP/tests/ns/lib_root.sh"
O=$T/out

root_fresh || { fail "setup" "cannot build the fake initramfs"; exit 1; }
root_init "$T/nr" sbin/init 'echo INIT-RAN'
before="$(root_sum "$T/ir") $(root_sum "$T/nr")"
root_boot "$T/ir" "$O" "$ROOT_STD" '/bin/run-init -n /newroot /sbin/init; echo RC=$?; /bin/run-init -n -v /newroot /sbin/init; echo RC2=$?'
after="$(root_sum "$T/ir") $(root_sum "$T/nr")"
# silent as klibc's (Debian's /init asks twice a boot); "ready" with -v
if has RC=0 && has RC2=0 && [ "$(grep -c ready "$O")" = 1 ] && has "run-init: ready" &&
	[ "$before" = "$after" ] && ! has INIT-RAN; then
	pass "run-init -n checks, answers 0 and changes nothing (not even as a child of PID 1)"
else
	fail "run-init -n checks, answers 0 and changes nothing" "$(cat "$O" | tr '\n' '|')"
fi

root_boot "$T/ir" "$O" "$ROOT_STD" '/bin/run_init -n /newroot /sbin/nope; echo RC=$?'
if has RC=1 && has "INIT /sbin/nope: does not exist in NEWROOT" && ! has "using /sbin/init"; then
	pass "run_init -n answers 1 for a bad INIT without falling back (initramfs-tools validate_init)"
else
	fail "run_init -n answers 1 for a bad INIT without falling back" "$(cat "$O" | tr '\n' '|')"
fi

# As PID 1 a refusal does not exit (the kernel would panic): the
# initramfs's /bin/sh (here a script saying so) takes over.
root_fresh || exit 1
rm "$T/ir/bin/sh" && root_init "$T/ir" bin/sh 'echo "RESCUE-SH: pid $$ args $*"'
before="$(root_sum "$T/ir") $(root_sum "$T/nr")"
root_boot "$T/ir" "$O" "$ROOT_STD" 'exec /bin/run_init /newroot /sbin/nope'
after="$(root_sum "$T/ir") $(root_sum "$T/nr")"
if [ "$before" = "$after" ] && has "run_init: INIT /sbin/nope: does not exist in NEWROOT" &&
	has "run_init: nothing was changed; starting /bin/sh on the initramfs" &&
	has "RESCUE-SH: pid 1 args -i"; then
	pass "a refusal as PID 1: reason, nothing changed, the initramfs's shell as PID 1"
else
	fail "a refusal as PID 1: reason, nothing changed, the initramfs's shell as PID 1" "$(cat "$O" | tr '\n' '|')"
fi

root_fresh || exit 1
root_init "$T/nr" sbin/init 'echo "INIT-RAN: $1"'
root_boot "$T/ir" "$O" "$ROOT_STD" 'exec /bin/run_init -p /newroot /sbin/init kept'
if has "INIT-RAN: kept" && has "run_init: kept the old root (-p)" && [ -f "$T/ir/padding" ] &&
	[ -f "$T/ir/etc/deep/er/est/file" ]; then
	pass "-p switches and keeps the initramfs's files"
else
	fail "-p switches and keeps the initramfs's files" "$(ls "$T/ir" | tr '\n' ' ') $(head -n 3 "$O" | tr '\n' '|')"
fi

# -d: the usermodehelper files are global, so the test covers them with a
# tmpfs of its own before run_init may write them (and checks it did).
root_fresh || exit 1
root_init "$T/nr" sbin/init '/bin/busybox grep CapBnd /proc/self/status
echo "UMH-BSET: $(/bin/busybox cat /proc/sys/kernel/usermodehelper/bset)"
echo "UMH-INH: $(/bin/busybox cat /proc/sys/kernel/usermodehelper/inheritable)"'
UMH='
mount -t tmpfs umh proc/sys/kernel/usermodehelper
printf "4294967295\t255\n" > proc/sys/kernel/usermodehelper/bset
printf "4294967295\t255\n" > proc/sys/kernel/usermodehelper/inheritable'
root_boot "$T/ir" "$O" "$ROOT_STD$UMH" '/bin/busybox grep -q "	255$" /proc/sys/kernel/usermodehelper/bset || { echo "UMH NOT COVERED"; exit 9; }
exec /bin/run_init -d cap_sys_module,CAP_SYS_RAWIO /newroot /sbin/init'
bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' "$O")
if [ -n "$bnd" ] && [ $(( 0x$bnd & (1 << 16) )) = 0 ] && [ $(( 0x$bnd & (1 << 17) )) = 0 ] &&
	[ $(( 0x$bnd & (1 << 21) )) != 0 ]; then
	pass "-d removes the capabilities from the new init's bounding set (CapBnd $bnd)"
else
	fail "-d removes the capabilities from the new init's bounding set" "CapBnd '$bnd': $(head -n 3 "$O" | tr '\n' '|')"
fi
# 4294967295 minus bits 16 and 17
if grep -Eq "UMH-BSET: 4294770687[[:space:]]+255$" "$O" && grep -Eq "UMH-INH: 4294770687[[:space:]]+255$" "$O"; then
	pass "-d clears them from usermodehelper bset and inheritable"
else
	fail "-d clears them from usermodehelper bset and inheritable" "$(grep UMH "$O" | tr '\n' '|')"
fi

root_fresh || exit 1
root_boot "$T/ir" "$O" "$ROOT_STD" '/bin/run_init -d cap_bogus /newroot /sbin/init; echo RC=$?'
if has RC=2 && has "run_init: -d: unknown capability 'cap_bogus'"; then
	pass "an unknown capability name is a usage error"
else
	fail "an unknown capability name is a usage error" "$(cat "$O" | tr '\n' '|')"
fi

root_fresh || exit 1
root_init "$T/nr" sbin/init 'echo INIT-RAN'
root_boot "$T/ir" "$O" "$ROOT_STD" 'exec /bin/run_init /newroot /sbin/init'
if has INIT-RAN && has "run_init: freed" && [ -z "$(ls -A "$T/ir")" ]; then
	pass "without -p the initramfs is deleted and accounted, as switch_root"
else
	fail "without -p the initramfs is deleted and accounted, as switch_root" "$(head -n 3 "$O" | tr '\n' '|')"
fi

ns_done
