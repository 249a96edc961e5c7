#include "export/onnx_export.h"

#include <cmath>
#include <limits>
#include <map>

#include <torch/torch.h>

#include "export/onnx_graph.h"
#include "models/bert_model.h"
#include "models/transformer_model.h"
#include "quant/quantized_linear.h"
#include "util/error.h"

namespace tpq {
namespace {

using onnxgraph::Attribute;
using onnxgraph::Graph;

constexpr int kMinOpset = 11, kMaxOpset = 17;  // libonnx 1.12 knows opsets up to 17
constexpr int kQdqOpset = 13;                  // per-channel DequantizeLinear
constexpr int64_t kProtobufLimit = int64_t(2000) * 1000 * 1000;

class Emitter {
public:
    Emitter(Graph& g, Classifier& model, ExportReport& report) : m_g(g), m_model(model), m_report(report) {
        for (const auto& p : model.named_parameters(true)) m_params[p.key()] = p.value().detach();
    }

    const at::Tensor& param(const std::string& name) const {
        const auto it = m_params.find(name);
        if (it == m_params.end()) throw Error("ONNX export: the model has no parameter " + name);
        return it->second;
    }

    // The rows of an embedding table at `ids`: a Gather over the float table, or over the
    // int8 one, dequantized after the Gather with the gathered rows' scales (the table stays
    // int8 in memory; DequantizeLinear cannot take one scale per gathered row).
    std::string lookup(const std::string& name, const std::string& ids, const std::string& hint) {
        const auto& tables = m_model.int8Embeddings();
        const auto it = tables.find(name);
        if (it == tables.end())
            return m_g.op("Gather", {m_g.constant(name, param(name).to(torch::kFloat32)), ids}, hint);
        const std::string values = m_g.op("Gather", {m_g.constant(name + "_int8", it->second.values), ids}, hint);
        const std::string scales =
            m_g.op("Gather", {m_g.constant(name + "_scale", it->second.scales.to(torch::kFloat32)), ids}, hint);
        const std::string asFloat = m_g.op("Cast", {values}, hint, {Attribute::integer("to", 1)});
        return m_g.op("Mul", {asFloat, m_g.unsqueeze(scales, {-1}, hint)}, hint);
    }

    // Row `row` of an embedding table as float (token type 0: one constant row).
    at::Tensor tableRow(const std::string& name, int64_t row) const {
        const auto& tables = m_model.int8Embeddings();
        const auto it = tables.find(name);
        if (it == tables.end()) return param(name)[row].to(torch::kFloat32);
        return it->second.values[row].to(torch::kFloat32) * it->second.scales[row].to(torch::kFloat32);
    }

    // y = x W^T + b in the form of the layer's precision (onnx_export.h).
    std::string linear(const NamedLinear& l, const std::string& x) {
        const auto* q = l.kernel && *l.kernel ? dynamic_cast<const QuantizedLinear*>(l.kernel->get()) : nullptr;
        const std::string bias = m_g.constant(l.name + ".bias", biasOf(l));
        if (!q) return floatLinear(l, l.linear->weight, x, bias, "fp32", "fp32");
        const QuantizedLayerLayout& layout = q->layout();
        switch (layout.precision) {
            case Precision::Int8:
                return layout.scheme == QuantScheme::Static ? staticLinear(l, *q, x, bias)
                                                            : dynamicLinear(l, *q, x, bias);
            case Precision::Bf16:
            case Precision::Fp16:
                return halfLinear(l, *q, x, bias);
            default:
                return int4Linear(l, *q, x, bias);
        }
    }

    // A linear layer with no inputs (every head or neuron pruned): its bias alone, in the shape
    // of `like` (the residual it is added to, as wide as the layer's output).
    std::string biasOnly(const NamedLinear& l, const std::string& like) {
        const std::string zeros = m_g.op("Mul", {like, m_g.scalar("zero", 0.0f)}, "zeros");
        m_report.layers.push_back({l.name, "fp32", "bias only (no inputs)"});
        return m_g.op("Add", {zeros, m_g.constant(l.name + ".bias", biasOf(l))}, l.name);
    }

    Error opsetError(const std::string& what) const {
        return Error(what + " need ONNX opset " + std::to_string(kQdqOpset) +
                     " or later (per-channel DequantizeLinear); got --opset " + std::to_string(m_g.opset()));
    }

    /// What report.notes must say about the forms used.
    std::vector<std::string> notes() const {
        std::vector<std::string> out;
        if (m_dynamic)
            out.push_back(
                "dynamic int8 layers quantize their input per tensor in ONNX (DynamicQuantizeLinear); "
                "TPQ Studio quantizes it per token, so the logits differ slightly");
        if (m_half)
            out.push_back("bf16/fp16 layers keep their weights in that type and cast them to fp32 for the product");
        if (m_int4)
            out.push_back(
                "int4 layers were expanded to int8 weights (values -7..7) with their group scales, dequantized "
                "in the graph (ONNX has no 4-bit type before opset 21, which this build does not write)");
        return out;
    }

private:
    at::Tensor biasOf(const NamedLinear& l) const {
        const int64_t out = l.linear->weight.size(0);
        return l.linear->bias.defined() ? l.linear->bias.detach().to(torch::kFloat32)
                                        : torch::zeros({out}, torch::kFloat32);
    }

    std::string floatLinear(const NamedLinear& l, const at::Tensor& weight, const std::string& x,
                            const std::string& bias, const std::string& precision, const std::string& as) {
        const std::string w = m_g.constant(l.name + ".weight_t", weight.detach().to(torch::kFloat32).t().contiguous());
        m_report.layers.push_back({l.name, precision, as});
        return m_g.op("Add", {m_g.op("MatMul", {x, w}, l.name), bias}, l.name);
    }

    std::pair<at::Tensor, at::Tensor> int8Parts(const QuantizedLinear& q) const {
        at::Tensor values, scales;
        for (const auto& [suffix, t] : q.storedWeight()) (suffix == "q" ? values : scales) = t;
        return {values, scales.to(torch::kFloat32).reshape({-1})};
    }

    std::string dynamicLinear(const NamedLinear& l, const QuantizedLinear& q, const std::string& x,
                              const std::string& bias) {
        const auto [values, scales] = int8Parts(q);
        const std::string w = m_g.constant(l.name + ".weight_int8_t", values.t().contiguous());
        const std::string wZero = m_g.constant(l.name + ".weight_zero", torch::zeros({scales.numel()}, torch::kInt8));
        const auto xq = m_g.node("DynamicQuantizeLinear", {x}, l.name + "_x", 3);
        const std::string product = m_g.op("MatMulInteger", {xq[0], w, xq[2], wZero}, l.name);
        const std::string asFloat =
            m_g.op("Cast", {product}, l.name, {Attribute::integer("to", 1 /* onnx::TensorProto::FLOAT */)});
        const std::string scale = m_g.op("Mul", {xq[1], m_g.constant(l.name + ".weight_scale", scales)}, l.name);
        m_report.layers.push_back({l.name, "int8", "int8 (DynamicQuantizeLinear + MatMulInteger)"});
        m_dynamic = true;
        return m_g.op("Add", {m_g.op("Mul", {asFloat, scale}, l.name), bias}, l.name);
    }

    // QuantizeLinear then DequantizeLinear of x on a calibrated grid.
    std::string qdq(const std::string& x, const QParams& p, const std::string& hint) {
        const std::string scale = m_g.scalar(hint + "_scale", float(p.scale));
        const std::string zero = m_g.constant(hint + "_zero", torch::tensor(uint8_t(p.zeroPoint), torch::kUInt8));
        return m_g.op("DequantizeLinear", {m_g.op("QuantizeLinear", {x, scale, zero}, hint), scale, zero}, hint);
    }

    std::string staticLinear(const NamedLinear& l, const QuantizedLinear& q, const std::string& x,
                             const std::string& bias) {
        if (m_g.opset() < kQdqOpset) throw opsetError("static int8 layers");
        const auto [values, scales] = int8Parts(q);
        const std::string w =
            m_g.op("DequantizeLinear",
                   {m_g.constant(l.name + ".weight_int8_t", values.t().contiguous()),
                    m_g.constant(l.name + ".weight_scale",
                                 scales.numel() == 1 ? scales.expand({values.size(0)}).contiguous() : scales),
                    m_g.constant(l.name + ".weight_zero", torch::zeros({values.size(0)}, torch::kInt8))},
                   l.name + "_w", {Attribute::integer("axis", 1)});
        const std::string input = qdq(x, q.layout().input, l.name + "_in");
        const std::string y = m_g.op("Add", {m_g.op("MatMul", {input, w}, l.name), bias}, l.name);
        m_report.layers.push_back({l.name, "int8", "int8 (QuantizeLinear/DequantizeLinear, calibrated scales)"});
        return qdq(y, q.layout().output, l.name + "_out");
    }

    // The int4 weight expanded to int8 [in / g, g, out] (its values, -7..7) and dequantized in
    // the graph with the [in / g, 1, out] group scales: exact, one byte per weight.
    std::string int4Linear(const NamedLinear& l, const QuantizedLinear& q, const std::string& x,
                           const std::string& bias) {
        at::Tensor packed, scales;
        for (const auto& [suffix, t] : q.storedWeight()) (suffix == "q" ? packed : scales) = t;
        const int64_t out = packed.size(0), in = packed.size(1) * 2, group = q.layout().groupSize;
        const at::Tensor low = packed.bitwise_and(15).to(torch::kInt8) - 8;
        const at::Tensor high = packed.bitwise_right_shift(4).to(torch::kInt8) - 8;
        const at::Tensor values = torch::stack({low, high}, 2).reshape({out, in});
        const at::Tensor grouped = values.t().reshape({in / group, group, out}).contiguous();
        const at::Tensor groupScales = scales.to(torch::kFloat32).t().unsqueeze(1).contiguous();
        const std::string asFloat = m_g.op("Cast", {m_g.constant(l.name + ".weight_int4_as_int8", grouped)}, l.name,
                                           {Attribute::integer("to", 1)});
        const std::string w =
            m_g.op("Reshape",
                   {m_g.op("Mul", {asFloat, m_g.constant(l.name + ".weight_scale", groupScales)}, l.name),
                    m_g.integers(l.name + "_shape", {in, out})},
                   l.name + "_w");
        m_report.layers.push_back({l.name, "int4", "int8 values with int4 group scales, dequantized in the graph"});
        m_int4 = true;
        return m_g.op("Add", {m_g.op("MatMul", {x, w}, l.name), bias}, l.name);
    }

    std::string halfLinear(const NamedLinear& l, const QuantizedLinear& q, const std::string& x,
                           const std::string& bias) {
        at::Tensor weight;
        for (const auto& [suffix, t] : q.storedWeight())
            if (suffix == "q") weight = t;
        const std::string name = precisionName(q.layout().precision);
        const std::string w = m_g.op("Cast", {m_g.constant(l.name + ".weight_" + name + "_t", weight.t().contiguous())},
                                     l.name, {Attribute::integer("to", 1)});
        m_report.layers.push_back({l.name, name, name + " weight, Cast to fp32 for the product"});
        m_half = true;
        return m_g.op("Add", {m_g.op("MatMul", {x, w}, l.name), bias}, l.name);
    }

    Graph& m_g;
    Classifier& m_model;
    ExportReport& m_report;
    std::map<std::string, at::Tensor> m_params;
    bool m_int4 = false, m_half = false, m_dynamic = false;
};

// Scaled dot-product attention of one layer over [batch, seq, heads * size] projections;
// `mask` is the additive [batch, 1, 1, seq] mask. Returns [batch, seq, heads * size].
std::string attention(Graph& g, const std::string& q, const std::string& k, const std::string& v,
                      const std::string& mask, int64_t heads, int64_t size, const std::string& hint) {
    const std::string split = g.integers(hint + "_split", {0, 0, heads, size});
    auto heads4 = [&](const std::string& x, std::vector<int64_t> perm) {
        return g.op("Transpose", {g.op("Reshape", {x, split}, hint)}, hint, {Attribute::integers("perm", perm)});
    };
    const std::string scores =
        g.op("Add",
             {g.op("Mul",
                   {g.op("MatMul", {heads4(q, {0, 2, 1, 3}), heads4(k, {0, 2, 3, 1})}, hint + "_scores"),
                    g.scalar(hint + "_scale", float(1.0 / std::sqrt(double(size))))},
                   hint),
              mask},
             hint);
    const std::string probs = g.op("Softmax", {scores}, hint + "_probs", {Attribute::integer("axis", -1)});
    const std::string context = g.op("MatMul", {probs, heads4(v, {0, 2, 1, 3})}, hint + "_context");
    return g.op("Reshape",
                {g.op("Transpose", {context}, hint, {Attribute::integers("perm", {0, 2, 1, 3})}),
                 g.integers(hint + "_merge", {0, 0, heads * size})},
                hint);
}

// attention() of the query, key and value layers l[0..2] on x, emitted in that order.
std::string selfAttention(Graph& g, Emitter& e, const NamedLinear* l, const std::string& x, const std::string& mask,
                          int64_t heads, int64_t size, const std::string& hint) {
    const std::string q = e.linear(l[0], x);
    const std::string k = e.linear(l[1], x);
    const std::string v = e.linear(l[2], x);
    return attention(g, q, k, v, mask, heads, size, hint);
}

// (1 - float(mask)) * lowest, as [batch, 1, 1, seq]: what models/attention.cpp adds to the scores.
std::string additiveMask(Graph& g, const std::string& mask) {
    const std::string m = g.op("Cast", {mask}, "mask", {Attribute::integer("to", 1)});
    const std::string inverted = g.op("Sub", {g.scalar("one", 1.0f), m}, "mask");
    const std::string additive =
        g.op("Mul", {inverted, g.scalar("lowest", std::numeric_limits<float>::lowest())}, "mask");
    return g.unsqueeze(additive, {1, 2}, "mask");
}

// The sequence length of input_ids as a scalar, and the positions 0..T-1.
std::pair<std::string, std::string> lengthAndPositions(Graph& g, const std::string& ids) {
    const std::string length =
        g.op("Gather", {g.op("Shape", {ids}, "shape"), g.constant("seq_axis", torch::tensor(int64_t(1)))}, "length");
    const std::string positions =
        g.op("Range",
             {g.constant("zero_i", torch::tensor(int64_t(0))), length, g.constant("one_i", torch::tensor(int64_t(1)))},
             "positions");
    return {length, positions};
}

// x + the layer's product (or its bias alone when it has no inputs), layer-normalized.
std::string residual(Graph& g, Emitter& e, const NamedLinear& l, const std::string& in, bool hasInputs,
                     const std::string& x, const std::string& normName, double eps) {
    const std::string y = hasInputs ? e.linear(l, in) : e.biasOnly(l, x);
    return g.layerNorm(g.op("Add", {y, x}, normName), e.param(normName + ".weight"), e.param(normName + ".bias"), eps,
                       normName);
}

std::string bertGraph(Graph& g, BertModel& model, Emitter& e) {
    const BertConfig& c = model.config();
    const auto [length, positions] = lengthAndPositions(g, "input_ids");
    (void)length;
    const std::string p = "bert.embeddings.";
    std::string x = e.lookup(p + "word_embeddings.weight", "input_ids", "words");
    x = g.op("Add", {x, e.lookup(p + "position_embeddings.weight", positions, "positions")}, "emb");
    x = g.op("Add", {x, g.constant("token_type_0", e.tableRow(p + "token_type_embeddings.weight", 0))}, "emb");
    x = g.layerNorm(x, e.param(p + "LayerNorm.weight"), e.param(p + "LayerNorm.bias"), c.layerNormEps, "emb_norm");
    const std::string mask = additiveMask(g, "attention_mask");
    const auto layers = model.linearLayers();
    const auto heads = model.headsPerLayer();
    const auto widths = model.ffnWidths();
    for (int64_t i = 0; i < c.numHiddenLayers; ++i) {
        const NamedLinear* l = &layers[size_t(6 * i)];
        const std::string pre = "bert.encoder.layer." + std::to_string(i);
        std::string context;
        if (heads[size_t(i)] > 0)
            context = selfAttention(g, e, l, x, mask, heads[size_t(i)], c.headSize(), pre + ".attention");
        x = residual(g, e, l[3], context, heads[size_t(i)] > 0, x, pre + ".attention.output.LayerNorm", c.layerNormEps);
        std::string inner;
        if (widths[size_t(i)] > 0) inner = g.gelu(e.linear(l[4], x), pre + ".intermediate");
        x = residual(g, e, l[5], inner, widths[size_t(i)] > 0, x, pre + ".output.LayerNorm", c.layerNormEps);
    }
    const std::string first =
        g.op("Gather", {x, g.constant("cls", torch::tensor(int64_t(0)))}, "cls", {Attribute::integer("axis", 1)});
    const std::string pooled = g.op("Tanh", {e.linear(layers[layers.size() - 2], first)}, "pooled");
    return e.linear(layers.back(), pooled);
}

std::string reduce(Graph& g, const std::string& op, const std::string& x, int64_t axis, const std::string& hint) {
    // ReduceSum's axes became an input in opset 13 (ReduceMax's only in 18).
    if (op == "ReduceSum" && g.opset() >= 13)
        return g.op(op, {x, g.integers(hint + "_axes", {axis})}, hint, {Attribute::integer("keepdims", 0)});
    return g.op(op, {x}, hint, {Attribute::integers("axes", {axis}), Attribute::integer("keepdims", 0)});
}

std::string transformerGraph(Graph& g, TransformerModel& model, Emitter& e) {
    const TransformerConfig& c = model.config();
    const auto [length, positions] = lengthAndPositions(g, "input_ids");
    (void)positions;
    std::string x = e.lookup("embedding.weight", "input_ids", "words");
    x = g.op("Mul", {x, g.scalar("sqrt_d", float(std::sqrt(double(c.dModel))))}, "emb");
    const std::string table = g.constant("positions", model.positionTable().to(torch::kFloat32));
    const std::string end = g.unsqueeze(length, {0}, "length");
    const std::string slice = g.op("Slice", {table, g.integers("start", {0}), end, g.integers("axis", {0})}, "pos");
    x = g.op("Add", {x, slice}, "emb");
    const std::string mask = additiveMask(g, "attention_mask");
    const auto layers = model.linearLayers();
    const auto heads = model.headsPerLayer();
    const auto widths = model.ffnWidths();
    for (int64_t i = 0; i < c.numLayers; ++i) {
        const NamedLinear* l = &layers[size_t(6 * i)];
        const std::string pre = "layers." + std::to_string(i);
        std::string context;
        if (heads[size_t(i)] > 0) context = selfAttention(g, e, l, x, mask, heads[size_t(i)], c.headSize(), pre);
        x = residual(g, e, l[3], context, heads[size_t(i)] > 0, x, pre + ".norm1", 1e-5);
        std::string inner;
        if (widths[size_t(i)] > 0) inner = g.op("Relu", {e.linear(l[4], x)}, pre + ".relu");
        x = residual(g, e, l[5], inner, widths[size_t(i)] > 0, x, pre + ".norm2", 1e-5);
    }
    std::string pooled;
    const std::string m = g.unsqueeze(g.op("Cast", {"attention_mask"}, "m", {Attribute::integer("to", 1)}), {2}, "m");
    if (c.pooling == "mean") {
        const std::string sum = reduce(g, "ReduceSum", g.op("Mul", {x, m}, "masked"), 1, "sum");
        const std::string count =
            g.op("Max", {reduce(g, "ReduceSum", m, 1, "count"), g.scalar("one_f", 1.0f)}, "count");
        pooled = g.op("Div", {sum, count}, "mean");
    } else if (c.pooling == "max") {
        const std::string padding = g.op("Equal", {m, g.scalar("zero_f", 0.0f)}, "padding");
        const std::string filled =
            g.op("Where", {padding, g.scalar("minus_inf", -std::numeric_limits<float>::infinity()), x}, "filled");
        pooled = reduce(g, "ReduceMax", filled, 1, "max");
    } else {
        pooled =
            g.op("Gather", {x, g.constant("cls", torch::tensor(int64_t(0)))}, "cls", {Attribute::integer("axis", 1)});
    }
    return e.linear(layers.back(), pooled);
}

}  // namespace

std::string exportOnnx(Classifier& model, int opset, ExportReport& report, const std::string& version) {
    if (opset < kMinOpset || opset > kMaxOpset)
        throw Error("ONNX opset " + std::to_string(opset) + " is not one this build writes: give --opset " +
                    std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset));
    int64_t bytes = 0;
    for (const auto& p : model.parameters()) bytes += p.numel() * 4;
    if (bytes > kProtobufLimit)
        throw Error(
            "the model's " + std::to_string(bytes / 1000000) +
            " MB of weights do not fit one ONNX file (a protobuf holds 2 GB, and external data is not written)");
    torch::NoGradGuard noGrad;
    model.eval();
    Graph g(model.architecture(), opset);
    g.input("input_ids", true, {"batch", "sequence"});
    g.input("attention_mask", true, {"batch", "sequence"});
    g.output("logits", false, {"batch", std::to_string(model.numLabels())});
    Emitter e(g, model, report);
    std::string logits;
    if (auto* bert = dynamic_cast<BertModel*>(&model))
        logits = bertGraph(g, *bert, e);
    else if (auto* transformer = dynamic_cast<TransformerModel*>(&model))
        logits = transformerGraph(g, *transformer, e);
    else
        throw Error("ONNX export knows BERT and the custom Transformer, not " + model.architecture());
    g.identity(logits, "logits");
    for (auto& n : e.notes()) report.notes.push_back(std::move(n));
    return g.serialize(version);
}

}  // namespace tpq
