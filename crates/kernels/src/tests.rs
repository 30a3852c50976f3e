//! Every SIMD kernel against `scalar` on the same deterministic random inputs,
//! through the public API so dispatch is exercised too. Run with
//! `cargo test -p descent-kernels` (add `--release` for speed); the simd128 path is not
//! reachable natively and is tested from TypeScript against the reference backend, the
//! NEON path runs under qemu-aarch64 (see `scripts/test`).
//!
//! Tolerances: elementwise kernels and `sum_rows` perform the same IEEE operations in
//! the same order as `scalar`, so they must agree bit for bit. `matmul` differs by fused
//! multiply-adds and by splitting the depth into blocks: each element must be within
//! `1e-5 · Σₚ|aᵢₚ·bₚⱼ|` of the scalar one. `sum`, and `sum_rows` of one column, add in
//! another order: they must be within `1e-6 · Σ|xᵢ|` of the exact (f64) sum.
use crate::{
    matmul, matmul_rows, scalar, sgd_step, sum, sum_rows, BinaryOp, Epilogue, Isa, SgdOptions,
};
use std::vec::Vec;
use std::{format, vec};

mod axis;
mod optim;
mod strided;
mod unary;

/// splitmix64: tiny, deterministic and good enough to vary shapes and values.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    /// Uniform in [-1, 1).
    fn f32(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
    fn vec(&mut self, len: usize) -> Vec<f32> {
        (0..len).map(|_| self.f32()).collect()
    }
}

/// The instruction set under test. Fails rather than passing vacuously on a CPU where
/// the scalar path would be compared with itself.
fn simd() -> Isa {
    let isa = Isa::detect();
    assert_ne!(
        isa,
        Isa::SCALAR,
        "no SIMD instruction set detected (x86-64 needs AVX2 and FMA): the SIMD kernels cannot be tested here"
    );
    isa
}

fn assert_bits_eq(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            g.to_bits() == w.to_bits(),
            "{what}: [{i}] = {g}, scalar gives {w}"
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn check_matmul(isa: Isa, rng: &mut Rng, m: usize, k: usize, n: usize, ta: bool, tb: bool) {
    let (a, b) = (rng.vec(m * k), rng.vec(k * n));
    let mut want = vec![0.0; m * n];
    scalar::matmul(&a, &b, &mut want, m, k, n, ta, tb);
    let abs = |v: &[f32]| v.iter().map(|x| x.abs()).collect::<Vec<_>>();
    let mut scale = vec![0.0; m * n];
    scalar::matmul(&abs(&a), &abs(&b), &mut scale, m, k, n, ta, tb);
    // NaN everywhere: every element must be written, whatever `c` held.
    let mut got = vec![f32::NAN; m * n];
    matmul(isa, &a, &b, &mut got, m, k, n, ta, tb);
    for i in 0..m * n {
        let tol = 1e-5 * scale[i];
        assert!(
            (got[i] - want[i]).abs() <= tol,
            "matmul m={m} k={k} n={n} trans_a={ta} trans_b={tb}: [{}, {}] = {}, scalar gives {} (tolerance {tol})",
            i / n,
            i % n,
            got[i],
            want[i]
        );
    }
}

const TRANSPOSES: [(bool, bool); 4] = [(false, false), (false, true), (true, false), (true, true)];

#[test]
fn matmul_small_shapes_all_transposes() {
    let (isa, mut rng) = (simd(), Rng(1));
    let dims = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33];
    for (ta, tb) in TRANSPOSES {
        for m in dims {
            for k in dims {
                for n in dims {
                    check_matmul(isa, &mut rng, m, k, n, ta, tb);
                }
            }
        }
    }
}

#[test]
fn matmul_random_shapes_all_transposes() {
    let (isa, mut rng) = (simd(), Rng(2));
    for _ in 0..300 {
        let (m, k, n) = (rng.range(1, 70), rng.range(1, 70), rng.range(1, 70));
        for (ta, tb) in TRANSPOSES {
            check_matmul(isa, &mut rng, m, k, n, ta, tb);
        }
    }
}

/// Shapes around the tile (6×16 and 4×8) and block (`MC`, `KC`, `NC`) boundaries, and
/// a few large ones.
#[test]
fn matmul_block_edges_and_large_shapes() {
    use crate::simd::matmul::{KC, MC, NC};
    let (isa, mut rng) = (simd(), Rng(3));
    for (ta, tb) in TRANSPOSES {
        for m in [5, 6, 7, MC - 1, MC, MC + 1] {
            for k in [KC - 1, KC, KC + 1, 2 * KC + 1] {
                for n in [NC - 1, NC, NC + 1, 2 * NC + 1] {
                    check_matmul(isa, &mut rng, m, k, n, ta, tb);
                }
            }
        }
        // The last: a `C` over `PREFETCH_C` floats, added to across depth blocks, so the
        // tiles' prefetches of `C` run, edge tiles included.
        for (m, k, n) in [
            (300, 300, 300),
            (257, 129, 300),
            (64, 520, 96),
            (515, 260, 515),
        ] {
            check_matmul(isa, &mut rng, m, k, n, ta, tb);
        }
    }
}

/// A `C` of more than `PREFETCH_C` floats, added to across depth blocks, so the tiles'
/// prefetches of `C` run, edge tiles included. Its scalar reference takes over a minute
/// under qemu, so scripts/test leaves it to the native run, as the prefetch does not
/// depend on the instruction set.
#[test]
fn matmul_prefetching_large_c() {
    use crate::simd::matmul::{KC, PREFETCH_C};
    const M: usize = 515;
    const K: usize = KC + 4;
    const _: () = assert!(M * M > PREFETCH_C);
    let (isa, mut rng) = (simd(), Rng(17));
    for (ta, tb) in TRANSPOSES {
        check_matmul(isa, &mut rng, M, K, M, ta, tb);
    }
}

/// `matmul_rows` over row blocks of `block` rows (as threads would split `C`), with a
/// bias and ReLU as given, against the scalar product followed by the same epilogue.
#[allow(clippy::too_many_arguments)]
fn check_matmul_rows(
    isa: Isa,
    rng: &mut Rng,
    (m, k, n): (usize, usize, usize),
    (ta, tb): (bool, bool),
    block: usize,
    with_bias: bool,
    relu: bool,
) {
    let (a, b, bias) = (rng.vec(m * k), rng.vec(k * n), rng.vec(n));
    let epi = Epilogue {
        bias: if with_bias { Some(&bias) } else { None },
        relu,
    };
    let mut want = vec![0.0; m * n];
    scalar::matmul(&a, &b, &mut want, m, k, n, ta, tb);
    let abs = |v: &[f32]| v.iter().map(|x| x.abs()).collect::<Vec<_>>();
    let mut scale = vec![0.0; m * n];
    scalar::matmul(&abs(&a), &abs(&b), &mut scale, m, k, n, ta, tb);
    for (i, w) in want.iter_mut().enumerate() {
        if with_bias {
            *w += bias[i % n];
        }
        if relu && *w < 0.0 {
            *w = 0.0;
        }
    }
    let mut got = vec![f32::NAN; m * n];
    for (r, rows) in got.chunks_mut((block * n).max(1)).enumerate() {
        matmul_rows(isa, &a, &b, rows, m, k, n, ta, tb, r * block, epi);
    }
    for i in 0..m * n {
        let tol = 1e-5 * (scale[i] + if with_bias { bias[i % n].abs() } else { 0.0 });
        assert!(
            (got[i] - want[i]).abs() <= tol && (!relu || got[i] >= 0.0),
            "matmul_rows m={m} k={k} n={n} trans_a={ta} trans_b={tb} block={block} bias={with_bias} relu={relu}: [{}, {}] = {}, scalar gives {} (tolerance {tol})",
            i / n,
            i % n,
            got[i],
            want[i]
        );
    }
}

/// Row blocks as the Node addon's threads compute them, on the direct and the packed
/// path, with every epilogue; block boundaries off and on the tile height.
#[test]
fn matmul_rows_blocks_and_epilogues() {
    let (isa, mut rng) = (simd(), Rng(10));
    let shapes = [
        (0, 3, 4),
        (3, 0, 4),
        (1, 1, 1),
        (100, 2, 1),
        (7, 5, 9),
        (50, 40, 33),
        (97, 130, 70),
        (130, 257, 200),
    ];
    for (m, k, n) in shapes {
        for t in TRANSPOSES {
            for block in [1, 7, 24, 48, 100, m.max(1)] {
                for (with_bias, relu) in
                    [(false, false), (true, false), (false, true), (true, true)]
                {
                    check_matmul_rows(isa, &mut rng, (m, k, n), t, block, with_bias, relu);
                    check_matmul_rows(Isa::SCALAR, &mut rng, (m, k, n), t, block, with_bias, relu);
                }
            }
        }
    }
}

/// `linear` is `matmul_rows` on `x·wᵀ`; NaN passes through its ReLU.
#[test]
fn linear_matches_matmul_with_epilogue_and_keeps_nan() {
    let (isa, mut rng) = (simd(), Rng(11));
    for (m, k, n) in [(100, 2, 1), (64, 300, 70), (5, 17, 3)] {
        let (x, w, bias) = (rng.vec(m * k), rng.vec(n * k), rng.vec(n));
        let mut want = vec![0.0; m * n];
        let epi = Epilogue {
            bias: Some(&bias),
            relu: true,
        };
        matmul_rows(isa, &x, &w, &mut want, m, k, n, false, true, 0, epi);
        let mut got = vec![f32::NAN; m * n];
        crate::linear(isa, &x, &w, Some(&bias), &mut got, m, k, n, true);
        assert_bits_eq(&got, &want, &format!("linear {m}x{k}x{n}"));
    }
    // A NaN in row 0 of x poisons that row of the product; relu must keep it.
    for (m, k, n) in [(2, 3, 4), (40, 70, 50)] {
        let (mut x, w) = (rng.vec(m * k), rng.vec(n * k));
        x[1] = f32::NAN;
        let mut out = vec![0.0; m * n];
        crate::linear(isa, &x, &w, None, &mut out, m, k, n, true);
        assert!(
            out[..n].iter().all(|v| v.is_nan()),
            "linear {m}x{k}x{n}: relu(NaN)"
        );
        assert!(out[n..].iter().all(|v| *v >= 0.0));
    }
}

/// Around the direct path's threshold, and matrix-vector shapes on both paths.
#[test]
fn matmul_direct_path_threshold_and_skinny_shapes() {
    use crate::simd::matmul::SMALL;
    let (isa, mut rng) = (simd(), Rng(12));
    for (ta, tb) in TRANSPOSES {
        for (m, k, n) in [
            (SMALL / 256, 16, 16),
            (SMALL / 256 + 1, 16, 16),
            (1, 2000, 9),
            (2000, 9, 1),
            (1, 1000, 1),
            (3, 700, 37),
            (37, 3, 700),
            (1, 17, 300),
            (300, 17, 1),
        ] {
            check_matmul(isa, &mut rng, m, k, n, ta, tb);
        }
    }
}

fn check_binary(isa: Isa, op: BinaryOp, a: &[f32], b: &[f32], len: usize) {
    let mut want = vec![0.0; len];
    scalar::binary(op, a, b, &mut want);
    let mut got = vec![f32::NAN; len];
    crate::binary(isa, op, a, b, &mut got);
    assert_bits_eq(
        &got,
        &want,
        &format!("{op:?} a.len()={} b.len()={}", a.len(), b.len()),
    );
}

#[test]
fn binary_every_op_and_broadcast() {
    let (isa, mut rng) = (simd(), Rng(4));
    let cols = [1, 2, 3, 4, 7, 8, 9, 16, 17, 31, 64, 100, 127, 128, 129, 300];
    for op in [BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div] {
        for rows in [0, 1, 2, 3, 7, 40] {
            for cols in cols {
                let (full, other, row) =
                    (rng.vec(rows * cols), rng.vec(rows * cols), rng.vec(cols));
                let len = rows * cols;
                check_binary(isa, op, &full, &other, len);
                check_binary(isa, op, &full, &row, len);
                check_binary(isa, op, &row, &full, len);
            }
        }
        for len in (0..70).chain([255, 256, 257, 1000, 4099]) {
            let (x, s) = (rng.vec(len), rng.vec(1));
            check_binary(isa, op, &x, &s, len);
            check_binary(isa, op, &s, &x, len);
        }
    }
}

#[test]
fn scale_matches_scalar() {
    let (isa, mut rng) = (simd(), Rng(5));
    for len in (0..70).chain([255, 1000, 4099]) {
        for s in [0.0, -1.5, rng.f32()] {
            let a = rng.vec(len);
            let (mut want, mut got) = (vec![0.0; len], vec![f32::NAN; len]);
            scalar::scale(&a, s, &mut want);
            crate::scale(isa, &a, s, &mut got);
            assert_bits_eq(&got, &want, &format!("scale len={len} s={s}"));
        }
    }
}

#[test]
fn sum_and_mean_close_to_exact() {
    let (isa, mut rng) = (simd(), Rng(6));
    assert_eq!(sum(isa, &[]), 0.0);
    assert!(crate::mean(isa, &[]).is_nan());
    for len in (1..70).chain([100, 1000, 4097, 100_003]) {
        let a = rng.vec(len);
        let exact: f64 = a.iter().map(|&x| f64::from(x)).sum();
        let tol = 1e-6 * a.iter().map(|x| f64::from(x.abs())).sum::<f64>();
        let mut column = [f32::NAN];
        sum_rows(isa, &a, &mut column, len, 1);
        for (what, got) in [("sum", sum(isa, &a)), ("sum_rows of one column", column[0])] {
            let got = f64::from(got);
            assert!(
                (got - exact).abs() <= tol,
                "{what} len={len}: {got}, exact {exact} (tolerance {tol})"
            );
        }
        let mean = f64::from(crate::mean(isa, &a));
        assert!(
            (mean - exact / len as f64).abs() <= tol / len as f64,
            "mean len={len}"
        );
    }
}

#[test]
fn sum_rows_matches_scalar() {
    let (isa, mut rng) = (simd(), Rng(7));
    for rows in [0, 1, 2, 3, 7, 50] {
        // One column is `sum`, tested in `sum_and_mean_close_to_exact`.
        for cols in [0, 2, 3, 8, 9, 17, 64, 65, 300] {
            let a = rng.vec(rows * cols);
            let (mut want, mut got) = (vec![0.0; cols], vec![f32::NAN; cols]);
            scalar::sum_rows(&a, &mut want, rows, cols);
            sum_rows(isa, &a, &mut got, rows, cols);
            assert_bits_eq(&got, &want, &format!("sum_rows {rows}×{cols}"));
        }
    }
}

#[test]
fn sgd_step_matches_scalar_for_every_option() {
    let (isa, mut rng) = (simd(), Rng(8));
    for bits in 0..64u32 {
        let flag = |i: u32| bits & (1 << i) != 0;
        let o = SgdOptions {
            lr: 0.05,
            momentum: if flag(0) { 0.9 } else { 0.0 },
            dampening: if flag(1) { 0.25 } else { 0.0 },
            weight_decay: if flag(2) { 0.01 } else { 0.0 },
            nesterov: flag(3),
            maximize: flag(4),
            first_step: flag(5),
        };
        for len in [0, 1, 3, 7, 8, 9, 15, 16, 17, 33, 1000] {
            let (param, grad) = (rng.vec(len), rng.vec(len));
            // Without momentum the buffer may be empty, and must then stay untouched.
            let buf = if o.momentum != 0.0 {
                rng.vec(len)
            } else {
                Vec::new()
            };
            let (mut p_want, mut b_want) = (param.clone(), buf.clone());
            scalar::sgd_step(&mut p_want, &grad, &mut b_want, &o);
            let (mut p_got, mut b_got) = (param, buf);
            sgd_step(isa, &mut p_got, &grad, &mut b_got, &o);
            let what = format!("sgd_step len={len} {o:?}");
            assert_bits_eq(&p_got, &p_want, &what);
            assert_bits_eq(&b_got, &b_want, &what);
        }
    }
}

#[test]
fn isa_constructors() {
    assert_eq!(Isa::SCALAR.name(), "scalar");
    #[cfg(target_arch = "x86_64")]
    assert_eq!(simd().name(), "avx2+fma");
    // This host build does not enable AVX2 at compile time, so nothing is assumed.
    #[cfg(all(target_arch = "x86_64", not(target_feature = "avx2")))]
    assert_eq!(Isa::best_static(), Isa::SCALAR);
    // NEON is part of the AArch64 baseline: the static choice is already the best.
    #[cfg(target_arch = "aarch64")]
    assert_eq!(simd().name(), "neon");
    #[cfg(target_arch = "aarch64")]
    assert_eq!(Isa::best_static(), simd());
}

/// Throughput of the SIMD matmul, for reports rather than assertions:
/// `cargo test -p descent-kernels --release --features std -- --ignored --nocapture`.
/// Square products in every transpose variant, then one of a single depth block and
/// column block (`10·MC × KC × NC`), whose `C` stays in cache: what the tile loop
/// reaches with little else around it, to set against `bench/peak.c`'s measured peak.
#[test]
#[ignore]
fn matmul_gflops() {
    use crate::simd::matmul::{KC, MC, NC};
    use std::time::Instant;
    let (isa, mut rng) = (simd(), Rng(9));
    let squares = [256, 512, 1024]
        .into_iter()
        .flat_map(|n| TRANSPOSES.map(|(ta, tb)| (n, n, n, ta, tb)));
    for (m, k, n, ta, tb) in squares.chain([(10 * MC, KC, NC, false, false)]) {
        let (a, b, mut c) = (rng.vec(m * k), rng.vec(k * n), vec![0.0; m * n]);
        let mut best = f64::INFINITY;
        let start = Instant::now();
        while start.elapsed().as_secs_f64() < 0.5 {
            let t = Instant::now();
            matmul(isa, &a, &b, &mut c, m, k, n, ta, tb);
            best = best.min(t.elapsed().as_secs_f64());
        }
        let flop = 2.0 * (m * k * n) as f64;
        std::println!(
            "{m}x{k}x{n} trans_a={ta:<5} trans_b={tb:<5}: {:6.1} GFLOPS",
            flop / best / 1e9
        );
    }
}

/// Nanoseconds per call of tiny products, for reports rather than assertions:
/// `cargo test -p descent-kernels --release --features std -- --ignored --nocapture matmul_tiny`.
#[test]
#[ignore]
fn matmul_tiny_ns() {
    use std::println;
    use std::time::Instant;
    let (isa, mut rng) = (simd(), Rng(13));
    for (m, k, n, ta, tb) in [
        (1, 1, 1, false, false),
        (100, 2, 1, false, true),
        (1, 100, 2, true, false),
        (100, 1, 2, false, false),
        (32, 32, 32, false, false),
        (64, 64, 64, false, false),
    ] {
        let (a, b, mut c) = (rng.vec(m * k), rng.vec(k * n), vec![0.0; m * n]);
        let reps = 200_000 / (m * n * k / 1000 + 1);
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            let t = Instant::now();
            for _ in 0..reps {
                matmul(isa, &a, &b, &mut c, m, k, n, ta, tb);
            }
            best = best.min(t.elapsed().as_secs_f64() / reps as f64);
        }
        println!("{m}x{k}x{n} ta={ta} tb={tb}: {:8.1} ns", best * 1e9);
    }
}
