//! `x^p` for one exponent `p` over a whole array, with `Math.pow`'s edge cases (so
//! `pow(1, NaN)` and `pow(-1, inf)` are NaN, unlike C's `powf`).
//!
//! The exponents training uses (squares, cubes, square roots, reciprocals) take short
//! lane-wise paths. Any other goes through `exp(p·ln|x|)` in f64, one element at a
//! time: in f32, the rounding of `p·ln|x|` alone would cost up to ~64 ulp of the result.
use super::unary::{zip, Lanewise};
use super::Simd;

/// How `x^p` is computed, decided once per call.
enum Pow {
    One,
    Sqrt,
    /// `x^N`, or `(1/x)^N` with `RECIP`, by repeated multiplication: each product
    /// rounds once, and an early rounding grows with the power, so the error is within
    /// 0.5 ulp for x^2 and 1/x, 1.5 for x^3, 2.5 for x^4 and x^-2 (PyTorch multiplies
    /// too).
    Int(u32, bool),
    General,
}

fn classify(p: f32) -> Pow {
    match p {
        // Math.pow(x, ±0) is 1 even for NaN.
        _ if p == 0.0 => Pow::One,
        _ if p == 0.5 => Pow::Sqrt,
        _ if p == 1.0 => Pow::Int(1, false),
        _ if p == 2.0 => Pow::Int(2, false),
        _ if p == 3.0 => Pow::Int(3, false),
        _ if p == 4.0 => Pow::Int(4, false),
        _ if p == -1.0 => Pow::Int(1, true),
        _ if p == -2.0 => Pow::Int(2, true),
        _ => Pow::General,
    }
}

struct One;
struct Sqrt;
struct Int<const N: u32, const RECIP: bool>;

impl Lanewise for One {
    #[inline(always)]
    unsafe fn apply<T: Simd>(&self, _: T::V, _: T::V) -> T::V {
        T::splat(1.0)
    }
}

impl Lanewise for Sqrt {
    /// Math.pow(-0, 0.5) = +0 and Math.pow(-inf, 0.5) = inf, where sqrt gives -0 and NaN.
    #[inline(always)]
    unsafe fn apply<T: Simd>(&self, x: T::V, _: T::V) -> T::V {
        let inf = T::splat(f32::INFINITY);
        let root = T::sqrt(T::add(x, T::zero()));
        T::select(T::eq(x, T::neg(inf)), inf, root)
    }
}

impl<const N: u32, const RECIP: bool> Lanewise for Int<N, RECIP> {
    /// `(1/x)^N` rather than `1/x^N`, so `x^N` overflowing cannot flush a representable
    /// (subnormal) result to 0.
    #[inline(always)]
    unsafe fn apply<T: Simd>(&self, x: T::V, _: T::V) -> T::V {
        let base = if RECIP { T::div(T::splat(1.0), x) } else { x };
        let mut r = base;
        for _ in 1..N {
            r = T::mul(r, base);
        }
        r
    }
}

/// `out[i] = x[i]^p`; `x` may equal `out`.
#[inline(always)]
pub(crate) unsafe fn pow<S: Simd>(p: f32, x: *const f32, out: *mut f32, len: usize) {
    match classify(p) {
        Pow::One => zip::<S, _>(&One, x, x, out, len),
        Pow::Sqrt => zip::<S, _>(&Sqrt, x, x, out, len),
        Pow::Int(1, false) => zip::<S, _>(&Int::<1, false>, x, x, out, len),
        Pow::Int(2, false) => zip::<S, _>(&Int::<2, false>, x, x, out, len),
        Pow::Int(3, false) => zip::<S, _>(&Int::<3, false>, x, x, out, len),
        Pow::Int(4, false) => zip::<S, _>(&Int::<4, false>, x, x, out, len),
        Pow::Int(1, true) => zip::<S, _>(&Int::<1, true>, x, x, out, len),
        Pow::Int(2, true) => zip::<S, _>(&Int::<2, true>, x, x, out, len),
        Pow::Int(..) | Pow::General => {
            for i in 0..len {
                *out.add(i) = general(*x.add(i), p);
            }
        }
    }
}

/// `|x|` without `std`.
fn abs(x: f32) -> f32 {
    f32::from_bits(x.to_bits() & 0x7fff_ffff)
}

/// Whether `p` is an integer, and whether an odd one.
fn parity(p: f32) -> (bool, bool) {
    // Every f32 of magnitude 2^24 or more is an even integer.
    if abs(p) >= 16_777_216.0 {
        return (true, false);
    }
    let i = p as i32;
    let integer = i as f32 == p;
    (integer, integer && i & 1 != 0)
}

/// `x^p` with Math.pow's edge cases, for any `x` and `p`.
pub(crate) fn general(x: f32, p: f32) -> f32 {
    if p == 0.0 {
        return 1.0;
    }
    if p.is_nan() || x.is_nan() {
        return f32::NAN;
    }
    let ax = abs(x);
    if p.is_infinite() {
        return if ax == 1.0 {
            f32::NAN
        } else if (ax > 1.0) == (p > 0.0) {
            f32::INFINITY
        } else {
            0.0
        };
    }
    let (integer, odd) = parity(p);
    if x < 0.0 && !integer && ax != f32::INFINITY {
        return f32::NAN;
    }
    let magnitude = if ax == 0.0 || ax == f32::INFINITY {
        if (ax == 0.0) == (p > 0.0) {
            0.0
        } else {
            f32::INFINITY
        }
    } else {
        // One rounding, from an f64 accurate to ~1e-15: correctly rounded except
        // within ~1e-8 ulp of a tie.
        exp64(f64::from(p) * ln64(f64::from(ax))) as f32
    };
    // The sign of -0 and -inf carries through odd integer powers too.
    if odd && x.is_sign_negative() {
        -magnitude
    } else {
        magnitude
    }
}

const LN_2: f64 = core::f64::consts::LN_2;

/// ln v for a positive finite f64 that came from an f32 (so it is normal), with
/// ln m = 2·atanh((m−1)/(m+1)) on m in [√½, √2), where |s| < 0.172 and the series to
/// s^21 is exact to f64 rounding.
fn ln64(v: f64) -> f64 {
    let bits = v.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i32 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > core::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut t = 0.0;
    for &c in ATANH.iter().rev() {
        t = t * s2 + c;
    }
    f64::from(e) * LN_2 + 2.0 * (s + s * s2 * t)
}

/// 1/3, 1/5, …, 1/21: the coefficients of atanh(s)/s − 1 in powers of s².
const ATANH: [f64; 10] = [
    1.0 / 3.0,
    1.0 / 5.0,
    1.0 / 7.0,
    1.0 / 9.0,
    1.0 / 11.0,
    1.0 / 13.0,
    1.0 / 15.0,
    1.0 / 17.0,
    1.0 / 19.0,
    1.0 / 21.0,
];

/// 1/k! for k = 0..=13: the Taylor coefficients of e^r.
const EXP_TAYLOR: [f64; 14] = {
    let mut c = [1.0; 14];
    let mut k = 1;
    while k < 14 {
        c[k] = c[k - 1] / k as f64;
        k += 1;
    }
    c
};

/// e^y in f64 for |y| ≤ 200 (beyond, far outside f32's range: inf or 0), as
/// 2^n·e^r with |r| ≤ ln(2)/2 and e^r by its Taylor series to r^13 (error < 1e-17).
fn exp64(y: f64) -> f64 {
    if y > 200.0 {
        return f64::INFINITY;
    }
    if y < -200.0 {
        return 0.0;
    }
    // fdlibm's split of ln 2: LN2_HI has 32 significant bits, so n·LN2_HI is exact.
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // Round to nearest by the 1.5·2^52 trick (|y·log2 e| < 2^51).
    let magic = 6_755_399_441_055_744.0;
    let n = (y * core::f64::consts::LOG2_E + magic) - magic;
    let r = (y - n * LN2_HI) - n * LN2_LO;
    let mut er = 0.0;
    for &c in EXP_TAYLOR.iter().rev() {
        er = er * r + c;
    }
    // |n| ≤ 289, so 2^n is a normal f64.
    er * f64::from_bits(((n as i64 + 1023) as u64) << 52)
}
