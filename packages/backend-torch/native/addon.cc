// wslbench torch addon: libtorch (ATen) tensors behind integer handles, and the kernels of the TF.js 'torch' backend.
// Logical layout is TF.js's (NHWC); convolutions and pools run on channels-last NCHW *views* of the same memory, so
// no transpose is materialised per op. Every entry point converts C++ exceptions (c10::Error, CUDA OOM) to JS errors.
#include <node_api.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using at::Tensor;
using IntVec = std::vector<int64_t>;

// ---------------------------------------------------------------------------------------------------------------
// Handle table
std::unordered_map<int32_t, Tensor> g_tensors;
int32_t g_next = 1;
at::Device g_device = at::kCPU;

int32_t store(Tensor t) {
  // TF.js knows float32, int32 and bool only: narrow what ATen widens (int64 indices, float64 scalars).
  if (t.scalar_type() == at::kLong) t = t.to(at::kInt);
  else if (t.scalar_type() == at::kDouble) t = t.to(at::kFloat);
  const int32_t id = g_next++;
  g_tensors.emplace(id, std::move(t));
  return id;
}

const Tensor& lookup(int32_t id) {
  auto it = g_tensors.find(id);
  if (it == g_tensors.end()) throw std::runtime_error("torch backend: unknown tensor handle " + std::to_string(id));
  return it->second;
}

int dtypeCode(at::ScalarType s) {
  switch (s) {
    case at::kFloat: return 0;
    case at::kInt: return 1;
    case at::kBool: return 2;
    default: throw std::runtime_error(std::string("torch backend: unsupported output dtype ") + c10::toString(s));
  }
}

at::ScalarType scalarOf(int code) {
  switch (code) {
    case 0: return at::kFloat;
    case 1: return at::kInt;
    case 2: return at::kBool;
    default: throw std::runtime_error("torch backend: unknown dtype code " + std::to_string(code));
  }
}

at::ScalarType scalarOfName(const std::string& name) {
  if (name == "float32") return at::kFloat;
  if (name == "int32") return at::kInt;
  if (name == "bool") return at::kBool;
  throw std::runtime_error("torch backend: unsupported dtype '" + name + "'");
}

// ---------------------------------------------------------------------------------------------------------------
// N-API helpers
#define NAPI_OK(call)                                                    \
  do {                                                                   \
    if ((call) != napi_ok) throw std::runtime_error("N-API call failed: " #call); \
  } while (0)

// Values out of JS: a string; an array of numbers as int64s.
std::string argString(napi_env env, napi_value v) {
  size_t len;
  NAPI_OK(napi_get_value_string_utf8(env, v, nullptr, 0, &len));
  std::string s(len, '\0');
  NAPI_OK(napi_get_value_string_utf8(env, v, s.data(), len + 1, &len));
  return s;
}

IntVec intArray(napi_env env, napi_value v) {
  uint32_t n;
  NAPI_OK(napi_get_array_length(env, v, &n));
  IntVec out(n);
  for (uint32_t i = 0; i < n; ++i) {
    napi_value e;
    double d;
    NAPI_OK(napi_get_element(env, v, i, &e));
    NAPI_OK(napi_get_value_double(env, e, &d));
    out[i] = static_cast<int64_t>(d);
  }
  return out;
}

struct Attrs {
  napi_env env;
  napi_value obj;
  /** The attribute's value, or nullptr when it is absent, undefined or null (one property read per lookup). */
  napi_value find(const char* k) const {
    if (obj == nullptr) return nullptr;
    napi_value v;
    NAPI_OK(napi_get_named_property(env, obj, k, &v));
    napi_valuetype t;
    NAPI_OK(napi_typeof(env, v, &t));
    return t == napi_undefined || t == napi_null ? nullptr : v;
  }
  bool has(const char* k) const { return find(k) != nullptr; }
  napi_value get(const char* k) const {
    napi_value v = find(k);
    if (!v) throw std::runtime_error(std::string("torch backend: missing attribute '") + k + "'");
    return v;
  }
  double numOf(napi_value v) const {
    double d;
    NAPI_OK(napi_get_value_double(env, v, &d));
    return d;
  }
  double num(const char* k) const { return numOf(get(k)); }
  double num(const char* k, double dflt) const {
    napi_value v = find(k);
    return v ? numOf(v) : dflt;
  }
  int64_t i64(const char* k) const { return static_cast<int64_t>(num(k)); }
  int64_t i64(const char* k, int64_t dflt) const {
    napi_value v = find(k);
    return v ? static_cast<int64_t>(numOf(v)) : dflt;
  }
  bool flag(const char* k, bool dflt = false) const {
    napi_value v = find(k);
    if (!v) return dflt;
    bool b;
    NAPI_OK(napi_get_value_bool(env, v, &b));
    return b;
  }
  std::string str(const char* k) const { return argString(env, get(k)); }
  IntVec intsOf(napi_value v) const {
    bool isArr;
    NAPI_OK(napi_is_array(env, v, &isArr));
    return isArr ? intArray(env, v) : IntVec{static_cast<int64_t>(numOf(v))};
  }
  IntVec ints(const char* k) const { return intsOf(get(k)); }
  IntVec ints(const char* k, IntVec dflt) const {
    napi_value v = find(k);
    return v ? intsOf(v) : dflt;
  }
};


napi_value makeNumber(napi_env env, double d) {
  napi_value v;
  NAPI_OK(napi_create_double(env, d, &v));
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Layout helpers: NHWC <-> channels-last NCHW views, TF padding (possibly asymmetric) made explicit.
Tensor nchw(const Tensor& nhwc) { return nhwc.permute({0, 3, 1, 2}); }
Tensor nhwc(const Tensor& nchwT) { return nchwT.permute({0, 2, 3, 1}); }
// HWIO filters as OIHW in channels-last memory (OHWI contiguous), the layout oneDNN takes directly. ATen 1.13's
// strided copy for that transposition takes 19 ms on a 3x3x512x512 filter (the conv itself: 4 ms), and any other
// view of HWIO made oneDNN reorder through such a copy, so: a cache-tiled transpose, done once per filter tensor
// (TF.js tensors are immutable; the forward and both gradients of a step, and every evaluation batch, share it).
// A dense 2-D transpose [R, C] -> [C, R] in 32x32 tiles (float32 on the CPU; anything else through ATen).
Tensor transposeTiled(const Tensor& m) {
  const int64_t rows = m.size(0), cols = m.size(1);
  if (!m.device().is_cpu() || m.scalar_type() != at::kFloat) return m.t().contiguous();
  Tensor src = m.contiguous();
  Tensor out = at::empty({cols, rows}, src.options());
  const float* s = src.data_ptr<float>();
  float* d = out.data_ptr<float>();
  constexpr int64_t T = 32;
  at::parallel_for(0, (cols + T - 1) / T, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t cb = b0; cb < b1; ++cb)
      for (int64_t r0 = 0; r0 < rows; r0 += T)
        for (int64_t c = cb * T; c < std::min(cols, cb * T + T); ++c)
          for (int64_t r = r0; r < std::min(rows, r0 + T); ++r) d[c * rows + r] = s[r * cols + c];
  });
  return out;
}

// HWIO [kh,kw,ci,co] is the matrix [kh*kw*ci, co]; OHWI is its transpose. And back, for filter gradients.
Tensor hwioToOhwiTiled(const Tensor& w) {
  return transposeTiled(w.reshape({-1, w.size(3)})).view({w.size(3), w.size(0), w.size(1), w.size(2)});
}
Tensor ohwiToHwioTiled(const Tensor& w) {
  return transposeTiled(w.reshape({w.size(0), -1})).view({w.size(1), w.size(2), w.size(3), w.size(0)});
}

struct CachedFilter {
  c10::weak_intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl> source;
  Tensor oihw;
};
std::unordered_map<const c10::TensorImpl*, CachedFilter> g_filters;

Tensor hwioToOihw(const Tensor& w) {
  const c10::TensorImpl* key = w.unsafeGetTensorImpl();
  auto it = g_filters.find(key);
  if (it != g_filters.end() && !it->second.source.expired()) return it->second.oihw;
  if (g_filters.size() > 512)  // forget filters whose tensors are gone
    for (auto e = g_filters.begin(); e != g_filters.end();) e = e->second.source.expired() ? g_filters.erase(e) : std::next(e);
  Tensor oihw = hwioToOhwiTiled(w).permute({0, 3, 1, 2});
  g_filters.insert_or_assign(
      key, CachedFilter{c10::weak_intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>(w.getIntrusivePtr()), oihw});
  return oihw;
}

struct Conv2dGeom {
  IntVec stride, dilation;
  int64_t top, bottom, left, right;
  bool symmetric() const { return top == bottom && left == right; }
};

Conv2dGeom geom(const Attrs& a) {
  Conv2dGeom g;
  g.stride = a.ints("strides");
  if (g.stride.size() == 1) g.stride.push_back(g.stride[0]);
  g.dilation = a.ints("dilations", {1, 1});
  if (g.dilation.size() == 1) g.dilation.push_back(g.dilation[0]);
  g.top = a.i64("padTop");
  g.bottom = a.i64("padBottom");
  g.left = a.i64("padLeft");
  g.right = a.i64("padRight");
  return g;
}

// Pads an NCHW tensor explicitly when TF's padding is asymmetric; returns the padding left for ATen (symmetric).
Tensor padFor(const Tensor& x, const Conv2dGeom& g, IntVec& atenPad, double value = 0.0) {
  if (g.symmetric()) {
    atenPad = {g.top, g.left};
    return x;
  }
  atenPad = {0, 0};
  return at::constant_pad_nd(x, {g.left, g.right, g.top, g.bottom}, value);
}

Tensor applyActivation(const Tensor& x, const Attrs& a, const Tensor* prelu) {
  if (!a.has("activation")) return x;
  const std::string act = a.str("activation");
  if (act == "linear") return x;
  if (act == "relu") return at::relu(x);
  if (act == "relu6") return at::clamp(x, 0, 6);
  if (act == "elu") return at::elu(x);
  if (act == "sigmoid") return at::sigmoid(x);
  if (act == "leakyrelu") return at::leaky_relu(x, a.num("leakyreluAlpha", 0.2));
  if (act == "prelu" && prelu) return at::where(x >= 0, x, x * *prelu);
  throw std::runtime_error("torch backend: unsupported fused activation '" + act + "'");
}

// Vector-Jacobian product through libtorch's autograd, for gradient kernels of composite forwards (padded pools).
Tensor vjp(const std::function<Tensor(const Tensor&)>& f, const Tensor& x, const Tensor& dy) {
  torch::autograd::AutoGradMode enable(true);
  Tensor xg = x.detach().requires_grad_(true);
  Tensor y = f(xg);
  auto grads = torch::autograd::grad({y}, {xg}, {dy.contiguous(y.suggest_memory_format())});
  return grads[0].detach();
}

Tensor maxPoolNchw(const Tensor& xn, const IntVec& k, const Conv2dGeom& g) {
  IntVec pad;
  Tensor xp = padFor(xn, g, pad, -std::numeric_limits<double>::infinity());
  return at::max_pool2d(xp, k, g.stride, pad, g.dilation, false);
}

Tensor avgPoolNchw(const Tensor& xn, const IntVec& k, const Conv2dGeom& g) {
  // TF excludes padding from the divisor. ATen does too (count_include_pad=false) for symmetric padding; for
  // asymmetric padding divide window sums by the number of real pixels under each window.
  if (g.symmetric()) return at::avg_pool2d(xn, k, g.stride, {g.top, g.left}, false, false);
  IntVec none{0, 0};
  Tensor xp = at::constant_pad_nd(xn, {g.left, g.right, g.top, g.bottom}, 0);
  Tensor sums = at::avg_pool2d(xp, k, g.stride, none, false, true) * static_cast<double>(k[0] * k[1]);
  Tensor ones = at::ones({1, 1, xn.size(2), xn.size(3)}, xn.options());
  Tensor counts = at::avg_pool2d(at::constant_pad_nd(ones, {g.left, g.right, g.top, g.bottom}, 0), k, g.stride, none,
                                 false, true) *
                  static_cast<double>(k[0] * k[1]);
  return sums / counts;
}

// 1x1 convolutions (two thirds of ResNet50's) as plain GEMMs on the NHWC memory: oneDNN's 1x1 path costs ~3 ms for
// an 8x8x8x64 -> 256 conv that is 0.1 ms of GEMM (measured in this addon and in PyTorch 1.13 alike).
bool isPointwise(int64_t kh, int64_t kw, const Conv2dGeom& g) {
  return kh == 1 && kw == 1 && g.top == 0 && g.bottom == 0 && g.left == 0 && g.right == 0 && g.dilation[0] == 1 &&
         g.dilation[1] == 1;
}
Tensor strided(const Tensor& x, const Conv2dGeom& g) {
  if (g.stride[0] == 1 && g.stride[1] == 1) return x;
  return x.slice(1, 0, x.size(1), g.stride[0]).slice(2, 0, x.size(2), g.stride[1]);
}
Tensor pointwiseConv(const Tensor& x, const Tensor& w, const Conv2dGeom& g) {
  Tensor xs = strided(x, g);
  const int64_t ci = x.size(3), co = w.size(3);
  return at::mm(xs.reshape({-1, ci}), w.reshape({ci, co})).view({xs.size(0), xs.size(1), xs.size(2), co});
}

// Interpolation matrix [outSize, inSize] with TF.js's resize semantics (bilinear or nearest).
Tensor resizeMatrix(int64_t inSize, int64_t outSize, bool alignCorners, bool halfPixel, bool nearest,
                    const at::TensorOptions& opts) {
  std::vector<float> m(static_cast<size_t>(outSize * inSize), 0.f);
  const double effIn = (alignCorners && outSize > 1) ? inSize - 1 : inSize;
  const double effOut = (alignCorners && outSize > 1) ? outSize - 1 : outSize;
  const double scale = effIn / effOut;
  for (int64_t r = 0; r < outSize; ++r) {
    if (nearest) {
      const double src = halfPixel ? scale * (r + 0.5) : scale * r;
      int64_t idx = std::min<int64_t>(inSize - 1, alignCorners ? static_cast<int64_t>(std::llround(src))
                                                                : static_cast<int64_t>(std::floor(src)));
      if (halfPixel) idx = std::max<int64_t>(0, idx);
      m[r * inSize + idx] = 1.f;
    } else {
      const double src = halfPixel ? scale * (r + 0.5) - 0.5 : scale * r;
      const int64_t lo = std::max<int64_t>(0, static_cast<int64_t>(std::floor(src)));
      const int64_t hi = std::min<int64_t>(inSize - 1, static_cast<int64_t>(std::ceil(src)));
      const double frac = src - lo;
      m[r * inSize + lo] += static_cast<float>(1.0 - frac);
      m[r * inSize + hi] += static_cast<float>(frac);
    }
  }
  return at::from_blob(m.data(), {outSize, inSize}, at::kFloat).clone().to(opts.device());
}

// out[n,y,x,c] = sum_h,w Mh[y,h] Mw[x,w] in[n,h,w,c]
Tensor separable(const Tensor& x, const Tensor& mh, const Tensor& mw) {
  Tensor t = at::matmul(mh, x.flatten(2, 3));                  // [N, outH, W*C]
  t = t.view({x.size(0), mh.size(0), x.size(2), x.size(3)});   // [N, outH, W, C]
  return at::matmul(mw, t);                                    // [N, outH, outW, C] (broadcast over N, outH)
}

IntVec reduceAxes(const Attrs& a, int64_t rank) {
  IntVec axes = a.ints("axis", {});
  for (auto& ax : axes)
    if (ax < 0) ax += rank;
  return axes;
}

// ---------------------------------------------------------------------------------------------------------------
// Kernels: each takes its inputs (in the order the JS side lists them; undefined optional inputs are absent tensors)
using Inputs = std::vector<Tensor>;
using Kernel = std::function<std::vector<Tensor>(const Inputs&, const Attrs&)>;
std::unordered_map<std::string, Kernel> g_kernels;

using Unary = Tensor (*)(const Tensor&);
using Binary = Tensor (*)(const Tensor&, const Tensor&);

void unary(const char* name, std::function<Tensor(const Tensor&)> f) {
  g_kernels[name] = [f](const Inputs& in, const Attrs&) { return std::vector<Tensor>{f(in[0])}; };
}
void binary(const char* name, std::function<Tensor(const Tensor&, const Tensor&)> f) {
  g_kernels[name] = [f](const Inputs& in, const Attrs&) { return std::vector<Tensor>{f(in[0], in[1])}; };
}
void kernel(const char* name, std::function<Tensor(const Inputs&, const Attrs&)> f) {
  g_kernels[name] = [f](const Inputs& in, const Attrs& a) { return std::vector<Tensor>{f(in, a)}; };
}

Tensor floatOf(const Tensor& t) { return t.is_floating_point() ? t : t.to(at::kFloat); }

void registerKernels() {
  // Elementwise binary (inputs already share a dtype: tfjs-core upcasts before dispatch; ATen broadcasts alike).
  binary("Add", [](const Tensor& a, const Tensor& b) { return at::add(a, b); });
  binary("AddV2", [](const Tensor& a, const Tensor& b) { return at::add(a, b); });
  binary("Sub", [](const Tensor& a, const Tensor& b) { return at::sub(a, b); });
  binary("Multiply", [](const Tensor& a, const Tensor& b) {
    return a.scalar_type() == at::kBool ? at::logical_and(a, b) : at::mul(a, b);
  });
  binary("RealDiv", [](const Tensor& a, const Tensor& b) { return at::div(a, b); });
  binary("FloorDiv", [](const Tensor& a, const Tensor& b) { return at::div(a, b, "floor").to(at::kInt); });  // TF.js: int32
  binary("Mod", [](const Tensor& a, const Tensor& b) { return at::remainder(a, b); });
  binary("Maximum", [](const Tensor& a, const Tensor& b) { return at::maximum(a, b); });
  binary("Minimum", [](const Tensor& a, const Tensor& b) { return at::minimum(a, b); });
  binary("Pow", [](const Tensor& a, const Tensor& b) { return at::pow(a, b); });
  binary("SquaredDifference", [](const Tensor& a, const Tensor& b) { return at::square(at::sub(a, b)); });
  binary("Atan2", [](const Tensor& a, const Tensor& b) { return at::atan2(a, b); });
  binary("Greater", [](const Tensor& a, const Tensor& b) { return at::gt(a, b); });
  binary("GreaterEqual", [](const Tensor& a, const Tensor& b) { return at::ge(a, b); });
  binary("Less", [](const Tensor& a, const Tensor& b) { return at::lt(a, b); });
  binary("LessEqual", [](const Tensor& a, const Tensor& b) { return at::le(a, b); });
  binary("Equal", [](const Tensor& a, const Tensor& b) { return at::eq(a, b); });
  binary("NotEqual", [](const Tensor& a, const Tensor& b) { return at::ne(a, b); });
  binary("LogicalAnd", [](const Tensor& a, const Tensor& b) { return at::logical_and(a, b); });
  binary("LogicalOr", [](const Tensor& a, const Tensor& b) { return at::logical_or(a, b); });
  binary("LogicalXor", [](const Tensor& a, const Tensor& b) { return at::logical_xor(a, b); });
  binary("Prelu", [](const Tensor& x, const Tensor& alpha) { return at::where(x > 0, x, x * alpha); });

  // Elementwise unary
  unary("Neg", [](const Tensor& x) { return at::neg(x); });
  unary("Abs", [](const Tensor& x) { return at::abs(x); });
  unary("Sign", [](const Tensor& x) { return at::sign(x); });
  unary("Exp", [](const Tensor& x) { return at::exp(floatOf(x)); });
  unary("Expm1", [](const Tensor& x) { return at::expm1(floatOf(x)); });
  unary("Log", [](const Tensor& x) { return at::log(floatOf(x)); });
  unary("Log1p", [](const Tensor& x) { return at::log1p(floatOf(x)); });
  unary("Sqrt", [](const Tensor& x) { return at::sqrt(floatOf(x)); });
  unary("Rsqrt", [](const Tensor& x) { return at::rsqrt(floatOf(x)); });
  unary("Square", [](const Tensor& x) { return at::square(x); });
  unary("Reciprocal", [](const Tensor& x) { return at::reciprocal(floatOf(x)); });
  unary("Relu", [](const Tensor& x) { return at::relu(x); });
  unary("Relu6", [](const Tensor& x) { return at::clamp(x, 0, 6); });
  unary("Elu", [](const Tensor& x) { return at::elu(x); });
  unary("Selu", [](const Tensor& x) { return at::selu(x); });
  unary("Sigmoid", [](const Tensor& x) { return at::sigmoid(floatOf(x)); });
  unary("Softplus", [](const Tensor& x) { return at::softplus(floatOf(x)); });
  unary("Tanh", [](const Tensor& x) { return at::tanh(floatOf(x)); });
  unary("Sin", [](const Tensor& x) { return at::sin(floatOf(x)); });
  unary("Cos", [](const Tensor& x) { return at::cos(floatOf(x)); });
  unary("Erf", [](const Tensor& x) { return at::erf(floatOf(x)); });
  unary("Floor", [](const Tensor& x) { return at::floor(x); });
  unary("Ceil", [](const Tensor& x) { return at::ceil(x); });
  unary("Round", [](const Tensor& x) { return at::round(x); });  // half to even, as TF
  unary("IsNan", [](const Tensor& x) { return at::isnan(x); });
  unary("IsInf", [](const Tensor& x) { return at::isinf(x); });
  unary("IsFinite", [](const Tensor& x) { return at::isfinite(x); });
  unary("LogicalNot", [](const Tensor& x) { return at::logical_not(x); });
  unary("Identity", [](const Tensor& x) { return x; });
  unary("ZerosLike", [](const Tensor& x) { return at::zeros_like(x, at::MemoryFormat::Contiguous); });
  unary("OnesLike", [](const Tensor& x) { return at::ones_like(x, at::MemoryFormat::Contiguous); });
  kernel("EluGrad", [](const Inputs& in, const Attrs&) { return at::where(in[1] < 0, in[0] * (in[1] + 1), in[0]); });
  kernel("Step", [](const Inputs& in, const Attrs& a) {
    // TF: x > 0 ? 1 : alpha, NaN stays NaN. One comparison pass (the ReLU gradient calls this on every activation).
    const Tensor& x = in[0];
    const double alpha = a.num("alpha", 0.0);
    Tensor out = at::gt(x, 0).to(x.scalar_type());
    if (alpha != 0.0) out.add_(at::le(x, 0).to(x.scalar_type()), alpha);
    if (x.is_floating_point()) out.masked_fill_(at::isnan(x), std::numeric_limits<float>::quiet_NaN());
    return out;
  });
  // The ReLU gradient in one pass (dy where x > 0, else 0), as PyTorch's threshold_backward; TF.js composes it from
  // Step and Multiply. Dispatched by the engine's Relu gradient when the torch backend is active.
  kernel("TorchReluGrad", [](const Inputs& in, const Attrs&) { return at::threshold_backward(in[0], in[1], 0); });
  kernel("LeakyRelu", [](const Inputs& in, const Attrs& a) { return at::leaky_relu(in[0], a.num("alpha")); });
  kernel("ClipByValue", [](const Inputs& in, const Attrs& a) {
    return at::clamp(in[0], a.num("clipValueMin"), a.num("clipValueMax"));
  });
  kernel("Cast", [](const Inputs& in, const Attrs& a) { return in[0].to(scalarOfName(a.str("dtype"))); });

  // Shapes and copies
  kernel("Reshape", [](const Inputs& in, const Attrs& a) { return in[0].reshape(a.ints("shape")); });
  kernel("Transpose", [](const Inputs& in, const Attrs& a) { return in[0].permute(a.ints("perm")); });
  kernel("Reverse", [](const Inputs& in, const Attrs& a) {
    IntVec d = a.ints("dims");
    for (auto& x : d)
      if (x < 0) x += in[0].dim();
    return at::flip(in[0], d);
  });
  kernel("Slice", [](const Inputs& in, const Attrs& a) {
    Tensor t = in[0];
    const IntVec begin = a.ints("begin"), size = a.ints("size");
    for (size_t d = 0; d < begin.size(); ++d) {
      const int64_t len = size[d] < 0 ? t.size(d) - begin[d] : size[d];
      t = t.narrow(static_cast<int64_t>(d), begin[d], len);
    }
    return t;
  });
  // StridedSlice arrives resolved by the JS side (tfjs-core's slice_util): begin/strides per dim and the final shape.
  kernel("StridedSlice", [](const Inputs& in, const Attrs& a) {
    Tensor t = in[0];
    const IntVec begin = a.ints("begin"), end = a.ints("end"), strides = a.ints("strides");
    for (size_t d = 0; d < begin.size(); ++d) {
      if (strides[d] <= 0) throw std::runtime_error("torch backend: StridedSlice with a negative stride");
      t = t.slice(static_cast<int64_t>(d), begin[d], std::max(begin[d], end[d]), strides[d]);
    }
    return t.reshape(a.ints("finalShape"));
  });
  kernel("Concat", [](const Inputs& in, const Attrs& a) {
    int64_t axis = a.i64("axis");
    if (axis < 0) axis += in[0].dim();
    return at::cat(in, axis);
  });
  kernel("Pack", [](const Inputs& in, const Attrs& a) {
    int64_t axis = a.i64("axis");
    if (axis < 0) axis += in[0].dim() + 1;
    return at::stack(in, axis);
  });
  g_kernels["Unpack"] = [](const Inputs& in, const Attrs& a) {
    int64_t axis = a.i64("axis");
    if (axis < 0) axis += in[0].dim();
    auto parts = at::unbind(in[0], axis);
    return std::vector<Tensor>(parts.begin(), parts.end());
  };
  g_kernels["SplitV"] = [](const Inputs& in, const Attrs& a) {
    int64_t axis = a.i64("axis");
    if (axis < 0) axis += in[0].dim();
    auto parts = at::split_with_sizes(in[0], a.ints("sizeSplits"), axis);
    return std::vector<Tensor>(parts.begin(), parts.end());
  };
  kernel("ExpandDims", [](const Inputs& in, const Attrs& a) {
    int64_t dim = a.i64("dim");
    if (dim < 0) dim += in[0].dim() + 1;
    return in[0].unsqueeze(dim);
  });
  kernel("AddN", [](const Inputs& in, const Attrs&) {
    Tensor acc = in[0];
    for (size_t i = 1; i < in.size(); ++i) acc = at::add(acc, in[i]);
    return acc;
  });
  kernel("Tile", [](const Inputs& in, const Attrs& a) { return in[0].repeat(a.ints("reps")); });
  kernel("PadV2", [](const Inputs& in, const Attrs& a) {
    const IntVec flat = a.ints("paddings");  // [before0, after0, before1, after1, ...] flattened by the JS side
    IntVec torchPad;
    for (int64_t d = static_cast<int64_t>(flat.size()) / 2 - 1; d >= 0; --d) {
      torchPad.push_back(flat[2 * d]);
      torchPad.push_back(flat[2 * d + 1]);
    }
    return at::constant_pad_nd(in[0], torchPad, a.num("constantValue", 0.0));
  });
  kernel("Fill", [](const Inputs&, const Attrs& a) {
    return at::full(a.ints("shape"), a.num("value"), at::TensorOptions().dtype(scalarOfName(a.str("dtype"))).device(g_device));
  });
  kernel("Range", [](const Inputs&, const Attrs& a) {
    return at::arange(a.num("start"), a.num("stop"), a.num("step"),
                      at::TensorOptions().dtype(scalarOfName(a.str("dtype"))).device(g_device));
  });
  kernel("OneHot", [](const Inputs& in, const Attrs& a) {
    const int64_t depth = a.i64("depth");
    Tensor idx = in[0].to(at::kLong);
    Tensor valid = (idx >= 0) & (idx < depth);
    Tensor oh = at::one_hot(at::where(valid, idx, at::zeros_like(idx)), depth) * valid.unsqueeze(-1);
    const auto dt = scalarOfName(a.str("dtype"));
    const double on = a.num("onValue", 1.0), off = a.num("offValue", 0.0);
    return (oh.to(at::kFloat) * (on - off) + off).to(dt);
  });
  kernel("GatherV2", [](const Inputs& in, const Attrs& a) {
    const Tensor& x = in[0];
    const Tensor& indices = in[1];
    int64_t axis = a.i64("axis", 0);
    if (axis < 0) axis += x.dim();
    if (a.i64("batchDims", 0) != 0) throw std::runtime_error("torch backend: GatherV2 with batchDims != 0");
    Tensor flat = at::index_select(x, axis, indices.reshape({-1}).to(at::kLong));
    IntVec shape(x.sizes().begin(), x.sizes().begin() + axis);
    for (auto s : indices.sizes()) shape.push_back(s);
    for (int64_t d = axis + 1; d < x.dim(); ++d) shape.push_back(x.size(d));
    return flat.reshape(shape);
  });
  kernel("Select", [](const Inputs& in, const Attrs&) {
    Tensor cond = in[0];
    const Tensor& t = in[1];
    if (cond.dim() == 1 && t.dim() > 1) {  // TF: a vector condition picks whole rows
      IntVec shape{cond.size(0)};
      for (int64_t d = 1; d < t.dim(); ++d) shape.push_back(1);
      cond = cond.reshape(shape);
    }
    return at::where(cond, t, in[2]);
  });
  kernel("Cumsum", [](const Inputs& in, const Attrs& a) {
    Tensor x = in[0];
    int64_t axis = a.i64("axis");
    if (axis < 0) axis += x.dim();
    const bool reverse = a.flag("reverse"), exclusive = a.flag("exclusive");
    if (reverse) x = at::flip(x, {axis});
    Tensor c = at::cumsum(x, axis, x.scalar_type());
    if (exclusive) c = c - x;
    if (reverse) c = at::flip(c, {axis});
    return c;
  });
  kernel("Einsum", [](const Inputs& in, const Attrs& a) { return at::einsum(a.str("equation"), in); });

  // Reductions
  auto reduction = [](const char* name, std::function<Tensor(const Tensor&, const IntVec&, bool)> f) {
    kernel(name, [f](const Inputs& in, const Attrs& a) {
      const IntVec axes = reduceAxes(a, in[0].dim());
      const bool keep = a.flag("keepDims");
      if (axes.empty()) return in[0];
      if (in[0].numel() == 0 && in[0].dim() == 0) return in[0];
      return f(in[0], axes, keep);
    });
  };
  reduction("Sum", [](const Tensor& x, const IntVec& ax, bool keep) { return at::sum(x, ax, keep, x.scalar_type() == at::kBool ? at::kInt : x.scalar_type()); });
  reduction("Mean", [](const Tensor& x, const IntVec& ax, bool keep) {
    Tensor m = at::mean(floatOf(x), ax, keep);
    return x.is_floating_point() ? m : m.to(x.scalar_type());
  });
  reduction("Prod", [](const Tensor& x, const IntVec& ax, bool keep) {
    Tensor t = x;
    for (auto it = ax.rbegin(); it != ax.rend(); ++it) t = at::prod(t, *it, true, x.scalar_type());
    if (!keep) {
      IntVec sorted = ax;
      std::sort(sorted.rbegin(), sorted.rend());
      for (auto d : sorted) t = t.squeeze(d);
    }
    return t;
  });
  reduction("Max", [](const Tensor& x, const IntVec& ax, bool keep) { return at::amax(x, ax, keep); });
  reduction("Min", [](const Tensor& x, const IntVec& ax, bool keep) { return at::amin(x, ax, keep); });
  reduction("All", [](const Tensor& x, const IntVec& ax, bool keep) { return at::logical_not(at::amax(at::logical_not(x).to(at::kInt), ax, keep)).to(at::kBool); });
  reduction("Any", [](const Tensor& x, const IntVec& ax, bool keep) { return at::amax(x.to(at::kInt), ax, keep).to(at::kBool); });
  kernel("ArgMax", [](const Inputs& in, const Attrs& a) {
    int64_t axis = a.ints("axis")[0];
    if (axis < 0) axis += in[0].dim();
    return at::argmax(in[0], axis, false);
  });
  kernel("ArgMin", [](const Inputs& in, const Attrs& a) {
    int64_t axis = a.ints("axis")[0];
    if (axis < 0) axis += in[0].dim();
    return at::argmin(in[0], axis, false);
  });
  kernel("Softmax", [](const Inputs& in, const Attrs& a) {
    int64_t dim = a.i64("dim", -1);
    return at::softmax(in[0], dim);
  });
  g_kernels["TopK"] = [](const Inputs& in, const Attrs& a) {
    // Stable order: TF breaks ties by the lower index; sort(stable) descending keeps that.
    auto sorted = at::sort(in[0], /*stable=*/true, /*dim=*/-1, /*descending=*/true);
    const int64_t k = a.i64("k");
    return std::vector<Tensor>{std::get<0>(sorted).narrow(-1, 0, k), std::get<1>(sorted).narrow(-1, 0, k)};
  };

  // Linear algebra
  auto matmul = [](const Inputs& in, const Attrs& a) {
    Tensor x = a.flag("transposeA") ? in[0].transpose(-2, -1) : in[0];
    Tensor y = a.flag("transposeB") ? in[1].transpose(-2, -1) : in[1];
    return at::matmul(x, y);
  };
  kernel("BatchMatMul", matmul);
  kernel("_FusedMatMul", [matmul](const Inputs& in, const Attrs& a) {
    Tensor out = matmul(in, a);
    if (in.size() > 2 && in[2].defined()) out = out + in[2];
    const Tensor* prelu = (in.size() > 3 && in[3].defined()) ? &in[3] : nullptr;
    return applyActivation(out, a, prelu);
  });
  kernel("FusedBatchNorm", [](const Inputs& in, const Attrs& a) {
    // inputs: x, mean, variance, offset?, scale? (broadcast like TF.js)
    Tensor y = (in[0] - in[1]) * at::rsqrt(in[2] + a.num("varianceEpsilon", 0.001));
    if (in.size() > 4 && in[4].defined()) y = y * in[4];
    if (in.size() > 3 && in[3].defined()) y = y + in[3];
    return y;
  });

  // Training-mode batch norm in one pass each way (ATen's native_batch_norm / _backward), over channels-last views.
  // inputs x [N,H,W,C], scale [C], offset [C]; outputs y, batch mean, batch (biased) variance, 1/sqrt(var+eps).
  g_kernels["TorchBatchNormTrain"] = [](const Inputs& in, const Attrs& a) {
    const double eps = a.num("varianceEpsilon");
    auto r = at::native_batch_norm(nchw(in[0]), in[1], in[2], {}, {}, true, 0.0, eps);
    Tensor invstd = std::get<2>(r);
    Tensor var = at::reciprocal(invstd.square()) - eps;
    return std::vector<Tensor>{nhwc(std::get<0>(r)), std::get<1>(r), var, invstd};
  };
  // inputs dy, x, scale, mean, invstd -> dx, dscale, doffset
  g_kernels["TorchBatchNormTrainGrad"] = [](const Inputs& in, const Attrs& a) {
    auto r = at::native_batch_norm_backward(nchw(in[0]), nchw(in[1]), in[2], {}, {}, in[3], in[4], true,
                                            a.num("varianceEpsilon"), {true, true, true});
    return std::vector<Tensor>{nhwc(std::get<0>(r)), std::get<1>(r), std::get<2>(r)};
  };

  // Convolutions (x NHWC, filter HWIO; the JS side resolves TF padding to explicit top/bottom/left/right)
  auto conv = [](const Tensor& x, const Tensor& w, const Attrs& a, int64_t groups) {
    Conv2dGeom g = geom(a);
    IntVec pad;
    Tensor xn = padFor(nchw(x), g, pad);
    return nhwc(at::conv2d(xn, w, {}, g.stride, pad, g.dilation, groups));
  };
  kernel("Conv2D", [conv](const Inputs& in, const Attrs& a) {
    const Conv2dGeom g = geom(a);
    if (isPointwise(in[1].size(0), in[1].size(1), g)) return pointwiseConv(in[0], in[1], g);
    return conv(in[0], hwioToOihw(in[1]), a, 1);
  });
  kernel("DepthwiseConv2dNative", [conv](const Inputs& in, const Attrs& a) {
    const Tensor& f = in[1];  // [kh, kw, ci, mult] -> [ci*mult, 1, kh, kw]
    Tensor w = f.permute({2, 3, 0, 1}).reshape({f.size(2) * f.size(3), 1, f.size(0), f.size(1)});
    return conv(in[0], w, a, in[0].size(3));
  });
  kernel("FusedConv2D", [conv](const Inputs& in, const Attrs& a) {
    const Conv2dGeom g = geom(a);
    Tensor out = isPointwise(in[1].size(0), in[1].size(1), g) ? pointwiseConv(in[0], in[1], g)
                                                               : conv(in[0], hwioToOihw(in[1]), a, 1);
    if (in.size() > 2 && in[2].defined()) out = out + in[2];
    const Tensor* prelu = (in.size() > 3 && in[3].defined()) ? &in[3] : nullptr;
    return applyActivation(out, a, prelu);
  });
  kernel("Conv2DBackpropInput", [](const Inputs& in, const Attrs& a) {
    // inputs: dy [N,OH,OW,Co], filter [kh,kw,Ci,Co]; attrs inputShape (NHWC)
    Conv2dGeom g = geom(a);
    const IntVec xs = a.ints("inputShape");
    const Tensor& w = in[1];
    if (isPointwise(w.size(0), w.size(1), g)) {
      const int64_t ci = w.size(2), co = w.size(3);
      Tensor dxs = at::mm(in[0].reshape({-1, co}), w.reshape({ci, co}).t())
                       .view({in[0].size(0), in[0].size(1), in[0].size(2), ci});
      if (g.stride[0] == 1 && g.stride[1] == 1) return dxs;
      Tensor dx = at::zeros({xs[0], xs[1], xs[2], xs[3]}, dxs.options());
      strided(dx, g).copy_(dxs);
      return dx;
    }
    IntVec padded{xs[0], xs[3], xs[1] + g.top + g.bottom, xs[2] + g.left + g.right};
    IntVec pad = g.symmetric() ? IntVec{g.top, g.left} : IntVec{0, 0};
    if (g.symmetric()) padded = {xs[0], xs[3], xs[1], xs[2]};
    Tensor xshape = at::empty(padded, in[0].options().memory_format(at::MemoryFormat::ChannelsLast));
    auto grads = at::convolution_backward(nchw(in[0]), xshape, hwioToOihw(w), c10::nullopt, g.stride, pad,
                                          g.dilation, false, {0, 0}, 1, {true, false, false});
    Tensor dx = std::get<0>(grads);
    if (!g.symmetric()) dx = dx.narrow(2, g.top, xs[1]).narrow(3, g.left, xs[2]);
    return nhwc(dx);
  });
  kernel("Conv2DBackpropFilter", [](const Inputs& in, const Attrs& a) {
    // inputs: x [N,H,W,Ci], dy [N,OH,OW,Co]; attrs filterShape [kh,kw,Ci,Co]
    Conv2dGeom g = geom(a);
    const IntVec fs = a.ints("filterShape");
    if (isPointwise(fs[0], fs[1], g)) {
      Tensor xs = strided(in[0], g);
      return at::mm(xs.reshape({-1, fs[2]}).t(), in[1].reshape({-1, fs[3]})).view({1, 1, fs[2], fs[3]});
    }
    IntVec pad;
    Tensor xn = padFor(nchw(in[0]), g, pad);
    // A channels-last placeholder makes oneDNN write dW as OHWI; returned as contiguous HWIO, so that the optimizer's
    // elementwise updates run on dense memory (a strided HWIO view made them ~5x slower).
    Tensor wshape =
        at::empty({fs[3], fs[2], fs[0], fs[1]}, in[0].options().memory_format(at::MemoryFormat::ChannelsLast));
    auto grads = at::convolution_backward(nchw(in[1]), xn, wshape, c10::nullopt, g.stride, pad, g.dilation, false,
                                          {0, 0}, 1, {false, true, false});
    return ohwiToHwioTiled(std::get<1>(grads).permute({0, 2, 3, 1}));
  });

  // Pools (x NHWC; window sizes and explicit pads from the JS side)
  kernel("MaxPool", [](const Inputs& in, const Attrs& a) {
    return nhwc(maxPoolNchw(nchw(in[0]), a.ints("filterSize"), geom(a)));
  });
  kernel("MaxPoolGrad", [](const Inputs& in, const Attrs& a) {
    // inputs: dy, input, output
    const IntVec k = a.ints("filterSize");
    const Conv2dGeom g = geom(a);
    // Indices from a recomputed forward (TF.js does not keep them), then ATen's scatter of dy onto the argmax.
    IntVec pad;
    Tensor xp = padFor(nchw(in[1]), g, pad, -std::numeric_limits<double>::infinity());
    auto fwd = at::max_pool2d_with_indices(xp, k, g.stride, pad, g.dilation, false);
    Tensor dx = at::max_pool2d_with_indices_backward(nchw(in[0]), xp, k, g.stride, pad, g.dilation, false,
                                                     std::get<1>(fwd));
    if (!g.symmetric()) dx = dx.narrow(2, g.top, in[1].size(1)).narrow(3, g.left, in[1].size(2));
    return nhwc(dx);
  });
  kernel("AvgPool", [](const Inputs& in, const Attrs& a) {
    return nhwc(avgPoolNchw(nchw(in[0]), a.ints("filterSize"), geom(a)));
  });
  kernel("AvgPoolGrad", [](const Inputs& in, const Attrs& a) {
    // inputs: dy, input
    const IntVec k = a.ints("filterSize");
    const Conv2dGeom g = geom(a);
    // TF.js's kernel contract: every window's dy spread over kh*kw (the engine's AvgPool gradient rescales dy by
    // kh*kw/count first, which makes the composite exact on every backend).
    return nhwc(vjp(
        [&](const Tensor& xn) {
          Tensor xp = at::constant_pad_nd(xn, {g.left, g.right, g.top, g.bottom}, 0);
          return at::avg_pool2d(xp, k, g.stride, {0, 0}, false, true);
        },
        nchw(in[1]), nchw(in[0])));
  });

  // Resizing, as separable interpolation matrices (exact TF.js index/weight rules for every corner/centre mode)
  auto resize = [](const Tensor& x, int64_t outH, int64_t outW, const Attrs& a, bool nearest) {
    const bool ac = a.flag("alignCorners"), hp = a.flag("halfPixelCenters");
    Tensor mh = resizeMatrix(x.size(1), outH, ac, hp, nearest, x.options());
    Tensor mw = resizeMatrix(x.size(2), outW, ac, hp, nearest, x.options());
    return separable(floatOf(x), mh, mw);
  };
  auto resizeGrad = [](const Tensor& dy, const Tensor& x, const Attrs& a, bool nearest) {
    const bool ac = a.flag("alignCorners"), hp = a.flag("halfPixelCenters");
    Tensor mh = resizeMatrix(x.size(1), dy.size(1), ac, hp, nearest, dy.options());
    Tensor mw = resizeMatrix(x.size(2), dy.size(2), ac, hp, nearest, dy.options());
    return separable(dy, mh.t(), mw.t());
  };
  kernel("ResizeBilinear", [resize](const Inputs& in, const Attrs& a) {
    const IntVec s = a.ints("size");
    return resize(in[0], s[0], s[1], a, false);
  });
  kernel("ResizeNearestNeighbor", [resize](const Inputs& in, const Attrs& a) {
    const IntVec s = a.ints("size");
    Tensor out = resize(in[0], s[0], s[1], a, true);
    return in[0].is_floating_point() ? out : out.round().to(in[0].scalar_type());
  });
  kernel("ResizeBilinearGrad", [resizeGrad](const Inputs& in, const Attrs& a) { return resizeGrad(in[0], in[1], a, false); });
  kernel("ResizeNearestNeighborGrad", [resizeGrad](const Inputs& in, const Attrs& a) { return resizeGrad(in[0], in[1], a, true); });
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points
template <typename F>
napi_value guarded(napi_env env, F&& f) {
  try {
    return f();
  } catch (const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    // CUDA: "CUDA out of memory. Tried to allocate 2.00 GiB ..."; CPU: "DefaultCPUAllocator: not enough memory: you
    // tried to allocate N bytes" or (1.13) "... can't allocate memory: you tried to allocate N bytes". All name the size.
    const bool oom = msg.find("out of memory") != std::string::npos || msg.find("not enough memory") != std::string::npos ||
                     msg.find("can't allocate memory") != std::string::npos;
    napi_throw_error(env, oom ? "WSLBENCH_TORCH_OOM" : "WSLBENCH_TORCH_ERROR", ("libtorch: " + msg).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, "WSLBENCH_TORCH_ERROR", e.what());
  }
  return nullptr;
}

napi_value args(napi_env env, napi_callback_info info, size_t want, napi_value* out) {
  size_t argc = want;
  NAPI_OK(napi_get_cb_info(env, info, &argc, out, nullptr, nullptr));
  for (size_t i = argc; i < want; ++i) NAPI_OK(napi_get_undefined(env, &out[i]));
  return nullptr;
}


// write(typedArray, shape, dtypeCode) -> handle
napi_value Write(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value a[3];
    args(env, info, 3, a);
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_value buffer;
    size_t offset;
    NAPI_OK(napi_get_typedarray_info(env, a[0], &type, &length, &data, &buffer, &offset));
    int32_t code;
    NAPI_OK(napi_get_value_int32(env, a[2], &code));
    const IntVec shape = intArray(env, a[1]);
    at::ScalarType src;
    switch (type) {
      case napi_float32_array: src = at::kFloat; break;
      case napi_int32_array: src = at::kInt; break;
      case napi_uint8_array: src = at::kByte; break;
      default: throw std::runtime_error("torch backend: write expects Float32Array, Int32Array or Uint8Array");
    }
    int64_t numel = 1;
    for (auto s : shape) numel *= s;
    if (numel != static_cast<int64_t>(length))
      throw std::runtime_error("torch backend: write got " + std::to_string(length) + " values for " +
                               std::to_string(numel) + " elements");
    Tensor t = at::from_blob(data, shape, at::TensorOptions().dtype(src)).to(g_device, scalarOf(code), false, true);
    napi_value out;
    NAPI_OK(napi_create_int32(env, store(std::move(t)), &out));
    return out;
  });
}

// read(handle) -> typed array (Float32Array | Int32Array | Uint8Array for bool)
napi_value Read(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value a[1];
    args(env, info, 1, a);
    int32_t id;
    NAPI_OK(napi_get_value_int32(env, a[0], &id));
    Tensor t = lookup(id).to(at::kCPU).contiguous();
    const bool isBool = t.scalar_type() == at::kBool;
    if (isBool) t = t.to(at::kByte);
    const size_t bytes = t.numel() * t.element_size();
    void* dst;
    napi_value ab;
    NAPI_OK(napi_create_arraybuffer(env, bytes, &dst, &ab));
    if (bytes) std::memcpy(dst, t.data_ptr(), bytes);
    napi_typedarray_type tt = t.scalar_type() == at::kFloat ? napi_float32_array
                              : t.scalar_type() == at::kInt ? napi_int32_array
                                                            : napi_uint8_array;
    napi_value out;
    NAPI_OK(napi_create_typedarray(env, tt, t.numel(), ab, 0, &out));
    return out;
  });
}

napi_value Dispose(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value a[1];
    args(env, info, 1, a);
    int32_t id;
    NAPI_OK(napi_get_value_int32(env, a[0], &id));
    g_tensors.erase(id);
    return nullptr;
  });
}

// run(name, handles[], attrs) -> [[handle, dtypeCode, ...shape], ...]; a handle < 0 marks an absent optional input.
napi_value Run(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value a[3];
    args(env, info, 3, a);
    const std::string name = argString(env, a[0]);
    auto k = g_kernels.find(name);
    if (k == g_kernels.end()) throw std::runtime_error("torch backend: no native kernel '" + name + "'");
    const IntVec ids = intArray(env, a[1]);
    Inputs in;
    in.reserve(ids.size());
    for (auto id : ids) in.push_back(id < 0 ? Tensor() : lookup(static_cast<int32_t>(id)));
    napi_valuetype at;
    NAPI_OK(napi_typeof(env, a[2], &at));
    Attrs attrs{env, at == napi_object ? a[2] : nullptr};
    std::vector<Tensor> outs = k->second(in, attrs);
    napi_value result;
    NAPI_OK(napi_create_array_with_length(env, outs.size(), &result));
    for (size_t i = 0; i < outs.size(); ++i) {
      const int32_t id = store(outs[i]);
      const Tensor& t = lookup(id);
      napi_value row;
      NAPI_OK(napi_create_array_with_length(env, 2 + t.dim(), &row));
      NAPI_OK(napi_set_element(env, row, 0, makeNumber(env, id)));
      NAPI_OK(napi_set_element(env, row, 1, makeNumber(env, dtypeCode(t.scalar_type()))));
      for (int64_t d = 0; d < t.dim(); ++d) NAPI_OK(napi_set_element(env, row, 2 + d, makeNumber(env, t.size(d))));
      NAPI_OK(napi_set_element(env, result, i, row));
    }
    return result;
  });
}

napi_value Kernels(napi_env env, napi_callback_info) {
  return guarded(env, [&]() -> napi_value {
    napi_value arr;
    NAPI_OK(napi_create_array_with_length(env, g_kernels.size(), &arr));
    uint32_t i = 0;
    for (const auto& kv : g_kernels) {
      napi_value s;
      NAPI_OK(napi_create_string_utf8(env, kv.first.c_str(), kv.first.size(), &s));
      NAPI_OK(napi_set_element(env, arr, i++, s));
    }
    return arr;
  });
}

// stats() -> { tensors, bytes }: live handles and the bytes of their storages (views share storage: counted once).
napi_value Stats(napi_env env, napi_callback_info) {
  return guarded(env, [&]() -> napi_value {
    std::unordered_map<const void*, size_t> storages;
    for (const auto& kv : g_tensors) {
      const auto& st = kv.second.storage();
      if (st) storages[st.unsafeGetStorageImpl()] = st.nbytes();
    }
    double bytes = 0;
    for (const auto& kv : storages) bytes += static_cast<double>(kv.second);
    napi_value o;
    NAPI_OK(napi_create_object(env, &o));
    NAPI_OK(napi_set_named_property(env, o, "tensors", makeNumber(env, static_cast<double>(g_tensors.size()))));
    NAPI_OK(napi_set_named_property(env, o, "bytes", makeNumber(env, bytes)));
    return o;
  });
}

// configure({ threads?, device? }) -> info { version, threads, device, cudaBuilt, cudaAvailable, parallel }
napi_value Configure(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value a[1];
    args(env, info, 1, a);
    napi_valuetype t;
    NAPI_OK(napi_typeof(env, a[0], &t));
    Attrs opts{env, t == napi_object ? a[0] : nullptr};
    if (opts.has("threads")) {
      const int n = static_cast<int>(opts.i64("threads"));
      if (n < 1) throw std::runtime_error("torch backend: threads must be >= 1, got " + std::to_string(n));
      at::set_num_threads(n);
    }
    if (opts.has("mkldnn")) at::globalContext().setUserEnabledMkldnn(opts.flag("mkldnn"));
    if (opts.has("device")) {
      const std::string d = opts.str("device");
      if (d == "cuda") {
        if (!at::hasCUDA()) throw std::runtime_error("torch backend: device 'cuda' asked, but this libtorch has no CUDA or no GPU is visible");
        g_device = at::Device(at::kCUDA, 0);
      } else if (d == "cpu") {
        g_device = at::kCPU;
      } else {
        throw std::runtime_error("torch backend: unknown device '" + d + "' (expected cpu or cuda)");
      }
    }
    napi_value o, s;
    NAPI_OK(napi_create_object(env, &o));
    const std::string version = TORCH_VERSION;
    NAPI_OK(napi_create_string_utf8(env, version.c_str(), version.size(), &s));
    NAPI_OK(napi_set_named_property(env, o, "version", s));
    NAPI_OK(napi_set_named_property(env, o, "threads", makeNumber(env, at::get_num_threads())));
    const std::string dev = g_device.is_cuda() ? "cuda" : "cpu";
    NAPI_OK(napi_create_string_utf8(env, dev.c_str(), dev.size(), &s));
    NAPI_OK(napi_set_named_property(env, o, "device", s));
    napi_value b;
    NAPI_OK(napi_get_boolean(env, at::hasCUDA(), &b));
    NAPI_OK(napi_set_named_property(env, o, "cudaAvailable", b));
    const std::string par = at::get_parallel_info();
    NAPI_OK(napi_create_string_utf8(env, par.c_str(), par.size(), &s));
    NAPI_OK(napi_set_named_property(env, o, "parallel", s));
    return o;
  });
}

napi_value Init(napi_env env, napi_value exports) {
  // Forward kernels never need autograd's graph (gradients are TF.js's job; vjp() re-enables it locally).
  torch::autograd::GradMode::set_enabled(false);
  registerKernels();
  const std::pair<const char*, napi_callback> fns[] = {
      {"write", Write}, {"read", Read},       {"dispose", Dispose},     {"run", Run},
      {"stats", Stats}, {"kernels", Kernels}, {"configure", Configure},
  };
  for (const auto& [name, fn] : fns) {
    napi_value f;
    NAPI_OK(napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &f));
    NAPI_OK(napi_set_named_property(env, exports, name, f));
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
