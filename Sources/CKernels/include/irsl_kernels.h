#ifndef IRSL_KERNELS_H
#define IRSL_KERNELS_H
/*
 * The per-entry hot loops of the one-dimensional fit (K = 1), in C so the
 * compiler can vectorise them: with -O3 -ffast-math, clang turns the loops'
 * exp/log calls into glibc's libmvec vector calls, about six times faster than
 * the scalar loop Swift produces. The math is exactly that of Sources/IRT
 * (Likelihood.swift, SpecialFunctions.swift), which remains the reference:
 * Tests/CalibrationTests/KernelTests.swift checks these against it.
 *
 * Conventions: y is one model's row (float32, NaN = missing); a, d, g are the
 * items' discrimination, intercept and floor; phi and its gamma terms are
 * expanded per item; trials may be NULL (one trial each). Item accumulators
 * are structure-of-arrays, one double per item, and are added to (not set).
 */
#include <stddef.h>

/* Ability-step sums for one row: out[0] += dl/dtheta, out[1] += information:
   Fisher's (expected) when observed == 0, the observed -d2l/dtheta2 otherwise
   (for standard errors). The items' kernels take the same switch. */
void irsl_beta_theta_k1(ptrdiff_t n, const float *y, const double *a, const double *d,
                        const double *g, const double *phi, double theta, int observed, double *out,
                        double *logY, double *log1mY);
void irsl_binomial_theta_k1(ptrdiff_t n, const float *y, const float *trials, const double *a,
                            const double *d, const double *g, double theta, int observed, double *out);

/* The Beta ability kernel also leaves log y and log(1 - y) of the row in
   logY, log1mY (n doubles each), which the Beta item kernel then reads: the
   row is still in cache, and two of the pass's logarithms are saved. */

/* Item accumulators for one row at ability theta; returns the row's log-likelihood.
   gA, gD: gradient in a and d; hAA, hAD, hDD: Fisher information block;
   dPhi, d2Phi: first and second derivative in the Beta precision. */
double irsl_beta_items_k1(ptrdiff_t n, const float *y, const double *a, const double *d,
                          const double *g, const double *phi, const double *lgPhi,
                          const double *dgPhi, const double *tgPhi, const double *logY, const double *log1mY,
                          double theta, int observed, double *gA, double *gD, double *hAA, double *hAD, double *hDD,
                          double *dPhi, double *d2Phi);
double irsl_binomial_items_k1(ptrdiff_t n, const float *y, const float *trials, const double *a,
                              const double *d, const double *g, double theta, int observed,
                              double *gA, double *gD, double *hAA, double *hAD, double *hDD);
#endif
