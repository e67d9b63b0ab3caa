/*
 * mono.h - the monotonic clock in milliseconds: what the pure machines
 * (verdict, Nomad source) are given as "now", and what timers compare.
 */
#ifndef NOMCAST_MONO_H
#define NOMCAST_MONO_H

#include <stdint.h>

uint64_t mono_ms(void);

#endif
