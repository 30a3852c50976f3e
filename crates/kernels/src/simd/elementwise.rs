//! Elementwise kernels and reductions. Apart from `sum`, each computes the same IEEE
//! operations in the same order as `scalar`, so results are bitwise equal to it.
use super::Simd;
use crate::{scalar, BinaryOp, SgdOptions};
use core::mem::MaybeUninit;

/// A binary operation in both forms, so the lane loop is monomorphised per operation
/// instead of matching on `BinaryOp` per vector.
trait Op {
    fn scalar(x: f32, y: f32) -> f32;
    unsafe fn vector<S: Simd>(x: S::V, y: S::V) -> S::V;
}

struct Add;
struct Sub;
struct Mul;
struct Div;

impl Op for Add {
    #[inline(always)]
    fn scalar(x: f32, y: f32) -> f32 {
        x + y
    }
    #[inline(always)]
    unsafe fn vector<S: Simd>(x: S::V, y: S::V) -> S::V {
        S::add(x, y)
    }
}

impl Op for Sub {
    #[inline(always)]
    fn scalar(x: f32, y: f32) -> f32 {
        x - y
    }
    #[inline(always)]
    unsafe fn vector<S: Simd>(x: S::V, y: S::V) -> S::V {
        S::sub(x, y)
    }
}

impl Op for Mul {
    #[inline(always)]
    fn scalar(x: f32, y: f32) -> f32 {
        x * y
    }
    #[inline(always)]
    unsafe fn vector<S: Simd>(x: S::V, y: S::V) -> S::V {
        S::mul(x, y)
    }
}

impl Op for Div {
    #[inline(always)]
    fn scalar(x: f32, y: f32) -> f32 {
        x / y
    }
    #[inline(always)]
    unsafe fn vector<S: Simd>(x: S::V, y: S::V) -> S::V {
        S::div(x, y)
    }
}

/// Where `zip` reads an operand: lane by lane from memory, or one value in every lane.
trait Operand<S: Simd> {
    unsafe fn vector(&self, i: usize) -> S::V;
    unsafe fn scalar(&self, i: usize) -> f32;
}

struct Slice(*const f32);
struct Splat<S: Simd>(S::V, f32);

impl<S: Simd> Operand<S> for Slice {
    #[inline(always)]
    unsafe fn vector(&self, i: usize) -> S::V {
        S::load(self.0.add(i))
    }
    #[inline(always)]
    unsafe fn scalar(&self, i: usize) -> f32 {
        *self.0.add(i)
    }
}

impl<S: Simd> Operand<S> for Splat<S> {
    #[inline(always)]
    unsafe fn vector(&self, _: usize) -> S::V {
        self.0
    }
    #[inline(always)]
    unsafe fn scalar(&self, _: usize) -> f32 {
        self.1
    }
}

/// `out[i] = x[i] op y[i]` for `i < len`. Raw pointers because `out` may be an input
/// (in-place accumulation in `sum_rows`).
#[inline(always)]
unsafe fn zip<S: Simd, O: Op>(x: impl Operand<S>, y: impl Operand<S>, out: *mut f32, len: usize) {
    let mut i = 0;
    while i + S::LANES <= len {
        S::store(out.add(i), O::vector::<S>(x.vector(i), y.vector(i)));
        i += S::LANES;
    }
    while i < len {
        *out.add(i) = O::scalar(x.scalar(i), y.scalar(i));
        i += 1;
    }
}

/// A short repeated row (a small bias) is first tiled into a buffer of about this many
/// elements, so the lane loop runs over long chunks rather than a few lanes per row.
const TILED: usize = 256;

#[inline(always)]
pub(crate) unsafe fn binary<S: Simd>(op: BinaryOp, a: &[f32], b: &[f32], out: &mut [f32]) {
    match op {
        BinaryOp::Add => broadcast::<S, Add>(a, b, out),
        BinaryOp::Sub => broadcast::<S, Sub>(a, b, out),
        BinaryOp::Mul => broadcast::<S, Mul>(a, b, out),
        BinaryOp::Div => broadcast::<S, Div>(a, b, out),
    }
}

/// `scalar::binary` semantics: one operand has `out.len()` elements, the other's
/// length divides it and it repeats, row after row.
#[inline(always)]
unsafe fn broadcast<S: Simd, O: Op>(a: &[f32], b: &[f32], out: &mut [f32]) {
    let len = out.len();
    if len == 0 {
        return;
    }
    let o = out.as_mut_ptr();
    if a.len() == len && b.len() == len {
        return zip::<S, O>(Slice(a.as_ptr()), Slice(b.as_ptr()), o, len);
    }
    if a.len() == 1 {
        return zip::<S, O>(Splat::<S>(S::splat(a[0]), a[0]), Slice(b.as_ptr()), o, len);
    }
    if b.len() == 1 {
        return zip::<S, O>(Slice(a.as_ptr()), Splat::<S>(S::splat(b[0]), b[0]), o, len);
    }
    let a_repeats = a.len() != len;
    let (long, short) = if a_repeats { (b, a) } else { (a, b) };
    // Whole copies of `short` keep every chunk below starting at a row boundary.
    let mut tiled = MaybeUninit::<[f32; TILED]>::uninit();
    let row: &[f32] = if short.len() * 2 <= TILED {
        let copies = (TILED / short.len()).min(len / short.len());
        let dst = tiled.as_mut_ptr() as *mut f32;
        for c in 0..copies {
            core::ptr::copy_nonoverlapping(short.as_ptr(), dst.add(c * short.len()), short.len());
        }
        core::slice::from_raw_parts(dst, copies * short.len())
    } else {
        short
    };
    // `len` is a multiple of `short.len()`, so the last chunk is a prefix of `row`
    // that still ends on a row boundary.
    for (i, chunk) in out.chunks_mut(row.len()).enumerate() {
        let (w, long) = (chunk.len(), Slice(long[i * row.len()..].as_ptr()));
        if a_repeats {
            zip::<S, O>(Slice(row.as_ptr()), long, chunk.as_mut_ptr(), w);
        } else {
            zip::<S, O>(long, Slice(row.as_ptr()), chunk.as_mut_ptr(), w);
        }
    }
}

#[inline(always)]
pub(crate) unsafe fn scale<S: Simd>(a: &[f32], s: f32, out: &mut [f32]) {
    broadcast::<S, Mul>(a, &[s], out)
}

/// Four independent accumulators hide the latency of the vector add; the order of
/// additions differs from `scalar::sum`, so results agree to rounding only.
#[inline(always)]
pub(crate) unsafe fn sum<S: Simd>(a: &[f32]) -> f32 {
    const ACC: usize = 4;
    let (len, p) = (a.len(), a.as_ptr());
    let mut acc = [S::zero(); ACC];
    let mut i = 0;
    while i + ACC * S::LANES <= len {
        for (j, v) in acc.iter_mut().enumerate() {
            *v = S::add(*v, S::load(p.add(i + j * S::LANES)));
        }
        i += ACC * S::LANES;
    }
    while i + S::LANES <= len {
        acc[0] = S::add(acc[0], S::load(p.add(i)));
        i += S::LANES;
    }
    let mut total = S::reduce_sum(S::add(S::add(acc[0], acc[1]), S::add(acc[2], acc[3])));
    for x in &a[i..] {
        total += x;
    }
    total
}

/// Adds row after row into `out`, the same order of additions as `scalar::sum_rows`,
/// except for one column: that is `sum`, whose vectors of partial sums take a tenth of
/// the time of one chain of dependent additions (the bias gradient of a layer with one
/// output, as the tutorial's), agreeing to rounding.
#[inline(always)]
pub(crate) unsafe fn sum_rows<S: Simd>(a: &[f32], out: &mut [f32], rows: usize, cols: usize) {
    if cols == 1 {
        out[0] = sum::<S>(&a[..rows]);
        return;
    }
    if cols < S::LANES {
        // Narrower than one vector (a bias of one or a few outputs): one column at a
        // time, rows in order, so the additions are those of `scalar::sum_rows`. Adding
        // whole rows instead lets LLVM use masked loads and stores, which are microcoded
        // on AMD and made a 100×1 sum take ~1 µs.
        for (c, o) in out.iter_mut().enumerate() {
            let mut total = 0.0;
            for x in a.iter().skip(c).step_by(cols).take(rows) {
                total += x;
            }
            *o = total;
        }
        return;
    }
    out.fill(0.0);
    let o = out.as_mut_ptr();
    for r in 0..rows {
        zip::<S, Add>(Slice(o), Slice(a[r * cols..][..cols].as_ptr()), o, cols);
    }
}

/// `scalar::sgd_element` on whole vectors, with the same operations in the same order
/// (no fused multiply-add), so results are bitwise equal to the scalar path.
#[inline(always)]
pub(crate) unsafe fn sgd_step<S: Simd>(
    param: &mut [f32],
    grad: &[f32],
    buf: &mut [f32],
    o: &SgdOptions,
) {
    let len = param.len();
    let with_buf = o.momentum != 0.0;
    let (lr, wd, momentum) = (
        S::splat(o.lr),
        S::splat(o.weight_decay),
        S::splat(o.momentum),
    );
    let keep = S::splat(1.0 - o.dampening);
    let mut i = 0;
    while i + S::LANES <= len {
        let p = param.as_mut_ptr().add(i);
        let mut d = S::load(grad.as_ptr().add(i));
        if o.maximize {
            d = S::neg(d);
        }
        if o.weight_decay != 0.0 {
            d = S::add(d, S::mul(wd, S::load(p)));
        }
        if with_buf {
            let bp = buf.as_mut_ptr().add(i);
            let next = if o.first_step {
                d
            } else {
                S::add(S::mul(momentum, S::load(bp)), S::mul(keep, d))
            };
            S::store(bp, next);
            d = if o.nesterov {
                S::add(d, S::mul(momentum, next))
            } else {
                next
            };
        }
        S::store(p, S::sub(S::load(p), S::mul(lr, d)));
        i += S::LANES;
    }
    let buf_tail: &mut [f32] = if with_buf { &mut buf[i..] } else { &mut [] };
    scalar::sgd_step(&mut param[i..], &grad[i..], buf_tail, o);
}
