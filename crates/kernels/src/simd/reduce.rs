//! Reductions over the middle axis of `[outer, len, inner]`. With `inner == 1` each
//! output reduces one contiguous run, vectorised along it; otherwise the kernel
//! streams whole rows of `inner` elements, vectorised across them, in memory order.
use super::lanes::{each, lane_numbers, sum, to_array, Lanes, Term};
use super::nn::Dims;
use super::{elementwise, Simd};

/// Sums; with `inner == 1` in another order than the scalar path (agreeing to
/// rounding), otherwise row after row as it does (bitwise equal).
#[inline(always)]
pub(crate) unsafe fn sum_axis<S: Simd>(a: &[f32], out: &mut [f32], d: Dims) {
    let block = d.len * d.inner;
    for (o, dst) in out.chunks_exact_mut(d.inner.max(1)).enumerate() {
        let src = &a[o * block..][..block];
        if d.inner == 1 {
            dst[0] = elementwise::sum::<S>(src);
        } else {
            elementwise::sum_rows::<S>(src, dst, d.len, d.inner);
        }
    }
}

/// Whether `x` replaces `best` in a scan in index order: when greater, or NaN while
/// `best` is not (so the first NaN wins, and the first of equal maxima stays).
#[inline(always)]
unsafe fn beats<T: Simd>(x: T::V, best: T::V) -> T::V {
    T::or(T::lt(best, x), T::and_not(T::eq(x, x), T::eq(best, best)))
}

/// One row `k` folded into the running maxima and their indices.
struct Fold {
    row: *const f32,
    values: *mut f32,
    indices: *mut f32,
    k: f32,
}

impl Lanes for Fold {
    #[inline(always)]
    unsafe fn at<T: Simd>(&self, i: usize) {
        let (x, best) = (T::load(self.row.add(i)), T::load(self.values.add(i)));
        let take = beats::<T>(x, best);
        T::store(self.values.add(i), T::select(take, x, best));
        let index = T::load(self.indices.add(i));
        T::store(
            self.indices.add(i),
            T::select(take, T::splat(self.k), index),
        );
    }
}

/// The maximum over the axis and the index of its first occurrence (as a float, exact
/// below 2^24), NaN first. Bitwise equal to the scalar path in every case.
#[inline(always)]
pub(crate) unsafe fn max_axis<S: Simd>(
    a: &[f32],
    values: &mut [f32],
    indices: &mut [f32],
    d: Dims,
) {
    let block = d.len * d.inner;
    let outputs = values.chunks_exact_mut(d.inner.max(1));
    for (o, (v, ix)) in outputs
        .zip(indices.chunks_exact_mut(d.inner.max(1)))
        .enumerate()
    {
        let src = &a[o * block..][..block];
        if d.inner == 1 {
            let (m, k) = max_run::<S>(src);
            v[0] = m;
            ix[0] = k as f32;
            continue;
        }
        v.copy_from_slice(&src[..d.inner]);
        ix.fill(0.0);
        for k in 1..d.len {
            let row = src[k * d.inner..].as_ptr();
            let fold = Fold {
                row,
                values: v.as_mut_ptr(),
                indices: ix.as_mut_ptr(),
                k: k as f32,
            };
            each::<S, _>(d.inner, &fold);
        }
    }
}

/// The first maximum of a non-empty contiguous run and its index. Each lane scans the
/// elements at its own offsets; the lanes' winners are then merged preferring the
/// lower index among equals, which picks what one scan in order would.
#[inline(always)]
unsafe fn max_run<S: Simd>(x: &[f32]) -> (f32, usize) {
    let (len, p) = (x.len(), x.as_ptr());
    let (mut best, mut at) = (x[0], 0);
    let mut i = 0;
    if len >= S::LANES {
        let (mut vbest, mut vat) = (S::load(p), lane_numbers::<S>());
        let step = S::splat(S::LANES as f32);
        let mut index = vat;
        i = S::LANES;
        while i + S::LANES <= len {
            index = S::add(index, step);
            let v = S::load(p.add(i));
            let take = beats::<S>(v, vbest);
            vbest = S::select(take, v, vbest);
            vat = S::select(take, index, vat);
            i += S::LANES;
        }
        let (values, indices) = (to_array::<S>(vbest), to_array::<S>(vat));
        best = values[0];
        at = indices[0] as usize;
        for lane in 1..S::LANES {
            let (v, k) = (values[lane], indices[lane] as usize);
            let tie = v == best || (v.is_nan() && best.is_nan());
            if v > best || (v.is_nan() && !best.is_nan()) || (tie && k < at) {
                best = v;
                at = k;
            }
        }
    }
    for (k, &v) in x.iter().enumerate().skip(i) {
        if v > best || (v.is_nan() && !best.is_nan()) {
            best = v;
            at = k;
        }
    }
    (best, at)
}

/// `diff = (a − b)·scale`, returning `Σ (a − b)²`: a squared-error loss and the
/// difference its backward needs, in one pass over the data.
#[inline(always)]
pub(crate) unsafe fn squared_error<S: Simd>(
    a: &[f32],
    b: &[f32],
    diff: &mut [f32],
    scale: f32,
) -> f32 {
    struct Square {
        a: *const f32,
        b: *const f32,
        diff: *mut f32,
        scale: f32,
    }
    impl Term for Square {
        #[inline(always)]
        unsafe fn at<T: Simd>(&self, i: usize) -> T::V {
            let d = T::sub(T::load(self.a.add(i)), T::load(self.b.add(i)));
            T::store(self.diff.add(i), T::mul(d, T::splat(self.scale)));
            T::mul(d, d)
        }
    }
    let square = Square {
        a: a.as_ptr(),
        b: b.as_ptr(),
        diff: diff.as_mut_ptr(),
        scale,
    };
    sum::<S, _>(diff.len(), &square)
}
