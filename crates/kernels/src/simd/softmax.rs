//! Softmax, log-softmax, their gradients and cross-entropy over the middle axis of
//! `[outer, len, inner]`, max-subtracted so no exp overflows.
//!
//! With `inner == 1` (the usual last axis) each slice is a contiguous row, vectorised
//! along it; its sums then add in another order than the scalar path (agreeing to
//! rounding). Otherwise the kernel works on blocks of up to `COLUMNS` neighbouring
//! slices, vectorised across them, streaming rows of the block in memory order with
//! the running maxima and sums on the stack; then every slice sees the scalar path's
//! operations in its order, and results are bitwise equal.
use super::lanes::{each, reduce_max, sum, Lanes, Term};
use super::nn::Dims;
use super::{math, Simd};
use crate::arch::scalar::Scalar;
use crate::axis::class_index;

/// Width of a block of slices when `inner > 1`: its running sums and maxima fill 2 KiB
/// of stack, and each row of it is 4 cache lines.
const COLUMNS: usize = 128;

/// Largest element, NaN if any is NaN (which then makes the whole slice NaN).
#[inline(always)]
unsafe fn row_max<S: Simd>(x: &[f32]) -> f32 {
    let (len, p) = (x.len(), x.as_ptr());
    let mut acc = S::splat(f32::NEG_INFINITY);
    let mut i = 0;
    while i + S::LANES <= len {
        acc = S::max(acc, S::load(p.add(i)));
        i += S::LANES;
    }
    let mut m = reduce_max::<S>(acc);
    for &v in &x[i..] {
        m = Scalar::max(m, v);
    }
    m
}

/// `exp(x[i] − max)`, also stored to `out[i]` unless `out` is null.
struct ShiftedExp {
    x: *const f32,
    max: f32,
    out: *mut f32,
}

impl Term for ShiftedExp {
    #[inline(always)]
    unsafe fn at<T: Simd>(&self, i: usize) -> T::V {
        shifted_exp::<T>(self.x.add(i), T::splat(self.max), self.out, i)
    }
}

/// `exp(*x − max)`, also stored at `out + i` unless `out` is null.
#[inline(always)]
unsafe fn shifted_exp<T: Simd>(x: *const f32, max: T::V, out: *mut f32, i: usize) -> T::V {
    let e = math::exp::<T>(T::sub(T::load(x), max));
    if !out.is_null() {
        T::store(out.add(i), e);
    }
    e
}

/// What the gradient of softmax sums over the axis: `g·y`, or `g` for log-softmax.
#[inline(always)]
unsafe fn dot_term<T: Simd>(g: T::V, y: T::V, log: bool) -> T::V {
    if log {
        g
    } else {
        T::mul(g, y)
    }
}

/// Maximum and `Σ exp(x − max)` of a contiguous slice, storing each exp to `out` if
/// it is given.
#[inline(always)]
unsafe fn max_and_sum<S: Simd>(x: &[f32], out: Option<&mut [f32]>) -> (f32, f32) {
    let max = row_max::<S>(x);
    let out = out.map_or(core::ptr::null_mut(), |o| o.as_mut_ptr());
    let sum = sum::<S, _>(
        x.len(),
        &ShiftedExp {
            x: x.as_ptr(),
            max,
            out,
        },
    );
    (max, sum)
}

/// The last step of softmax for `n` elements: `y = e / sum` where `y` holds the exps,
/// or `y = (x − max) − lse` for log-softmax; every pointer is offset by `i` per lane.
struct Finish {
    x: *const f32,
    y: *mut f32,
    max: *const f32,
    /// Σ exp for softmax, its log for log-softmax.
    total: *const f32,
    /// Whether `max` and `total` hold one value per element (column blocks) or one
    /// for all (a row).
    per_element: bool,
    log: bool,
}

impl Finish {
    #[inline(always)]
    unsafe fn get<T: Simd>(&self, p: *const f32, i: usize) -> T::V {
        if self.per_element {
            T::load(p.add(i))
        } else {
            T::splat(*p)
        }
    }
}

impl Lanes for Finish {
    #[inline(always)]
    unsafe fn at<T: Simd>(&self, i: usize) {
        let total = self.get::<T>(self.total, i);
        let y = if self.log {
            let shifted = T::sub(T::load(self.x.add(i)), self.get::<T>(self.max, i));
            T::sub(shifted, total)
        } else {
            T::div(T::load(self.y.add(i)), total)
        };
        T::store(self.y.add(i), y);
    }
}

#[inline(always)]
pub(crate) unsafe fn softmax<S: Simd>(a: &[f32], out: &mut [f32], d: Dims, log: bool) {
    let block = d.len * d.inner;
    if block == 0 {
        return;
    }
    for (x, y) in a.chunks_exact(block).zip(out.chunks_exact_mut(block)) {
        if d.inner == 1 {
            let (max, total) = max_and_sum::<S>(x, if log { None } else { Some(&mut *y) });
            let total = if log {
                math::log::<Scalar>(total)
            } else {
                total
            };
            let finish = Finish {
                x: x.as_ptr(),
                y: y.as_mut_ptr(),
                max: &max,
                total: &total,
                per_element: false,
                log,
            };
            each::<S, _>(x.len(), &finish);
        } else {
            softmax_columns::<S>(x, y, d.len, d.inner, log);
        }
    }
}

/// `acc[i] = op(acc[i], f(x[i]))` for the column-block passes.
struct Accumulate {
    x: *const f32,
    acc: *mut f32,
    kind: Pass,
}

#[derive(Clone, Copy)]
enum Pass {
    /// `acc = max(acc, x)`.
    Max,
    /// `acc += exp(x − max[i])`, also stored to `out` unless it is null.
    ExpSum { max: *const f32, out: *mut f32 },
    /// `acc += g` (log-softmax) or `acc += g·y` (softmax), with `g` at `x` and `y` here.
    Dot { y: *const f32, log: bool },
    /// `acc = ln(acc)`, with `x` unused.
    Log,
}

impl Lanes for Accumulate {
    #[inline(always)]
    unsafe fn at<T: Simd>(&self, i: usize) {
        let acc = T::load(self.acc.add(i));
        let next = match self.kind {
            Pass::Max => T::max(acc, T::load(self.x.add(i))),
            Pass::ExpSum { max, out } => {
                let max = T::load(max.add(i));
                T::add(acc, shifted_exp::<T>(self.x.add(i), max, out, i))
            }
            Pass::Dot { y, log } => {
                let g = T::load(self.x.add(i));
                T::add(acc, dot_term::<T>(g, T::load(y.add(i)), log))
            }
            Pass::Log => math::log::<T>(acc),
        };
        T::store(self.acc.add(i), next);
    }
}

#[inline(always)]
unsafe fn accumulate<S: Simd>(w: usize, x: *const f32, acc: *mut f32, kind: Pass) {
    each::<S, _>(w, &Accumulate { x, acc, kind })
}

/// Softmax of the `inner` slices interleaved in `x` (`rows × inner`), a block of
/// `COLUMNS` slices at a time.
#[inline(always)]
unsafe fn softmax_columns<S: Simd>(x: &[f32], y: &mut [f32], rows: usize, inner: usize, log: bool) {
    let (mut max, mut total) = ([0.0f32; COLUMNS], [0.0f32; COLUMNS]);
    for c in (0..inner).step_by(COLUMNS) {
        let w = COLUMNS.min(inner - c);
        let (xp, yp) = (x[c..].as_ptr(), y[c..].as_mut_ptr());
        max[..w].copy_from_slice(&x[c..c + w]);
        for k in 1..rows {
            accumulate::<S>(w, xp.add(k * inner), max.as_mut_ptr(), Pass::Max);
        }
        total[..w].fill(0.0);
        for k in 0..rows {
            let out = if log {
                core::ptr::null_mut()
            } else {
                yp.add(k * inner)
            };
            let pass = Pass::ExpSum {
                max: max.as_ptr(),
                out,
            };
            accumulate::<S>(w, xp.add(k * inner), total.as_mut_ptr(), pass);
        }
        if log {
            accumulate::<S>(w, xp, total.as_mut_ptr(), Pass::Log);
        }
        for k in 0..rows {
            let finish = Finish {
                x: xp.add(k * inner),
                y: yp.add(k * inner),
                max: max.as_ptr(),
                total: total.as_ptr(),
                per_element: true,
                log,
            };
            each::<S, _>(w, &finish);
        }
    }
}

/// `Σ g·y` (or `Σ g`) of a contiguous slice.
struct Dot {
    g: *const f32,
    y: *const f32,
    log: bool,
}

impl Term for Dot {
    #[inline(always)]
    unsafe fn at<T: Simd>(&self, i: usize) -> T::V {
        let (g, y) = (T::load(self.g.add(i)), T::load(self.y.add(i)));
        dot_term::<T>(g, y, self.log)
    }
}

/// `out = y·(g − dot)`, or `g − exp(y)·dot` for log-softmax, with `dot` per element
/// (column blocks) or one for all (a row).
struct Backward {
    g: *const f32,
    y: *const f32,
    out: *mut f32,
    dot: *const f32,
    per_element: bool,
    log: bool,
}

impl Lanes for Backward {
    #[inline(always)]
    unsafe fn at<T: Simd>(&self, i: usize) {
        let (g, y) = (T::load(self.g.add(i)), T::load(self.y.add(i)));
        let dot = if self.per_element {
            T::load(self.dot.add(i))
        } else {
            T::splat(*self.dot)
        };
        let out = if self.log {
            T::sub(g, T::mul(math::exp::<T>(y), dot))
        } else {
            T::mul(y, T::sub(g, dot))
        };
        T::store(self.out.add(i), out);
    }
}

#[inline(always)]
pub(crate) unsafe fn softmax_backward<S: Simd>(
    y: &[f32],
    g: &[f32],
    out: &mut [f32],
    d: Dims,
    log: bool,
) {
    let block = d.len * d.inner;
    if block == 0 {
        return;
    }
    let (yp, gp, op) = (y.as_ptr(), g.as_ptr(), out.as_mut_ptr());
    let mut dot = [0.0f32; COLUMNS];
    for o in 0..d.outer {
        let (y, g, out) = (yp.add(o * block), gp.add(o * block), op.add(o * block));
        if d.inner == 1 {
            let total = sum::<S, _>(d.len, &Dot { g, y, log });
            let backward = Backward {
                g,
                y,
                out,
                dot: &total,
                per_element: false,
                log,
            };
            each::<S, _>(d.len, &backward);
            continue;
        }
        for c in (0..d.inner).step_by(COLUMNS) {
            let w = COLUMNS.min(d.inner - c);
            dot[..w].fill(0.0);
            for k in 0..d.len {
                let at = c + k * d.inner;
                accumulate::<S>(
                    w,
                    g.add(at),
                    dot.as_mut_ptr(),
                    Pass::Dot { y: y.add(at), log },
                );
            }
            for k in 0..d.len {
                let at = c + k * d.inner;
                let backward = Backward {
                    g: g.add(at),
                    y: y.add(at),
                    out: out.add(at),
                    dot: dot.as_ptr(),
                    per_element: true,
                    log,
                };
                each::<S, _>(w, &backward);
            }
        }
    }
}

/// `losses[i] = logsumexp(x_i) − x_i[t_i]` for the rows of `logits` (`n × c`).
#[inline(always)]
pub(crate) unsafe fn cross_entropy<S: Simd>(
    logits: &[f32],
    targets: &[f32],
    losses: &mut [f32],
    c: usize,
) {
    for (i, loss) in losses.iter_mut().enumerate() {
        let x = &logits[i * c..][..c];
        let t = target(targets[i], c);
        let (max, total) = max_and_sum::<S>(x, None);
        *loss = math::log::<Scalar>(total) + (max - x[t]);
    }
}

/// `out[i, j] = (softmax(x_i)_j − [j = t_i])·grad[i]`.
#[inline(always)]
pub(crate) unsafe fn cross_entropy_backward<S: Simd>(
    logits: &[f32],
    targets: &[f32],
    grad: &[f32],
    out: &mut [f32],
    c: usize,
) {
    for (i, &g) in grad.iter().enumerate() {
        let (x, y) = (&logits[i * c..][..c], &mut out[i * c..][..c]);
        let t = target(targets[i], c);
        let (_, total) = max_and_sum::<S>(x, Some(&mut *y));
        let e_t = y[t];
        each::<S, _>(
            c,
            &ScaleProbabilities {
                y: y.as_mut_ptr(),
                total,
                g,
            },
        );
        y[t] = (e_t / total - 1.0) * g;
    }
}

/// `y = (y / total)·g` where `y` holds the exps of a row.
struct ScaleProbabilities {
    y: *mut f32,
    total: f32,
    g: f32,
}

impl Lanes for ScaleProbabilities {
    #[inline(always)]
    unsafe fn at<T: Simd>(&self, i: usize) {
        let p = T::div(T::load(self.y.add(i)), T::splat(self.total));
        T::store(self.y.add(i), T::mul(p, T::splat(self.g)));
    }
}

/// The class index in `t`, which the bindings have checked; a bad one here is a bug
/// that must not index outside the row. (The message names no value: formatting a
/// float would pull ~30 KB of code into the wasm module.)
fn target(t: f32, c: usize) -> usize {
    class_index(t, c).expect("cross-entropy target is not a class index")
}
