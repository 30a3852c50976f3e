//! The lane-wise kernels: SIMD against scalar bit for bit (any NaN matching any NaN),
//! in place and out of place, and the scalar results against f64 references, with the
//! largest error in ulp of the correctly rounded result stated per function.
use super::{simd, Rng};
use crate::{
    activation_backward, pow_scalar, pow_scalar_in_place, unary, unary_in_place, Activation, Isa,
    UnaryOp,
};
use std::format;
use std::vec::Vec;

/// Same bits, or both NaN: NaN payloads are not part of any contract here.
pub(super) fn assert_same(got: &[f32], want: &[f32], inputs: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
            "{what}: [{i}] (input {}) = {g:e}, scalar gives {w:e}",
            inputs[i]
        );
    }
}

/// Position of a float on the number line counted in f32 steps (±0 both 0).
fn order(x: f32) -> i64 {
    let b = x.to_bits();
    if b >> 31 == 1 {
        -i64::from(b & 0x7fff_ffff)
    } else {
        i64::from(b)
    }
}

fn from_order(i: i64) -> f32 {
    if i < 0 {
        f32::from_bits((-i) as u32 | 0x8000_0000)
    } else {
        f32::from_bits(i as u32)
    }
}

/// About `count` floats evenly spaced in f32 steps over [lo, hi] (so every binade is
/// sampled as densely as its neighbours), both ends included; all of them when `count`
/// is at least the number in the range.
pub(super) fn floats(lo: f32, hi: f32, count: u64) -> impl Iterator<Item = f32> {
    let (a, b) = (order(lo), order(hi));
    let step = ((b - a) as u64 / count).max(1) as i64;
    (0..)
        .map(move |k| a + k * step)
        .take_while(move |&i| i <= b)
        .map(from_order)
        .chain([hi])
}

/// Values where the functions change behaviour, or that they must get exactly right.
pub(super) const SPECIAL: [f32; 22] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    0.625,
    -0.625,
    88.72,
    88.73,
    89.0,
    -103.9,
    -104.0,
    -1e-40,
    1e-45,
    f32::MIN_POSITIVE,
    f32::MAX,
    f32::MIN,
    f32::INFINITY,
    f32::NEG_INFINITY,
    f32::NAN,
    -f32::NAN,
];

/// |got − exact| in units in the last place of the f32 nearest `exact` (subnormal
/// spacing below the normal range): at most 0.5 for a correctly rounded result.
/// Infinite results must match exactly, NaN must match NaN.
pub(super) fn ulp_error(got: f32, exact: f64) -> f64 {
    let nearest = exact as f32;
    if exact.is_nan() || got.is_nan() || nearest.is_infinite() || got.is_infinite() {
        let same = got == nearest || (got.is_nan() && exact.is_nan());
        return if same { 0.0 } else { f64::INFINITY };
    }
    let a = nearest.abs();
    let up = f32::from_bits(a.to_bits() + 1);
    let ulp = if up.is_infinite() {
        f64::from(a) - f64::from(f32::from_bits(a.to_bits() - 1))
    } else {
        f64::from(up) - f64::from(a)
    };
    (f64::from(got) - exact).abs() / ulp
}

/// The largest ulp error of `op` on the scalar path over `xs`, after checking that
/// the SIMD path gives the same bits.
fn max_ulp(op: UnaryOp, xs: &[f32], exact: impl Fn(f64) -> f64) -> (f64, f32) {
    let mut want = std::vec![0.0; xs.len()];
    unary(Isa::SCALAR, op, xs, &mut want);
    let mut got = xs.to_vec();
    unary_in_place(simd(), op, &mut got);
    assert_same(&got, &want, xs, &format!("{op:?} in place"));
    let mut worst = (0.0, 0.0);
    for (&x, &y) in xs.iter().zip(&want) {
        let e = ulp_error(y, exact(f64::from(x)));
        if e > worst.0 {
            worst = (e, x);
        }
    }
    worst
}

fn sigmoid64(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// (op, f64 reference, domain where the result is neither 0, ±1 nor inf, bound in ulp).
type Accuracy = (UnaryOp, fn(f64) -> f64, f32, f32, f64);
/// The bounds are the largest errors over every float, measured once with
/// `every_float_accuracy`, rounded up.
const ACCURACY: [Accuracy; 5] = [
    (UnaryOp::Exp, f64::exp, -104.0, 89.0, 0.8),
    (UnaryOp::Log, f64::ln, 0.0, f32::MAX, 0.83),
    (UnaryOp::Sigmoid, sigmoid64, -104.0, 18.0, 1.97),
    (UnaryOp::Tanh, f64::tanh, -10.0, 10.0, 1.34),
    (UnaryOp::Sqrt, f64::sqrt, 0.0, f32::MAX, 0.5),
];

fn check_accuracy(count: u64) {
    for (op, exact, lo, hi, bound) in ACCURACY {
        let (mut worst, mut n) = ((0.0, 0.0), 0);
        let mut xs = floats(lo, hi, count).chain(SPECIAL).peekable();
        // In chunks: every float of a domain would not fit in memory at once.
        while xs.peek().is_some() {
            let chunk: Vec<f32> = xs.by_ref().take(1 << 20).collect();
            let (err, at) = max_ulp(op, &chunk, exact);
            if err > worst.0 {
                worst = (err, at);
            }
            n += chunk.len();
        }
        let (err, at) = worst;
        std::println!("{op:?}: {n} floats in [{lo}, {hi}], max {err:.3} ulp at {at:e}");
        assert!(
            err <= bound,
            "{op:?}: {err} ulp at x = {at:e} (bound {bound})"
        );
    }
}

/// About 4 million values per function; `every_float_accuracy` goes through all.
#[test]
fn transcendental_accuracy() {
    check_accuracy(1 << 22);
}

/// Every float of each domain, for the figures in `crate::unary`'s docs:
/// `cargo test -p descent-kernels --release -- --ignored --nocapture every_float`.
#[test]
#[ignore]
fn every_float_accuracy() {
    check_accuracy(u64::MAX);
}

#[test]
fn edge_values() {
    let inf = f32::INFINITY;
    let cases: [(UnaryOp, f32, f32); 30] = [
        (UnaryOp::Exp, 89.0, inf),
        (UnaryOp::Exp, 88.73, inf),
        (UnaryOp::Exp, -104.0, 0.0),
        (UnaryOp::Exp, inf, inf),
        (UnaryOp::Exp, -inf, 0.0),
        (UnaryOp::Exp, 0.0, 1.0),
        (UnaryOp::Log, 0.0, -inf),
        (UnaryOp::Log, -0.0, -inf),
        (UnaryOp::Log, -1.0, f32::NAN),
        (UnaryOp::Log, -inf, f32::NAN),
        (UnaryOp::Log, inf, inf),
        (UnaryOp::Log, 1.0, 0.0),
        (UnaryOp::Sqrt, -1.0, f32::NAN),
        (UnaryOp::Sqrt, -0.0, -0.0),
        (UnaryOp::Abs, -0.0, 0.0),
        (UnaryOp::Neg, 0.0, -0.0),
        (UnaryOp::Sign, -0.0, 0.0),
        (UnaryOp::Sign, 0.0, 0.0),
        (UnaryOp::Sign, -3.0, -1.0),
        (UnaryOp::Sign, 1e-45, 1.0),
        (UnaryOp::Sign, f32::NAN, f32::NAN),
        (UnaryOp::Relu, f32::NAN, f32::NAN),
        (UnaryOp::Relu, -0.0, 0.0),
        (UnaryOp::Relu, -inf, 0.0),
        (UnaryOp::Sigmoid, inf, 1.0),
        (UnaryOp::Sigmoid, -inf, 0.0),
        (UnaryOp::Sigmoid, f32::NAN, f32::NAN),
        (UnaryOp::Tanh, -inf, -1.0),
        (UnaryOp::Tanh, -0.0, -0.0),
        (UnaryOp::Tanh, f32::NAN, f32::NAN),
    ];
    for isa in [Isa::SCALAR, simd()] {
        for (op, x, want) in cases {
            // Repeated past a vector, so the SIMD lanes see it too.
            let xs = [x; 19];
            let mut got = [0.0; 19];
            unary(isa, op, &xs, &mut got);
            for g in got {
                let same = g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan());
                assert!(same, "{op:?}({x:e}) on {isa:?} = {g:e}, expected {want:e}");
            }
        }
    }
}

#[test]
fn every_op_simd_matches_scalar_at_every_length() {
    let (isa, mut rng) = (simd(), Rng(20));
    for op in UnaryOp::ALL {
        for len in (0..70).chain([255, 1000, 4099]) {
            // Values over many magnitudes and signs, with the special ones mixed in.
            let xs: Vec<f32> = (0..len)
                .map(|i| match rng.range(0, 3) {
                    0 => SPECIAL[i % SPECIAL.len()],
                    1 => rng.f32() * 30.0,
                    _ => rng.f32() * 1e-3,
                })
                .collect();
            let (mut want, mut got) = (std::vec![0.0; len], std::vec![f32::NAN; len]);
            unary(Isa::SCALAR, op, &xs, &mut want);
            unary(isa, op, &xs, &mut got);
            assert_same(&got, &want, &xs, &format!("{op:?} len={len}"));
        }
    }
}

/// `Math.pow` on f64 inputs: C's `pow` except that ±1 to a NaN or infinite power is NaN.
fn math_pow(x: f64, p: f64) -> f64 {
    if x.abs() == 1.0 && !p.is_finite() {
        f64::NAN
    } else {
        x.powf(p)
    }
}

#[test]
fn pow_matches_math_pow() {
    let isa = simd();
    let mut xs: Vec<f32> = floats(-1e3, 1e3, 20_000).chain(SPECIAL).collect();
    xs.extend([
        2.0, -2.0, 3.0, -8.0, 1e20, -1e20, 1e-20, 1e30, 1e-30, 1.0000001,
    ]);
    let exponents = [
        0.0,
        -0.0,
        1.0,
        2.0,
        3.0,
        4.0,
        0.5,
        -1.0,
        -2.0,
        5.0,
        -3.0,
        7.0,
        10.0,
        -0.5,
        1.5,
        0.25,
        1.0 / 3.0,
        2.5,
        -2.5,
        1e-3,
        123.456,
        1e10,
        -1e10,
        16_777_217.0,
        33.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
    ];
    for p in exponents {
        let mut want = std::vec![0.0; xs.len()];
        pow_scalar(Isa::SCALAR, &xs, p, &mut want);
        let mut got = xs.clone();
        pow_scalar_in_place(isa, &mut got, p);
        assert_same(&got, &want, &xs, &format!("pow p={p}"));
        // Each product rounds once (and 1/x once): an earlier rounding, relative, is up
        // to an ulp of the result each time it is raised to a power; a last one half.
        // The rest is correctly rounded up to rare near-ties.
        let bound = match p {
            _ if p == 3.0 => 1.5,
            _ if p == 4.0 || p == -2.0 => 2.5,
            _ => 0.5001,
        };
        for (&x, &y) in xs.iter().zip(&want) {
            let exact = math_pow(f64::from(x), f64::from(p));
            let e = ulp_error(y, exact);
            assert!(
                e <= bound,
                "pow({x:e}, {p:e}) = {y:e}, Math.pow gives {exact:e}: {e} ulp"
            );
        }
    }
}

#[test]
fn activation_backward_matches_formulas() {
    let (isa, mut rng) = (simd(), Rng(21));
    for op in Activation::ALL {
        for len in (0..40).chain([1000, 1001]) {
            let saved: Vec<f32> = (0..len)
                .map(|i| match i % 7 {
                    0 => SPECIAL[i % SPECIAL.len()],
                    _ => rng.f32(),
                })
                .collect();
            let grad = rng.vec(len);
            let (mut want, mut got) = (std::vec![0.0; len], std::vec![f32::NAN; len]);
            activation_backward(Isa::SCALAR, op, &saved, &grad, &mut want);
            activation_backward(isa, op, &saved, &grad, &mut got);
            assert_same(&got, &want, &saved, &format!("{op:?} backward len={len}"));
            for i in 0..len {
                let (s, g) = (saved[i], grad[i]);
                let formula = match op {
                    Activation::Relu => {
                        if s > 0.0 {
                            g
                        } else {
                            0.0
                        }
                    }
                    Activation::Sigmoid => g * s * (1.0 - s),
                    Activation::Tanh => g * ((1.0 - s) * (1.0 + s)),
                };
                assert_same(
                    &want[i..=i],
                    &[formula],
                    &saved[i..=i],
                    &format!("{op:?} formula"),
                );
            }
        }
    }
}
