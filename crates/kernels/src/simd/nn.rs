//! One entry point for the kernels of `crate::unary` and `crate::axis`: a [`Call`]
//! names the kernel and carries its arguments, and each instruction set instantiates
//! [`run`] once inside a function compiled for it (and `arch::scalar` once for the
//! scalar path), instead of one entry point and one dispatch method per kernel.
use super::{pow, reduce, softmax, unary, Simd};
use crate::{Activation, UnaryOp};

/// The shape `[outer, len, inner]` of a reduction over its middle axis.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dims {
    pub outer: usize,
    pub len: usize,
    pub inner: usize,
}

/// A kernel and its arguments, with lengths already checked by the caller.
pub(crate) enum Call<'a> {
    /// `out[i] = op(x[i])` for `i < len`; `x` is `out` or disjoint from it.
    Unary {
        op: UnaryOp,
        x: *const f32,
        out: *mut f32,
        len: usize,
    },
    /// `out[i] = x[i]^p`, pointers as for `Unary`.
    Pow {
        p: f32,
        x: *const f32,
        out: *mut f32,
        len: usize,
    },
    ActivationBackward {
        op: Activation,
        saved: &'a [f32],
        grad: &'a [f32],
        out: &'a mut [f32],
    },
    SumAxis {
        a: &'a [f32],
        out: &'a mut [f32],
        dims: Dims,
    },
    MaxAxis {
        a: &'a [f32],
        values: &'a mut [f32],
        indices: &'a mut [f32],
        dims: Dims,
    },
    Softmax {
        a: &'a [f32],
        out: &'a mut [f32],
        dims: Dims,
        log: bool,
    },
    SoftmaxBackward {
        y: &'a [f32],
        grad: &'a [f32],
        out: &'a mut [f32],
        dims: Dims,
        log: bool,
    },
    CrossEntropy {
        logits: &'a [f32],
        targets: &'a [f32],
        losses: &'a mut [f32],
        classes: usize,
    },
    CrossEntropyBackward {
        logits: &'a [f32],
        targets: &'a [f32],
        grad: &'a [f32],
        out: &'a mut [f32],
        classes: usize,
    },
    /// `diff = (a − b)·scale` and `sum = Σ (a − b)²`, all of one length.
    SquaredError {
        a: &'a [f32],
        b: &'a [f32],
        diff: &'a mut [f32],
        scale: f32,
        sum: &'a mut f32,
    },
}

/// Runs `call` on `S`.
///
/// # Safety
/// `S`'s instruction set is available, the pointers of `Unary` and `Pow` are valid for
/// `len` elements as described there, and every length was checked as in `crate::unary`
/// and `crate::axis`.
#[inline(always)]
pub(crate) unsafe fn run<S: Simd>(call: Call) {
    match call {
        Call::Unary { op, x, out, len } => unary::unary::<S>(op, x, out, len),
        Call::Pow { p, x, out, len } => pow::pow::<S>(p, x, out, len),
        Call::ActivationBackward {
            op,
            saved,
            grad,
            out,
        } => unary::activation_backward::<S>(op, saved, grad, out),
        Call::SumAxis { a, out, dims } => reduce::sum_axis::<S>(a, out, dims),
        Call::MaxAxis {
            a,
            values,
            indices,
            dims,
        } => reduce::max_axis::<S>(a, values, indices, dims),
        Call::Softmax { a, out, dims, log } => softmax::softmax::<S>(a, out, dims, log),
        Call::SoftmaxBackward {
            y,
            grad,
            out,
            dims,
            log,
        } => softmax::softmax_backward::<S>(y, grad, out, dims, log),
        Call::CrossEntropy {
            logits,
            targets,
            losses,
            classes,
        } => softmax::cross_entropy::<S>(logits, targets, losses, classes),
        Call::CrossEntropyBackward {
            logits,
            targets,
            grad,
            out,
            classes,
        } => softmax::cross_entropy_backward::<S>(logits, targets, grad, out, classes),
        Call::SquaredError {
            a,
            b,
            diff,
            scale,
            sum,
        } => *sum = reduce::squared_error::<S>(a, b, diff, scale),
    }
}
