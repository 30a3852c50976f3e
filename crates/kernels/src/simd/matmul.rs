//! Blocked matrix product in the GotoBLAS/BLIS shape, sized for stack buffers.
//!
//! `C` is computed in `MR×NR` tiles held in registers (`NR` = `NV` vectors), each summed
//! over a `KC`-deep slice of the inner dimension. Both operands are copied into small
//! stack blocks before the tile loop reads them:
//! - a `KC×NC` block of `op(B)`, as `NR`-column panels of contiguous rows, once per
//!   block (so its cost is shared by all `m` rows);
//! - an `MC×KC` block of `op(A)`, copied along whichever dimension `A` stores
//!   contiguously, once per `NC` columns of `C`.
//!
//! The copies are where transposes are absorbed (strides swap; nothing is transposed
//! whole), where edges are padded with zeros (so one tile kernel serves every shape),
//! and they keep the tile loop off the cache-set conflicts of power-of-two leading
//! dimensions. Loop order, outside in: `NC` columns, `KC` depth, `MC` rows, one `NR`
//! panel of `B` (then in L1), the `MR`-row groups of the `A` block (also in L1).
use super::Simd;
use core::cmp::min;
use core::mem::MaybeUninit;

/// Depth of a block: a tile's load and store of `C` is amortised over `KC`
/// multiply-adds, and one `KC×NR` panel of `B` plus the `MC×KC` block of `A` fit in L1.
pub(crate) const KC: usize = 128;
/// Width of the packed block of `B`, a multiple of every instruction set's `NR`. `A` is
/// copied once per `NC` columns, so wider is better; the stack bounds it (48 KiB).
pub(crate) const NC: usize = 96;
/// Height of the packed block of `A`, a multiple of every instruction set's `MR`.
pub(crate) const MC: usize = 24;
/// Bounds on the tile shape, to size the edge buffer (stable Rust cannot write
/// `[f32; MR * NR]` for const generics).
const MAX_MR: usize = 8;
const MAX_NR: usize = 16;

/// A matrix as a base pointer and element strides: a stored transpose is the same
/// matrix with the strides swapped.
#[derive(Clone, Copy)]
struct Strided {
    ptr: *const f32,
    row: usize,
    col: usize,
}

impl Strided {
    #[inline(always)]
    unsafe fn at(self, r: usize, c: usize) -> *const f32 {
        self.ptr.add(r * self.row + c * self.col)
    }
}

/// `c = op(a)·op(b)` with `op(a)` `m×k` and `op(b)` `k×n`, as `crate::matmul`; every
/// element of `c` is written, its previous contents are ignored.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn matmul<S: Simd, const MR: usize, const NV: usize>(
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
    trans_a: bool,
    trans_b: bool,
) {
    let nr = NV * S::LANES;
    debug_assert!(MR <= MAX_MR && nr <= MAX_NR && MC % MR == 0 && NC % nr == 0);
    if k == 0 {
        c.fill(0.0);
        return;
    }
    let (a, b, c) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
    let a = if trans_a {
        Strided {
            ptr: a,
            row: 1,
            col: m,
        }
    } else {
        Strided {
            ptr: a,
            row: k,
            col: 1,
        }
    };
    let b = if trans_b {
        Strided {
            ptr: b,
            row: 1,
            col: k,
        }
    } else {
        Strided {
            ptr: b,
            row: n,
            col: 1,
        }
    };
    // Only what the packing wrote is ever read, so zeroing 60 KiB per call would be waste.
    let mut b_block = MaybeUninit::<[f32; KC * NC]>::uninit();
    let mut a_block = MaybeUninit::<[f32; MC * KC]>::uninit();
    let (b_block, a_block) = (
        b_block.as_mut_ptr() as *mut f32,
        a_block.as_mut_ptr() as *mut f32,
    );
    for jc in (0..n).step_by(NC) {
        let nc = min(NC, n - jc);
        for pc in (0..k).step_by(KC) {
            let kc = min(KC, k - pc);
            pack_b::<S, NV>(b, pc, jc, kc, nc, b_block);
            for ic in (0..m).step_by(MC) {
                let mc = min(MC, m - ic);
                let a_rows = pack_a::<S, MR>(a, ic, mc, pc, kc, a_block);
                for jr in (0..nc).step_by(nr) {
                    for ir in (0..mc).step_by(MR) {
                        let a_group = Strided {
                            ptr: a_rows.at(ir, 0),
                            ..a_rows
                        };
                        let acc = tile::<S, MR, NV>(kc, a_group, b_block.add(jr * kc));
                        let dst = c.add((ic + ir) * n + jc + jr);
                        store_tile::<S, MR, NV>(
                            &acc,
                            dst,
                            n,
                            min(MR, mc - ir),
                            min(nr, nc - jr),
                            pc == 0,
                        );
                    }
                }
            }
        }
    }
}

/// The register tile: `acc[r][v]` is `MR` rows by `NV` vectors of `C`, summed over `kc`
/// steps of one `A` row group and one packed `B` panel (`kc` rows of `NR` floats).
#[inline(always)]
unsafe fn tile<S: Simd, const MR: usize, const NV: usize>(
    kc: usize,
    a: Strided,
    b: *const f32,
) -> [[S::V; NV]; MR] {
    let mut acc = [[S::zero(); NV]; MR];
    let (mut a_col, mut b_row) = (a.ptr, b);
    for _ in 0..kc {
        let mut bv = [S::zero(); NV];
        for (v, x) in bv.iter_mut().enumerate() {
            *x = S::load(b_row.add(v * S::LANES));
        }
        for (r, acc_row) in acc.iter_mut().enumerate() {
            let ar = S::splat(*a_col.add(r * a.row));
            for (x, bx) in acc_row.iter_mut().zip(&bv) {
                *x = S::mul_add(ar, *bx, *x);
            }
        }
        a_col = a_col.add(a.col);
        b_row = b_row.add(NV * S::LANES);
    }
    acc
}

/// Writes (first depth block) or adds (later ones) the valid `rows×cols` corner of a tile
/// into `C`, whose rows are `ldc` apart. Edge tiles go through a buffer because their
/// vectors would cross the end of a row of `C`.
#[inline(always)]
unsafe fn store_tile<S: Simd, const MR: usize, const NV: usize>(
    acc: &[[S::V; NV]; MR],
    dst: *mut f32,
    ldc: usize,
    rows: usize,
    cols: usize,
    overwrite: bool,
) {
    let nr = NV * S::LANES;
    if rows == MR && cols == nr {
        for (r, acc_row) in acc.iter().enumerate() {
            for (v, x) in acc_row.iter().enumerate() {
                let p = dst.add(r * ldc + v * S::LANES);
                S::store(
                    p,
                    if overwrite {
                        *x
                    } else {
                        S::add(S::load(p), *x)
                    },
                );
            }
        }
        return;
    }
    let mut buf = MaybeUninit::<[f32; MAX_MR * MAX_NR]>::uninit();
    let buf = buf.as_mut_ptr() as *mut f32;
    for (r, acc_row) in acc.iter().enumerate() {
        for (v, x) in acc_row.iter().enumerate() {
            S::store(buf.add(r * nr + v * S::LANES), *x);
        }
    }
    for r in 0..rows {
        for j in 0..cols {
            let (p, x) = (dst.add(r * ldc + j), *buf.add(r * nr + j));
            *p = if overwrite { x } else { *p + x };
        }
    }
}

/// Packs `op(B)[p0..p0+kc, j0..j0+nc]` as panels of `NR` columns, each `kc` rows of
/// `NR` contiguous floats, zero-padded past column `nc`.
#[inline(always)]
unsafe fn pack_b<S: Simd, const NV: usize>(
    b: Strided,
    p0: usize,
    j0: usize,
    kc: usize,
    nc: usize,
    dst: *mut f32,
) {
    let nr = NV * S::LANES;
    for jr in (0..nc).step_by(nr) {
        let (cols, panel) = (min(nr, nc - jr), dst.add(jr * kc));
        if cols == nr && b.col == 1 {
            for p in 0..kc {
                for v in 0..NV {
                    let x = S::load(b.at(p0 + p, j0 + jr + v * S::LANES));
                    S::store(panel.add(p * nr + v * S::LANES), x);
                }
            }
        } else {
            for p in 0..kc {
                for j in 0..nr {
                    *panel.add(p * nr + j) = if j < cols {
                        *b.at(p0 + p, j0 + jr + j)
                    } else {
                        0.0
                    };
                }
            }
        }
    }
}

/// Copies `op(A)[i0..i0+rows, p0..p0+kc]` into `dst`, zero-padded to whole `MR`-row
/// groups, and returns its view. The copy keeps the stored orientation, so it runs
/// along contiguous memory: rows `KC` apart for `A`, columns `MC` apart for `Aᵀ`.
/// Reading from the copy rather than from `A` avoids the cache-set conflicts of
/// power-of-two leading dimensions, and costs little next to the `NC` uses per element.
#[inline(always)]
unsafe fn pack_a<S: Simd, const MR: usize>(
    a: Strided,
    i0: usize,
    rows: usize,
    p0: usize,
    kc: usize,
    dst: *mut f32,
) -> Strided {
    let padded = (rows + MR - 1) / MR * MR;
    if a.col == 1 {
        for i in 0..rows {
            copy_line::<S, KC>(a.at(i0 + i, p0), dst.add(i * KC), kc, kc);
        }
        for i in rows..padded {
            core::ptr::write_bytes(dst.add(i * KC), 0, kc);
        }
        Strided {
            ptr: dst,
            row: KC,
            col: 1,
        }
    } else {
        for p in 0..kc {
            copy_line::<S, MC>(a.at(i0, p0 + p), dst.add(p * MC), rows, padded);
        }
        Strided {
            ptr: dst,
            row: 1,
            col: MC,
        }
    }
}

/// Copies `len` contiguous floats and zero-fills up to `padded <= MAX`. The vector loop
/// has the fixed trip count `MAX / LANES` so it is unrolled: a loop over `len` would be
/// turned into a call to `memcpy`, which costs more than these short copies.
#[inline(always)]
unsafe fn copy_line<S: Simd, const MAX: usize>(
    src: *const f32,
    dst: *mut f32,
    len: usize,
    padded: usize,
) {
    let vectors = len / S::LANES;
    for v in 0..MAX / S::LANES {
        if v < vectors {
            S::store(dst.add(v * S::LANES), S::load(src.add(v * S::LANES)));
        }
    }
    for i in vectors * S::LANES..padded {
        *dst.add(i) = if i < len { *src.add(i) } else { 0.0 };
    }
}
