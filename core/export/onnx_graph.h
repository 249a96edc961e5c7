#pragma once
/// \file onnx_graph.h
/// A small writer of ONNX graphs on Debian's libonnx protobuf classes, for onnx_export.cpp:
/// initializers from tensors, nodes with attributes, and the forms of the operators whose
/// signature changed between the opsets we write (11 to 17: Unsqueeze's axes became an input
/// in 13, LayerNormalization exists from 17). Internal to core/export/.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace onnx {
class ModelProto;
class NodeProto;
}  // namespace onnx

namespace tpq::onnxgraph {

/// One attribute of a node.
struct Attribute {
    std::string name;
    enum class Kind { Int, Ints, Float } kind = Kind::Int;
    int64_t i = 0;
    std::vector<int64_t> ints;
    float f = 0;
    static Attribute integer(std::string name, int64_t v) { return {std::move(name), Kind::Int, v, {}, 0}; }
    static Attribute integers(std::string name, std::vector<int64_t> v) {
        return {std::move(name), Kind::Ints, 0, std::move(v), 0};
    }
    static Attribute real(std::string name, float v) { return {std::move(name), Kind::Float, 0, {}, v}; }
};

class Graph {
public:
    /// A graph of the default domain at `opset`, named `name`.
    Graph(const std::string& name, int opset);
    ~Graph();

    int opset() const { return m_opset; }

    /// A graph input/output: int64 or float, with symbolic ("batch") or fixed dims.
    void input(const std::string& name, bool int64, const std::vector<std::string>& dims);
    void output(const std::string& name, bool int64, const std::vector<std::string>& dims);

    /// An initializer holding `t` (float32, float16, bfloat16, int8, uint8, int32 or int64),
    /// named from `hint`; returns its name.
    std::string constant(const std::string& hint, const at::Tensor& t);
    std::string scalar(const std::string& hint, float v);
    std::string integers(const std::string& hint, const std::vector<int64_t>& v);

    /// A node of `op` on `inputs` ("" = an absent optional input) with `outputs` outputs
    /// named from `hint`; returns their names.
    std::vector<std::string> node(const std::string& op, const std::vector<std::string>& inputs,
                                  const std::string& hint, int outputs = 1,
                                  const std::vector<Attribute>& attributes = {});
    /// node() of one output.
    std::string op(const std::string& op, const std::vector<std::string>& inputs, const std::string& hint,
                   const std::vector<Attribute>& attributes = {});

    /// An Identity node from `value` to the graph output `output` (named exactly so).
    void identity(const std::string& value, const std::string& output);
    /// Unsqueeze(x, axes), in the form of this opset.
    std::string unsqueeze(const std::string& x, const std::vector<int64_t>& axes, const std::string& hint);
    /// Layer normalization over the last axis (LayerNormalization from opset 17, else its
    /// definition: (x - mean) / sqrt(var + eps) * gamma + beta).
    std::string layerNorm(const std::string& x, const at::Tensor& gamma, const at::Tensor& beta, double eps,
                          const std::string& hint);
    /// x * 0.5 * (1 + erf(x / sqrt(2))): BERT's exact GELU.
    std::string gelu(const std::string& x, const std::string& hint);

    /// The model: checked with onnx::checker (a failure is a tpq::Error naming the node),
    /// then serialized.
    std::string serialize(const std::string& producerVersion);

private:
    std::unique_ptr<onnx::ModelProto> m_model;
    int m_opset;
    int64_t m_counter = 0;
    std::string unique(const std::string& hint);
};

}  // namespace tpq::onnxgraph
