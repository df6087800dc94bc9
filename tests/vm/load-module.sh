#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load a module built outside the kernel's tree the way modprobe would:
# its dependencies first (from the running kernel's /lib/modules), then
# the module itself. Does nothing if it is loaded already.
#
#   load-module.sh [KO [PARAM=VALUE...]]     KO defaults to $NETFENCE_KO
set -euo pipefail

ko=${1:-${NETFENCE_KO:?usage: load-module.sh KO [PARAM=VALUE...]}}
[ $# -gt 0 ] && shift
name=$(modinfo -F name "$ko")
[ -n "$name" ] || name=$(basename "$ko" .ko)
[ -d "/sys/module/$name" ] && exit 0
deps=$(modinfo -F depends "$ko")
for d in ${deps//,/ }; do
	modprobe "$d"
done
insmod "$ko" "$@"
