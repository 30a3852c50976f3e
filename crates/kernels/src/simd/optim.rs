//! The fused optimizer updates of `crate::optim` on whole vectors: the same operations
//! in the same order as `optim::scalar` (no fused multiply-add), so results are bitwise
//! equal to it. The last `len % LANES` elements run through the scalar loop.
use super::Simd;
use crate::optim::{scalar, AdagradOptions, AdamOptions, RmspropOptions};

/// The gradient as the update sees it: negated to maximize, plus the L2 term.
#[inline(always)]
unsafe fn effective_grad<S: Simd>(g: S::V, p: S::V, weight_decay: f32, maximize: bool) -> S::V {
    let g = if maximize { S::neg(g) } else { g };
    if weight_decay != 0.0 {
        S::add(g, S::mul(S::splat(weight_decay), p))
    } else {
        g
    }
}

/// The elements from `i` on, or nothing when the buffer is unused (and maybe empty).
fn tail(buf: &mut [f32], used: bool, i: usize) -> &mut [f32] {
    if used {
        &mut buf[i..]
    } else {
        &mut []
    }
}

#[inline(always)]
pub(crate) unsafe fn adam_step<S: Simd>(
    param: &mut [f32],
    grad: &[f32],
    exp_avg: &mut [f32],
    exp_avg_sq: &mut [f32],
    max_exp_avg_sq: &mut [f32],
    o: &AdamOptions,
) {
    let (beta1, beta2) = (S::splat(o.beta1), S::splat(o.beta2));
    let (omb1, omb2) = (S::splat(o.one_minus_beta1), S::splat(o.one_minus_beta2));
    let (scale, neg_step) = (S::splat(o.param_scale), S::splat(o.neg_step_size));
    let (bc2, eps) = (S::splat(o.bias_correction2_sqrt), S::splat(o.eps));
    let mut i = 0;
    while i + S::LANES <= param.len() {
        let pp = param.as_mut_ptr().add(i);
        let (mp, vp) = (exp_avg.as_mut_ptr().add(i), exp_avg_sq.as_mut_ptr().add(i));
        let mut p = S::load(pp);
        let g = effective_grad::<S>(S::load(grad.as_ptr().add(i)), p, o.weight_decay, o.maximize);
        if o.param_scale != 1.0 {
            p = S::mul(p, scale);
        }
        let m = S::add(S::mul(S::load(mp), beta1), S::mul(omb1, g));
        let mut v = S::add(S::mul(S::load(vp), beta2), S::mul(S::mul(omb2, g), g));
        S::store(mp, m);
        S::store(vp, v);
        if o.amsgrad {
            let xp = max_exp_avg_sq.as_mut_ptr().add(i);
            v = S::max(S::load(xp), v);
            S::store(xp, v);
        }
        let denom = S::add(S::div(S::sqrt(v), bc2), eps);
        S::store(pp, S::add(p, S::div(S::mul(neg_step, m), denom)));
        i += S::LANES;
    }
    scalar::adam_step(
        &mut param[i..],
        &grad[i..],
        &mut exp_avg[i..],
        &mut exp_avg_sq[i..],
        tail(max_exp_avg_sq, o.amsgrad, i),
        o,
    );
}

#[inline(always)]
pub(crate) unsafe fn adagrad_step<S: Simd>(
    param: &mut [f32],
    grad: &[f32],
    state_sum: &mut [f32],
    o: &AdagradOptions,
) {
    let (neg_clr, eps) = (S::splat(o.neg_clr), S::splat(o.eps));
    let mut i = 0;
    while i + S::LANES <= param.len() {
        let (pp, sp) = (param.as_mut_ptr().add(i), state_sum.as_mut_ptr().add(i));
        let p = S::load(pp);
        let g = effective_grad::<S>(S::load(grad.as_ptr().add(i)), p, o.weight_decay, o.maximize);
        let s = S::add(S::load(sp), S::mul(g, g));
        S::store(sp, s);
        let std = S::add(S::sqrt(s), eps);
        S::store(pp, S::add(p, S::div(S::mul(neg_clr, g), std)));
        i += S::LANES;
    }
    scalar::adagrad_step(&mut param[i..], &grad[i..], &mut state_sum[i..], o);
}

#[inline(always)]
pub(crate) unsafe fn rmsprop_step<S: Simd>(
    param: &mut [f32],
    grad: &[f32],
    square_avg: &mut [f32],
    grad_avg: &mut [f32],
    momentum_buf: &mut [f32],
    o: &RmspropOptions,
) {
    let (alpha, oma) = (S::splat(o.alpha), S::splat(o.one_minus_alpha));
    let (eps, momentum, neg_lr) = (S::splat(o.eps), S::splat(o.momentum), S::splat(o.neg_lr));
    let with_momentum = o.uses_momentum();
    let mut i = 0;
    while i + S::LANES <= param.len() {
        let (pp, sp) = (param.as_mut_ptr().add(i), square_avg.as_mut_ptr().add(i));
        let p = S::load(pp);
        let g = effective_grad::<S>(S::load(grad.as_ptr().add(i)), p, o.weight_decay, o.maximize);
        let sq = S::add(S::mul(S::load(sp), alpha), S::mul(S::mul(oma, g), g));
        S::store(sp, sq);
        let avg = if o.centered {
            let gp = grad_avg.as_mut_ptr().add(i);
            let ga = S::add(S::mul(S::load(gp), alpha), S::mul(oma, g));
            S::store(gp, ga);
            S::sqrt(S::sub(sq, S::mul(ga, ga)))
        } else {
            S::sqrt(sq)
        };
        let avg = S::add(avg, eps);
        let next = if with_momentum {
            let bp = momentum_buf.as_mut_ptr().add(i);
            let buf = S::add(S::mul(S::load(bp), momentum), S::div(g, avg));
            S::store(bp, buf);
            S::add(p, S::mul(neg_lr, buf))
        } else {
            S::add(p, S::div(S::mul(neg_lr, g), avg))
        };
        S::store(pp, next);
        i += S::LANES;
    }
    scalar::rmsprop_step(
        &mut param[i..],
        &grad[i..],
        &mut square_avg[i..],
        tail(grad_avg, o.centered, i),
        tail(momentum_buf, with_momentum, i),
        o,
    );
}

/// Defines the optimizer entry points of one instruction set, as `entry_points!` does
/// for the other kernels (see there for the safety contract).
macro_rules! optim_entry_points {
    ($simd:ty, #[$feature:meta]) => {
        #[$feature]
        pub(crate) unsafe fn adam_step(
            param: &mut [f32],
            grad: &[f32],
            exp_avg: &mut [f32],
            exp_avg_sq: &mut [f32],
            max_exp_avg_sq: &mut [f32],
            o: &crate::optim::AdamOptions,
        ) {
            crate::simd::optim::adam_step::<$simd>(
                param,
                grad,
                exp_avg,
                exp_avg_sq,
                max_exp_avg_sq,
                o,
            )
        }

        #[$feature]
        pub(crate) unsafe fn adagrad_step(
            param: &mut [f32],
            grad: &[f32],
            state_sum: &mut [f32],
            o: &crate::optim::AdagradOptions,
        ) {
            crate::simd::optim::adagrad_step::<$simd>(param, grad, state_sum, o)
        }

        #[$feature]
        pub(crate) unsafe fn rmsprop_step(
            param: &mut [f32],
            grad: &[f32],
            square_avg: &mut [f32],
            grad_avg: &mut [f32],
            momentum_buf: &mut [f32],
            o: &crate::optim::RmspropOptions,
        ) {
            crate::simd::optim::rmsprop_step::<$simd>(
                param,
                grad,
                square_avg,
                grad_avg,
                momentum_buf,
                o,
            )
        }
    };
}
pub(crate) use optim_entry_points;
