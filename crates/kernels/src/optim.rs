//! Fused optimizer updates: one call per parameter tensor does everything PyTorch's
//! `_single_tensor_*` functions do for it, with the same float32 operations in the
//! same order (PyTorch's vectorised CPU kernels fuse some multiply-adds, so results
//! agree with it to rounding, not bit for bit).
//!
//! Factors that PyTorch computes as Python floats (bias corrections, `1 - beta`, the
//! decayed learning rate) arrive already computed in f64 by the caller and rounded to
//! f32 once, as PyTorch rounds a Python scalar when it meets a float32 tensor.
//!
//! `scalar` holds the reference loops; the SIMD bodies in `simd::optim` perform the
//! same operations on whole vectors and must agree with them bit for bit.
use crate::isa::Isa;

/// One Adam or AdamW update (`torch.optim.Adam`/`AdamW`, `_single_tensor_adam(w)`).
#[derive(Clone, Copy, Debug)]
pub struct AdamOptions {
    pub beta1: f32,
    pub beta2: f32,
    /// `1 - beta1` and `1 - beta2`, computed in f64.
    pub one_minus_beta1: f32,
    pub one_minus_beta2: f32,
    pub eps: f32,
    /// Adam's L2 penalty, added to the gradient; 0 for AdamW.
    pub weight_decay: f32,
    /// AdamW's decoupled decay `1 - lr·weight_decay`, multiplied into the parameter
    /// first; exactly 1 for Adam.
    pub param_scale: f32,
    /// `-lr / (1 - beta1^step)`.
    pub neg_step_size: f32,
    /// `sqrt(1 - beta2^step)`.
    pub bias_correction2_sqrt: f32,
    pub amsgrad: bool,
    pub maximize: bool,
}

/// One Adagrad update (`torch.optim.Adagrad`, `_single_tensor_adagrad`).
#[derive(Clone, Copy, Debug)]
pub struct AdagradOptions {
    /// `-lr / (1 + (step - 1)·lr_decay)`.
    pub neg_clr: f32,
    pub weight_decay: f32,
    pub eps: f32,
    pub maximize: bool,
}

/// One RMSprop update (`torch.optim.RMSprop`, `_single_tensor_rmsprop`).
#[derive(Clone, Copy, Debug)]
pub struct RmspropOptions {
    pub alpha: f32,
    /// `1 - alpha`, computed in f64.
    pub one_minus_alpha: f32,
    pub eps: f32,
    pub weight_decay: f32,
    /// Buffered momentum when `> 0`.
    pub momentum: f32,
    pub neg_lr: f32,
    pub centered: bool,
    pub maximize: bool,
}

impl RmspropOptions {
    /// PyTorch keeps a momentum buffer only for a momentum above 0.
    pub fn uses_momentum(&self) -> bool {
        self.momentum > 0.0
    }
}

/// One Adam/AdamW update of `param` in place. `max_exp_avg_sq` is only read and
/// written with `amsgrad` (and may be empty otherwise); every other slice has
/// `param`'s length.
pub fn adam_step(
    isa: Isa,
    param: &mut [f32],
    grad: &[f32],
    exp_avg: &mut [f32],
    exp_avg_sq: &mut [f32],
    max_exp_avg_sq: &mut [f32],
    o: &AdamOptions,
) {
    let len = param.len();
    assert!(grad.len() == len && exp_avg.len() == len && exp_avg_sq.len() == len);
    assert!(!o.amsgrad || max_exp_avg_sq.len() == len);
    isa.dispatch_adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, o);
}

/// One Adagrad update of `param` in place; `state_sum` is the running sum of squares.
pub fn adagrad_step(
    isa: Isa,
    param: &mut [f32],
    grad: &[f32],
    state_sum: &mut [f32],
    o: &AdagradOptions,
) {
    assert!(grad.len() == param.len() && state_sum.len() == param.len());
    isa.dispatch_adagrad_step(param, grad, state_sum, o);
}

/// One RMSprop update of `param` in place. `grad_avg` is used only when `centered`,
/// `momentum_buf` only when `momentum > 0`; either may be empty otherwise.
pub fn rmsprop_step(
    isa: Isa,
    param: &mut [f32],
    grad: &[f32],
    square_avg: &mut [f32],
    grad_avg: &mut [f32],
    momentum_buf: &mut [f32],
    o: &RmspropOptions,
) {
    let len = param.len();
    assert!(grad.len() == len && square_avg.len() == len);
    assert!(!o.centered || grad_avg.len() == len);
    assert!(!o.uses_momentum() || momentum_buf.len() == len);
    isa.dispatch_rmsprop_step(param, grad, square_avg, grad_avg, momentum_buf, o);
}

/// The reference loops, one element at a time.
pub mod scalar {
    use super::{AdagradOptions, AdamOptions, RmspropOptions};
    use crate::sqrt::sqrt;

    /// `torch.maximum`: NaN when either is NaN.
    pub fn maximum(a: f32, b: f32) -> f32 {
        if a.is_nan() || b.is_nan() {
            a + b
        } else if a > b {
            a
        } else {
            b
        }
    }

    /// The gradient as PyTorch's update sees it: negated to maximize, plus the L2 term.
    #[inline(always)]
    fn effective_grad(g: f32, p: f32, weight_decay: f32, maximize: bool) -> f32 {
        let g = if maximize { -g } else { g };
        if weight_decay != 0.0 {
            g + weight_decay * p
        } else {
            g
        }
    }

    pub fn adam_step(
        param: &mut [f32],
        grad: &[f32],
        exp_avg: &mut [f32],
        exp_avg_sq: &mut [f32],
        max_exp_avg_sq: &mut [f32],
        o: &AdamOptions,
    ) {
        for i in 0..param.len() {
            let mut p = param[i];
            let g = effective_grad(grad[i], p, o.weight_decay, o.maximize);
            if o.param_scale != 1.0 {
                p *= o.param_scale;
            }
            // exp_avg.mul_(beta1).add_(grad, alpha=1-beta1)
            let m = exp_avg[i] * o.beta1 + o.one_minus_beta1 * g;
            // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2)
            let mut v = exp_avg_sq[i] * o.beta2 + o.one_minus_beta2 * g * g;
            exp_avg[i] = m;
            exp_avg_sq[i] = v;
            if o.amsgrad {
                v = maximum(max_exp_avg_sq[i], v);
                max_exp_avg_sq[i] = v;
            }
            let denom = sqrt(v) / o.bias_correction2_sqrt + o.eps;
            // param.addcdiv_(exp_avg, denom, value=-step_size)
            param[i] = p + o.neg_step_size * m / denom;
        }
    }

    pub fn adagrad_step(
        param: &mut [f32],
        grad: &[f32],
        state_sum: &mut [f32],
        o: &AdagradOptions,
    ) {
        for i in 0..param.len() {
            let p = param[i];
            let g = effective_grad(grad[i], p, o.weight_decay, o.maximize);
            let s = state_sum[i] + g * g;
            state_sum[i] = s;
            let std = sqrt(s) + o.eps;
            param[i] = p + o.neg_clr * g / std;
        }
    }

    pub fn rmsprop_step(
        param: &mut [f32],
        grad: &[f32],
        square_avg: &mut [f32],
        grad_avg: &mut [f32],
        momentum_buf: &mut [f32],
        o: &RmspropOptions,
    ) {
        for i in 0..param.len() {
            let p = param[i];
            let g = effective_grad(grad[i], p, o.weight_decay, o.maximize);
            let sq = square_avg[i] * o.alpha + o.one_minus_alpha * g * g;
            square_avg[i] = sq;
            let avg = if o.centered {
                let ga = grad_avg[i] * o.alpha + o.one_minus_alpha * g;
                grad_avg[i] = ga;
                // square_avg.addcmul(grad_avg, grad_avg, value=-1): -(ga·ga) is exact.
                sqrt(sq - ga * ga)
            } else {
                sqrt(sq)
            } + o.eps;
            param[i] = if o.uses_momentum() {
                let buf = momentum_buf[i] * o.momentum + g / avg;
                momentum_buf[i] = buf;
                p + o.neg_lr * buf
            } else {
                p + o.neg_lr * g / avg
            };
        }
    }
}
