//! The fused optimizer updates and `sqrt`: SIMD against scalar, bit for bit, for every
//! combination of options over several steps (so buffers carry state between steps).
use super::{assert_bits_eq, simd, Rng};
use crate::optim::scalar;
use crate::sqrt::soft_sqrt;
use crate::{adagrad_step, adam_step, rmsprop_step, AdagradOptions, AdamOptions, RmspropOptions};
use std::format;
use std::vec::Vec;

const LENGTHS: [usize; 12] = [0, 1, 3, 7, 8, 9, 15, 16, 17, 33, 100, 1000];
const STEPS: u32 = 5;

/// Options as the host computes them from PyTorch's options: scalar factors in f64.
fn adam_options(step: u32, bits: u32) -> AdamOptions {
    let flag = |i: u32| bits & (1 << i) != 0;
    let (lr, beta1, beta2, wd) = (0.01f64, 0.9f64, 0.999f64, if flag(0) { 0.1 } else { 0.0 });
    let decoupled = flag(1);
    AdamOptions {
        beta1: beta1 as f32,
        beta2: beta2 as f32,
        one_minus_beta1: (1.0 - beta1) as f32,
        one_minus_beta2: (1.0 - beta2) as f32,
        eps: 1e-8,
        weight_decay: if decoupled { 0.0 } else { wd as f32 },
        param_scale: if decoupled {
            (1.0 - lr * wd) as f32
        } else {
            1.0
        },
        neg_step_size: (-lr / (1.0 - beta1.powi(step as i32))) as f32,
        bias_correction2_sqrt: (1.0 - beta2.powi(step as i32)).sqrt() as f32,
        amsgrad: flag(2),
        maximize: flag(3),
    }
}

fn adagrad_options(step: u32, bits: u32) -> AdagradOptions {
    let flag = |i: u32| bits & (1 << i) != 0;
    let (lr, lr_decay) = (0.1f64, if flag(0) { 0.01 } else { 0.0 });
    AdagradOptions {
        neg_clr: (-lr / (1.0 + f64::from(step - 1) * lr_decay)) as f32,
        weight_decay: if flag(1) { 0.05 } else { 0.0 },
        eps: 1e-10,
        maximize: flag(2),
    }
}

fn rmsprop_options(bits: u32) -> RmspropOptions {
    let flag = |i: u32| bits & (1 << i) != 0;
    let alpha = 0.99f64;
    RmspropOptions {
        alpha: alpha as f32,
        one_minus_alpha: (1.0 - alpha) as f32,
        eps: 1e-8,
        weight_decay: if flag(0) { 0.05 } else { 0.0 },
        momentum: if flag(1) { 0.9 } else { 0.0 },
        neg_lr: -0.01,
        centered: flag(2),
        maximize: flag(3),
    }
}

/// `len` random values, or none when the buffer is unused (it must then stay untouched).
fn buffer(rng: &mut Rng, used: bool, len: usize) -> Vec<f32> {
    if used {
        // Second moments are never negative.
        rng.vec(len).iter().map(|x| x.abs()).collect()
    } else {
        Vec::new()
    }
}

#[test]
fn adam_step_matches_scalar_for_every_option() {
    let (isa, mut rng) = (simd(), Rng(20));
    for bits in 0..16u32 {
        for len in LENGTHS {
            let mut want = [
                rng.vec(len),
                rng.vec(len),
                buffer(&mut rng, true, len),
                buffer(&mut rng, adam_options(1, bits).amsgrad, len),
            ];
            let mut got = want.clone();
            for step in 1..=STEPS {
                let o = adam_options(step, bits);
                let grad = rng.vec(len);
                let [p, m, v, x] = &mut want;
                scalar::adam_step(p, &grad, m, v, x, &o);
                let [p, m, v, x] = &mut got;
                adam_step(isa, p, &grad, m, v, x, &o);
                for (g, w) in got.iter().zip(&want) {
                    assert_bits_eq(g, w, &format!("adam_step len={len} step={step} {o:?}"));
                }
            }
        }
    }
}

#[test]
fn adagrad_step_matches_scalar_for_every_option() {
    let (isa, mut rng) = (simd(), Rng(21));
    for bits in 0..8u32 {
        for len in LENGTHS {
            let mut want = [rng.vec(len), buffer(&mut rng, true, len)];
            let mut got = want.clone();
            for step in 1..=STEPS {
                let o = adagrad_options(step, bits);
                let grad = rng.vec(len);
                let [p, s] = &mut want;
                scalar::adagrad_step(p, &grad, s, &o);
                let [p, s] = &mut got;
                adagrad_step(isa, p, &grad, s, &o);
                for (g, w) in got.iter().zip(&want) {
                    assert_bits_eq(g, w, &format!("adagrad_step len={len} step={step} {o:?}"));
                }
            }
        }
    }
}

#[test]
fn rmsprop_step_matches_scalar_for_every_option() {
    let (isa, mut rng) = (simd(), Rng(22));
    for bits in 0..16u32 {
        let o = rmsprop_options(bits);
        for len in LENGTHS {
            let mut want = [
                rng.vec(len),
                buffer(&mut rng, true, len),
                // A zero grad_avg keeps square_avg - grad_avg² from going negative.
                vec_of(0.0, if o.centered { len } else { 0 }),
                buffer(&mut rng, o.uses_momentum(), len),
            ];
            let mut got = want.clone();
            for step in 1..=STEPS {
                let grad = rng.vec(len);
                let [p, sq, ga, buf] = &mut want;
                scalar::rmsprop_step(p, &grad, sq, ga, buf, &o);
                let [p, sq, ga, buf] = &mut got;
                rmsprop_step(isa, p, &grad, sq, ga, buf, &o);
                for (g, w) in got.iter().zip(&want) {
                    assert_bits_eq(g, w, &format!("rmsprop_step len={len} step={step} {o:?}"));
                }
            }
        }
    }
}

fn vec_of(value: f32, len: usize) -> Vec<f32> {
    std::vec![value; len]
}

#[test]
fn sqrt_is_correctly_rounded() {
    let mut rng = Rng(23);
    let specials = [
        0.0,
        -0.0,
        1.0,
        2.0,
        4.0,
        f32::MIN_POSITIVE,
        1e-45,
        f32::MAX,
        f32::INFINITY,
    ];
    let randoms = (0..100_000).map(|_| f32::from_bits((rng.next() >> 33) as u32));
    for x in specials.into_iter().chain(randoms) {
        let want = x.sqrt();
        for (name, got) in [("sqrt", crate::sqrt(x)), ("soft_sqrt", soft_sqrt(x))] {
            let same = got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan());
            assert!(same, "{name}({x:e}) = {got:e}, std gives {want:e}");
        }
    }
    for x in [-1.0, -f32::MIN_POSITIVE, f32::NEG_INFINITY, f32::NAN] {
        assert!(
            crate::sqrt(x).is_nan() && soft_sqrt(x).is_nan(),
            "sqrt({x}) must be NaN"
        );
    }
}
