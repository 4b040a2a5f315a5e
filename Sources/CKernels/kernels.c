#include "irsl_kernels.h"
#include <math.h>

/* Keeps P away from 0 and 1 (IRT.probabilityGuard). */
#define GUARD 1e-8
#define HALF_LOG_2PI 0.91893853320467274178
/* The Beta censoring points (IRT.betaClampEpsilon): entries at or below
 * CENSOR_LO, or at or above CENSOR_HI, enter as log P(Y <= eps) or
 * log P(Y >= 1 - eps); see BetaLikelihood for the formulas. */
#define CENSOR_LO 1e-4f
#define CENSOR_HI (1.0f - 1e-4f)

static inline double clamp(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

/*
 * log Gamma, digamma and trigamma at x > 0, branch-free so loops vectorise:
 * always shift by six, z = x + 6, and fold the six recurrence terms into the
 * polynomial P(x) = x(x+1)...(x+5): sum 1/(x+k) = P'/P, sum 1/(x+k)^2 =
 * (P'/P)^2 - P''/P, sum log(x+k) = log P. Same formulas as GammaTerms.
 */
static inline void gamma_dt(double x, double *dg, double *tg) {
    double P = (((((x + 15) * x + 85) * x + 225) * x + 274) * x + 120) * x;
    double P1 = ((((6 * x + 75) * x + 340) * x + 675) * x + 548) * x + 120;
    double P2 = (((30 * x + 300) * x + 1020) * x + 1350) * x + 548;
    double z = x + 6, r = 1 / z, r2 = r * r;
    double s1 = P1 / P;
    *dg = log(z) - 0.5 * r
        - r2 * (1.0 / 12 - r2 * (1.0 / 120 - r2 * (1.0 / 252 - r2 * (1.0 / 240 - r2 / 132))))
        - s1;
    *tg = r + 0.5 * r2
        + r * r2 * (1.0 / 6 - r2 * (1.0 / 30 - r2 * (1.0 / 42 - r2 * (1.0 / 30 - r2 * 5.0 / 66))))
        + s1 * s1 - P2 / P;
}

static inline void gamma_ldt(double x, double *lg, double *dg, double *tg) {
    double P = (((((x + 15) * x + 85) * x + 225) * x + 274) * x + 120) * x;
    double P1 = ((((6 * x + 75) * x + 340) * x + 675) * x + 548) * x + 120;
    double P2 = (((30 * x + 300) * x + 1020) * x + 1350) * x + 548;
    double z = x + 6, r = 1 / z, r2 = r * r, lz = log(z);
    double s1 = P1 / P;
    *lg = (z - 0.5) * lz - z + HALF_LOG_2PI
        + r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 / 1680)))
        - log(P);
    *dg = lz - 0.5 * r
        - r2 * (1.0 / 12 - r2 * (1.0 / 120 - r2 * (1.0 / 252 - r2 * (1.0 / 240 - r2 / 132))))
        - s1;
    *tg = r + 0.5 * r2
        + r * r2 * (1.0 / 6 - r2 * (1.0 / 30 - r2 * (1.0 / 42 - r2 * (1.0 / 30 - r2 * 5.0 / 66))))
        + s1 * s1 - P2 / P;
}

void irsl_beta_theta_k1(ptrdiff_t n, const float *restrict y, const double *restrict a,
                        const double *restrict d, const double *restrict g,
                        const double *restrict phi, double theta, int observed, double *out,
                        double *restrict logY, double *restrict log1mY) {
    double gs = 0, hs = 0;
    for (ptrdiff_t j = 0; j < n; j++) {
        double yj = y[j];
        int present = !isnan(yj);
        double yy = present ? yj : 0.5;
        double s = 1 / (1 + exp(-(a[j] * theta + d[j])));
        double gj = g[j];
        double mu = clamp(gj + (1 - gj) * s, GUARD, 1 - GUARD);
        double slope = (1 - gj) * s * (1 - s);
        double ph = phi[j];
        double dg1, tg1, dg2, tg2;
        gamma_dt(mu * ph, &dg1, &tg1);
        gamma_dt((1 - mu) * ph, &dg2, &tg2);
        double lo = present && y[j] <= CENSOR_LO ? 1.0 : 0.0, hi = present && y[j] >= CENSOR_HI ? 1.0 : 0.0;
        double inside = 1 - lo - hi, logEps = log((double)CENSOR_LO);
        double ly = inside * log(yy) + lo * logEps, l1y = inside * log(1 - yy) + hi * logEps;
        logY[j] = ly;
        log1mY[j] = l1y;
        double x1 = mu * ph, x2 = (1 - mu) * ph;
        double scoreMu = ph * (ly - l1y - dg1 + dg2 - lo / x1 + hi / x2);
        double score = scoreMu * slope;
        double info = ph * ph * (tg1 + tg2 - lo / (x1 * x1) - hi / (x2 * x2)) * slope * slope;
        if (observed) info -= scoreMu * (1 - gj) * s * (1 - s) * (1 - 2 * s);
        double m = present ? 1.0 : 0.0;
        gs += m * score * a[j];
        hs += m * info * a[j] * a[j];
    }
    out[0] += gs;
    out[1] += hs;
}

double irsl_beta_items_k1(ptrdiff_t n, const float *restrict y, const double *restrict a,
                          const double *restrict d, const double *restrict g,
                          const double *restrict phi, const double *restrict lgPhi,
                          const double *restrict dgPhi, const double *restrict tgPhi,
                          const double *restrict logY, const double *restrict log1mY,
                          double theta, int observed, double *restrict gA, double *restrict gD, double *restrict hAA,
                          double *restrict hAD, double *restrict hDD,
                          double *restrict dPhi, double *restrict d2Phi) {
    double ll = 0;
    for (ptrdiff_t j = 0; j < n; j++) {
        double yj = y[j];
        int present = !isnan(yj);
        double yy = present ? yj : 0.5;
        double s = 1 / (1 + exp(-(a[j] * theta + d[j])));
        double gj = g[j];
        double mu = clamp(gj + (1 - gj) * s, GUARD, 1 - GUARD);
        double slope = (1 - gj) * s * (1 - s);
        double ph = phi[j];
        double x1 = mu * ph, x2 = (1 - mu) * ph;
        double lg1, dg1, tg1, lg2, dg2, tg2;
        gamma_ldt(x1, &lg1, &dg1, &tg1);
        gamma_ldt(x2, &lg2, &dg2, &tg2);
        double ly = logY[j], l1y = log1mY[j];
        double m = present ? 1.0 : 0.0;
        double lo = present && y[j] <= CENSOR_LO ? 1.0 : 0.0, hi = present && y[j] >= CENSOR_HI ? 1.0 : 0.0;
        double censored = lo + hi;
        double scoreMu = ph * (ly - l1y - dg1 + dg2 - lo / x1 + hi / x2);
        double score = m * scoreMu * slope;
        double info = ph * ph * (tg1 + tg2 - lo / (x1 * x1) - hi / (x2 * x2)) * slope * slope;
        if (observed) info -= scoreMu * (1 - gj) * s * (1 - s) * (1 - 2 * s);
        info *= m;
        ll += m * (lgPhi[j] - lg1 - lg2 + (x1 - 1) * ly + (x2 - 1) * l1y
                   + censored * (log((double)CENSOR_LO) - log(lo > 0 ? x1 : x2)));
        gA[j] += score * theta;
        gD[j] += score;
        hAA[j] += info * theta * theta;
        hAD[j] += info * theta;
        hDD[j] += info;
        dPhi[j] += m * (dgPhi[j] - mu * dg1 - (1 - mu) * dg2 + mu * ly + (1 - mu) * l1y - censored / ph);
        d2Phi[j] += m * (tgPhi[j] - mu * mu * tg1 - (1 - mu) * (1 - mu) * tg2 + censored / (ph * ph));
    }
    return ll;
}

void irsl_binomial_theta_k1(ptrdiff_t n, const float *restrict y, const float *restrict trials,
                            const double *restrict a, const double *restrict d,
                            const double *restrict g, double theta, int observed, double *out) {
    double gs = 0, hs = 0;
    for (ptrdiff_t j = 0; j < n; j++) {
        double yj = y[j];
        int present = !isnan(yj);
        double yy = present ? yj : 0.5;
        double nt = trials ? (double)trials[j] : 1.0;
        double s = 1 / (1 + exp(-(a[j] * theta + d[j])));
        double gj = g[j];
        double p = clamp(gj + (1 - gj) * s, GUARD, 1 - GUARD);
        double slope = (1 - gj) * s * (1 - s);
        double v = 1 / (p * (1 - p));
        double m = present ? nt : 0.0;
        double info = v * slope * slope;
        if (observed) info = (yy / (p * p) + (1 - yy) / ((1 - p) * (1 - p))) * slope * slope
                             - (yy - p) * v * (1 - gj) * s * (1 - s) * (1 - 2 * s);
        gs += m * (yy - p) * v * slope * a[j];
        hs += m * info * a[j] * a[j];
    }
    out[0] += gs;
    out[1] += hs;
}

double irsl_binomial_items_k1(ptrdiff_t n, const float *restrict y, const float *restrict trials,
                              const double *restrict a, const double *restrict d,
                              const double *restrict g, double theta, int observed,
                              double *restrict gA, double *restrict gD, double *restrict hAA,
                              double *restrict hAD, double *restrict hDD) {
    double ll = 0;
    for (ptrdiff_t j = 0; j < n; j++) {
        double yj = y[j];
        int present = !isnan(yj);
        double yy = present ? yj : 0.5;
        double nt = trials ? (double)trials[j] : 1.0;
        double s = 1 / (1 + exp(-(a[j] * theta + d[j])));
        double gj = g[j];
        double p = clamp(gj + (1 - gj) * s, GUARD, 1 - GUARD);
        double slope = (1 - gj) * s * (1 - s);
        double v = 1 / (p * (1 - p));
        double m = present ? nt : 0.0;
        double score = m * (yy - p) * v * slope;
        double info = v * slope * slope;
        if (observed) info = (yy / (p * p) + (1 - yy) / ((1 - p) * (1 - p))) * slope * slope
                             - (yy - p) * v * (1 - gj) * s * (1 - s) * (1 - 2 * s);
        info *= m;
        ll += m * (yy * log(p) + (1 - yy) * log(1 - p));
        gA[j] += score * theta;
        gD[j] += score;
        hAA[j] += info * theta * theta;
        hAD[j] += info * theta;
        hDD[j] += info;
    }
    return ll;
}
