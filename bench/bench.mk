# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# The benchmark's floor (bench/floor.c): socktrace's loader and hooks with
# programs that return at once (bench/floor.bpf.c). Included by the top
# Makefile.

FLOOR := $(OUT)/floor

# The floor's programs, one for each of socktrace's, from its object.
$(OUT)/bench/floorgen: bench/floorgen.c | $(OUT)/bench
	$(CC) $(ALL_CFLAGS) $< $(LIBS) -o $@

$(FLOOR)/floor_progs.h: $(OUT)/socktrace.bpf.o $(OUT)/bench/floorgen | $(FLOOR)
	$(OUT)/bench/floorgen $< > $@

$(FLOOR)/socktrace.bpf.o: bench/floor.bpf.c $(FLOOR)/floor_progs.h $(wildcard bpf/*.h) include/socktrace.h \
		vmlinux/$(ARCH)/vmlinux.h | $(FLOOR)
	$(CLANG) $(BPF_CFLAGS) -Ibpf -I$(FLOOR) -Wno-unused-function -c $< -o $@

$(FLOOR)/socktrace.skel.h: $(FLOOR)/socktrace.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

# Its skeleton first on the include path: tracer.c loads the empty programs.
$(FLOOR)/%.o: src/%.c $(wildcard src/*.h) include/socktrace.h $(FLOOR)/socktrace.skel.h | $(FLOOR)
	$(CC) -I$(FLOOR) $(ALL_CFLAGS) -c $< -o $@

FLOOR_OBJS := $(filter-out main,$(APP))
$(OUT)/bench/floor: bench/floor.c $(FLOOR_OBJS:%=$(FLOOR)/%.o) | $(OUT)/bench
	$(CC) -I$(FLOOR) $(ALL_CFLAGS) $^ $(LIBS) -o $@

# The fentry floor: the kprobe mode's hooks as fentry/fexit programs.
$(FLOOR)/fentry_progs.h: $(OUT)/socktrace.bpf.o $(OUT)/bench/floorgen | $(FLOOR)
	$(OUT)/bench/floorgen --fentry $< > $@

$(FLOOR)/fentry.bpf.o: bench/fentry.bpf.c $(FLOOR)/fentry_progs.h vmlinux/$(ARCH)/vmlinux.h | $(FLOOR)
	$(CLANG) $(BPF_CFLAGS) -I$(FLOOR) -c $< -o $@

$(FLOOR)/fentry.skel.h: $(FLOOR)/fentry.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

$(OUT)/bench/fentry: bench/fentry.c $(FLOOR)/fentry.skel.h | $(OUT)/bench
	$(CC) -I$(FLOOR) $(ALL_CFLAGS) $< $(LIBS) -o $@

$(FLOOR) $(OUT)/bench:
	mkdir -p $@

# Static builds for the guest of `make bench-vm`, which has no libc.
$(OUT)/static/load: bench/load.c | $(OUT)/static
	$(CC) -O2 -Wall -Wextra -static $< -o $@

$(OUT)/static/floor: bench/floor.c $(FLOOR_OBJS:%=$(FLOOR)/%.o) | $(OUT)/static
	$(CC) -I$(FLOOR) $(ALL_CFLAGS) -static $^ $(LIBS) -o $@

$(OUT)/static/fentry: bench/fentry.c $(FLOOR)/fentry.skel.h | $(OUT)/static
	$(CC) -I$(FLOOR) $(ALL_CFLAGS) -static $< $(LIBS) -o $@

# The kprobe mode, which this machine's kernel may lack, measured in a
# Debian 12 guest under qemu (bench/vm.sh, tests/vm/bench-guest.sh).
BENCH_VM_DEPS := jq qemu-system-x86 busybox-static cpio gzip
.PHONY: bench-vm deps-bench-vm
deps-bench-vm: deps-build
	$(call install_missing,$(BENCH_VM_DEPS))

bench-vm: deps-bench-vm
	$(MAKE) $(OUT)/static/socktrace $(OUT)/static/floor $(OUT)/static/load $(OUT)/static/fentry
	SOCKTRACE=$(OUT)/static/socktrace FLOOR=$(OUT)/static/floor LOAD=$(OUT)/static/load \
		FENTRY=$(OUT)/static/fentry \
		BENCH_OUT=$(OUT)/bench bench/vm.sh
