//! Exports over the middle axis of `[outer, axisLen, inner]`, cross-entropy and squared error (see
//! `lib.rs` for the conventions). Cross-entropy targets are floats holding class
//! indices: each is checked here, and a bad one is an Error naming the sample.

use std::borrow::Cow;

use napi::bindgen_prelude::{Float32ArraySlice, Unknown};
use napi::Result;
use napi_derive::napi;

use crate::{array, input, invalid, isa, overlaps, size};

/// The sizes and the element counts they imply: the input's `outer·axisLen·inner`
/// and each output slice's `outer·inner`, with overflow reported.
struct Axis {
    outer: usize,
    len: usize,
    inner: usize,
    total: usize,
    reduced: usize,
    shown: String,
}

fn axis(op: &str, outer: Unknown, len: Unknown, inner: Unknown) -> Result<Axis> {
    let (outer, len, inner) = (
        size(op, "outer", outer)?,
        size(op, "axisLen", len)?,
        size(op, "inner", inner)?,
    );
    let shown = format!("outer={outer} axisLen={len} inner={inner}");
    let reduced = outer.checked_mul(inner);
    match (reduced, reduced.and_then(|r| r.checked_mul(len))) {
        (Some(reduced), Some(total)) => Ok(Axis {
            outer,
            len,
            inner,
            total,
            reduced,
            shown,
        }),
        _ => Err(invalid(format!(
            "{op}: the element count overflows ({shown})"
        ))),
    }
}

impl Axis {
    /// Checks that array `name` has `want` elements.
    fn check(&self, op: &str, name: &str, x: &[f32], want: usize) -> Result<()> {
        if x.len() == want {
            Ok(())
        } else {
            Err(invalid(format!(
                "{op}: {name} has {} elements, expected {want} ({})",
                x.len(),
                self.shown
            )))
        }
    }
}

#[napi(catch_unwind)]
pub fn sum_axis(
    a: Unknown,
    out: Unknown,
    outer: Unknown,
    axis_len: Unknown,
    inner: Unknown,
) -> Result<()> {
    const OP: &str = "sumAxis";
    let (a, mut out) = (array(OP, "a", a)?, array(OP, "out", out)?);
    let d = axis(OP, outer, axis_len, inner)?;
    d.check(OP, "a", &a, d.total)?;
    d.check(OP, "out", &out, d.reduced)?;
    let a = input(&a, &out);
    // SAFETY: no JavaScript runs during this call and `a` was copied if it overlaps `out`.
    let out = unsafe { out.as_mut() };
    descent_kernels::sum_axis(isa(), &a, out, d.outer, d.len, d.inner);
    Ok(())
}

#[napi(catch_unwind)]
pub fn max_axis(
    a: Unknown,
    values: Unknown,
    indices: Unknown,
    outer: Unknown,
    axis_len: Unknown,
    inner: Unknown,
) -> Result<()> {
    const OP: &str = "maxAxis";
    let (a, mut values, mut indices) = (
        array(OP, "a", a)?,
        array(OP, "values", values)?,
        array(OP, "indices", indices)?,
    );
    let d = axis(OP, outer, axis_len, inner)?;
    d.check(OP, "a", &a, d.total)?;
    d.check(OP, "values", &values, d.reduced)?;
    d.check(OP, "indices", &indices, d.reduced)?;
    if d.len == 0 && d.reduced > 0 {
        return Err(invalid(format!(
            "{OP}: cannot reduce an empty axis ({})",
            d.shown
        )));
    }
    if overlaps(&values, &indices) {
        return Err(invalid(format!("{OP}: values and indices share memory")));
    }
    let a: Cow<[f32]> = if overlaps(&a, &values) || overlaps(&a, &indices) {
        Cow::Owned(a.to_vec())
    } else {
        Cow::Borrowed(&a)
    };
    // SAFETY: no JavaScript runs during this call, the outputs are disjoint (checked
    // above) and `a` was copied if it overlaps either.
    let (values, indices) = unsafe { (values.as_mut(), indices.as_mut()) };
    descent_kernels::max_axis(isa(), &a, values, indices, d.outer, d.len, d.inner);
    Ok(())
}

#[napi(catch_unwind)]
pub fn softmax(
    a: Unknown,
    out: Unknown,
    outer: Unknown,
    axis_len: Unknown,
    inner: Unknown,
    log: bool,
) -> Result<()> {
    const OP: &str = "softmax";
    let (a, mut out) = (array(OP, "a", a)?, array(OP, "out", out)?);
    let d = axis(OP, outer, axis_len, inner)?;
    d.check(OP, "a", &a, d.total)?;
    d.check(OP, "out", &out, d.total)?;
    let a = input(&a, &out);
    // SAFETY: no JavaScript runs during this call and `a` was copied if it overlaps `out`.
    let out = unsafe { out.as_mut() };
    descent_kernels::softmax(isa(), &a, out, d.outer, d.len, d.inner, log);
    Ok(())
}

#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // flat arguments: an options object costs a property lookup each
pub fn softmax_backward(
    y: Unknown,
    grad_out: Unknown,
    out: Unknown,
    outer: Unknown,
    axis_len: Unknown,
    inner: Unknown,
    log: bool,
) -> Result<()> {
    const OP: &str = "softmaxBackward";
    let (y, grad, mut out) = (
        array(OP, "y", y)?,
        array(OP, "gradOut", grad_out)?,
        array(OP, "out", out)?,
    );
    let d = axis(OP, outer, axis_len, inner)?;
    d.check(OP, "y", &y, d.total)?;
    d.check(OP, "gradOut", &grad, d.total)?;
    d.check(OP, "out", &out, d.total)?;
    let (y, grad) = (input(&y, &out), input(&grad, &out));
    // SAFETY: no JavaScript runs during this call and every input overlapping `out` was copied.
    let out = unsafe { out.as_mut() };
    descent_kernels::softmax_backward(isa(), &y, &grad, out, d.outer, d.len, d.inner, log);
    Ok(())
}

/// Checks `logits` (`n×c`) and that every target is a class index in `[0, c)`.
fn check_targets(
    op: &str,
    logits: &Float32ArraySlice,
    targets: &Float32ArraySlice,
    n: usize,
    c: usize,
) -> Result<()> {
    let shape = format!("n={n} c={c}");
    match n.checked_mul(c) {
        Some(nc) if nc == logits.len() => {}
        _ => {
            return Err(invalid(format!(
                "{op}: logits has {} elements, expected n*c ({shape})",
                logits.len()
            )))
        }
    }
    if targets.len() != n {
        return Err(invalid(format!(
            "{op}: targets has {} elements, expected n ({shape})",
            targets.len()
        )));
    }
    for (i, &t) in targets.iter().enumerate() {
        if descent_kernels::class_index(t, c).is_none() {
            return Err(invalid(format!(
                "{op}: target {t} of sample {i} is not a class index in [0, {c})"
            )));
        }
    }
    Ok(())
}

#[napi(catch_unwind)]
pub fn cross_entropy(
    logits: Unknown,
    targets: Unknown,
    losses: Unknown,
    n: Unknown,
    c: Unknown,
) -> Result<()> {
    const OP: &str = "crossEntropy";
    let (logits, targets, mut losses) = (
        array(OP, "logits", logits)?,
        array(OP, "targets", targets)?,
        array(OP, "losses", losses)?,
    );
    let (n, c) = (size(OP, "n", n)?, size(OP, "c", c)?);
    check_targets(OP, &logits, &targets, n, c)?;
    if losses.len() != n {
        return Err(invalid(format!(
            "{OP}: losses has {} elements, expected n = {n}",
            losses.len()
        )));
    }
    let (logits, targets) = (input(&logits, &losses), input(&targets, &losses));
    // SAFETY: no JavaScript runs during this call and every input overlapping `losses` was copied.
    let losses = unsafe { losses.as_mut() };
    descent_kernels::cross_entropy(isa(), &logits, &targets, losses, c);
    Ok(())
}

#[napi(catch_unwind)]
pub fn cross_entropy_backward(
    logits: Unknown,
    targets: Unknown,
    grad_losses: Unknown,
    out: Unknown,
    n: Unknown,
    c: Unknown,
) -> Result<()> {
    const OP: &str = "crossEntropyBackward";
    let (logits, targets, grad, mut out) = (
        array(OP, "logits", logits)?,
        array(OP, "targets", targets)?,
        array(OP, "gradLosses", grad_losses)?,
        array(OP, "out", out)?,
    );
    let (n, c) = (size(OP, "n", n)?, size(OP, "c", c)?);
    check_targets(OP, &logits, &targets, n, c)?;
    if grad.len() != n || out.len() != logits.len() {
        return Err(invalid(format!(
            "{OP}: gradLosses has {} elements and out {}, expected n = {n} and n*c = {}",
            grad.len(),
            out.len(),
            logits.len()
        )));
    }
    let (logits, targets, grad) = (
        input(&logits, &out),
        input(&targets, &out),
        input(&grad, &out),
    );
    // SAFETY: no JavaScript runs during this call and every input overlapping `out` was copied.
    let out = unsafe { out.as_mut() };
    descent_kernels::cross_entropy_backward(isa(), &logits, &targets, &grad, out, c);
    Ok(())
}

/// `diff = a − b`, returning `Σ diff²` (see `descent_kernels::squared_error`).
#[napi(catch_unwind)]
pub fn squared_error(a: Unknown, b: Unknown, diff: Unknown) -> Result<f64> {
    const OP: &str = "squaredError";
    let (a, b, mut diff) = (
        array(OP, "a", a)?,
        array(OP, "b", b)?,
        array(OP, "diff", diff)?,
    );
    if a.len() != diff.len() || b.len() != diff.len() {
        return Err(invalid(format!(
            "{OP}: a has {} elements and b {}, but diff has {}; all three must match",
            a.len(),
            b.len(),
            diff.len()
        )));
    }
    let (a, b) = (input(&a, &diff), input(&b, &diff));
    // SAFETY: no JavaScript runs during this call and every input overlapping `diff` was copied.
    let diff = unsafe { diff.as_mut() };
    Ok(f64::from(descent_kernels::squared_error(
        isa(),
        &a,
        &b,
        diff,
    )))
}
