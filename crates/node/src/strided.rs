//! `stridedCopy` (see `lib.rs` for the conventions): the shape and strides arrive as
//! JavaScript arrays and are checked here, so that no index the view can produce lies
//! outside `a`.

use napi::bindgen_prelude::{FromNapiValue, Unknown};
use napi::Result;
use napi_derive::napi;

use crate::{array, input, invalid, size};

const OP: &str = "stridedCopy";

/// An array of non-negative integers.
fn dims(name: &str, v: Unknown) -> Result<Vec<usize>> {
    let values = Vec::<Unknown>::from_unknown(v)
        .map_err(|_| invalid(format!("{OP}: {name} must be an array of integers")))?;
    values
        .into_iter()
        .enumerate()
        .map(|(d, x)| size(OP, &format!("{name}[{d}]"), x))
        .collect()
}

/// `out[i] = a[Σ_d index_d(i)·aStrides[d]]` for a contiguous `out` of shape `outShape`.
#[napi(catch_unwind)]
pub fn strided_copy(
    a: Unknown,
    out: Unknown,
    out_shape: Unknown,
    a_strides: Unknown,
) -> Result<()> {
    let (a, mut out) = (array(OP, "a", a)?, array(OP, "out", out)?);
    let (shape, strides) = (dims("outShape", out_shape)?, dims("aStrides", a_strides)?);
    let view = format!("shape {shape:?} with strides {strides:?}");
    if shape.len() != strides.len() {
        return Err(invalid(format!(
            "{OP}: {view}: expected one stride per dimension"
        )));
    }
    match shape.iter().try_fold(1usize, |p, &n| p.checked_mul(n)) {
        Some(n) if n == out.len() => {}
        Some(n) => {
            return Err(invalid(format!(
                "{OP}: {view} has {n} elements but out has {}",
                out.len()
            )))
        }
        None => {
            return Err(invalid(format!(
                "{OP}: {view}: the element count overflows"
            )))
        }
    }
    match descent_kernels::strided_extent(&shape, &strides) {
        Some(extent) if extent <= a.len() => {}
        Some(extent) => {
            return Err(invalid(format!(
                "{OP}: {view} reaches element {} but a has {} elements",
                extent - 1,
                a.len()
            )))
        }
        None => {
            return Err(invalid(format!(
                "{OP}: {view}: the largest offset overflows"
            )))
        }
    }
    let a = input(&a, &out);
    // SAFETY: no JavaScript runs during this call and `a` was copied if it overlaps `out`.
    let out = unsafe { out.as_mut() };
    descent_kernels::strided_copy(&a, out, &shape, &strides);
    Ok(())
}
