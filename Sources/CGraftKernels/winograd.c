#include <stdlib.h>
#include <string.h>
#include "GraftKernels.h"
#include "winograd_gemm.h"

// Winograd F(4x4, 3x3) (Lavin & Gray, 2015) with the interpolation points 0, 1, -1, 1/2, -2 and
// infinity: each 6x6 input tile d becomes V = B^T d B, each filter g becomes U = G g G^T, and the
// 4x4 output tile is A^T (sum over input channels of U * V) A. The sum is, for each of the 36
// positions of the 6x6 tile, a matrix product over channels (winograd_gemm.h): 36 * 2 * Cin * Cout
// flops per 16 outputs instead of 9 * 2 * Cin * Cout per output, four times fewer, in exchange for
// the transforms and a larger rounding error. Most of that error is the float sum over channels of
// values that A then combines with weights of up to 8 in magnitude. Lavin's points 2 and -2 put
// 8 and -8 in one row of A; 1/2 in place of 2 (Barabasz et al., "Error analysis and improving
// the accuracy of Winograd convolution", 2020) spreads the weights more evenly. Emulated in
// float32 on ResNet-50's four 3x3 shapes, the error falls from 4.2-4.5 to 2.7-2.9 times a direct
// convolution's, for a few more operations in each transform of six values (16 instead of 12 on
// the input side, 12 instead of 10 on the output side). Every entry of A and B is a multiple of
// 1/8, exact in binary; G's thirds and fifteenths are applied in double
// (benchmarks/winograd_points.py derives the three and emulates their error).
//
// Work units are a group of tiles (consecutive in (image, tile row, tile column) order, so small
// images share a group) times a block of output channels. A unit transforms its tiles' inputs one
// chunk of input channels at a time, adds each chunk's products into M, and finally transforms M
// into its outputs: each output element is written by one unit, in an order that depends on the
// shape only.

enum {
    wino_positions = 36,
    // Sized so that a unit's V (36 * tiles * chunk floats) and M (36 * tiles * channels floats)
    // mostly stay in a 512 KB L2 while U streams past them: 36 * 4 * 24 * (64 + 64) bytes = 442 KB.
    // Each unit reads its slice of U once, so larger groups read U fewer times; 24 measured
    // faster than 18 and as fast as 30 at batch 16 (Zen 3).
    wino_group_tiles = 24,
    // Output channels per unit: a block of 64, or of 32 when there would be too few units.
    wino_channel_block = 64,
    // U is stored in blocks of 32 output channels and chunks of 64 input channels, whatever the
    // batch and image size, so that one transform serves every forward call.
    wino_stored_block = 32,
    wino_input_chunk = 64,
    // Fewer units than this and a few cores would not share the work evenly.
    wino_minimum_units = 8,
};

typedef struct {
    int tiles_h, tiles_w;
    long tiles;            // in all images
    int group, groups;     // tiles per group (the last may have fewer)
    int block, blocks;     // output channels per unit (the last may have fewer)
    int chunk;             // input channels per chunk
} wino_plan;

static int round_up(int value, int multiple) { return (value + multiple - 1) / multiple * multiple; }

static int smaller(int a, int b) { return a < b ? a : b; }

static wino_plan make_plan(const graft_winograd_problem *p) {
    wino_plan plan;
    plan.tiles_h = (p->height + 3) / 4;
    plan.tiles_w = (p->width + 3) / 4;
    plan.tiles = (long)p->batch * plan.tiles_h * plan.tiles_w;
    plan.chunk = smaller(p->in_channels, wino_input_chunk);
    plan.block = smaller(p->out_channels, wino_channel_block);
    plan.blocks = (p->out_channels + plan.block - 1) / plan.block;
    // Groups of equal size, in whole register blocks of 6 tiles where there are enough tiles.
    long groups = (plan.tiles + wino_group_tiles - 1) / wino_group_tiles;
    // With few tiles, more units come first from half channel blocks (which repeat the input
    // transform, a small cost) and only then from smaller groups (each of which reads all of U
    // again: for the small images of the last stages U is larger than the caches).
    if (groups * plan.blocks < wino_minimum_units && plan.block == wino_channel_block) {
        plan.block /= 2;
        plan.blocks = (p->out_channels + plan.block - 1) / plan.block;
    }
    while (groups * plan.blocks < wino_minimum_units && groups * 6 < plan.tiles) groups++;
    long group = (plan.tiles + groups - 1) / groups;
    if (group > 6) group = round_up((int)group, 6);
    plan.group = (int)group;
    plan.groups = (int)((plan.tiles + group - 1) / group);
    return plan;
}

int graft_winograd_supports(const graft_winograd_problem *p, graft_isa isa) {
    if (isa < GRAFT_ISA_AVX2 || graft_best_isa() < GRAFT_ISA_AVX2) return 0;
    if (p->batch < 1 || p->height < 1 || p->width < 1 || p->in_channels < 8 || p->out_channels < 8) return 0;
    if (p->in_channels % 8 || p->out_channels % 8) return 0;
    // Offsets into U are ints times longs, but the count of floats must fit a long without doubt.
    return (long)p->in_channels * p->out_channels < (1L << 40) / wino_positions;
}

long graft_winograd_weight_floats(const graft_winograd_problem *p) {
    return (long)wino_positions * p->in_channels * p->out_channels;
}

// U's layout follows the order in which a unit reads it, so that it reads a stored block of 32
// output channels as one contiguous stream (for the last stages U is larger than the caches and
// comes from memory, where the prefetchers want long runs; a unit of 64 channels reads two such
// streams side by side): stored block by block; within one, input-channel chunk by chunk;
// within one, the 36 positions; within one, panels of 16 output channels (the last of 8 when
// there are 8 more), each input channel by input channel with its 16 (or 8) output channels
// contiguous, one row per step of the micro-kernel.

/// Where U for position 0 of filter (o, i) goes; position k is k * *position_stride floats on.
static long weight_offset(const graft_winograd_problem *p, int o, int i, long *position_stride) {
    const int first = o / wino_stored_block * wino_stored_block;
    const int channels = smaller(p->out_channels - first, wino_stored_block);
    const int k0 = i / wino_input_chunk * wino_input_chunk, depth = smaller(p->in_channels - k0, wino_input_chunk);
    const int panel = (o - first) / 16 * 16, width = channels - panel >= 16 ? 16 : 8;
    *position_stride = (long)depth * channels;
    return (long)first * p->in_channels * wino_positions + (long)k0 * wino_positions * channels + (long)panel * depth
           + (long)(i - k0) * width + (o - first - panel);
}

typedef struct {
    const graft_winograd_problem *p;
    const float *weights;
    float *transformed;
} weight_job;

/// U for the filters of 16 output channels (one panel): each unit writes its own floats. A row of
/// the panel (16 floats) is assembled and then written whole: the 36 positions of one filter lie
/// a power of two apart, on a few cache sets, and written one float at a time they evict each
/// other before their lines fill.
static void transform_panel(void *context, int panel) {
    const weight_job *job = context;
    const graft_winograd_problem *p = job->p;
    // In double, so that U rounds once.
    static const double G[6][3] = {
        {1, 0, 0},
        {1.0 / 3, 1.0 / 3, 1.0 / 3},
        {-1.0 / 3, 1.0 / 3, -1.0 / 3},
        {-16.0 / 15, -8.0 / 15, -4.0 / 15},
        {1.0 / 15, -2.0 / 15, 4.0 / 15},
        {0, 0, 1},
    };
    const int first = panel * 16, width = smaller(p->out_channels - first, 16);
    float rows[wino_positions][16];
    for (int i = 0; i < p->in_channels; i++) {
        for (int lane = 0; lane < width; lane++) {
            const float *g = job->weights + ((long)(first + lane) * p->in_channels + i) * 9;
            double gg[6][3];  // G g
            for (int a = 0; a < 6; a++)
                for (int c = 0; c < 3; c++) gg[a][c] = G[a][0] * g[c] + G[a][1] * g[3 + c] + G[a][2] * g[6 + c];
            for (int a = 0; a < 6; a++)
                for (int b = 0; b < 6; b++)
                    rows[a * 6 + b][lane] = (float)(gg[a][0] * G[b][0] + gg[a][1] * G[b][1] + gg[a][2] * G[b][2]);
        }
        long stride;
        float *u = job->transformed + weight_offset(p, first, i, &stride);
        for (int k = 0; k < wino_positions; k++) memcpy(u + k * stride, rows[k], sizeof(float) * width);
    }
}

void graft_winograd_transform_weights(const graft_winograd_problem *p, const float *weights, float *transformed) {
    weight_job job = {p, weights, transformed};
    graft_parallel_for((p->out_channels + 15) / 16, transform_panel, &job);
}

/// B^T applied to six vectors (a column or a row of the tile), in place.
WINO_INLINE void input_transform_6(__m256 *d0, __m256 *d1, __m256 *d2, __m256 *d3, __m256 *d4, __m256 *d5) {
    const __m256 half = _mm256_set1_ps(0.5f), one_half = _mm256_set1_ps(1.5f), two = _mm256_set1_ps(2);
    const __m256 t = _mm256_sub_ps(*d3, *d1), s = _mm256_sub_ps(*d4, *d2);
    const __m256 r0 = _mm256_fmadd_ps(one_half, t, _mm256_add_ps(_mm256_sub_ps(*d0, *d2), s));     // d0 - 3/2 d1 - 2 d2 + 3/2 d3 + d4
    const __m256 r1 = _mm256_fmadd_ps(one_half, _mm256_add_ps(*d2, *d3), _mm256_add_ps(s, t));     // -d1 + 1/2 d2 + 5/2 d3 + d4
    const __m256 r2 = _mm256_fmadd_ps(one_half, _mm256_sub_ps(*d3, *d2), _mm256_sub_ps(s, t));     // d1 - 5/2 d2 + 1/2 d3 + d4
    const __m256 r5 = _mm256_fmadd_ps(one_half, s, _mm256_sub_ps(_mm256_sub_ps(*d5, *d3), t));     // d1 - 3/2 d2 - 2 d3 + 3/2 d4 + d5
    *d0 = r0;
    *d1 = r1;
    *d2 = r2;
    *d3 = _mm256_fmadd_ps(two, t, s);   // -2 d1 - d2 + 2 d3 + d4
    *d4 = _mm256_fnmadd_ps(half, t, s); // 1/2 d1 - d2 - 1/2 d3 + d4
    *d5 = r5;
}

/// V for one tile and one block of 8 input channels: the 6x6 pixels from (y0, x0) of `plane`
/// (zero outside the image) transformed, position k stored at v + k * stride.
WINO_INLINE void input_tile(const float *plane, int height, int width, int y0, int x0, float *v, long stride) {
    __m256 d[6][6];
    if (y0 >= 0 && x0 >= 0 && y0 + 6 <= height && x0 + 6 <= width) {
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++) d[i][j] = _mm256_loadu_ps(plane + ((long)(y0 + i) * width + x0 + j) * 8);
    } else {
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++) {
                const int y = y0 + i, x = x0 + j;
                d[i][j] = y >= 0 && y < height && x >= 0 && x < width
                              ? _mm256_loadu_ps(plane + ((long)y * width + x) * 8)
                              : _mm256_setzero_ps();
            }
    }
    for (int j = 0; j < 6; j++) input_transform_6(&d[0][j], &d[1][j], &d[2][j], &d[3][j], &d[4][j], &d[5][j]);
    for (int i = 0; i < 6; i++) {
        input_transform_6(&d[i][0], &d[i][1], &d[i][2], &d[i][3], &d[i][4], &d[i][5]);
        for (int j = 0; j < 6; j++) _mm256_storeu_ps(v + (i * 6 + j) * stride, d[i][j]);
    }
}

/// A^T applied to six vectors, into four.
WINO_INLINE void output_transform_6(const __m256 *m, long step, __m256 *o, long o_step) {
    const __m256 m3 = m[3 * step], m4 = m[4 * step];
    const __m256 a = _mm256_add_ps(m[step], m[2 * step]), b = _mm256_sub_ps(m[step], m[2 * step]);
    o[0] = _mm256_add_ps(_mm256_add_ps(m[0], a), _mm256_add_ps(m3, m4));
    o[o_step] = _mm256_fmadd_ps(_mm256_set1_ps(0.5f), m3, _mm256_fnmadd_ps(_mm256_set1_ps(2), m4, b));
    o[2 * o_step] = _mm256_fmadd_ps(_mm256_set1_ps(0.25f), m3, _mm256_fmadd_ps(_mm256_set1_ps(4), m4, a));
    o[3 * o_step] = _mm256_add_ps(_mm256_fmadd_ps(_mm256_set1_ps(0.125f), m3, _mm256_fnmadd_ps(_mm256_set1_ps(8), m4, b)),
                                  m[5 * step]);
}

/// What every unit of one forward call shares.
typedef struct {
    const graft_winograd_problem *p;
    wino_plan plan;
    const float *src, *u, *bias, *residual;
    int clips;
    float lower, upper;
    float *dst;
    int units;       // groups times channel blocks
    int shares;      // of the units, one per thread
    float *scratch;  // V and M for each share
} wino_job;

/// The 4x4 outputs of one tile and one block of 8 output channels (channel `channel`), from its
/// products at m + k * stride for position k: plus bias and residual, clipped, those inside the
/// image stored.
WINO_INLINE void output_tile(const wino_job *job, const float *m, long stride, int n, int ty, int tx, int channel) {
    const graft_winograd_problem *p = job->p;
    __m256 in[36], rows[4][6], out[4][4];
    for (int k = 0; k < 36; k++) in[k] = _mm256_loadu_ps(m + k * stride);
    for (int j = 0; j < 6; j++) output_transform_6(in + j, 6, &rows[0][j], 6);
    for (int i = 0; i < 4; i++) output_transform_6(rows[i], 1, out[i], 1);
    const __m256 bias = job->bias ? _mm256_loadu_ps(job->bias + channel) : _mm256_setzero_ps();
    const __m256 lower = _mm256_set1_ps(job->lower), upper = _mm256_set1_ps(job->upper);
    const long plane = ((long)n * (p->out_channels / 8) + channel / 8) * p->height * p->width * 8;
    const int y0 = ty * 4, x0 = tx * 4;
    const int rows_in = smaller(p->height - y0, 4), cols_in = smaller(p->width - x0, 4);
    for (int i = 0; i < rows_in; i++)
        for (int j = 0; j < cols_in; j++) {
            const long at = plane + ((long)(y0 + i) * p->width + x0 + j) * 8;
            __m256 v = _mm256_add_ps(out[i][j], bias);
            if (job->residual) v = _mm256_add_ps(v, _mm256_loadu_ps(job->residual + at));
            // max(lower, v) and min(upper, v) return v when it is NaN (the second operand), so a
            // diverging run still shows NaN, as the batch-norm kernels do.
            if (job->clips) v = _mm256_min_ps(upper, _mm256_max_ps(lower, v));
            _mm256_storeu_ps(job->dst + at, v);
        }
}

/// Floats of one unit's V and of its M, each position padded by a line: unpadded, the 36
/// positions of a tile lie a multiple of 2 KB apart, on so few L1 sets that a tile's transform
/// evicts its own lines before the next channel block fills their other halves.
static long v_floats(const wino_plan *plan) { return (long)wino_positions * (plan->group * plan->chunk + 16); }
static long m_floats(const wino_plan *plan) { return (long)wino_positions * (plan->group * plan->block + 16); }

WINO_AVX2 static void run_unit_avx2(const wino_job *job, int unit, float *v, float *m) {
    const graft_winograd_problem *p = job->p;
    const wino_plan *plan = &job->plan;
    const int group = unit / plan->blocks, block = unit % plan->blocks;
    const long first_tile = (long)group * plan->group;
    const int tiles = (int)(plan->tiles - first_tile < plan->group ? plan->tiles - first_tile : plan->group);
    const int first_channel = block * plan->block;
    const int channels = smaller(p->out_channels - first_channel, plan->block);
    const int tiles_per_image = plan->tiles_h * plan->tiles_w, in_blocks = p->in_channels / 8;
    const long in_plane = (long)p->height * p->width * 8;
    // V: position, then tile, then the chunk's input channels; M: position, tile, output channel.
    const long m_position = (long)tiles * channels + 16;
    for (int k0 = 0; k0 < p->in_channels; k0 += plan->chunk) {
        const int depth = smaller(p->in_channels - k0, plan->chunk);
        const long v_position = (long)tiles * depth + 16;
        for (int t = 0; t < tiles; t++) {
            const long tile = first_tile + t;
            const int n = (int)(tile / tiles_per_image), within = (int)(tile % tiles_per_image);
            const int y0 = within / plan->tiles_w * 4 - 1, x0 = within % plan->tiles_w * 4 - 1;
            for (int c = k0; c < k0 + depth; c += 8) {
                const float *plane = job->src + ((long)n * in_blocks + c / 8) * in_plane;
                input_tile(plane, p->height, p->width, y0, x0, v + (long)t * depth + (c - k0), v_position);
            }
        }
        for (int k = 0; k < wino_positions; k++) {
            const float *vk = v + k * v_position;
            float *mk = m + k * m_position;
            for (int o = 0; o < channels; o += 16) {
                const int vectors = channels - o >= 16 ? 2 : 1;
                long stride;
                const float *panel = job->u + weight_offset(p, first_channel + o, k0, &stride) + k * stride;
                for (int r = 0; r < tiles; r += 6) {
                    const int rows = smaller(tiles - r, 6);
                    wino_gemm_block(rows, vectors, depth, vk + (long)r * depth, depth, panel, mk + (long)r * channels + o,
                                    channels, k0 > 0);
                }
            }
        }
    }
    for (int t = 0; t < tiles; t++) {
        const long tile = first_tile + t;
        const int n = (int)(tile / tiles_per_image), within = (int)(tile % tiles_per_image);
        for (int c = 0; c < channels; c += 8)
            output_tile(job, m + (long)t * channels + c, m_position, n, within / plan->tiles_w, within % plan->tiles_w,
                        first_channel + c);
    }
}

/// Share `share` of `shares`: every shares-th unit from `share` on, in the share's own V and M.
static void run_share(void *context, int share) {
    const wino_job *job = context;
    float *v = job->scratch + share * (v_floats(&job->plan) + m_floats(&job->plan)), *m = v + v_floats(&job->plan);
    for (int unit = share; unit < job->units; unit += job->shares) run_unit_avx2(job, unit, v, m);
}

void graft_winograd_forward(const graft_winograd_problem *p, graft_isa isa, const float *src, const float *transformed,
                            const float *bias, const float *residual, int clips, float lower, float upper, float *dst) {
    if (!graft_winograd_supports(p, isa)) abort();
    wino_job job = {p, make_plan(p), src, transformed, bias, residual, clips, lower, upper, dst};
    // One V and M per share rather than per unit: allocated per unit, they were mapped and
    // page-faulted afresh thousands of times per call (64 channels at 56x56, batch 32: 39 ms).
    job.units = job.plan.groups * job.plan.blocks;
    job.shares = smaller(graft_parallel_threads(), job.units);
    job.scratch = aligned_alloc(64, sizeof(float) * job.shares * (v_floats(&job.plan) + m_floats(&job.plan)));
    if (!job.scratch) abort();
    graft_parallel_for(job.shares, run_share, &job);
    free(job.scratch);
}
