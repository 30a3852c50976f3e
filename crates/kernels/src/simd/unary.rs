//! Lane-wise kernels: PyTorch's unary functions and the backward of activations, each
//! one body for every lane type, so SIMD and scalar results are bitwise equal.
use super::lanes::{each, Lanes};
use super::{math, Simd};
use crate::{Activation, UnaryOp};

/// A function of one element (`y` unused) or of two, for any lane type `T`.
pub(crate) trait Lanewise {
    unsafe fn apply<T: Simd>(&self, x: T::V, y: T::V) -> T::V;
}

/// `out[i] = f(x[i], y[i])`. Raw pointers because the unary kernels run in place
/// (`out == x`), which is sound since every lane is read before it is written.
struct Zip<'f, F> {
    f: &'f F,
    x: *const f32,
    y: *const f32,
    out: *mut f32,
}

impl<F: Lanewise> Lanes for Zip<'_, F> {
    #[inline(always)]
    unsafe fn at<T: Simd>(&self, i: usize) {
        let (x, y) = (T::load(self.x.add(i)), T::load(self.y.add(i)));
        T::store(self.out.add(i), self.f.apply::<T>(x, y));
    }
}

/// `out[i] = f(x[i], y[i])` for `i < len`; `x` and `y` may equal `out`.
#[inline(always)]
pub(crate) unsafe fn zip<S: Simd, F: Lanewise>(
    f: &F,
    x: *const f32,
    y: *const f32,
    out: *mut f32,
    len: usize,
) {
    each::<S, _>(len, &Zip { f, x, y, out })
}

/// Declares zero-sized functions `Name(x, y) { body }`, with `T` the lane type.
macro_rules! lanewise {
    ($($(#[$doc:meta])* $name:ident($x:ident, $y:ident) $body:block)*) => {$(
        $(#[$doc])*
        struct $name;
        impl Lanewise for $name {
            #[inline(always)]
            unsafe fn apply<T: Simd>(&self, $x: T::V, $y: T::V) -> T::V $body
        }
    )*};
}

lanewise! {
    Neg(x, _y) { T::neg(x) }
    Exp(x, _y) { math::exp::<T>(x) }
    Log(x, _y) { math::log::<T>(x) }
    Sqrt(x, _y) { T::sqrt(x) }
    Abs(x, _y) { T::abs(x) }
    /// ±1, +0 for both zeros, NaN for NaN.
    Sign(x, _y) {
        let one = T::splat(1.0);
        let positive = T::and(T::lt(T::zero(), x), one);
        let negative = T::and(T::lt(x, T::zero()), one);
        T::select(T::eq(x, x), T::sub(positive, negative), x)
    }
    /// +0 where `x <= 0`; NaN fails the comparison and passes through.
    Relu(x, _y) { T::and_not(T::le(x, T::zero()), x) }
    Sigmoid(x, _y) { math::sigmoid::<T>(x) }
    Tanh(x, _y) { math::tanh::<T>(x) }
    /// A selection, not a product: a NaN or infinite gradient where `x <= 0` gives 0.
    ReluBackward(x, g) { T::and(T::lt(T::zero(), x), g) }
    /// `g·y·(1 − y)`, from sigmoid's output.
    SigmoidBackward(y, g) { T::mul(T::mul(g, y), T::sub(T::splat(1.0), y)) }
    /// `g·(1 − y²)`, from tanh's output, as `(1 − y)(1 + y)`: `1 − y·y` would lose
    /// most of its digits where |y| nears 1 (`1 − y` is exact there).
    TanhBackward(y, g) {
        let one = T::splat(1.0);
        T::mul(g, T::mul(T::sub(one, y), T::add(one, y)))
    }
}

/// `out[i] = op(x[i])`; `x` may equal `out`.
#[inline(always)]
pub(crate) unsafe fn unary<S: Simd>(op: UnaryOp, x: *const f32, out: *mut f32, len: usize) {
    match op {
        UnaryOp::Neg => zip::<S, _>(&Neg, x, x, out, len),
        UnaryOp::Exp => zip::<S, _>(&Exp, x, x, out, len),
        UnaryOp::Log => zip::<S, _>(&Log, x, x, out, len),
        UnaryOp::Sqrt => zip::<S, _>(&Sqrt, x, x, out, len),
        UnaryOp::Abs => zip::<S, _>(&Abs, x, x, out, len),
        UnaryOp::Sign => zip::<S, _>(&Sign, x, x, out, len),
        UnaryOp::Relu => zip::<S, _>(&Relu, x, x, out, len),
        UnaryOp::Sigmoid => zip::<S, _>(&Sigmoid, x, x, out, len),
        UnaryOp::Tanh => zip::<S, _>(&Tanh, x, x, out, len),
    }
}

/// `out = gradOut · f'`, from what the forward pass saved (see `crate::activation_backward`).
#[inline(always)]
pub(crate) unsafe fn activation_backward<S: Simd>(
    op: Activation,
    saved: &[f32],
    grad: &[f32],
    out: &mut [f32],
) {
    let (s, g, o, len) = (saved.as_ptr(), grad.as_ptr(), out.as_mut_ptr(), out.len());
    match op {
        Activation::Relu => zip::<S, _>(&ReluBackward, s, g, o, len),
        Activation::Sigmoid => zip::<S, _>(&SigmoidBackward, s, g, o, len),
        Activation::Tanh => zip::<S, _>(&TanhBackward, s, g, o, len),
    }
}
