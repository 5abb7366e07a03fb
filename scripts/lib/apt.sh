# apt.sh - another Debian suite's packages without touching the machine's
# apt: a private apt state in a directory of its own, whose sources are the
# machine's Debian entries with the suite renamed. For the test kernels
# (boot.sh) and the library sources of another suite (deps.sh).
#
# suite_sources SUITE [TYPE]
#                    the machine's deb entries for Debian with bookworm
#                    renamed to SUITE, as TYPE (deb, the default, or
#                    deb-src); sid has no -updates or -security suites
# suite_apt DIR apt-get|apt-cache ARGS...
#                    apt with the private state in DIR
# suite_apt_update DIR SUITE [TYPE]
#                    write DIR's sources and read the archive's lists;
#                    1 with a message on stderr when it cannot

suite_sources() { # SUITE [TYPE]
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v s="$1" -v type="${2:-deb}" '
		/^Types:/ { t = ($0 ~ /(^|[ \t])deb([ \t]|$)/) }
		/^$/ { if (t && keep) print blk "\n"; blk = ""; keep = 0; t = 0; next }
		/^Suites:/ {
			out = "Suites:"
			for (i = 2; i <= NF; i++) {
				x = $i; sub(/^[a-z]+/, s, x)
				if (s == "sid" && x != "sid") continue
				out = out " " x
			}
			if (out != "Suites:") keep = 1
			$0 = out
		}
		/^Types:/ { $0 = "Types: " type }
		{ blk = blk (blk == "" ? "" : "\n") $0 }
		END { if (t && keep) print blk }' "$f"
	done
	[ -f /etc/apt/sources.list ] &&
		sed -n "s/^deb \(.*\) bookworm\([-a-z]*\) \(.*\)$/${2:-deb} \1 $1\2 \3/p" \
			/etc/apt/sources.list |
		{ if [ "$1" = sid ]; then grep -v ' sid-'; else cat; fi; }
	return 0
}

suite_apt() { # DIR TOOL ARGS...
	sa=$1 tool=$2
	shift 2
	"$tool" -o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts="$sa/sources" \
		-o Dir::State::Lists="$sa/lists" -o Dir::Cache="$sa/cache" \
		-o Dir::State::status=/var/lib/dpkg/status \
		-o APT::Get::List-Cleanup=0 -o Debug::NoLocking=1 \
		-o Acquire::Check-Valid-Until=false \
		-o APT::Sandbox::User=root "$@"
}

suite_apt_update() { # DIR SUITE [TYPE]
	mkdir -p "$1/sources" "$1/lists/partial" "$1/cache/archives/partial" || return 1
	suite_sources "$2" "${3:-deb}" > "$1/sources/debian.sources"
	grep -q '^Suites:' "$1/sources/debian.sources" ||
		grep -q '^deb' "$1/sources/debian.sources" ||
		{ echo "apt: no Debian entry in the machine's apt sources to derive $2 from" >&2; return 1; }
	suite_apt "$1" apt-get update -qq >&2 ||
		{ echo "apt: apt-get update for $2 failed" >&2; return 1; }
}
