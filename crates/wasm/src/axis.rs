//! Exports over the middle axis of `[outer, len, inner]`, cross-entropy and squared error,
//! under the contract of `lib.rs`. The loader checks cross-entropy targets and reports a bad
//! one; the kernels check again and trap rather than index outside a row.

use descent_kernels as kernels;

use crate::{input, overlap, view_mut, ISA};

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn sum_axis(
    a: *const f32,
    a_len: usize,
    out: *mut f32,
    out_len: usize,
    outer: usize,
    len: usize,
    inner: usize,
) {
    let a = input(a, a_len, overlap(a, a_len, out, out_len));
    kernels::sum_axis(ISA, &a, view_mut(out, out_len), outer, len, inner);
}

/// The two outputs must be disjoint (no copy could make sense of them overlapping).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn max_axis(
    a: *const f32,
    a_len: usize,
    values: *mut f32,
    values_len: usize,
    indices: *mut f32,
    indices_len: usize,
    outer: usize,
    len: usize,
    inner: usize,
) {
    assert!(!overlap(values, values_len, indices, indices_len));
    let aliased = overlap(a, a_len, values, values_len) || overlap(a, a_len, indices, indices_len);
    let a = input(a, a_len, aliased);
    let (values, indices) = (view_mut(values, values_len), view_mut(indices, indices_len));
    kernels::max_axis(ISA, &a, values, indices, outer, len, inner);
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn softmax(
    a: *const f32,
    a_len: usize,
    out: *mut f32,
    out_len: usize,
    outer: usize,
    len: usize,
    inner: usize,
    log: u32,
) {
    let a = input(a, a_len, overlap(a, a_len, out, out_len));
    kernels::softmax(ISA, &a, view_mut(out, out_len), outer, len, inner, log != 0);
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn softmax_backward(
    y: *const f32,
    y_len: usize,
    grad: *const f32,
    grad_len: usize,
    out: *mut f32,
    out_len: usize,
    outer: usize,
    len: usize,
    inner: usize,
    log: u32,
) {
    let y = input(y, y_len, overlap(y, y_len, out, out_len));
    let grad = input(grad, grad_len, overlap(grad, grad_len, out, out_len));
    let out = view_mut(out, out_len);
    kernels::softmax_backward(ISA, &y, &grad, out, outer, len, inner, log != 0);
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn cross_entropy(
    logits: *const f32,
    logits_len: usize,
    targets: *const f32,
    targets_len: usize,
    losses: *mut f32,
    losses_len: usize,
    c: usize,
) {
    let logits = input(
        logits,
        logits_len,
        overlap(logits, logits_len, losses, losses_len),
    );
    let targets = input(
        targets,
        targets_len,
        overlap(targets, targets_len, losses, losses_len),
    );
    kernels::cross_entropy(ISA, &logits, &targets, view_mut(losses, losses_len), c);
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn cross_entropy_backward(
    logits: *const f32,
    logits_len: usize,
    targets: *const f32,
    targets_len: usize,
    grad: *const f32,
    grad_len: usize,
    out: *mut f32,
    out_len: usize,
    c: usize,
) {
    let logits = input(
        logits,
        logits_len,
        overlap(logits, logits_len, out, out_len),
    );
    let targets = input(
        targets,
        targets_len,
        overlap(targets, targets_len, out, out_len),
    );
    let grad = input(grad, grad_len, overlap(grad, grad_len, out, out_len));
    let out = view_mut(out, out_len);
    kernels::cross_entropy_backward(ISA, &logits, &targets, &grad, out, c);
}

/// `diff = (a − b)·scale`, returning `Σ (a − b)²` (see `kernels::squared_error`).
#[no_mangle]
pub unsafe extern "C" fn squared_error(
    a: *const f32,
    a_len: usize,
    b: *const f32,
    b_len: usize,
    diff: *mut f32,
    diff_len: usize,
    scale: f32,
) -> f32 {
    let a = input(a, a_len, overlap(a, a_len, diff, diff_len));
    let b = input(b, b_len, overlap(b, b_len, diff, diff_len));
    kernels::squared_error(ISA, &a, &b, view_mut(diff, diff_len), scale)
}
