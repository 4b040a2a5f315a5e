/* The pass for CPUs with AVX-512 (16 Float32 lanes); chosen at run time by dispatch.c. */
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma"))), apply_to = function)
#define IRSL_W 16
#define SWEEP_NAME irsl_sweep_avx512
#define SPECIAL_NAME irsl_special_avx512
#include "sweep_body.h"
#pragma clang attribute pop
#endif
