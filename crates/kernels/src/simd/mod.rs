//! Kernels written once over a small vector trait, [`Simd`]; each file in `arch/`
//! implements the trait for one instruction set and instantiates these bodies inside
//! functions compiled for it (see [`entry_points`]).
//!
//! Every function here is `#[inline(always)]` and so is every trait method: a body must
//! end up inside the `#[target_feature]` function of its instruction set, or its
//! intrinsics would stay out-of-line calls from code compiled without the feature.

// Without an instruction set of its own, a build runs only the bodies that
// `arch::scalar` instantiates; the rest stays unused there.
#![cfg_attr(
    not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128"),
        all(target_arch = "aarch64", target_feature = "neon")
    )),
    allow(dead_code, unused_imports, unused_macros)
)]

pub(crate) mod elementwise;
pub(crate) mod matmul;
pub(crate) mod optim;

// The kernels of `unary` and `axis`, reached through `nn::run`.
pub(crate) mod lanes;
pub(crate) mod math;
pub(crate) mod nn;
pub(crate) mod pow;
pub(crate) mod reduce;
pub(crate) mod softmax;
pub(crate) mod unary;

/// One register of `f32` lanes, as an instruction set's intrinsics see it.
///
/// # Safety
/// Every method may only run where the instruction set is available, which an
/// [`Isa`](crate::Isa) value other than `SCALAR` proves. `load`/`store` pointers must
/// be valid for `LANES` elements; they need no alignment.
pub(crate) trait Simd {
    type V: Copy;
    const LANES: usize;

    unsafe fn splat(x: f32) -> Self::V;
    unsafe fn load(p: *const f32) -> Self::V;
    unsafe fn store(p: *mut f32, v: Self::V);
    unsafe fn add(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn sub(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn mul(a: Self::V, b: Self::V) -> Self::V;
    /// Flips the sign bit, as scalar `-x` does (unlike `0 - x` for zeros).
    unsafe fn neg(a: Self::V) -> Self::V;
    /// `a * b + c`, with one rounding where the instruction set has a fused form.
    unsafe fn mul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    unsafe fn reduce_sum(v: Self::V) -> f32;
    unsafe fn div(a: Self::V, b: Self::V) -> Self::V;
    /// Correctly rounded, as scalar `sqrt`.
    unsafe fn sqrt(a: Self::V) -> Self::V;
    /// The larger lane, NaN where either is NaN (`torch.maximum`); which zero wins
    /// between -0 and +0 is unspecified.
    unsafe fn max(a: Self::V, b: Self::V) -> Self::V;
    /// Comparisons give lane masks: every bit set where the comparison holds, none
    /// where it fails. Every comparison with NaN fails.
    unsafe fn lt(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn le(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn eq(a: Self::V, b: Self::V) -> Self::V;
    /// Bitwise operations, on masks or on the bits of floats.
    unsafe fn and(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn or(a: Self::V, b: Self::V) -> Self::V;
    /// `!a & b`.
    unsafe fn and_not(a: Self::V, b: Self::V) -> Self::V;
    /// `a` in the lanes where `mask` (a comparison result) is set, `b` elsewhere.
    unsafe fn select(mask: Self::V, a: Self::V, b: Self::V) -> Self::V;
    /// Lanes holding integral values in i32 range, converted to the bits of those i32s
    /// (how other values convert differs between instruction sets).
    unsafe fn to_i32_bits(a: Self::V) -> Self::V;
    /// Lanes holding the bits of i32s, converted to the nearest floats.
    unsafe fn from_i32_bits(a: Self::V) -> Self::V;

    /// `splat(*p)`, as one instruction where the instruction set has one.
    #[inline(always)]
    unsafe fn load_splat(p: *const f32) -> Self::V {
        Self::splat(*p)
    }

    /// Transposes a `LANES×LANES` square: row `r`, the `LANES` floats at
    /// `src + r·src_stride`, becomes column `r` of `dst`, whose rows are `dst_stride` apart.
    #[inline(always)]
    unsafe fn transpose(src: *const f32, src_stride: usize, dst: *mut f32, dst_stride: usize) {
        for r in 0..Self::LANES {
            for t in 0..Self::LANES {
                *dst.add(t * dst_stride + r) = *src.add(r * src_stride + t);
            }
        }
    }

    /// Asks for the cache line holding `p` ahead of its use; a hint, so doing nothing is correct.
    #[inline(always)]
    unsafe fn prefetch(_p: *const f32) {}
    #[inline(always)]
    unsafe fn zero() -> Self::V {
        Self::splat(0.0)
    }
    #[inline(always)]
    unsafe fn abs(a: Self::V) -> Self::V {
        Self::and_not(Self::splat(-0.0), a)
    }
}

/// Defines the crate-internal kernel entry points of one instruction set: the generic
/// bodies instantiated for `$simd` with an `$mr`×(`$nv` vectors) matmul tile, inside
/// functions carrying `$feature` so the intrinsics inline.
///
/// Each function is `unsafe`: the caller guarantees the instruction set is available
/// (an [`Isa`](crate::Isa) value of that kind) and the lengths checked in `lib.rs`.
macro_rules! entry_points {
    ($simd:ty, mr = $mr:expr, nv = $nv:expr, #[$feature:meta]) => {
        use crate::simd::{elementwise, matmul as mm};
        use crate::{BinaryOp, SgdOptions};

        #[$feature]
        #[allow(clippy::too_many_arguments)]
        pub(crate) unsafe fn matmul(
            a: &[f32],
            b: &[f32],
            c: &mut [f32],
            m: usize,
            k: usize,
            n: usize,
            trans_a: bool,
            trans_b: bool,
            first_row: usize,
            epi: mm::Epilogue,
        ) {
            let rows = c.len().checked_div(n).unwrap_or(0);
            if rows == 0 {
                return;
            }
            let (a, b) = mm::operands(a, b, m, k, n, trans_a, trans_b, first_row);
            let c = c.as_mut_ptr();
            if mm::is_direct(rows, k, n) {
                mm::direct::<$simd>(a, b, c, rows, k, n, epi)
            } else {
                matmul_packed(a, b, c, rows, k, n, epi)
            }
        }

        /// Out of line: see `mm::packed` on its stack frame.
        #[$feature]
        #[inline(never)]
        unsafe fn matmul_packed(
            a: mm::Strided,
            b: mm::Strided,
            c: *mut f32,
            rows: usize,
            k: usize,
            n: usize,
            epi: mm::Epilogue,
        ) {
            mm::packed::<$simd, $mr, $nv>(a, b, c, rows, k, n, epi)
        }

        #[$feature]
        pub(crate) unsafe fn binary(op: BinaryOp, a: &[f32], b: &[f32], out: &mut [f32]) {
            elementwise::binary::<$simd>(op, a, b, out)
        }

        #[$feature]
        pub(crate) unsafe fn scale(a: &[f32], s: f32, out: &mut [f32]) {
            elementwise::scale::<$simd>(a, s, out)
        }

        #[$feature]
        pub(crate) unsafe fn sum(a: &[f32]) -> f32 {
            elementwise::sum::<$simd>(a)
        }

        #[$feature]
        pub(crate) unsafe fn sum_rows(a: &[f32], out: &mut [f32], rows: usize, cols: usize) {
            elementwise::sum_rows::<$simd>(a, out, rows, cols)
        }

        #[$feature]
        pub(crate) unsafe fn sgd_step(
            param: &mut [f32],
            grad: &[f32],
            buf: &mut [f32],
            o: &SgdOptions,
        ) {
            elementwise::sgd_step::<$simd>(param, grad, buf, o)
        }
    };
}
pub(crate) use entry_points;
