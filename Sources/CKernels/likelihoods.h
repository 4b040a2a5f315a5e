/*
 * The likelihoods of the hot path, one function pair per likelihood and
 * nothing else here: `prepare` turns a response (and its trial count) into
 * the entry's IRSL_FIELDS Float32 fields once per row and pass, `terms`
 * gives the entry's derivatives in η from those fields (the Float32 twin of
 * EntryLikelihood.terms in Sources/IRT/Likelihood.swift).
 *
 * Adding a likelihood: an enum value in irsl_kernels.h, a prepare/terms pair
 * here, and one case in entry_prepare/entry_terms below.
 */
#ifndef IRSL_LIKELIHOODS_H
#define IRSL_LIKELIHOODS_H
#include "vector_math.h"
#include "irsl_kernels.h"

/* The item's parameters at this chunk of W items (φ's gamma terms per item). */
typedef struct { vf g, phi, dg_phi, tg_phi; } item_chunk;
/* The prepared response. */
typedef struct { vf f0, f1, f2; } fields;
/* dℓ/dη; the information in η (Fisher or observed); and, in the item pass,
   ℓ, the precision derivatives dℓ/dφ, d²ℓ/dφ², and (Beta) `cross`, the
   expected −d²ℓ/dη dφ (the part of the observed one whose mean is not zero),
   which couples each item's step to its benchmark's φ step. Zero where missing. */
typedef struct { vf score, info, ll, dphi, d2phi, cross; } terms;

/* P = g + (1 − g) σ(η) and 1 − P, each kept ≥ 1e-8 (IRT.probabilityGuard),
   without cancellation: 1 − σ = e^(−η) σ. slope = dP/dη, bend = 1 − 2σ
   (d²P/dη² = slope · bend). */
typedef struct { vf p, q, slope, bend; } response;
INLINE response item_response(vf eta, vf g) {
    vf e = vexp(-eta);
    vf s = 1.0f / (1.0f + e), sc = e * s, om = 1.0f - g;
    response r;
    r.p = vmax(g + om * s, splat(1e-8f));
    r.q = vmax(om * sc, splat(1e-8f));
    r.slope = om * s * sc;
    r.bend = sc - s;
    return r;
}

/* ---- Beta(μφ, (1 − μ)φ), censored at ε and 1 − ε (IRT.BetaLikelihood).
   Fields: log y, log(1 − y) as the density uses them (log ε and 0 below ε,
   0 and log ε above 1 − ε), and a code: 0 missing, 1 inside, 2 at or below ε,
   3 at or above 1 − ε.
   A censored entry is the density with the gamma argument of its side
   shifted by one: log P(Y ≤ ε) = α log ε − lnΓ(α + 1) − lnΓ(β) + lnΓ(φ), and
   ψ(α + 1) = ψ(α) + 1/α, ψ'(α + 1) = ψ'(α) − 1/α² give the Swift formulas'
   extra terms exactly, without their cancellation at small α in Float32.
   ℓ here leaves out lnΓ(φ), common to every observed entry of the item: the
   caller adds (observed entries) × lnΓ(φ) per item in Float64. ---- */
#define CENSOR_LO 1e-4f              /* IRT.betaClampEpsilon */
#define CENSOR_HI (1.0f - 1e-4f)
#define LOG_CENSOR -9.21034037197618f /* log ε, ε = Float(1e-4) widened */

INLINE fields beta_prepare(vf y, vf trials) {
    (void)trials;
    vi missing = y != y, low = y <= CENSOR_LO, high = y >= CENSOR_HI;
    vf yy = select(missing | low | high, splat(0.5f), y);
    vf ly = select(low, splat(LOG_CENSOR), select(high, (vf){}, vlog(yy)));
    vf l1y = select(high, splat(LOG_CENSOR), select(low, (vf){}, vlog(1.0f - yy)));
    vf code = select(missing, (vf){}, select(low, splat(2.0f), select(high, splat(3.0f), splat(1.0f))));
    fields f = { ly, l1y, code };
    return f;
}

INLINE terms beta_terms(vf eta, item_chunk it, fields f, int item_pass, int observed) {
    response r = item_response(eta, it.g);
    vf x1 = r.p * it.phi, x2 = r.q * it.phi;
    vf w = select(f.f2 > 0.0f, splat(1.0f), (vf){});
    vf low = select(f.f2 == 2.0f, splat(1.0f), (vf){}), high = select(f.f2 == 3.0f, splat(1.0f), (vf){});
    gamma3 g1 = vgamma(x1 + low, item_pass), g2 = vgamma(x2 + high, item_pass);
    vf score_mu = it.phi * (f.f0 - f.f1 - g1.dg + g2.dg);
    terms t;
    t.score = w * score_mu * r.slope;
    /* −d²ℓ/dμ² = φ²(ψ'(α) + ψ'(β)) does not depend on y: observed = expected in μ. */
    t.info = w * (it.phi * it.phi * (g1.tg + g2.tg) * r.slope * r.slope);
    if (observed) t.info -= w * score_mu * r.slope * r.bend;
    if (item_pass) {
        t.ll = w * (-g1.lg - g2.lg + (x1 - 1.0f + low) * f.f0 + (x2 - 1.0f + high) * f.f1);
        t.dphi = w * (it.dg_phi - r.p * g1.dg - r.q * g2.dg + r.p * f.f0 + r.q * f.f1);
        t.d2phi = w * (it.tg_phi - r.p * r.p * g1.tg - r.q * r.q * g2.tg);
        /* −d²ℓ/dμdφ = −score_μ/φ + φ(μψ'(α) − (1 − μ)ψ'(β)); the first part has mean zero. */
        t.cross = w * (it.phi * (r.p * g1.tg - r.q * g2.tg) * r.slope);
    } else {
        t.ll = t.dphi = t.d2phi = t.cross = (vf){};
    }
    return t;
}

/* ---- Binomial(n, P) for y = k / n; Bernoulli is n = 1: fields y, n (0 where missing). ---- */
INLINE fields binomial_prepare(vf y, vf trials) {
    vi missing = y != y;
    fields f = { select(missing, splat(0.5f), y), select(missing, (vf){}, trials), (vf){} };
    return f;
}

INLINE terms binomial_terms(vf eta, item_chunk it, fields f, int item_pass, int observed) {
    response r = item_response(eta, it.g);
    vf y = f.f0, n = f.f1;
    vf v = 1.0f / (r.p * r.q);
    vf resid = y * r.q - (1.0f - y) * r.p;            /* y − P, exact at y = 0 and 1 */
    terms t;
    t.score = n * resid * v * r.slope;
    if (observed)
        t.info = n * ((y / (r.p * r.p) + (1.0f - y) / (r.q * r.q)) * r.slope * r.slope - resid * v * r.slope * r.bend);
    else
        t.info = n * v * r.slope * r.slope;
    t.ll = item_pass ? n * (y * vlog(r.p) + (1.0f - y) * vlog(r.q)) : (vf){};
    t.dphi = t.d2phi = t.cross = (vf){};
    return t;
}

/* ---- Beta-binomial: k of n successes, the pair's success probability ~ Beta(μφ, (1 − μ)φ)
   (IRT.BetaBinomialLikelihood). Fields: k = round(y n), n (0 where missing), observed (0/1).
   ℓ = lnΓ(k + α) + lnΓ(n − k + β) − lnΓ(n + φ) − lnΓ(α) − lnΓ(β) + lnΓ(φ), the last term added
   per item in Float64 by the caller (as for the Beta). ---- */
INLINE fields betabinomial_prepare(vf y, vf trials) {
    vi missing = y != y;
    const float shifter = 12582912.0f;            /* round to nearest (k < 2^22) */
    vf k = (y * trials + shifter) - shifter;
    fields f = { select(missing, (vf){}, k), select(missing, (vf){}, trials), select(missing, (vf){}, splat(1.0f)) };
    return f;
}

/* The beta-binomial needs only differences across k: with m a whole number,
   ψ(x + m) − ψ(x) = Σ_{i<m} 1/(x + i), ψ'(x) − ψ'(x + m) = Σ 1/(x + i)² and
   lnΓ(x + m) − lnΓ(x) = Σ log(x + i). For up to RISING_TERMS trials the
   kernel sums them term by term over i < n, with A = α + i, B = β + i,
   F = φ + i (α + β = φ), and writes each term of the score and of φ's
   gradient without cancellation:
     score/φ:  1/A − 1/B = (β − α)/(AB)               (i < k and i < n − k),
               1/A, −1/B                              (one side only);
     dℓ/dφ:    μ/A + (1 − μ)/B − 1/F = μ(1 − μ)φ(φ + 2i)/(ABF)   (both),
               −(1 − μ)i/(AF), −μi/(BF), −1/F          (one side, neither).
   Why: ψ itself has an absolute error of 2e-6 (it is ~log x), and the
   differences, of order m/x, lost that much; φ's gradient, a sum of such
   differences over every entry, then moved φ's Float32 fixed point by 1e-3. */
#define RISING_TERMS 16
typedef struct { vf score, dphi, ta, tb, tf, la, lb; } bb_sums;

INLINE bb_sums betabinomial_sums(vf x1, vf x2, vf phi, vf p, vf q, vf k, vf n, int steps, int item_pass) {
    bb_sums r = { (vf){}, (vf){}, (vf){}, (vf){}, (vf){}, (vf){}, (vf){} };
    vf pa = splat(1.0f), pb = splat(1.0f);
    vf nk = n - k, gap = x2 - x1, pqphi = p * q * phi;
    for (int i = 0; i < steps; i++) {
        vf fi = splat((float)i);
        vi ina = fi < k, inb = fi < nk, inf = fi < n, both = ina & inb;
        vf a = x1 + fi, b = x2 + fi, f = phi + fi;
        vf ia = 1.0f / a, ib = 1.0f / b;
        r.score += select(both, gap * ia * ib, select(ina, ia, select(inb, -ib, (vf){})));
        r.ta += select(ina, ia * ia, (vf){});
        r.tb += select(inb, ib * ib, (vf){});
        if (item_pass) {
            vf iff = 1.0f / f;
            r.dphi += select(both, pqphi * (phi + 2.0f * fi) * ia * ib * iff,
                      select(ina, -(q * fi) * ia * iff, select(inb, -(p * fi) * ib * iff, select(inf, -iff, (vf){}))));
            r.tf += select(inf, iff * iff, (vf){});
            pa *= select(ina, a, splat(1.0f));
            pb *= select(inb, b, splat(1.0f));
            /* Four factors ≤ (1e6 + 16)⁴ and ≥ 1e-10 · 1 · 2 · 3 stay normal in Float32. */
            if ((i & 3) == 3 || i == steps - 1) { r.la += vlog(pa); r.lb += vlog(pb); pa = pb = splat(1.0f); }
        }
    }
    return r;
}

INLINE terms betabinomial_terms(vf eta, item_chunk it, fields f, int item_pass, int observed) {
    response r = item_response(eta, it.g);
    vf k = f.f0, n = f.f1, w = f.f2;
    vf x1 = r.p * it.phi, x2 = r.q * it.phi;
    float most = 0;                                  /* the largest trial count in these lanes */
    for (int l = 0; l < IRSL_W; l++) most = n[l] > most ? n[l] : most;
    /* sc = ψ(k + α) − ψ(α) − ψ(n − k + β) + ψ(β); g = dℓ/dφ; ta, tb, tf: ψ'(x) − ψ'(x + m) for
       α (m = k), β (m = n − k), φ (m = n); la, lb the lnΓ differences for α and β; lf = lnΓ(n + φ)
       (ℓ leaves out lnΓ(φ): the caller adds it per item). */
    vf sc, g, ta, tb, tf, la, lb, lf;
    if (most <= RISING_TERMS) {
        bb_sums b = betabinomial_sums(x1, x2, it.phi, r.p, r.q, k, n, (int)most, item_pass);
        sc = b.score; g = b.dphi; ta = b.ta; tb = b.tb; tf = b.tf; la = b.la; lb = b.lb;
        lf = item_pass ? vgamma(n + it.phi, 1).lg : (vf){};
    } else {
        gamma3 a0 = vgamma(x1, item_pass), b0 = vgamma(x2, item_pass);
        gamma3 ak = vgamma(k + x1, item_pass), bk = vgamma(n - k + x2, item_pass);
        sc = ak.dg - a0.dg - bk.dg + b0.dg;
        ta = a0.tg - ak.tg; tb = b0.tg - bk.tg;
        la = ak.lg - a0.lg; lb = bk.lg - b0.lg;
        if (item_pass) {
            gamma3 nf = vgamma(n + it.phi, 1);
            g = r.p * (ak.dg - a0.dg) + r.q * (bk.dg - b0.dg) - nf.dg + it.dg_phi;
            tf = it.tg_phi - nf.tg; lf = nf.lg;
        } else {
            g = tf = lf = (vf){};
        }
    }
    vf score_mu = it.phi * sc;
    terms t;
    t.score = w * score_mu * r.slope;
    if (observed) {
        t.info = w * (it.phi * it.phi * (ta + tb) * r.slope * r.slope);
        t.info -= w * score_mu * r.slope * r.bend;
    } else {
        /* Fisher scoring uses the quasi information n(φ + 1)/(μ(1 − μ)(φ + n)) (IRT.BetaBinomialLikelihood.expectedInformation). */
        t.info = w * (n * (it.phi + 1.0f) / (r.p * r.q * (it.phi + n)) * r.slope * r.slope);
    }
    if (item_pass) {
        t.ll = w * (la + lb - lf);
        t.dphi = w * g;
        t.d2phi = w * (-(r.p * r.p) * ta - r.q * r.q * tb + tf);
        t.cross = (vf){};    /* its φ steps separately (Calibrator.precisionSteps) */
    } else {
        t.ll = t.dphi = t.d2phi = t.cross = (vf){};
    }
    return t;
}

/* ---- The one place that maps a likelihood to its functions. ---- */
INLINE fields entry_prepare(int likelihood, vf y, vf trials) {
    switch (likelihood) {
    case IRSL_BETA: return beta_prepare(y, trials);
    case IRSL_BETA_BINOMIAL: return betabinomial_prepare(y, trials);
    default: return binomial_prepare(y, trials);
    }
}

INLINE terms entry_terms(int likelihood, vf eta, item_chunk it, fields f, int item_pass, int observed) {
    switch (likelihood) {
    case IRSL_BETA: return beta_terms(eta, it, f, item_pass, observed);
    case IRSL_BETA_BINOMIAL: return betabinomial_terms(eta, it, f, item_pass, observed);
    default: return binomial_terms(eta, it, f, item_pass, observed);
    }
}

/* Whether the likelihood has precision derivatives to accumulate. */
INLINE int has_precision(int likelihood) { return likelihood == IRSL_BETA || likelihood == IRSL_BETA_BINOMIAL; }
#endif
