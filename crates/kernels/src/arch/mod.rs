//! One module per instruction set, each compiled only where it can run. A module
//! implements [`Simd`](crate::simd::Simd) and instantiates the shared kernel bodies in
//! functions compiled for its instruction set.

// One lane, everywhere: the scalar path of the kernels written over `Simd`, and the tail
// of every SIMD loop, so both run the same operations.
pub(crate) mod scalar;

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86_64_avx2;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) mod wasm32_simd128;

#[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
pub(crate) mod aarch64_neon;
