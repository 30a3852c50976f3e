//! The loop shape shared by the kernels of `nn`: a body written once for any lane type
//! runs on whole vectors of the instruction set, then on the last `len % LANES`
//! elements one at a time through [`Scalar`], so every element sees the same operations.
use super::Simd;
use crate::arch::scalar::Scalar;

/// Work on elements `i..i + T::LANES` of some arrays, for any lane type `T`.
pub(crate) trait Lanes {
    unsafe fn at<T: Simd>(&self, i: usize);
}

/// Runs `body` over `0..len`.
#[inline(always)]
pub(crate) unsafe fn each<S: Simd, B: Lanes>(len: usize, body: &B) {
    let mut i = 0;
    while i + S::LANES <= len {
        body.at::<S>(i);
        i += S::LANES;
    }
    while i < len {
        body.at::<Scalar>(i);
        i += 1;
    }
}

/// A value per element, for any lane type `T`, to be reduced over `0..len`.
pub(crate) trait Term {
    unsafe fn at<T: Simd>(&self, i: usize) -> T::V;
}

/// `Σ term(i)` over `0..len`: one vector accumulator, its lanes added at the end, then
/// the tail. The order of additions depends on `S::LANES`, so results agree with the
/// scalar path to rounding only.
#[inline(always)]
pub(crate) unsafe fn sum<S: Simd, F: Term>(len: usize, term: &F) -> f32 {
    let mut acc = S::zero();
    let mut i = 0;
    while i + S::LANES <= len {
        acc = S::add(acc, term.at::<S>(i));
        i += S::LANES;
    }
    let mut total = S::reduce_sum(acc);
    while i < len {
        total += term.at::<Scalar>(i);
        i += 1;
    }
    total
}

/// The largest lane, NaN if any lane is NaN.
#[inline(always)]
pub(crate) unsafe fn reduce_max<S: Simd>(v: S::V) -> f32 {
    let lanes = to_array::<S>(v);
    let mut m = lanes[0];
    for &x in &lanes[1..S::LANES] {
        m = Scalar::max(m, x);
    }
    m
}

/// Widest vector any instruction set here has, in lanes (AVX-512).
const MAX_LANES: usize = 16;

/// The lanes of `v` in the first `S::LANES` elements of an array.
#[inline(always)]
pub(crate) unsafe fn to_array<S: Simd>(v: S::V) -> [f32; MAX_LANES] {
    assert!(S::LANES <= MAX_LANES);
    let mut lanes = [0.0; MAX_LANES];
    S::store(lanes.as_mut_ptr(), v);
    lanes
}

/// `[0, 1, …, LANES − 1]`, the lane numbers as floats.
#[inline(always)]
pub(crate) unsafe fn lane_numbers<S: Simd>() -> S::V {
    assert!(S::LANES <= MAX_LANES);
    let mut lanes = [0.0; MAX_LANES];
    for (i, x) in lanes.iter_mut().enumerate() {
        *x = i as f32;
    }
    S::load(lanes.as_ptr())
}
