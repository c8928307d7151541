# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# Shipping: the man page, shell completions, install and uninstall.
# Included at the end of the top Makefile; uses its OUT, VERSION, PREFIX
# and DESTDIR. The Debian packaging (debian/) calls these targets.

SCDOC ?= scdoc
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# zsh looks in site-functions under /usr/local; Debian's packages use
# /usr/share/zsh/vendor-completions (debian/rules says so).
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions

# `make` builds the man page with the binary (scdoc is in BUILD_DEPS).
all: $(OUT)/socktrace.8

$(OUT)/socktrace.8: dist/socktrace.8.scd dist/scdoc-tidy.awk Makefile | $(OUT)
	sed 's/@VERSION@/$(VERSION)/' $< | $(SCDOC) | awk -f dist/scdoc-tidy.awk > $@

# Exactly what install-dist writes; uninstall removes these and nothing else
# (directories stay: others may share them).
INSTALLED := $(DESTDIR)$(SBINDIR)/socktrace $(DESTDIR)$(MANDIR)/man8/socktrace.8 \
	$(DESTDIR)$(BASHCOMPDIR)/socktrace $(DESTDIR)$(ZSHCOMPDIR)/_socktrace

install: install-dist

install-dist: $(OUT)/socktrace $(OUT)/socktrace.8
	install -D -m 0755 $(OUT)/socktrace $(DESTDIR)$(SBINDIR)/socktrace
	install -D -m 0644 $(OUT)/socktrace.8 $(DESTDIR)$(MANDIR)/man8/socktrace.8
	install -D -m 0644 dist/socktrace.bash-completion $(DESTDIR)$(BASHCOMPDIR)/socktrace
	install -D -m 0644 dist/_socktrace $(DESTDIR)$(ZSHCOMPDIR)/_socktrace

uninstall:
	rm -f $(INSTALLED)

.PHONY: install install-dist uninstall

# A Debian package of the working tree, in build/pkg/ (dpkg-buildpackage
# writes next to the source tree, so the tree is copied there first).
DEB_DEPS := debhelper dpkg-dev build-essential
deb: deps-build
	$(call install_missing,$(DEB_DEPS))
	rm -rf $(OUT)/pkg && mkdir -p $(OUT)/pkg/src
	tar --exclude=./build --exclude=./.git -cf - . | tar -C $(OUT)/pkg/src -xf -
	cd $(OUT)/pkg/src && dpkg-buildpackage -us -uc -b
	@ls $(OUT)/pkg/*.deb

.PHONY: deb
