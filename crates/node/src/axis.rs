//! Exports over the middle axis of `[outer, axisLen, inner]`, cross-entropy and squared error (see
//! `lib.rs` for the conventions). Cross-entropy targets are floats holding class
//! indices: each is checked here, and a bad one is an Error naming the sample.

use napi::Result;

use crate::js::Args;
use crate::{apart_from, check_apart, input, invalid, isa, same_lengths};

/// The sizes and the element counts they imply: the input's `outer·axisLen·inner`
/// and each output slice's `outer·inner`, with overflow reported.
struct Axis {
    op: &'static str,
    outer: usize,
    len: usize,
    inner: usize,
    total: usize,
    reduced: usize,
    shown: String,
}

/// Reads `outer, axisLen, inner` from argument `first` on.
fn axis(args: &Args, first: usize) -> Result<Axis> {
    let op = args.op();
    let (outer, len, inner) = (
        args.size(first, "outer")?,
        args.size(first + 1, "axisLen")?,
        args.size(first + 2, "inner")?,
    );
    let shown = format!("outer={outer} axisLen={len} inner={inner}");
    let reduced = outer.checked_mul(inner);
    match (reduced, reduced.and_then(|r| r.checked_mul(len))) {
        (Some(reduced), Some(total)) => Ok(Axis {
            op,
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
    fn check(&self, name: &str, x: &[f32], want: usize) -> Result<()> {
        if x.len() == want {
            Ok(())
        } else {
            Err(invalid(format!(
                "{}: {name} has {} elements, expected {want} ({})",
                self.op,
                x.len(),
                self.shown
            )))
        }
    }
}

/// `sumAxis(a, out, outer, axisLen, inner)`.
pub fn sum_axis(args: &mut Args) -> Result<()> {
    let (a, mut out) = (args.array(0, "a")?, args.array(1, "out")?);
    let d = axis(args, 2)?;
    d.check("a", &a, d.total)?;
    d.check("out", &out, d.reduced)?;
    let a = input(&a, &out);
    // SAFETY: no JavaScript runs during this call and `a` was copied if it overlaps `out`.
    let out = unsafe { out.as_mut() };
    descent_kernels::sum_axis(isa(), &a, out, d.outer, d.len, d.inner);
    Ok(())
}

/// `maxAxis(a, values, indices, outer, axisLen, inner)`.
pub fn max_axis(args: &mut Args) -> Result<()> {
    let op = args.op();
    let (a, mut values, mut indices) = (
        args.array(0, "a")?,
        args.array(1, "values")?,
        args.array(2, "indices")?,
    );
    let d = axis(args, 3)?;
    d.check("a", &a, d.total)?;
    d.check("values", &values, d.reduced)?;
    d.check("indices", &indices, d.reduced)?;
    if d.len == 0 && d.reduced > 0 {
        return Err(invalid(format!(
            "{op}: cannot reduce an empty axis ({})",
            d.shown
        )));
    }
    check_apart(op, &[("values", &values), ("indices", &indices)])?;
    let a = apart_from(&a, [&*values, &*indices]);
    // SAFETY: no JavaScript runs during this call, the outputs are disjoint (checked
    // above) and `a` was copied if it overlaps either.
    let (values, indices) = unsafe { (values.as_mut(), indices.as_mut()) };
    descent_kernels::max_axis(isa(), &a, values, indices, d.outer, d.len, d.inner);
    Ok(())
}

/// `softmax(a, out, outer, axisLen, inner, log)`.
pub fn softmax(args: &mut Args) -> Result<()> {
    let log = args.flag(5, "log")?;
    let (a, mut out) = (args.array(0, "a")?, args.array(1, "out")?);
    let d = axis(args, 2)?;
    d.check("a", &a, d.total)?;
    d.check("out", &out, d.total)?;
    let a = input(&a, &out);
    // SAFETY: no JavaScript runs during this call and `a` was copied if it overlaps `out`.
    let out = unsafe { out.as_mut() };
    descent_kernels::softmax(isa(), &a, out, d.outer, d.len, d.inner, log);
    Ok(())
}

/// `softmaxBackward(y, gradOut, out, outer, axisLen, inner, log)`.
pub fn softmax_backward(args: &mut Args) -> Result<()> {
    let log = args.flag(6, "log")?;
    let (y, grad, mut out) = (
        args.array(0, "y")?,
        args.array(1, "gradOut")?,
        args.array(2, "out")?,
    );
    let d = axis(args, 3)?;
    d.check("y", &y, d.total)?;
    d.check("gradOut", &grad, d.total)?;
    d.check("out", &out, d.total)?;
    let (y, grad) = (input(&y, &out), input(&grad, &out));
    // SAFETY: no JavaScript runs during this call and every input overlapping `out` was copied.
    let out = unsafe { out.as_mut() };
    descent_kernels::softmax_backward(isa(), &y, &grad, out, d.outer, d.len, d.inner, log);
    Ok(())
}

/// Checks `logits` (`n×c`) and that every target is a class index in `[0, c)`.
fn check_targets(op: &str, logits: &[f32], targets: &[f32], n: usize, c: usize) -> Result<()> {
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

/// `crossEntropy(logits, targets, losses, n, c)`.
pub fn cross_entropy(args: &mut Args) -> Result<()> {
    let op = args.op();
    let (logits, targets, mut losses) = (
        args.array(0, "logits")?,
        args.array(1, "targets")?,
        args.array(2, "losses")?,
    );
    let (n, c) = (args.size(3, "n")?, args.size(4, "c")?);
    check_targets(op, &logits, &targets, n, c)?;
    if losses.len() != n {
        return Err(invalid(format!(
            "{op}: losses has {} elements, expected n = {n}",
            losses.len()
        )));
    }
    let (logits, targets) = (input(&logits, &losses), input(&targets, &losses));
    // SAFETY: no JavaScript runs during this call and every input overlapping `losses` was copied.
    let losses = unsafe { losses.as_mut() };
    descent_kernels::cross_entropy(isa(), &logits, &targets, losses, c);
    Ok(())
}

/// `crossEntropyBackward(logits, targets, gradLosses, out, n, c)`.
pub fn cross_entropy_backward(args: &mut Args) -> Result<()> {
    let op = args.op();
    let (logits, targets, grad, mut out) = (
        args.array(0, "logits")?,
        args.array(1, "targets")?,
        args.array(2, "gradLosses")?,
        args.array(3, "out")?,
    );
    let (n, c) = (args.size(4, "n")?, args.size(5, "c")?);
    check_targets(op, &logits, &targets, n, c)?;
    if grad.len() != n || out.len() != logits.len() {
        return Err(invalid(format!(
            "{op}: gradLosses has {} elements and out {}, expected n = {n} and n*c = {}",
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

/// `squaredError(a, b, diff, scale)`: `diff = (a − b)·scale`, returning `Σ (a − b)²`.
pub fn squared_error(args: &mut Args) -> Result<f64> {
    let op = args.op();
    let scale = args.number(3, "scale")? as f32;
    let (a, b, mut diff) = (
        args.array(0, "a")?,
        args.array(1, "b")?,
        args.array(2, "diff")?,
    );
    same_lengths(op, [("a", a.len()), ("b", b.len()), ("diff", diff.len())])?;
    let (a, b) = (input(&a, &diff), input(&b, &diff));
    // SAFETY: no JavaScript runs during this call and every input overlapping `diff` was copied.
    let diff = unsafe { diff.as_mut() };
    Ok(f64::from(descent_kernels::squared_error(
        isa(),
        &a,
        &b,
        diff,
        scale,
    )))
}
