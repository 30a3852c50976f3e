//! Blocked matrix product in the GotoBLAS/BLIS shape, sized for stack buffers, plus a
//! direct path for problems too small to repay packing.
//!
//! `C` is computed in `MR×NR` tiles held in registers (`NR` = `NV` vectors), each summed
//! over a `KC`-deep slice of the inner dimension. Both operands are copied into stack
//! blocks before the tile loop reads them:
//! - a `KC×NC` block of `op(B)`, as `NR`-column panels of contiguous rows, once per
//!   block (so its cost is shared by all `m` rows); a stored `Bᵀ` is transposed on the
//!   way in, `LANES×LANES` squares at a time in registers;
//! - an `MC×KC` block of `op(A)`, copied along whichever dimension `A` stores
//!   contiguously, once per `NC` columns of `C`.
//!
//! The copies are where transposes are absorbed (strides swap; nothing is transposed
//! whole), where edges are padded with zeros (so one tile kernel serves every shape),
//! and they keep the tile loop off the cache-set conflicts of power-of-two leading
//! dimensions. Loop order, outside in: `NC` columns, `KC` depth, `MC` rows, one `NR`
//! panel of `B` (then in L1), the `MR`-row groups of the `A` block (in L2).
//!
//! The last depth block applies the epilogue (bias row, ReLU) as it stores a tile, so
//! a Linear layer's forward writes its output once.
use super::Simd;
use crate::arch::scalar::Scalar;
use core::cmp::min;
use core::mem::MaybeUninit;

/// Depth of a block: a tile's load and store of `C` is amortised over `KC`
/// multiply-adds, and one `KC×NR` panel of `B` (16 KiB with `NR` = 16) stays in a 32 KiB L1.
pub(crate) const KC: usize = 256;
/// Width of the packed block of `B`, a multiple of every instruction set's `NR`. `A` is
/// copied once per `NC` columns, so wider is better: 384 rather than 192 made 1024³ ~10%
/// faster. The stack bounds it (384 KiB, beside a wasm stack of 1 MiB and the Node
/// addon's 2 MiB worker stacks); 768 measured no faster.
pub(crate) const NC: usize = 384;
/// Height of the packed block of `A`, a multiple of every instruction set's `MR` (48 KiB).
pub(crate) const MC: usize = 48;
/// A `C` of more floats than this (1 MiB) leaves L2 between depth blocks, and a tile's
/// rows, `n` floats apart, then arrive late for the tile that adds to them: prefetched
/// before the tile's product, 1024³ ran 6–9% faster. Smaller ones measured no change.
pub(crate) const PREFETCH_C: usize = 1 << 18;
/// Bounds on the tile shape, to size the edge buffer (stable Rust cannot write
/// `[f32; MR * NR]` for const generics).
const MAX_MR: usize = 8;
/// The height of the tile for a block's last rows when they fill no more than it.
const HALF_MR: usize = 3;
const MAX_NR: usize = 16;
/// At most this many multiply-adds (`rows·k·n`) take the direct path, which reads the
/// operands in place: below it, packing and padding cost more than they save.
pub(crate) const SMALL: usize = 16 * 1024;

/// What happens to each element of `C` as it is stored for the last time:
/// `c = max(c + bias[j], 0)`, each part optional.
#[derive(Clone, Copy)]
pub(crate) struct Epilogue {
    /// A row of `n` floats added to every row of `C`, or null.
    pub bias: *const f32,
    pub relu: bool,
}

impl Epilogue {
    /// Applies the epilogue to the vector (or, with `Scalar`, element) of `C` at column `j`.
    #[inline(always)]
    unsafe fn apply<T: Simd>(self, x: T::V, j: usize) -> T::V {
        let x = if self.bias.is_null() {
            x
        } else {
            T::add(x, T::load(self.bias.add(j)))
        };
        if self.relu {
            // `max` keeps NaN, as PyTorch's relu.
            T::max(x, T::zero())
        } else {
            x
        }
    }
}

/// A matrix as a base pointer and element strides: a stored transpose is the same
/// matrix with the strides swapped.
#[derive(Clone, Copy)]
pub(crate) struct Strided {
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

/// `op(a)` from row `first_row` on, and `op(b)`, as strided views (shapes as in
/// `crate::matmul`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn operands(
    a: &[f32],
    b: &[f32],
    m: usize,
    k: usize,
    n: usize,
    trans_a: bool,
    trans_b: bool,
    first_row: usize,
) -> (Strided, Strided) {
    let (a, b) = (a.as_ptr(), b.as_ptr());
    let a = if trans_a {
        Strided {
            ptr: a.add(first_row),
            row: 1,
            col: m,
        }
    } else {
        Strided {
            ptr: a.add(first_row * k),
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
    (a, b)
}

/// Whether a product of `rows×k×n` takes the direct path.
#[inline(always)]
pub(crate) fn is_direct(rows: usize, k: usize, n: usize) -> bool {
    k == 0 || rows * k * n <= SMALL
}

/// `rows` rows of `c = epilogue(op(a)·op(b))`, rows `n` apart, through packed blocks.
/// Its 432 KiB of stack blocks are why it is a function of its own: every call that
/// has them in its frame pays for probing each stack page, so the direct path must not.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn packed<S: Simd, const MR: usize, const NV: usize>(
    a: Strided,
    b: Strided,
    c: *mut f32,
    rows: usize,
    k: usize,
    n: usize,
    epi: Epilogue,
) {
    let nr = NV * S::LANES;
    debug_assert!(MR <= MAX_MR && nr <= MAX_NR && MC % MR == 0 && NC % nr == 0);
    // Only what the packing wrote is ever read, so zeroing 432 KiB per call would be waste.
    let mut b_block = MaybeUninit::<CacheAligned<[f32; KC * NC]>>::uninit();
    let mut a_block = MaybeUninit::<CacheAligned<[f32; MC * KC]>>::uninit();
    let (b_block, a_block) = (
        b_block.as_mut_ptr() as *mut f32,
        a_block.as_mut_ptr() as *mut f32,
    );
    for jc in (0..n).step_by(NC) {
        let nc = min(NC, n - jc);
        for pc in (0..k).step_by(KC) {
            let kc = min(KC, k - pc);
            let store = Store {
                overwrite: pc == 0,
                epi: if pc + kc == k { Some(epi) } else { None },
            };
            let prefetch_c = !store.overwrite && rows * n > PREFETCH_C;
            pack_b::<S, NV>(b, pc, jc, kc, nc, b_block);
            for ic in (0..rows).step_by(MC) {
                let mc = min(MC, rows - ic);
                let a_rows = pack_a::<S, MR>(a, ic, mc, pc, kc, a_block);
                for jr in (0..nc).step_by(nr) {
                    for ir in (0..mc).step_by(MR) {
                        let a_group = a_rows.ptr.add(ir / MR * a_rows.group);
                        let c_tile = c.add((ic + ir) * n + jc + jr);
                        if prefetch_c {
                            for r in 0..min(MR, mc - ir) {
                                S::prefetch(c_tile.add(r * n));
                                S::prefetch(c_tile.add(r * n + min(nr, nc - jr) - 1));
                            }
                        }
                        let b_panel = b_block.add(jr * kc);
                        let edge = Edge {
                            rows: min(MR, mc - ir),
                            cols: min(nr, nc - jr),
                            j0: jc + jr,
                        };
                        // The last rows of a block, up to half a tile, get a tile of
                        // half the height: as a whole tile over the zero padding, the
                        // two last of 128 rows cost the MLP's products ~3% of their
                        // time. One more height only: each is a copy of the loop.
                        if edge.rows <= HALF_MR && HALF_MR < MR {
                            rows_tile::<S, HALF_MR, MR, NV>(
                                &a_rows, kc, a_group, b_panel, store, c_tile, n, edge,
                            );
                        } else {
                            rows_tile::<S, MR, MR, NV>(
                                &a_rows, kc, a_group, b_panel, store, c_tile, n, edge,
                            );
                        }
                    }
                }
            }
        }
    }
}

/// A packed block on a cache-line boundary. An `f32` array needs only 4-byte alignment,
/// and a 32-byte vector read at a 16-byte offset straddles two lines every other read
/// (what cost 1024³ ~4% when the addon's arrays were so placed). The frames measured
/// today happened to be aligned; this keeps them so whatever else the frame holds.
#[repr(C, align(64))]
struct CacheAligned<T>(T);

/// Where a tile's valid corner lies in `C`: `rows×cols` from column `j0`.
#[derive(Clone, Copy)]
struct Edge {
    rows: usize,
    cols: usize,
    j0: usize,
}

/// The tile of `R` rows (at most `MR`, the packed group's height) at `dst`, rows `ldc`
/// apart, computed and stored.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn rows_tile<S: Simd, const R: usize, const MR: usize, const NV: usize>(
    a_rows: &PackedA,
    kc: usize,
    a_group: *const f32,
    b_panel: *const f32,
    store: Store,
    dst: *mut f32,
    ldc: usize,
    edge: Edge,
) {
    // Each packed layout with its strides as constants, so every broadcast is a fixed
    // offset from one pointer: a runtime stride made LLVM chain one add per row, a
    // dependency as long as the step's FMA throughput.
    let acc = if a_rows.interleaved {
        tile::<S, R, NV, 1, MR>(kc, a_group, b_panel)
    } else {
        tile::<S, R, NV, KC, 1>(kc, a_group, b_panel)
    };
    store.tile::<S, R, NV>(&acc, dst, ldc, edge.rows, edge.cols, edge.j0);
}

/// The register tile: `acc[r][v]` is `MR` rows by `NV` vectors of `C`, summed over `kc`
/// steps of one packed `A` row group (element `(r, p)` at `a + r·ROW + p·COL`) and one
/// packed `B` panel (`kc` rows of `NR` floats).
#[inline(always)]
unsafe fn tile<S: Simd, const MR: usize, const NV: usize, const ROW: usize, const COL: usize>(
    kc: usize,
    a: *const f32,
    b: *const f32,
) -> [[S::V; NV]; MR] {
    let mut acc = [[S::zero(); NV]; MR];
    let (mut a_col, mut b_row) = (a, b);
    // One step per iteration: unrolling by 4 measured slower in V8 (register
    // pressure on its 16 xmm registers), and by 2 no faster in the native build, where
    // the step's 12 FMAs (6 cycles on two pipes) hide the loop's add, add and branch.
    for _ in 0..kc {
        step::<S, MR, NV, ROW>(&mut acc, a_col, b_row);
        a_col = a_col.add(COL);
        b_row = b_row.add(NV * S::LANES);
    }
    acc
}

/// One depth step of the tile: `acc += a[0..MR]ᵀ·b[0..NR]`, the `MR` floats of `A`
/// `ROW` apart.
#[inline(always)]
unsafe fn step<S: Simd, const MR: usize, const NV: usize, const ROW: usize>(
    acc: &mut [[S::V; NV]; MR],
    a: *const f32,
    b: *const f32,
) {
    let mut bv = [S::zero(); NV];
    for (v, x) in bv.iter_mut().enumerate() {
        *x = S::load(b.add(v * S::LANES));
    }
    for (r, acc_row) in acc.iter_mut().enumerate() {
        let ar = S::load_splat(a.add(r * ROW));
        for (x, bx) in acc_row.iter_mut().zip(&bv) {
            *x = S::mul_add(ar, *bx, *x);
        }
    }
}

/// How a depth block's tiles reach `C`: written by the first block, added by later
/// ones, and passed through the epilogue by the last.
#[derive(Clone, Copy)]
struct Store {
    overwrite: bool,
    epi: Option<Epilogue>,
}

impl Store {
    #[inline(always)]
    unsafe fn one<T: Simd>(self, p: *mut f32, x: T::V, j: usize) {
        let x = if self.overwrite {
            x
        } else {
            T::add(T::load(p), x)
        };
        let x = match self.epi {
            Some(e) => e.apply::<T>(x, j),
            None => x,
        };
        T::store(p, x);
    }

    /// Stores the valid `rows×cols` corner of a tile into `C` at `dst` (column `j0`),
    /// whose rows are `ldc` apart. Edge tiles go through a buffer because their vectors
    /// would cross the end of a row of `C`.
    #[inline(always)]
    unsafe fn tile<S: Simd, const MR: usize, const NV: usize>(
        self,
        acc: &[[S::V; NV]; MR],
        dst: *mut f32,
        ldc: usize,
        rows: usize,
        cols: usize,
        j0: usize,
    ) {
        let nr = NV * S::LANES;
        if rows == MR && cols == nr {
            for (r, acc_row) in acc.iter().enumerate() {
                for (v, x) in acc_row.iter().enumerate() {
                    self.one::<S>(dst.add(r * ldc + v * S::LANES), *x, j0 + v * S::LANES);
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
                self.one::<Scalar>(dst.add(r * ldc + j), *buf.add(r * nr + j), j0 + j);
            }
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
    let (lanes, nr) = (S::LANES, NV * S::LANES);
    for jr in (0..nc).step_by(nr) {
        let (cols, panel) = (min(nr, nc - jr), dst.add(jr * kc));
        let mut p = 0;
        if cols == nr && b.col == 1 {
            for p in 0..kc {
                for v in 0..NV {
                    let x = S::load(b.at(p0 + p, j0 + jr + v * lanes));
                    S::store(panel.add(p * nr + v * lanes), x);
                }
            }
            continue;
        }
        if cols == nr && b.row == 1 {
            // `Bᵀ` stores each column of `op(B)` contiguously: transpose squares of
            // `LANES` columns by `LANES` depths in registers.
            while p + lanes <= kc {
                for v in 0..NV {
                    let src = b.at(p0 + p, j0 + jr + v * lanes);
                    S::transpose(src, b.col, panel.add(p * nr + v * lanes), nr);
                }
                p += lanes;
            }
        }
        for p in p..kc {
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

/// Copies `op(A)[i0..i0+rows, p0..p0+kc]` into `dst`, zero-padded to whole `MR`-row
/// groups, and returns its view; group `g` starts at `ptr + g·group`. The copy runs
/// along whichever dimension `A` stores contiguously: for `A`, rows `KC` apart (the
/// tile reads `MR` rows as `MR` short streams); for `Aᵀ`, each group as `kc` runs of
/// `MR` floats, so the tile reads one contiguous stream. Reading from the copy rather
/// than from `A` avoids the cache-set conflicts of power-of-two leading dimensions,
/// and costs little next to the `NC` uses per element.
#[inline(always)]
unsafe fn pack_a<S: Simd, const MR: usize>(
    a: Strided,
    i0: usize,
    rows: usize,
    p0: usize,
    kc: usize,
    dst: *mut f32,
) -> PackedA {
    let padded = rows.div_ceil(MR) * MR;
    if a.col == 1 {
        for i in 0..rows {
            copy_line::<S, KC>(a.at(i0 + i, p0), dst.add(i * KC), kc, kc);
        }
        for i in rows..padded {
            core::ptr::write_bytes(dst.add(i * KC), 0, kc);
        }
        PackedA {
            ptr: dst,
            interleaved: false,
            group: MR * KC,
        }
    } else {
        // Row by row of the stored `k×m` matrix: each depth `p` reads the block's `rows`
        // contiguous floats once and deals them out to the groups. Going group by group
        // instead read `MR` floats from each of `kc` rows `m` apart and came back to the
        // same lines for the next group; with a power-of-two `m` those rows fall in a few
        // cache sets (in L1 by their address, in L2 by that and the page), so the lines
        // were evicted in between and each was fetched again, often from L3, per group.
        let full = rows / MR;
        // Whole vectors cover each group's `MR` floats and spill into the next depth's
        // slot, which that depth then overwrites; the spill of the last depth would land
        // in the next group, so it is copied exactly, as are groups whose vectors would
        // read past the block's rows.
        let vectors = MR.div_ceil(S::LANES);
        let span = vectors * S::LANES;
        let spilling = span != MR;
        let vector_groups = if rows >= span {
            min(full, (rows - span) / MR + 1)
        } else {
            0
        };
        for p in 0..kc {
            let src = a.at(i0, p0 + p);
            let fast = if spilling && p + 1 == kc {
                0
            } else {
                vector_groups
            };
            for g in 0..fast {
                let (from, to) = (src.add(g * MR), dst.add(g * MR * kc + p * MR));
                for v in 0..vectors {
                    S::store(to.add(v * S::LANES), S::load(from.add(v * S::LANES)));
                }
            }
            for g in fast..full {
                let (from, to) = (src.add(g * MR), dst.add(g * MR * kc + p * MR));
                for r in 0..MR {
                    *to.add(r) = *from.add(r);
                }
            }
            if full * MR < rows {
                let (from, to) = (src.add(full * MR), dst.add(full * MR * kc + p * MR));
                for r in 0..MR {
                    *to.add(r) = if full * MR + r < rows {
                        *from.add(r)
                    } else {
                        0.0
                    };
                }
            }
        }
        PackedA {
            ptr: dst,
            interleaved: true,
            group: MR * kc,
        }
    }
}

/// A packed block of `A`: group `g` of `MR` rows starts at `ptr + g·group`. Within a
/// group, element `(r, p)` is at `r + p·MR` when `interleaved` (the copy of `Aᵀ`), else
/// at `r·KC + p` (rows of `A` copied whole).
#[derive(Clone, Copy)]
struct PackedA {
    ptr: *const f32,
    interleaved: bool,
    group: usize,
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

/// Columns of `C` one row of the direct path keeps in registers.
const DIRECT_VECTORS: usize = 4;

/// `C = epilogue(A·B)` read in place, for problems where packing would cost more than
/// the product (matrix-vector shapes, tiny layers). It picks the loop whose innermost
/// axis is contiguous: dot products along `k` when rows of `A` and columns of `B` are
/// both contiguous (`short_dots` when shorter than a vector), else rows of `C`
/// accumulated from rows of `B`.
#[inline(always)]
pub(crate) unsafe fn direct<S: Simd>(
    a: Strided,
    b: Strided,
    c: *mut f32,
    rows: usize,
    k: usize,
    n: usize,
    epi: Epilogue,
) {
    if a.col == 1 && b.row == 1 && k >= S::LANES {
        for i in 0..rows {
            for j in 0..n {
                let x = dot::<S>(a.at(i, 0), b.at(0, j), k);
                *c.add(i * n + j) = epi.apply::<Scalar>(x, j);
            }
        }
    } else if b.col == 1 {
        for i in 0..rows {
            let row = c.add(i * n);
            let mut j = 0;
            while j + DIRECT_VECTORS * S::LANES <= n {
                let mut acc = [S::zero(); DIRECT_VECTORS];
                for p in 0..k {
                    let x = S::splat(*a.at(i, p));
                    for (v, acc) in acc.iter_mut().enumerate() {
                        *acc = S::mul_add(x, S::load(b.at(p, j + v * S::LANES)), *acc);
                    }
                }
                for (v, acc) in acc.iter().enumerate() {
                    let j = j + v * S::LANES;
                    S::store(row.add(j), epi.apply::<S>(*acc, j));
                }
                j += DIRECT_VECTORS * S::LANES;
            }
            while j + S::LANES <= n {
                let mut acc = S::zero();
                for p in 0..k {
                    acc = S::mul_add(S::splat(*a.at(i, p)), S::load(b.at(p, j)), acc);
                }
                S::store(row.add(j), epi.apply::<S>(acc, j));
                j += S::LANES;
            }
            // Fewer columns left than a vector holds: no instruction set has more than 8
            // lanes, so this is every width.
            debug_assert!(n - j < 8);
            match n - j {
                0 => {}
                1 => narrow_columns::<1>(a, b, row, i, j, k, epi),
                2 => narrow_columns::<2>(a, b, row, i, j, k, epi),
                3 => narrow_columns::<3>(a, b, row, i, j, k, epi),
                4 => narrow_columns::<4>(a, b, row, i, j, k, epi),
                5 => narrow_columns::<5>(a, b, row, i, j, k, epi),
                6 => narrow_columns::<6>(a, b, row, i, j, k, epi),
                _ => narrow_columns::<7>(a, b, row, i, j, k, epi),
            }
        }
    } else if a.col == 1 && b.row == 1 && k < S::LANES {
        // No instruction set has more than 8 lanes, so this is every depth.
        debug_assert!(k <= 7);
        match k {
            0 => short_dots::<0>(a, b, c, rows, n, epi),
            1 => short_dots::<1>(a, b, c, rows, n, epi),
            2 => short_dots::<2>(a, b, c, rows, n, epi),
            3 => short_dots::<3>(a, b, c, rows, n, epi),
            4 => short_dots::<4>(a, b, c, rows, n, epi),
            5 => short_dots::<5>(a, b, c, rows, n, epi),
            6 => short_dots::<6>(a, b, c, rows, n, epi),
            _ => short_dots::<7>(a, b, c, rows, n, epi),
        }
    } else {
        for i in 0..rows {
            for j in 0..n {
                let x = dot_strided(a.at(i, 0), a.col, b.at(0, j), b.row, k);
                *c.add(i * n + j) = epi.apply::<Scalar>(x, j);
            }
        }
    }
}

/// The direct path's dot products of depth `K`, below one vector, rows of `A` and
/// columns of `B` contiguous: the forward of a layer with a few inputs (the tutorial's
/// two). Column by column, so that the column of `B` stays in registers and the loop
/// over rows is a few multiply-adds with nothing to set up: as `dot_strided`'s tail
/// (the same sums, in the same order) it cost ~5 cycles a row.
#[inline(always)]
unsafe fn short_dots<const K: usize>(
    a: Strided,
    b: Strided,
    c: *mut f32,
    rows: usize,
    n: usize,
    epi: Epilogue,
) {
    for j in 0..n {
        let column = b.at(0, j);
        let y: [f32; K] = core::array::from_fn(|p| *column.add(p));
        for i in 0..rows {
            let x = a.at(i, 0);
            let mut total = 0.0;
            for (p, &yp) in y.iter().enumerate() {
                total += *x.add(p) * yp;
            }
            *c.add(i * n + j) = epi.apply::<Scalar>(total, j);
        }
    }
}

/// Row `i` of `C` at columns `j..j + W`, fewer than a vector, rows of `B` contiguous:
/// `dot_strided` on each column at once, with its sums in its order, so each row of `B`
/// is read once for all `W` (a layer's weight gradient with a few inputs, the tutorial's
/// two, took 80 ns as two strided dot products).
#[inline(always)]
unsafe fn narrow_columns<const W: usize>(
    a: Strided,
    b: Strided,
    row: *mut f32,
    i: usize,
    j: usize,
    k: usize,
    epi: Epilogue,
) {
    let mut sums = [[0.0f32; W]; 4];
    let mut p = 0;
    while p + 4 <= k {
        for (q, sums) in sums.iter_mut().enumerate() {
            let (x, y) = (*a.at(i, p + q), b.at(p + q, j));
            for (w, sum) in sums.iter_mut().enumerate() {
                *sum += x * *y.add(w);
            }
        }
        p += 4;
    }
    let mut totals: [f32; W] =
        core::array::from_fn(|w| (sums[0][w] + sums[1][w]) + (sums[2][w] + sums[3][w]));
    for p in p..k {
        let (x, y) = (*a.at(i, p), b.at(p, j));
        for (w, total) in totals.iter_mut().enumerate() {
            *total += x * *y.add(w);
        }
    }
    for (w, &total) in totals.iter().enumerate() {
        *row.add(j + w) = epi.apply::<Scalar>(total, j + w);
    }
}

/// `Σₚ x[p]·y[p]` over `len` contiguous terms: two vector accumulators, then the tail.
#[inline(always)]
unsafe fn dot<S: Simd>(x: *const f32, y: *const f32, len: usize) -> f32 {
    let mut acc = [S::zero(); 2];
    let mut p = 0;
    while p + 2 * S::LANES <= len {
        for (v, acc) in acc.iter_mut().enumerate() {
            let q = p + v * S::LANES;
            *acc = S::mul_add(S::load(x.add(q)), S::load(y.add(q)), *acc);
        }
        p += 2 * S::LANES;
    }
    let mut total = S::reduce_sum(S::add(acc[0], acc[1]));
    for p in p..len {
        total += *x.add(p) * *y.add(p);
    }
    total
}

/// `Σₚ x[p·dx]·y[p·dy]` over `len` terms: four running sums, so a long dot product
/// (the weight gradient of a layer with one or two outputs) is not one chain of
/// dependent additions.
#[inline(always)]
unsafe fn dot_strided(x: *const f32, dx: usize, y: *const f32, dy: usize, len: usize) -> f32 {
    let mut sums = [0.0; 4];
    let mut p = 0;
    while p + 4 <= len {
        for (q, sum) in sums.iter_mut().enumerate() {
            *sum += *x.add((p + q) * dx) * *y.add((p + q) * dy);
        }
        p += 4;
    }
    let mut total = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    for p in p..len {
        total += *x.add(p * dx) * *y.add(p * dy);
    }
    total
}
