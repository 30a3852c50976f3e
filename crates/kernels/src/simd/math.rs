//! `exp`, `log`, `sigmoid` and `tanh` on the lanes of any [`Simd`], `Scalar` included:
//! core has none of them without `std`, and one body for every lane type keeps the
//! scalar and SIMD paths bitwise equal. Cephes' single-precision range reductions and
//! polynomials (`expf.c`, `logf.c`, `tanhf.c`), evaluated with separate multiplies and
//! adds (no fused multiply-add), since `Scalar` and simd128 have none.
//!
//! Branches become masks: every lane computes every case, and `select` keeps the one
//! it needs. Edge values are settled by explicit selects at the end, not by hoping the
//! polynomial gets them right.
use super::Simd;

/// `c[0]·x^(n−1) + … + c[n−1]`, by Horner's rule.
#[inline(always)]
pub(crate) unsafe fn poly<S: Simd>(x: S::V, c: &[f32]) -> S::V {
    let mut y = S::splat(c[0]);
    for &k in &c[1..] {
        y = S::add(S::mul(y, x), S::splat(k));
    }
    y
}

/// A float with the given bits in every lane.
#[inline(always)]
pub(crate) unsafe fn from_bits<S: Simd>(b: u32) -> S::V {
    S::splat(f32::from_bits(b))
}

/// `x` with the sign bit of `sign`.
#[inline(always)]
pub(crate) unsafe fn with_sign_of<S: Simd>(x: S::V, sign: S::V) -> S::V {
    let sign_bit = S::splat(-0.0);
    S::or(S::and_not(sign_bit, x), S::and(sign_bit, sign))
}

/// Rounds to the nearest integer, ties to even, for `|x| < 2^22`: adding 1.5·2^23 leaves
/// no bits for a fraction. The same IEEE operations on every instruction set, unlike
/// conversion instructions (x86 rounds, wasm truncates).
#[inline(always)]
unsafe fn round<S: Simd>(x: S::V) -> S::V {
    let magic = S::splat(12_582_912.0);
    S::sub(S::add(x, magic), magic)
}

/// `2^n` for integral `n` in [-126, 127], assembled from its exponent bits.
#[inline(always)]
unsafe fn exp2_int<S: Simd>(n: S::V) -> S::V {
    S::to_i32_bits(S::mul(S::add(n, S::splat(127.0)), S::splat(8_388_608.0)))
}

const LOG2_E: f32 = core::f32::consts::LOG2_E;
/// ln 2 = LN2_HI + LN2_LO, where LN2_HI has 9 significant bits, so `n·LN2_HI` is exact
/// for the |n| ≤ 150 that occur here (Cody and Waite).
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// exp overflows above ln(f32::MAX) ≈ 88.72 and rounds to 0 below ln(2^-150) ≈ -103.97;
/// clamping to just outside keeps `n` within [-150, 128] and still gives inf and 0.
const EXP_MAX_X: f32 = 89.0;
const EXP_MIN_X: f32 = -104.0;
/// exp(r) ≈ 1 + r + r²·P(r) on |r| ≤ ln(2)/2.
const EXP_P: [f32; 6] = [
    1.987_569_1e-4,
    1.398_199_9e-3,
    8.333_452e-3,
    4.166_579_6e-2,
    1.666_666_5e-1,
    0.5,
];

/// e^x: exp(89) = inf, exp(-104) = 0, exp(±inf) = inf and 0, NaN stays NaN.
#[inline(always)]
pub(crate) unsafe fn exp<S: Simd>(x: S::V) -> S::V {
    // Comparisons with NaN fail, so NaN passes both clamps and poisons the result.
    let x = S::select(S::lt(S::splat(EXP_MAX_X), x), S::splat(EXP_MAX_X), x);
    let x = S::select(S::lt(x, S::splat(EXP_MIN_X)), S::splat(EXP_MIN_X), x);
    // x = n·ln 2 + r with r = hi − lo, |r| ≤ ln(2)/2; hi is exact (Sterbenz).
    let n = round::<S>(S::mul(x, S::splat(LOG2_E)));
    let hi = S::sub(x, S::mul(n, S::splat(LN2_HI)));
    let lo = S::mul(n, S::splat(LN2_LO));
    let r = S::sub(hi, lo);
    // e^r = 1 + hi − lo + r²·P(r). Rounding 1 + hi directly would cost up to half an
    // ulp on top of the final rounding, so its error is recovered exactly (Fast2Sum)
    // and added back with the small terms.
    let one = S::splat(1.0);
    let s = S::add(one, hi);
    let s_err = S::add(S::sub(one, s), hi);
    let tail = S::sub(S::mul(S::mul(r, r), poly::<S>(r, &EXP_P)), lo);
    let er = S::add(s, S::add(s_err, tail));
    // 2^n in two factors, each a normal float even when 2^n is not: the first product
    // is exact, the second rounds once, into the subnormals or to inf where it must.
    let half = round::<S>(S::mul(n, S::splat(0.5)));
    S::mul(
        S::mul(er, exp2_int::<S>(half)),
        exp2_int::<S>(S::sub(n, half)),
    )
}

const SQRT_HALF: f32 = core::f32::consts::FRAC_1_SQRT_2;
/// log(1+f) ≈ f − f²/2 + f³·P(f) on √½ − 1 ≤ f < √2 − 1.
const LOG_P: [f32; 9] = [
    7.037_683_6e-2,
    -1.151_461e-1,
    1.167_699_84e-1,
    -1.242_014_1e-1,
    1.424_932_3e-1,
    -1.666_805_8e-1,
    2.000_071_4e-1,
    -2.499_999_4e-1,
    3.333_333e-1,
];

/// Natural logarithm: log(±0) = -inf, log(inf) = inf, NaN for negatives and NaN.
#[inline(always)]
pub(crate) unsafe fn log<S: Simd>(x0: S::V) -> S::V {
    // Subnormals are scaled by 2^23 first, so the exponent field below is meaningful.
    let tiny = S::lt(x0, S::splat(f32::MIN_POSITIVE));
    let x = S::select(tiny, S::mul(x0, S::splat(8_388_608.0)), x0);
    // x = m·2^e with m in [0.5, 1). The exponent field read as an integer has at most 8
    // significant bits, so converting it is exact.
    let field = S::from_i32_bits(S::and(x, from_bits::<S>(0x7f80_0000)));
    let bias = S::select(tiny, S::splat(126.0 + 23.0), S::splat(126.0));
    let e = S::sub(S::mul(field, S::splat(1.0 / 8_388_608.0)), bias);
    let m = S::or(
        S::and(x, from_bits::<S>(0x007f_ffff)),
        from_bits::<S>(0x3f00_0000),
    );
    // Keep 1 + f in [√½, √2): below √½, take 2m and e − 1. Both subtractions are exact.
    let low = S::lt(m, S::splat(SQRT_HALF));
    let e = S::sub(e, S::and(low, S::splat(1.0)));
    let f = S::sub(S::select(low, S::add(m, m), m), S::splat(1.0));
    let z = S::mul(f, f);
    let y = S::mul(S::mul(poly::<S>(f, &LOG_P), f), z);
    let y = S::add(y, S::mul(e, S::splat(LN2_LO)));
    let y = S::sub(y, S::mul(z, S::splat(0.5)));
    let r = S::add(S::add(f, y), S::mul(e, S::splat(LN2_HI)));
    let r = S::select(S::eq(x0, S::splat(f32::INFINITY)), x0, r);
    let r = S::select(S::eq(x0, S::zero()), S::splat(f32::NEG_INFINITY), r);
    // Fails for negatives and NaN.
    S::select(S::le(S::zero(), x0), r, S::splat(f32::NAN))
}

/// 1/(1+e^-x), from e = exp(-|x|), which cannot overflow: 1/(1+e) for x ≥ 0 and
/// e/(1+e) below, so tiny results keep their relative accuracy.
#[inline(always)]
pub(crate) unsafe fn sigmoid<S: Simd>(x: S::V) -> S::V {
    let one = S::splat(1.0);
    let e = exp::<S>(S::neg(S::abs(x)));
    let negative = S::lt(x, S::zero());
    // Rounding 1 + e costs up to an ulp of a result near the bottom of its binade, so
    // its error (exact, by Fast2Sum) corrects the quotient: n/(d + err) ≈ q·(1 − err/d),
    // where 1/d is q itself for x ≥ 0 and 1 − q below, with no second division.
    let d = S::add(one, e);
    let d_err = S::add(S::sub(one, d), e);
    let q = S::div(S::select(negative, e, one), d);
    let inv_d = S::select(negative, S::sub(one, q), q);
    S::sub(q, S::mul(q, S::mul(d_err, inv_d)))
}

/// tanh(x) ≈ x + x·x²·P(x²) for |x| < 0.625.
const TANH_SMALL: f32 = 0.625;
const TANH_P: [f32; 5] = [
    -5.704_988_7e-3,
    2.063_908_8e-2,
    -5.373_971_6e-2,
    1.333_144_2e-1,
    -3.333_328e-1,
];

/// Hyperbolic tangent, odd, so computed on |x| and given x's sign (which also keeps
/// tanh(-0) = -0). Near 0 an odd polynomial, where 1 − 2/(e^{2x}+1) would cancel;
/// above, that formula, which reaches exactly 1 once e^{2x} overflows.
#[inline(always)]
pub(crate) unsafe fn tanh<S: Simd>(x: S::V) -> S::V {
    let ax = S::abs(x);
    let s = S::mul(ax, ax);
    let small = S::add(S::mul(S::mul(poly::<S>(s, &TANH_P), s), ax), ax);
    let one = S::splat(1.0);
    let e2 = exp::<S>(S::add(ax, ax));
    let large = S::sub(one, S::div(S::splat(2.0), S::add(e2, one)));
    // NaN fails the comparison and takes the large branch, where exp keeps it NaN.
    let t = S::select(S::lt(ax, S::splat(TANH_SMALL)), small, large);
    with_sign_of::<S>(t, x)
}
