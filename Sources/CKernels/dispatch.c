/* Run-time choice of the widest pass the CPU supports: the library is built
   for the baseline ISA (no -march=native), and the AVX2 and AVX-512 passes
   are compiled with target attributes and only called where cpuid says so. */
#include "irsl_kernels.h"
#include <stdlib.h>

void irsl_sweep_base(const irsl_sweep_args *);
void irsl_special_base(int, ptrdiff_t, const float *, float *);
#if defined(__x86_64__)
void irsl_sweep_avx2(const irsl_sweep_args *);
void irsl_special_avx2(int, ptrdiff_t, const float *, float *);
void irsl_sweep_avx512(const irsl_sweep_args *);
void irsl_special_avx512(int, ptrdiff_t, const float *, float *);
#endif

static int forced = -1;   /* -1: not yet read from IRSL_VECTOR_LANES */

/* IRSL_VECTOR_LANES=4|8 caps the lanes, as irsl_force_vector_lanes does: to
   measure the AVX2 (or baseline) path on a CPU that has AVX-512. */
static int from_environment(void) {
    const char *e = getenv("IRSL_VECTOR_LANES");
    int l = e ? atoi(e) : 0;
    return (l == 4 || l == 8 || l == 16) ? l : 0;
}

static int detected(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw")) return 16;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 8;
#endif
    return 4;
}

int irsl_vector_lanes(void) {
    int best = detected();
    if (forced < 0) forced = from_environment();
    return forced && forced <= best ? forced : best;
}

int irsl_force_vector_lanes(int lanes) {
    forced = (lanes == 4 || lanes == 8 || lanes == 16) ? lanes : 0;
    return irsl_vector_lanes();
}

size_t irsl_block_floats(ptrdiff_t padded) {
    return (size_t)padded * IRSL_BLOCK_ROWS * IRSL_FIELDS;
}

void irsl_sweep(const irsl_sweep_args *args) {
    switch (irsl_vector_lanes()) {
#if defined(__x86_64__)
    case 16: irsl_sweep_avx512(args); return;
    case 8: irsl_sweep_avx2(args); return;
#endif
    default: irsl_sweep_base(args); return;
    }
}

void irsl_special_f32(int f, ptrdiff_t n, const float *x, float *out) {
    switch (irsl_vector_lanes()) {
#if defined(__x86_64__)
    case 16: irsl_special_avx512(f, n, x, out); return;
    case 8: irsl_special_avx2(f, n, x, out); return;
#endif
    default: irsl_special_base(f, n, x, out); return;
    }
}
