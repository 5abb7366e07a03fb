# initbox - one non-recursive make.
#
#   make [CONFIG=NAME]   build/initbox (default profile); another profile
#                        builds build/NAME/initbox (config/NAME.mk)
#   make check           unit, namespace and qemu tests; ends "N passed, N failed"
#   make check-unit | check-ns | check-asan | check-boot | check-fuzz
#   make check KERNEL=trixie|sid   the boot layer on that suite's kernel
#   make check KERNELS="bookworm trixie sid"   the boot layer on each
#   make lint            cppcheck over lib/ and applets/
#   make fuzz            run each libFuzzer harness FUZZ_SECONDS (60) seconds;
#                        fuzz-smoke: 160 seconds shared out, for CI;
#                        fuzz-cover: line coverage of lib/ and applets/
#                        over the corpus, a table per file
#   make demo            boot a live image under qemu and report memory
#                        (ROOT=debian: Debian 12 with systemd, from a CD)
#   make demo-iso        the busybox demo as a live ISO (scripts/mklive),
#                        booted by the firmware from a CD-ROM
#   make bench           figures side by side with the peer tools
#   make size            the binary size of every profile
#   make deps            install the build tools, build zlib/liblzma/libzstd
#                        with musl (the test tools come with check, demo,
#                        bench: make test-tools)
#
# Variables: O (output dir), DEPS (dependency dir), CFLAGS, TESTS (a subset
# of test files for check-*), V=1 for full commands.

CONFIG ?= default
include config/$(CONFIG).mk
ifeq ($(CONFIG),default)
O ?= build
else
O ?= build/$(CONFIG)
endif
DEPS ?= build/deps
PROFILES = $(basename $(notdir $(wildcard config/*.mk)))

CC = musl-gcc
# -Oz (GCC 12): 1.3 KiB less code than -Os, and with it the initramfs
# profile stays a page under its budget (docs/design.md). initbox's own
# code is never the hot part: the codecs (scripts/deps.sh builds them -O2)
# and the system calls are.
CFLAGS ?= -Oz
WARN = -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
       -Wold-style-definition -Wpointer-arith -Wundef -Wformat=2 -Wvla \
       -Wwrite-strings
XCFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) \
	  -ffunction-sections -fdata-sections \
	  -fno-asynchronous-unwind-tables -fno-unwind-tables -MMD -MP
CODEC_DEFS = $(foreach c,$(CODECS),-DHAVE_CODEC_$(c)=1) \
	     $(foreach c,$(ENCODERS),-DHAVE_ENCODER_$(c)=1)
CPPFLAGS = -Ilib -I$(O)/gen -I$(DEPS)/include -isystem $(DEPS)/kinclude \
	   $(CODEC_DEFS)
# noseparate-code: the headers and read-only data share the code's pages
# (binutils' default gives them pages of their own): 8 KiB of page padding
# less (default 309136 -> 300944 bytes, minimal 79496 -> 75400), at the
# cost of read-only data being mapped executable.
# norelro, common-page-size=64: the data segment then starts right after
# the code in the file (64-byte aligned), its first page mapped again
# from there, where the default aligned it so that RELRO ends on a page:
# up to a page of padding that bought nothing, since in a static musl
# binary nothing mprotects RELRO (no dynamic linker: /proc/PID/maps shows
# the range rw-p either way). Measured: default 309136 -> 308016 bytes,
# minimal 75400 -> 72104; before, the padding moved by a page as the code
# grew by a few bytes.
LDFLAGS = -static -s -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,noseparate-code \
	  -Wl,-z,norelro -Wl,-z,common-page-size=64
LDLIBS = -L$(DEPS)/lib -lzstd -llzma -lz

ifneq ($(V),1)
Q = @
endif
# "make -s" (and the sub-makes of binaries, size) print no progress lines.
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
SAY = @true
else
SAY = @echo
endif

LIB_SRC = $(sort $(wildcard lib/*/*.c))
LIB_OBJ = $(LIB_SRC:%.c=$(O)/obj/%.o)
APPLET_OBJ = $(APPLETS:%=$(O)/obj/applets/%.o) \
	     $(O)/obj/applets/initbox.o $(O)/obj/applets/msg.o \
	     $(O)/obj/applets/report.o $(O)/obj/applets/unpack.o
DEPS_DONE = $(DEPS)/.done

all: $(O)/initbox

# Building needs only musl-tools, gcc and the three libraries; the tools
# the tests, demo and bench use are installed by those targets.
$(DEPS_DONE): scripts/deps.sh
	$(Q)sh scripts/deps.sh build $(DEPS)
	$(Q)touch $@
deps: $(DEPS_DONE)
test-tools:
	$(Q)sh scripts/deps.sh test-tools

# The applet table, from each applet's leading comment.
$(O)/gen/applets.h: scripts/applets.sh $(wildcard config/*.mk) \
		    $(APPLETS:%=applets/%.c)
	@mkdir -p $(dir $@)
	$(Q)sh scripts/applets.sh $(if $(filter gzip,$(CODECS)),-z) $(APPLETS) > $@.tmp && mv $@.tmp $@

$(O)/obj/%.o: %.c | $(DEPS_DONE)
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(XCFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/obj/applets/initbox.o: $(O)/gen/applets.h

$(O)/libinitbox.a: $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/initbox: $(APPLET_OBJ) $(O)/libinitbox.a
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(APPLET_OBJ) $(O)/libinitbox.a $(LDLIBS)

-include $(LIB_OBJ:.o=.d) $(APPLET_OBJ:.o=.d)

# Every profile, then each binary's size.
size:
	$(Q)for p in $(PROFILES); do $(MAKE) -s CONFIG=$$p all || exit 1; done
	$(Q)for p in $(PROFILES); do \
		if [ $$p = default ]; then b=build/initbox; \
		else b=build/$$p/initbox; fi; \
		printf '%-10s %8d bytes  %s\n' $$p $$(stat -c %s $$b) $$b; \
	done

# --- tests -----------------------------------------------------------------
# Unit tests build lib/ with the host compiler under ASan and UBSan (musl has
# no sanitizer runtime), every codec and encoder on.
UNIT_CC = gcc
# (tests build argv vectors from string literals: no -Wwrite-strings)
UNIT_FLAGS = -std=gnu11 -D_GNU_SOURCE -g -O1 $(WARN) -Wno-write-strings \
	     -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer -Ilib -Itests/unit \
	     $(foreach c,gzip xz zstd,-DHAVE_CODEC_$(c)=1 -DHAVE_ENCODER_$(c)=1)
UNIT_SRC = $(sort $(wildcard tests/unit/*_test.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=build/unit/%)
UNIT_LIB_OBJ = $(LIB_SRC:%.c=build/unit/obj/%.o)

build/unit/obj/%.o: %.c | $(DEPS_DONE)
	@mkdir -p $(dir $@)
	$(Q)$(UNIT_CC) $(UNIT_FLAGS) -MMD -MP -c -o $@ $<
build/unit/libinitbox.a: $(UNIT_LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^
build/unit/%_test: tests/unit/%_test.c build/unit/libinitbox.a
	$(SAY) "  UNIT    $@"
	$(Q)$(UNIT_CC) $(UNIT_FLAGS) -o $@ $< build/unit/libinitbox.a \
		-lzstd -llzma -lz
-include $(UNIT_LIB_OBJ:.o=.d)

# Fuzzing: libFuzzer harnesses (tests/fuzz/NAME.c) over lib/ built with
# clang under ASan and UBSan, in build/fuzz/, apart from the musl build.
# check replays every seed and regression input once (tests/fuzz/run).
FUZZ_CC = clang-14
FUZZ_FLAGS = $(filter-out -Itests/unit,$(UNIT_FLAGS)) -Itests/fuzz
FUZZ_SRC = $(sort $(wildcard tests/fuzz/*.c))
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_LIB_OBJ = $(LIB_SRC:%.c=build/fuzz/obj/%.o)
FUZZ_SECONDS ?= 60

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP \
		-c -o $@ $<
build/fuzz/libinitbox.a: $(FUZZ_LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^
build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h build/fuzz/libinitbox.a
	$(SAY) "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< \
		build/fuzz/libinitbox.a -lzstd -llzma -lz
-include $(FUZZ_LIB_OBJ:.o=.d)
fuzz-tools:
	$(Q)command -v $(FUZZ_CC) >/dev/null || \
		{ echo "fuzz: $(FUZZ_CC) missing (apt-get install clang-14)" >&2; exit 1; }
fuzz: fuzz-tools $(FUZZ_BIN)
	$(Q)FUZZ_JOBS=$(or $(FUZZ_JOBS),1) sh tests/fuzz/run fuzz $(FUZZ_SECONDS) $(FUZZ_BIN)
# CI's budget stays what 8 harnesses of 20 s were: 160 s of fuzzing
# shared out, two harnesses at a time (CI has 2 cores): 80 s of wall time.
fuzz-smoke:
	$(Q)$(MAKE) -s fuzz FUZZ_JOBS=2 FUZZ_SECONDS=$$((160 / $(words $(FUZZ_BIN))))

# Source coverage of the harnesses over their corpus (the tree's seeds
# and regressions, and build/fuzz/corpus/ from make fuzz): the same
# harnesses built with clang's instrumentation, without sanitizers, in
# build/cover/; tests/fuzz/cover runs them and prints a table per file.
COVER_FLAGS = $(filter-out -fsanitize=% -fno-sanitize-recover=all,$(FUZZ_FLAGS)) \
	      -fprofile-instr-generate -fcoverage-mapping
COVER_BIN = $(FUZZ_SRC:tests/fuzz/%.c=build/cover/%)
COVER_LIB_OBJ = $(LIB_SRC:%.c=build/cover/obj/%.o)
build/cover/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(COVER_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP \
		-c -o $@ $<
build/cover/libinitbox.a: $(COVER_LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^
build/cover/%: tests/fuzz/%.c tests/fuzz/fuzz.h build/cover/libinitbox.a
	$(Q)$(FUZZ_CC) $(COVER_FLAGS) -fsanitize=fuzzer -o $@ $< \
		build/cover/libinitbox.a -lzstd -llzma -lz
-include $(COVER_LIB_OBJ:.o=.d)
fuzz-cover: fuzz-tools $(COVER_BIN)
	$(Q)sh tests/fuzz/cover $(COVER_BIN)

TEST_ENV = INITBOX=$(abspath build/initbox) \
	   INITBOX_HOST=$(abspath build/host/initbox) \
	   INITBOX_MINIMAL=$(abspath build/minimal/initbox)
binaries:
	$(Q)$(MAKE) -s CONFIG=default all
	$(Q)$(MAKE) -s CONFIG=host all
	$(Q)$(MAKE) -s CONFIG=minimal all

# The test kernel: Debian's cloud kernel of the suite KERNEL names
# (bookworm: 6.1, trixie: 6.12, sid: 7.x), cached under build/kernel/ by
# version. The boot layer boots it; ns tests of mkinitramfs read its tree.
# KERNELS="bookworm trixie sid" runs the boot layer once on each (.ci/run).
KERNEL ?= bookworm
KERNELS ?= $(KERNEL)
export KERNEL
kernel: test-tools
	$(Q)for k in $(KERNELS); do \
		KERNEL=$$k TOP=$(CURDIR) sh -c '. scripts/lib/boot.sh && boot_kernel' || exit 1; \
	done

BOOT_LAYERS = $(if $(filter-out $(KERNEL),$(KERNELS)),$(KERNELS:%=boot@%),boot)
check: test-tools lint fuzz-tools binaries asan-binary $(UNIT_BIN) $(FUZZ_BIN) kernel
	$(Q)$(TEST_ENV) sh tests/run unit fuzz ns asan $(BOOT_LAYERS)
check-unit: test-tools $(UNIT_BIN)
	$(Q)$(TEST_ENV) sh tests/run unit
check-fuzz: fuzz-tools $(FUZZ_BIN)
	$(Q)$(TEST_ENV) sh tests/run fuzz
check-ns: test-tools binaries kernel
	$(Q)$(TEST_ENV) sh tests/run ns
check-boot: test-tools binaries kernel
	$(Q)$(TEST_ENV) sh tests/run $(BOOT_LAYERS)

# --- sanitizer layer and lint (issue 13) ---------------------------------------
# check-asan: the ns tests of the applets that parse input (tests/run asan
# names them) once more, against the host profile built by glibc's gcc with
# ASan and UBSan (musl has no sanitizer runtime), linked with Debian's codec
# libraries and tests/asan_report.c; any sanitizer report fails.
# lint: cppcheck over lib/ and applets/; declarations at the top of a
# function (variableScope) are the style here, and kernel-ABI structs
# (unusedStructMember) are filled by layout.
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer
asan-binary:
	$(Q)$(MAKE) -s CONFIG=host O=build/asan CC=gcc CFLAGS="$(ASAN_FLAGS)" \
		LDFLAGS="$(ASAN_FLAGS)" \
		LDLIBS="$(CURDIR)/tests/asan_report.c -lzstd -llzma -lz -ldl" all
check-asan: test-tools asan-binary
	$(Q)$(TEST_ENV) sh tests/run asan
LINT_FLAGS = --quiet --error-exitcode=1 --inline-suppr --std=c11 \
	     --enable=warning,style,performance,portability \
	     --suppress=variableScope --suppress=unusedStructMember \
	     -D_GNU_SOURCE '-D_Noreturn=__attribute__((noreturn))' \
	     -Ilib -I$(O)/gen \
	     $(foreach c,gzip xz zstd,-DHAVE_CODEC_$(c)=1 -DHAVE_ENCODER_$(c)=1)
lint: $(O)/gen/applets.h $(LIB_OBJ)
	$(Q)cppcheck $(LINT_FLAGS) lib applets
	$(Q)sh scripts/wings.sh $(O)/obj
.PHONY: asan-binary check-asan lint

# The demo's live root: busybox (fast, the default) or debian (Debian 12
# with systemd on Debian's generic kernel, from qemu pc's IDE CD drive).
ROOT ?= busybox
demo: test-tools binaries kernel
	$(Q)$(TEST_ENV) ROOT=$(ROOT) sh scripts/demo
# the busybox demo as an ISO made by scripts/mklive, booted by the
# firmware from a CD-ROM (scripts/demo-iso)
demo-iso: test-tools binaries
	$(Q)$(TEST_ENV) sh scripts/demo-iso

bench: test-tools binaries kernel
	$(Q)$(TEST_ENV) sh scripts/bench

clean:
	rm -rf $(O)/obj $(O)/gen $(O)/initbox $(O)/libinitbox.a build/unit \
		build/fuzz \
		$(foreach p,$(filter-out default,$(PROFILES)),build/$(p))

.PHONY: all deps test-tools size binaries kernel check check-unit check-ns check-boot demo demo-iso \
	bench clean fuzz fuzz-smoke fuzz-cover fuzz-tools check-fuzz
