//! descent's Node addon: checks every argument that comes from JavaScript, then runs
//! descent-kernels directly on the Float32Arrays' memory.
//!
//! The kernels `assert!` their lengths; every condition they assert is checked here
//! first and reported as a JavaScript Error naming the operation and the values.
//! `catch_unwind` on every export is the backstop that turns a panic we missed into an
//! Error instead of an abort. Every argument is read and checked by `js::Args`, so that
//! even a wrong type gets an error naming the operation and the argument (an array
//! view of another type is read as the floats in its bytes: see `Args::array`).
//!
//! Aliasing: JavaScript may pass one Float32Array (or overlapping views of one
//! ArrayBuffer) as both an input and the output. Rust must never hold `&[f32]` and
//! `&mut [f32]` over the same memory, so an input that overlaps the output is copied
//! first; the result is then as if every input were read before anything is written.
//! Two outputs that overlap are an error.
//!
//! Options cross as flat arguments (`sgdStep(param, grad, buf, lr, momentum, ...)`), not
//! as objects: reading an object's property costs a lookup each.
//!
//! Storages are made by the TypeScript backend with `new Float32Array`, never over a
//! SharedArrayBuffer, so no other thread writes this memory during a call.

use std::borrow::Cow;
use std::sync::OnceLock;

use descent_kernels::{BinaryOp, Isa, SgdOptions};
use napi::bindgen_prelude::Object;
use napi::{Env, Error, Result, Status};
use napi_derive::napi;

use crate::js::{exports, Args, Floats};

pub mod axis;
pub mod js;
pub mod matmul;
pub mod optim;
pub mod pool;
pub mod strided;
pub mod unary;

/// Every export, under its JavaScript name (ts/backends/native.ts lists the same).
#[napi(module_exports)]
pub fn register(exports: Object, env: Env) -> Result<()> {
    let table = exports![
        "simdName" => simd_name,
        "misalignment" => misalignment,
        "add" => |args| binary(args, BinaryOp::Add),
        "sub" => |args| binary(args, BinaryOp::Sub),
        "mul" => |args| binary(args, BinaryOp::Mul),
        "div" => |args| binary(args, BinaryOp::Div),
        "scale" => scale,
        "sum" => sum,
        "mean" => mean,
        "sumRows" => sum_rows,
        "sgdStep" => sgd_step,
        "getNumThreads" => matmul::get_num_threads,
        "setNumThreads" => matmul::set_num_threads,
        "matmul" => matmul::matmul,
        "linearForward" => matmul::linear_forward,
        "linearBackward" => matmul::linear_backward,
        "adamStep" => optim::adam_step,
        "adagradStep" => optim::adagrad_step,
        "rmspropStep" => optim::rmsprop_step,
        "unary" => unary::unary,
        "powScalar" => unary::pow_scalar,
        "activationBackward" => unary::activation_backward,
        "stridedCopy" => strided::strided_copy,
        "sumAxis" => axis::sum_axis,
        "maxAxis" => axis::max_axis,
        "softmax" => axis::softmax,
        "softmaxBackward" => axis::softmax_backward,
        "crossEntropy" => axis::cross_entropy,
        "crossEntropyBackward" => axis::cross_entropy_backward,
        "squaredError" => axis::squared_error,
    ];
    js::define(&env, &exports, &table)
}

fn isa() -> Isa {
    static ISA: OnceLock<Isa> = OnceLock::new();
    *ISA.get_or_init(Isa::detect)
}

/// `simdName()`: the instruction set the kernels run on in this process.
fn simd_name(_: &mut Args) -> Result<&'static str> {
    Ok(isa().name())
}

/// The alignment the backend gives every storage: a cache line, and the widest vector.
const STORAGE_ALIGN: usize = 64;

/// `misalignment(view)`: how many bytes past a 64-byte boundary the view's memory
/// starts. An ArrayBuffer's memory is only 16-byte aligned (a 1 MiB one starts 16 bytes
/// into a page), so every other 32-byte vector of a product's rows straddled two cache
/// lines; laid out from the next boundary, 1024³ ran ~4% faster. The backend does so.
/// (Wasm's 16-byte vectors never straddle one: its 16-byte alignment measured the same.)
fn misalignment(args: &mut Args) -> Result<u32> {
    let view = args.array(0, "view")?;
    if view.is_empty() {
        return Err(invalid(format!(
            "{}: the view has no floats, so no address to align",
            args.op()
        )));
    }
    Ok((view.as_ptr() as usize % STORAGE_ALIGN) as u32)
}

/// `add(a, b, out)` and the other binary ops: `out[i] = a[i % a.length] + b[i % b.length]`,
/// where `a` or `b` has out's length and the other divides it. One export per op rather
/// than an op string: reading a JavaScript string costs more than a small kernel.
fn binary(args: &mut Args, kind: BinaryOp) -> Result<()> {
    let op = args.op();
    let (a, b, mut out) = (
        args.array(0, "a")?,
        args.array(1, "b")?,
        args.array(2, "out")?,
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

/// `scale(a, s, out)`: `out[i] = a[i]·s`.
fn scale(args: &mut Args) -> Result<()> {
    let op = args.op();
    let s = args.number(1, "s")?;
    let (a, mut out) = (args.array(0, "a")?, args.array(2, "out")?);
    if a.len() != out.len() {
        return Err(invalid(format!(
            "{op}: a has {} elements but out has {}",
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

/// `sum(a)`.
fn sum(args: &mut Args) -> Result<f64> {
    let a = args.array(0, "a")?;
    Ok(f64::from(descent_kernels::sum(isa(), &a)))
}

/// `mean(a)`: NaN for an empty array.
fn mean(args: &mut Args) -> Result<f64> {
    let a = args.array(0, "a")?;
    Ok(f64::from(descent_kernels::mean(isa(), &a)))
}

/// `sumRows(a, out, rows, cols)`: the column sums of the `rows×cols` matrix `a`.
fn sum_rows(args: &mut Args) -> Result<()> {
    let op = args.op();
    let (a, mut out) = (args.array(0, "a")?, args.array(1, "out")?);
    let (rows, cols) = (args.size(2, "rows")?, args.size(3, "cols")?);
    check_product(op, "a", a.len(), "rows*cols", rows, cols)?;
    if out.len() != cols {
        return Err(invalid(format!(
            "{op}: out has {} elements but cols = {cols}",
            out.len()
        )));
    }
    let a = input(&a, &out);
    // SAFETY: no JavaScript runs during this call and every input overlapping `out` was copied.
    let out = unsafe { out.as_mut() };
    descent_kernels::sum_rows(isa(), &a, out, rows, cols);
    Ok(())
}

/// `sgdStep(param, grad, momentumBuf, lr, momentum, dampening, weightDecay, nesterov,
/// maximize, firstStep)`: one SGD update of `param` in place. `momentumBuf` is not read
/// (and may be any value) when `momentum` is 0.
fn sgd_step(args: &mut Args) -> Result<()> {
    let op = args.op();
    let lr = args.number(3, "lr")?;
    let momentum = args.number(4, "momentum")?;
    let o = SgdOptions {
        lr: lr as f32,
        momentum: momentum as f32,
        dampening: args.number(5, "dampening")? as f32,
        weight_decay: args.number(6, "weightDecay")? as f32,
        nesterov: args.flag(7, "nesterov")?,
        maximize: args.flag(8, "maximize")?,
        first_step: args.flag(9, "firstStep")?,
    };
    let (mut param, grad) = (args.array(0, "param")?, args.array(1, "grad")?);
    if grad.len() != param.len() {
        return Err(invalid(format!(
            "{op}: grad has {} elements but param has {}",
            grad.len(),
            param.len()
        )));
    }
    // Decided on the f32 value, as the kernel does, so a momentum that rounds to 0 never reads the buffer.
    let mut buf = if o.momentum == 0.0 {
        None
    } else {
        let buf = args.array(2, "momentumBuf")?;
        if buf.len() != param.len() {
            return Err(invalid(format!(
                "{op}: momentumBuf has {} elements but param has {} (momentum = {momentum})",
                buf.len(),
                param.len()
            )));
        }
        check_apart(op, &[("param", &param), ("momentumBuf", &buf)])?;
        Some(buf)
    };
    let grad = apart_from(&grad, std::iter::once(&*param).chain(buf.as_deref()));
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

/// Checks that two inputs and an output, named, have one length.
fn same_lengths(
    op: &str,
    [(x, x_len), (y, y_len), (out, out_len)]: [(&str, usize); 3],
) -> Result<()> {
    if x_len == out_len && y_len == out_len {
        return Ok(());
    }
    Err(invalid(format!(
        "{op}: {x} has {x_len} elements, {y} {y_len} and {out} {out_len}; all must be equal"
    )))
}

/// Checks that `array` has `x*y` elements, where `names` spells the product ("m*k").
#[inline]
fn check_product(op: &str, array: &str, len: usize, names: &str, x: usize, y: usize) -> Result<()> {
    if x.checked_mul(y) == Some(len) {
        return Ok(());
    }
    Err(product_mismatch(op, array, len, names, x, y))
}

/// `check_product`'s Error, out of line: every product checks several arrays per call.
#[cold]
fn product_mismatch(op: &str, array: &str, len: usize, names: &str, x: usize, y: usize) -> Error {
    match x.checked_mul(y) {
        Some(want) => invalid(format!(
            "{op}: {array} has {len} elements but {names} = {x}*{y} = {want}"
        )),
        None => invalid(format!("{op}: {names} = {x}*{y} overflows")),
    }
}

fn overlaps(x: &[f32], y: &[f32]) -> bool {
    let (xr, yr) = (x.as_ptr_range(), y.as_ptr_range());
    !x.is_empty() && !y.is_empty() && xr.start < yr.end && yr.start < xr.end
}

/// Checks that no two of the named outputs share memory: no copy could make sense of that.
fn check_apart(op: &str, outputs: &[(&str, &[f32])]) -> Result<()> {
    for (i, (first, a)) in outputs.iter().enumerate() {
        if let Some((second, _)) = outputs[i + 1..].iter().find(|(_, b)| overlaps(a, b)) {
            return Err(invalid(format!("{op}: {first} and {second} share memory")));
        }
    }
    Ok(())
}

/// `x` borrowed, or copied when it overlaps `out` (see the module comment).
fn input<'a>(x: &'a Floats, out: &Floats) -> Cow<'a, [f32]> {
    apart_from(x, [&**out])
}

/// `x` borrowed, or copied when it overlaps any of `outs`.
fn apart_from<'a, 'o>(x: &'a [f32], outs: impl IntoIterator<Item = &'o [f32]>) -> Cow<'a, [f32]> {
    if outs.into_iter().any(|out| overlaps(x, out)) {
        Cow::Owned(x.to_vec())
    } else {
        Cow::Borrowed(x)
    }
}
