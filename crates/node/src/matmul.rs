//! Matrix products: `matmul` in every transpose variant, `linearForward` with its fused
//! bias and ReLU, `linearBackward`'s three gradients in one call, and the threads they
//! share (see `lib.rs` for the argument conventions).
//!
//! Large products are split by rows of `C` into one contiguous block per thread: each
//! block is a disjoint `&mut` slice, and `descent_kernels::matmul_rows` computes it
//! (packing `B` for itself, a small cost next to the product). The threads are the
//! calling one plus persistent workers (`pool`), parked between products, so a split
//! costs a wake-up (~5 µs), not a spawn (tens of µs); the threshold keeps that under
//! the time saved.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use descent_kernels::Epilogue;
use napi::{Error, Result, Status};

use crate::js::Args;
use crate::pool::Pool;
use crate::{apart_from, check_apart, check_product, input, invalid, isa};

/// Products of fewer multiply-adds (`m·k·n`) run on one thread. Handing a part to a
/// pool worker and waiting for it costs about 5 µs here (2 vCPUs, KVM); 2^20 take about
/// 13 µs on one core. Measured on 2 threads (2t/1t time, best of 10 alternations):
/// 64³ (2^18) 0.89x, 96³ (2^19.8) 0.95x, 128×64×128 and 128×128×64 (2^20) 1.21x and
/// 1.09x, 128³ 1.25x, the MLP's 128×256×128 layers (2^22) 1.3-1.45x; its 128×128×10
/// layers (2^17.3) lose (0.7x) and stay on one thread.
const PARALLEL_MIN: usize = 1 << 20;
/// Row blocks start at multiples of this, the tile height (`MR`) of the AVX2 kernel
/// (the scalar one has no tiles), so no thread computes a padded tile that another also
/// computes; smaller than a multiple of several heights so that the parts stay even
/// (128 rows split 66 + 62, not 72 + 56).
const ROW_ALIGN: usize = 6;

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

/// `getNumThreads()`: the threads the matrix products may use (the number of CPUs
/// available until set).
pub fn get_num_threads(_: &mut Args) -> Result<f64> {
    Ok(threads() as f64)
}

/// `setNumThreads(n)`: sets the threads the matrix products may use, a positive integer
/// (at most 1024).
pub fn set_num_threads(args: &mut Args) -> Result<()> {
    match args.size(0, "n") {
        Ok(x) if (1..=1024).contains(&x) => {
            THREADS.store(x, Ordering::Relaxed);
            // Workers are spawned when a product first needs them; extra ones end here.
            pool().shrink(x - 1);
            Ok(())
        }
        _ => Err(invalid(format!(
            "setNumThreads: n must be an integer in 1..1024, not {}",
            args.shown(0)
        ))),
    }
}

/// `c = epilogue(op(a)·op(b))`, split by rows over the threads when it is large enough.
#[allow(clippy::too_many_arguments)]
fn run(
    op: &str,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
    trans_a: bool,
    trans_b: bool,
    epi: Epilogue,
) -> Result<()> {
    let isa = isa();
    let work = m.saturating_mul(k).saturating_mul(n);
    let parts = threads().min(m / ROW_ALIGN).max(1);
    if parts == 1 || work < PARALLEL_MIN {
        descent_kernels::matmul_rows(isa, a, b, c, m, k, n, trans_a, trans_b, 0, epi);
        return Ok(());
    }
    // Part `i` computes rows `start(i)..start(i + 1)`: as even as whole tiles allow.
    let tiles = m.div_ceil(ROW_ALIGN);
    let start = move |i: usize| (tiles * i / parts * ROW_ALIGN).min(m);
    let out = RowsPtr(c.as_mut_ptr());
    let part = move |i: usize| {
        let (first, end) = (start(i), start(i + 1));
        // SAFETY: `out` points to `c`, `m·n` floats, borrowed mutably for the whole of
        // this function; `pool().run` calls this for distinct `i` in `0..parts` and
        // returns only after every call has returned (see `pool::Pool::run`). The ranges
        // `first..end` for distinct `i` are disjoint (`start` is non-decreasing) and
        // within `0..m`, so each call makes the only reference to its rows of `c`, and
        // none outlives the borrow of `c`.
        let block =
            unsafe { std::slice::from_raw_parts_mut(out.get().add(first * n), (end - first) * n) };
        descent_kernels::matmul_rows(isa, a, b, block, m, k, n, trans_a, trans_b, first, epi);
    };
    pool().run(parts, &part).map_err(|msg| {
        Error::new(
            Status::GenericFailure,
            format!("{op}: a thread panicked: {msg}"),
        )
    })
}

/// `C`'s base pointer, to hand each thread its own rows (see `run`).
#[derive(Clone, Copy)]
struct RowsPtr(*mut f32);

// SAFETY: the pointer is only dereferenced in `run`'s parts, each on disjoint rows, while
// `run` holds the `&mut` borrow it came from (see there).
unsafe impl Send for RowsPtr {}
unsafe impl Sync for RowsPtr {}

impl RowsPtr {
    /// A method, so closures capture the whole `RowsPtr` (which is `Sync`), not its field.
    fn get(self) -> *mut f32 {
        self.0
    }
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(Pool::new)
}

/// `matmul(a, b, out, m, k, n, transA, transB)`: `out[m×n] = op(a)·op(b)`; with `transA`
/// `a` is stored `k×m`, with `transB` `b` is `n×k`.
pub fn matmul(args: &mut Args) -> Result<()> {
    let op = args.op();
    let (trans_a, trans_b) = (args.flag(6, "transA")?, args.flag(7, "transB")?);
    let (a, b, mut out) = (
        args.array(0, "a")?,
        args.array(1, "b")?,
        args.array(2, "out")?,
    );
    let (m, k, n) = (args.size(3, "m")?, args.size(4, "k")?, args.size(5, "n")?);
    check_product(op, "a", a.len(), "m*k", m, k)?;
    check_product(op, "b", b.len(), "k*n", k, n)?;
    check_product(op, "out", out.len(), "m*n", m, n)?;
    let (a, b) = (input(&a, &out), input(&b, &out));
    // SAFETY: no JavaScript runs during this call and every input overlapping `out` was copied.
    let out = unsafe { out.as_mut() };
    run(op, &a, &b, out, m, k, n, trans_a, trans_b, Epilogue::NONE)
}

/// `linearForward(x, w, bias, out, m, k, n, relu)`: `out[m×n] = x·wᵀ + bias`, then ReLU
/// if `relu`: `x` is `m×k`, `w` `n×k`, `bias` `n` floats or null.
pub fn linear_forward(args: &mut Args) -> Result<()> {
    let op = args.op();
    let relu = args.flag(7, "relu")?;
    let (x, w, mut out) = (
        args.array(0, "x")?,
        args.array(1, "w")?,
        args.array(3, "out")?,
    );
    let bias = args.optional_array(2, "bias")?;
    let (m, k, n) = (args.size(4, "m")?, args.size(5, "k")?, args.size(6, "n")?);
    check_product(op, "x", x.len(), "m*k", m, k)?;
    check_product(op, "w", w.len(), "n*k", n, k)?;
    check_product(op, "out", out.len(), "m*n", m, n)?;
    if let Some(bias) = &bias {
        check_n(op, "bias", bias.len(), n)?;
    }
    let (x, w) = (input(&x, &out), input(&w, &out));
    let bias = bias.as_ref().map(|b| input(b, &out));
    // SAFETY: no JavaScript runs during this call and every input overlapping `out` was copied.
    let out = unsafe { out.as_mut() };
    let epi = Epilogue {
        bias: bias.as_deref(),
        relu,
    };
    run(op, &x, &w, out, m, k, n, false, true, epi)
}

/// `linearBackward(gradOut, x, w, gradX, gradW, gradBias, m, k, n)`: the gradients of
/// `out = x·wᵀ + bias` (`x` `m×k`, `w` `n×k`) from `gradOut` (`m×n`): `gradX = gradOut·w`,
/// `gradW = gradOutᵀ·x` and `gradBias` the column sums of `gradOut`. An output that is
/// null is not computed, and `w` (`x`) may be null when `gradX` (`gradW`) is: each array
/// read costs ~40 ns. One call where three would each pay a call's fixed cost.
pub fn linear_backward(args: &mut Args) -> Result<()> {
    let op = args.op();
    let g = args.array(0, "gradOut")?;
    let x = args.optional_array(1, "x")?;
    let w = args.optional_array(2, "w")?;
    let mut grad_x = args.optional_array(3, "gradX")?;
    let mut grad_w = args.optional_array(4, "gradW")?;
    let mut grad_bias = args.optional_array(5, "gradBias")?;
    let (m, k, n) = (args.size(6, "m")?, args.size(7, "k")?, args.size(8, "n")?);
    check_product(op, "gradOut", g.len(), "m*n", m, n)?;
    // Each gradient with the input it multiplies.
    let (x, w) = match (x, w) {
        (None, _) if grad_w.is_some() => return Err(invalid(format!("{op}: gradW needs x"))),
        (_, None) if grad_x.is_some() => return Err(invalid(format!("{op}: gradX needs w"))),
        (x, w) => (x, w),
    };
    if let Some(x) = &x {
        check_product(op, "x", x.len(), "m*k", m, k)?;
    }
    if let Some(w) = &w {
        check_product(op, "w", w.len(), "n*k", n, k)?;
    }
    if let Some(gx) = &grad_x {
        check_product(op, "gradX", gx.len(), "m*k", m, k)?;
    }
    if let Some(gw) = &grad_w {
        check_product(op, "gradW", gw.len(), "n*k", n, k)?;
    }
    if let Some(gb) = &grad_bias {
        check_n(op, "gradBias", gb.len(), n)?;
    }
    // An output not asked for stands as an empty slice, which overlaps nothing.
    let outputs = [
        ("gradX", grad_x.as_deref().unwrap_or_default()),
        ("gradW", grad_w.as_deref().unwrap_or_default()),
        ("gradBias", grad_bias.as_deref().unwrap_or_default()),
    ];
    check_apart(op, &outputs)?;
    let outs = || outputs.iter().map(|&(_, out)| out);
    let g = apart_from(&g, outs());
    let [x, w] = [&x, &w].map(|input| input.as_ref().map(|input| apart_from(input, outs())));
    // gradX = gradOut·w is m×n·n×k; gradW = gradOutᵀ·x is (m×n)ᵀ·m×k.
    let products = [
        (&mut grad_x, &w, m, n, false),
        (&mut grad_w, &x, n, m, true),
    ];
    for (grad, b, rows, depth, trans_a) in products {
        if let (Some(grad), Some(b)) = (grad, b) {
            // SAFETY: no JavaScript runs during this call, the outputs are disjoint
            // (checked above) and every input overlapping one was copied.
            let grad = unsafe { grad.as_mut() };
            run(
                op,
                &g,
                b,
                grad,
                rows,
                depth,
                k,
                trans_a,
                false,
                Epilogue::NONE,
            )?;
        }
    }
    if let Some(gb) = &mut grad_bias {
        // SAFETY: as for the products.
        descent_kernels::sum_rows(isa(), &g, unsafe { gb.as_mut() }, m, n);
    }
    Ok(())
}

/// Checks that a bias or its gradient, named `array`, has `n` elements.
fn check_n(op: &str, array: &str, len: usize, n: usize) -> Result<()> {
    if len == n {
        return Ok(());
    }
    Err(invalid(format!(
        "{op}: {array} has {len} elements but n = {n}"
    )))
}
