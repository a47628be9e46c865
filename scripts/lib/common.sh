# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# The parts (below) are found next to this file, whoever sources it.
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/lib
# shellcheck source-path=SCRIPTDIR/../../scripts/lib
# shellcheck disable=SC2034 # globals set here are read by the sourcing scripts
#
# scripts/lib/common.sh: shell helpers shared by scripts/demo, scripts/topo.sh
# and the e2e tests (tests/e2e/*.sh). Source it from bash, then call sw_init:
#
#	set -euo pipefail
#	. "$SW_ROOT/scripts/lib/common.sh"
#	sw_need_root             # exit 77 (skip) unless root
#	sw_init e2e-foo          # run id, temp dir, one cleanup trap
#
# Everything a helper makes (network namespaces, processes, temp dirs, mounts,
# hugepage reservations, DPDK runtime dirs) is pushed on one cleanup stack
# that a single EXIT/INT/TERM/HUP trap unwinds in reverse order, so every
# exit path leaves the machine as it was. Helpers that register cleanups
# must run in the main shell, never inside $(...): a subshell's registrations
# are lost. That is why they return names through variables, not stdout.
#
# Safety rules these helpers enforce (docs: shared DESIGN "Tests and safety"):
# traffic stays in namespaces named per run; no veth end is ever created in
# the root namespace; only processes started here are stopped, by PID; every
# wait is bounded.

if [[ -n ${SW_COMMON_LOADED:-} ]]; then
	return 0
fi
SW_COMMON_LOADED=1

# Prefer the distribution's python (where python3-scapy lives), also under sudo.
SW_PYTHON=/usr/bin/python3
[[ -x $SW_PYTHON ]] || SW_PYTHON=python3

# The helpers live in parts, one concern each, sourced here in this order
# (log.sh first: it opens SW_LOGFD). They call one another only when run,
# so a script sources this file, never a part alone:
#	log.sh      sw_log, sw_warn, sw_die, sw_skip, sw_log_tail, sw_now_ms
#	prereq.sh   sw_need_root, sw_install_deps, sw_require_cmds
#	run.sh      sw_init, sw_defer, cleanup stack and traps, sw_spawn, sw_stop_pid
#	ns.sh       sw_ns_add, sw_ns_del, sw_ns_exec, sw_veth, sw_if_mac
#	checks.sh   sw_wait_for, sw_check, sw_is_eq, ..., sw_checks_done (TAP)
#	dpdk.sh     hugepages, sw_dpdk_prefix, sw_telemetry, sw_dpdk_eal_mem, ...
#	synwall.sh  sw_synwall_conf/_start/_up, sw_synwall_stats, sw_snap, ...
# SW_LIB_DIR is also where the helpers' Python programs are.
SW_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=log.sh
. "$SW_LIB_DIR/log.sh"
# shellcheck source=prereq.sh
. "$SW_LIB_DIR/prereq.sh"
# shellcheck source=run.sh
. "$SW_LIB_DIR/run.sh"
# shellcheck source=ns.sh
. "$SW_LIB_DIR/ns.sh"
# shellcheck source=checks.sh
. "$SW_LIB_DIR/checks.sh"
# shellcheck source=dpdk.sh
. "$SW_LIB_DIR/dpdk.sh"
# shellcheck source=synwall.sh
. "$SW_LIB_DIR/synwall.sh"
