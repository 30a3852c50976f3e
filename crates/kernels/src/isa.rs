//! Which instruction set the kernels run on, and the one place that dispatches on it.
//!
//! Soundness: the SIMD entry points in `arch/` are `unsafe` because they execute
//! instructions the CPU may lack. An `Isa` names one of them, and its field is private:
//! outside this file an `Isa` comes only from `SCALAR`, `detect` (which asks the CPU) or
//! `best_static` (which picks only what the compiler was told to assume for the whole
//! program). So holding an `Isa` proves its instructions are available, and every
//! `unsafe` call below relies on exactly that.
use crate::{scalar, BinaryOp, SgdOptions};

#[cfg(target_arch = "x86_64")]
use crate::arch::x86_64_avx2 as avx2;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use crate::arch::wasm32_simd128 as simd128;

#[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
use crate::arch::aarch64_neon as neon;

/// The instruction set a kernel runs on. A value other than `Isa::SCALAR` can only be
/// obtained where the CPU is known to support it, so dispatching on it is sound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Isa(Kind);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Scalar,
    // Without `std` only `best_static` can construct it, and only in a build that
    // assumes AVX2 and FMA everywhere.
    #[cfg(target_arch = "x86_64")]
    #[cfg_attr(not(any(feature = "std", test)), allow(dead_code))]
    Avx2Fma,
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Simd128,
    #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
    Neon,
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
const BEST_STATIC: Kind = Kind::Simd128;
#[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
const BEST_STATIC: Kind = Kind::Neon;
#[cfg(all(
    target_arch = "x86_64",
    target_feature = "avx2",
    target_feature = "fma"
))]
const BEST_STATIC: Kind = Kind::Avx2Fma;
#[cfg(not(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    all(target_arch = "aarch64", target_feature = "neon"),
    all(
        target_arch = "x86_64",
        target_feature = "avx2",
        target_feature = "fma"
    )
)))]
const BEST_STATIC: Kind = Kind::Scalar;

impl Isa {
    /// Plain Rust loops: always available.
    pub const SCALAR: Isa = Isa(Kind::Scalar);

    /// The best instruction set this program was compiled to assume, without asking the
    /// CPU, so it needs no `std`: `simd128` on wasm32 built with `+simd128` (a module
    /// using it does not validate on an engine without SIMD, so running proves support),
    /// NEON on AArch64 (part of the baseline of every AArch64 target that enables it),
    /// AVX2+FMA on x86-64 built with both target features, else `SCALAR`.
    /// This is the constructor for the wasm build.
    pub const fn best_static() -> Isa {
        Isa(BEST_STATIC)
    }

    /// The best instruction set of this CPU, asked at run time (needs the `std` feature;
    /// always available to this crate's own tests).
    #[cfg(any(feature = "std", test))]
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            return Isa(Kind::Avx2Fma);
        }
        Isa::best_static()
    }

    /// A short stable name: `"scalar"`, `"avx2+fma"`, `"simd128"` or `"neon"`.
    pub fn name(self) -> &'static str {
        match self.0 {
            Kind::Scalar => "scalar",
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2Fma => "avx2+fma",
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Kind::Simd128 => "simd128",
            #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
            Kind::Neon => "neon",
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn dispatch_matmul(
        self,
        a: &[f32],
        b: &[f32],
        c: &mut [f32],
        m: usize,
        k: usize,
        n: usize,
        ta: bool,
        tb: bool,
        first_row: usize,
        epi: crate::Epilogue,
    ) {
        match self.0 {
            Kind::Scalar => scalar::matmul_rows(a, b, c, m, k, n, ta, tb, first_row, epi),
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2Fma => unsafe {
                avx2::matmul(a, b, c, m, k, n, ta, tb, first_row, epi.raw())
            },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Kind::Simd128 => unsafe {
                simd128::matmul(a, b, c, m, k, n, ta, tb, first_row, epi.raw())
            },
            #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
            Kind::Neon => unsafe { neon::matmul(a, b, c, m, k, n, ta, tb, first_row, epi.raw()) },
        }
    }

    /// Runs one of the kernels of `simd::nn`; the caller has checked what `nn::run`
    /// requires.
    pub(crate) fn dispatch_nn(self, call: crate::simd::nn::Call) {
        use crate::arch::scalar::Scalar;
        use crate::simd::nn::run;
        match self.0 {
            Kind::Scalar => unsafe { run::<Scalar>(call) },
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2Fma => unsafe { avx2::nn(call) },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Kind::Simd128 => unsafe { simd128::nn(call) },
            #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
            Kind::Neon => unsafe { neon::nn(call) },
        }
    }

    pub(crate) fn dispatch_binary(self, op: BinaryOp, a: &[f32], b: &[f32], out: &mut [f32]) {
        match self.0 {
            Kind::Scalar => scalar::binary(op, a, b, out),
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2Fma => unsafe { avx2::binary(op, a, b, out) },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Kind::Simd128 => unsafe { simd128::binary(op, a, b, out) },
            #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
            Kind::Neon => unsafe { neon::binary(op, a, b, out) },
        }
    }

    pub(crate) fn dispatch_scale(self, a: &[f32], s: f32, out: &mut [f32]) {
        match self.0 {
            Kind::Scalar => scalar::scale(a, s, out),
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2Fma => unsafe { avx2::scale(a, s, out) },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Kind::Simd128 => unsafe { simd128::scale(a, s, out) },
            #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
            Kind::Neon => unsafe { neon::scale(a, s, out) },
        }
    }

    pub(crate) fn dispatch_sum(self, a: &[f32]) -> f32 {
        match self.0 {
            Kind::Scalar => scalar::sum(a),
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2Fma => unsafe { avx2::sum(a) },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Kind::Simd128 => unsafe { simd128::sum(a) },
            #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
            Kind::Neon => unsafe { neon::sum(a) },
        }
    }

    pub(crate) fn dispatch_sum_rows(self, a: &[f32], out: &mut [f32], rows: usize, cols: usize) {
        match self.0 {
            Kind::Scalar => scalar::sum_rows(a, out, rows, cols),
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2Fma => unsafe { avx2::sum_rows(a, out, rows, cols) },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Kind::Simd128 => unsafe { simd128::sum_rows(a, out, rows, cols) },
            #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
            Kind::Neon => unsafe { neon::sum_rows(a, out, rows, cols) },
        }
    }

    pub(crate) fn dispatch_sgd_step(
        self,
        p: &mut [f32],
        g: &[f32],
        buf: &mut [f32],
        o: &SgdOptions,
    ) {
        match self.0 {
            Kind::Scalar => scalar::sgd_step(p, g, buf, o),
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2Fma => unsafe { avx2::sgd_step(p, g, buf, o) },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Kind::Simd128 => unsafe { simd128::sgd_step(p, g, buf, o) },
            #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
            Kind::Neon => unsafe { neon::sgd_step(p, g, buf, o) },
        }
    }

    pub(crate) fn dispatch_adam_step(
        self,
        p: &mut [f32],
        g: &[f32],
        m: &mut [f32],
        v: &mut [f32],
        v_max: &mut [f32],
        o: &crate::optim::AdamOptions,
    ) {
        match self.0 {
            Kind::Scalar => crate::optim::scalar::adam_step(p, g, m, v, v_max, o),
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2Fma => unsafe { avx2::adam_step(p, g, m, v, v_max, o) },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Kind::Simd128 => unsafe { simd128::adam_step(p, g, m, v, v_max, o) },
            #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
            Kind::Neon => unsafe { neon::adam_step(p, g, m, v, v_max, o) },
        }
    }

    pub(crate) fn dispatch_adagrad_step(
        self,
        p: &mut [f32],
        g: &[f32],
        sum: &mut [f32],
        o: &crate::optim::AdagradOptions,
    ) {
        match self.0 {
            Kind::Scalar => crate::optim::scalar::adagrad_step(p, g, sum, o),
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2Fma => unsafe { avx2::adagrad_step(p, g, sum, o) },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Kind::Simd128 => unsafe { simd128::adagrad_step(p, g, sum, o) },
            #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
            Kind::Neon => unsafe { neon::adagrad_step(p, g, sum, o) },
        }
    }

    pub(crate) fn dispatch_rmsprop_step(
        self,
        p: &mut [f32],
        g: &[f32],
        sq: &mut [f32],
        ga: &mut [f32],
        buf: &mut [f32],
        o: &crate::optim::RmspropOptions,
    ) {
        match self.0 {
            Kind::Scalar => crate::optim::scalar::rmsprop_step(p, g, sq, ga, buf, o),
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2Fma => unsafe { avx2::rmsprop_step(p, g, sq, ga, buf, o) },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Kind::Simd128 => unsafe { simd128::rmsprop_step(p, g, sq, ga, buf, o) },
            #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
            Kind::Neon => unsafe { neon::rmsprop_step(p, g, sq, ga, buf, o) },
        }
    }
}
