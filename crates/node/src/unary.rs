//! Lane-wise exports: unary functions, `pow` by a scalar, activation gradients (see
//! `lib.rs` for the conventions). Ops cross as numeric codes, the index of the op in
//! `UnaryOp::ALL` / `Activation::ALL` (the order of the TypeScript unions): reading a
//! JavaScript string would cost more than a small kernel.

use descent_kernels::{Activation, UnaryOp};
use napi::bindgen_prelude::{Float32ArraySlice, Unknown};
use napi::Result;
use napi_derive::napi;

use crate::{array, input, invalid, isa, shown, size};

/// The entry of `all` that code `v` names.
fn code<T: Copy>(op: &str, all: &[T], v: Unknown) -> Result<T> {
    match size(op, "op", v) {
        Ok(i) if i < all.len() => Ok(all[i]),
        _ => Err(invalid(format!(
            "{op}: op must be a code in 0..{}, not {}",
            all.len(),
            shown(v)
        ))),
    }
}

/// `out[i] = f(a[i])` with equal lengths: in place when `a` is `out` (the kernels
/// allow it), on a copy of `a` when they only overlap. A non-empty `detail` names the
/// variant in the message of a length mismatch, as in `unary(exp)`.
fn map(
    op: &str,
    detail: &str,
    a: Unknown,
    out: Unknown,
    in_place: impl FnOnce(&mut [f32]),
    apart: impl FnOnce(&[f32], &mut [f32]),
) -> Result<()> {
    let (a, mut out): (Float32ArraySlice, _) = (array(op, "a", a)?, array(op, "out", out)?);
    if a.len() != out.len() {
        let name = match detail {
            "" => op.to_owned(),
            _ => format!("{op}({detail})"),
        };
        return Err(invalid(format!(
            "{name}: a has {} elements but out has {}",
            a.len(),
            out.len()
        )));
    }
    if a.as_ptr() == out.as_ptr() {
        // SAFETY: no JavaScript runs during this call, and no slice of `a` exists.
        in_place(unsafe { out.as_mut() });
    } else {
        let a = input(&a, &out);
        // SAFETY: no JavaScript runs during this call and `a` was copied if it overlaps `out`.
        apart(&a, unsafe { out.as_mut() });
    }
    Ok(())
}

/// `out[i] = op(a[i])`; `out` may be `a`.
#[napi(catch_unwind)]
pub fn unary(op: Unknown, a: Unknown, out: Unknown) -> Result<()> {
    let kind = code("unary", &UnaryOp::ALL, op)?;
    map(
        "unary",
        kind.name(),
        a,
        out,
        |x| descent_kernels::unary_in_place(isa(), kind, x),
        |a, out| descent_kernels::unary(isa(), kind, a, out),
    )
}

/// `out[i] = a[i] ** exponent` with Math.pow's edge cases; the exponent is rounded to
/// f32 first, as every backend does.
#[napi(catch_unwind)]
pub fn pow_scalar(a: Unknown, exponent: f64, out: Unknown) -> Result<()> {
    let p = exponent as f32;
    map(
        "powScalar",
        "",
        a,
        out,
        |x| descent_kernels::pow_scalar_in_place(isa(), x, p),
        |a, out| descent_kernels::pow_scalar(isa(), a, p, out),
    )
}

/// `out = gradOut · f'` from what the activation saved (its input for relu, its
/// output for sigmoid and tanh).
#[napi(catch_unwind)]
pub fn activation_backward(
    op: Unknown,
    saved: Unknown,
    grad_out: Unknown,
    out: Unknown,
) -> Result<()> {
    const OP: &str = "activationBackward";
    let kind = code(OP, &Activation::ALL, op)?;
    let (saved, grad, mut out) = (
        array(OP, "saved", saved)?,
        array(OP, "gradOut", grad_out)?,
        array(OP, "out", out)?,
    );
    if saved.len() != out.len() || grad.len() != out.len() {
        return Err(invalid(format!(
            "{OP}: saved has {} elements, gradOut {} and out {}; all must be equal",
            saved.len(),
            grad.len(),
            out.len()
        )));
    }
    let (saved, grad) = (input(&saved, &out), input(&grad, &out));
    // SAFETY: no JavaScript runs during this call and every input overlapping `out` was copied.
    let out = unsafe { out.as_mut() };
    descent_kernels::activation_backward(isa(), kind, &saved, &grad, out);
    Ok(())
}
