#!/bin/sh
# deps.sh - make a fresh Debian machine able to build and test initbox.
#
# usage: scripts/deps.sh [build|test-tools|tools|libs|all] [DEPSDIR]
#        scripts/deps.sh source DIR PKG
#   build       what `make` needs: the build tools (musl-tools, gcc, ...)
#               and the libraries (libs); no test tool
#   test-tools  the tools the test layers, demo and bench use (qemu,
#               mkfs.*, busybox-static, ...), installed by make check,
#               demo and bench
#   tools       both sets of tools
#   libs        build zlib, liblzma and libzstd from Debian's source
#               packages with musl-gcc into DEPSDIR (default build/deps);
#               nothing is vendored; and a static dash (DEPSDIR/bin/dash),
#               the initramfs's shell
#   all         tools and libs (default)
#   source      unpack Debian's source package PKG under DIR/src (kept
#               there) and print its directory: the tests' data that
#               lives in upstream trees (util-linux's blkid images)
#
# Tools are installed with apt (as root) only when missing. A library is
# built once: its stamp records the source version and the compiler flags,
# and a change of flags rebuilds it. Each build's log is kept in
# DEPSDIR/log/PKG.log and its tail printed when the build fails.
# exit: 0 ok, 1 failed
set -eu

what=${1:-all}
deps=${2:-build/deps}
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/apt.sh"
case $deps in /*) ;; *) deps=$top/$deps ;; esac

say() { printf 'deps: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Tools `make` needs to build the binaries: command -> Debian package.
build_pkgs="
musl-gcc:musl-tools
make:make
gcc:gcc
dpkg-source:dpkg-dev
file:file
autoreconf:autoconf
automake:automake
"
# Tools the three test layers, demo and bench need.
test_pkgs="
qemu-system-x86_64:qemu-system-x86
busybox:busybox-static
cpio:cpio
bsdcpio:libarchive-tools
mksquashfs:squashfs-tools
mkfs.erofs:erofs-utils
mkfs.ext4:e2fsprogs
mkfs.vfat:dosfstools
xorriso:xorriso
mkfs.btrfs:btrfs-progs
mkfs.xfs:xfsprogs
mkudffs:udftools
cppcheck:cppcheck
genisoimage:genisoimage
sfdisk:fdisk
sgdisk:gdisk
blkid:util-linux
flock:util-linux
unshare:util-linux
depmod:kmod
zstd:zstd
xz:xz-utils
gzip:gzip
dash:dash
strace:strace
veritysetup:cryptsetup-bin
/usr/lib/klibc/bin/run-init:klibc-utils
mmdebstrap:mmdebstrap
mformat:mtools
grub-mkrescue:grub-common
/usr/lib/grub/i386-pc/boot_hybrid.img:grub-pc-bin
/usr/lib/grub/x86_64-efi/linux.mod:grub-efi-amd64-bin
/usr/share/OVMF/OVMF_CODE.fd:ovmf
"

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	say "apt-get update"
	apt-get update -qq >&2 || die "apt-get update failed"
	apt_updated=1
}

install_pkgs() { # "CMD:PKG ..." -> installs the packages whose command is missing
	missing=
	for tp in $1; do
		cmd=${tp%%:*} pkg=${tp#*:}
		case $cmd in /*) [ -e "$cmd" ] && continue ;;
		*) command -v "$cmd" >/dev/null 2>&1 && continue ;; esac
		[ -x "/usr/sbin/$cmd" ] || [ -x "/sbin/$cmd" ] && continue
		case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
	done
	shift
	missing="$missing $*"
	[ -z "${missing# }" ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages:$missing (run as root to install)"
	apt_update
	say "apt-get install$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$missing >&2 || die "apt-get install failed:$missing"
}

install_build_tools() {
	# linux-libc-dev gives the uapi headers musl-gcc cannot see.
	set --
	[ -f /usr/include/linux/loop.h ] || set -- linux-libc-dev
	install_pkgs "$build_pkgs" "$@"
}

install_test_tools() {
	# The unit tests build lib/ with gcc, ASan and the system's codecs.
	set --
	[ -f /usr/include/zlib.h ] || set -- "$@" zlib1g-dev
	[ -f /usr/include/lzma.h ] || set -- "$@" liblzma-dev
	[ -f /usr/include/zstd.h ] || set -- "$@" libzstd-dev
	# The fuzz harnesses (tests/fuzz/): clang and libFuzzer's runtime.
	ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
		> /dev/null 2>&1 || set -- "$@" clang-14 libclang-rt-14-dev
	install_pkgs "$test_pkgs" "$@"
}

# apt-get source needs a deb-src entry; add one mirroring the deb entries.
ensure_deb_src() {
	if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list \
	   /etc/apt/sources.list.d/; then
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "no deb-src entry for apt-get source (run as root)"
	f=/etc/apt/sources.list.d/initbox-deb-src
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		sed 's/^Types:.*/Types: deb-src/' \
			/etc/apt/sources.list.d/debian.sources > "$f.sources"
	elif [ -f /etc/apt/sources.list ]; then
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > "$f.list"
	else
		die "cannot find apt sources to mirror as deb-src"
	fi
	say "added a deb-src entry in $f.*"
	apt_updated=
	apt_update
}

# src_apt apt-get|apt-cache ARGS...: the machine's apt, or with src_suite
# set, that suite's private state under DEPSDIR/apt/SUITE (apt.sh).
src_suite=
src_apt() {
	if [ -n "$src_suite" ]; then
		suite_apt "$deps/apt/$src_suite" "$@"
	else
		"$@"
	fi
}

# The versions of source package $1 the archive lists, newest first.
src_versions() {
	src_apt apt-cache showsrc "$1" 2>/dev/null | sed -n 's/^Version: //p' |
	awk '!seen[$0]++' | {
		vs=
		while read -r v; do
			# insertion into a newest-first list with dpkg's ordering
			out= placed=
			for w in $vs; do
				if [ -z "$placed" ] && dpkg --compare-versions "$v" gt "$w"; then
					out="$out $v" placed=1
				fi
				out="$out $w"
			done
			[ -n "$placed" ] || out="$out $v"
			vs=$out
		done
		for v in $vs; do echo "$v"; done
	}
}

# PKG [SUITE] -> directory of the unpacked source: the machine's suite, or
# SUITE's (kept apart, under src-SUITE). A version's files can be missing
# from the archive (a security update's source answered 404 while the
# release's downloaded): every listed version is tried, newest first. The
# version unpacked is kept in SRC/PKG.version.
fetch_src() {
	pkg=$1 src_suite=${2:-}
	sd=$deps/src${src_suite:+-$src_suite}
	d=$(ls -d "$sd/$pkg"-*/ 2>/dev/null | head -n 1)
	if [ -n "$d" ] && [ -f "$sd/$pkg.version" ]; then
		echo "${d%/}"
		return 0
	fi
	if [ -n "$src_suite" ]; then
		suite_apt_update "$deps/apt/$src_suite" "$src_suite" deb-src ||
			die "cannot read $src_suite's source lists"
	else
		ensure_deb_src
	fi
	mkdir -p "$sd" "$deps/log"
	vs=$(src_versions "$pkg")
	if [ -z "$vs" ] && [ -z "$src_suite" ]; then
		apt_updated=; apt_update
		vs=$(src_versions "$pkg")
	fi
	[ -n "$vs" ] || die "apt-cache showsrc $pkg lists no version${src_suite:+ in $src_suite} (no deb-src entry?)"
	log=$deps/log/$pkg-source.log
	: > "$log"
	for v in $vs; do
		t=$sd/.get-$pkg
		rm -rf "$t" && mkdir -p "$t" || die "cannot make $t"
		if (cd "$t" && src_apt apt-get source -q "$pkg=$v") >> "$log" 2>&1; then
			d=$(ls -d "$t/$pkg"-*/ 2>/dev/null | head -n 1)
			if [ -n "$d" ]; then
				b=$(basename "$d")
				rm -rf "$sd/$b" && mv "$d" "$sd/$b" &&
					rm -rf "$t" || die "cannot move $b into $sd"
				echo "$v" > "$sd/$pkg.version"
				say "source $pkg $v${src_suite:+ ($src_suite)}"
				echo "$sd/$b"
				return 0
			fi
		fi
		say "apt-get source $pkg=$v failed, trying an older version"
	done
	rm -rf "$t"
	tail -n 5 "$log" >&2
	die "apt-get source $pkg failed for every version listed: $(echo $vs) (log: $log)"
}

# stamp_ok NAME FLAGS: the library was built with these flags (the stamp
# records the source version and the flags, one per line).
stamp_ok() {
	[ -f "$deps/stamp-$1" ] && [ "$(sed -n 2p "$deps/stamp-$1")" = "$2" ]
}
stamp_write() { # NAME PKG FLAGS [SUITE]
	printf '%s\n%s\n' "$(cat "$deps/src${4:+-$4}/$2.version" 2>/dev/null)" "$3" \
		> "$deps/stamp-$1"
}

# run_logged NAME CMD...: run a build step with its output in log/NAME.log;
# on failure print the log's tail.
run_logged() {
	n=$1; shift
	mkdir -p "$deps/log"
	if "$@" > "$deps/log/$n.log" 2>&1; then
		return 0
	fi
	say "$n: the build failed; the end of $deps/log/$n.log:"
	tail -n 25 "$deps/log/$n.log" | sed 's/^/    | /' >&2
	return 1
}

# Size matters more than the last few percent of speed for the initramfs
# profile, but the decoders are the hot loop of cpio-unpack: -O2.
CFLAGS_DEPS="-O2 -fPIE -ffunction-sections -fdata-sections \
-fno-asynchronous-unwind-tables -fno-unwind-tables"
# Size of the initramfs profile (<= 300 KiB with every applet): zlib builds
# its CRC table at run time (-10 KiB); liblzma verifies only CRC32, the one
# check the kernel's XZ decoder knows (CRC64/SHA-256 streams are refused by
# name); zstd drops the run-time BMI2 dispatch and keeps one Huffman and one
# sequence decoder (-60 KiB); no unwind tables (-9 KiB). Measured
# (docs/cpio.md): -Os on zstd or xz's --enable-small would save 12-15 KiB
# more but cost 40-50% unpack speed. liblzma gets inline short copies
# (scripts/lzma-memcpy.h): musl's memcpy made xz unpacking 25% slower.
ZSTD_SIZE="-DDYNAMIC_BMI2=0 -DHUF_FORCE_DECOMPRESS_X1 -DZSTD_FORCE_DECOMPRESS_SEQUENCES_SHORT"

build_zlib() {
	f="$CFLAGS_DEPS -DDYNAMIC_CRC_TABLE"
	stamp_ok zlib "$f" && return 0
	s=$(fetch_src zlib)
	say "building zlib $(cat "$deps/src/zlib.version") from $s"
	run_logged zlib sh -c '
		cd "$1" && { make distclean || true; } &&
		CC=musl-gcc CFLAGS="$2" ./configure --static --prefix="$3" &&
		make -j2 libz.a &&
		mkdir -p "$3/lib" "$3/include" &&
		cp libz.a "$3/lib/" && cp zlib.h zconf.h "$3/include/"' \
		sh "$s" "$f" "$deps" || die "zlib build failed"
	stamp_write zlib zlib "$f"
}

# liblzma comes from Debian 13 (xz-utils 5.8): its LZMA decoder is about
# 30% faster than bookworm's 5.4 on the modules image (0.68 s against
# 0.98 s, one thread, the same flags; docs/cpio.md) and the default binary
# 608 bytes smaller. configure runs without the -include: autoconf 2.72's
# undeclared-builtin probe would see <string.h> through it and fail.
XZ_SUITE=trixie
build_xz() {
	f="$CFLAGS_DEPS -include $top/scripts/lzma-memcpy.h"
	# the stamp names the header by its contents, not by this tree's path:
	# another checkout's make must not rebuild a shared DEPSDIR
	sf="$CFLAGS_DEPS -include lzma-memcpy.h:$(cksum < "$top/scripts/lzma-memcpy.h" | cut -d' ' -f1) $XZ_SUITE"
	stamp_ok xz "$sf" && return 0
	s=$(fetch_src xz-utils "$XZ_SUITE")
	say "building liblzma $(cat "$deps/src-$XZ_SUITE/xz-utils.version") from $s"
	b=$deps/obj-xz
	rm -rf "$b" && mkdir -p "$b"
	run_logged xz sh -c '
		cd "$1" && CC=musl-gcc CFLAGS="$5" "$3/configure" \
		--prefix="$4" --disable-shared --enable-static \
		--disable-xz --disable-xzdec --disable-lzmadec --disable-lzmainfo \
		--disable-lzma-links --disable-scripts --disable-doc --disable-nls \
		--disable-threads --enable-checks=crc32 &&
		make -j2 -C src/liblzma CFLAGS="$2" && make -C src/liblzma install' \
		sh "$b" "$f" "$s" "$deps" "$CFLAGS_DEPS" || die "liblzma build failed"
	stamp_write xz xz-utils "$sf" "$XZ_SUITE"
}

build_zstd() {
	f="$CFLAGS_DEPS $ZSTD_SIZE"
	stamp_ok zstd "$f" && return 0
	s=$(fetch_src libzstd)
	say "building libzstd $(cat "$deps/src/libzstd.version") from $s"
	run_logged zstd sh -c '
		cd "$1/lib" && { make clean || true; } &&
		make -j2 libzstd.a CC=musl-gcc CFLAGS="$2" ZSTD_LEGACY_SUPPORT=0 \
			ZSTD_LIB_DEPRECATED=0 ZSTD_LIB_DICTBUILDER=0 \
			ZSTD_MULTITHREAD_SUPPORT=0 &&
		mkdir -p "$3/lib" "$3/include" &&
		cp libzstd.a "$3/lib/" && cp zstd.h zstd_errors.h "$3/include/"' \
		sh "$s" "$f" "$deps" || die "libzstd build failed"
	stamp_write zstd libzstd "$f"
}

# The initramfs's /bin/sh (scripts/mkinitramfs's default): Debian's dash,
# static with musl, stripped (~160 KiB against busybox-static's 2 MB).
# Debian's patches are applied (apt-get source does it) because they are
# what Debian's /bin/dash runs, the shell tests/ns/init_script.sh checks
# /init under: bug fixes (stack overflow on recursive functions, exec of
# non-executable files, ENOEXEC on binaries). Three of them edit
# configure.ac and src/Makefile.am, so the build system is regenerated
# with autoreconf (autoconf, automake) as Debian's dh does; configure takes
# Debian's own flags (debian/rules).
DASH_CFLAGS="-Os -ffunction-sections -fdata-sections \
-fno-asynchronous-unwind-tables -fno-unwind-tables"
build_dash() {
	stamp_ok dash "$DASH_CFLAGS" && [ -x "$deps/bin/dash" ] && return 0
	s=$(fetch_src dash)
	say "building dash $(cat "$deps/src/dash.version") from $s"
	# A private copy: make runs this script from every build that finds
	# it newer than the stamp, possibly several at once; autoreconf and
	# configure write into the tree they run in.
	mkdir -p "$deps/bin"
	b=$(mktemp -d "$deps/obj-dash.XXXXXX") || die "mktemp failed"
	run_logged dash sh -c '
		cp -a "$1/." "$2/" && cd "$2" && autoreconf -fi &&
		./configure CC=musl-gcc CFLAGS="$3" \
			LDFLAGS="-static -s -Wl,--gc-sections" \
			--disable-fnmatch --disable-lineno --disable-glob &&
		make -j2' sh "$s" "$b" "$DASH_CFLAGS" ||
		{ rm -rf "$b"; die "dash build failed (autoreconf, configure or make)"; }
	file -b "$b/src/dash" | grep -q 'statically linked' ||
		{ rm -rf "$b"; die "the dash built is not static"; }
	cp "$b/src/dash" "$b/dash.new" && mv -f "$b/dash.new" "$deps/bin/dash" ||
		die "cannot install $deps/bin/dash"
	rm -rf "$b"
	stamp_write dash dash "$DASH_CFLAGS"
}

# musl-gcc must not see /usr/include (glibc's headers), only the kernel's
# uapi: a directory of links to linux/, asm-generic/ and the arch's asm/.
kernel_headers() {
	k=$deps/kinclude
	[ -e "$k/linux/loop.h" ] && return 0
	mkdir -p "$k"
	arch=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
	ln -sfn /usr/include/linux "$k/linux"
	ln -sfn /usr/include/asm-generic "$k/asm-generic"
	if [ -d "/usr/include/$arch/asm" ]; then
		ln -sfn "/usr/include/$arch/asm" "$k/asm"
	else
		ln -sfn /usr/include/asm "$k/asm"
	fi
	ln -sfn /usr/include/mtd "$k/mtd" 2>/dev/null || true
}

build_libs() {
	mkdir -p "$deps/lib" "$deps/include"
	build_zlib; build_xz; build_zstd; kernel_headers; build_dash
}

case $what in
build) install_build_tools; build_libs ;;
test-tools) install_test_tools ;;
tools) install_build_tools; install_test_tools ;;
libs) build_libs ;;
all) install_build_tools; install_test_tools; build_libs ;;
source) [ $# = 3 ] || die "usage: deps.sh source DIR PKG"; fetch_src "$3" ;;
*) die "usage: deps.sh [build|test-tools|tools|libs|all] [DEPSDIR] | source DIR PKG" ;;
esac
