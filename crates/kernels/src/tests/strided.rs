//! `strided_copy` against the definition, computed index by index, over transposes,
//! broadcasts, slices, size-1 and empty dimensions; and `strided_extent`'s overflow
//! checks.
use super::Rng;
use crate::{strided_copy, strided_extent};
use std::vec::Vec;

/// `out[i] = a[Σ index_d(i)·strides[d]]`, one element at a time.
fn by_definition(a: &[f32], shape: &[usize], strides: &[usize]) -> Vec<f32> {
    let n: usize = shape.iter().product();
    (0..n)
        .map(|mut i| {
            let mut offset = 0;
            for d in (0..shape.len()).rev() {
                offset += (i % shape[d]) * strides[d];
                i /= shape[d];
            }
            a[offset]
        })
        .collect()
}

fn check(a: &[f32], shape: &[usize], strides: &[usize]) {
    let want = by_definition(a, shape, strides);
    let mut got = std::vec![f32::NAN; want.len()];
    strided_copy(a, &mut got, shape, strides);
    assert_eq!(got, want, "shape {shape:?} strides {strides:?}");
}

fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = std::vec![1; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        strides[d] = strides[d + 1] * shape[d + 1];
    }
    strides
}

#[test]
fn fixed_views() {
    let a: Vec<f32> = (0..64).map(|i| i as f32).collect();
    let cases: [(&[usize], &[usize]); 14] = [
        (&[], &[]),
        (&[0], &[1]),
        (&[3, 0, 2], &[1, 1, 1]),
        (&[5], &[1]),
        (&[5], &[0]),
        (&[5], &[3]),
        (&[4, 6], &[6, 1]),
        (&[6, 4], &[1, 6]),
        (&[3, 4], &[0, 1]),
        (&[3, 4], &[1, 0]),
        (&[2, 3, 4], &[0, 0, 0]),
        (&[2, 1, 3, 1], &[30, 7, 2, 99]),
        (&[2, 3, 2, 2], &[12, 4, 1, 2]),
        (&[1, 1, 1], &[5, 6, 7]),
    ];
    for (shape, strides) in cases {
        check(&a, shape, strides);
    }
}

#[test]
fn random_permutations_broadcasts_and_slices() {
    let mut rng = Rng(40);
    for _ in 0..500 {
        let rank = rng.range(1, 5);
        let base: Vec<usize> = (0..rank).map(|_| rng.range(1, 6)).collect();
        let full = contiguous_strides(&base);
        // A permutation of the contiguous strides, then some dimensions broadcast
        // (stride 0, any size) or sliced (a smaller size, same stride).
        let mut order: Vec<usize> = (0..rank).collect();
        for i in (1..rank).rev() {
            order.swap(i, rng.range(0, i));
        }
        let mut shape: Vec<usize> = order.iter().map(|&d| base[d]).collect();
        let mut strides: Vec<usize> = order.iter().map(|&d| full[d]).collect();
        for d in 0..rank {
            match rng.range(0, 5) {
                0 => {
                    strides[d] = 0;
                    shape[d] = rng.range(1, 4);
                }
                1 => shape[d] = rng.range(1, shape[d]),
                _ => {}
            }
        }
        let len: usize = base.iter().product();
        let a: Vec<f32> = (0..len).map(|_| rng.f32()).collect();
        check(&a, &shape, &strides);
    }
}

#[test]
fn extent_checks_overflow_and_empty_views() {
    assert_eq!(strided_extent(&[], &[]), Some(1));
    assert_eq!(strided_extent(&[3, 4], &[4, 1]), Some(12));
    assert_eq!(strided_extent(&[3, 0], &[usize::MAX, 1]), Some(0));
    assert_eq!(strided_extent(&[3], &[usize::MAX / 2 + 1]), None);
    assert_eq!(
        strided_extent(&[2, 2], &[usize::MAX / 2, usize::MAX / 2]),
        Some(usize::MAX)
    );
    assert_eq!(
        strided_extent(&[2, 2], &[usize::MAX / 2 + 1, usize::MAX / 2]),
        None
    );
    assert_eq!(strided_extent(&[2], &[1, 1]), None);
}

#[test]
#[should_panic]
fn a_view_past_the_end_panics() {
    let mut out = [0.0; 4];
    strided_copy(&[0.0; 6], &mut out, &[2, 2], &[3, 3]);
}
