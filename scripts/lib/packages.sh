# SPDX-License-Identifier: BSD-3-Clause
# Debian 12 packages synwall needs, in one place for scripts/test and
# scripts/demo (sourced; sw_install_deps, in prereq.sh, installs them).

# Build: DPDK 22.11 LTS from Debian, meson + ninja, libnuma, libpcap for
# the component tests, clang (+ its runtime) for the sanitizer/fuzz build.
SW_PKGS_BUILD=(
	build-essential pkg-config meson ninja-build
	dpdk dpdk-dev libdpdk-dev libnuma-dev libpcap-dev libsodium-dev
	clang libclang-rt-14-dev
)

# Tests and demo: scapy for vectors, kernel tools and real peers for e2e,
# netsniff-ng for trafgen (the spoofed SYN / ACK floods), iperf3 and
# nftables (loss injection, silent servers) for the relay's e2e test;
# Prometheus and its Python client for synwall-exporter's tests; BIRD 2
# for the cluster test's routers and nodes (e2e_cluster.sh: BGP, ECMP).
SW_PKGS_TEST=(
	python3 python3-scapy
	iproute2 ethtool iputils-ping procps kmod
	nginx-light curl tcpdump netsniff-ng iperf3 nftables
	prometheus python3-prometheus-client
	bird2
)
