// The batch-norm kernels for one channel-block width. Included once per width with LANES defined
// (8 or 16): a vector of LANES floats holds one pixel of one channel block, and the per-channel
// coefficients of the block are one vector too.
//
// Each kernel is compiled for AVX-512, for AVX2 with FMA and for baseline x86-64 by inlining one
// always-inline body into functions with different target attributes (as the depthwise kernel).

#include <stddef.h>
#include "GraftKernels.h"

#define BN_JOIN2(a, b) a##_##b
#define BN_JOIN(a, b) BN_JOIN2(a, b)
#define BN_NAME(name) BN_JOIN(name, LANES)
#define BN_INLINE static inline __attribute__((always_inline))

typedef float BN_NAME(bn_vec) __attribute__((vector_size(LANES * sizeof(float))));
typedef double BN_NAME(bn_dvec) __attribute__((vector_size(LANES * sizeof(double))));
typedef int BN_NAME(bn_ivec) __attribute__((vector_size(LANES * sizeof(int))));
#define VEC BN_NAME(bn_vec)
#define DVEC BN_NAME(bn_dvec)
#define IVEC BN_NAME(bn_ivec)

typedef struct { VEC v; } __attribute__((packed, may_alias)) BN_NAME(bn_unaligned);
typedef struct { DVEC v; } __attribute__((packed, may_alias)) BN_NAME(bn_dunaligned);
#define LOAD(p) (((const BN_NAME(bn_unaligned) *)(p))->v)
#define STORE(p, value) (((BN_NAME(bn_unaligned) *)(p))->v = (value))
#define DSTORE(p, value) (((BN_NAME(bn_dunaligned) *)(p))->v = (value))
#define WIDEN(v) __builtin_convertvector((v), DVEC)
// A store that bypasses the caches when `streams` (a constant after inlining): for outputs larger
// than the last-level cache, which would be evicted before anything reads them, it saves reading
// every line in before overwriting it. The address is vector-aligned (planes start at multiples
// of LANES floats in 64-byte aligned buffers).
#define PUT(p, value, streams) \
    do { if (streams) __builtin_nontemporal_store((value), (VEC *)(p)); else STORE((p), (value)); } while (0)
// Lanes where `mask` is set keep `v`, the others become 0.
#define KEEP(v, mask) ((VEC)((IVEC)(v) & (mask)))
// min(max(v, lower), upper) that lets NaN through (a comparison with NaN is false), so that a
// diverging run still shows NaN rather than a clipped number.
// A macro (a statement expression), not a function: a vector passed by value to a function
// compiled without AVX would change the calling convention.
#define CLIP(v, lower, upper)                                                          \
    ({                                                                                 \
        const VEC clip_v = (v);                                                        \
        const IVEC clip_below = clip_v < (lower), clip_above = clip_v > (upper);       \
        (VEC)(((IVEC)clip_v & ~(clip_below | clip_above)) | ((IVEC)(lower) & clip_below) \
              | ((IVEC)(upper) & clip_above));                                         \
    })

/// The pixels of channel block `cb` in image n: `spatial` vectors in a row.
#define PLANE(base, n) ((base) + ((ptrdiff_t)(n) * blocks + cb) * spatial * LANES)

BN_INLINE void BN_NAME(sums_body)(const graft_bn_problem *p, const float *x, int cb, int n_first, int n_end,
                                  double *sums) {
    const int blocks = (p->channels + LANES - 1) / LANES;
    const ptrdiff_t spatial = p->spatial;
    DVEC s0 = {0}, s1 = {0}, q0 = {0}, q1 = {0};
    for (int n = n_first; n < n_end; n++) {
        const float *plane = PLANE(x, n);
        ptrdiff_t i = 0;
        for (; i + 2 <= spatial; i += 2) {
            const DVEC a = WIDEN(LOAD(plane + i * LANES)), b = WIDEN(LOAD(plane + (i + 1) * LANES));
            s0 += a;
            q0 += a * a;
            s1 += b;
            q1 += b * b;
        }
        if (i < spatial) {
            const DVEC a = WIDEN(LOAD(plane + i * LANES));
            s0 += a;
            q0 += a * a;
        }
    }
    DSTORE(sums, s0 + s1);
    DSTORE(sums + LANES, q0 + q1);
}

/// x * a + b, plus the residual at `r` when there is one: the activation's input.
#define PRE_ACTIVATION(xv, r) (residual ? ((xv) * va + vb) + LOAD(r) : (xv) * va + vb)

// The plane functions take the block's coefficients by address (a, b at the block) and build
// their vectors themselves: a vector argument to a function compiled without AVX would change the
// calling convention.
BN_INLINE void BN_NAME(forward_plane)(const float *in, const float *res, float *out, ptrdiff_t spatial,
                                      const float *a, const float *b, const graft_bn_problem *p, int clips,
                                      int streams, int residual) {
    const VEC va = LOAD(a), vb = LOAD(b), lower = (VEC){0} + p->lower, upper = (VEC){0} + p->upper;
    for (ptrdiff_t i = 0; i < spatial; i++) {
        const VEC v = PRE_ACTIVATION(LOAD(in + i * LANES), res + i * LANES);
        PUT(out + i * LANES, clips ? CLIP(v, lower, upper) : v, streams);
    }
}

// Runs `call` with `name` a constant 0 or 1 as `flag` is, so that after inlining each case is its
// own loop without a test per pixel.
#define WITH_FLAG(flag, name, call) \
    do { if (flag) { const int name = 1; call; } else { const int name = 0; call; } } while (0)

BN_INLINE void BN_NAME(forward_body)(const graft_bn_problem *p, const float *x, const float *r, const float *a,
                                     const float *b, int cb, int n_first, int n_end, float *y) {
    // Copied out of *p: the stores below may alias anything, so the compiler would reload them.
    const int blocks = (p->channels + LANES - 1) / LANES;
    const ptrdiff_t spatial = p->spatial;
    a += cb * LANES;
    b += cb * LANES;
    for (int n = n_first; n < n_end; n++) {
        // Without a residual `res` is never read; it points at the input rather than at nothing.
        const float *in = PLANE(x, n), *res = r ? PLANE(r, n) : in;
        float *out = PLANE(y, n);
        WITH_FLAG(p->clips, clips, WITH_FLAG(p->streams, streams, WITH_FLAG(r != NULL, residual,
            BN_NAME(forward_plane)(in, res, out, spatial, a, b, p, clips, streams, residual))));
    }
}

/// The output gradient where the activation passed its input through. Without a residual the
/// mask comes from the input x, by the forward pass's own expression (so it agrees with the output
/// bit for bit, and x is read anyway); with one, from the output at `yp` (`from_output`):
/// lower < clip(v) < upper exactly where lower < v < upper, and the output is kept by the next
/// layer anyway, while the residual may not be.
#define MASKED_GRADIENT(xv, yp, dy_value)                                                          \
    (clips ? KEEP((dy_value), from_output ? ((LOAD(yp) > lower) & (LOAD(yp) < upper))               \
                                          : (((xv) * va + vb > lower) & ((xv) * va + vb < upper))) \
           : (dy_value))

/// Adds one plane's sums of dz and dz * x to sums[0 ..< 4] (two of each, for independent chains).
BN_INLINE void BN_NAME(backward_sums_plane)(const float *in, const float *outputs, const float *grad,
                                            ptrdiff_t spatial, const float *a, const float *b,
                                            const graft_bn_problem *p, int clips, int from_output, DVEC *sums) {
    const VEC va = LOAD(a), vb = LOAD(b), lower = (VEC){0} + p->lower, upper = (VEC){0} + p->upper;
    DVEC g0 = sums[0], g1 = sums[1], gx0 = sums[2], gx1 = sums[3];
    ptrdiff_t i = 0;
    for (; i + 2 <= spatial; i += 2) {
        const VEC x0 = LOAD(in + i * LANES), x1 = LOAD(in + (i + 1) * LANES);
        const VEC d0 = MASKED_GRADIENT(x0, outputs + i * LANES, LOAD(grad + i * LANES));
        const VEC d1 = MASKED_GRADIENT(x1, outputs + (i + 1) * LANES, LOAD(grad + (i + 1) * LANES));
        g0 += WIDEN(d0);
        gx0 += WIDEN(d0) * WIDEN(x0);
        g1 += WIDEN(d1);
        gx1 += WIDEN(d1) * WIDEN(x1);
    }
    if (i < spatial) {
        const VEC x0 = LOAD(in + i * LANES);
        const VEC d0 = MASKED_GRADIENT(x0, outputs + i * LANES, LOAD(grad + i * LANES));
        g0 += WIDEN(d0);
        gx0 += WIDEN(d0) * WIDEN(x0);
    }
    sums[0] = g0;
    sums[1] = g1;
    sums[2] = gx0;
    sums[3] = gx1;
}

BN_INLINE void BN_NAME(backward_sums_body)(const graft_bn_problem *p, const float *x, const float *y, const float *dy,
                                           const float *a, const float *b, int cb, int n_first, int n_end,
                                           double *sums) {
    const int blocks = (p->channels + LANES - 1) / LANES;
    const ptrdiff_t spatial = p->spatial;
    a += cb * LANES;
    b += cb * LANES;
    DVEC partial[4] = {{0}, {0}, {0}, {0}};
    // Without an activation there is no mask to take from the output.
    const int reads_output = y != NULL && p->clips;
    for (int n = n_first; n < n_end; n++) {
        const float *in = PLANE(x, n), *outputs = reads_output ? PLANE(y, n) : in, *grad = PLANE(dy, n);
        WITH_FLAG(p->clips, clips, WITH_FLAG(reads_output, from_output,
            BN_NAME(backward_sums_plane)(in, outputs, grad, spatial, a, b, p, clips, from_output, partial)));
    }
    DSTORE(sums, partial[0] + partial[1]);
    DSTORE(sums + LANES, partial[2] + partial[3]);
}

/// Writes the input gradient to `out` and, with `writes_residual`, the masked output gradient (the
/// residual's gradient) to `out_residual`.
BN_INLINE void BN_NAME(backward_data_plane)(const float *in, const float *outputs, const float *grad, float *out,
                                            float *out_residual, ptrdiff_t spatial, const float *a, const float *b,
                                            const graft_bn_problem *p, int clips, const float *g, const float *gx,
                                            const float *gc, int streams, int from_output, int writes_residual) {
    const VEC va = LOAD(a), vb = LOAD(b), lower = (VEC){0} + p->lower, upper = (VEC){0} + p->upper;
    const VEC vg = LOAD(g), vx = LOAD(gx), vc = LOAD(gc);
    for (ptrdiff_t i = 0; i < spatial; i++) {
        const VEC xv = LOAD(in + i * LANES);
        const VEC dz = MASKED_GRADIENT(xv, outputs + i * LANES, LOAD(grad + i * LANES));
        PUT(out + i * LANES, dz * vg + (xv * vx + vc), streams);
        if (writes_residual) PUT(out_residual + i * LANES, dz, streams);
    }
}

BN_INLINE void BN_NAME(backward_data_body)(const graft_bn_problem *p, const float *x, const float *y, const float *dy,
                                           const float *a, const float *b, const graft_bn_data_coefficients *k,
                                           int cb, int n_first, int n_end, float *dx, float *dr) {
    const int blocks = (p->channels + LANES - 1) / LANES;
    const ptrdiff_t spatial = p->spatial;
    const ptrdiff_t at = (ptrdiff_t)cb * LANES;
    const float *g = k->gradient + at, *gx = k->input + at, *gc = k->constant + at;
    // Without an activation the residual's gradient is the output gradient itself: nothing to write.
    const int reads_output = y != NULL && p->clips, writes_residual = reads_output && dr != NULL;
    for (int n = n_first; n < n_end; n++) {
        const float *in = PLANE(x, n), *outputs = reads_output ? PLANE(y, n) : in, *grad = PLANE(dy, n);
        float *out = PLANE(dx, n), *out_residual = writes_residual ? PLANE(dr, n) : out;
        WITH_FLAG(p->clips, clips, WITH_FLAG(p->streams, streams, WITH_FLAG(reads_output, from_output,
            WITH_FLAG(writes_residual, writes, BN_NAME(backward_data_plane)(in, outputs, grad, out, out_residual,
                spatial, a + at, b + at, p, clips, g, gx, gc, streams, from_output, writes)))));
    }
}

#undef MASKED_GRADIENT
#undef WITH_FLAG
#undef PRE_ACTIVATION
#undef PLANE

// Each body compiled three times; `BN_VARIANTS(name, args)` defines name_LANES(isa, problem, unit).
#define BN_VARIANTS(name, args)                                                                           \
    __attribute__((target("avx512f"))) static void BN_NAME(name##_avx512)(const graft_bn_problem *p,      \
                                                                          const graft_bn_unit_args *u) {  \
        BN_NAME(name##_body) args;                                                                        \
    }                                                                                                     \
    __attribute__((target("avx2,fma"))) static void BN_NAME(name##_avx2)(const graft_bn_problem *p,       \
                                                                         const graft_bn_unit_args *u) {   \
        BN_NAME(name##_body) args;                                                                        \
    }                                                                                                     \
    static void BN_NAME(name##_baseline)(const graft_bn_problem *p, const graft_bn_unit_args *u) {        \
        BN_NAME(name##_body) args;                                                                        \
    }                                                                                                     \
    static void BN_NAME(name)(graft_isa isa, const graft_bn_problem *p, const graft_bn_unit_args *u) {    \
        switch (isa) {                                                                                    \
        case GRAFT_ISA_AVX512: BN_NAME(name##_avx512)(p, u); break;                                       \
        case GRAFT_ISA_AVX2: BN_NAME(name##_avx2)(p, u); break;                                           \
        default: BN_NAME(name##_baseline)(p, u); break;                                                   \
        }                                                                                                 \
    }

BN_VARIANTS(sums, (p, u->x, u->cb, u->n_first, u->n_end, u->sums))
BN_VARIANTS(forward, (p, u->x, u->r, u->a, u->b, u->cb, u->n_first, u->n_end, u->out))
BN_VARIANTS(backward_sums, (p, u->x, u->y, u->dy, u->a, u->b, u->cb, u->n_first, u->n_end, u->sums))
BN_VARIANTS(backward_data, (p, u->x, u->y, u->dy, u->a, u->b, u->k, u->cb, u->n_first, u->n_end, u->out, u->out2))

#undef BN_VARIANTS
#undef CLIP
#undef KEEP
#undef PUT
#undef WIDEN
#undef DSTORE
#undef STORE
#undef LOAD
#undef IVEC
#undef DVEC
#undef VEC
#undef BN_INLINE
#undef BN_NAME
#undef BN_JOIN
#undef BN_JOIN2
