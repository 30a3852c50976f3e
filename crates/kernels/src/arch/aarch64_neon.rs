//! AArch64 NEON: 4 lanes, a 6×16 matmul tile (24 accumulators and 4 `B` vectors leave
//! 4 of the 32 `v` registers for broadcasts). The tile loads `A` one broadcast per row,
//! so a depth step costs `MR + NV` loads for `MR·NV` multiply-adds: 6×16 does 24 for 10
//! loads, where 8×12 needs 11 and 4×16 gives only 16 for 8. It is also the AVX2 tile in
//! floats, so widths of `C` that are multiples of 16 need no padding here either.
//!
//! Masks are `float32x4_t` like every other vector, so comparisons and bitwise
//! operations go through the `u32` view of the same register (reinterprets cost nothing).
use crate::simd::Simd;
use core::arch::aarch64::*;

pub(crate) struct Neon;

#[inline(always)]
unsafe fn bits(a: float32x4_t) -> uint32x4_t {
    vreinterpretq_u32_f32(a)
}

#[inline(always)]
unsafe fn float(a: uint32x4_t) -> float32x4_t {
    vreinterpretq_f32_u32(a)
}

// The methods carry no `#[target_feature]` (trait methods cannot); they are inlined
// into the entry points below, which do.
impl Simd for Neon {
    type V = float32x4_t;
    const LANES: usize = 4;

    #[inline(always)]
    unsafe fn splat(x: f32) -> float32x4_t {
        vdupq_n_f32(x)
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> float32x4_t {
        vld1q_f32(p)
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: float32x4_t) {
        vst1q_f32(p, v)
    }
    #[inline(always)]
    unsafe fn add(a: float32x4_t, b: float32x4_t) -> float32x4_t {
        vaddq_f32(a, b)
    }
    #[inline(always)]
    unsafe fn sub(a: float32x4_t, b: float32x4_t) -> float32x4_t {
        vsubq_f32(a, b)
    }
    #[inline(always)]
    unsafe fn mul(a: float32x4_t, b: float32x4_t) -> float32x4_t {
        vmulq_f32(a, b)
    }
    #[inline(always)]
    unsafe fn neg(a: float32x4_t) -> float32x4_t {
        // fneg only flips the sign bit, zeros and NaNs included.
        vnegq_f32(a)
    }
    #[inline(always)]
    unsafe fn mul_add(a: float32x4_t, b: float32x4_t, c: float32x4_t) -> float32x4_t {
        // The accumulator comes first in vfmaq.
        vfmaq_f32(c, a, b)
    }
    #[inline(always)]
    unsafe fn reduce_sum(v: float32x4_t) -> f32 {
        vaddvq_f32(v)
    }
    #[inline(always)]
    unsafe fn div(a: float32x4_t, b: float32x4_t) -> float32x4_t {
        vdivq_f32(a, b)
    }
    #[inline(always)]
    unsafe fn sqrt(a: float32x4_t) -> float32x4_t {
        vsqrtq_f32(a)
    }
    #[inline(always)]
    unsafe fn max(a: float32x4_t, b: float32x4_t) -> float32x4_t {
        // fmax propagates NaN, as torch.maximum (fmaxnm would drop it).
        vmaxq_f32(a, b)
    }
    #[inline(always)]
    unsafe fn lt(a: float32x4_t, b: float32x4_t) -> float32x4_t {
        float(vcltq_f32(a, b))
    }
    #[inline(always)]
    unsafe fn le(a: float32x4_t, b: float32x4_t) -> float32x4_t {
        float(vcleq_f32(a, b))
    }
    #[inline(always)]
    unsafe fn eq(a: float32x4_t, b: float32x4_t) -> float32x4_t {
        float(vceqq_f32(a, b))
    }
    #[inline(always)]
    unsafe fn and(a: float32x4_t, b: float32x4_t) -> float32x4_t {
        float(vandq_u32(bits(a), bits(b)))
    }
    #[inline(always)]
    unsafe fn or(a: float32x4_t, b: float32x4_t) -> float32x4_t {
        float(vorrq_u32(bits(a), bits(b)))
    }
    #[inline(always)]
    unsafe fn and_not(a: float32x4_t, b: float32x4_t) -> float32x4_t {
        // bic clears the bits of its second operand.
        float(vbicq_u32(bits(b), bits(a)))
    }
    #[inline(always)]
    unsafe fn select(mask: float32x4_t, a: float32x4_t, b: float32x4_t) -> float32x4_t {
        vbslq_f32(bits(mask), a, b)
    }
    #[inline(always)]
    unsafe fn to_i32_bits(a: float32x4_t) -> float32x4_t {
        vreinterpretq_f32_s32(vcvtq_s32_f32(a))
    }
    #[inline(always)]
    unsafe fn from_i32_bits(a: float32x4_t) -> float32x4_t {
        vcvtq_f32_s32(vreinterpretq_s32_f32(a))
    }
    #[inline(always)]
    unsafe fn load_splat(p: *const f32) -> float32x4_t {
        vld1q_dup_f32(p)
    }
    /// Pairs of rows interleaved, then 64-bit halves recombined.
    #[inline(always)]
    unsafe fn transpose(src: *const f32, src_stride: usize, dst: *mut f32, dst_stride: usize) {
        // No closures: they would not inherit the entry point's target features.
        let mut r = [vdupq_n_f32(0.0); 4];
        for (i, x) in r.iter_mut().enumerate() {
            *x = vld1q_f32(src.add(i * src_stride));
        }
        let [r0, r1, r2, r3] = r;
        let t0 = vreinterpretq_f64_f32(vzip1q_f32(r0, r1));
        let t1 = vreinterpretq_f64_f32(vzip2q_f32(r0, r1));
        let t2 = vreinterpretq_f64_f32(vzip1q_f32(r2, r3));
        let t3 = vreinterpretq_f64_f32(vzip2q_f32(r2, r3));
        let columns = [
            vzip1q_f64(t0, t2),
            vzip2q_f64(t0, t2),
            vzip1q_f64(t1, t3),
            vzip2q_f64(t1, t3),
        ];
        for (t, x) in columns.iter().enumerate() {
            vst1q_f32(dst.add(t * dst_stride), vreinterpretq_f32_f64(*x));
        }
    }
}

// NEON is part of every AArch64 target this module is compiled for (the cfg on this
// file), so the attribute restates it rather than enabling anything.
crate::simd::entry_points!(Neon, mr = 6, nv = 4, #[target_feature(enable = "neon")]);

/// The kernels of `simd::nn`; the caller guarantees what `nn::run` requires.
#[target_feature(enable = "neon")]
pub(crate) unsafe fn nn(call: crate::simd::nn::Call) {
    crate::simd::nn::run::<Neon>(call)
}

crate::simd::optim::optim_entry_points!(Neon, #[target_feature(enable = "neon")]);
