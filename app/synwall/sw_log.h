/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Log types user.synwall.<module>, set with --log-level or the config's
 * log_level. SW_LOG_RL is the only log allowed on the data path: at most
 * one line per second per call site, per lcore.
 */
#ifndef SW_LOG_H
#define SW_LOG_H

#include <rte_cycles.h>
#include <rte_log.h>

extern int sw_logtype_main;
extern int sw_logtype_config;
extern int sw_logtype_port;
extern int sw_logtype_worker;
extern int sw_logtype_stats;

#define SW_LOGTYPE_main		sw_logtype_main
#define SW_LOGTYPE_config	sw_logtype_config
#define SW_LOGTYPE_port		sw_logtype_port
#define SW_LOGTYPE_worker	sw_logtype_worker
#define SW_LOGTYPE_stats	sw_logtype_stats

#define SW_LOG(level, module, fmt, ...) \
	rte_log(RTE_LOG_ ## level, SW_LOGTYPE_ ## module, \
		"synwall." #module ": " fmt "\n", ##__VA_ARGS__)

#define SW_LOG_RL(level, module, now, fmt, ...) do { \
	static RTE_DEFINE_PER_LCORE(uint64_t, sw_log_next_); \
	if ((now) >= RTE_PER_LCORE(sw_log_next_)) { \
		RTE_PER_LCORE(sw_log_next_) = (now) + rte_get_tsc_hz(); \
		SW_LOG(level, module, fmt, ##__VA_ARGS__); \
	} \
} while (0)

#endif /* SW_LOG_H */
