//! Gathering a strided view (a transpose, a broadcast, a slice) into a contiguous
//! array. Pure data movement: no instruction set of its own, so no [`Isa`](crate::Isa).

/// How many elements of the source a view reaches: one more than its largest offset
/// `Σ (shape[d] − 1)·strides[d]`, or 0 when the view has no elements; `None` when that
/// overflows `usize` or `shape` and `strides` differ in length. Bindings check it
/// against the source's length; [`strided_copy`] asserts it.
pub fn strided_extent(shape: &[usize], strides: &[usize]) -> Option<usize> {
    if shape.len() != strides.len() {
        return None;
    }
    if shape.contains(&0) {
        return Some(0);
    }
    let mut last: usize = 0;
    for (&n, &s) in shape.iter().zip(strides) {
        last = last.checked_add((n - 1).checked_mul(s)?)?;
    }
    last.checked_add(1)
}

/// `out[i] = a[Σ_d index_d(i)·strides[d]]`, where `index(i)` is the position of `i` in
/// the row-major `shape`. A stride of 0 repeats a dimension; permuted strides transpose.
pub fn strided_copy(a: &[f32], out: &mut [f32], shape: &[usize], strides: &[usize]) {
    let numel = shape.iter().try_fold(1usize, |p, &n| p.checked_mul(n));
    assert!(shape.len() == strides.len() && numel == Some(out.len()));
    if out.is_empty() {
        return;
    }
    assert!(matches!(strided_extent(shape, strides), Some(e) if e <= a.len()));
    let (outer, run) = innermost_run(shape, strides);
    gather(a, out, &shape[..outer], &strides[..outer], 0, run);
}

/// The innermost loop: `len` elements `stride` apart.
#[derive(Clone, Copy)]
struct Run {
    len: usize,
    stride: usize,
}

/// The trailing dimensions one run covers (they merge while each steps over exactly
/// the run so far, as a contiguous or fully broadcast block does; dimensions of size 1
/// merge with anything), and how many leading dimensions remain.
fn innermost_run(shape: &[usize], strides: &[usize]) -> (usize, Run) {
    let mut run = Run { len: 1, stride: 0 };
    let mut d = shape.len();
    while d > 0 {
        let (n, s) = (shape[d - 1], strides[d - 1]);
        if run.len == 1 {
            run = Run { len: n, stride: s };
        } else if n != 1 && run.stride.checked_mul(run.len) != Some(s) {
            break;
        } else {
            // No overflow: the run never exceeds the view's element count.
            run.len *= n;
        }
        d -= 1;
    }
    (d, run)
}

fn gather(a: &[f32], out: &mut [f32], shape: &[usize], strides: &[usize], offset: usize, run: Run) {
    let (mut shape, mut strides) = (shape, strides);
    // Dimensions of size 1 change nothing. Skipping them also bounds the recursion:
    // every other dimension at least doubles the element count, so it is at most 64
    // deep whatever the rank.
    while let Some((&1, rest)) = shape.split_first() {
        shape = rest;
        strides = &strides[1..];
    }
    let (n, rest) = match shape.split_first() {
        Some((&n, rest)) => (n, rest),
        None => return copy_run(a, offset, out, run),
    };
    if rest.is_empty() && strides[0] == 1 && run.stride > 1 {
        return transpose(a, out, n, offset, run);
    }
    let chunk = out.len() / n;
    for (i, part) in out.chunks_exact_mut(chunk).enumerate() {
        gather(a, part, rest, &strides[1..], offset + i * strides[0], run);
    }
}

/// The last `rows` runs of a transpose: each starts one element after the previous in
/// `a`. Copied run after run, every read would touch a new cache line; copied in blocks
/// of `BLOCK` columns, each line read serves `BLOCK` consecutive rows.
fn transpose(a: &[f32], out: &mut [f32], rows: usize, offset: usize, run: Run) {
    const BLOCK: usize = 16;
    for j0 in (0..run.len).step_by(BLOCK) {
        let w = BLOCK.min(run.len - j0);
        for (i, row) in out.chunks_exact_mut(run.len).enumerate().take(rows) {
            let src = offset + i + j0 * run.stride;
            for (j, o) in row[j0..j0 + w].iter_mut().enumerate() {
                *o = a[src + j * run.stride];
            }
        }
    }
}

/// One run into `out` (`run.len` elements): a plain copy when contiguous, a fill when
/// broadcast.
fn copy_run(a: &[f32], offset: usize, out: &mut [f32], run: Run) {
    match run.stride {
        1 => out.copy_from_slice(&a[offset..offset + out.len()]),
        0 => out.fill(a[offset]),
        s => {
            for (j, o) in out.iter_mut().enumerate() {
                *o = a[offset + j * s];
            }
        }
    }
}
