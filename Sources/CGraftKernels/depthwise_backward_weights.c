#include <stdlib.h>
#include <string.h>
#include "GraftKernels.h"
#include "depthwise_window.h"
#include "work_units.h"

#define LANES 8
#include "depthwise_tap_sums.h"
#undef LANES

#define LANES 16
#include "depthwise_tap_sums.h"
#undef LANES

/// Units wanted at least (see graft_image_chunks).
enum { minimum_units = 32 };

static int channel_blocks(const graft_dw_problem *p) { return (p->channels + p->block - 1) / p->block; }

static int image_chunks(const graft_dw_problem *p) { return graft_image_chunks(channel_blocks(p), p->batch, minimum_units); }

static int tap_floats(const graft_dw_problem *p) { return p->kernel_h * p->kernel_w * p->block; }

int graft_dw_unit_count(const graft_dw_problem *p) { return channel_blocks(p) * image_chunks(p); }

int graft_dw_unit_floats(const graft_dw_problem *p) { return tap_floats(p) + p->block; }

void graft_dw_run_unit(const graft_dw_problem *p, graft_isa isa, const float *src, const float *dy,
                       int unit, float *scratch) {
    isa = graft_usable_isa(isa);
    const graft_work_unit work = graft_work_unit_at(unit, image_chunks(p), p->batch);
    const int cb = work.block, n_first = work.n_first, n_end = work.n_end;
    float *taps = scratch + (long)unit * graft_dw_unit_floats(p);
    float *bias = p->with_bias ? taps + tap_floats(p) : NULL;
    // Cache-line aligned, as the pixels are: a vector load that straddles two lines costs two.
    // Zeroed once: only the interior is copied into it, so the padding columns stay zero.
    const size_t padded_bytes = (size_t)p->height * padded_row_pixels(p) * p->block * sizeof(float);
    float *padded = aligned_alloc(64, (padded_bytes + 63) / 64 * 64);
    if (!padded) abort();
    memset(padded, 0, padded_bytes);
    if (p->block == 16) {
        tap_sums_16(isa, p, src, dy, cb, n_first, n_end, taps, bias, padded);
    } else {
        tap_sums_8(isa, p, src, dy, cb, n_first, n_end, taps, bias, padded);
    }
    free(padded);
}

/// Element `index` of a channel block's partial sums, added over its image chunks in order.
static float chunk_sum(const graft_dw_problem *p, const float *scratch, int cb, int index) {
    const int chunks = image_chunks(p), unit_floats = graft_dw_unit_floats(p);
    const float *first_unit = scratch + (long)cb * chunks * unit_floats;
    float sum = 0;
    for (int k = 0; k < chunks; k++) sum += first_unit[(long)k * unit_floats + index];
    return sum;
}

void graft_dw_finish(const graft_dw_problem *p, const float *scratch, float *dweights, float *dbias) {
    const int taps = p->kernel_h * p->kernel_w;
    for (int c = 0; c < p->channels; c++) {
        const int cb = c / p->block, lane = c % p->block;
        for (int t = 0; t < taps; t++) dweights[(long)c * taps + t] = chunk_sum(p, scratch, cb, t * p->block + lane);
        // Each unit keeps its bias sums right after the taps.
        if (p->with_bias) dbias[c] = chunk_sum(p, scratch, cb, taps * p->block + lane);
    }
}
