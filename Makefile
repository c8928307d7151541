# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# build/socktrace: bpf/*.bpf.c -> build/*.bpf.o -> build/*.skel.h -> binary.

VERSION := 0.1.0
OUT := build
ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
PREFIX ?= /usr/local
DESTDIR ?=

CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc

WARN := -Wall -Wextra -Werror
CFLAGS ?= -g -O2
ALL_CFLAGS := $(CFLAGS) $(WARN) -D_GNU_SOURCE -DSOCKTRACE_VERSION='"$(VERSION)"' \
	-Iinclude -Isrc -I$(OUT)
LIBS := -lbpf -lelf -lz
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# libbpf's probe macros leave ctx unused.
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) $(WARN) -Wno-unused-parameter -Iinclude -Ivmlinux/$(ARCH)

# The front end's pure logic, shared by the binary and the unit tests.
LOGIC := buf escape hmap cgnames names kinds proctab peertab procinfo briefs json text connview top metrics httpd output filters opts
APP := $(LOGIC) ring status kernel_features kretprobes tracer iters detach sandbox main
UNIT := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

# Packages of a fresh Debian 12 machine: to build, and to run the tests.
BUILD_DEPS := make gcc libc6-dev clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool scdoc
# The suite: checking, guests (x86 and arm64), real programs, packaging.
TEST_DEPS := jq util-linux python3 python3-jsonschema valgrind libclang-rt-14-dev \
	qemu-system-x86 qemu-system-arm busybox-static cpio gzip gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
	strace wget curl netcat-openbsd socat nodejs bind9-dnsutils dnsmasq-base iproute2 \
	mandoc man-db build-essential debhelper dpkg-dev lintian systemd systemd-container zsh git \
	prometheus
BENCH_DEPS := jq bpftrace strace redis-server redis-tools nginx wrk apache2-utils iperf3 libbpf-tools

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all asan static unit check fuzz test test-host test-vm bench run install clean deps-build deps-test deps-bench

all: $(OUT)/socktrace

$(OUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) include/socktrace.h vmlinux/$(ARCH)/vmlinux.h | $(OUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

# Objects: normal (shared by the dynamic and the static binary) and
# sanitized. Only the loader's include the BPF skeleton: the rest, and
# `make check`, build without clang or bpftool.
SKEL_USERS := tracer iters detach
$(SKEL_USERS:%=$(OUT)/obj/%.o) $(SKEL_USERS:%=$(OUT)/asan/obj/%.o): $(OUT)/socktrace.skel.h

$(OUT)/obj/%.o: src/%.c $(wildcard src/*.h) include/socktrace.h | $(OUT)/obj
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OUT)/asan/obj/%.o: src/%.c $(wildcard src/*.h) include/socktrace.h | $(OUT)/asan/obj
	$(CC) $(ALL_CFLAGS) $(SAN) -c $< -o $@

$(OUT)/socktrace: $(APP:%=$(OUT)/obj/%.o)
	$(CC) $(ALL_CFLAGS) $^ $(LIBS) -o $@

# Sanitized build: the test suite runs against it too.
asan: $(OUT)/asan/socktrace $(UNIT:%=$(OUT)/asan/%)
$(OUT)/asan/socktrace: $(APP:%=$(OUT)/asan/obj/%.o)
	$(CC) $(ALL_CFLAGS) $(SAN) $^ $(LIBS) -o $@

# Static binaries for the kprobe guest, which has no libraries.
static: $(OUT)/static/socktrace $(OUT)/static/sockdrive
$(OUT)/static/socktrace: $(APP:%=$(OUT)/obj/%.o) | $(OUT)/static
	$(CC) $(ALL_CFLAGS) -static $^ $(LIBS) -o $@
SOCKDRIVE := $(wildcard tests/sockdrive/*.c)
$(OUT)/static/sockdrive: $(SOCKDRIVE) tests/sockdrive/sockdrive.h | $(OUT)/static
	$(CC) $(ALL_CFLAGS) -static -pthread $(SOCKDRIVE) -o $@

$(OUT)/sockdrive: $(SOCKDRIVE) tests/sockdrive/sockdrive.h | $(OUT)
	$(CC) $(ALL_CFLAGS) -pthread $(SOCKDRIVE) -o $@

# Unit tests of the pure logic, plain and sanitized, and the tables the
# documents are held against.
unit: $(UNIT:%=$(OUT)/unit/%) $(OUT)/unit/tables
$(OUT)/unit/tables: tests/docs/tables.c include/socktrace.h src/kernel_features.h | $(OUT)/unit
	$(CC) $(ALL_CFLAGS) $< -o $@

# The fast loop: unit tests and the documents, in seconds, without clang
# for BPF, bpftool, root or a kernel to trace.
check:
	$(MAKE) -j$(shell nproc) unit $(UNIT:%=$(OUT)/asan/%)
	tests/run.sh unit unit-asan docs
$(OUT)/unit/test_%: tests/unit/test_%.c tests/unit/check.h $(LOGIC:%=$(OUT)/obj/%.o) | $(OUT)/unit
	$(CC) $(ALL_CFLAGS) $< $(LOGIC:%=$(OUT)/obj/%.o) -o $@
$(OUT)/asan/test_%: tests/unit/test_%.c tests/unit/check.h $(LOGIC:%=$(OUT)/asan/obj/%.o) | $(OUT)/asan
	$(CC) $(ALL_CFLAGS) $(SAN) $< $(LOGIC:%=$(OUT)/asan/obj/%.o) -o $@

# bpf/filter.h run in the kernel through BPF_PROG_TEST_RUN (needs root).
$(OUT)/bpftest/filter_test.bpf.o: tests/bpf/filter_test.bpf.c $(wildcard bpf/*.h) include/socktrace.h \
		vmlinux/$(ARCH)/vmlinux.h | $(OUT)/bpftest
	$(CLANG) $(BPF_CFLAGS) -Ibpf -Wno-unused-function -c $< -o $@
$(OUT)/bpftest/filter_test.skel.h: $(OUT)/bpftest/filter_test.bpf.o
	$(BPFTOOL) gen skeleton $< > $@
$(OUT)/bpftest/filter_test: tests/bpf/filter_test.c $(OUT)/bpftest/filter_test.skel.h $(OUT)/obj/filters.o \
		tests/unit/check.h
	$(CC) $(ALL_CFLAGS) -I$(OUT)/bpftest -Itests/unit $< $(OUT)/obj/filters.o $(LIBS) -o $@

# libFuzzer target over the decoding and formatting code (clang only).
fuzz: $(OUT)/fuzz/fuzz_event
FUZZED := buf escape hmap cgnames names kinds proctab peertab procinfo briefs json text connview top metrics
$(OUT)/fuzz/fuzz_event: tests/fuzz/fuzz_event.c $(FUZZED:%=src/%.c) $(wildcard src/*.h) include/socktrace.h | $(OUT)/fuzz
	$(CLANG) $(CFLAGS) $(WARN) -D_GNU_SOURCE -Iinclude -Isrc -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $< $(FUZZED:%=src/%.c) -o $@

$(OUT) $(OUT)/obj $(OUT)/asan $(OUT)/asan/obj $(OUT)/static $(OUT)/unit $(OUT)/fuzz $(OUT)/bpftest:
	mkdir -p $@

# Installs whatever of a package list is missing (needs root, as apt does).
define install_missing
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps-build:
	$(call install_missing,$(BUILD_DEPS))

deps-test: deps-build
	$(call install_missing,$(TEST_DEPS))

deps-bench: deps-build
	$(call install_missing,$(BENCH_DEPS))

# The README's two commands: set up, build and trace; set up and test.
run: deps-build
	$(MAKE) all
	./$(OUT)/socktrace $(ARGS)

test: deps-test
	$(MAKE) all asan static unit fuzz $(OUT)/sockdrive $(OUT)/bpftest/filter_test
	tests/run.sh

test-host: all asan unit fuzz $(OUT)/sockdrive $(OUT)/bpftest/filter_test
	tests/run.sh --host

test-vm: deps-test
	$(MAKE) static $(OUT)/unit/tables
	tests/vm/run.sh

# What socktrace costs the programs it traces; not part of `make test`.
bench: deps-bench
	$(MAKE) all $(OUT)/bench/floor
	bench/run.sh
	bench/realload.sh

clean:
	rm -rf $(OUT)

# Fragments kept next to what they build: the kernel guests and the packaging.
-include tests/vm/vm.mk
-include dist/dist.mk
-include bench/bench.mk
