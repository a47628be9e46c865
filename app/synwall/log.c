/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_log.h>

#include "sw_log.h"

RTE_LOG_REGISTER(sw_logtype_main, user.synwall.main, NOTICE);
RTE_LOG_REGISTER(sw_logtype_config, user.synwall.config, NOTICE);
RTE_LOG_REGISTER(sw_logtype_port, user.synwall.port, NOTICE);
RTE_LOG_REGISTER(sw_logtype_worker, user.synwall.worker, NOTICE);
RTE_LOG_REGISTER(sw_logtype_stats, user.synwall.stats, NOTICE);
