//! Reductions, softmax and cross-entropy: SIMD against scalar (bit for bit where both
//! run the same operations, i.e. `inner > 1` and `max_axis` always; otherwise within
//! the summation bound), and the scalar path against f64 references.
//!
//! Tolerances, with u = 2^-24 and `len` the axis length: sums within `len·u·Σ|x|`
//! (recursive summation). Softmax within `(len + 4 + 2·spread)·u` relative, where
//! `spread` is the largest `|x − max|` of the slice: f32 rounds `x − max` by up to
//! `|x − max|·u`, which exp turns into a relative error (PyTorch rounds it too); then
//! exp within 1 ulp, the sum as above, one division. Log-softmax and cross-entropy
//! within `(len + 4 + spread)·u·(1 + |x − max| + |lse|)` absolute; the gradients within
//! `(len + 6)·u` times the magnitude of their terms.
use super::unary::{assert_same, SPECIAL};
use super::{simd, Rng};
use crate::{
    class_index, cross_entropy, cross_entropy_backward, max_axis, softmax, softmax_backward,
    squared_error, sum_axis, Isa,
};
use std::format;
use std::vec::Vec;

const U: f64 = 1.0 / 16_777_216.0;

/// (outer, len, inner) around the vector widths and the 128-slice column blocks.
const SHAPES: [(usize, usize, usize); 20] = [
    (0, 3, 4),
    (2, 0, 3),
    (3, 4, 0),
    (1, 1, 1),
    (1, 7, 1),
    (3, 8, 1),
    (2, 9, 1),
    (4, 33, 1),
    (1, 1000, 1),
    (2, 3, 2),
    (3, 5, 7),
    (2, 4, 8),
    (2, 6, 9),
    (1, 17, 16),
    (2, 3, 33),
    (1, 5, 127),
    (2, 3, 128),
    (1, 4, 129),
    (1, 2, 300),
    (5, 1, 3),
];

/// Random values of about ±`scale`, with some rows (slices) made special.
fn inputs(rng: &mut Rng, n: usize, scale: f32) -> Vec<f32> {
    (0..n).map(|_| rng.f32() * scale).collect()
}

/// `f(o, i, k)` gives the flat index of element k of slice (o, i).
fn at(len: usize, inner: usize) -> impl Fn(usize, usize, usize) -> usize {
    move |o, i, k| (o * len + k) * inner + i
}

fn assert_close(got: f32, want: f64, tol: f64, what: &str) {
    let ok = (f64::from(got) - want).abs() <= tol
        || (got.is_nan() && want.is_nan())
        || f64::from(got) == want;
    assert!(ok, "{what}: {got:e}, expected {want:e} (tolerance {tol:e})");
}

#[test]
fn sum_axis_matches_scalar_and_exact() {
    let (isa, mut rng) = (simd(), Rng(30));
    for (outer, len, inner) in SHAPES {
        let a = inputs(&mut rng, outer * len * inner, 1.0);
        let (mut want, mut got) = (
            std::vec![0.0; outer * inner],
            std::vec![f32::NAN; outer * inner],
        );
        sum_axis(Isa::SCALAR, &a, &mut want, outer, len, inner);
        sum_axis(isa, &a, &mut got, outer, len, inner);
        let idx = at(len, inner);
        for o in 0..outer {
            for i in 0..inner {
                let exact: f64 = (0..len).map(|k| f64::from(a[idx(o, i, k)])).sum();
                let abs: f64 = (0..len).map(|k| f64::from(a[idx(o, i, k)].abs())).sum();
                let what = format!("sum_axis {outer}×{len}×{inner} at ({o}, {i})");
                let tol = len as f64 * U * abs;
                assert_close(want[o * inner + i], exact, tol, &what);
                assert_close(got[o * inner + i], exact, tol, &what);
            }
        }
        if inner > 1 {
            assert_same(&got, &want, &a, &format!("sum_axis {outer}×{len}×{inner}"));
        }
    }
}

#[test]
fn max_axis_first_maximum_and_nan() {
    let (isa, mut rng) = (simd(), Rng(31));
    for (outer, len, inner) in SHAPES {
        if len == 0 && outer * inner > 0 {
            continue;
        }
        let n = outer * len * inner;
        // Few distinct values, so ties are common; some NaN and infinities.
        let a: Vec<f32> = (0..n)
            .map(|_| match rng.range(0, 40) {
                0 => f32::NAN,
                1 => f32::INFINITY,
                2 => -0.0,
                _ => rng.range(0, 6) as f32,
            })
            .collect();
        let m = outer * inner;
        let idx = at(len, inner);
        for isa in [Isa::SCALAR, isa] {
            let (mut values, mut indices) = (std::vec![0.0; m], std::vec![0.0; m]);
            max_axis(isa, &a, &mut values, &mut indices, outer, len, inner);
            for o in 0..outer {
                for i in 0..inner {
                    let (mut best, mut at) = (a[idx(o, i, 0)], 0);
                    for k in 1..len {
                        let x = a[idx(o, i, k)];
                        if x > best || (x.is_nan() && !best.is_nan()) {
                            best = x;
                            at = k;
                        }
                    }
                    let what = format!("max_axis {outer}×{len}×{inner} on {isa:?} at ({o}, {i})");
                    assert_same(&values[o * inner + i..][..1], &[best], &[0.0], &what);
                    assert_eq!(indices[o * inner + i], at as f32, "{what}: index");
                }
            }
        }
    }
}

/// The maximum of a slice (NaN if any element is), `Σ exp(x − max)`, and the largest
/// finite `|x − max|` among the terms that matter.
fn max_sum_spread(len: usize, x: impl Fn(usize) -> f64) -> (f64, f64, f64) {
    let max = (0..len).map(&x).fold(f64::NEG_INFINITY, |m, v| {
        if m.is_nan() || v.is_nan() {
            f64::NAN
        } else {
            m.max(v)
        }
    });
    let sum = (0..len).map(|k| (x(k) - max).exp()).sum();
    let spread = (0..len)
        .map(|k| (x(k) - max).abs())
        .filter(|d| d.is_finite())
        .fold(0.0, f64::max);
    (max, sum, spread)
}

/// A few slices made special: NaN, +inf, all -inf, one -inf, huge values.
fn softmax_inputs(rng: &mut Rng, outer: usize, len: usize, inner: usize) -> Vec<f32> {
    let mut a = inputs(rng, outer * len * inner, 10.0);
    let idx = at(len, inner);
    if len > 1 {
        let fills: [&dyn Fn(usize) -> f32; 4] = [
            &|k| if k == 1 { f32::NAN } else { 0.5 },
            &|k| if k == 0 { f32::INFINITY } else { 1.0 },
            &|_| f32::NEG_INFINITY,
            &|k| {
                if k == 0 {
                    f32::NEG_INFINITY
                } else {
                    1e4 + k as f32
                }
            },
        ];
        for (s, fill) in fills.iter().enumerate().take(outer * inner) {
            let (o, i) = (s / inner, s % inner);
            for k in 0..len {
                a[idx(o, i, k)] = fill(k);
            }
        }
    }
    a
}

#[test]
fn softmax_matches_scalar_and_f64() {
    let (isa, mut rng) = (simd(), Rng(32));
    for (outer, len, inner) in SHAPES {
        for log in [false, true] {
            let a = softmax_inputs(&mut rng, outer, len, inner);
            let n = a.len();
            let (mut want, mut got) = (std::vec![0.0; n], std::vec![f32::NAN; n]);
            softmax(Isa::SCALAR, &a, &mut want, outer, len, inner, log);
            softmax(isa, &a, &mut got, outer, len, inner, log);
            let what = format!("softmax {outer}×{len}×{inner} log={log}");
            if inner > 1 {
                assert_same(&got, &want, &a, &what);
            }
            let idx = at(len, inner);
            for o in 0..outer {
                for i in 0..inner {
                    let x = |k| f64::from(a[idx(o, i, k)]);
                    let (max, sum, spread) = max_sum_spread(len, x);
                    let rtol = (len as f64 + 4.0 + 2.0 * spread) * U;
                    for k in 0..len {
                        let shifted = x(k) - max;
                        let (exact, tol) = if log {
                            let lse = sum.ln();
                            (shifted - lse, rtol * (1.0 + shifted.abs() + lse.abs()))
                        } else {
                            let p = shifted.exp() / sum;
                            (p, rtol * p)
                        };
                        for (path, out) in [("scalar", &want), ("simd", &got)] {
                            let w = format!("{what} {path} at ({o}, {i}, {k})");
                            assert_close(out[idx(o, i, k)], exact, tol, &w);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn softmax_backward_matches_scalar_and_f64() {
    let (isa, mut rng) = (simd(), Rng(33));
    for (outer, len, inner) in SHAPES {
        for log in [false, true] {
            let n = outer * len * inner;
            let x = inputs(&mut rng, n, 3.0);
            let mut y = std::vec![0.0; n];
            softmax(Isa::SCALAR, &x, &mut y, outer, len, inner, log);
            let g = inputs(&mut rng, n, 1.0);
            let (mut want, mut got) = (std::vec![0.0; n], std::vec![f32::NAN; n]);
            softmax_backward(Isa::SCALAR, &y, &g, &mut want, outer, len, inner, log);
            softmax_backward(isa, &y, &g, &mut got, outer, len, inner, log);
            let what = format!("softmax_backward {outer}×{len}×{inner} log={log}");
            if inner > 1 {
                assert_same(&got, &want, &y, &what);
            }
            let idx = at(len, inner);
            let tol_scale = (len + 6) as f64 * U;
            for o in 0..outer {
                for i in 0..inner {
                    let (yk, gk) = (
                        |k| f64::from(y[idx(o, i, k)]),
                        |k| f64::from(g[idx(o, i, k)]),
                    );
                    let terms = |k: usize| if log { gk(k) } else { gk(k) * yk(k) };
                    let dot: f64 = (0..len).map(terms).sum();
                    let dot_abs: f64 = (0..len).map(|k| terms(k).abs()).sum();
                    for k in 0..len {
                        let (exact, scale) = if log {
                            let e = yk(k).exp();
                            (gk(k) - e * dot, gk(k).abs() + e * dot_abs)
                        } else {
                            (yk(k) * (gk(k) - dot), yk(k).abs() * (gk(k).abs() + dot_abs))
                        };
                        for (path, out) in [("scalar", &want), ("simd", &got)] {
                            let w = format!("{what} {path} at ({o}, {i}, {k})");
                            assert_close(out[idx(o, i, k)], exact, tol_scale * scale, &w);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn cross_entropy_and_gradient_match_f64() {
    let (isa, mut rng) = (simd(), Rng(34));
    for (n, c) in [
        (0, 3),
        (1, 1),
        (3, 2),
        (4, 7),
        (5, 8),
        (2, 9),
        (3, 33),
        (2, 1000),
    ] {
        let logits = softmax_inputs(&mut rng, n, c, 1);
        let targets: Vec<f32> = (0..n).map(|_| rng.range(0, c - 1) as f32).collect();
        let grad = inputs(&mut rng, n, 2.0);
        let mut results = Vec::new();
        for isa in [Isa::SCALAR, isa] {
            let (mut losses, mut dx) = (std::vec![f32::NAN; n], std::vec![f32::NAN; n * c]);
            cross_entropy(isa, &logits, &targets, &mut losses, c);
            cross_entropy_backward(isa, &logits, &targets, &grad, &mut dx, c);
            results.push((losses, dx));
        }
        for i in 0..n {
            let x = |j| f64::from(logits[i * c + j]);
            let (max, sum, spread) = max_sum_spread(c, x);
            let tol = (c as f64 + 4.0 + 2.0 * spread) * U;
            let t = targets[i] as usize;
            let loss = sum.ln() + (max - x(t));
            for (losses, dx) in &results {
                let what = format!("cross_entropy n={n} c={c} sample {i}");
                let scale = 1.0 + sum.ln().abs() + (max - x(t)).abs();
                assert_close(losses[i], loss, tol * scale, &what);
                for j in 0..c {
                    let p = (x(j) - max).exp() / sum;
                    let g = f64::from(grad[i]);
                    let exact = (p - if j == t { 1.0 } else { 0.0 }) * g;
                    let w = format!("{what} gradient [{j}]");
                    assert_close(dx[i * c + j], exact, tol * (p + 1.0) * g.abs(), &w);
                }
            }
        }
    }
}

#[test]
fn class_index_accepts_only_class_indices() {
    assert_eq!(class_index(0.0, 1), Some(0));
    assert_eq!(class_index(-0.0, 1), Some(0));
    assert_eq!(class_index(2.0, 3), Some(2));
    assert_eq!(class_index(16_777_216.0, 20_000_000), Some(16_777_216));
    for (t, c) in [
        (3.0, 3),
        (-1.0, 3),
        (0.5, 3),
        (f32::NAN, 3),
        (f32::INFINITY, 3),
        (0.0, 0),
    ] {
        assert_eq!(class_index(t, c), None, "target {t} of {c} classes");
    }
    let _ = SPECIAL;
}

#[test]
#[should_panic(expected = "not a class index")]
fn cross_entropy_panics_on_a_bad_target() {
    let mut losses = [0.0; 2];
    cross_entropy(Isa::SCALAR, &[0.0; 6], &[0.0, 3.0], &mut losses, 3);
}

#[test]
fn squared_error_matches_f64() {
    let (isa, mut rng) = (simd(), Rng(35));
    for n in [0, 1, 3, 7, 8, 9, 31, 100, 1000] {
        let (a, b) = (inputs(&mut rng, n, 3.0), inputs(&mut rng, n, 3.0));
        let exact: f64 = a
            .iter()
            .zip(&b)
            .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
            .sum();
        for (isa, scale) in [
            (Isa::SCALAR, 1.0),
            (isa, 1.0),
            (Isa::SCALAR, 0.02),
            (isa, 0.02),
        ] {
            let mut diff = std::vec![f32::NAN; n];
            let sum = squared_error(isa, &a, &b, &mut diff, scale);
            for i in 0..n {
                let want = (a[i] - b[i]) * scale;
                assert_eq!(diff[i], want, "squared_error n={n} scale={scale} diff[{i}]");
            }
            // The difference and its square round once each (3u with the square of the first), the sum adds at most n·u.
            assert_close(
                sum,
                exact,
                (n as f64 + 3.0) * U * exact,
                &format!("squared_error n={n}"),
            );
        }
    }
}
