//! The fused optimizer updates, under the contract of `lib.rs`. Scalar factors arrive
//! computed in f64 by the loader (ts/backends/optimFactors.ts) and rounded to f32 by
//! the call. A buffer the options leave unused is passed with length 0 and never read.

use std::borrow::Cow;

use descent_kernels as kernels;
use descent_kernels::{AdagradOptions, AdamOptions, RmspropOptions};

use crate::{input, overlap, view_mut, ISA};

/// Pointer and length of one block of floats.
type Block = (*const f32, usize);

/// Every block an update writes must be disjoint from the others: no copy could make
/// sense of two outputs sharing memory. A failed check traps.
fn assert_disjoint(written: &[Block]) {
    for (i, &(a, a_len)) in written.iter().enumerate() {
        for &(b, b_len) in &written[i + 1..] {
            assert!(!overlap(a, a_len, b, b_len));
        }
    }
}

/// The gradient, copied first when it shares memory with a block the update writes.
unsafe fn gradient<'a>(grad: *const f32, len: usize, written: &[Block]) -> Cow<'a, [f32]> {
    let aliased = written
        .iter()
        .any(|&(w, w_len)| overlap(grad, len, w, w_len));
    input(grad, len, aliased)
}

/// One Adam/AdamW update of `param` in place; `max_exp_avg_sq` is used only with
/// `amsgrad` (pass length 0 otherwise).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn adam_step(
    param: *mut f32,
    param_len: usize,
    grad: *const f32,
    grad_len: usize,
    exp_avg: *mut f32,
    exp_avg_len: usize,
    exp_avg_sq: *mut f32,
    exp_avg_sq_len: usize,
    max_exp_avg_sq: *mut f32,
    max_exp_avg_sq_len: usize,
    beta1: f32,
    beta2: f32,
    one_minus_beta1: f32,
    one_minus_beta2: f32,
    eps: f32,
    weight_decay: f32,
    param_scale: f32,
    neg_step_size: f32,
    bias_correction2_sqrt: f32,
    amsgrad: u32,
    maximize: u32,
) {
    let max_len = if amsgrad != 0 { max_exp_avg_sq_len } else { 0 };
    let written = [
        (param as *const f32, param_len),
        (exp_avg as *const f32, exp_avg_len),
        (exp_avg_sq as *const f32, exp_avg_sq_len),
        (max_exp_avg_sq as *const f32, max_len),
    ];
    assert_disjoint(&written);
    let grad = gradient(grad, grad_len, &written);
    let o = AdamOptions {
        beta1,
        beta2,
        one_minus_beta1,
        one_minus_beta2,
        eps,
        weight_decay,
        param_scale,
        neg_step_size,
        bias_correction2_sqrt,
        amsgrad: amsgrad != 0,
        maximize: maximize != 0,
    };
    kernels::adam_step(
        ISA,
        view_mut(param, param_len),
        &grad,
        view_mut(exp_avg, exp_avg_len),
        view_mut(exp_avg_sq, exp_avg_sq_len),
        view_mut(max_exp_avg_sq, max_len),
        &o,
    );
}

/// One Adagrad update of `param` in place.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn adagrad_step(
    param: *mut f32,
    param_len: usize,
    grad: *const f32,
    grad_len: usize,
    state_sum: *mut f32,
    state_sum_len: usize,
    neg_clr: f32,
    weight_decay: f32,
    eps: f32,
    maximize: u32,
) {
    let written = [
        (param as *const f32, param_len),
        (state_sum as *const f32, state_sum_len),
    ];
    assert_disjoint(&written);
    let grad = gradient(grad, grad_len, &written);
    let o = AdagradOptions {
        neg_clr,
        weight_decay,
        eps,
        maximize: maximize != 0,
    };
    kernels::adagrad_step(
        ISA,
        view_mut(param, param_len),
        &grad,
        view_mut(state_sum, state_sum_len),
        &o,
    );
}

/// One RMSprop update of `param` in place; `grad_avg` is used only when `centered`,
/// `momentum_buf` only with a momentum above 0 (pass length 0 otherwise).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn rmsprop_step(
    param: *mut f32,
    param_len: usize,
    grad: *const f32,
    grad_len: usize,
    square_avg: *mut f32,
    square_avg_len: usize,
    grad_avg: *mut f32,
    grad_avg_len: usize,
    momentum_buf: *mut f32,
    momentum_buf_len: usize,
    alpha: f32,
    one_minus_alpha: f32,
    eps: f32,
    weight_decay: f32,
    momentum: f32,
    neg_lr: f32,
    centered: u32,
    maximize: u32,
) {
    let o = RmspropOptions {
        alpha,
        one_minus_alpha,
        eps,
        weight_decay,
        momentum,
        neg_lr,
        centered: centered != 0,
        maximize: maximize != 0,
    };
    let avg_len = if o.centered { grad_avg_len } else { 0 };
    let buf_len = if o.uses_momentum() {
        momentum_buf_len
    } else {
        0
    };
    let written = [
        (param as *const f32, param_len),
        (square_avg as *const f32, square_avg_len),
        (grad_avg as *const f32, avg_len),
        (momentum_buf as *const f32, buf_len),
    ];
    assert_disjoint(&written);
    let grad = gradient(grad, grad_len, &written);
    kernels::rmsprop_step(
        ISA,
        view_mut(param, param_len),
        &grad,
        view_mut(square_avg, square_avg_len),
        view_mut(grad_avg, avg_len),
        view_mut(momentum_buf, buf_len),
        &o,
    );
}
