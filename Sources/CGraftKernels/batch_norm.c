#include <math.h>
#include <stdlib.h>
#include "GraftKernels.h"
#include "work_units.h"

/// What one unit works on; the kernels in batch_norm_lanes.h take it whole.
typedef struct {
    const float *x, *r, *y, *dy, *a, *b;  // r: the residual, or NULL; y: the output, for backward's mask
    const graft_bn_data_coefficients *k;
    int cb, n_first, n_end;
    double *sums;
    float *out, *out2;  // out2: the residual's gradient, when it has to be written
} graft_bn_unit_args;

#define LANES 8
#include "batch_norm_lanes.h"
#undef LANES

#define LANES 16
#include "batch_norm_lanes.h"
#undef LANES

/// Units wanted at least (see graft_image_chunks).
enum { minimum_units = 16 };

static int channel_blocks(const graft_bn_problem *p) { return (p->channels + p->block - 1) / p->block; }

static int padded_channels(const graft_bn_problem *p) { return channel_blocks(p) * p->block; }

static int image_chunks(const graft_bn_problem *p) { return graft_image_chunks(channel_blocks(p), p->batch, minimum_units); }

static int unit_count(const graft_bn_problem *p) { return channel_blocks(p) * image_chunks(p); }

typedef void (*unit_kernel)(graft_isa, const graft_bn_problem *, const graft_bn_unit_args *);

/// One pass: `shared` with each unit's block and images filled in, and its sums at
/// sums + unit * 2 * block.
typedef struct {
    const graft_bn_problem *p;
    graft_isa isa;
    graft_bn_unit_args shared;
    unit_kernel kernel;
} pass;

static void run_unit(void *context, int unit) {
    const pass *job = context;
    const graft_bn_problem *p = job->p;
    const graft_work_unit work = graft_work_unit_at(unit, image_chunks(p), p->batch);
    graft_bn_unit_args u = job->shared;
    u.cb = work.block;
    u.n_first = work.n_first;
    u.n_end = work.n_end;
    if (u.sums) u.sums += (long)unit * 2 * p->block;
    job->kernel(job->isa, p, &u);
    // Streaming stores are weakly ordered: make them visible before the pass is declared done.
    if (p->streams) __builtin_ia32_sfence();
}

static void run_pass(const graft_bn_problem *p, graft_isa isa, graft_bn_unit_args shared, unit_kernel kernel8,
                     unit_kernel kernel16) {
    pass job = {p, graft_usable_isa(isa), shared, p->block == 16 ? kernel16 : kernel8};
    graft_parallel_for(unit_count(p), run_unit, &job);
}

/// Runs a summing pass and adds its units' sums per padded channel in unit order: the first sum
/// of every channel into totals[0 ..< padded channels], the second after them.
static void sum_pass(const graft_bn_problem *p, graft_isa isa, graft_bn_unit_args shared, unit_kernel kernel8,
                     unit_kernel kernel16, double *totals) {
    double *sums = malloc(sizeof(double) * unit_count(p) * 2 * p->block);
    if (!sums) abort();
    shared.sums = sums;
    run_pass(p, isa, shared, kernel8, kernel16);
    const int chunks = image_chunks(p), padded = padded_channels(p);
    for (int c = 0; c < padded; c++) {
        const int cb = c / p->block, lane = c % p->block;
        double first = 0, second = 0;
        for (int chunk = 0; chunk < chunks; chunk++) {
            const double *unit = sums + (long)(cb * chunks + chunk) * 2 * p->block;
            first += unit[lane];
            second += unit[p->block + lane];
        }
        totals[c] = first;
        totals[padded + c] = second;
    }
    free(sums);
}

void graft_bn_input_sums(const graft_bn_problem *p, graft_isa isa, const float *x, double *totals) {
    sum_pass(p, isa, (graft_bn_unit_args){.x = x}, sums_8, sums_16, totals);
}

void graft_bn_statistics_from_sums(const graft_bn_problem *p, const double *totals, double count, float *mean,
                                   float *variance) {
    const int padded = padded_channels(p);
    for (int c = 0; c < padded; c++) {
        const double m = totals[c] / count;
        // In double, E[x^2] - E[x]^2 loses nothing that matters for float data.
        const double v = totals[padded + c] / count - m * m;
        mean[c] = (float)m;
        variance[c] = (float)(v > 0 ? v : 0);
    }
}

void graft_bn_statistics(const graft_bn_problem *p, graft_isa isa, const float *x, float *mean, float *variance) {
    double *totals = malloc(sizeof(double) * 2 * padded_channels(p));
    if (!totals) abort();
    graft_bn_input_sums(p, isa, x, totals);
    graft_bn_statistics_from_sums(p, totals, (double)p->batch * (double)p->spatial, mean, variance);
    free(totals);
}

static double inverse_deviation(float variance, float epsilon) { return 1 / sqrt((double)variance + epsilon); }

void graft_bn_affine(const graft_bn_problem *p, const float *mean, const float *variance, float epsilon,
                     const float *scale, const float *shift, float *a, float *b) {
    for (int c = 0; c < padded_channels(p); c++) {
        if (c >= p->channels) {
            a[c] = b[c] = 0;
            continue;
        }
        const double s = (scale ? scale[c] : 1) * inverse_deviation(variance[c], epsilon);
        a[c] = (float)s;
        b[c] = (float)((shift ? shift[c] : 0) - mean[c] * s);
    }
}

void graft_bn_forward(const graft_bn_problem *p, graft_isa isa, const float *x, const float *residual, const float *a,
                      const float *b, float *y) {
    run_pass(p, isa, (graft_bn_unit_args){.x = x, .r = residual, .a = a, .b = b, .out = y}, forward_8, forward_16);
}

void graft_bn_backward_sums(const graft_bn_problem *p, graft_isa isa, const float *x, const float *output,
                            const float *dy, const float *a, const float *b, double *sums) {
    sum_pass(p, isa, (graft_bn_unit_args){.x = x, .y = output, .dy = dy, .a = a, .b = b}, backward_sums_8,
             backward_sums_16, sums);
}

void graft_bn_backward_finish(const graft_bn_problem *p, const double *sums, const float *mean, const float *variance,
                              float epsilon, const float *scale, int batch_statistics, float *dscale, float *dshift,
                              float *gradient, float *input, float *constant) {
    const double count = (double)p->batch * (double)p->spatial;
    const int padded = padded_channels(p);
    for (int c = 0; c < padded; c++) {
        if (c >= p->channels) {
            gradient[c] = input[c] = constant[c] = 0;
            continue;
        }
        const double deviation = inverse_deviation(variance[c], epsilon);
        // d shift = sum dz; d scale = sum dz * (x - mean) / sigma.
        const double dbeta = sums ? sums[c] : 0;
        const double dgamma = sums ? deviation * (sums[padded + c] - mean[c] * dbeta) : 0;
        if (dscale) dscale[c] = (float)dgamma;
        if (dshift) dshift[c] = (float)dbeta;
        const double g = (scale ? scale[c] : 1) * deviation;
        gradient[c] = (float)g;
        if (batch_statistics) {
            // dx = g * (dz - dbeta / M - (x - mean) / sigma * dgamma / M), expanded in x.
            const double slope = g * deviation * dgamma / count;
            input[c] = (float)-slope;
            constant[c] = (float)(-g * dbeta / count + slope * mean[c]);
        } else {
            input[c] = constant[c] = 0;
        }
    }
}

void graft_bn_backward_data(const graft_bn_problem *p, graft_isa isa, const float *x, const float *output,
                            const float *dy, const float *a, const float *b, const graft_bn_data_coefficients *k,
                            float *dx, float *dresidual) {
    run_pass(p, isa,
             (graft_bn_unit_args){.x = x, .y = output, .dy = dy, .a = a, .b = b, .k = k, .out = dx, .out2 = dresidual},
             backward_data_8, backward_data_16);
}
