#ifndef GRAFT_KERNELS_H
#define GRAFT_KERNELS_H

// Graft's own CPU kernels, for the few cases where oneDNN 2.6 is slow.

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction sets a kernel can be compiled for; each one implies the ones below it.
typedef enum {
    GRAFT_ISA_BASELINE = 0,  // x86-64 (SSE2)
    GRAFT_ISA_AVX2 = 1,      // AVX2 with FMA
    GRAFT_ISA_AVX512 = 2,    // AVX-512F
} graft_isa;

/// The best instruction set this CPU (and OS) supports.
graft_isa graft_best_isa(void);

/// Nonzero on a CPU with AVX-512 whose vector units are 256 bits wide (AMD Zen 4): there an
/// AVX-512 instruction takes two passes, and does no more multiply-adds per cycle than AVX2.
int graft_avx512_runs_in_halves(void);

/// One depthwise convolution (groups == channels, one filter per channel) whose activations are
/// channel-blocked: nChw8c or nChw16c, element (n, c, h, w) at
/// (((n * blocks + c / block) * height + h) * width + w) * block + c % block, padded channels zero.
typedef struct {
    int batch, channels, block;       // block: 8 or 16
    int height, width;                // of the input
    int out_height, out_width;        // of the output gradient
    int kernel_h, kernel_w;
    int stride_h, stride_w;
    int dilation_h, dilation_w;       // 1 = no gaps
    int pad_top, pad_left;            // bottom and right padding follow from the output size
    int with_bias;                    // nonzero: also sum the output gradient per channel
} graft_dw_problem;

// The weight gradient is split into work units (a channel block times a range of images) that
// can run on any threads in any order: each writes only its own partial sums, and
// graft_dw_finish adds them in a fixed order, so the result does not depend on the scheduling.

/// Number of work units.
int graft_dw_unit_count(const graft_dw_problem *problem);

/// Floats of scratch space each unit writes; unit u uses [u * floats, (u + 1) * floats).
int graft_dw_unit_floats(const graft_dw_problem *problem);

/// Computes one unit's partial sums. `src` is the forward input, `dy` the gradient of the output,
/// both in the same blocked layout. `isa` above graft_best_isa() is lowered to it.
void graft_dw_run_unit(const graft_dw_problem *problem, graft_isa isa, const float *src, const float *dy,
                       int unit, float *scratch);

/// Adds up the units' partial sums into the weight gradient, plain (channels, 1, kernel_h, kernel_w),
/// and, when the problem has a bias, the bias gradient (channels).
void graft_dw_finish(const graft_dw_problem *problem, const float *scratch, float *dweights, float *dbias);

/// Batch normalization, then optionally a residual added, then an activation that is a clip (none,
/// ReLU or ReLU6), for channel-blocked activations (nChw8c or nChw16c, laid out as in
/// graft_dw_problem, padded channels zero; the residual in the same layout). Forward is one pass for the statistics and one for the output; backward one
/// pass for the sums and one for the input gradient, the activation's mask recomputed from the
/// input instead of read from its output.
typedef struct {
    int batch, channels, block;  // block: 8 or 16
    long spatial;                // height * width
    int clips;                   // nonzero: the output is min(max(v, lower), upper)
    float lower, upper;
    int streams;                 // nonzero: outputs are written past the caches (non-temporal stores)
} graft_bn_problem;

/// Per padded channel (blocks * block floats each): the input gradient is
/// gradient * dz + input * x + constant, where dz is the masked output gradient.
typedef struct {
    const float *gradient, *input, *constant;
} graft_bn_data_coefficients;

// Every pass spreads its work over the threads oneDNN uses (graft_parallel_for), in units of a
// channel block times a range of images that depends on the shape only; sums are per unit and
// added in unit order, so results do not depend on the machine or the scheduling.

/// Per padded channel the sum of x, then (after all of them) the sum of its squares, in double:
/// what processes that each hold a slice of the batch add up for synchronized BatchNorm.
void graft_bn_input_sums(const graft_bn_problem *problem, graft_isa isa, const float *x, double *totals);

/// The mean and biased variance per padded channel of `count` values per channel whose sums
/// `totals` holds (as graft_bn_input_sums writes them).
void graft_bn_statistics_from_sums(const graft_bn_problem *problem, const double *totals, double count, float *mean,
                                   float *variance);

/// The batch mean and biased variance of x per padded channel (blocks * block floats).
void graft_bn_statistics(const graft_bn_problem *problem, graft_isa isa, const float *x, float *mean, float *variance);

/// Per padded channel a and b such that the normalized input is x * a + b (scale and shift may be
/// NULL: 1 and 0). Padded channels get 0 and 0.
void graft_bn_affine(const graft_bn_problem *problem, const float *mean, const float *variance, float epsilon,
                     const float *scale, const float *shift, float *a, float *b);

/// The output: the activation of x * a + b + residual (residual may be NULL).
void graft_bn_forward(const graft_bn_problem *problem, graft_isa isa, const float *x, const float *residual,
                      const float *a, const float *b, float *y);

/// Per padded channel, the sums of dz into sums[0 ..< padded channels] and of dz * x after them,
/// where dz is the output gradient dy where the activation let its input through, else 0. That
/// mask comes from x, or, when the forward pass added a residual, from its output (give it as
/// `output`; NULL otherwise).
void graft_bn_backward_sums(const graft_bn_problem *problem, graft_isa isa, const float *x, const float *output,
                            const float *dy, const float *a, const float *b, double *sums);

/// From the backward sums (NULL when the scale and shift need no gradient and the statistics are
/// not the batch's): the scale and shift gradients (channels floats; either may be NULL) and the
/// input gradient's coefficients. `batch_statistics`: the forward pass normalized with the batch's
/// mean and variance, so the input's gradient flows through them too.
void graft_bn_backward_finish(const graft_bn_problem *problem, const double *sums, const float *mean,
                              const float *variance, float epsilon, const float *scale, int batch_statistics,
                              float *dscale, float *dshift, float *gradient, float *input, float *constant);

/// The input gradient, and with a residual (`output` as in graft_bn_backward_sums) and an
/// activation the residual's gradient dz into dresidual unless it is NULL (without an activation
/// the residual's gradient is dy itself, and nothing is written).
void graft_bn_backward_data(const graft_bn_problem *problem, graft_isa isa, const float *x, const float *output,
                            const float *dy, const float *a, const float *b,
                            const graft_bn_data_coefficients *coefficients, float *dx, float *dresidual);

/// Calls body(context, i) for every i in [0, count), spread over GNU OpenMP's threads (the ones
/// oneDNN runs on), in any order; serially when libgomp is not loaded.
void graft_parallel_for(int count, void (*body)(void *context, int index), void *context);

/// The threads graft_parallel_for spreads work over from the calling thread (1 without libgomp):
/// for work split into one share per thread, each with scratch memory of its own.
int graft_parallel_threads(void);

/// A stride-1, 3x3, pad-1 ("same") convolution, groups 1, dilation 1, by Winograd F(4x4, 3x3), on
/// nChw8c activations: element (n, c, h, w) at (((n * (C / 8) + c / 8) * H + h) * W + w) * 8 + c % 8.
/// Its products are 4 times fewer than a direct convolution's (36 per 4x4 outputs and channel pair
/// against 144), its rounding error about 3 times larger (winograd.c: the interpolation points).
typedef struct {
    int batch, in_channels, out_channels;  // channels: multiples of 8
    int height, width;                     // of the input and of the output
} graft_winograd_problem;

/// Whether graft_winograd_forward runs the problem with `isa` on this CPU (AVX2 with FMA at least,
/// channels multiples of 8, sizes at least 1).
int graft_winograd_supports(const graft_winograd_problem *problem, graft_isa isa);

/// Floats of the transformed weights (36 * in_channels * out_channels).
long graft_winograd_weight_floats(const graft_winograd_problem *problem);

/// Transforms plain OIHW weights (out_channels, in_channels, 3, 3) once: the result depends on the
/// channel counts only and serves forward calls of any batch and image size.
void graft_winograd_transform_weights(const graft_winograd_problem *problem, const float *weights,
                                      float *transformed);

/// dst = clip(conv(src) + bias + residual), the order of oneDNN's convolution with a sum post-op and
/// an eltwise clip: bias (out_channels floats) and residual (nChw8c, the output's shape) may be NULL;
/// when `clips` is nonzero the result is min(max(v, lower), upper) (ReLU: 0 and INFINITY), NaN kept.
/// Work units (groups of tiles times blocks of output channels) run on graft_parallel_for; each
/// output element is written by one of them, so the result does not depend on the scheduling.
/// Aborts when graft_winograd_supports is false.
void graft_winograd_forward(const graft_winograd_problem *problem, graft_isa isa, const float *src,
                            const float *transformed, const float *bias, const float *residual, int clips,
                            float lower, float upper, float *dst);

#ifdef __cplusplus
}
#endif

#endif
