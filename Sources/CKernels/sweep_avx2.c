/* The pass for CPUs with AVX2 and FMA (8 Float32 lanes); chosen at run time by dispatch.c. */
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define IRSL_W 8
#define SWEEP_NAME irsl_sweep_avx2
#define SPECIAL_NAME irsl_special_avx2
#include "sweep_body.h"
#pragma clang attribute pop
#endif
