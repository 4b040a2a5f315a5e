#ifndef IRSL_KERNELS_H
#define IRSL_KERNELS_H
/*
 * The fit's per-entry pass in Float32 SIMD, for every likelihood and K = 1…4.
 *
 * Speed does not depend on -march=native or on libmvec: the arithmetic is
 * written with portable vector types (clang vector extensions) and our own
 * branch-free exp, log, log Γ, ψ and ψ' (vector_math.h, with their error
 * bounds). The same source is compiled three times, for AVX-512 (16 lanes),
 * AVX2 + FMA (8 lanes) and the baseline ISA (4 lanes: SSE2 on x86-64, NEON
 * on arm64); irsl_sweep picks the widest the CPU supports at run time.
 *
 * Per entry the arithmetic is Float32; every sum is Float64: the ability sums
 * per tile of items, the item sums over each block of IRSL_BLOCK_ROWS rows in
 * registers (every entry's Float32 term widened on its own), added once per
 * block to the accumulators.
 *
 * The math is that of Sources/IRT (Likelihood.swift, ItemResponse.swift),
 * whose Swift loop (Calibrator+ReferenceSweep.swift) is the test oracle:
 * Tests/CalibrationTests/KernelTests.swift checks every likelihood, K, model,
 * floor and missing pattern against it. A likelihood is one function in
 * likelihoods.h.
 */
#include <stddef.h>

enum irsl_likelihood { IRSL_BETA = 0, IRSL_BINOMIAL = 1, IRSL_BETA_BINOMIAL = 2 };

/* Rows whose item partials share one Float32 register before they are added
   to the Float64 accumulators (and rows whose prepared entries the block
   buffer holds). */
#define IRSL_BLOCK_ROWS 16
/* Items are padded to a multiple of this (the widest vector). */
#define IRSL_PAD 16
/* Float32 fields per prepared entry in the block buffer. */
#define IRSL_FIELDS 3

typedef struct {
    int likelihood;          /* enum irsl_likelihood */
    int dims;                /* K, 1…4 */
    int two_pl;              /* 1: gradient slots (a_1…a_K, d); 0: d only (1PL, K = 1) */
    int standard_errors;     /* 0: one fit step (Fisher information, abilities updated);
                                1: observed information, abilities kept, theta_se filled; the
                                   log-likelihood and precision derivatives, which the standard
                                   errors do not use, are not accumulated (no log Γ per entry) */
    ptrdiff_t rows, items;   /* this shard */
    ptrdiff_t row_start;     /* global index of its first row: row blocks are aligned to global
                                multiples of IRSL_BLOCK_ROWS, so how the rows are split over ranks
                                changes only the grouping of Float64 sums (in the blocks a split
                                cuts), never a Float32 term */
    ptrdiff_t padded;        /* items rounded up to IRSL_PAD */
    const float *y;          /* rows × items, NaN = missing */
    const float *trials;     /* rows × items, or NULL (one trial each) */
    double *theta;           /* rows × K */
    double *theta_se;        /* rows × K, standard_errors only */
    /* Items, Float32, structure of arrays, `padded` long (padding: a = d = g = 0, phi = 1). */
    const float *a;          /* K × padded: a[c * padded + j] */
    const float *d, *g, *phi;
    const float *dg_phi, *tg_phi;   /* ψ, ψ' of the item's φ. The log-likelihood leaves out the
                                       per-entry constant log Γ(φ): the caller adds it per item in
                                       Float64 (a Float32 constant times millions of entries would
                                       swamp the changes that convergence is judged on) */
    float *block;            /* irsl_block_floats(padded) floats of scratch */
    double ridge;            /* prior precision of dimension 1 of every ability */
    double ridge_rest;       /* ... and of dimensions 2…K */
    double bound, max_step;
    /* Accumulators (added to): slot q of item j at acc[q * items + j]; slots 0..<p the
       gradient, p..<stride the packed lower triangle of the information, stride and
       stride + 1 the precision derivatives dℓ/dφ, d²ℓ/dφ², and (Beta)
       stride + 2 + c the cross information −d²ℓ/dφ dx_c with the item's slot c;
       acc[tail] the log-likelihood, then Σθ_c, Σθ_c². */
    double *acc;
    ptrdiff_t stride, tail;
} irsl_sweep_args;

/* One pass over the shard (see irsl_sweep_args.standard_errors). */
void irsl_sweep(const irsl_sweep_args *args);
/* Scratch floats irsl_sweep needs for `padded` items. */
size_t irsl_block_floats(ptrdiff_t padded);
/* Lanes of the code path irsl_sweep runs on this CPU (16, 8 or 4). */
int irsl_vector_lanes(void);
/* Restricts the pass to at most `lanes` (4, 8 or 16; anything else: the widest
   the CPU has), so tests run every path a CPU supports; returns the lanes now used. */
int irsl_force_vector_lanes(int lanes);

/* The vector special functions at n points (Float32, the kernels' own code),
   for the error-bound tests: out[i] = f(x[i]) for f = 0 exp, 1 log, 2 log Γ,
   3 ψ, 4 ψ'. */
void irsl_special_f32(int f, ptrdiff_t n, const float *x, float *out);
#endif
