#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# netfence's whole test suite ("make check"):
#   deps         the Debian packages the suite needs (tests/deps.sh)
#   style        checkpatch on the kernel sources, W=1 + sparse build
#   compile      W=1 build against Debian's headers of 5.10, 6.1, 6.12 and
#                the newest kernel (tests/compile.sh; T=compile)
#   ctl          the tool builds, its host unit tests pass
#   dkms         dkms add/build of the tree against Debian's headers
#   kunit        KUnit suites of netfence_kunit.ko in the debug kernel
#   integration  tests/integration/*.sh in a Debian-kernel guest and in a
#                debug-kernel guest (KASAN, lockdep, kmemleak)
#   system       tests/system/*.sh ("NAME [system]"): scenarios that need
#                systemd and real reboots, in a Debian bookworm guest booted
#                from a disk (the image is built once, tests/vm/sysimage.sh)
# Prints one line per test (PASS/FAIL/SKIP NAME) and ends with
# "N passed, N failed" (", N skipped" when some were skipped).
#
# T=REGEX runs only the tests whose name matches (e.g. T=02-basic,
# T='basic.*debug', T=kunit, T=checkpatch). DEBUG_TESTS picks the debug
# kernel's scenarios (below). NETFENCE_DISTRO_GUESTS and
# NETFENCE_DEBUG_GUESTS (2 each) set how many guests of each kernel share
# the scenarios. Logs: build/logs/ (one directory per guest).
set -uo pipefail

. "$(dirname "$0")/vm/common.sh"
cd "$NF_ROOT" || exit 1

T=${T:-}
LOGS=$NF_BUILD/logs
mkdir -p "$LOGS"
# Two suites sharing build/ would overwrite each other's modules and logs:
# the second one waits (NF_BUILD=DIR gives a run a build directory of its own).
exec 8>"$NF_BUILD/.check.lock"
if ! flock -n 8; then
	echo "# waiting for another test run using $NF_BUILD to finish"
	flock 8
fi
npass=0
nfail=0
nskip=0

# Kernel log lines that fail the test during which they appear.
BAD_RE='WARNING:|BUG:|Oops|KASAN:|UBSAN:|possible circular locking|possible recursive locking'
BAD_RE+='|inconsistent lock state|lockdep is turned off|DEBUG_LOCKS_WARN_ON|suspicious RCU usage'
BAD_RE+='|new suspected memory leak|Call Trace:|Kernel panic|general protection fault'
BAD_RE+='|refcount_t:|list_add corruption|list_del corruption|blocked for more than'

# want NAME: the test NAME is selected by T.
want() {
	[ -z "$T" ] || [[ "$1" =~ $T ]]
}

# want_layer NAME: some test of layer NAME (named NAME:...) may be selected.
want_layer() {
	[ -z "$T" ] || [[ "$1" =~ $T ]] || [[ "$T" == "$1"* ]]
}

# indent FILE [LINES]: the last lines of FILE, indented, for a failure.
indent_tail() {
	[ -s "$1" ] || return 0
	tail -n "${2:-25}" "$1" | sed 's/^/    | /'
}

# result PASS|FAIL|SKIP NAME [LOG]: record and print one test result.
result() {
	local st=$1 name=$2 log=${3:-}
	echo "$st $name"
	case "$st" in
	PASS) npass=$((npass + 1)) ;;
	SKIP) nskip=$((nskip + 1)) ;;
	*)
		nfail=$((nfail + 1))
		[ -n "$log" ] && indent_tail "$log"
		[ -n "$log" ] && echo "    (full log: ${log#"$NF_ROOT"/})"
		;;
	esac
}

# prereq NAME LOG CMD...: a step other tests depend on. Reported when T
# selects it or when it fails.
prereq() {
	local name=$1 log=$2
	shift 2
	if "$@" >"$log" 2>&1; then
		want "$name" && result PASS "$name"
		return 0
	fi
	result FAIL "$name" "$log"
	return 1
}

summary() {
	local s="$npass passed, $nfail failed"
	[ "$nskip" -gt 0 ] && s+=", $nskip skipped"
	echo "$s"
	[ "$nfail" = 0 ]
	exit
}

info() { echo "# $*"; }

# ---------------------------------------------------------------- deps
if ! tests/deps.sh >"$LOGS/deps.log" 2>&1; then
	result FAIL deps "$LOGS/deps.log"
	summary
fi
want deps && result PASS deps

# ---------------------------------------------------------------- style
if want_layer style || want_layer checkpatch; then
	tests/style.sh "$LOGS/style" "$T"
	while read -r st name; do
		case "$st" in
		PASS | SKIP) result "$st" "$name" ;;
		FAIL) result FAIL "$name" "$LOGS/style/${name//[\/: =]/_}.log" ;;
		esac
	done <"$LOGS/style/results"
fi

# ---------------------------------------------------------------- compile
if want_layer compile; then
	t0=$(date +%s)
	tests/compile.sh "$LOGS/compile" "$T"
	while read -r st name; do
		case "$st" in
		PASS | SKIP) result "$st" "$name" ;;
		FAIL) result FAIL "$name" "$LOGS/compile/${name//[\/: =\[\]]/_}.log" ;;
		esac
	done <"$LOGS/compile/results"
	while read -r line; do
		info "$line"
	done <"$LOGS/compile/info"
	info "compile matrix: $(($(date +%s) - t0)) s (compilers and tools: ${LOGS#"$NF_ROOT"/}/compile/)"
fi

# ---------------------------------------------------------------- ctl
ctl_ok=0
prereq build:ctl "$LOGS/build-ctl.log" make -C ctl && ctl_ok=1
if [ "$ctl_ok" = 1 ] && want_layer ctl; then
	make -C ctl test >"$LOGS/ctl-test.log" 2>&1
	rc=$?
	seen=0
	while read -r st name; do
		seen=1
		want "$name" || continue
		if [ "$st" = FAIL ]; then
			# The lines that follow a FAIL line explain it.
			awk -v n="$name" '$0 == "FAIL " n { p = 1; next }
				/^(PASS|FAIL) / { p = 0 } p' "$LOGS/ctl-test.log" >"$LOGS/ctl-$$.tmp"
			result FAIL "$name" "$LOGS/ctl-$$.tmp"
			rm -f "$LOGS/ctl-$$.tmp"
		else
			result "$st" "$name"
		fi
	done < <(grep -E '^(PASS|FAIL|SKIP) ' "$LOGS/ctl-test.log")
	if [ "$rc" != 0 ] && ! grep -q '^FAIL ' "$LOGS/ctl-test.log"; then
		result FAIL "ctl/test (make -C ctl test exited $rc)" "$LOGS/ctl-test.log"
	elif [ "$seen" = 0 ]; then
		result FAIL "ctl/test (no results)" "$LOGS/ctl-test.log"
	fi
fi

# The scenarios' traffic and JSON helper.
tools_ok=0
prereq build:nfprobe "$LOGS/build-nfprobe.log" make -C tests/tools && tools_ok=1

# ---------------------------------------------------------------- dkms
if want_layer dkms; then
	if tests/dkms.sh >"$LOGS/dkms.log" 2>&1; then
		result PASS dkms
	else
		result FAIL dkms "$LOGS/dkms.log"
	fi
fi

# ---------------------------------------------------------------- VM layers
INTEGRATION_DIR=${NETFENCE_INTEGRATION_DIR:-$NF_ROOT/tests/integration}

# Under TCG the debug kernel (KASAN, lockdep, PROVE_RCU, kmemleak) runs
# about eight times slower than Debian's, too slow for every scenario in
# one suite. By default it runs KUnit and the scenarios below, which reach
# the module's allocating, locking and deferred paths: netlink requests and
# their rejections, transactions abandoned by a killed process, hooks under
# traffic, socket lookups of identity rules, the deadline work,
DEBUG_TESTS=${DEBUG_TESTS:-03-syn-from-allowed-port ops-audit ops-persist 09-malformed-netlink 12-conntrack hardening-dhcp hardening-icmp-nd hardening-link hardening-replies hardening-userns fuzz-netlink 11-abandoned-transaction identity ops-agent-restart safety-boot safety-deadline safety-existing safety-key safety-reject}

# selected_tests FLAVOR: integration scripts selected for FLAVOR.
selected_tests() {
	local t name
	for t in "$INTEGRATION_DIR"/*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		[ "$name" = lib ] && continue
		if [ "$1" = debug ] && [ "$DEBUG_TESTS" != all ] &&
		   [[ " $DEBUG_TESTS " != *" $name "* ]]; then
			continue
		fi
		want "$name [$1]" && echo "$t"
	done
}

# Guests per kernel: each kernel's scenarios are spread over this many
# guests that run side by side (a guest runs its share one after another).
# Much of a scenario is waiting (timeouts of blocked connects, deadlines),
# during which another guest uses the machine's CPUs.
GUESTS_distro=${NETFENCE_DISTRO_GUESTS:-2}
GUESTS_debug=${NETFENCE_DEBUG_GUESTS:-2}
# Scenario durations of the last run ("FLAVOR NAME SECONDS"), to balance.
DURATIONS=$NF_BUILD/durations

# split_tests FLAVOR N KUNIT TESTS...: N lines, the tests of each guest,
# longest first onto the least loaded guest (durations of the last run, 60 s
# when unknown). KUnit (KUNIT=1), run by the first guest, counts 30 s.
split_tests() {
	local flavor=$1 n=$2 kunit=$3 t
	shift 3
	printf '%s\n' "$@" | awk -v f="$flavor" '
		FILENAME != "-" { if ($1 == f) secs[$2] = $3; next }
		{ name = $0; sub(/.*\//, "", name); sub(/\.sh$/, "", name)
		  print $0, (name in secs ? secs[name] : 60) }
	' "$([ -f "$DURATIONS" ] && echo "$DURATIONS" || echo /dev/null)" - |
		sort -k2,2nr -k1,1 | awk -v n="$n" -v k="$kunit" '
		BEGIN { for (i = 1; i <= n; i++) load[i] = 0; if (k) load[1] = 30 }
		{
			best = 1
			for (i = 2; i <= n; i++) if (load[i] < load[best]) best = i
			load[best] += $2; lane[best] = lane[best] " " $1
		}
		END { for (i = 1; i <= n; i++) print substr(lane[i], 2) }'
}

# vm_start FLAVOR KDIR: build netfence for FLAVOR and boot its guests in
# the background (their run directories in guests_FLAVOR, pids in
# vm_pid_GUEST). Returns 1 when nothing to do.
vm_start() {
	local flavor=$1 kdir=$2 tests kunit=0 ko kunit_ko= n ntests lanes i gk
	tests=$(selected_tests "$flavor")
	[ "$flavor" = debug ] && want_layer kunit && kunit=1
	[ -n "$tests" ] || [ "$kunit" = 1 ] || return 1
	[ "$ctl_ok" = 1 ] || { result FAIL "vm [$flavor] (needs ctl/netfence)"; return 1; }
	[ "$tools_ok" = 1 ] || { result FAIL "vm [$flavor] (needs tests/tools/nfprobe)"; return 1; }
	ko=$NF_BUILD/$flavor/netfence.ko
	# Keep going past a broken KUnit module: netfence.ko alone still
	# deserves its integration run.
	rm -f "$ko" "$NF_BUILD/$flavor/netfence_kunit.ko"
	# The KUnit module only when asked for (the debug kernel has KUnit).
	prereq "build:module [$flavor]" "$LOGS/build-$flavor.log" \
		nf_build_module "$flavor" "$kdir" -k $([ "$flavor" = debug ] && echo NETFENCE_KUNIT=1)
	[ -f "$ko" ] || return 1
	eval "built_$flavor=1"
	if [ "$flavor" = debug ]; then
		kunit_ko=$NF_BUILD/$flavor/netfence_kunit.ko
		if [ "$kunit" = 1 ] && [ ! -f "$kunit_ko" ]; then
			result FAIL "kunit [debug] (netfence_kunit.ko was not built)"
			kunit=0
		fi
	fi
	n=GUESTS_$flavor
	n=${!n}
	[ "$n" -ge 1 ] 2>/dev/null || n=1
	# No more guests than there is work for.
	ntests=$(echo "$tests" | grep -c .)
	[ "$n" -gt $((ntests + kunit)) ] && n=$((ntests + kunit))
	mapfile -t lanes < <(split_tests "$flavor" "$n" "$kunit" $tests)
	rm -rf "$LOGS/$flavor" "$LOGS/$flavor"-[0-9]*
	eval "guests_$flavor="
	for ((i = 1; i <= n; i++)); do
		gk=0
		[ "$i" = 1 ] && gk=$kunit
		[ -n "${lanes[i - 1]-}" ] || [ "$gk" = 1 ] || continue
		vm_boot "$flavor" "$kdir" "$LOGS/$flavor-$i" "$ko" "$kunit_ko" "$gk" "${lanes[i - 1]-}"
		eval "guests_$flavor+=\" $flavor-$i\""
	done
}

# vm_boot FLAVOR KDIR RUNDIR KO KUNIT_KO RUN_KUNIT TESTS: boot one guest.
vm_boot() {
	local flavor=$1 kdir=$2 dir=$3 ko=$4 kunit_ko=$5 kunit=$6 tests=$7 t limit=1200
	for t in $tests; do
		limit=$((limit + $(sed -n 's/^# timeout: *\([0-9]\+\).*/\1/p' "$t" | head -n1 |
			grep . || echo 300)))
	done
	mkdir -p "$dir"
	{
		printf 'NETFENCE_FLAVOR=%q\n' "$flavor"
		printf 'NETFENCE_ROOT=%q\n' "$NF_ROOT"
		printf 'NETFENCE_RESULTS=/nfresults\n'
		printf 'NETFENCE=%q\n' "$NF_ROOT/ctl/netfence"
		printf 'NETFENCE_KO=%q\n' "$ko"
		printf 'NETFENCE_KUNIT_KO=%q\n' "$kunit_ko"
		printf 'NETFENCE_RUN_KUNIT=%q\n' "$kunit"
		printf 'NETFENCE_KDIR=%q\n' "$kdir"
		printf 'NETFENCE_TESTS=%q\n' "$tests"
		printf 'PATH=%q\n' "$NF_ROOT/ctl:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	} >"$dir/job.env"
	printf '#!/bin/bash\nexec %q\n' "$NF_ROOT/tests/vm/guest-tests.sh" >"$dir/job.sh"
	echo "$flavor" >"$dir/flavor"
	printf '%s\n' $tests >"$dir/tests"
	echo "$kunit" >"$dir/run-kunit"
	info "booting ${dir##*/} ($(printf '%s\n' $tests | grep -c .) integration tests$(
		[ "$kunit" = 1 ] && echo ", KUnit"))"
	tests/vm/boot.sh "$flavor" "$dir" "$limit" >"$dir/boot.log" 2>&1 &
	t=${dir##*/}
	eval "vm_pid_${t//-/_}=$!"
}

# kernel_issues RUNDIR: "STEP<TAB>LINE" for each bad kernel log line; STEP
# is the guest step (test name, kunit, kmemleak) or "boot"/"between".
kernel_issues() {
	awk -v re="$BAD_RE" '
		{ sub(/\r$/, "") }
		/netfence-vm: begin / { sub(/.*netfence-vm: begin /, ""); step = $0; next }
		/netfence-vm: end / { step = "between"; next }
		$0 ~ re { print (step == "" ? "boot" : step) "\t" $0 }
	' "$1/console.log" 2>/dev/null
}

# step_issues RUNDIR STEP: print the kernel issues of STEP; false if none.
step_issues() {
	awk -F '\t' -v s="$2" '$1 == s { print "    ! " $2; n++ } END { exit (n == 0) }' \
		"$1/issues"
}

# vm_finish GUEST: wait for guest GUEST (e.g. debug-2), report its results.
vm_finish() {
	local guest=$1 dir=$LOGS/$1 pid_var=vm_pid_${1//-/_} rc t name line st secs flavor
	flavor=$(cat "$dir/flavor")
	wait "${!pid_var}"
	rc=$?
	kernel_issues "$dir" >"$dir/issues"
	info "$guest guest: booted in $(cat "$dir/boot-seconds" 2>/dev/null || echo '?') s," \
		"whole run $(cat "$dir/wall-seconds" 2>/dev/null || echo '?') s (QEMU TCG)"

	if [ "$(cat "$dir/run-kunit")" = 1 ]; then
		kunit_results "$dir"
	fi
	for t in $(cat "$dir/tests"); do
		name=$(basename "$t" .sh)
		line=$(grep "^test $name " "$dir/status" 2>/dev/null)
		if [ -z "$line" ]; then
			if grep -q "netfence-vm: begin $name[[:space:]]*$" "$dir/console.log" 2>/dev/null; then
				result FAIL "$name [$flavor]" "$dir/console.log"
				echo "    (the guest died during this test)"
			else
				result FAIL "$name [$flavor] (not run: the guest stopped earlier)"
			fi
			continue
		fi
		read -r _ _ st secs <<<"$line"
		if step_issues "$dir" "$name" >"$dir/$name.issues"; then
			result FAIL "$name [$flavor]" "$dir/$name.log"
			echo "    kernel log during this test:"
			head -n 20 "$dir/$name.issues"
			echo "    (console log: ${dir#"$NF_ROOT"/}/console.log)"
		elif [ "$st" = 0 ]; then
			result PASS "$name [$flavor]"
		elif [ "$st" = 77 ]; then
			result SKIP "$name [$flavor]"
			grep -m1 -i 'skip' "$dir/$name.log" | sed 's/^/    /'
		else
			result FAIL "$name [$flavor]" "$dir/$name.log"
		fi
		rm -f "$dir/$name.issues"
	done
	if [ "$flavor" = debug ] && grep -q '^kmemleak ' "$dir/status" 2>/dev/null; then
		kmemleak_result "$dir"
	elif [ "$flavor" = debug ]; then
		result FAIL "kmemleak [$guest] (the check did not finish)" "$dir/console.log"
	fi
	# Anything the kernel said outside a test still fails the run.
	for step in boot between; do
		if step_issues "$dir" "$step" >/dev/null; then
			result FAIL "kernel log [$guest] ($step)" "$dir/console.log"
			step_issues "$dir" "$step" | head -n 20
		fi
	done
	if ! grep -q '^done' "$dir/status" 2>/dev/null; then
		if [ "$rc" = 124 ]; then
			result FAIL "vm [$guest] (timed out)" "$dir/console.log"
		else
			result FAIL "vm [$guest] (guest stopped, status $rc)" "$dir/console.log"
		fi
	fi
}

kunit_results() {
	local dir=$1 f suite kunit_py=$DEBUG_TREE/tools/testing/kunit/kunit.py n=0
	if ! grep -q '^kunit ' "$dir/status" 2>/dev/null; then
		result FAIL "kunit [debug] (the guest died while the suites ran)" "$dir/console.log"
		return
	fi
	for f in "$dir"/kunit/*.ktap; do
		[ -f "$f" ] || continue
		suite=$(basename "$f" .ktap)
		n=$((n + 1))
		want "kunit:$suite [debug]" || continue
		if python3 "$kunit_py" parse "$f" >"${f%.ktap}.parsed" 2>&1; then
			result PASS "kunit:$suite [debug]"
		else
			result FAIL "kunit:$suite [debug]" "${f%.ktap}.parsed"
		fi
	done
	if [ "$n" = 0 ]; then
		result FAIL "kunit [debug] (no suite ran)" "$dir/kunit/insmod.log"
	fi
	if step_issues "$dir" kunit >"$dir/kunit.issues"; then
		result FAIL "kunit [debug] (kernel log)" "$dir/console.log"
		head -n 20 "$dir/kunit.issues"
	fi
	rm -f "$dir/kunit.issues"
}

# kmemleak_result RUNDIR: unreferenced objects allocated by netfence. After
# netfence is unloaded its addresses no longer resolve to names: a backtrace
# frame printed as a bare address is module code, and on the debug kernel
# (everything else built in) that can only be netfence or its KUnit module.
kmemleak_result() {
	local dir=$1
	awk '
		/^unreferenced object/ { flush(); buf = $0 "\n"; next }
		{ buf = buf $0 "\n" }
		/netfence/ || /\] 0x[0-9a-f]+$/ { hit = 1 }
		function flush() { if (hit) printf "%s", buf; buf = ""; hit = 0 }
		END { flush() }
	' "$dir/kmemleak.txt" >"$dir/kmemleak-netfence.txt"
	if [ -s "$dir/kmemleak-netfence.txt" ]; then
		result FAIL "kmemleak [${dir##*/}]" "$dir/kmemleak-netfence.txt"
	else
		result PASS "kmemleak [${dir##*/}]"
	fi
	step_issues "$dir" kmemleak | head -n 20
}

# ---------------------------------------------------------------- system
SYSTEM_DIR=$NF_ROOT/tests/system

# system_tests: names of the system scenarios selected.
system_tests() {
	local t name
	for t in "$SYSTEM_DIR"/*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		case "$name" in lib | run-stage) continue ;; esac
		want "$name [system]" && echo "$name"
	done
}

# system_start: run the selected system scenarios one after another in
# the background (in parallel with the other guests), on Debian's kernel.
system_start() {
	local tests name ko=$NF_BUILD/distro/netfence.ko
	system_run=
	tests=$(system_tests)
	[ -n "$tests" ] || return 0
	[ "$ctl_ok" = 1 ] || { result FAIL "system (needs ctl/netfence)"; return 1; }
	# The integration guests' module when they built one, else our own.
	if [ "$built_distro" != 1 ]; then
		rm -f "$ko"
		prereq "build:module [distro]" "$LOGS/build-distro.log" \
			nf_build_module distro "$DISTRO_KDIR" || return 1
	fi
	# First run: mmdebstrap and mkfs, about two minutes; cached afterwards.
	prereq build:sysimage "$LOGS/build-sysimage.log" tests/vm/sysimage.sh || return 1
	system_run=$tests
	for name in $tests; do
		rm -rf "$LOGS/system-$name"
		mkdir -p "$LOGS/system-$name"
	done
	info "booting the system guest ($(echo "$tests" | grep -c .) scenarios)"
	(
		for name in $tests; do
			limit=$(sed -n 's/^# timeout: *\([0-9]\+\).*/\1/p' "$SYSTEM_DIR/$name.sh" | head -n1)
			tests/vm/sysboot.sh "$name" "$LOGS/system-$name" "${limit:-600}" "$ko" \
				>"$LOGS/system-$name/boot.log" 2>&1
			echo $? >"$LOGS/system-$name/rc"
		done
	) &
	system_pid=$!
}

# system_finish: wait for the system scenarios and report each as one
# test: it passes when the guest went through its stages to the end, every
# check passed and the kernel logged nothing bad (boots included).
system_finish() {
	local name dir rc nbad
	[ -n "$system_run" ] || return 0
	wait "$system_pid"
	for name in $system_run; do
		dir=$LOGS/system-$name
		rc=$(cat "$dir/rc" 2>/dev/null || echo '?')
		awk -v re="$BAD_RE" '{ sub(/\r$/, "") } $0 ~ re' "$dir/console.log" \
			>"$dir/issues" 2>/dev/null
		info "system guest $name: $(grep -c ' begin ' "$dir/status" 2>/dev/null) boots," \
			"$(grep -c '^PASS ' "$dir/results" 2>/dev/null) checks passed," \
			"$(cat "$dir/wall-seconds" 2>/dev/null || echo '?') s (QEMU TCG)"
		nbad=$(grep -c '^FAIL ' "$dir/results" 2>/dev/null)
		if [ -s "$dir/issues" ]; then
			result FAIL "$name [system]" "$dir/results"
			echo "    kernel log:"
			head -n 20 "$dir/issues" | sed 's/^/    ! /'
			echo "    (console log: ${dir#"$NF_ROOT"/}/console.log)"
		elif [ "${nbad:-0}" -gt 0 ]; then
			result FAIL "$name [system]" "$dir/results"
		elif [ "$rc" = 124 ]; then
			result FAIL "$name [system] (timed out)" "$dir/console.log"
		elif [ "$rc" != 0 ] || ! grep -q '^PASS ' "$dir/results" 2>/dev/null; then
			result FAIL "$name [system] (exit $rc)" "$dir/boot.log"
			indent_tail "$dir/console.log" 15
		else
			result PASS "$name [system]"
			# The disk copy (hundreds of MB) is kept only to debug a failure.
			rm -rf "$dir/disk.ext4" "$dir/stage"
		fi
	done
}

DISTRO_KDIR=$(nf_kdir distro)
guests_distro=
guests_debug=
built_distro=0
system_run=
vm_start distro "$DISTRO_KDIR"
system_start
if [ -n "$(selected_tests debug)" ] || want_layer kunit; then
	if prereq build:debug-kernel "$LOGS/build-debug-kernel.log" nf_debug_tree; then
		DEBUG_TREE=$(tail -n1 "$LOGS/build-debug-kernel.log")
		vm_start debug "$DEBUG_TREE"
	fi
fi
for guest in $guests_distro $guests_debug; do
	vm_finish "$guest"
done
system_finish
# Remember how long each scenario took, to balance the next run's guests.
for guest in $guests_distro $guests_debug; do
	awk -v f="$(cat "$LOGS/$guest/flavor")" '$1 == "test" { print f, $2, $4 }' \
		"$LOGS/$guest/status" 2>/dev/null
done >"$DURATIONS.new"
if [ -s "$DURATIONS.new" ]; then
	# Keep what this run did not measure.
	awk 'NR == FNR { seen[$1 " " $2] = 1; print; next } !(($1 " " $2) in seen)' \
		"$DURATIONS.new" "$DURATIONS" 2>/dev/null >"$DURATIONS.tmp" ||
		cp "$DURATIONS.new" "$DURATIONS.tmp"
	mv "$DURATIONS.tmp" "$DURATIONS"
fi
rm -f "$DURATIONS.new"
summary
