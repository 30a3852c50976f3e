//! The fused optimizer updates (see `lib.rs` for the conventions). The scalar factors
//! arrive already computed in f64 by the caller (ts/backends/optimFactors.ts) and are
//! rounded to f32 here, once, as PyTorch rounds a Python float for a float32 tensor.
//! A buffer an update does not use (the amsgrad maximum without amsgrad...) is not read
//! at all, so any value may stand in for it.

use std::borrow::Cow;

use descent_kernels::{AdagradOptions, AdamOptions, RmspropOptions};
use napi::Result;

use crate::js::{Args, Floats};
use crate::{apart_from, invalid, isa, overlaps};

/// Reads the arrays an update writes, given as `(argument, name)` with param first:
/// each must have param's length, and no two may share memory (no copy could make sense
/// of that).
fn written<'a>(args: &'a Args, arrays: &[(usize, &str)]) -> Result<Vec<Floats<'a>>> {
    let op = args.op();
    let mut read: Vec<(&str, Floats<'a>)> = Vec::with_capacity(arrays.len());
    for &(i, name) in arrays {
        let a = args.array(i, name)?;
        if let Some((first, p)) = read.first() {
            if a.len() != p.len() {
                return Err(invalid(format!(
                    "{op}: {name} has {} elements but {first} has {}",
                    a.len(),
                    p.len()
                )));
            }
        }
        if let Some((other, _)) = read.iter().find(|(_, b)| overlaps(&a, b)) {
            return Err(invalid(format!("{op}: {name} and {other} share memory")));
        }
        read.push((name, a));
    }
    Ok(read.into_iter().map(|(_, a)| a).collect())
}

/// The gradient, checked against param's length and copied when it shares memory
/// with an array the update writes.
fn gradient<'a>(op: &str, grad: &'a Floats, written: &[Floats]) -> Result<Cow<'a, [f32]>> {
    let len = written.first().map_or(0, |p| p.len());
    if grad.len() != len {
        return Err(invalid(format!(
            "{op}: grad has {} elements but param has {len}",
            grad.len()
        )));
    }
    Ok(apart_from(grad, written.iter().map(|w| &**w)))
}

/// The written arrays as slices, in order, then empty slices for the unused buffers.
///
/// # Safety
/// No JavaScript may run while the slices live, and the arrays must not overlap
/// (`written` checks that).
unsafe fn slices<'s, const N: usize>(arrays: &'s mut [Floats]) -> [&'s mut [f32]; N] {
    // SAFETY: as the caller guarantees.
    let mut read = arrays.iter_mut().map(|a| unsafe { a.as_mut() });
    std::array::from_fn(|_| read.next().unwrap_or_default())
}

/// `adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, beta1, beta2, oneMinusBeta1,
/// oneMinusBeta2, eps, weightDecay, paramScale, negStepSize, biasCorrection2Sqrt,
/// amsgrad, maximize)`: one Adam/AdamW update of `param` in place; `maxExpAvgSq` is read
/// only with amsgrad.
pub fn adam_step(args: &mut Args) -> Result<()> {
    let op = args.op();
    let o = AdamOptions {
        beta1: args.number(5, "beta1")? as f32,
        beta2: args.number(6, "beta2")? as f32,
        one_minus_beta1: args.number(7, "oneMinusBeta1")? as f32,
        one_minus_beta2: args.number(8, "oneMinusBeta2")? as f32,
        eps: args.number(9, "eps")? as f32,
        weight_decay: args.number(10, "weightDecay")? as f32,
        param_scale: args.number(11, "paramScale")? as f32,
        neg_step_size: args.number(12, "negStepSize")? as f32,
        bias_correction2_sqrt: args.number(13, "biasCorrection2Sqrt")? as f32,
        amsgrad: args.flag(14, "amsgrad")?,
        maximize: args.flag(15, "maximize")?,
    };
    let mut arrays = vec![(0, "param"), (2, "expAvg"), (3, "expAvgSq")];
    if o.amsgrad {
        arrays.push((4, "maxExpAvgSq"));
    }
    let mut arrays = written(args, &arrays)?;
    let grad = args.array(1, "grad")?;
    let grad = gradient(op, &grad, &arrays)?;
    // SAFETY: no JavaScript runs during this call; `written` checked the arrays are disjoint.
    let [p, m, v, v_max] = unsafe { slices(&mut arrays) };
    descent_kernels::adam_step(isa(), p, &grad, m, v, v_max, &o);
    Ok(())
}

/// `adagradStep(param, grad, stateSum, negClr, weightDecay, eps, maximize)`: one Adagrad
/// update of `param` in place.
pub fn adagrad_step(args: &mut Args) -> Result<()> {
    let op = args.op();
    let o = AdagradOptions {
        neg_clr: args.number(3, "negClr")? as f32,
        weight_decay: args.number(4, "weightDecay")? as f32,
        eps: args.number(5, "eps")? as f32,
        maximize: args.flag(6, "maximize")?,
    };
    let mut arrays = written(args, &[(0, "param"), (2, "stateSum")])?;
    let grad = args.array(1, "grad")?;
    let grad = gradient(op, &grad, &arrays)?;
    // SAFETY: no JavaScript runs during this call; `written` checked the arrays are disjoint.
    let [p, sum] = unsafe { slices(&mut arrays) };
    descent_kernels::adagrad_step(isa(), p, &grad, sum, &o);
    Ok(())
}

/// `rmspropStep(param, grad, squareAvg, gradAvg, momentumBuf, alpha, oneMinusAlpha, eps,
/// weightDecay, momentum, negLr, centered, maximize)`: one RMSprop update of `param` in
/// place; `gradAvg` is read only when centered, `momentumBuf` only with a momentum
/// above 0.
pub fn rmsprop_step(args: &mut Args) -> Result<()> {
    let op = args.op();
    let o = RmspropOptions {
        alpha: args.number(5, "alpha")? as f32,
        one_minus_alpha: args.number(6, "oneMinusAlpha")? as f32,
        eps: args.number(7, "eps")? as f32,
        weight_decay: args.number(8, "weightDecay")? as f32,
        momentum: args.number(9, "momentum")? as f32,
        neg_lr: args.number(10, "negLr")? as f32,
        centered: args.flag(11, "centered")?,
        maximize: args.flag(12, "maximize")?,
    };
    let mut arrays = vec![(0, "param"), (2, "squareAvg")];
    let (use_avg, use_buf) = (o.centered, o.uses_momentum());
    if use_avg {
        arrays.push((3, "gradAvg"));
    }
    // Decided on the f32 value, as the kernel decides.
    if use_buf {
        arrays.push((4, "momentumBuf"));
    }
    let mut arrays = written(args, &arrays)?;
    let grad = args.array(1, "grad")?;
    let grad = gradient(op, &grad, &arrays)?;
    // SAFETY: no JavaScript runs during this call; `written` checked the arrays are disjoint.
    let [p, sq, third, fourth] = unsafe { slices(&mut arrays) };
    // Without gradAvg, the momentum buffer (if any) came third.
    let (ga, buf) = if use_avg {
        (third, fourth)
    } else {
        (fourth, third)
    };
    descent_kernels::rmsprop_step(isa(), p, &grad, sq, ga, buf, &o);
    Ok(())
}
