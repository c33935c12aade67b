// The depthwise weight-gradient kernel for one channel-block width. Included once per width with
// LANES defined (8 or 16): a vector of LANES floats then holds one pixel of one channel block, so
// every operation below is a whole-vector one whatever the instruction set.
//
// Each width is compiled three times, for AVX-512, for AVX2 with FMA and for baseline x86-64, by
// inlining the same always-inline body into functions with different target attributes; the
// vector type becomes one zmm, two ymm or four xmm registers accordingly.

#include <stddef.h>
#include "GraftKernels.h"
#include "depthwise_window.h"

#define DW_JOIN2(a, b) a##_##b
#define DW_JOIN(a, b) DW_JOIN2(a, b)
#define DW_NAME(name) DW_JOIN(name, LANES)
#define DW_INLINE static inline __attribute__((always_inline))

typedef float DW_NAME(dw_vec) __attribute__((vector_size(LANES * sizeof(float))));
#define VEC DW_NAME(dw_vec)

// Unaligned access without aliasing assumptions, as the compiler's own intrinsics headers do it.
// Macros rather than functions: a vector passed by value to a function compiled without AVX would
// change the calling convention (and the compiler warns about it even when the call is inlined).
typedef struct { VEC v; } __attribute__((packed, may_alias)) DW_NAME(dw_unaligned);
#define LOAD(p) (((const DW_NAME(dw_unaligned) *)(p))->v)
#define ADD_TO(p, sum) (((DW_NAME(dw_unaligned) *)(p))->v += (sum))

/// Where one call of row_group reads: `rows` output rows from `dy_row` on, and for each tap k the
/// input at src + offsets[k] + row * src_row_step + output column * step.
typedef struct {
    const float *dy_row;
    const float *src;
    const ptrdiff_t *offsets;
    int rows, out_width;
    ptrdiff_t dy_row_step, src_row_step, step;
} DW_NAME(dw_sweep);

/// Adds to taps[0 .. count) the dot products of the output gradient with the input pixels each
/// tap saw, over the rows and columns of `w`. `count` and `unroll` are constants after inlining:
/// count * unroll independent sums (at most 8 vectors) hide the latency of the multiply-adds, and
/// each gradient load serves `count` taps.
DW_INLINE void DW_NAME(row_group)(const DW_NAME(dw_sweep) *w, int count, int unroll, float *taps) {
    VEC acc[8];
    for (int a = 0; a < count * unroll; a++) acc[a] = (VEC){0};
    ptrdiff_t offsets[8];
    for (int k = 0; k < count; k++) offsets[k] = w->offsets[k];
    const ptrdiff_t step = w->step;
    for (int r = 0; r < w->rows; r++) {
        const float *dy_row = w->dy_row + r * w->dy_row_step;
        const float *src = w->src + r * w->src_row_step;
        int ow = 0;
        for (; ow + unroll <= w->out_width; ow += unroll) {
            for (int u = 0; u < unroll; u++) {
                const VEC g = LOAD(dy_row + (ptrdiff_t)(ow + u) * LANES);
                const ptrdiff_t at = (ptrdiff_t)(ow + u) * step;
                for (int k = 0; k < count; k++) acc[u * count + k] += g * LOAD(src + (at + offsets[k]));
            }
        }
        for (; ow < w->out_width; ow++) {
            const VEC g = LOAD(dy_row + (ptrdiff_t)ow * LANES);
            for (int k = 0; k < count; k++) acc[k] += g * LOAD(src + (ow * step + offsets[k]));
        }
    }
    for (int k = 0; k < count; k++) {
        VEC sum = acc[k];
        for (int u = 1; u < unroll; u++) sum += acc[u * count + k];
        ADD_TO(taps + (ptrdiff_t)k * LANES, sum);
    }
}

/// row_group over any number of taps: groups of `group` (a constant, the sums that fit in
/// registers), then the rest in halving groups, each unrolled over more output pixels.
DW_INLINE void DW_NAME(row_taps)(DW_NAME(dw_sweep) w, int count, int group, float *taps) {
    const ptrdiff_t *offsets = w.offsets;
    int k = 0;
    for (; k + group <= count; k += group) {
        w.offsets = offsets + k;
        DW_NAME(row_group)(&w, group, 1, taps + (ptrdiff_t)k * LANES);
    }
    // Written out rather than looped so that each call inlines with constant sizes.
    if (group > 4 && count - k >= 4) {
        w.offsets = offsets + k;
        DW_NAME(row_group)(&w, 4, group / 4, taps + (ptrdiff_t)k * LANES);
        k += 4;
    }
    if (group > 2 && count - k >= 2) {
        w.offsets = offsets + k;
        DW_NAME(row_group)(&w, 2, group / 2, taps + (ptrdiff_t)k * LANES);
        k += 2;
    }
    if (count - k >= 1) {
        w.offsets = offsets + k;
        DW_NAME(row_group)(&w, 1, group, taps + (ptrdiff_t)k * LANES);
    }
}

/// Adds every pixel of one image's output gradient plane to `bias`.
DW_INLINE void DW_NAME(plane_sum)(const float *dy, ptrdiff_t pixels, float *bias) {
    VEC a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    ptrdiff_t k = 0;
    for (; k + 4 <= pixels; k += 4) {
        a0 += LOAD(dy + k * LANES);
        a1 += LOAD(dy + (k + 1) * LANES);
        a2 += LOAD(dy + (k + 2) * LANES);
        a3 += LOAD(dy + (k + 3) * LANES);
    }
    for (; k < pixels; k++) a0 += LOAD(dy + k * LANES);
    ADD_TO(bias, (a0 + a1) + (a2 + a3));
}

/// Sums over images [n_first, n_end) of channel block `cb`: the weight gradient of every tap into
/// `taps` (kernel_h * kernel_w vectors, row-major taps) and the bias gradient into `bias` (or not,
/// when NULL). Both are overwritten. `padded` holds height * padded_row_pixels() pixels, zeroed.
DW_INLINE void DW_NAME(tap_sums_body)(const graft_dw_problem *p, const float *src, const float *dy, int cb,
                                      int n_first, int n_end, float *taps, float *bias, float *padded,
                                      int group) {
    const int kernel_h = p->kernel_h, kernel_w = p->kernel_w, out_width = p->out_width;
    const int blocks = (p->channels + LANES - 1) / LANES;
    const int padded_width = padded_row_pixels(p);
    const ptrdiff_t step = (ptrdiff_t)p->stride_w * LANES;

    for (int t = 0; t < kernel_h * kernel_w * LANES; t++) taps[t] = 0;
    if (bias) for (int c = 0; c < LANES; c++) bias[c] = 0;

    // The kernel rows [first_row[oh], end_row[oh]) fall inside the image for output row oh
    // (they are consecutive); the others read padding.
    int first_row[p->out_height], end_row[p->out_height];
    for (int oh = 0; oh < p->out_height; oh++) {
        int i = 0;
        while (i < kernel_h && !row_inside(p, oh, i)) i++;
        first_row[oh] = i;
        while (i < kernel_h && row_inside(p, oh, i)) i++;
        end_row[oh] = i;
    }
    // Output rows per band: about 8 KiB of output gradient, which stays in L1 with the input rows
    // under it while every tap sweeps it.
    const int band = max_int(1, 2048 / (out_width * LANES));
    // Where each tap reads, relative to the first input row of its output row, in `padded`.
    ptrdiff_t tap_offsets[kernel_h * kernel_w], offsets[kernel_h * kernel_w];
    for (int i = 0; i < kernel_h; i++) {
        for (int j = 0; j < kernel_w; j++) {
            tap_offsets[i * kernel_w + j] = ((ptrdiff_t)i * p->dilation_h * padded_width + (ptrdiff_t)j * p->dilation_w) * LANES;
        }
    }

    for (int n = n_first; n < n_end; n++) {
        const float *d = dy + ((ptrdiff_t)n * blocks + cb) * p->out_height * out_width * LANES;
        const float *s = src + ((ptrdiff_t)n * blocks + cb) * p->height * p->width * LANES;
        // Columns of left and right padding around each row let every tap of a row sweep the same
        // output columns; the padding stays zero, so reading it adds nothing.
        for (int h = 0; h < p->height; h++) {
            __builtin_memcpy(padded + ((ptrdiff_t)h * padded_width + p->pad_left) * LANES,
                             s + (ptrdiff_t)h * p->width * LANES, sizeof(float) * p->width * LANES);
        }
        // Output rows whose kernel rows all lie inside the image (all but the borders) share
        // the same taps, so they go through row_group together, a band at a time.
        for (int oh = 0; oh < p->out_height;) {
            int rows = 1;
            while (oh + rows < p->out_height && rows < band && first_row[oh + rows] == first_row[oh]
                   && end_row[oh + rows] == end_row[oh]) rows++;
            if (first_row[oh] < end_row[oh]) {
                const ptrdiff_t row_base = (ptrdiff_t)(oh * p->stride_h - p->pad_top) * padded_width * LANES;
                const int t_first = first_row[oh] * kernel_w, t_end = end_row[oh] * kernel_w;
                for (int t = t_first; t < t_end; t++) offsets[t] = row_base + tap_offsets[t];
                const DW_NAME(dw_sweep) sweep = {
                    .dy_row = d + (ptrdiff_t)oh * out_width * LANES, .src = padded, .offsets = offsets + t_first,
                    .rows = rows, .out_width = out_width, .dy_row_step = (ptrdiff_t)out_width * LANES,
                    .src_row_step = (ptrdiff_t)p->stride_h * padded_width * LANES, .step = step};
                DW_NAME(row_taps)(sweep, t_end - t_first, group, taps + (ptrdiff_t)t_first * LANES);
            }
            oh += rows;
        }
        if (bias) DW_NAME(plane_sum)(d, (ptrdiff_t)p->out_height * out_width, bias);
    }
}

#define DW_PARAMS const graft_dw_problem *p, const float *src, const float *dy, int cb, int n_first, int n_end, \
                  float *taps, float *bias, float *padded
#define DW_ARGS p, src, dy, cb, n_first, n_end, taps, bias, padded

// The tap group is sized to the register file: 32 vector registers with AVX-512, 16 otherwise,
// where a 16-float vector takes two (AVX2) or four (SSE) of them.
__attribute__((target("avx512f"))) static void DW_NAME(tap_sums_avx512)(DW_PARAMS) {
    DW_NAME(tap_sums_body)(DW_ARGS, 8);
}

__attribute__((target("avx2,fma"))) static void DW_NAME(tap_sums_avx2)(DW_PARAMS) {
    DW_NAME(tap_sums_body)(DW_ARGS, LANES == 8 ? 8 : 4);
}

static void DW_NAME(tap_sums_baseline)(DW_PARAMS) {
    DW_NAME(tap_sums_body)(DW_ARGS, LANES == 8 ? 4 : 2);
}

static void DW_NAME(tap_sums)(graft_isa isa, DW_PARAMS) {
    switch (isa) {
    case GRAFT_ISA_AVX512: DW_NAME(tap_sums_avx512)(DW_ARGS); break;
    case GRAFT_ISA_AVX2: DW_NAME(tap_sums_avx2)(DW_ARGS); break;
    default: DW_NAME(tap_sums_baseline)(DW_ARGS); break;
    }
}

#undef DW_ARGS
#undef DW_PARAMS
#undef VEC
#undef LOAD
#undef ADD_TO
#undef DW_INLINE
#undef DW_NAME
#undef DW_JOIN
#undef DW_JOIN2
