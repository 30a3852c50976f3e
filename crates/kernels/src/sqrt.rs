//! `f32` square root without `std` (stable core has no `f32::sqrt`).
//!
//! Correctly rounded like the IEEE instruction, so a scalar loop using it agrees bit for
//! bit with SIMD `sqrt` instructions (which are correctly rounded too).

/// IEEE 754 square root: `sqrt(-0) = -0`, NaN for negative inputs and NaN.
#[cfg(target_arch = "x86_64")]
#[inline]
pub fn sqrt(x: f32) -> f32 {
    use core::arch::x86_64::{_mm_cvtss_f32, _mm_set_ss, _mm_sqrt_ss};
    // SAFETY: SSE is part of the x86-64 baseline, so these instructions always exist.
    unsafe { _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(x))) }
}

/// IEEE 754 square root: `sqrt(-0) = -0`, NaN for negative inputs and NaN.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
pub fn sqrt(x: f32) -> f32 {
    use core::arch::wasm32::{f32x4_extract_lane, f32x4_splat, f32x4_sqrt};
    f32x4_extract_lane::<0>(f32x4_sqrt(f32x4_splat(x)))
}

#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
pub use soft_sqrt as sqrt;

/// Portable fallback: Newton's method in f64, then an exact correction step. Squares
/// of f32 values and of midpoints between neighbouring f32 values (25 significant bits)
/// are exact in f64, so comparing them with `x` decides the rounding exactly.
#[cfg_attr(
    any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    ),
    allow(dead_code)
)]
pub fn soft_sqrt(x: f32) -> f32 {
    if x.is_nan() || x < 0.0 {
        return f32::NAN;
    }
    if x == 0.0 || x == f32::INFINITY {
        return x;
    }
    let d = f64::from(x);
    // Halving the exponent bits gives a start within a factor of ~1.06 of the root; six
    // Newton steps then reach f64 precision from there.
    let mut y = f64::from_bits((d.to_bits() >> 1) + (0x3ff << 51));
    for _ in 0..6 {
        y = 0.5 * (y + d / y);
    }
    let r = y as f32;
    // The root of a positive f32 is a positive normal f32 well below f32::MAX, so its
    // neighbours are one bit pattern away.
    let up = f32::from_bits(r.to_bits() + 1);
    let down = f32::from_bits(r.to_bits() - 1);
    let mid_up = (f64::from(r) + f64::from(up)) / 2.0;
    let mid_down = (f64::from(r) + f64::from(down)) / 2.0;
    // A root is never exactly at a midpoint, so the comparisons are strict.
    if mid_up * mid_up < d {
        up
    } else if mid_down * mid_down > d {
        down
    } else {
        r
    }
}
