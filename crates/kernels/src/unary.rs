//! Elementwise kernels beyond the binary ops: PyTorch's unary functions, `pow` by a
//! scalar and the backward of activations. SIMD and scalar paths run one body per
//! function (`simd::unary`, `simd::pow`, `simd::math`), so they agree bit for bit.
//!
//! Accuracy: largest error against the correctly rounded result, over every f32 where
//! the result is neither 0, ±1 nor ±inf (`tests::unary::every_float_accuracy`): `exp`
//! 0.80 ulp, `log` 0.83, `sigmoid` 1.97, `tanh` 1.33; `sqrt`, `neg`, `abs`, `sign` and
//! `relu` exact. `pow` is exact to rounding for exponents 1, 2, 0.5 and -1, within 1.5
//! ulp for 3 and 2.5 for 4 and -2 (repeated multiplication, as PyTorch does), and
//! correctly rounded up to rare near-ties for any other exponent.
use crate::simd::nn::Call;
use crate::Isa;

/// PyTorch's unary functions, with its values at the edges: `log(0) = -inf`,
/// `log(-1) = NaN`, `sqrt(-1) = NaN`, `sign(±0) = 0`, `sign(NaN) = NaN`,
/// `relu(NaN) = NaN`, `abs(-0) = 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Exp,
    Log,
    Sqrt,
    Abs,
    Sign,
    Relu,
    Sigmoid,
    Tanh,
}

impl UnaryOp {
    /// Every op, in the order of the TypeScript `UnaryOp` union: the bindings pass an
    /// op as its index here.
    pub const ALL: [UnaryOp; 9] = [
        UnaryOp::Neg,
        UnaryOp::Exp,
        UnaryOp::Log,
        UnaryOp::Sqrt,
        UnaryOp::Abs,
        UnaryOp::Sign,
        UnaryOp::Relu,
        UnaryOp::Sigmoid,
        UnaryOp::Tanh,
    ];

    /// The op's name in the TypeScript union, for messages.
    pub fn name(self) -> &'static str {
        match self {
            UnaryOp::Neg => "neg",
            UnaryOp::Exp => "exp",
            UnaryOp::Log => "log",
            UnaryOp::Sqrt => "sqrt",
            UnaryOp::Abs => "abs",
            UnaryOp::Sign => "sign",
            UnaryOp::Relu => "relu",
            UnaryOp::Sigmoid => "sigmoid",
            UnaryOp::Tanh => "tanh",
        }
    }
}

/// Activations whose backward has a kernel of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Relu,
    Sigmoid,
    Tanh,
}

impl Activation {
    /// Every activation, in the order of the TypeScript `Activation` union.
    pub const ALL: [Activation; 3] = [Activation::Relu, Activation::Sigmoid, Activation::Tanh];
}

/// `out[i] = op(a[i])`.
pub fn unary(isa: Isa, op: UnaryOp, a: &[f32], out: &mut [f32]) {
    assert!(a.len() == out.len());
    let (x, out, len) = (a.as_ptr(), out.as_mut_ptr(), a.len());
    isa.dispatch_nn(Call::Unary { op, x, out, len });
}

/// `x[i] = op(x[i])`.
pub fn unary_in_place(isa: Isa, op: UnaryOp, x: &mut [f32]) {
    let (out, len) = (x.as_mut_ptr(), x.len());
    isa.dispatch_nn(Call::Unary {
        op,
        x: out,
        out,
        len,
    });
}

/// `out[i] = a[i]^p` with `Math.pow`'s edge cases (`pow(NaN, 0) = 1`,
/// `pow(1, NaN) = NaN`, `pow(-8, 1/3) = NaN`, `pow(-2, 3) = -8`).
pub fn pow_scalar(isa: Isa, a: &[f32], p: f32, out: &mut [f32]) {
    assert!(a.len() == out.len());
    let (x, out, len) = (a.as_ptr(), out.as_mut_ptr(), a.len());
    isa.dispatch_nn(Call::Pow { p, x, out, len });
}

/// `x[i] = x[i]^p`, as [`pow_scalar`].
pub fn pow_scalar_in_place(isa: Isa, x: &mut [f32], p: f32) {
    let (out, len) = (x.as_mut_ptr(), x.len());
    isa.dispatch_nn(Call::Pow {
        p,
        x: out,
        out,
        len,
    });
}

/// Gradient of an activation: `out = grad · f'`, where `saved` is what the forward
/// pass kept: the input for relu (`x > 0 ? g : 0`), the output for sigmoid
/// (`g·y·(1−y)`) and tanh (`g·(1−y)(1+y)`, which keeps its digits near |y| = 1).
pub fn activation_backward(isa: Isa, op: Activation, saved: &[f32], grad: &[f32], out: &mut [f32]) {
    assert!(saved.len() == out.len() && grad.len() == out.len());
    isa.dispatch_nn(Call::ActivationBackward {
        op,
        saved,
        grad,
        out,
    });
}
