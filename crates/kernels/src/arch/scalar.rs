//! One `f32` as a one-lane vector. Kernels written over [`Simd`] run on it for the
//! scalar path and for the last few elements of every SIMD loop, so those elements go
//! through the same operations as the vector lanes. A mask is an `f32` whose bits are
//! all set (a NaN pattern, only ever moved and tested, never computed with) or all clear.
use crate::simd::Simd;

pub(crate) struct Scalar;

#[inline(always)]
fn mask(c: bool) -> f32 {
    f32::from_bits(if c { !0 } else { 0 })
}

#[inline(always)]
fn bits(a: f32, b: f32, f: impl Fn(u32, u32) -> u32) -> f32 {
    f32::from_bits(f(a.to_bits(), b.to_bits()))
}

impl Simd for Scalar {
    type V = f32;
    const LANES: usize = 1;

    #[inline(always)]
    unsafe fn splat(x: f32) -> f32 {
        x
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> f32 {
        *p
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: f32) {
        *p = v
    }
    #[inline(always)]
    unsafe fn add(a: f32, b: f32) -> f32 {
        a + b
    }
    #[inline(always)]
    unsafe fn sub(a: f32, b: f32) -> f32 {
        a - b
    }
    #[inline(always)]
    unsafe fn mul(a: f32, b: f32) -> f32 {
        a * b
    }
    #[inline(always)]
    unsafe fn neg(a: f32) -> f32 {
        -a
    }
    /// Two roundings: core has no fused multiply-add without `std`.
    #[inline(always)]
    unsafe fn mul_add(a: f32, b: f32, c: f32) -> f32 {
        a * b + c
    }
    #[inline(always)]
    unsafe fn reduce_sum(v: f32) -> f32 {
        v
    }
    #[inline(always)]
    unsafe fn div(a: f32, b: f32) -> f32 {
        a / b
    }
    #[inline(always)]
    unsafe fn sqrt(a: f32) -> f32 {
        crate::sqrt::sqrt(a)
    }
    #[inline(always)]
    unsafe fn max(a: f32, b: f32) -> f32 {
        if a.is_nan() || b.is_nan() {
            a + b
        } else if a > b {
            a
        } else {
            b
        }
    }
    #[inline(always)]
    unsafe fn lt(a: f32, b: f32) -> f32 {
        mask(a < b)
    }
    #[inline(always)]
    unsafe fn le(a: f32, b: f32) -> f32 {
        mask(a <= b)
    }
    #[inline(always)]
    unsafe fn eq(a: f32, b: f32) -> f32 {
        mask(a == b)
    }
    #[inline(always)]
    unsafe fn and(a: f32, b: f32) -> f32 {
        bits(a, b, |x, y| x & y)
    }
    #[inline(always)]
    unsafe fn or(a: f32, b: f32) -> f32 {
        bits(a, b, |x, y| x | y)
    }
    #[inline(always)]
    unsafe fn and_not(a: f32, b: f32) -> f32 {
        bits(a, b, |x, y| !x & y)
    }
    #[inline(always)]
    unsafe fn select(mask: f32, a: f32, b: f32) -> f32 {
        if mask.to_bits() != 0 {
            a
        } else {
            b
        }
    }
    #[inline(always)]
    unsafe fn to_i32_bits(a: f32) -> f32 {
        f32::from_bits(a as i32 as u32)
    }
    #[inline(always)]
    unsafe fn from_i32_bits(a: f32) -> f32 {
        a.to_bits() as i32 as f32
    }
}
