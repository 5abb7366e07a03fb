# chroot.sh - chroot DIR [COMMAND], for the classic initrd hand-off.
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
ns_tmp
need busybox
D=$T/root
mkdir -p "$D/bin" "$D/sbin"
cp "$(command -v busybox)" "$D/bin/busybox" && ln -s busybox "$D/bin/sh" && ln -s busybox "$D/bin/cat"
echo inside > "$D/marker"

out=$("$INITBOX" chroot "$D" /bin/cat /marker 2>&1)
[ "$out" = inside ] && pass "runs COMMAND with DIR as its root" || fail "runs COMMAND with DIR as its root" "$out"

out=$(echo 'echo "sh-in-$(cat /marker)"' | "$INITBOX" chroot "$D" 2>/dev/null)
case $out in *sh-in-inside*) pass "without COMMAND it runs /bin/sh" ;; *) fail "without COMMAND it runs /bin/sh" "$out" ;; esac

out=$(cd "$D" && "$INITBOX" chroot . /bin/sh -c 'pwd; cat marker' 2>&1)
[ "$out" = "/
inside" ] && pass "the classic 'chroot . init' form starts at the new /" || fail "the classic 'chroot . init' form starts at the new /" "$out"

"$INITBOX" chroot "$D" /sbin/nope 2> "$T/err"; rc=$?
[ $rc = 127 ] && grep -q "run /sbin/nope" "$T/err" && pass "a missing COMMAND exits 127" || fail "a missing COMMAND exits 127" "rc=$rc $(cat "$T/err")"

"$INITBOX" chroot "$T/nowhere" /bin/sh 2> "$T/err"; rc=$?
[ $rc = 125 ] && grep -q "change root to $T/nowhere" "$T/err" && pass "a missing DIR exits 125" || fail "a missing DIR exits 125" "rc=$rc $(cat "$T/err")"
ns_done
