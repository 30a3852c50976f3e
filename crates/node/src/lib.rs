//! descent's Node addon: checks every argument that comes from JavaScript, then runs
//! descent-kernels directly on the Float32Arrays' memory.
//!
//! The kernels `assert!` their lengths; every condition they assert is checked here
//! first and reported as a JavaScript Error naming the operation and the values.
//! `catch_unwind` on every export is the backstop that turns a panic we missed into an
//! Error instead of an abort. Arrays and sizes arrive as `Unknown` so that even a wrong
//! type gets an error naming the operation and the argument.
//!
//! Aliasing: JavaScript may pass one Float32Array (or overlapping views of one
//! ArrayBuffer) as both an input and the output. Rust must never hold `&[f32]` and
//! `&mut [f32]` over the same memory, so an input that overlaps the output is copied
//! first; the result is then as if every input were read before anything is written.
//! Two outputs that overlap are an error.
//!
//! Storages are made by the TypeScript backend with `new Float32Array`, never over a
//! SharedArrayBuffer, so no other thread writes this memory during a call.

use std::borrow::Cow;
use std::sync::OnceLock;

use descent_kernels::{BinaryOp, Isa, SgdOptions};
use napi::bindgen_prelude::{Float32ArraySlice, FromNapiValue, Unknown};
use napi::{Error, Result, Status};
use napi_derive::napi;

pub mod axis;
pub mod matmul;
pub mod optim;
pub mod pool;
pub mod strided;
pub mod unary;

fn isa() -> Isa {
    static ISA: OnceLock<Isa> = OnceLock::new();
    *ISA.get_or_init(Isa::detect)
}

/// Name of the instruction set the kernels run on in this process.
#[napi(catch_unwind)]
pub fn simd_name() -> &'static str {
    isa().name()
}

/// `out[i] = a[i % a.length] + b[i % b.length]`; see `binary` for the broadcast rule.
#[napi(catch_unwind)]
pub fn add(a: Unknown, b: Unknown, out: Unknown) -> Result<()> {
    binary(BinaryOp::Add, "add", a, b, out)
}

#[napi(catch_unwind)]
pub fn sub(a: Unknown, b: Unknown, out: Unknown) -> Result<()> {
    binary(BinaryOp::Sub, "sub", a, b, out)
}

#[napi(catch_unwind)]
pub fn mul(a: Unknown, b: Unknown, out: Unknown) -> Result<()> {
    binary(BinaryOp::Mul, "mul", a, b, out)
}

#[napi(catch_unwind)]
pub fn div(a: Unknown, b: Unknown, out: Unknown) -> Result<()> {
    binary(BinaryOp::Div, "div", a, b, out)
}

/// One export per op rather than an op string: reading a JavaScript string costs more
/// than a small kernel.
fn binary(kind: BinaryOp, op: &str, a: Unknown, b: Unknown, out: Unknown) -> Result<()> {
    let (a, b, mut out) = (
        array(op, "a", a)?,
        array(op, "b", b)?,
        array(op, "out", out)?,
    );
    let len = out.len();
    if a.len() != len && b.len() != len {
        return Err(invalid(format!(
            "{op}: a has {} elements and b has {}, but one of them must have out's {len}",
            a.len(),
            b.len()
        )));
    }
    for (name, x) in [("a", a.len()), ("b", b.len())] {
        // An empty operand is fine only when out is empty too (n.is_multiple_of(0) is n == 0).
        if !len.is_multiple_of(x) {
            return Err(invalid(format!(
                "{op}: {name} has {x} elements, which does not divide out's {len}"
            )));
        }
    }
    let (a, b) = (input(&a, &out), input(&b, &out));
    // SAFETY: no JavaScript runs during this call and every input overlapping `out` was copied.
    let out = unsafe { out.as_mut() };
    descent_kernels::binary(isa(), kind, &a, &b, out);
    Ok(())
}

#[napi(catch_unwind)]
pub fn scale(a: Unknown, s: f64, out: Unknown) -> Result<()> {
    const OP: &str = "scale";
    let (a, mut out) = (array(OP, "a", a)?, array(OP, "out", out)?);
    if a.len() != out.len() {
        return Err(invalid(format!(
            "{OP}: a has {} elements but out has {}",
            a.len(),
            out.len()
        )));
    }
    let a = input(&a, &out);
    // SAFETY: no JavaScript runs during this call and every input overlapping `out` was copied.
    let out = unsafe { out.as_mut() };
    descent_kernels::scale(isa(), &a, s as f32, out);
    Ok(())
}

#[napi(catch_unwind)]
pub fn sum(a: Unknown) -> Result<f64> {
    let a = array("sum", "a", a)?;
    Ok(f64::from(descent_kernels::sum(isa(), &a)))
}

/// NaN for an empty array.
#[napi(catch_unwind)]
pub fn mean(a: Unknown) -> Result<f64> {
    let a = array("mean", "a", a)?;
    Ok(f64::from(descent_kernels::mean(isa(), &a)))
}

#[napi(catch_unwind)]
pub fn sum_rows(a: Unknown, out: Unknown, rows: Unknown, cols: Unknown) -> Result<()> {
    const OP: &str = "sumRows";
    let (a, mut out) = (array(OP, "a", a)?, array(OP, "out", out)?);
    let (rows, cols) = (size(OP, "rows", rows)?, size(OP, "cols", cols)?);
    check_product(OP, "a", a.len(), "rows*cols", rows, cols)?;
    if out.len() != cols {
        return Err(invalid(format!(
            "{OP}: out has {} elements but cols = {cols}",
            out.len()
        )));
    }
    let a = input(&a, &out);
    // SAFETY: no JavaScript runs during this call and every input overlapping `out` was copied.
    let out = unsafe { out.as_mut() };
    descent_kernels::sum_rows(isa(), &a, out, rows, cols);
    Ok(())
}

/// One SGD update of `param` in place. `momentum_buf` is not read (and may be any
/// value) when `momentum` is 0.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // flat arguments: an options object costs a property lookup each
pub fn sgd_step(
    param: Unknown,
    grad: Unknown,
    momentum_buf: Unknown,
    lr: f64,
    momentum: f64,
    dampening: f64,
    weight_decay: f64,
    nesterov: bool,
    maximize: bool,
    first_step: bool,
) -> Result<()> {
    const OP: &str = "sgdStep";
    let (mut param, grad) = (array(OP, "param", param)?, array(OP, "grad", grad)?);
    let o = SgdOptions {
        lr: lr as f32,
        momentum: momentum as f32,
        dampening: dampening as f32,
        weight_decay: weight_decay as f32,
        nesterov,
        maximize,
        first_step,
    };
    if grad.len() != param.len() {
        return Err(invalid(format!(
            "{OP}: grad has {} elements but param has {}",
            grad.len(),
            param.len()
        )));
    }
    // Decided on the f32 value, as the kernel does, so a momentum that rounds to 0 never reads the buffer.
    let mut buf = if o.momentum == 0.0 {
        None
    } else {
        let buf = array(OP, "momentumBuf", momentum_buf)?;
        if buf.len() != param.len() {
            return Err(invalid(format!(
                "{OP}: momentumBuf has {} elements but param has {} (momentum = {momentum})",
                buf.len(),
                param.len()
            )));
        }
        if overlaps(&param, &buf) {
            return Err(invalid(format!("{OP}: param and momentumBuf share memory")));
        }
        Some(buf)
    };
    let grad = match &buf {
        Some(buf) if overlaps(&grad, buf) => Cow::Owned(grad.to_vec()),
        _ => input(&grad, &param),
    };
    // SAFETY: no JavaScript runs during this call, `param` and the buffer are disjoint
    // (checked above), and `grad` was copied if it overlaps either.
    let param = unsafe { param.as_mut() };
    let buf: &mut [f32] = match &mut buf {
        Some(buf) => unsafe { buf.as_mut() },
        None => &mut [],
    };
    descent_kernels::sgd_step(isa(), param, &grad, buf, &o);
    Ok(())
}

fn invalid(msg: String) -> Error {
    Error::new(Status::InvalidArg, msg)
}

/// A Float32Array argument, read in place.
fn array<'a>(op: &str, name: &str, v: Unknown<'a>) -> Result<Float32ArraySlice<'a>> {
    Float32ArraySlice::from_unknown(v).map_err(|_| {
        invalid(format!(
            "{op}: {name} must be a Float32Array, not {}",
            shown(v)
        ))
    })
}

/// A size argument. napi's own u32 conversion would silently turn -1 into 4294967295
/// and 2.5 into 2, hence the explicit check.
fn size(op: &str, name: &str, v: Unknown) -> Result<usize> {
    const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;
    match f64::from_unknown(v) {
        Ok(x) if (0.0..=MAX_SAFE_INTEGER).contains(&x) && x.fract() == 0.0 => Ok(x as usize),
        _ => Err(invalid(format!(
            "{op}: {name} must be a non-negative integer, not {}",
            shown(v)
        ))),
    }
}

/// A JavaScript value for an error message: numbers as themselves, others by type.
fn shown(v: Unknown) -> String {
    match (f64::from_unknown(v), v.get_type()) {
        (Ok(x), _) => x.to_string(),
        (Err(_), Ok(t)) => format!("a value of type {t}"),
        (Err(_), Err(_)) => "a value of unknown type".to_owned(),
    }
}

/// Checks that `array` has `x*y` elements, where `names` spells the product ("m*k").
fn check_product(op: &str, array: &str, len: usize, names: &str, x: usize, y: usize) -> Result<()> {
    match x.checked_mul(y) {
        Some(want) if want == len => Ok(()),
        Some(want) => Err(invalid(format!(
            "{op}: {array} has {len} elements but {names} = {x}*{y} = {want}"
        ))),
        None => Err(invalid(format!("{op}: {names} = {x}*{y} overflows"))),
    }
}

fn overlaps(x: &[f32], y: &[f32]) -> bool {
    let (xr, yr) = (x.as_ptr_range(), y.as_ptr_range());
    !x.is_empty() && !y.is_empty() && xr.start < yr.end && yr.start < xr.end
}

/// `x` borrowed, or copied when it overlaps `out` (see the module comment).
fn input<'a>(x: &'a Float32ArraySlice, out: &Float32ArraySlice) -> Cow<'a, [f32]> {
    if overlaps(x, out) {
        Cow::Owned(x.to_vec())
    } else {
        Cow::Borrowed(x)
    }
}
