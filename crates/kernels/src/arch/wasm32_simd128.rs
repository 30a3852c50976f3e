//! WebAssembly SIMD128: 4 lanes, a 4×8 matmul tile. Engines map `v128` values onto 16
//! `xmm` registers on x86-64, so 8 accumulators leave room for `B` and a broadcast.
//! With relaxed madd too: 6×8 and 4×12 tiles (12 accumulators) ran at half the speed
//! in V8 (spills), 3×12 and 2×16 a little slower than 4×8.
//! SIMD128 has no fused multiply-add, so there `mul_add` rounds twice; the relaxed-simd
//! build uses `f32x4.relaxed_madd`, which engines lower to one FMA instruction where the
//! CPU has one (twice the multiply-adds per cycle on x86-64) and to mul+add elsewhere.
use crate::simd::Simd;
use core::arch::wasm32::*;

pub(crate) struct Simd128;

impl Simd for Simd128 {
    type V = v128;
    const LANES: usize = 4;

    #[inline(always)]
    unsafe fn splat(x: f32) -> v128 {
        f32x4_splat(x)
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> v128 {
        v128_load(p as *const v128)
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: v128) {
        v128_store(p as *mut v128, v)
    }
    #[inline(always)]
    unsafe fn add(a: v128, b: v128) -> v128 {
        f32x4_add(a, b)
    }
    #[inline(always)]
    unsafe fn sub(a: v128, b: v128) -> v128 {
        f32x4_sub(a, b)
    }
    #[inline(always)]
    unsafe fn mul(a: v128, b: v128) -> v128 {
        f32x4_mul(a, b)
    }
    #[inline(always)]
    unsafe fn neg(a: v128) -> v128 {
        f32x4_neg(a)
    }
    #[cfg(not(target_feature = "relaxed-simd"))]
    #[inline(always)]
    unsafe fn mul_add(a: v128, b: v128, c: v128) -> v128 {
        f32x4_add(f32x4_mul(a, b), c)
    }
    #[cfg(target_feature = "relaxed-simd")]
    #[inline(always)]
    unsafe fn mul_add(a: v128, b: v128, c: v128) -> v128 {
        f32x4_relaxed_madd(a, b, c)
    }
    #[inline(always)]
    unsafe fn reduce_sum(v: v128) -> f32 {
        (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v))
            + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v))
    }
    #[inline(always)]
    unsafe fn div(a: v128, b: v128) -> v128 {
        f32x4_div(a, b)
    }
    #[inline(always)]
    unsafe fn sqrt(a: v128) -> v128 {
        f32x4_sqrt(a)
    }
    #[inline(always)]
    unsafe fn max(a: v128, b: v128) -> v128 {
        // f32x4.max propagates NaN, as torch.maximum.
        f32x4_max(a, b)
    }
    #[inline(always)]
    unsafe fn lt(a: v128, b: v128) -> v128 {
        f32x4_lt(a, b)
    }
    #[inline(always)]
    unsafe fn le(a: v128, b: v128) -> v128 {
        f32x4_le(a, b)
    }
    #[inline(always)]
    unsafe fn eq(a: v128, b: v128) -> v128 {
        f32x4_eq(a, b)
    }
    #[inline(always)]
    unsafe fn and(a: v128, b: v128) -> v128 {
        v128_and(a, b)
    }
    #[inline(always)]
    unsafe fn or(a: v128, b: v128) -> v128 {
        v128_or(a, b)
    }
    #[inline(always)]
    unsafe fn and_not(a: v128, b: v128) -> v128 {
        // v128.andnot clears the bits of its second operand.
        v128_andnot(b, a)
    }
    #[inline(always)]
    unsafe fn select(mask: v128, a: v128, b: v128) -> v128 {
        v128_bitselect(a, b, mask)
    }
    #[inline(always)]
    unsafe fn to_i32_bits(a: v128) -> v128 {
        i32x4_trunc_sat_f32x4(a)
    }
    #[inline(always)]
    unsafe fn from_i32_bits(a: v128) -> v128 {
        f32x4_convert_i32x4(a)
    }
    #[inline(always)]
    unsafe fn load_splat(p: *const f32) -> v128 {
        v128_load32_splat(p as *const u32)
    }
    /// Pairs of rows interleaved, then 64-bit halves recombined.
    #[inline(always)]
    unsafe fn transpose(src: *const f32, src_stride: usize, dst: *mut f32, dst_stride: usize) {
        // No closures: they would not inherit the entry point's target features.
        let mut r = [f32x4_splat(0.0); 4];
        for (i, x) in r.iter_mut().enumerate() {
            *x = v128_load(src.add(i * src_stride) as *const v128);
        }
        let [r0, r1, r2, r3] = r;
        let t0 = i32x4_shuffle::<0, 4, 1, 5>(r0, r1);
        let t1 = i32x4_shuffle::<2, 6, 3, 7>(r0, r1);
        let t2 = i32x4_shuffle::<0, 4, 1, 5>(r2, r3);
        let t3 = i32x4_shuffle::<2, 6, 3, 7>(r2, r3);
        let columns = [
            i64x2_shuffle::<0, 2>(t0, t2),
            i64x2_shuffle::<1, 3>(t0, t2),
            i64x2_shuffle::<0, 2>(t1, t3),
            i64x2_shuffle::<1, 3>(t1, t3),
        ];
        for (t, x) in columns.iter().enumerate() {
            v128_store(dst.add(t * dst_stride) as *mut v128, *x);
        }
    }
}

// simd128 is enabled for the whole module at compile time (the cfg on this file), so
// the attribute restates it rather than enabling anything.
crate::simd::entry_points!(Simd128, mr = 4, nv = 2, #[target_feature(enable = "simd128")]);

/// The kernels of `simd::nn`; the caller guarantees what `nn::run` requires.
#[target_feature(enable = "simd128")]
pub(crate) unsafe fn nn(call: crate::simd::nn::Call) {
    crate::simd::nn::run::<Simd128>(call)
}

crate::simd::optim::optim_entry_points!(Simd128, #[target_feature(enable = "simd128")]);
