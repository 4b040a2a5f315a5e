/*
 * The pass over a shard, included once per ISA with IRSL_W (lanes) and
 * SWEEP_NAME / SPECIAL_NAME (the entry points of that ISA) defined.
 *
 * Gauss–Seidel by rows, as the Swift reference loop: for each block of up to
 * IRSL_BLOCK_ROWS rows,
 *   A. per row: prepare its entries (log y, log(1 − y) or y, n) into the
 *      block buffer, sum the ability gradient and K × K information over the
 *      items (Float32 lanes, added to Float64 per tile of items), and take the
 *      Newton step in Float64 (or, for standard errors, invert the block);
 *   B. per chunk of W items: the block's rows at their new abilities add
 *      their Float32 terms (item gradient, (K+1) × (K+1) information,
 *      precision derivatives), each widened on its own, to Float64
 *      registers, which are added once per block to the accumulators.
 * The block buffer is laid out chunk-major, [chunk][row][field][lane], so
 * pass B streams it contiguously.
 */
#include "likelihoods.h"
#include "irsl_kernels.h"
#include <math.h>

#define TILE 512   /* items per Float32 ability partial */
/* Rows whose item terms pass B sums in Float64 registers before adding them
   to the accumulators in memory (one block: the accumulators, (K+1)(K+4)/2 + 2
   doubles per item, are megabytes for tens of thousands of items, and reading
   and writing them once per row made the K = 1 pass memory-bound). Every
   entry's Float32 term is widened on its own, unrounded by any neighbour, so
   how rows are split over ranks changes only the Float64 summation order
   (rank invariance to rounding, as in a Float64 code). */
#ifndef IRSL_ITEM_ROWS
#define IRSL_ITEM_ROWS IRSL_BLOCK_ROWS
#endif

INLINE float *entry_at(float *block, ptrdiff_t chunk, int row) {
    return block + ((chunk * IRSL_BLOCK_ROWS + row) * IRSL_FIELDS) * IRSL_W;
}

INLINE item_chunk chunk_at(const irsl_sweep_args *s, ptrdiff_t j) {
    item_chunk it = { load(s->g + j), load(s->phi + j), load(s->dg_phi + j), load(s->tg_phi + j) };
    return it;
}

INLINE double lane_sum(vf v) {
    vd w = widen(v);
    double t = 0;
    for (int l = 0; l < IRSL_W; l++) t += w[l];
    return t;
}

/* Cholesky in place (lower triangle of the full k × k row-major h); 0 when not positive definite. */
INLINE int small_cholesky(double *h, int k) {
    for (int j = 0; j < k; j++) {
        double s = h[j * k + j];
        for (int m = 0; m < j; m++) s -= h[j * k + m] * h[j * k + m];
        if (!(s > 0) || !isfinite(s)) return 0;
        double l = sqrt(s);
        h[j * k + j] = l;
        for (int i = j + 1; i < k; i++) {
            double t = h[i * k + j];
            for (int m = 0; m < j; m++) t -= h[i * k + m] * h[j * k + m];
            h[i * k + j] = t / l;
        }
    }
    return 1;
}

INLINE void small_solve(const double *l, int k, double *b) {
    for (int i = 0; i < k; i++) {
        double s = b[i];
        for (int m = 0; m < i; m++) s -= l[i * k + m] * b[m];
        b[i] = s / l[i * k + i];
    }
    for (int i = k - 1; i >= 0; i--) {
        double s = b[i];
        for (int m = i + 1; m < k; m++) s -= l[m * k + i] * b[m];
        b[i] = s / l[i * k + i];
    }
}

/* Pass A for one row: prepare its entries, then the ability step (or its SEs). */
INLINE void ability_row(const irsl_sweep_args *s, ptrdiff_t r, int row, const int L, const int K) {
    const ptrdiff_t n = s->items;
    const float *y = s->y + r * n;
    const float *tr = s->trials ? s->trials + r * n : 0;
    double *th = s->theta + r * K;
    vf t[4];
    for (int c = 0; c < K; c++) t[c] = splat((float)th[c]);
    double grad[4] = { 0 }, info[16] = { 0 };
    float ytail[IRSL_W], ttail[IRSL_W];
    for (ptrdiff_t t0 = 0; t0 < s->padded; t0 += TILE) {
        ptrdiff_t t1 = t0 + TILE < s->padded ? t0 + TILE : s->padded;
        vf g[4] = { 0 }, h[10] = { 0 };
        for (ptrdiff_t j = t0; j < t1; j += IRSL_W) {
            vf yv, nv;
            if (j + IRSL_W <= n) {
                yv = load(y + j);
                nv = tr ? load(tr + j) : splat(1.0f);
            } else {           /* the last chunk: padding lanes are missing */
                for (int l = 0; l < IRSL_W; l++) {
                    ytail[l] = j + l < n ? y[j + l] : __builtin_nanf("");
                    ttail[l] = j + l < n && tr ? tr[j + l] : 1.0f;
                }
                yv = load(ytail);
                nv = load(ttail);
            }
            fields f = entry_prepare(L, yv, nv);
            float *e = entry_at(s->block, j / IRSL_W, row);
            store(e, f.f0); store(e + IRSL_W, f.f1); store(e + 2 * IRSL_W, f.f2);
            vf a[4];
            vf eta = load(s->d + j);
            for (int c = 0; c < K; c++) { a[c] = load(s->a + c * s->padded + j); eta += a[c] * t[c]; }
            terms te = entry_terms(L, eta, chunk_at(s, j), f, 0, s->standard_errors);
            int idx = 0;
            for (int c = 0; c < K; c++) {
                g[c] += te.score * a[c];
                vf wa = te.info * a[c];
                for (int c2 = 0; c2 <= c; c2++) h[idx++] += wa * a[c2];
            }
        }
        int idx = 0;
        for (int c = 0; c < K; c++) {
            grad[c] += lane_sum(g[c]);
            for (int c2 = 0; c2 <= c; c2++) { double v = lane_sum(h[idx++]); info[c * K + c2] += v; }
        }
    }
    /* Newton (Fisher scoring) with the ridge, the trust region and the norm bound, in Float64. */
    for (int c = 0; c < K; c++) {
        double ridge = c == 0 ? s->ridge : s->ridge_rest;
        grad[c] -= ridge * th[c];
        info[c * K + c] += ridge;
        for (int c2 = 0; c2 < c; c2++) info[c2 * K + c] = info[c * K + c2];
    }
    int ok = small_cholesky(info, K);
    if (s->standard_errors) {
        for (int c = 0; c < K; c++) {
            if (!ok) { s->theta_se[r * K + c] = NAN; continue; }
            double e[4] = { 0 };
            e[c] = 1;
            small_solve(info, K, e);
            s->theta_se[r * K + c] = sqrt(e[c]);
        }
    } else if (ok) {
        small_solve(info, K, grad);
        double largest = 0;
        for (int c = 0; c < K; c++) largest = fabs(grad[c]) > largest ? fabs(grad[c]) : largest;
        double scale = largest > s->max_step ? s->max_step / largest : 1;
        double norm2 = 0;
        for (int c = 0; c < K; c++) { th[c] += scale * grad[c]; norm2 += th[c] * th[c]; }
        if (norm2 > s->bound * s->bound) {
            double shrink = s->bound / sqrt(norm2);
            for (int c = 0; c < K; c++) th[c] *= shrink;
        }
    }
    for (int c = 0; c < K; c++) { s->acc[s->tail + 1 + c] += th[c]; s->acc[s->tail + 1 + K + c] += th[c] * th[c]; }
}

/* Pass B for rows r0..<r0+rows (block rows first..<first+rows) at their new abilities.
   P = free item parameters. SE (a constant at each call, so the compiler makes two loops):
   the standard-error pass, observed information only. */
INLINE double items_block(const irsl_sweep_args *s, ptrdiff_t r0, int first, int rows, const int L, const int K, const int P,
                          const int SE) {
    const ptrdiff_t n = s->items;
    const int slots = P + P * (P + 1) / 2;
    vf t[IRSL_ITEM_ROWS][4];
    for (int row = 0; row < rows; row++)
        for (int c = 0; c < K; c++) t[row][c] = splat((float)s->theta[(r0 + row) * K + c]);
    vd ll = { 0 };
    for (ptrdiff_t j = 0; j < s->padded; j += IRSL_W) {
        vf a[4];
        for (int c = 0; c < K; c++) a[c] = load(s->a + c * s->padded + j);
        vf d = load(s->d + j);
        item_chunk it = chunk_at(s, j);
        vd sum[20] = { 0 }, cross[5] = { 0 }, dphi = { 0 }, d2phi = { 0 };
        for (int row = 0; row < rows; row++) {
            const float *e = entry_at(s->block, j / IRSL_W, first + row);
            fields f = { load(e), load(e + IRSL_W), load(e + 2 * IRSL_W) };
            vf eta = d;
            for (int c = 0; c < K; c++) eta += a[c] * t[row][c];
            terms te = entry_terms(L, eta, it, f, !SE, SE);
            vf x[5];
            if (P == K + 1) { for (int c = 0; c < K; c++) x[c] = t[row][c]; x[K] = splat(1.0f); }
            else x[0] = splat(1.0f);
            int idx = P;
            for (int c = 0; c < P; c++) {
                sum[c] += widen(te.score * x[c]);
                vf wx = te.info * x[c];
                for (int c2 = 0; c2 <= c; c2++) sum[idx++] += widen(wx * x[c2]);
            }
            if (has_precision(L) && !SE) {
                dphi += widen(te.dphi); d2phi += widen(te.d2phi);
                if (L == IRSL_BETA) for (int c = 0; c < P; c++) cross[c] += widen(te.cross * x[c]);
            }
            if (!SE) ll += widen(te.ll);
        }
        /* The block's Float64 sums → the accumulators. */
        double *acc = s->acc + j;
        if (j + IRSL_W <= n) {
            for (int q = 0; q < slots; q++) stored(acc + q * n, loadd(acc + q * n) + sum[q]);
            if (has_precision(L) && !SE) {
                stored(acc + s->stride * n, loadd(acc + s->stride * n) + dphi);
                stored(acc + (s->stride + 1) * n, loadd(acc + (s->stride + 1) * n) + d2phi);
                if (L == IRSL_BETA)
                    for (int c = 0; c < P; c++)
                        stored(acc + (s->stride + 2 + c) * n, loadd(acc + (s->stride + 2 + c) * n) + cross[c]);
            }
        } else {
            for (int l = 0; j + l < n; l++) {
                for (int q = 0; q < slots; q++) acc[q * n + l] += sum[q][l];
                if (has_precision(L) && !SE) {
                    acc[s->stride * n + l] += dphi[l]; acc[(s->stride + 1) * n + l] += d2phi[l];
                    if (L == IRSL_BETA) for (int c = 0; c < P; c++) acc[(s->stride + 2 + c) * n + l] += cross[c][l];
                }
            }
        }
    }
    double total = 0;
    for (int l = 0; l < IRSL_W; l++) total += ll[l];
    return total;
}

INLINE void sweep_impl(const irsl_sweep_args *s, const int L, const int K, const int P) {
    double ll = 0;
    ptrdiff_t r0 = 0;
    while (r0 < s->rows) {
        /* Up to the next global multiple of IRSL_BLOCK_ROWS. */
        ptrdiff_t end = ((s->row_start + r0) / IRSL_BLOCK_ROWS + 1) * IRSL_BLOCK_ROWS - s->row_start;
        if (end > s->rows) end = s->rows;
        int rows = (int)(end - r0);
        for (int row = 0; row < rows; row++) ability_row(s, r0 + row, row, L, K);
        for (int row = 0; row < rows; row += IRSL_ITEM_ROWS) {
            int m = rows - row < IRSL_ITEM_ROWS ? rows - row : IRSL_ITEM_ROWS;
            ll += s->standard_errors ? items_block(s, r0 + row, row, m, L, K, P, 1)
                                     : items_block(s, r0 + row, row, m, L, K, P, 0);
        }
        r0 = end;
    }
    s->acc[s->tail] += ll;
}

#define SPECIALISE(L, K, P) static void sweep_##L##_##K##_##P(const irsl_sweep_args *s) { sweep_impl(s, L, K, P); }
SPECIALISE(IRSL_BETA, 1, 1) SPECIALISE(IRSL_BETA, 1, 2) SPECIALISE(IRSL_BETA, 2, 3)
SPECIALISE(IRSL_BETA, 3, 4) SPECIALISE(IRSL_BETA, 4, 5)
SPECIALISE(IRSL_BINOMIAL, 1, 1) SPECIALISE(IRSL_BINOMIAL, 1, 2) SPECIALISE(IRSL_BINOMIAL, 2, 3)
SPECIALISE(IRSL_BINOMIAL, 3, 4) SPECIALISE(IRSL_BINOMIAL, 4, 5)
SPECIALISE(IRSL_BETA_BINOMIAL, 1, 1) SPECIALISE(IRSL_BETA_BINOMIAL, 1, 2) SPECIALISE(IRSL_BETA_BINOMIAL, 2, 3)
SPECIALISE(IRSL_BETA_BINOMIAL, 3, 4) SPECIALISE(IRSL_BETA_BINOMIAL, 4, 5)

void SWEEP_NAME(const irsl_sweep_args *s) {
    const int K = s->dims, twoPL = s->two_pl;
#define CASES(L) \
    if (K == 1 && !twoPL) sweep_##L##_1_1(s); \
    else if (K == 1) sweep_##L##_1_2(s); \
    else if (K == 2) sweep_##L##_2_3(s); \
    else if (K == 3) sweep_##L##_3_4(s); \
    else sweep_##L##_4_5(s);
    switch (s->likelihood) {
    case IRSL_BETA: CASES(IRSL_BETA) break;
    case IRSL_BETA_BINOMIAL: CASES(IRSL_BETA_BINOMIAL) break;
    default: CASES(IRSL_BINOMIAL) break;
    }
#undef CASES
}

void SPECIAL_NAME(int fn, ptrdiff_t n, const float *x, float *out) {
    float buf[IRSL_W];
    for (ptrdiff_t i = 0; i < n; i += IRSL_W) {
        for (int l = 0; l < IRSL_W; l++) buf[l] = i + l < n ? x[i + l] : 1.0f;
        vf v = load(buf), r;
        gamma3 g = vgamma(v, 1);
        switch (fn) {
        case 0: r = vexp(v); break;
        case 1: r = vlog(v); break;
        case 2: r = g.lg; break;
        case 3: r = g.dg; break;
        default: r = g.tg; break;
        }
        store(buf, r);
        for (int l = 0; l < IRSL_W && i + l < n; l++) out[i + l] = buf[l];
    }
}
