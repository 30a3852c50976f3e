//! Lane-wise exports, under the contract of `lib.rs`: unary functions, `pow` by a
//! scalar and activation gradients. An op crosses as its index in `UnaryOp::ALL` /
//! `Activation::ALL`; an unknown one traps (the loader never sends one).

use descent_kernels as kernels;
use descent_kernels::{Activation, UnaryOp};

use crate::{input, overlap, view_mut, ISA};

/// Runs `in_place` when `a` is exactly `out` (the kernels allow it), else `apart` on
/// `a`, copied first when it overlaps `out`.
unsafe fn map(
    a: *const f32,
    a_len: usize,
    out: *mut f32,
    out_len: usize,
    in_place: impl FnOnce(&mut [f32]),
    apart: impl FnOnce(&[f32], &mut [f32]),
) {
    if std::ptr::eq(a, out) && a_len == out_len {
        in_place(view_mut(out, out_len));
    } else {
        let a = input(a, a_len, overlap(a, a_len, out, out_len));
        apart(&a, view_mut(out, out_len));
    }
}

/// `out[i] = op(a[i])`; `out` may be `a`.
#[no_mangle]
pub unsafe extern "C" fn unary(
    op: u32,
    a: *const f32,
    a_len: usize,
    out: *mut f32,
    out_len: usize,
) {
    let op = UnaryOp::ALL[op as usize];
    map(
        a,
        a_len,
        out,
        out_len,
        |x| kernels::unary_in_place(ISA, op, x),
        |a, out| kernels::unary(ISA, op, a, out),
    );
}

/// `out[i] = a[i]^p` with Math.pow's edge cases; `out` may be `a`.
#[no_mangle]
pub unsafe extern "C" fn pow_scalar(
    a: *const f32,
    a_len: usize,
    p: f32,
    out: *mut f32,
    out_len: usize,
) {
    map(
        a,
        a_len,
        out,
        out_len,
        |x| kernels::pow_scalar_in_place(ISA, x, p),
        |a, out| kernels::pow_scalar(ISA, a, p, out),
    );
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn activation_backward(
    op: u32,
    saved: *const f32,
    saved_len: usize,
    grad: *const f32,
    grad_len: usize,
    out: *mut f32,
    out_len: usize,
) {
    let op = Activation::ALL[op as usize];
    let saved = input(saved, saved_len, overlap(saved, saved_len, out, out_len));
    let grad = input(grad, grad_len, overlap(grad, grad_len, out, out_len));
    kernels::activation_backward(ISA, op, &saved, &grad, view_mut(out, out_len));
}

/// `out = a[view]` for the view whose `rank` sizes and then `rank` strides are the
/// `2·rank` words at `dims` (a block the loader allocates with `alloc_f32`). The
/// kernel checks that the view stays inside `a`; a view that does not traps.
#[no_mangle]
pub unsafe extern "C" fn strided_copy(
    a: *const f32,
    a_len: usize,
    out: *mut f32,
    out_len: usize,
    dims: *const usize,
    rank: usize,
) {
    let dims: &[usize] = if rank == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(dims, 2 * rank)
    };
    let a = input(a, a_len, overlap(a, a_len, out, out_len));
    kernels::strided_copy(&a, view_mut(out, out_len), &dims[..rank], &dims[rank..]);
}
