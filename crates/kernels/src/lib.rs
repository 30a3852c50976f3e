//! descent's kernels: plain functions over `f32` slices and sizes.
//!
//! No dependencies and no allocation, so the same code builds into the Node addon and
//! into WebAssembly (with and without relaxed SIMD). Every public kernel that computes
//! takes an [`Isa`] naming the instruction set to run on: `Isa::detect()` (feature
//! `std`) in a native build, [`Isa::best_static`] in the wasm build, or
//! [`Isa::SCALAR`] (`strided_copy` only moves data and takes none).
//!
//! `scalar` holds the reference version of each kernel; `simd` the SIMD versions,
//! written once over a small vector trait; `arch` one file per instruction set
//! implementing that trait. Every SIMD path performs the same IEEE operations in the
//! same order as `scalar`, so results are equal, except `matmul` and `sum`, which agree
//! to rounding (fused multiply-adds, a different order of additions). The kernels of
//! `unary` and `axis` have no separate reference: their one body runs on
//! `arch::scalar`, a one-lane vector, for the scalar path, so it is bitwise equal too,
//! except sums along a contiguous axis (see `axis`); their tests check the scalar path
//! against f64.
//!
//! Callers (the bindings) check every length before calling: the checks here are
//! `assert!`s that guard memory safety, not user-facing errors.
#![no_std]

#[cfg(any(feature = "std", test))]
extern crate std;

mod arch;
mod axis;
mod isa;
mod optim;
pub mod scalar;
// Always compiled: the kernels of `unary` and `axis` run their scalar path through the
// same `Simd` bodies, on `arch::scalar`.
mod simd;
mod sqrt;
mod strided;
#[cfg(test)]
mod tests;
mod unary;

pub use axis::{
    class_index, cross_entropy, cross_entropy_backward, max_axis, softmax, softmax_backward,
    squared_error, sum_axis,
};
pub use isa::Isa;
pub use optim::{
    adagrad_step, adam_step, rmsprop_step, AdagradOptions, AdamOptions, RmspropOptions,
};
pub use sqrt::sqrt;
pub use strided::{strided_copy, strided_extent};
pub use unary::{
    activation_backward, pow_scalar, pow_scalar_in_place, unary, unary_in_place, Activation,
    UnaryOp,
};

/// Elementwise binary operations that share one broadcasting kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// Options of one SGD update, with PyTorch's meaning (`torch.optim.SGD`).
#[derive(Clone, Copy, Debug)]
pub struct SgdOptions {
    pub lr: f32,
    pub momentum: f32,
    pub dampening: f32,
    pub weight_decay: f32,
    pub nesterov: bool,
    pub maximize: bool,
    /// True on the first step of a parameter with momentum: the buffer is set to the
    /// gradient instead of being decayed, as PyTorch does when its buffer is `None`.
    pub first_step: bool,
}

/// `c[m×n] = op(a)·op(b)` where `op(a)` is `m×k` and `op(b)` is `k×n`, all row-major.
/// With `trans_a`, `a` is stored as `k×m`; with `trans_b`, `b` is stored as `n×k`;
/// the transpose is never materialised. Every element of `c` is overwritten.
#[allow(clippy::too_many_arguments)]
pub fn matmul(
    isa: Isa,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
    trans_a: bool,
    trans_b: bool,
) {
    matmul_rows(isa, a, b, c, m, k, n, trans_a, trans_b, 0, Epilogue::NONE);
}

/// What a matrix product does to each element of `C` as it stores it:
/// `c[i][j] = max(c[i][j] + bias[j], 0)`, each part optional.
#[derive(Clone, Copy, Debug, Default)]
pub struct Epilogue<'a> {
    /// A row of `n` floats added to every row of `C`.
    pub bias: Option<&'a [f32]>,
    /// Clamp at 0 after the bias (NaN stays NaN, as PyTorch's relu).
    pub relu: bool,
}

impl Epilogue<'_> {
    /// Plain `C = op(A)·op(B)`.
    pub const NONE: Epilogue<'static> = Epilogue {
        bias: None,
        relu: false,
    };

    pub(crate) fn raw(self) -> simd::matmul::Epilogue {
        simd::matmul::Epilogue {
            bias: self.bias.map_or(core::ptr::null(), <[f32]>::as_ptr),
            relu: self.relu,
        }
    }
}

/// Rows `first_row..first_row + c_rows.len() / n` of `epilogue(op(a)·op(b))` (shapes as
/// in [`matmul`]) into `c_rows`, which holds just those rows. Disjoint row ranges are
/// independent, so a caller with threads hands each one a `chunks_mut` of `C`; each
/// range packs `B` for itself. Every element of `c_rows` is overwritten.
#[allow(clippy::too_many_arguments)]
pub fn matmul_rows(
    isa: Isa,
    a: &[f32],
    b: &[f32],
    c_rows: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
    trans_a: bool,
    trans_b: bool,
    first_row: usize,
    epilogue: Epilogue,
) {
    assert!(a.len() == m * k && b.len() == k * n);
    let rows = c_rows.len().checked_div(n).unwrap_or(0);
    assert!(c_rows.len() == rows * n && first_row + rows <= m);
    assert!(epilogue.bias.is_none_or(|bias| bias.len() == n));
    isa.dispatch_matmul(a, b, c_rows, m, k, n, trans_a, trans_b, first_row, epilogue);
}

/// `out[m×n] = x·wᵀ + bias`, then ReLU if `relu`: the forward of a Linear layer, with
/// `x` `m×k`, `w` `n×k` (read transposed in place) and `bias` `n` floats.
#[allow(clippy::too_many_arguments)]
pub fn linear(
    isa: Isa,
    x: &[f32],
    w: &[f32],
    bias: Option<&[f32]>,
    out: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
    relu: bool,
) {
    assert!(out.len() == m * n);
    matmul_rows(
        isa,
        x,
        w,
        out,
        m,
        k,
        n,
        false,
        true,
        0,
        Epilogue { bias, relu },
    );
}

/// `out[i] = a[i % a.len()] op b[i % b.len()]`: equal lengths, or one operand repeated
/// as a row (bias) or a scalar. The shorter length must divide `out.len()`.
pub fn binary(isa: Isa, op: BinaryOp, a: &[f32], b: &[f32], out: &mut [f32]) {
    let len = out.len();
    assert!(a.len() == len || b.len() == len);
    assert!(!a.is_empty() && !b.is_empty() || len == 0);
    assert!(len == 0 || (len % a.len() == 0 && len % b.len() == 0));
    isa.dispatch_binary(op, a, b, out);
}

/// `out[i] = a[i] * s`.
pub fn scale(isa: Isa, a: &[f32], s: f32, out: &mut [f32]) {
    assert!(a.len() == out.len());
    isa.dispatch_scale(a, s, out);
}

/// Sum of all elements (0 for an empty slice).
pub fn sum(isa: Isa, a: &[f32]) -> f32 {
    isa.dispatch_sum(a)
}

/// Mean of all elements (NaN for an empty slice, as PyTorch).
pub fn mean(isa: Isa, a: &[f32]) -> f32 {
    sum(isa, a) / a.len() as f32
}

/// Column sums of a `rows×cols` matrix into `out[cols]`: the gradient of a broadcast bias.
pub fn sum_rows(isa: Isa, a: &[f32], out: &mut [f32], rows: usize, cols: usize) {
    assert!(a.len() == rows * cols && out.len() == cols);
    isa.dispatch_sum_rows(a, out, rows, cols);
}

/// One SGD update of `param` in place, with `momentum_buf` the momentum buffer
/// (ignored, and may be empty, when `momentum == 0`).
pub fn sgd_step(
    isa: Isa,
    param: &mut [f32],
    grad: &[f32],
    momentum_buf: &mut [f32],
    o: &SgdOptions,
) {
    assert!(grad.len() == param.len());
    assert!(o.momentum == 0.0 || momentum_buf.len() == param.len());
    isa.dispatch_sgd_step(param, grad, momentum_buf, o);
}
