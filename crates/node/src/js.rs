//! The raw N-API layer under every export: each JavaScript name gets its own `extern "C"`
//! callback, which reads the call's arguments straight from N-API and runs the export's
//! Rust body, `FnOnce(&mut Args) -> Result<R>`.
//!
//! napi-rs's `#[napi]` wrappers cost 100 to 300 ns a call before any work (conversion
//! traits, borrow scopes, checks repeated in the body), while a small training step
//! makes about nine calls with less work than that in each. Here a call costs the N-API
//! calls it needs: one for the argument list, then one or two per argument read. napi-rs
//! still builds and registers the module, and builds the Errors thrown (`JsError`), so
//! they are what they were.

use std::ffi::c_void;
use std::marker::PhantomData;
use std::ops::Deref;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};

use napi::bindgen_prelude::{Object, ToNapiValue};
use napi::sys::{self, napi_callback_info, napi_env, napi_value};
use napi::{check_status, Env, Error, JsError, JsValue, Result, Status, ValueType};

use crate::invalid;
use crate::pool::panic_message;

/// The arguments read per call: as many as the longest export takes (adamStep). napi
/// reads the missing ones as undefined; extra ones are ignored.
const MAX_ARGS: usize = 16;

/// What an export's callback is.
pub type Callback = unsafe extern "C" fn(napi_env, napi_callback_info) -> napi_value;

/// `[(name, callback)]` for [`define`]: `exports!["add" => |args| ..., "sum" => sum]`, each
/// JavaScript name with the body that implements it (see [`call`]).
macro_rules! exports {
    ($($name:literal => $body:expr),* $(,)?) => {
        [$(($name, {
            unsafe extern "C" fn callback(
                env: napi::sys::napi_env,
                info: napi::sys::napi_callback_info,
            ) -> napi::sys::napi_value {
                // SAFETY: napi passes the env and info of the call it makes.
                unsafe { $crate::js::call(env, info, $name, $body) }
            }
            callback as $crate::js::Callback
        })),*]
    };
}
pub(crate) use exports;

/// Adds the exports to `exports` as napi-rs did: functions named after their property,
/// which is writable, enumerable and configurable.
pub fn define(env: &Env, exports: &Object, table: &[(&str, Callback)]) -> Result<()> {
    let (env, exports) = (env.raw(), exports.raw());
    let mut properties = Vec::with_capacity(table.len());
    for &(name, callback) in table {
        let (mut js_name, mut function) = (ptr::null_mut(), ptr::null_mut());
        let (utf8, len) = (name.as_ptr().cast(), name.len() as isize);
        // SAFETY: `utf8` is `len` bytes of UTF-8, and each call writes only its result.
        unsafe {
            check_status!(sys::napi_create_string_utf8(env, utf8, len, &mut js_name))?;
            check_status!(sys::napi_create_function(
                env,
                utf8,
                len,
                Some(callback),
                ptr::null_mut(),
                &mut function
            ))?;
        }
        properties.push(sys::napi_property_descriptor {
            utf8name: ptr::null(),
            name: js_name,
            method: None,
            getter: None,
            setter: None,
            value: function,
            attributes: sys::PropertyAttributes::writable
                | sys::PropertyAttributes::enumerable
                | sys::PropertyAttributes::configurable,
            data: ptr::null_mut(),
        });
    }
    // SAFETY: `properties` holds `len` descriptors of handles of this scope.
    check_status!(unsafe {
        sys::napi_define_properties(env, exports, properties.len(), properties.as_ptr())
    })
}

/// Runs one JavaScript call of export `op`: `body`'s value is returned to JavaScript, and
/// an `Err` or a panic is thrown as an Error (nothing unwinds into N-API).
///
/// # Safety
/// `env` and `info` must be the ones napi passed to the callback, which is running.
pub unsafe fn call<R: ToNapiValue>(
    env: napi_env,
    info: napi_callback_info,
    op: &'static str,
    body: impl FnOnce(&mut Args) -> Result<R>,
) -> napi_value {
    // Unwind safety: a panic leaves nothing of ours half-updated (JavaScript's memory
    // may be half-written, as with any Error thrown midway).
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: as the caller guarantees.
        let mut args = unsafe { Args::new(env, info, op) }?;
        let value = body(&mut args)?;
        // SAFETY: `env` is the running call's.
        unsafe { R::to_napi_value(env, value) }
    }));
    let error = match outcome {
        Ok(Ok(value)) => return value,
        Ok(Err(error)) => error,
        Err(payload) => Error::new(Status::GenericFailure, panic_message(payload)),
    };
    // SAFETY: `env` is the running call's. An exception already pending (a getter's, in
    // `Args::sizes`) is thrown instead of `error`, never both.
    unsafe { JsError::from(error).throw_into(env) };
    ptr::null_mut()
}

/// The arguments of one call, and the readers that check them: each reader reports a
/// wrong value as an Error naming the export, the argument and the value.
pub struct Args {
    env: napi_env,
    op: &'static str,
    argv: [napi_value; MAX_ARGS],
}

impl Args {
    /// # Safety
    /// As for [`call`].
    unsafe fn new(env: napi_env, info: napi_callback_info, op: &'static str) -> Result<Args> {
        let mut argv = [ptr::null_mut(); MAX_ARGS];
        let mut argc = MAX_ARGS;
        // SAFETY: `argv` has room for `argc` handles; napi fills all of them.
        check_status!(unsafe {
            sys::napi_get_cb_info(
                env,
                info,
                &mut argc,
                argv.as_mut_ptr(),
                ptr::null_mut(),
                ptr::null_mut(),
            )
        })?;
        Ok(Args { env, op, argv })
    }

    /// The export's JavaScript name, which starts every error message.
    pub fn op(&self) -> &'static str {
        self.op
    }

    /// A Float32Array, read in place: the floats in its bytes.
    ///
    /// Any other ArrayBufferView passes too, read as the floats its bytes hold (the
    /// whole floats, at an aligned address, so never past its end). Asking N-API for
    /// the typed array's kind probes the classes one by one before Float32Array's, a
    /// third of a read's ~450 instructions; a small training step reads ~11 arrays, all
    /// Float32Arrays the native backend made, so the check would cost every call what
    /// only a caller of the raw addon could get wrong, harmlessly.
    pub fn array(&self, i: usize, name: &str) -> Result<Floats<'_>> {
        match self.view(i) {
            Some((data, bytes)) => self.floats(data, bytes, name),
            None => Err(self.not_an_array(i, name)),
        }
    }

    /// A Float32Array, or `None` for null or undefined. An array is read first: asking
    /// its type would cost every array a probe through N-API's list of types.
    pub fn optional_array(&self, i: usize, name: &str) -> Result<Option<Floats<'_>>> {
        if let Some((data, bytes)) = self.view(i) {
            return self.floats(data, bytes, name).map(Some);
        }
        match self.type_of(self.argv[i]) {
            Some(ValueType::Null | ValueType::Undefined) => Ok(None),
            _ => Err(self.not_an_array(i, name)),
        }
    }

    /// The data and byte length of argument `i` if it is an array view.
    fn view(&self, i: usize) -> Option<(*mut c_void, usize)> {
        let (mut bytes, mut data) = (0, ptr::null_mut());
        // SAFETY: the handle is this call's, and napi writes only the two outputs.
        let status =
            unsafe { sys::napi_get_buffer_info(self.env, self.argv[i], &mut data, &mut bytes) };
        (status == sys::Status::napi_ok).then_some((data, bytes))
    }

    #[cold]
    fn not_an_array(&self, i: usize, name: &str) -> Error {
        self.wrong(Status::InvalidArg, self.argv[i], name, "a Float32Array")
    }

    /// The whole floats of a view's `bytes` at `data`.
    fn floats(&self, data: *mut c_void, bytes: usize, name: &str) -> Result<Floats<'_>> {
        let len = bytes / size_of::<f32>();
        // napi may give any pointer, null included, for no elements; a slice needs a
        // non-null aligned one even then, and a Float32Array's is always aligned (a
        // byte view's need not be).
        let data = match NonNull::new(data.cast::<f32>()) {
            _ if len == 0 => NonNull::dangling(),
            Some(data) if data.is_aligned() => data,
            _ => {
                return Err(invalid(format!(
                    "{}: {name}'s memory is not addressable as floats",
                    self.op
                )))
            }
        };
        Ok(Floats {
            data,
            len,
            _call: PhantomData,
        })
    }

    pub fn number(&self, i: usize, name: &str) -> Result<f64> {
        let v = self.argv[i];
        self.double(v)
            .ok_or_else(|| self.wrong(Status::NumberExpected, v, name, "a number"))
    }

    pub fn flag(&self, i: usize, name: &str) -> Result<bool> {
        let (v, mut x) = (self.argv[i], false);
        // SAFETY: the handle is this call's.
        match unsafe { sys::napi_get_value_bool(self.env, v, &mut x) } {
            sys::Status::napi_ok => Ok(x),
            _ => Err(self.wrong(Status::BooleanExpected, v, name, "a boolean")),
        }
    }

    /// A size: a non-negative integer number, checked rather than converted, since a
    /// conversion would make 4294967295 of -1 and 2 of 2.5.
    pub fn size(&self, i: usize, name: &str) -> Result<usize> {
        let v = self.argv[i];
        whole(self.double(v)).ok_or_else(|| self.wrong(Status::InvalidArg, v, name, SIZE))
    }

    /// An array of sizes. Reading it may run JavaScript (getters on its elements), which
    /// may detach or resize any Float32Array read before: hence `&mut self`, which makes
    /// the borrow checker refuse a [`Floats`] held across it.
    pub fn sizes(&mut self, i: usize, name: &str) -> Result<Vec<usize>> {
        let not_sizes = || invalid(format!("{}: {name} must be an array of integers", self.op));
        let mut len = 0;
        // SAFETY: the handle is this call's.
        check_status!(unsafe { sys::napi_get_array_length(self.env, self.argv[i], &mut len) })
            .map_err(|_| not_sizes())?;
        (0..len)
            .map(|d| {
                let mut x = ptr::null_mut();
                // SAFETY: the handle is this call's; `x` becomes one of its handles.
                check_status!(unsafe { sys::napi_get_element(self.env, self.argv[i], d, &mut x) })
                    .map_err(|_| not_sizes())?;
                whole(self.double(x))
                    .ok_or_else(|| self.wrong(Status::InvalidArg, x, &format!("{name}[{d}]"), SIZE))
            })
            .collect()
    }

    /// Argument `i` for an error message: a number as itself, anything else by its type.
    pub fn shown(&self, i: usize) -> String {
        self.shown_value(self.argv[i])
    }

    fn wrong(&self, status: Status, v: napi_value, name: &str, expected: &str) -> Error {
        let shown = self.shown_value(v);
        Error::new(
            status,
            format!("{}: {name} must be {expected}, not {shown}", self.op),
        )
    }

    fn shown_value(&self, v: napi_value) -> String {
        match (self.double(v), self.type_of(v)) {
            (Some(x), _) => x.to_string(),
            (None, Some(t)) => format!("a value of type {t}"),
            (None, None) => "a value of unknown type".to_owned(),
        }
    }

    fn double(&self, v: napi_value) -> Option<f64> {
        let mut x = 0.0;
        // SAFETY: `v` is a handle of this call.
        let status = unsafe { sys::napi_get_value_double(self.env, v, &mut x) };
        (status == sys::Status::napi_ok).then_some(x)
    }

    fn type_of(&self, v: napi_value) -> Option<ValueType> {
        let mut t = 0;
        // SAFETY: `v` is a handle of this call.
        let status = unsafe { sys::napi_typeof(self.env, v, &mut t) };
        (status == sys::Status::napi_ok).then(|| ValueType::from(t))
    }
}

/// What a size must be, for error messages.
const SIZE: &str = "a non-negative integer";

/// `x` as a size if it is a whole number from 0 to 2^53 - 1. The round trip through i64
/// is exact only for whole numbers (a fraction truncates, NaN and infinities saturate),
/// and costs a few instructions where `fract` is a libm call.
fn whole(x: Option<f64>) -> Option<usize> {
    const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;
    let x = x?;
    let n = x as i64;
    (n as f64 == x && (0..=MAX_SAFE_INTEGER).contains(&n)).then_some(n as usize)
}

/// A Float32Array's elements in JavaScript's memory, for the rest of the call that read
/// them: no JavaScript runs meanwhile (see [`Args::sizes`]), so nothing detaches, resizes
/// or moves them. Other `Floats` may be views of the same memory (see `lib.rs`).
pub struct Floats<'call> {
    data: NonNull<f32>,
    len: usize,
    _call: PhantomData<&'call Args>,
}

impl Deref for Floats<'_> {
    type Target = [f32];

    fn deref(&self) -> &[f32] {
        // SAFETY: `data` points to `len` live, aligned floats (see `Args::array`); a
        // `&mut` to them exists only through `as_mut`, whose caller makes it the only one.
        unsafe { std::slice::from_raw_parts(self.data.as_ptr(), self.len) }
    }
}

impl Floats<'_> {
    /// # Safety
    /// No other reference to any of this memory may be used while the slice lives:
    /// every other array of the call that overlaps it must be copied or left unused.
    pub unsafe fn as_mut(&mut self) -> &mut [f32] {
        // SAFETY: valid memory as in `deref`; exclusive as the caller guarantees.
        unsafe { std::slice::from_raw_parts_mut(self.data.as_ptr(), self.len) }
    }
}

#[cfg(test)]
mod tests {
    use super::whole;

    #[test]
    fn whole_accepts_exactly_the_safe_non_negative_integers() {
        let max = 9_007_199_254_740_991.0;
        for (x, want) in [
            (0.0, Some(0)),
            (-0.0, Some(0)),
            (7.0, Some(7)),
            (max, Some((1 << 53) - 1)),
        ] {
            assert_eq!(whole(Some(x)), want, "{x}");
        }
        for x in [
            -1.0,
            2.5,
            1e-300,
            max + 1.0,
            2f64.powi(63),
            1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(whole(Some(x)), None, "{x}");
        }
        assert_eq!(whole(None), None);
    }
}
