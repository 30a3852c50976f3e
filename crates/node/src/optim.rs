//! The fused optimizer updates (see `lib.rs` for the conventions). The scalar factors
//! arrive already computed in f64 by the caller (ts/backends/optimFactors.ts) and are
//! rounded to f32 here, once, as PyTorch rounds a Python float for a float32 tensor.
//! A buffer an update does not use (the amsgrad maximum without amsgrad...) is not read
//! at all, so any value may stand in for it.

use std::borrow::Cow;

use descent_kernels::{AdagradOptions, AdamOptions, RmspropOptions};
use napi::bindgen_prelude::{Float32ArraySlice, Unknown};
use napi::Result;
use napi_derive::napi;

use crate::{array, invalid, isa, overlaps};

/// Reads the arrays an update writes, `param` first: each must have param's length,
/// and no two may share memory (no copy could make sense of that).
fn written<'a>(op: &str, arrays: Vec<(&str, Unknown<'a>)>) -> Result<Vec<Float32ArraySlice<'a>>> {
    let mut read: Vec<(&str, Float32ArraySlice<'a>)> = Vec::with_capacity(arrays.len());
    for (name, value) in arrays {
        let a = array(op, name, value)?;
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
fn gradient<'a>(
    op: &str,
    grad: &'a Float32ArraySlice,
    written: &[Float32ArraySlice],
) -> Result<Cow<'a, [f32]>> {
    let len = written.first().map_or(0, |p| p.len());
    if grad.len() != len {
        return Err(invalid(format!(
            "{op}: grad has {} elements but param has {len}",
            grad.len()
        )));
    }
    Ok(if written.iter().any(|w| overlaps(grad, w)) {
        Cow::Owned(grad.to_vec())
    } else {
        Cow::Borrowed(grad)
    })
}

/// The written arrays as slices, in order, then empty slices for the unused buffers.
///
/// # Safety
/// No JavaScript may run while the slices live, and the arrays must not overlap
/// (`written` checks that).
unsafe fn slices<'s, const N: usize>(arrays: &'s mut [Float32ArraySlice]) -> [&'s mut [f32]; N] {
    let mut read = arrays.iter_mut().map(|a| a.as_mut());
    std::array::from_fn(|_| read.next().unwrap_or_default())
}

/// One Adam/AdamW update of `param` in place; `maxExpAvgSq` is read only with amsgrad.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // flat arguments: an options object costs a property lookup each
pub fn adam_step(
    param: Unknown,
    grad: Unknown,
    exp_avg: Unknown,
    exp_avg_sq: Unknown,
    max_exp_avg_sq: Unknown,
    beta1: f64,
    beta2: f64,
    one_minus_beta1: f64,
    one_minus_beta2: f64,
    eps: f64,
    weight_decay: f64,
    param_scale: f64,
    neg_step_size: f64,
    bias_correction2_sqrt: f64,
    amsgrad: bool,
    maximize: bool,
) -> Result<()> {
    const OP: &str = "adamStep";
    let mut arrays = vec![
        ("param", param),
        ("expAvg", exp_avg),
        ("expAvgSq", exp_avg_sq),
    ];
    if amsgrad {
        arrays.push(("maxExpAvgSq", max_exp_avg_sq));
    }
    let mut arrays = written(OP, arrays)?;
    let grad = array(OP, "grad", grad)?;
    let grad = gradient(OP, &grad, &arrays)?;
    let o = AdamOptions {
        beta1: beta1 as f32,
        beta2: beta2 as f32,
        one_minus_beta1: one_minus_beta1 as f32,
        one_minus_beta2: one_minus_beta2 as f32,
        eps: eps as f32,
        weight_decay: weight_decay as f32,
        param_scale: param_scale as f32,
        neg_step_size: neg_step_size as f32,
        bias_correction2_sqrt: bias_correction2_sqrt as f32,
        amsgrad,
        maximize,
    };
    // SAFETY: no JavaScript runs during this call; `written` checked the arrays are disjoint.
    let [p, m, v, v_max] = unsafe { slices(&mut arrays) };
    descent_kernels::adam_step(isa(), p, &grad, m, v, v_max, &o);
    Ok(())
}

/// One Adagrad update of `param` in place.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // flat arguments: an options object costs a property lookup each
pub fn adagrad_step(
    param: Unknown,
    grad: Unknown,
    state_sum: Unknown,
    neg_clr: f64,
    weight_decay: f64,
    eps: f64,
    maximize: bool,
) -> Result<()> {
    const OP: &str = "adagradStep";
    let mut arrays = written(OP, vec![("param", param), ("stateSum", state_sum)])?;
    let grad = array(OP, "grad", grad)?;
    let grad = gradient(OP, &grad, &arrays)?;
    let o = AdagradOptions {
        neg_clr: neg_clr as f32,
        weight_decay: weight_decay as f32,
        eps: eps as f32,
        maximize,
    };
    // SAFETY: no JavaScript runs during this call; `written` checked the arrays are disjoint.
    let [p, sum] = unsafe { slices(&mut arrays) };
    descent_kernels::adagrad_step(isa(), p, &grad, sum, &o);
    Ok(())
}

/// One RMSprop update of `param` in place; `gradAvg` is read only when centered,
/// `momentumBuf` only with a momentum above 0.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // flat arguments: an options object costs a property lookup each
pub fn rmsprop_step(
    param: Unknown,
    grad: Unknown,
    square_avg: Unknown,
    grad_avg: Unknown,
    momentum_buf: Unknown,
    alpha: f64,
    one_minus_alpha: f64,
    eps: f64,
    weight_decay: f64,
    momentum: f64,
    neg_lr: f64,
    centered: bool,
    maximize: bool,
) -> Result<()> {
    const OP: &str = "rmspropStep";
    let o = RmspropOptions {
        alpha: alpha as f32,
        one_minus_alpha: one_minus_alpha as f32,
        eps: eps as f32,
        weight_decay: weight_decay as f32,
        momentum: momentum as f32,
        neg_lr: neg_lr as f32,
        centered,
        maximize,
    };
    let mut arrays = vec![("param", param), ("squareAvg", square_avg)];
    let (use_avg, use_buf) = (o.centered, o.uses_momentum());
    if use_avg {
        arrays.push(("gradAvg", grad_avg));
    }
    // Decided on the f32 value, as the kernel decides.
    if use_buf {
        arrays.push(("momentumBuf", momentum_buf));
    }
    let mut arrays = written(OP, arrays)?;
    let grad = array(OP, "grad", grad)?;
    let grad = gradient(OP, &grad, &arrays)?;
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
