#include "export/onnx_graph.h"

#include <cmath>
#include <cstring>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include "util/error.h"

namespace tpq::onnxgraph {
namespace {

int elementType(at::ScalarType t) {
    switch (t) {
        case at::kFloat:
            return onnx::TensorProto::FLOAT;
        case at::kHalf:
            return onnx::TensorProto::FLOAT16;
        case at::kBFloat16:
            return onnx::TensorProto::BFLOAT16;
        case at::kChar:
            return onnx::TensorProto::INT8;
        case at::kByte:
            return onnx::TensorProto::UINT8;
        case at::kInt:
            return onnx::TensorProto::INT32;
        case at::kLong:
            return onnx::TensorProto::INT64;
        default:
            throw Error(std::string("ONNX export: no ONNX type for a tensor of ") + c10::toString(t));
    }
}

void setType(onnx::ValueInfoProto* v, const std::string& name, bool int64, const std::vector<std::string>& dims) {
    v->set_name(name);
    auto* tensor = v->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(int64 ? onnx::TensorProto::INT64 : onnx::TensorProto::FLOAT);
    for (const auto& d : dims) {
        auto* dim = tensor->mutable_shape()->add_dim();
        if (!d.empty() && d.find_first_not_of("0123456789") == std::string::npos)
            dim->set_dim_value(std::stoll(d));
        else
            dim->set_dim_param(d);
    }
}

}  // namespace

Graph::Graph(const std::string& name, int opset) : m_model(std::make_unique<onnx::ModelProto>()), m_opset(opset) {
    m_model->set_ir_version(opset >= 15 ? 8 : 7);
    m_model->set_producer_name("tpq-studio");
    auto* import = m_model->add_opset_import();
    import->set_domain("");
    import->set_version(opset);
    m_model->mutable_graph()->set_name(name);
}

Graph::~Graph() = default;

std::string Graph::unique(const std::string& hint) {
    return hint + "_" + std::to_string(m_counter++);
}

void Graph::input(const std::string& name, bool int64, const std::vector<std::string>& dims) {
    setType(m_model->mutable_graph()->add_input(), name, int64, dims);
}

void Graph::output(const std::string& name, bool int64, const std::vector<std::string>& dims) {
    setType(m_model->mutable_graph()->add_output(), name, int64, dims);
}

std::string Graph::constant(const std::string& hint, const at::Tensor& t) {
    const at::Tensor c = t.detach().contiguous();
    auto* init = m_model->mutable_graph()->add_initializer();
    const std::string name = unique(hint);
    init->set_name(name);
    init->set_data_type(elementType(c.scalar_type()));
    for (int64_t d : c.sizes()) init->add_dims(d);
    init->set_raw_data(std::string(static_cast<const char*>(c.data_ptr()), c.nbytes()));
    return name;
}

std::string Graph::scalar(const std::string& hint, float v) {
    return constant(hint, torch::tensor(v, torch::kFloat32));
}

std::string Graph::integers(const std::string& hint, const std::vector<int64_t>& v) {
    return constant(hint, torch::tensor(v, torch::kInt64));
}

std::vector<std::string> Graph::node(const std::string& op, const std::vector<std::string>& inputs,
                                     const std::string& hint, int outputs, const std::vector<Attribute>& attributes) {
    auto* n = m_model->mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(unique(hint + "_" + op));
    for (const auto& i : inputs) n->add_input(i);
    std::vector<std::string> names;
    for (int i = 0; i < outputs; ++i) {
        names.push_back(unique(hint));
        n->add_output(names.back());
    }
    for (const auto& a : attributes) {
        auto* attr = n->add_attribute();
        attr->set_name(a.name);
        switch (a.kind) {
            case Attribute::Kind::Int:
                attr->set_type(onnx::AttributeProto::INT);
                attr->set_i(a.i);
                break;
            case Attribute::Kind::Ints:
                attr->set_type(onnx::AttributeProto::INTS);
                for (int64_t v : a.ints) attr->add_ints(v);
                break;
            case Attribute::Kind::Float:
                attr->set_type(onnx::AttributeProto::FLOAT);
                attr->set_f(a.f);
                break;
        }
    }
    return names;
}

std::string Graph::op(const std::string& op, const std::vector<std::string>& inputs, const std::string& hint,
                      const std::vector<Attribute>& attributes) {
    return node(op, inputs, hint, 1, attributes).front();
}

void Graph::identity(const std::string& value, const std::string& output) {
    auto* n = m_model->mutable_graph()->add_node();
    n->set_op_type("Identity");
    n->set_name(unique(output + "_Identity"));
    n->add_input(value);
    n->add_output(output);
}

std::string Graph::unsqueeze(const std::string& x, const std::vector<int64_t>& axes, const std::string& hint) {
    if (m_opset >= 13) return op("Unsqueeze", {x, integers(hint + "_axes", axes)}, hint);
    return op("Unsqueeze", {x}, hint, {Attribute::integers("axes", axes)});
}

std::string Graph::layerNorm(const std::string& x, const at::Tensor& gamma, const at::Tensor& beta, double eps,
                             const std::string& hint) {
    const std::string g = constant(hint + "_weight", gamma.to(torch::kFloat32));
    const std::string b = constant(hint + "_bias", beta.to(torch::kFloat32));
    if (m_opset >= 17)
        return op("LayerNormalization", {x, g, b}, hint,
                  {Attribute::integer("axis", -1), Attribute::real("epsilon", float(eps))});
    const auto mean = [&](const std::string& v) {
        return op("ReduceMean", {v}, hint + "_mean",
                  {Attribute::integers("axes", {-1}), Attribute::integer("keepdims", 1)});
    };
    const std::string centred = op("Sub", {x, mean(x)}, hint + "_centred");
    const std::string variance = mean(op("Mul", {centred, centred}, hint + "_square"));
    const std::string std = op("Sqrt", {op("Add", {variance, scalar(hint + "_eps", float(eps))}, hint)}, hint + "_std");
    return op("Add", {op("Mul", {op("Div", {centred, std}, hint + "_normed"), g}, hint), b}, hint);
}

std::string Graph::gelu(const std::string& x, const std::string& hint) {
    const std::string e =
        op("Erf", {op("Div", {x, scalar(hint + "_sqrt2", float(std::sqrt(2.0)))}, hint)}, hint + "_erf");
    const std::string onePlus = op("Add", {e, scalar(hint + "_one", 1.0f)}, hint);
    return op("Mul", {op("Mul", {x, scalar(hint + "_half", 0.5f)}, hint), onePlus}, hint + "_gelu");
}

std::string Graph::serialize(const std::string& producerVersion) {
    m_model->set_producer_version(producerVersion);
    try {
        onnx::checker::check_model(*m_model);
    } catch (const std::exception& e) {
        throw Error(
            std::string("ONNX export made a model the ONNX checker refuses (a bug of tpq; please report it): ") +
            e.what());
    }
    std::string bytes;
    if (!m_model->SerializeToString(&bytes)) throw Error("ONNX export: the model could not be serialized");
    return bytes;
}

}  // namespace tpq::onnxgraph
