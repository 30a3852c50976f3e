//! descent's WebAssembly binding: plain `extern "C"` exports over the module's linear
//! memory, called by `ts/backends/wasm.ts`. It rebuilds slices from pointer and
//! length pairs and calls `descent-kernels`; no maths lives here.
//!
//! Contract with the caller (the TypeScript loader, the only one): every pointer comes
//! from `alloc_f32`, is not freed yet, and holds at least the length passed beside it.
//! The loader checks lengths and shapes first so users get clear errors; the kernels'
//! `assert!`s stay as the memory-safety guard, and in wasm a failed one is a trap
//! (a `WebAssembly.RuntimeError` in JavaScript), not a crash.
//!
//! Booleans cross as `u32` (non-zero is true): a wasm `i32` other than 0 or 1 read as
//! a Rust `bool` would be undefined behaviour.

// The contract above covers every export; repeating it on each one is noise.
#![allow(clippy::missing_safety_doc)]

use std::alloc::{alloc, alloc_zeroed, dealloc, Layout};
use std::borrow::Cow;
use std::ptr::{self, NonNull};
use std::slice;

use descent_kernels as kernels;
use descent_kernels::{BinaryOp, Isa, SgdOptions};

pub mod axis;
pub mod optim;
pub mod unary;

/// The instruction set every kernel runs on: simd128 when built with `+simd128`
/// (scripts/build-wasm does), which every engine that validates the module supports.
const ISA: Isa = Isa::best_static();

/// Storages start on 16-byte boundaries, so simd128 vectors from their start are aligned.
const ALIGN: usize = 16;

fn layout(len: usize) -> Option<Layout> {
    Layout::from_size_align(len.checked_mul(4)?, ALIGN).ok()
}

/// `len` floats, zeroed when `zeroed` is non-zero (else whatever a freed block held:
/// for outputs a kernel overwrites entirely), or null when memory cannot grow that far.
/// Length 0 gives a dangling pointer: std's allocator must never see a zero-sized layout.
#[no_mangle]
pub extern "C" fn alloc_f32(len: usize, zeroed: u32) -> *mut f32 {
    if len == 0 {
        return NonNull::dangling().as_ptr();
    }
    match layout(len) {
        // SAFETY: the layout has a non-zero size.
        Some(l) if zeroed != 0 => unsafe { alloc_zeroed(l) as *mut f32 },
        Some(l) => unsafe { alloc(l) as *mut f32 },
        None => ptr::null_mut(),
    }
}

/// Returns an `alloc_f32` block to the allocator, which reuses it for later
/// allocations, so memory stays flat over a training loop.
#[no_mangle]
pub unsafe extern "C" fn free_f32(ptr: *mut f32, len: usize) {
    if len == 0 {
        return;
    }
    if let Some(l) = layout(len) {
        dealloc(ptr as *mut u8, l);
    }
}

/// 0 when the kernels run scalar, 1 on simd128, 2 on simd128 with relaxed SIMD's fused
/// multiply-add (the build of `descent-relaxed.wasm`).
#[no_mangle]
pub extern "C" fn simd() -> u32 {
    let relaxed = cfg!(target_feature = "relaxed-simd") as u32;
    (ISA != Isa::SCALAR) as u32 * (1 + relaxed)
}

// Empty slices never touch their pointer, so any pointer is fine with length 0.
unsafe fn view<'a>(ptr: *const f32, len: usize) -> &'a [f32] {
    if len == 0 {
        &[]
    } else {
        slice::from_raw_parts(ptr, len)
    }
}

unsafe fn view_mut<'a>(ptr: *mut f32, len: usize) -> &'a mut [f32] {
    if len == 0 {
        &mut []
    } else {
        slice::from_raw_parts_mut(ptr, len)
    }
}

fn overlap(a: *const f32, a_len: usize, b: *const f32, b_len: usize) -> bool {
    // u64 because a block may end exactly at 4 GiB, which overflows a wasm32 usize.
    let end = |p: *const f32, len: usize| p as u64 + 4 * len as u64;
    a_len != 0 && b_len != 0 && (a as u64) < end(b, b_len) && (b as u64) < end(a, a_len)
}

/// An input slice, copied out first when it overlaps an output: in-place updates are
/// legitimate calls, but a `&[f32]` and a `&mut [f32]` over the same memory would be
/// undefined behaviour.
unsafe fn input<'a>(ptr: *const f32, len: usize, aliased: bool) -> Cow<'a, [f32]> {
    let v = view(ptr, len);
    if aliased {
        Cow::Owned(v.to_vec())
    } else {
        Cow::Borrowed(v)
    }
}

/// `c[m×n] = op(a)·op(b)`; see `descent_kernels::matmul`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn matmul(
    a: *const f32,
    a_len: usize,
    b: *const f32,
    b_len: usize,
    c: *mut f32,
    c_len: usize,
    m: usize,
    k: usize,
    n: usize,
    trans_a: u32,
    trans_b: u32,
) {
    let a = input(a, a_len, overlap(a, a_len, c, c_len));
    let b = input(b, b_len, overlap(b, b_len, c, c_len));
    let c = view_mut(c, c_len);
    kernels::matmul(ISA, &a, &b, c, m, k, n, trans_a != 0, trans_b != 0);
}

/// `out[m×n] = x·wᵀ + bias`, then ReLU when `relu`; see `descent_kernels::linear`.
/// Without `has_bias`, `bias` and `bias_len` are ignored.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn linear_forward(
    x: *const f32,
    x_len: usize,
    w: *const f32,
    w_len: usize,
    bias: *const f32,
    bias_len: usize,
    has_bias: u32,
    out: *mut f32,
    out_len: usize,
    m: usize,
    k: usize,
    n: usize,
    relu: u32,
) {
    let x = input(x, x_len, overlap(x, x_len, out, out_len));
    let w = input(w, w_len, overlap(w, w_len, out, out_len));
    let bias = if has_bias != 0 {
        Some(input(bias, bias_len, overlap(bias, bias_len, out, out_len)))
    } else {
        None
    };
    let out = view_mut(out, out_len);
    kernels::linear(ISA, &x, &w, bias.as_deref(), out, m, k, n, relu != 0);
}

/// `out = a op b` with broadcasting; `op` is 0 add, 1 sub, 2 mul, 3 div.
#[no_mangle]
pub unsafe extern "C" fn binary(
    op: u32,
    a: *const f32,
    a_len: usize,
    b: *const f32,
    b_len: usize,
    out: *mut f32,
    out_len: usize,
) {
    let op = match op {
        0 => BinaryOp::Add,
        1 => BinaryOp::Sub,
        2 => BinaryOp::Mul,
        3 => BinaryOp::Div,
        _ => panic!("unknown binary op"),
    };
    let a = input(a, a_len, overlap(a, a_len, out, out_len));
    let b = input(b, b_len, overlap(b, b_len, out, out_len));
    kernels::binary(ISA, op, &a, &b, view_mut(out, out_len));
}

#[no_mangle]
pub unsafe extern "C" fn scale(a: *const f32, a_len: usize, s: f32, out: *mut f32, out_len: usize) {
    let a = input(a, a_len, overlap(a, a_len, out, out_len));
    kernels::scale(ISA, &a, s, view_mut(out, out_len));
}

#[no_mangle]
pub unsafe extern "C" fn sum(a: *const f32, len: usize) -> f32 {
    kernels::sum(ISA, view(a, len))
}

#[no_mangle]
pub unsafe extern "C" fn mean(a: *const f32, len: usize) -> f32 {
    kernels::mean(ISA, view(a, len))
}

#[no_mangle]
pub unsafe extern "C" fn sum_rows(
    a: *const f32,
    a_len: usize,
    out: *mut f32,
    out_len: usize,
    rows: usize,
    cols: usize,
) {
    let a = input(a, a_len, overlap(a, a_len, out, out_len));
    kernels::sum_rows(ISA, &a, view_mut(out, out_len), rows, cols);
}

/// One SGD update of `param` in place; `buf` is the momentum buffer, unused (and
/// never touched) when `momentum` is 0.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn sgd_step(
    param: *mut f32,
    param_len: usize,
    grad: *const f32,
    grad_len: usize,
    buf: *mut f32,
    buf_len: usize,
    lr: f32,
    momentum: f32,
    dampening: f32,
    weight_decay: f32,
    nesterov: u32,
    maximize: u32,
    first_step: u32,
) {
    let buf_len = if momentum == 0.0 { 0 } else { buf_len };
    // Both are written: no copy can make sense of one overlapping the other.
    assert!(!overlap(param, param_len, buf, buf_len));
    let aliased =
        overlap(grad, grad_len, param, param_len) || overlap(grad, grad_len, buf, buf_len);
    let grad = input(grad, grad_len, aliased);
    let o = SgdOptions {
        lr,
        momentum,
        dampening,
        weight_decay,
        nesterov: nesterov != 0,
        maximize: maximize != 0,
        first_step: first_step != 0,
    };
    kernels::sgd_step(
        ISA,
        view_mut(param, param_len),
        &grad,
        view_mut(buf, buf_len),
        &o,
    );
}
