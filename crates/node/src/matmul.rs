//! Matrix products: `matmul` in every transpose variant, `linearForward` with its fused
//! bias and ReLU, and the threads they share (see `lib.rs` for the argument conventions).
//!
//! Large products are split by rows of `C` into one contiguous block per thread: each
//! block is a disjoint `&mut` slice, and `descent_kernels::matmul_rows` computes it
//! (packing `B` for itself, a small cost next to the product). Threads come from
//! `std::thread::scope` per call; the threshold keeps the spawn cost (tens of
//! microseconds) well under the time saved.

use std::sync::atomic::{AtomicUsize, Ordering};

use descent_kernels::Epilogue;
use napi::bindgen_prelude::{Float32ArraySlice, Unknown};
use napi::{Result, ValueType};
use napi_derive::napi;

use crate::{array, check_product, input, invalid, isa, shown, size};

/// Products of fewer multiply-adds (`m·k·n`) run on one thread: 2^22 take about
/// 100 µs on one core, several times what spawning and joining a thread costs
/// (at 2^21, 128³, two threads measured slower than one).
const PARALLEL_MIN: usize = 1 << 22;
/// Row blocks are multiples of this (a multiple of every instruction set's tile height),
/// so no thread computes a partial tile that another also computes.
const ROW_ALIGN: usize = 24;

/// 0 until set: then `available_parallelism` is asked on first use.
static THREADS: AtomicUsize = AtomicUsize::new(0);

fn threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => {
            let n = std::thread::available_parallelism().map_or(1, |n| n.get());
            THREADS.store(n, Ordering::Relaxed);
            n
        }
        n => n,
    }
}

/// Threads the matrix products may use (the number of CPUs available until set).
#[napi(catch_unwind)]
pub fn get_num_threads() -> u32 {
    threads() as u32
}

/// Sets the threads the matrix products may use: a positive integer (at most 1024).
#[napi(catch_unwind)]
pub fn set_num_threads(n: Unknown) -> Result<()> {
    match size("setNumThreads", "n", n) {
        Ok(x) if (1..=1024).contains(&x) => {
            THREADS.store(x, Ordering::Relaxed);
            Ok(())
        }
        _ => Err(invalid(format!(
            "setNumThreads: n must be an integer in 1..1024, not {}",
            shown(n)
        ))),
    }
}

/// `c = epilogue(op(a)·op(b))`, split by rows over the threads when it is large enough.
#[allow(clippy::too_many_arguments)]
fn run(
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
    trans_a: bool,
    trans_b: bool,
    epi: Epilogue,
) {
    let isa = isa();
    let work = m.saturating_mul(k).saturating_mul(n);
    let parts = threads().min(m / ROW_ALIGN).max(1);
    if parts == 1 || work < PARALLEL_MIN {
        descent_kernels::matmul_rows(isa, a, b, c, m, k, n, trans_a, trans_b, 0, epi);
        return;
    }
    let rows = m.div_ceil(parts).div_ceil(ROW_ALIGN) * ROW_ALIGN;
    std::thread::scope(|s| {
        let mut blocks = c.chunks_mut(rows * n).enumerate();
        let first = blocks.next();
        for (i, block) in blocks {
            s.spawn(move || {
                descent_kernels::matmul_rows(
                    isa,
                    a,
                    b,
                    block,
                    m,
                    k,
                    n,
                    trans_a,
                    trans_b,
                    i * rows,
                    epi,
                )
            });
        }
        // This thread computes the first block instead of waiting idle.
        if let Some((_, block)) = first {
            descent_kernels::matmul_rows(isa, a, b, block, m, k, n, trans_a, trans_b, 0, epi);
        }
    });
}

/// `out[m×n] = op(a)·op(b)`; with `transA` `a` is stored `k×m`, with `transB` `b` is `n×k`.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // flat arguments: an options object costs a property lookup each
pub fn matmul(
    a: Unknown,
    b: Unknown,
    out: Unknown,
    m: Unknown,
    k: Unknown,
    n: Unknown,
    trans_a: bool,
    trans_b: bool,
) -> Result<()> {
    const OP: &str = "matmul";
    let (a, b, mut out) = (
        array(OP, "a", a)?,
        array(OP, "b", b)?,
        array(OP, "out", out)?,
    );
    let (m, k, n) = (size(OP, "m", m)?, size(OP, "k", k)?, size(OP, "n", n)?);
    check_product(OP, "a", a.len(), "m*k", m, k)?;
    check_product(OP, "b", b.len(), "k*n", k, n)?;
    check_product(OP, "out", out.len(), "m*n", m, n)?;
    let (a, b) = (input(&a, &out), input(&b, &out));
    // SAFETY: no JavaScript runs during this call and every input overlapping `out` was copied.
    let out = unsafe { out.as_mut() };
    run(&a, &b, out, m, k, n, trans_a, trans_b, Epilogue::NONE);
    Ok(())
}

/// `out[m×n] = x·wᵀ + bias`, then ReLU if `relu`: `x` is `m×k`, `w` `n×k`, `bias` `n`
/// floats or null.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // flat arguments: an options object costs a property lookup each
pub fn linear_forward(
    x: Unknown,
    w: Unknown,
    bias: Unknown,
    out: Unknown,
    m: Unknown,
    k: Unknown,
    n: Unknown,
    relu: bool,
) -> Result<()> {
    const OP: &str = "linearForward";
    let (x, w, mut out) = (
        array(OP, "x", x)?,
        array(OP, "w", w)?,
        array(OP, "out", out)?,
    );
    let bias: Option<Float32ArraySlice> = match bias.get_type()? {
        ValueType::Null | ValueType::Undefined => None,
        _ => Some(array(OP, "bias", bias)?),
    };
    let (m, k, n) = (size(OP, "m", m)?, size(OP, "k", k)?, size(OP, "n", n)?);
    check_product(OP, "x", x.len(), "m*k", m, k)?;
    check_product(OP, "w", w.len(), "n*k", n, k)?;
    check_product(OP, "out", out.len(), "m*n", m, n)?;
    if let Some(bias) = &bias {
        if bias.len() != n {
            return Err(invalid(format!(
                "{OP}: bias has {} elements but n = {n}",
                bias.len()
            )));
        }
    }
    let (x, w) = (input(&x, &out), input(&w, &out));
    let bias = bias.as_ref().map(|b| input(b, &out));
    // SAFETY: no JavaScript runs during this call and every input overlapping `out` was copied.
    let out = unsafe { out.as_mut() };
    let epi = Epilogue {
        bias: bias.as_deref(),
        relu,
    };
    run(&x, &w, out, m, k, n, false, true, epi);
    Ok(())
}
