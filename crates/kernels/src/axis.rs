//! Kernels over the middle axis of an array seen as `[outer, len, inner]` (a reduction
//! over dimension `d` of any shape: `outer` is the product of the dimensions before it,
//! `inner` of those after), cross-entropy over the rows of `[n, c]` logits, and the squared error of two arrays.
//!
//! SIMD and scalar paths agree bit for bit when `inner > 1`, where both run the same
//! operations per output; with `inner == 1` the sums add in another order and agree to
//! rounding (`max_axis` always agrees bit for bit). See `simd::reduce` and
//! `simd::softmax`.
use crate::simd::nn::{Call, Dims};
use crate::Isa;

/// The dims, after checking that `a` has `outer·len·inner` elements and each output
/// `outer·inner` (without overflow, which could otherwise wrap to a matching length).
fn dims(a: usize, outputs: &[usize], outer: usize, len: usize, inner: usize) -> Dims {
    let total = outer.checked_mul(len).and_then(|x| x.checked_mul(inner));
    assert!(total == Some(a));
    for &n in outputs {
        assert!(outer.checked_mul(inner) == Some(n));
    }
    Dims { outer, len, inner }
}

/// `out[o·inner + i] = Σ_k a[(o·len + k)·inner + i]`.
pub fn sum_axis(isa: Isa, a: &[f32], out: &mut [f32], outer: usize, len: usize, inner: usize) {
    let dims = dims(a.len(), &[out.len()], outer, len, inner);
    isa.dispatch_nn(Call::SumAxis { a, out, dims });
}

/// The maximum over the axis (`len ≥ 1` unless there is nothing to reduce) and the
/// index of its first occurrence as a float (exact below 2^24); a NaN beats every
/// number and the first NaN wins, as in PyTorch.
pub fn max_axis(
    isa: Isa,
    a: &[f32],
    values: &mut [f32],
    indices: &mut [f32],
    outer: usize,
    len: usize,
    inner: usize,
) {
    let dims = dims(a.len(), &[values.len(), indices.len()], outer, len, inner);
    assert!(len > 0 || values.is_empty());
    isa.dispatch_nn(Call::MaxAxis {
        a,
        values,
        indices,
        dims,
    });
}

/// Softmax, or log-softmax with `log`, over the axis. A slice holding NaN or +inf is
/// NaN throughout, and so is one of all -inf, as in PyTorch.
pub fn softmax(
    isa: Isa,
    a: &[f32],
    out: &mut [f32],
    outer: usize,
    len: usize,
    inner: usize,
    log: bool,
) {
    let dims = dims(a.len(), &[], outer, len, inner);
    assert!(out.len() == a.len());
    isa.dispatch_nn(Call::Softmax { a, out, dims, log });
}

/// Gradient of softmax from its output `y`: `y·(g − Σ g·y)`; of log-softmax from its
/// output: `g − exp(y)·Σ g`; the sums over the axis.
#[allow(clippy::too_many_arguments)]
pub fn softmax_backward(
    isa: Isa,
    y: &[f32],
    grad: &[f32],
    out: &mut [f32],
    outer: usize,
    len: usize,
    inner: usize,
    log: bool,
) {
    let dims = dims(y.len(), &[], outer, len, inner);
    assert!(grad.len() == y.len() && out.len() == y.len());
    isa.dispatch_nn(Call::SoftmaxBackward {
        y,
        grad,
        out,
        dims,
        log,
    });
}

/// The class index a cross-entropy target holds: `Some(t)` when `t` is an integer in
/// `[0, c)`. Bindings check every target with it and report the first bad one; the
/// kernels check again and panic rather than index outside a row.
pub fn class_index(t: f32, c: usize) -> Option<usize> {
    // Below 2^64 (and not NaN), `as u64` is exact for integers; comparing integers
    // avoids rounding `c` to f32.
    if !(0.0..18_446_744_073_709_551_616.0).contains(&t) || t as u64 as f32 != t {
        return None;
    }
    usize::try_from(t as u64).ok().filter(|&i| i < c)
}

/// `diff[i] = (a[i] − b[i])·scale`, returning `Σ (a[i] − b[i])²`: the forward of a
/// squared-error loss, keeping the difference scaled as its backward needs it (by 2/N
/// for a mean), so that a loss whose gradient is 1 needs no further pass.
pub fn squared_error(isa: Isa, a: &[f32], b: &[f32], diff: &mut [f32], scale: f32) -> f32 {
    assert!(a.len() == diff.len() && b.len() == diff.len());
    let mut sum = 0.0;
    isa.dispatch_nn(Call::SquaredError {
        a,
        b,
        diff,
        scale,
        sum: &mut sum,
    });
    sum
}

/// Per-sample cross-entropy of logits `[n, c]` against class indices held as floats:
/// `losses[i] = logsumexp(x_i) − x_i[t_i]`. Panics on a target that is not a class
/// index (see [`class_index`]).
pub fn cross_entropy(isa: Isa, logits: &[f32], targets: &[f32], losses: &mut [f32], c: usize) {
    let n = targets.len();
    assert!(losses.len() == n && n.checked_mul(c) == Some(logits.len()));
    isa.dispatch_nn(Call::CrossEntropy {
        logits,
        targets,
        losses,
        classes: c,
    });
}

/// `out[i, j] = (softmax(x_i)_j − [j = t_i])·grad[i]`, the gradient of
/// [`cross_entropy`] weighted by the gradient of each sample's loss.
pub fn cross_entropy_backward(
    isa: Isa,
    logits: &[f32],
    targets: &[f32],
    grad: &[f32],
    out: &mut [f32],
    c: usize,
) {
    let n = targets.len();
    assert!(grad.len() == n && n.checked_mul(c) == Some(logits.len()));
    assert!(out.len() == logits.len());
    isa.dispatch_nn(Call::CrossEntropyBackward {
        logits,
        targets,
        grad,
        out,
        classes: c,
    });
}
