# harness.sh - the boot harness itself: a PASS line passes, anything else
# (a FAIL line, a panic, silence) fails, and fails fast.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
boot_need harness
boot_kernel || { echo "FAIL: harness: cannot fetch the test kernel"; exit 1; }
w=$BOOT_WORK/harness
rm -rf "$w" && mkdir -p "$w/ok/bin" "$w/bad/bin" "$w/ok/proc"
bb=$(command -v busybox)
for d in ok bad; do cp "$bb" "$w/$d/bin/busybox"; done
cat > "$w/ok/init" <<'EOT'
#!/bin/busybox sh
echo "BOOT-RESULT: PASS"
/bin/busybox poweroff -f
EOT
cat > "$w/bad/init" <<'EOT'
#!/bin/busybox sh
echo "BOOT-RESULT: FAIL: on purpose"
exit 1
EOT
chmod +x "$w/ok/init" "$w/bad/init"
boot_cpio "$w/ok" "$w/ok.img"
boot_cpio "$w/bad" "$w/bad.img"
rc=0
if boot_run harness-ok "$w/ok.img" ""; then
	echo "PASS: a scenario printing BOOT-RESULT: PASS passes (${BOOT_SECONDS} s)"
else
	boot_report harness-ok "a scenario printing BOOT-RESULT: PASS passes"; rc=1
fi
if boot_run harness-bad "$w/bad.img" "" && false; then :; fi
if grep -q '^BOOT-RESULT: PASS' "$LOGS/boot-harness-bad.serial"; then
	echo "FAIL: a failing scenario is read as a failure: PASS seen"; rc=1
elif [ "${BOOT_SECONDS%.*}" -lt 60 ]; then
	echo "PASS: a failing scenario is read as a failure, and fast (${BOOT_SECONDS} s)"
else
	echo "FAIL: a failing scenario is read as a failure, and fast: took ${BOOT_SECONDS} s"; rc=1
fi
exit $rc
