//! Reference versions of every kernel: the simplest correct loops, which the SIMD
//! paths in `arch/` are tested against.
use crate::{BinaryOp, Epilogue, SgdOptions};

#[allow(clippy::too_many_arguments)]
pub fn matmul(
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
    trans_a: bool,
    trans_b: bool,
) {
    matmul_rows(a, b, c, m, k, n, trans_a, trans_b, 0, Epilogue::NONE);
}

/// Rows `first_row..` of `epilogue(op(a)·op(b))` into `c` (see `crate::matmul_rows`).
#[allow(clippy::too_many_arguments)]
pub fn matmul_rows(
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
    trans_a: bool,
    trans_b: bool,
    first_row: usize,
    epilogue: Epilogue,
) {
    for v in c.iter_mut() {
        *v = 0.0;
    }
    for (r, row) in c.chunks_exact_mut(n.max(1)).enumerate() {
        let i = first_row + r;
        for p in 0..k {
            let aip = if trans_a { a[p * m + i] } else { a[i * k + p] };
            for (j, cij) in row.iter_mut().enumerate() {
                let bpj = if trans_b { b[j * k + p] } else { b[p * n + j] };
                *cij += aip * bpj;
            }
        }
        for (j, cij) in row.iter_mut().enumerate() {
            if let Some(bias) = epilogue.bias {
                *cij += bias[j];
            }
            if epilogue.relu && *cij < 0.0 {
                *cij = 0.0;
            }
        }
    }
}

pub fn apply(op: BinaryOp, x: f32, y: f32) -> f32 {
    match op {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x * y,
        BinaryOp::Div => x / y,
    }
}

pub fn binary(op: BinaryOp, a: &[f32], b: &[f32], out: &mut [f32]) {
    for (i, o) in out.iter_mut().enumerate() {
        *o = apply(op, a[i % a.len()], b[i % b.len()]);
    }
}

pub fn scale(a: &[f32], s: f32, out: &mut [f32]) {
    for (o, x) in out.iter_mut().zip(a) {
        *o = x * s;
    }
}

pub fn sum(a: &[f32]) -> f32 {
    a.iter().sum()
}

pub fn sum_rows(a: &[f32], out: &mut [f32], rows: usize, cols: usize) {
    for v in out.iter_mut() {
        *v = 0.0;
    }
    for r in 0..rows {
        for (o, x) in out.iter_mut().zip(&a[r * cols..(r + 1) * cols]) {
            *o += x;
        }
    }
}

/// The update of `torch.optim.SGD` (`_single_tensor_sgd`) for one element.
pub fn sgd_element(p: f32, g: f32, buf: &mut f32, o: &SgdOptions) -> f32 {
    let mut d = if o.maximize { -g } else { g };
    if o.weight_decay != 0.0 {
        d += o.weight_decay * p;
    }
    if o.momentum != 0.0 {
        *buf = if o.first_step {
            d
        } else {
            o.momentum * *buf + (1.0 - o.dampening) * d
        };
        d = if o.nesterov {
            d + o.momentum * *buf
        } else {
            *buf
        };
    }
    p - o.lr * d
}

pub fn sgd_step(param: &mut [f32], grad: &[f32], momentum_buf: &mut [f32], o: &SgdOptions) {
    let mut unused = 0.0;
    for i in 0..param.len() {
        let buf = if o.momentum != 0.0 {
            &mut momentum_buf[i]
        } else {
            &mut unused
        };
        param[i] = sgd_element(param[i], grad[i], buf, o);
    }
}
