//! `stridedCopy` (see `lib.rs` for the conventions): the shape and strides arrive as
//! JavaScript arrays and are checked here, so that no index the view can produce lies
//! outside `a`.

use napi::Result;

use crate::js::Args;
use crate::{input, invalid};

/// `stridedCopy(a, out, outShape, aStrides)`: `out[i] = a[Σ_d index_d(i)·aStrides[d]]`
/// for a contiguous `out` of shape `outShape`.
pub fn strided_copy(args: &mut Args) -> Result<()> {
    let op = args.op();
    // First: reading JavaScript arrays may run JavaScript (see `Args::sizes`).
    let (shape, strides) = (args.sizes(2, "outShape")?, args.sizes(3, "aStrides")?);
    let (a, mut out) = (args.array(0, "a")?, args.array(1, "out")?);
    let view = format!("shape {shape:?} with strides {strides:?}");
    if shape.len() != strides.len() {
        return Err(invalid(format!(
            "{op}: {view}: expected one stride per dimension"
        )));
    }
    match shape.iter().try_fold(1usize, |p, &n| p.checked_mul(n)) {
        Some(n) if n == out.len() => {}
        Some(n) => {
            return Err(invalid(format!(
                "{op}: {view} has {n} elements but out has {}",
                out.len()
            )))
        }
        None => {
            return Err(invalid(format!(
                "{op}: {view}: the element count overflows"
            )))
        }
    }
    match descent_kernels::strided_extent(&shape, &strides) {
        Some(extent) if extent <= a.len() => {}
        Some(extent) => {
            return Err(invalid(format!(
                "{op}: {view} reaches element {} but a has {} elements",
                extent - 1,
                a.len()
            )))
        }
        None => {
            return Err(invalid(format!(
                "{op}: {view}: the largest offset overflows"
            )))
        }
    }
    let a = input(&a, &out);
    // SAFETY: no JavaScript runs during this call and `a` was copied if it overlaps `out`.
    let out = unsafe { out.as_mut() };
    descent_kernels::strided_copy(&a, out, &shape, &strides);
    Ok(())
}
