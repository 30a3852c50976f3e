//! Lane-wise exports: unary functions, `pow` by a scalar, activation gradients (see
//! `lib.rs` for the conventions). Ops cross as numeric codes, the index of the op in
//! `UnaryOp::ALL` / `Activation::ALL` (the order of the TypeScript unions): reading a
//! JavaScript string would cost more than a small kernel.

use descent_kernels::{Activation, UnaryOp};
use napi::Result;

use crate::js::{Args, Floats};
use crate::{input, invalid, isa, same_lengths};

/// The entry of `all` that the code in argument `i` names.
fn code<T: Copy>(args: &Args, i: usize, all: &[T]) -> Result<T> {
    match args.size(i, "op") {
        Ok(code) if code < all.len() => Ok(all[code]),
        _ => Err(invalid(format!(
            "{}: op must be a code in 0..{}, not {}",
            args.op(),
            all.len(),
            args.shown(i)
        ))),
    }
}

/// `out[i] = f(a[i])` with equal lengths: in place when `a` is `out` (the kernels
/// allow it), on a copy of `a` when they only overlap. A non-empty `detail` names the
/// variant in the message of a length mismatch, as in `unary(exp)`.
fn map(
    op: &str,
    detail: &str,
    a: Floats,
    mut out: Floats,
    in_place: impl FnOnce(&mut [f32]),
    apart: impl FnOnce(&[f32], &mut [f32]),
) -> Result<()> {
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

/// `unary(op, a, out)`: `out[i] = op(a[i])`; `out` may be `a`.
pub fn unary(args: &mut Args) -> Result<()> {
    let kind = code(args, 0, &UnaryOp::ALL)?;
    map(
        args.op(),
        kind.name(),
        args.array(1, "a")?,
        args.array(2, "out")?,
        |x| descent_kernels::unary_in_place(isa(), kind, x),
        |a, out| descent_kernels::unary(isa(), kind, a, out),
    )
}

/// `powScalar(a, exponent, out)`: `out[i] = a[i] ** exponent` with Math.pow's edge
/// cases; the exponent is rounded to f32 first, as every backend does.
pub fn pow_scalar(args: &mut Args) -> Result<()> {
    let p = args.number(1, "exponent")? as f32;
    map(
        args.op(),
        "",
        args.array(0, "a")?,
        args.array(2, "out")?,
        |x| descent_kernels::pow_scalar_in_place(isa(), x, p),
        |a, out| descent_kernels::pow_scalar(isa(), a, p, out),
    )
}

/// `activationBackward(op, saved, gradOut, out)`: `out = gradOut · f'` from what the
/// activation saved (its input for relu, its output for sigmoid and tanh).
pub fn activation_backward(args: &mut Args) -> Result<()> {
    let op = args.op();
    let kind = code(args, 0, &Activation::ALL)?;
    let (saved, grad, mut out) = (
        args.array(1, "saved")?,
        args.array(2, "gradOut")?,
        args.array(3, "out")?,
    );
    same_lengths(
        op,
        [
            ("saved", saved.len()),
            ("gradOut", grad.len()),
            ("out", out.len()),
        ],
    )?;
    let (saved, grad) = (input(&saved, &out), input(&grad, &out));
    // SAFETY: no JavaScript runs during this call and every input overlapping `out` was copied.
    let out = unsafe { out.as_mut() };
    descent_kernels::activation_backward(isa(), kind, &saved, &grad, out);
    Ok(())
}
