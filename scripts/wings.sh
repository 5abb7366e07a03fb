#!/bin/sh
# wings.sh - check lib/'s layering (docs/design.md, "Wings"); part of
# make lint.
#
# usage: sh scripts/wings.sh [OBJDIR]
#
# Each folder of lib/ is a wing with one header, lib/WING/WING.h. A file of
# a wing includes its own header and the headers of the wings below it,
# nothing else of lib/; the order below is the only one allowed. With
# OBJDIR (build/default/obj or build/obj), no lib object may refer to the
# applets' warn, die or prog: lib/ never prints or exits.
#
# exit: 0 clean; 1 a violation (one line each)
set -u
cd "$(dirname "$0")/.." || exit 1

# WING: the wings it stands on
below() {
	case $1 in
	base) echo "" ;;
	archive | mount | verity) echo "base" ;;
	media | switch | shutdown) echo "base mount" ;;
	kmod) echo "base archive" ;;
	initrd) echo "base archive mount media" ;;
	*) return 1 ;;
	esac
}

bad=0
for d in lib/*/; do
	w=$(basename "$d")
	if ! allowed=$(below "$w"); then
		echo "wings: lib/$w is no known wing (scripts/wings.sh names them)"
		bad=1
		continue
	fi
	[ -f "$d$w.h" ] || { echo "wings: lib/$w has no header $w.h"; bad=1; }
	for f in "$d"*.c "$d"*.h; do
		[ -f "$f" ] || continue
		sed -n 's/^#include "\(.*\)".*/\1/p' "$f" | while read -r inc; do
			case $inc in
			"$w.h")
				[ "${f%.h}" != "$f" ] && { echo "wings: $f includes itself"; exit 1; }
				continue ;;
			*/*.h)
				b=${inc%%/*}
				[ "$inc" = "$b/$b.h" ] && case " $allowed " in *" $b "*) continue ;; esac ;;
			esac
			echo "wings: $f includes \"$inc\"; lib/$w may include $w.h${allowed:+ and the headers of: $allowed}"
			exit 1
		done || bad=1
	done
done
for f in lib/*.c lib/*.h; do
	[ -f "$f" ] && { echo "wings: $f is in no wing"; bad=1; }
done

if [ $# -gt 0 ]; then
	for o in "$1"/lib/*/*.o; do
		u=$(nm -u "$o" | awk '$2 ~ /^(warn|warn_errno|die|die_errno|die_usage|die_opt|prog|out_done)$/ { print $2 }')
		[ -z "$u" ] || { echo "wings: $o refers to the applets' $u: lib/ never prints or exits"; bad=1; }
	done
fi
exit $bad
