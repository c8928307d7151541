# tests/vm/vm.mk, included at the end of the top Makefile: the arm64 cross
# build for the arm64 guest, and its test target. The guest kernel matrix
# itself is tests/vm/run.sh (`make test-vm`, and part of `make test`).
#
# arm64 outputs all live in build/arm64/: its own BPF object and skeleton
# (built against vmlinux/arm64/vmlinux.h, which tests/vm/btf-arm64.sh
# regenerates), its own objects, and static socktrace and sockdrive linked
# against Debian 12's arm64 libbpf, libelf and zlib, which
# tests/vm/sysroot.sh unpacks into build/arm64/sysroot with a private apt.

A64 := $(OUT)/arm64
A64_SYSROOT := $(A64)/sysroot
A64_CC := aarch64-linux-gnu-gcc
A64_BPF_CFLAGS := $(subst -D__TARGET_ARCH_$(ARCH),-D__TARGET_ARCH_arm64,\
	$(subst -Ivmlinux/$(ARCH),-Ivmlinux/arm64,$(BPF_CFLAGS)))
# build/arm64 first, so that "socktrace.skel.h" is the arm64 skeleton.
A64_CFLAGS := -I$(A64) $(ALL_CFLAGS) -isystem $(A64_SYSROOT)/usr/include

.PHONY: arm64-static test-vm-arm64

arm64-static: $(A64)/static/socktrace $(A64)/static/sockdrive

# Remade only when the package list (sysroot.sh) changes.
$(A64_SYSROOT)/.stamp: tests/vm/sysroot.sh
	rm -f $@
	tests/vm/sysroot.sh $(A64_SYSROOT)

$(A64)/socktrace.bpf.o: bpf/socktrace.bpf.c $(wildcard bpf/*.h) include/socktrace.h vmlinux/arm64/vmlinux.h | $(A64)
	$(CLANG) $(A64_BPF_CFLAGS) -c $< -o $@

$(A64)/socktrace.skel.h: $(A64)/socktrace.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

$(A64)/obj/%.o: src/%.c $(wildcard src/*.h) include/socktrace.h $(A64)/socktrace.skel.h $(A64_SYSROOT)/.stamp | $(A64)/obj
	$(A64_CC) $(A64_CFLAGS) -c $< -o $@

$(A64)/static/socktrace: $(APP:%=$(A64)/obj/%.o) | $(A64)/static
	$(A64_CC) $(A64_CFLAGS) -static $^ -L$(A64_SYSROOT)/usr/lib/aarch64-linux-gnu $(LIBS) -o $@

$(A64)/static/sockdrive: $(SOCKDRIVE) tests/sockdrive/sockdrive.h | $(A64)/static
	$(A64_CC) $(ALL_CFLAGS) -static -pthread $(SOCKDRIVE) -o $@

$(A64) $(A64)/obj $(A64)/static:
	mkdir -p $@

# The arm64 guest alone (it is also in tests/vm/run.sh's default matrix when
# listed there); run.sh builds arm64-static itself.
test-vm-arm64: deps-test
	tests/vm/run.sh bookworm-arm64
