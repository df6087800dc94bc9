# SPDX-License-Identifier: GPL-2.0
# netfence: kernel module (see Kbuild) and command-line tool (ctl/).
#
#   make                  netfence.ko for KDIR and ctl/netfence
#   make KDIR=DIR         the module for another kernel tree
#   make install          module (modules_install + depmod), tool, man page,
#                         bash completion
#   make dkms-install     source to /usr/src/netfence-VERSION, dkms add,
#                         build and install (rebuilt on every kernel update)
#   make dkms-uninstall   dkms remove --all and the source copy
#   make check            the whole test suite in QEMU guests (T=REGEX: some)
#   make demo             netfence isolating a host, step by step, in a guest
#   make vm-shell         root shell in a guest with netfence loaded
#                         (KERNEL=debug: the debug kernel)
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
VERSION := $(shell sed -n 's/^\#define NETFENCE_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	$(CURDIR)/kmod/main.c)
DESTDIR ?=
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DKMS_SRC ?= /usr/src/netfence-$(VERSION)
KERNEL ?= distro

# What a module build (and DKMS) needs; the tool and the tests stay out.
MODULE_SOURCES := Kbuild Makefile dkms.conf include kmod

all: module ctl

kdir-exists:
	@test -d "$(KDIR)" || { echo "KDIR=$(KDIR) does not exist: install the" \
		"kernel headers (linux-headers-\$$(uname -r)) or pass KDIR=DIR"; exit 1; }

module: kdir-exists
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

module-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

ctl:
	$(MAKE) -C ctl VERSION=$(VERSION)

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install INSTALL_MOD_PATH=$(DESTDIR)
	depmod $(if $(DESTDIR),-b $(DESTDIR)) $$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
		$(KDIR)/include/generated/utsrelease.h)
	$(MAKE) -C ctl install DESTDIR=$(DESTDIR) SBINDIR=$(SBINDIR) MANDIR=$(MANDIR) \
		BASHCOMPDIR=$(BASHCOMPDIR)

# The module source as DKMS wants it, without build products.
dkms-src:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	tar -C $(CURDIR) -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.d' \
		--exclude='modules.order' --exclude='Module.symvers' \
		$(MODULE_SOURCES) | tar -C $(DKMS_SRC) -xf -

dkms-install: dkms-src
	dkms add netfence/$(VERSION)
	dkms build netfence/$(VERSION)
	dkms install netfence/$(VERSION)

dkms-uninstall:
	-dkms remove netfence/$(VERSION) --all
	rm -rf $(DKMS_SRC)

check:
	tests/run.sh

demo:
	tests/demo.sh

vm-shell:
	tests/vm/shell.sh $(KERNEL)

clean:
	-test -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-test -d ctl && $(MAKE) -C ctl clean
	rm -rf build

.PHONY: all kdir-exists module module-clean ctl install dkms-src dkms-install \
	dkms-uninstall check demo vm-shell clean

# Benchmark, not part of check (tests/bench/run.sh): results, plots and the
# command in bench/results/; QUICK=1 for a short run into build/bench/quick/.
bench:
	tests/bench/run.sh $(if $(QUICK),--quick --out build/bench/quick,--out bench/results)

.PHONY: bench
