/*
 * Branch-free Float32 vector math for the kernels: exp, log, and log Γ, ψ, ψ'
 * evaluated together. Included by each ISA's translation unit with IRSL_W
 * (lanes) defined; only clang vector extensions, so the same text becomes
 * AVX-512, AVX2 or SSE2/NEON code.
 *
 * Error bounds (measured against Foundation's Float64 functions over the
 * ranges below by Tests/CalibrationTests/SpecialFunctionTests.swift, which
 * asserts them; u = 2^-24 ≈ 6e-8 is the Float32 unit roundoff):
 *   exp   x ∈ [−87, 88]:             relative 2e-7
 *   log   x ∈ [1e-30, 1e30]:         absolute 1.2e-7 · max(1, |log x|)
 *   log Γ x ∈ [1e-6, 1e6]:           absolute 4e-6 · max(1, |log Γ(x)|)
 *   ψ     x ∈ [1e-6, 1e6]:           absolute 2e-6 · max(1, |ψ(x)|)
 *   ψ'    x ∈ [1e-6, 1e6]:           relative 2e-6
 * The fit's arguments are μφ and (1 − μ)φ with μ ∈ [1e-8, 1 − 1e-8] and
 * φ ∈ [1e-2, 1e6], so x ≥ 1e-10; below 1e-6 ψ and ψ' keep their relative
 * accuracy (the 1/x term dominates and is exact to rounding).
 */
#ifndef IRSL_VECTOR_MATH_H
#define IRSL_VECTOR_MATH_H
#include <stdint.h>
#pragma clang diagnostic ignored "-Wpsabi"

typedef float vf __attribute__((vector_size(4 * IRSL_W)));
typedef int32_t vi __attribute__((vector_size(4 * IRSL_W)));
typedef double vd __attribute__((vector_size(8 * IRSL_W)));

#define INLINE static inline __attribute__((always_inline))

INLINE vf splat(float x) { return (vf){} + x; }
INLINE vf load(const float *p) { vf v; __builtin_memcpy(&v, p, sizeof v); return v; }
INLINE void store(float *p, vf v) { __builtin_memcpy(p, &v, sizeof v); }
INLINE vd loadd(const double *p) { vd v; __builtin_memcpy(&v, p, sizeof v); return v; }
INLINE void stored(double *p, vd v) { __builtin_memcpy(p, &v, sizeof v); }
INLINE vd widen(vf v) { return __builtin_convertvector(v, vd); }
/* m ? a : b, with m a comparison result (all bits set or clear per lane). */
INLINE vf select(vi m, vf a, vf b) { return (vf)(((vi)a & m) | ((vi)b & ~m)); }
INLINE vf vmin(vf a, vf b) { return select(a < b, a, b); }
INLINE vf vmax(vf a, vf b) { return select(a > b, a, b); }

/* e^x: x = n ln 2 + r with |r| ≤ ln 2 / 2, e^r by a degree-6 polynomial
   (1 + r + r²/2 + r³ E(r), E our minimax fit, 3e-9 relative), times 2^n
   built in the exponent bits. x is clamped to [−87, 88]. */
INLINE vf vexp(vf x) {
    x = vmin(vmax(x, splat(-87.0f)), splat(88.0f));
    const float shifter = 12582912.0f;                 /* 1.5 · 2^23: round to nearest */
    vf t = x * 1.44269504088896341f + shifter;
    vi n = (vi)t - 0x4B400000;
    vf nf = t - shifter;
    vf r = x - nf * 0.693145751953125f;                /* ln 2, high part (exact in nf · hi) */
    r = r - nf * 1.42860682030941723e-6f;              /* ln 2, low part */
    vf e = ((0.0013941698191551222f * r + 0.008368731660042034f) * r + 0.04166639040941373f) * r
           + 0.16666520543235294f;
    vf p = 1.0f + r + r * r * (0.5f + r * e);
    return p * (vf)((n + 127) << 23);
}

/* log x for positive normal x: x = 2^e m with m ∈ [√½, √2), log(1 + f),
   f = m − 1, as f − f²/2 + f³ R(f), R our minimax fit of degree 6
   (3.3e-8 relative to log(1 + f)). */
INLINE vf vlog(vf x) {
    vi ix = (vi)x;
    vi e = ((ix >> 23) & 0xff) - 127;
    vf m = (vf)((ix & 0x007fffff) | 0x3f800000);
    vi big = m > 1.41421356237309505f;
    m = select(big, m * 0.5f, m);
    e = e - big;                                        /* big is −1 where true */
    vf f = m - 1.0f;
    vf R = (((((0.08917782745350543f * f - 0.14350188107739764f) * f + 0.1487698218443684f) * f
             - 0.16565636159442504f) * f + 0.19965396495905693f) * f - 0.2500174690597001f) * f
           + 0.3333385810029992f;
    vf ef = __builtin_convertvector(e, vf);
    vf f2 = f * f;
    return ef * 0.693145751953125f + (f - 0.5f * f2 + f2 * f * R + ef * 1.42860682030941723e-6f);
}

/*
 * log Γ, ψ, ψ' at x ∈ (0, 1e6]: shift by six, z = x + 6, where the
 * asymptotic series needs three terms in Float32 (first omitted term below
 * 4e-9), and fold the six recurrence terms into two cubics
 * Q1 = x(x+1)(x+2), Q2 = (x+3)(x+4)(x+5):
 * Σ 1/(x+k) = Q1'/Q1 + Q2'/Q2, Σ 1/(x+k)² = (Q1'/Q1)² − Q1''/Q1 + (same for Q2),
 * Σ log(x+k) = log(Q1 Q2) (Q1 Q2 < 2e36 for x ≤ 1e6, no overflow).
 * Two divisions: 1/Q1 and 1/(z Q2), from which 1/Q2 and 1/z follow.
 * `want_lg` is a constant at every call, so the unused part is dropped.
 */
typedef struct { vf lg, dg, tg; } gamma3;

INLINE gamma3 vgamma(vf x, int want_lg) {
    vf q1 = ((x + 3.0f) * x + 2.0f) * x;
    vf dq1 = (3.0f * x + 6.0f) * x + 2.0f;
    vf ddq1 = 6.0f * x + 6.0f;
    vf q2 = ((x + 12.0f) * x + 47.0f) * x + 60.0f;
    vf dq2 = (3.0f * x + 24.0f) * x + 47.0f;
    vf ddq2 = 6.0f * x + 24.0f;
    vf z = x + 6.0f;
    vf id = 1.0f / (z * q2);
    vf i1 = 1.0f / q1, i2 = z * id, r = q2 * id, r2 = r * r;
    vf u1 = dq1 * i1, u2 = dq2 * i2;
    vf lz = vlog(z);
    gamma3 out;
    out.dg = lz - 0.5f * r - r2 * (1.0f / 12 - r2 * (1.0f / 120 - r2 * (1.0f / 252))) - (u1 + u2);
    out.tg = r + 0.5f * r2 + r * r2 * (1.0f / 6 - r2 * (1.0f / 30 - r2 * (1.0f / 42)))
             + (u1 * u1 - ddq1 * i1) + (u2 * u2 - ddq2 * i2);
    if (want_lg)
        out.lg = (z - 0.5f) * lz - z + 0.918938533204672742f
                 + r * (1.0f / 12 - r2 * (1.0f / 360 - r2 * (1.0f / 1260))) - vlog(q1 * q2);
    else
        out.lg = (vf){};
    return out;
}
#endif
