# init_script.sh - the /init script's decisions (scripts/init), under
# busybox ash and under dash. INIT_DRYRUN=1 parses the given command line
# and prints its decisions and the applet calls it would make, touching
# nothing; the qemu scenarios (tests/boot/live_*.sh) run the same script
# for real.
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
ns_tmp
need busybox dash

init=$TOP/scripts/init
# The dry run splits INIT_CMDLINE with the cmdline applet, found in INIT_BIN.
mkdir -p "$T/bin" && ln -sf "$INITBOX" "$T/bin/cmdline"
# The profile's applet file names; an applet is called by that name or with
# '-' for '_' (mount_overlay.c is mount-overlay).
applets=$(sed -n 's/^APPLETS = //p; s/^\t  //p' "$TOP/config/default.mk" | tr -d '\\')
applets=$(echo "$applets $(echo "$applets" | tr _ -)" | tr '\n' ' ')
only_applets() {
	for c in $(sed -n 's/^run: \([^ ]*\).*/\1/p' "$T/out"); do
		case " $applets " in *" $c "*) ;; *) echo "not an applet: $c" >> "$T/out"; return 1 ;; esac
	done
}

# busybox-static's sh runs its own applet for a bare "mount" (it is built
# with FEATURE_SH_STANDALONE), so the script must name every applet by path.
bare=$(sed 's/#.*//' "$init" "$init-functions" | grep -nE "(^|[|;&]|exec|then|do|else)[[:space:]]*($(echo $applets | tr ' ' '|'))([[:space:]]|\$)")
if [ -z "$bare" ]; then
	pass "every applet is called by path, never by a bare name busybox sh would take"
else
	fail "every applet is called by path, never by a bare name busybox sh would take" "$bare"
fi

# The third is the image's default shell: the static (musl) dash that
# scripts/deps.sh builds from Debian's source.
sdash=$TOP/build/deps/bin/dash
[ -x "$sdash" ] || fail "the static dash is built" "no $sdash (scripts/deps.sh libs)"
for sh in "busybox sh" dash static-dash; do
	s=${sh%% *}
	if [ "$s" = static-dash ]; then
		[ -x "$sdash" ] || continue
		sh=$sdash
	fi
	plan() { # WORD... -> $T/out
		INIT_DRYRUN=1 $sh "$init" "$@" > "$T/out" 2>&1
	}
	has() { grep -qxF -- "$1" "$T/out"; }
	lacks() { ! grep -qF -- "$1" "$T/out"; }
	# has_in_order LINE...: the lines appear, in this order
	has_in_order() {
		awk 'BEGIN { for (i = 1; i < ARGC; i++) w[i] = ARGV[i]; n = ARGC - 1; ARGC = 1; k = 1 }
		$0 == w[k] { k++ } END { exit k <= n }' "$@" < "$T/out"
	}
	why() { tr '\n' '|' < "$T/out" | tail -c 600; }
	check() { # NAME CONDITION...
		n=$1
		shift
		if "$@"; then pass "$s: $n"; else fail "$s: $n" "$(why)"; fi
	}

	line() { # LINE -> $T/out: LINE as /proc/cmdline
		INIT_DRYRUN=1 INIT_BIN=$T/bin INIT_CMDLINE="$1" $sh "$init" > "$T/out" 2>&1
	}
	line 'console=ttyS0 live.media="LABEL=My Live Disk" "live.image=/my dir/x.sfs" live.timeout=5'
	check "quoted values keep their blanks and lose the quotes, as the kernel splits" \
		has_in_order "media=LABEL=My Live Disk" \
		"run: findmedia -t 5 -m /run/initbox/medium 'LABEL=My Live Disk'" \
		"image=/run/initbox/medium/my dir/x.sfs" \
		"run: mount -r -o loop '/run/initbox/medium/my dir/x.sfs' /run/initbox/rootfs"
	# The kernel drops only the quotes that open a word or its value;
	# findmedia drops those around a tag's value, as blkid does.
	line 'live.media=LABEL="My Live Disk" live.timeout=5'
	check "LABEL=\"My Live Disk\" keeps its quotes for findmedia, as the kernel passes it" \
		has_in_order "media=LABEL=\"My Live Disk\"" \
		"run: findmedia -t 5 -m /run/initbox/medium 'LABEL=\"My Live Disk\"'"
	line 'live.image="/a b.sfs" live.cow="LABEL=x y'
	check "a searched image name with a blank; a quote left open runs to the end" \
		has_in_order "search=file=/a b.sfs" "run: findmedia -t 30 -m /run/initbox/medium 'file=/a b.sfs'" \
		"cow=persistent:LABEL=x y"
	# A newline inside quotes is part of the value, not the end of the
	# line; words after "--" are init's arguments, never keys.
	line "live.media=\"LABEL=a
b\" quiet -- live.image=/nope"
	check "a newline inside quotes stays in the value; words after -- are no keys" \
		has_in_order "run: findmedia -t 30 -m /run/initbox/medium 'LABEL=a" "b'" \
		"image=/run/initbox/medium/live/rootfs.squashfs"
	check "no key after --" eval '! grep -q nope "$T/out"'
	plan quiet
	check "no root= is a live boot searching every medium for /live/rootfs.squashfs for 30 s" \
		has_in_order "mode=live" "run: modprobe -q -C -w 30 -a loop squashfs overlay" \
		"search=file=/live/rootfs.squashfs" \
		"run: findmedia -t 30 -m /run/initbox/medium file=/live/rootfs.squashfs" \
		"image=/run/initbox/medium/live/rootfs.squashfs" \
		"run: mount -r -o loop /run/initbox/medium/live/rootfs.squashfs /run/initbox/rootfs" \
		"run: mount-overlay -c /run/initbox/cow /run/initbox/rootfs /new_root" \
		"run: switch_root -n /new_root /sbin/init" "run: switch_root /new_root /sbin/init"
	check "proc, sys, dev, then the drivers start, then /run, before any medium is searched" \
		has_in_order "run: mount -t proc -o nosuid,nodev,noexec proc /proc" \
		"run: mount -t sysfs -o nosuid,nodev,noexec sysfs /sys" \
		"run: mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev" "mode=live" \
		"run: modprobe -q -C -w 30 -a loop squashfs overlay" \
		"run: mount -t tmpfs -o nosuid,nodev,mode=0755,size=20% tmpfs /run" \
		"run: cpio-unpack -C /run /lib/initbox/run.cpio" \
		"run: findmedia -t 30 -m /run/initbox/medium file=/live/rootfs.squashfs"
	check "every mount point of /init lies under /run/initbox or is /new_root" sh -c \
		"grep '^run: \\(mount\\|findmedia\\|mount-overlay\\)' '$T/out' | awk '{ print \$NF }' |
		 grep -v '^/\\(proc\\|sys\\|dev\\|run\\|new_root\\)\$' | grep -v '^/run/initbox/' |
		 grep -v '^file=\\|^LABEL=' | { ! grep .; }"
	check "it runs nothing but initbox applets" only_applets
	check "quiet silences the progress lines" sh -c "! grep -q '^initbox:' '$T/out'"

	plan live.media=LABEL=LIVE live.timeout=7
	check "live.media= and live.timeout= name the medium and bound the wait" \
		has "run: findmedia -t 7 -m /run/initbox/medium LABEL=LIVE"
	check "the progress lines say what was found" has "initbox: medium ? holds /live/rootfs.squashfs"

	plan live.image=/boot/x.erofs live.media=UUID=1-2
	check "an erofs live.image loads erofs before the loop mount" \
		has_in_order "run: findmedia -t 30 -m /run/initbox/medium UUID=1-2" "run: modprobe -q erofs" \
		"run: mount -r -o loop /run/initbox/medium/boot/x.erofs /run/initbox/rootfs"

	plan live.toram
	check "live.toram copies the image to a tmpfs, releases the medium, mounts the copy" \
		has_in_order "run: mount -t tmpfs -o mode=0755 tmpfs /run/initbox/toram" \
		"run: cpio-pack -s - <<< file rootfs.squashfs /run/initbox/medium/live/rootfs.squashfs 0644 0 0 | cpio-unpack -C /run/initbox/toram" \
		"run: umount /run/initbox/medium" \
		"run: mount -r -o loop /run/initbox/toram/rootfs.squashfs /run/initbox/rootfs"

	H=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	plan live.verity=$H
	check "live.verity= maps the image through dm-verity and mounts the mapping" \
		has_in_order "verity=$H" "verity.on_corruption=eio" "run: modprobe -q dm-verity" \
		"run: verity open /run/initbox/medium/live/rootfs.squashfs live-root /run/initbox/medium/live/rootfs.squashfs $H" \
		"run: mount -r /dev/mapper/live-root /run/initbox/rootfs"
	check "live.verity= starts the watcher from the hand-back's copy, after it and before the switch" \
		has_in_order "handback=/run/initramfs/shutdown" "verity.watch=live-root" \
		"run: /run/initramfs/bin/initbox verity watch --root=/run/initramfs live-root" \
		"run: switch_root -n /new_root /sbin/init"
	plan live.verity=$H initbox.handback=no
	check "without the hand-back, no watcher" lacks "verity.watch=live-root"
	plan roothash=$H live.verity.hash=/live/rootfs.verity live.verity.on_corruption=restart live.check
	check "roothash=, a separate tree, restart on corruption, and live.check through a mapping of its own" \
		has_in_order "run: verity open /run/initbox/medium/live/rootfs.squashfs live-check /run/initbox/medium/live/rootfs.verity $H" \
		"run: verity check /dev/mapper/live-check" "run: verity close live-check" \
		"run: verity open --restart-on-corruption /run/initbox/medium/live/rootfs.squashfs live-root /run/initbox/medium/live/rootfs.verity $H" \
		"run: mount -r /dev/mapper/live-root /run/initbox/rootfs"
	plan live.verity=$H live.verity.on_corruption=reboot
	check "an unknown live.verity.on_corruption is said and eio used" \
		has_in_order "initbox: ignoring live.verity.on_corruption=reboot (eio, restart or panic); using eio" \
		"verity.on_corruption=eio" "run: verity open /run/initbox/medium/live/rootfs.squashfs live-root /run/initbox/medium/live/rootfs.squashfs $H"
	plan live.verity=$H live.verity.hash=/live/t.verity live.toram
	check "live.toram copies a separate tree with the image" \
		has "run: verity open /run/initbox/toram/rootfs.squashfs live-root /run/initbox/toram/t.verity $H"
	plan rd.live.check
	check "live.check without verity reads the image once before the loop mount" \
		has_in_order "run: verity check /run/initbox/medium/live/rootfs.squashfs" \
		"run: mount -r -o loop /run/initbox/medium/live/rootfs.squashfs /run/initbox/rootfs"

	plan live.cow=512M
	check "live.cow=SIZE sizes the tmpfs upper" \
		has "run: mount-overlay -s 512M -c /run/initbox/cow /run/initbox/rootfs /new_root"
	plan live.cow=50%
	check "live.cow=50% is a size too" \
		has "run: mount-overlay -s 50% -c /run/initbox/cow /run/initbox/rootfs /new_root"
	plan live.cow=LABEL=PERSIST
	check "live.cow=SPEC keeps the upper on that device" \
		has_in_order "cow=persistent:LABEL=PERSIST" \
		"run: findmedia -t 30 LABEL=PERSIST" \
		"run: chroot /run/initbox/rootfs fsck LABEL=PERSIST" \
		"run: findmedia -m /run/initbox/persist -w LABEL=PERSIST" \
		"run: mount-overlay -p /run/initbox/persist /run/initbox/rootfs /new_root"
	check "with live.cow=SPEC the image's modules load in the foreground: the driver watch goes on until the persistence is found" \
		has_in_order "run: findmedia -t 30 -m /run/initbox/medium file=/live/rootfs.squashfs" \
		"run: modprobe -q -a loop squashfs overlay" \
		"run: findmedia -t 30 LABEL=PERSIST"
	plan live.cow=LABEL=PERSIST fsck.mode=force fsck.repair=yes
	check "fsck.mode=force fsck.repair=yes (systemd's keys): a full pass that repairs" \
		has "run: chroot /run/initbox/rootfs fsck -f -y LABEL=PERSIST"
	plan live.cow=LABEL=PERSIST fsck.mode=skip
	check "fsck.mode=skip: no check" lacks "run: chroot /run/initbox/rootfs fsck"
	plan live.cow=LABEL=PERSIST fsck.mode=always fsck.repair=maybe
	check "unknown fsck.mode and fsck.repair are said and the defaults used" \
		has_in_order "initbox: ignoring fsck.mode=always (auto, force or skip)" \
		"initbox: ignoring fsck.repair=maybe (preen, yes or no)" \
		"run: chroot /run/initbox/rootfs fsck LABEL=PERSIST"
	plan live.persist
	check "live.persist: the stick's INITBOX_PERSIST partition through a loop device, checked, then the overlay" \
		has_in_order "persist=stick:INITBOX_PERSIST" \
		"run: losetup -f --show /dev/sdX3" \
		"run: chroot /run/initbox/rootfs fsck /dev/loopN" \
		"run: mount-overlay -p /dev/loopN -c /run/initbox/persist /run/initbox/rootfs /new_root"
	plan live.persist live.cow=LABEL=OTHER
	check "live.cow=SPEC wins over live.persist" sh -c "! grep -q 'persist=stick' '$T/out' && grep -qxF 'cow=persistent:LABEL=OTHER' '$T/out'"
	plan live.cow=LABEL=STICK:/live/persist.img
	check "live.cow=SPEC:/PATH: the file on that device, through a loop device, checked first" \
		has_in_order "cow=persistent:LABEL=STICK:/live/persist.img" \
		"run: findmedia -t 30 LABEL=STICK" \
		"run: findmedia -m /run/initbox/cowdev -w LABEL=STICK" \
		"run: losetup -f --show /run/initbox/cowdev/live/persist.img" \
		"run: chroot /run/initbox/rootfs fsck /dev/loopN" \
		"run: mount-overlay -p /dev/loopN -c /run/initbox/persist /run/initbox/rootfs /new_root"

	plan archisolabel=ARCH_202601 archisobasedir=arch copytoram cow_spacesize=1G
	a=x86_64
	[ -r /proc/sys/kernel/arch ] && read -r a < /proc/sys/kernel/arch
	check "archiso's names are aliases of the live keys" \
		has_in_order "run: findmedia -t 30 -m /run/initbox/medium LABEL=ARCH_202601" \
		"run: umount /run/initbox/medium" \
		"image=/run/initbox/toram/airootfs.sfs" \
		"run: mount-overlay -s 1G -c /run/initbox/cow /run/initbox/rootfs /new_root"
	plan archisobasedir=arch
	check "archisobasedir alone searches for BASEDIR/ARCH/airootfs.sfs" \
		has "run: findmedia -t 30 -m /run/initbox/medium file=/arch/$a/airootfs.sfs"
	plan cow_label=KEEP copytoram=n
	check "cow_label= is a persistent cow; copytoram=n does not copy" sh -c \
		"grep -qxF 'cow=persistent:LABEL=KEEP' '$T/out' && grep -qxF 'toram=0' '$T/out'"

	plan root=live:CDLABEL_X
	check "root=live:SPEC is a live boot from SPEC" \
		has "run: findmedia -t 30 -m /run/initbox/medium CDLABEL_X"

	plan root=UUID=0a1b rootfstype=ext4 rootflags=noatime,commit=5 rw rootdelay=5 init=/bin/sh
	check "root= is a disk boot: wait rootdelay, mount with type, rw and flags, switch to init=" \
		has_in_order "mode=disk" "run: modprobe -q -C -w 5" \
		"run: findmedia -t 5 UUID=0a1b" \
		"run: mount -t ext4 -o rw,noatime,commit=5 UUID=0a1b /new_root" \
		"run: switch_root -n /new_root /bin/sh" "run: switch_root /new_root /bin/sh"
	plan root=/dev/vda2
	check "a disk root is mounted read-only with a probed type by default" \
		has "run: mount -o ro /dev/vda2 /new_root"
	check "a disk boot loads no image" sh -c "! grep -q 'loop\\|mount-overlay' '$T/out'"

	plan live.media=LABEL=L
	check "a live boot leaves the hand-back in /run/initramfs before the switch" \
		has_in_order "handback=/run/initramfs/shutdown" \
		"run: cpio-pack -s - <<< file bin/initbox /bin/initbox 0755 0 0" \
		"slink shutdown bin/initbox 0777 0 0 | cpio-unpack -C /run/initramfs" \
		"run: switch_root /new_root /sbin/init"
	plan live.media=LABEL=L initbox.handback=no
	check "initbox.handback=no leaves none" sh -c "! grep -q 'handback\\|/run/initramfs' '$T/out'"
	plan root=/dev/vda2
	check "a disk boot leaves no hand-back by default" sh -c "! grep -q 'handback' '$T/out'"
	plan root=/dev/vda2 initbox.handback=yes
	check "a disk boot leaves one on request" has "handback=/run/initramfs/shutdown"

	plan break=premount live.media=LABEL=L
	check "break=premount stops before the medium is searched" \
		has_in_order "break: premount" "run: findmedia -t 30 -m /run/initbox/medium LABEL=L"
	plan break=postmount
	check "break=postmount stops after /new_root is ready, before the switch" \
		has_in_order "run: mount-overlay -c /run/initbox/cow /run/initbox/rootfs /new_root" \
		"break: postmount" "run: switch_root -n /new_root /sbin/init"

	plan legacy.initrd=/boot/old.img root=/dev/vda1 init=/etc/rc
	check "legacy.initrd= hands the image to initrd-host (checked first) with root= and init=" \
		has_in_order "mode=legacy" "legacy.initrd=/boot/old.img" "run: modprobe -q loop" \
		"run: mount -t tmpfs -o nosuid,nodev,mode=0755,size=20% tmpfs /run" \
		"run: initrd-host -n -r /dev/vda1 /boot/old.img /etc/rc" \
		"run: initrd-host -r /dev/vda1 /boot/old.img /etc/rc"
	check "a legacy boot runs no coldplug (the image's /linuxrc loads its drivers), searches no medium, mounts no root" \
		sh -c "! grep -q 'modprobe -q -C\|findmedia\|/new_root\|switch_root' '$T/out'"
	plan legacy.initrd=/old.img break=premount
	check "break=premount stops before initrd-host" \
		has_in_order "break: premount" "run: initrd-host -n /old.img /sbin/init"
	plan initrd=/boot/initrd.img live.media=LABEL=L
	check "the bootloader's own initrd= is not a legacy image" \
		sh -c "grep -qxF 'mode=live' '$T/out' && ! grep -q 'initrd-host' '$T/out'"

	plan live.timeout=soon rootdelay=-1
	check "malformed numbers are reported and the defaults kept" \
		has_in_order "initbox: ignoring live.timeout=soon (not a number of seconds); using 30" \
		"run: findmedia -t 30 -m /run/initbox/medium file=/live/rootfs.squashfs"
	plan 'root=$(reboot)' '*'
	check "values are data: no expansion, no globbing" \
		has 'root=$(reboot)'

	# Without INIT_DRYRUN and not PID 1, it refuses before touching anything.
	(cd "$T" && $sh "$init" > "$T/out" 2>&1)
	rc=$?
	check "outside PID 1 it refuses with exit 2 and mounts nothing" sh -c \
		"[ $rc = 2 ] && grep -q 'not PID 1' '$T/out' && ! grep -q ' /run/initbox' /proc/self/mountinfo"
done

# --- scripts/mkinitramfs: the image this /init runs in -------------------
# The module tree of the test kernel (KERNEL, default bookworm's 6.1), the
# suffix of its module files (.ko; .ko.xz on 6.12 and 7.x) and its hash
# module for signatures (none on 7.x).
kroot= suf= hashmod=
if kinfo=$(. "$TOP/scripts/lib/boot.sh" && boot_kernel > /dev/null 2>&1 &&
	echo "$KROOT" && kmod_file loop | sed 's/.*\(\.ko[.a-z]*\)$/\1/' && kmod_hash_module); then
	kroot=$(echo "$kinfo" | sed -n 1p)
	suf=$(echo "$kinfo" | sed -n 2p)
	hashmod=$(echo "$kinfo" | sed -n 3p)
fi
if [ -n "${INITBOX_HOST:-}" ] && [ -x "$INITBOX_HOST" ] && [ -d "$kroot/lib/modules" ]; then
	mk() { INITBOX=$INITBOX sh "$TOP/scripts/mkinitramfs" -b "$kroot" "$@"; }
	if mk -o "$T/a.img" > "$T/mk.out" 2>&1 && mk -o "$T/b.img" > /dev/null 2>&1; then
		pass "mkinitramfs builds the default live image"
	else
		fail "mkinitramfs builds the default live image" "$(tail -n 3 "$T/mk.out")"
	fi
	t "the same inputs give the same bytes" cmp "$T/a.img" "$T/b.img"
	t "it prints the image size and the unpacked size" \
		grep -qE '^mkinitramfs: .*a\.img: [0-9.]+ MiB \(xz\), [0-9.]+ MiB unpacked' "$T/mk.out"
	mkdir "$T/a" && "$INITBOX_HOST" cpio-unpack -C "$T/a" "$T/a.img" 2> "$T/err" ||
		fail "the image unpacks" "$(cat "$T/err")"
	kv=$(ls "$T/a/lib/modules" 2>/dev/null)
	md=$T/a/lib/modules/$kv
	t "/init is scripts/init, executable" sh -c "cmp '$T/a/init' '$init' && [ -x '$T/a/init' ]"
	t "/init-functions beside it is scripts/init-functions" cmp "$T/a/init-functions" "$init-functions"
	t "every applet is a link to initbox in /bin, and /sbin is /bin" sh -c \
		"for a in \$('$INITBOX' --list); do [ \"\$(readlink '$T/a/bin/'\$a)\" = initbox ] || exit 1; done &&
		 [ \"\$(readlink '$T/a/sbin')\" = bin ]"
	t "the shell is the static dash scripts/deps.sh built, the only file in /bin besides initbox" sh -c \
		"cmp '$T/a/bin/sh' '$TOP/build/deps/bin/dash' && file -b '$T/a/bin/sh' | grep -q 'statically linked' &&
		 [ \$(ls '$T/a/bin' | wc -l) = \$(( \$('$INITBOX' --list | wc -l) + 2 )) ]"
	t "the image holds no /initrd.image without -I" sh -c "[ ! -e '$T/a/initrd.image' ]"
	printf 'not really ext2\n' > "$T/old.img"
	mk -o "$T/b.img" -m loop -s busybox -I "$T/old.img" > "$T/mk.out" 2>&1
	mkdir "$T/b" && "$INITBOX_HOST" cpio-unpack -C "$T/b" "$T/b.img" 2> /dev/null
	t "-s busybox brings busybox-static as sh only; -I puts the legacy image in as /initrd.image" sh -c \
		"cmp '$T/b/bin/sh' \$(command -v busybox) && [ ! -e '$T/b/bin/busybox' ] &&
		 cmp '$T/b/initrd.image' '$T/old.img'"
	mk -o "$T/p.img" -m loop -p sr_mod > "$T/mk.out" 2>&1
	mkdir "$T/p" && "$INITBOX_HOST" cpio-unpack -C "$T/p" "$T/p.img" 2> /dev/null
	t "-p adds the module (with its dependencies) and lists it in /lib/initbox/preload for /init" sh -c \
		"[ \"\$(cat '$T/p/lib/initbox/preload')\" = sr_mod ] &&
		 find '$T/p/lib/modules' -name sr_mod.ko | grep -q . && find '$T/p/lib/modules' -name cdrom.ko | grep -q . &&
		 find '$T/p/lib/modules' -name loop.ko | grep -q ."
	t "without -p there is no preload list" sh -c "[ ! -e '$T/a/lib/initbox/preload' ]"
	if [ -n "$hashmod" ]; then
		t "the module for the signatures' hash ($hashmod) is in and named in /lib/initbox/first" sh -c \
			"[ \"\$(cat '$T/a/lib/initbox/first')\" = $hashmod ] &&
			 find '$T/a/lib/modules' -name '$(echo $hashmod | tr _ -).ko' | grep -q ."
	else
		t "a kernel with its signatures' hash built in gets no /lib/initbox/first" \
			test ! -e "$T/a/lib/initbox/first"
	fi
	t "a small module set (-m loop) goes without it" sh -c \
		"[ ! -e '$T/b/lib/initbox/first' ] && ! find '$T/b/lib/modules' -name 'sha256*' | grep -q ."
	mk -o "$T/c.img" -m loop -I "$T/none.img" > "$T/mk.out" 2>&1
	t "-I with a missing image is an error naming it" sh -c \
		"grep -q 'no legacy initrd image at $T/none.img' '$T/mk.out' && [ ! -e '$T/c.img' ]"
	t "a named module comes with every dependency from modules.dep" sh -c \
		"grep -q '^kernel/drivers/scsi/sr_mod.ko: .*scsi_mod.ko.*cdrom.ko' '$md/modules.dep' &&
		 [ -f '$md/kernel/drivers/cdrom/cdrom.ko' ] && [ -f '$md/kernel/drivers/scsi/scsi_common.ko' ] &&
		 [ -f '$md/kernel/fs/squashfs/squashfs.ko' ] && [ -f '$md/kernel/fs/overlayfs/overlay.ko' ]"
	t "modules.dep and modules.alias list only the modules in the image" sh -c \
		"n=\$(find '$md/kernel' -name '*.ko' | wc -l) && [ \$(wc -l < '$md/modules.dep') = \$n ] &&
		 ! grep -q 'e1000' '$md/modules.alias' && grep -q ' virtio_blk\$' '$md/modules.alias' &&
		 [ -f '$md/modules.builtin' ] && ! ls '$md'/*.bin 2>/dev/null | grep -q ."
	t "the /run skeleton holds the mount points /init uses and the hand-back's root" sh -c \
		"'$INITBOX_HOST' cpio-unpack -t '$T/a/lib/initbox/run.cpio' | sort | tr '\\n' ' ' |
		 grep -q 'initbox initbox/cow initbox/cowdev initbox/medium initbox/persist initbox/rootfs initbox/toram initramfs initramfs/bin initramfs/dev initramfs/oldroot initramfs/proc initramfs/sys'"
	mk -o "$T/c2.img" -m ata_piix -c none > "$T/mk.out" 2>&1
	mkdir "$T/c2" && "$INITBOX_HOST" cpio-unpack -C "$T/c2" "$T/c2.img" 2> /dev/null
	t "a storage controller (ata_piix) brings the class drivers sd_mod and sr_mod" sh -c \
		"find '$T/c2/lib/modules' -name 'sd_mod.ko' | grep -q . && find '$T/c2/lib/modules' -name 'sr_mod.ko' | grep -q . &&
		 find '$T/c2/lib/modules' -name 'ata_piix.ko' | grep -q ."
	# profiles: pc brings the PC's controllers the kernel has, leaves out
	# (and says, with -v) what it lacks or has built in
	mk -o "$T/pc.img" -P pc -v -c none > "$T/mk-pc.out" 2>&1
	mkdir "$T/pc" && "$INITBOX_HOST" cpio-unpack -C "$T/pc" "$T/pc.img" 2> /dev/null
	t "-P pc: ATA, SATA and the class drivers in, what the kernel lacks said with -v" sh -c \
		"for m in ata_piix sd_mod sr_mod virtio_blk squashfs overlay isofs; do
			find '$T/pc/lib/modules' -name \$m.ko | grep -q . || exit 1
		 done &&
		 [ \$(find '$T/pc/lib/modules' -name 'pata_*.ko' | wc -l) = \$(grep -o '/pata_[a-z0-9_]*\.ko' '$kroot/lib/modules/'*/modules.dep | sort -u | grep -vc 'pata_pcmcia\|pata_legacy') ] &&
		 ! find '$T/pc/lib/modules' -name 'pata_legacy.ko' | grep -q . &&
		 grep -q '^mkinitramfs: profile pc: ext4 is built in' '$T/mk-pc.out' &&
		 grep -q '^mkinitramfs: .*pc.img: ' '$T/mk-pc.out'"
	mk -o "$T/pv.img" -P virt > /dev/null 2>&1
	t "without -m and -P the image is -P virt's" cmp "$T/a.img" "$T/pv.img"
	mk -o "$T/pm.img" -P virt -m ata_piix -c none > /dev/null 2>&1
	mkdir "$T/pm" && "$INITBOX_HOST" cpio-unpack -C "$T/pm" "$T/pm.img" 2> /dev/null
	t "-P and -m combine" sh -c \
		"find '$T/pm/lib/modules' -name ata_piix.ko | grep -q . && find '$T/pm/lib/modules' -name virtio_blk.ko | grep -q ."
	mk -o "$T/px.img" -P desktop > "$T/mk.out" 2>&1
	t "-P with an unknown profile is a usage error naming the profiles of config/modules" sh -c \
		"grep -q -- '-P takes host, a file or one of pc virt' '$T/mk.out' && [ ! -e '$T/px.img' ]"
	printf '# mine\nloop\n?none_such\n?nls_*\n!nls_[!a]*\n' > "$T/mine"
	mk -o "$T/pf.img" -P "$T/mine" -v -c none > "$T/mk.out" 2>&1
	mkdir "$T/pf" && "$INITBOX_HOST" cpio-unpack -C "$T/pf" "$T/pf.img" 2> /dev/null
	t "-P FILE: a profile of one's own, its glob less the excluded, its optional entry the kernel lacks said with -v" sh -c \
		"[ \"\$(cd '$T/pf/lib/modules' && find . -name '*.ko' | sed 's|.*/||' | sort | tr '\\n' ' ')\" = 'loop.ko nls_ascii.ko ' ] &&
		 grep -q '^mkinitramfs: profile $T/mine: none_such is not in this kernel' '$T/mk.out'"
	printf 'loop\nnone_such\n' > "$T/mine2"
	mk -o "$T/pf2.img" -P "$T/mine2" > "$T/mk.out" 2>&1
	t "-P FILE: a required entry the kernel lacks is an error naming it" sh -c \
		"grep -q 'unknown module none_such' '$T/mk.out' && [ ! -e '$T/pf2.img' ]"
	t "the /run skeleton is the directories scripts/run-skeleton names" sh -c \
		"[ \"\$('$INITBOX_HOST' cpio-unpack -t '$T/a/lib/initbox/run.cpio' | grep / | sort | tr '\\n' ' ')\" = \
		   \"\$(grep -v '^#' '$TOP/scripts/run-skeleton' | while read -r d _; do echo \$d; done | sort | tr '\\n' ' ')\" ]"
	mk -o "$T/m.img" -m loop -m none_such > "$T/mk.out" 2>&1
	t "an unknown module is an error naming it" sh -c \
		"grep -q 'unknown module none_such' '$T/mk.out' && [ ! -e '$T/m.img' ]"
	mk -o "$T/d.img" -m loop -s dash -c zstd > "$T/mk.out" 2>&1
	mkdir "$T/d" && "$INITBOX_HOST" cpio-unpack -C "$T/d" "$T/d.img" 2> /dev/null
	t "-s dash brings Debian's dash with its loader and libc" sh -c \
		"cmp '$T/d/bin/sh' \$(command -v dash) && [ -f '$T/d/lib64/ld-linux-x86-64.so.2' ] &&
		 ls '$T/d'/lib/*/libc.so.6 > /dev/null"
	t "-m names exactly the modules (with dependencies) and -c zstd compresses" sh -c \
		"[ \$(find '$T/d/lib/modules' -name '*.ko' | wc -l) = 1 ] &&
		 [ \"\$(head -c 4 '$T/d.img' | od -An -tx1 | tr -d ' ')\" = 28b52ffd ]"
	# modules are stored decompressed by default (.ko, one compression
	# layer), as the kernel ships them with -M keep
	mk -o "$T/k.img" -m loop -M keep -c none > "$T/mk.out" 2>&1
	mkdir "$T/k" && "$INITBOX_HOST" cpio-unpack -C "$T/k" "$T/k.img" 2> /dev/null
	t "modules go in decompressed by default, as the kernel ships them ($suf) with -M keep" sh -c \
		"f=\$(find '$T/k/lib/modules' -name 'loop.ko*') && [ \"\${f##*/}\" = loop$suf ] &&
		 grep -q 'loop$suf:' '$T/k/lib/modules/'*/modules.dep &&
		 [ \$(find '$T/d/lib/modules' -name 'loop.ko' | wc -l) = 1 ] &&
		 [ \"\$(head -c 4 \$(find '$T/d/lib/modules' -name 'loop.ko'))\" = \"\$(printf '\\177ELF')\" ]"
	mk -o "$T/x.img" -m loop -M squeeze > "$T/mk.out" 2>&1
	t "-M with another word is a usage error" sh -c "grep -q 'takes plain or keep' '$T/mk.out' && [ ! -e '$T/x.img' ]"
else
	fail "mkinitramfs" "needs INITBOX_HOST (host profile) and the test kernel in build/kernel (make check-boot fetches it)"
fi

ns_done
