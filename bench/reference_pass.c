/*
 * A plain C reference for `make bench`: one pass of the K = 1 Beta 2PL fit
 * over a block of rows of a response file, written as a C programmer would,
 * independently of irsl's own kernels, and compiled with
 * -O3 -ffast-math -march=native (gcc vectorises exp/log through libmvec).
 * -ffast-math lets the compiler assume no NaNs, so missing entries are
 * recognised from their bits, which it cannot optimise away.
 *
 * A pass is what one irsl iteration does to every entry: the ability's
 * Fisher-scoring sums over the row, then the row's contributions to every
 * item's gradient, information block and precision derivatives, and the
 * log-likelihood. Parameters are fixed plausible values (a = 1, d = 0,
 * theta from the row, phi = 10): the cost per entry does not depend on them.
 *
 * usage: reference_pass FILE.h5 ROWS PASSES   → prints ns per entry per pass
 */
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

static inline int missing(float v) {
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    return (bits & 0x7fffffffu) > 0x7f800000u;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* log-gamma, digamma and trigamma: shift by six, z = x + 6, asymptotic
   series at z; the six recurrence terms come from q(x) = x(x+1)...(x+5):
   sum 1/(x+k) = q'/q, sum 1/(x+k)^2 = (q'/q)^2 - q''/q, sum log(x+k) = log q.
   Branch-free, so the loops vectorise. */
static inline void psi3(double x, double *lg, double *dg, double *tg) {
    double x2 = x * x, x3 = x2 * x, x4 = x3 * x, x5 = x4 * x;
    double q = x5 * x + 15 * x5 + 85 * x4 + 225 * x3 + 274 * x2 + 120 * x;
    double q1 = 6 * x5 + 75 * x4 + 340 * x3 + 675 * x2 + 548 * x + 120;
    double q2 = 30 * x4 + 300 * x3 + 1020 * x2 + 1350 * x + 548;
    double s1 = q1 / q, s2 = s1 * s1 - q2 / q;
    double z = x + 6, r = 1 / z, r2 = r * r, lz = log(z);
    *lg = (z - 0.5) * lz - z + 0.918938533204672742 + r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 / 1680))) - log(q);
    *dg = lz - 0.5 * r - r2 * (1.0 / 12 - r2 * (1.0 / 120 - r2 * (1.0 / 252 - r2 * (1.0 / 240 - r2 / 132)))) - s1;
    *tg = r + 0.5 * r2 + r * r2 * (1.0 / 6 - r2 * (1.0 / 30 - r2 * (1.0 / 42 - r2 * (1.0 / 30 - r2 * 5.0 / 66)))) + s2;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s FILE.h5 ROWS PASSES\n", argv[0]); return 2; }
    int rows = atoi(argv[2]), passes = atoi(argv[3]);
    hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) { fprintf(stderr, "%s: cannot open\n", argv[1]); return 1; }
    hid_t ds = H5Dopen2(f, "/responses", H5P_DEFAULT);
    hid_t space = H5Dget_space(ds);
    hsize_t dims[2];
    H5Sget_simple_extent_dims(space, dims, NULL);
    if ((hsize_t)rows > dims[0]) rows = (int)dims[0];
    long n = (long)dims[1];
    hsize_t start[2] = {0, 0}, count[2] = {(hsize_t)rows, dims[1]};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
    hid_t mem = H5Screate_simple(2, count, NULL);
    float *y = malloc(sizeof(float) * rows * n);
    H5Dread(ds, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, y);
    H5Sclose(mem); H5Sclose(space); H5Dclose(ds); H5Fclose(f);

    double *a = malloc(sizeof(double) * n), *d = malloc(sizeof(double) * n), *phi = malloc(sizeof(double) * n);
    double *acc = calloc(7 * n, sizeof(double));
    long observed = 0;
    for (long j = 0; j < n; j++) { a[j] = 1; d[j] = 0; phi[j] = 10; }
    for (long i = 0; i < (long)rows * n; i++) {
        if (missing(y[i])) continue;
        observed++;
        if (y[i] < 1e-4f) y[i] = 1e-4f;
        if (y[i] > 1 - 1e-4f) y[i] = 1 - 1e-4f;
    }
    double lgphi, dgphi, tgphi;
    psi3(10, &lgphi, &dgphi, &tgphi);
    double ll = 0, checksum = 0;
    double t0 = now();
    for (int pass = 0; pass < passes; pass++) {
        for (int r = 0; r < rows; r++) {
            const float *row = y + (long)r * n;
            double theta = 0.1 * (r % 7) - 0.3, g = 0, h = 0;
            for (long j = 0; j < n; j++) {
                int m = !missing(row[j]);
                double v = m ? row[j] : 0.5;
                double mu = 1 / (1 + exp(-(a[j] * theta + d[j])));
                double sl = mu * (1 - mu), lg1, dg1, tg1, lg2, dg2, tg2;
                psi3(mu * phi[j], &lg1, &dg1, &tg1);
                psi3((1 - mu) * phi[j], &lg2, &dg2, &tg2);
                double sc = phi[j] * (log(v) - log(1 - v) - dg1 + dg2) * sl;
                g += m * sc * a[j];
                h += m * phi[j] * phi[j] * (tg1 + tg2) * sl * sl * a[j] * a[j];
            }
            theta += g / (h + 0.01);
            for (long j = 0; j < n; j++) {
                double m = missing(row[j]) ? 0.0 : 1.0;
                double v = m ? row[j] : 0.5;
                double mu = 1 / (1 + exp(-(a[j] * theta + d[j])));
                double sl = mu * (1 - mu), x1 = mu * phi[j], x2 = (1 - mu) * phi[j];
                double lg1, dg1, tg1, lg2, dg2, tg2;
                psi3(x1, &lg1, &dg1, &tg1);
                psi3(x2, &lg2, &dg2, &tg2);
                double ly = log(v), l1y = log(1 - v);
                double sc = m * phi[j] * (ly - l1y - dg1 + dg2) * sl;
                double w = m * phi[j] * phi[j] * (tg1 + tg2) * sl * sl;
                ll += m * (lgphi - lg1 - lg2 + (x1 - 1) * ly + (x2 - 1) * l1y);
                acc[j] += sc * theta;
                acc[n + j] += sc;
                acc[2 * n + j] += w * theta * theta;
                acc[3 * n + j] += w * theta;
                acc[4 * n + j] += w;
                acc[5 * n + j] += m * (dgphi - mu * dg1 - (1 - mu) * dg2 + mu * ly + (1 - mu) * l1y);
                acc[6 * n + j] += m * (tgphi - mu * mu * tg1 - (1 - mu) * (1 - mu) * tg2);
            }
        }
    }
    double seconds = now() - t0;
    for (long j = 0; j < 7 * n; j++) checksum += acc[j];
    printf("reference C pass: %d rows x %ld items (%ld observed), %d passes in %.2f s: %.2f ns per entry per pass (checksum %.6e, loglik %.6e)\n",
           rows, n, observed, passes, seconds, 1e9 * seconds / ((double)observed * passes), checksum, ll);
    return 0;
}
