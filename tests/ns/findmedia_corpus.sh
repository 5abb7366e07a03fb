# findmedia_corpus.sh - findmedia -p against util-linux's own blkid test
# corpus: every image of a type initbox probes, its TYPE, LABEL and UUID
# compared with what util-linux 2.38 expects of `blkid -p`, and the image
# found again by LABEL= as udev's by-label name writes it.
#
# The images and expected outputs come from Debian's util-linux source
# package (scripts/deps.sh source, cached under build/corpus): images in
# tests/ts/blkid/images-fs/NAME.img.xz, expectations in `blkid -p -o udev`
# form in tests/expected/blkid/low-probe-NAME. A multi-session image is
# compared for its first session only (findmedia takes no session hint).
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
need xz awk
ns_tmp
PATH=$T/bin:$PATH
mkdir -p "$T/bin" && ln -s "$INITBOX" "$T/bin/findmedia"

src=$(sh "$TOP/scripts/deps.sh" source "$TOP/build/corpus" util-linux 2> "$T/src.err") ||
	{ fail "corpus: fetch util-linux's source" "$(tail -n 3 "$T/src.err" | tr '\n' ' ')"; exit 1; }
imgs=$src/tests/ts/blkid/images-fs
exp=$src/tests/expected/blkid
[ -d "$imgs" ] && [ -d "$exp" ] ||
	{ fail "corpus: util-linux's source" "no tests/ts/blkid in $src"; exit 1; }

SUPPORTED=" iso9660 udf vfat ext2 ext3 ext4 jbd squashfs erofs btrfs xfs "

# udev's \xNN-encoded value (ID_FS_*_ENC) to the line `blkid -p -o export`
# prints for it: bytes >= 0x80 as M-, controls as ^, shell specials with a
# backslash (util-linux misc-utils/blkid.c safe_print).
export_line() { # KEY ENCODED
	LC_ALL=C awk -v key="$1" -v s="$2" '
	BEGIN {
		for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i
		hex = "0123456789abcdef"
		out = ""
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c == "\\" && substr(s, i + 1, 1) == "x") {
				h = tolower(substr(s, i + 2, 2))
				b = (index(hex, substr(h, 1, 1)) - 1) * 16 + index(hex, substr(h, 2, 1)) - 1
				i += 3
			} else
				b = ord[c]
			if (b >= 128) { out = out "M-"; b -= 128 }
			if (b < 32) out = out "^" sprintf("%c", b + 64)
			else if (b == 127) out = out "^?"
			else {
				c = sprintf("%c", b)
				if (index(" \\\"\047$`<>", c)) out = out "\\"
				out = out c
			}
		}
		print key "=" out
	}'
}
val() { sed -n "s/^$1=//p" "$2"; }

n=0 ok=0
for x in "$imgs"/*.img.xz; do
	name=$(basename "$x" .img.xz)
	case $name in
	*-multi-*) # iso-multi-0-174-348-genisoimage -> iso-multi-genisoimage-0
		e=$exp/low-probe-$(echo "$name" | sed 's/-[0-9][0-9-]*-/-/')-0 ;;
	*) e=$exp/low-probe-$name ;;
	esac
	[ -f "$e" ] || continue
	type=$(val ID_FS_TYPE "$e")
	case $SUPPORTED in *" $type "*) ;; *) continue ;; esac
	n=$((n + 1))
	# unpacked once, sparse (1 GiB in all, mostly zeros), kept beside
	# the source for the next run and the sanitizer layer
	img=$TOP/build/corpus/img/$name.img
	if [ ! -f "$img" ]; then
		mkdir -p "${img%/*}" &&
		xz -dc "$x" | dd of="$img.tmp" bs=64k iflag=fullblock conv=sparse 2>/dev/null &&
		mv "$img.tmp" "$img" || { fail "$name: unpack" "xz -dc $x"; continue; }
	fi
	{
		echo "TYPE=$type"
		l=$(val ID_FS_LABEL_ENC "$e"); [ -z "$l" ] || export_line LABEL "$l"
		u=$(val ID_FS_UUID_ENC "$e"); [ -z "$u" ] || export_line UUID "$u"
	} | sort > "$T/want"
	findmedia -p "$img" 2>&1 | grep -E '^(TYPE|LABEL|UUID)=' | sort > "$T/got"
	if cmp -s "$T/want" "$T/got"; then
		ok=$((ok + 1))
		pass "$name: TYPE/LABEL/UUID as util-linux expects ($(tr '\n' ' ' < "$T/want"))"
	else
		fail "$name: TYPE/LABEL/UUID as util-linux expects" \
			"want [$(tr '\n' ' ' < "$T/want")] findmedia [$(tr '\n' ' ' < "$T/got")]"
	fi
	# udev's /dev/disk/by-label name (\xNN escapes) finds the image
	l=$(val ID_FS_LABEL_ENC "$e")
	if [ -n "$l" ]; then
		got=$(findmedia -d "$img" "LABEL=$l" 2>&1)
		if [ "$got" = "$img" ]; then
			pass "$name: found by LABEL=$l"
		else
			fail "$name: found by LABEL=$l" "findmedia printed [$got]"
		fi
	fi
done
echo "corpus: $ok of $n images match util-linux's expected TYPE/LABEL/UUID"
[ "$n" -gt 0 ] || fail "corpus: images of supported types" "none found in $imgs"
ns_done
