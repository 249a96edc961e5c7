#include "ort_engine.h"

#include <QProcess>
#include <QStandardPaths>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "export/model_export.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/progress.h"

namespace tpq::cli {
namespace fs = std::filesystem;

namespace {

// run_onnx.js: $TPQ_ORT_SCRIPT, else tests/ort/ of the source tree above build/bin/tpq.
std::string findScript() {
    if (const char* given = std::getenv("TPQ_ORT_SCRIPT"); given && *given) return given;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    for (fs::path dir = exe.parent_path(); !ec && !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
        const fs::path candidate = dir / "tests" / "ort" / "run_onnx.js";
        if (fs::exists(candidate, ec)) return candidate.string();
    }
    throw Error("cannot find tests/ort/run_onnx.js above " + exe.string() +
                ": run tpq from its build tree, or set TPQ_ORT_SCRIPT to the script's path");
}

nlohmann::json rowsOf(const at::Tensor& t) {
    const at::Tensor c = t.to(torch::kInt64).contiguous();
    nlohmann::json rows = nlohmann::json::array();
    for (int64_t r = 0; r < c.size(0); ++r) {
        const int64_t* p = c[r].data_ptr<int64_t>();
        rows.push_back(std::vector<int64_t>(p, p + c.size(1)));
    }
    return rows;
}

}  // namespace

OrtEngine::OrtEngine() : m_script(findScript()) {
    m_node = QStandardPaths::findExecutable("node").toStdString();
    if (m_node.empty())
        throw Error("node is not installed, so ONNX Runtime (onnxruntime-node) cannot run: run scripts/setup");
}

void OrtEngine::exportModel(const std::string& modelDir, const std::string& onnxPath) {
    ExportOptions o;
    o.format = ExportFormat::Onnx;
    o.output = onnxPath;
    o.force = true;
    tpq::exportModel(modelDir, o);
}

OrtResult OrtEngine::run(const std::string& onnxPath, const std::vector<OrtBatch>& batches, int rounds, int threads,
                         const CancellationToken* cancel) const {
    nlohmann::json inputs = nlohmann::json::array();
    for (const auto& [ids, mask] : batches)
        inputs.push_back({{"input_ids", rowsOf(ids)}, {"attention_mask", rowsOf(mask)}});
    const std::string inputsPath = onnxPath + ".inputs.json";
    writeFileAtomic(inputsPath, inputs.dump());
    QStringList args{QString::fromStdString(m_script), QString::fromStdString(onnxPath),
                     QString::fromStdString(inputsPath)};
    if (rounds > 0) args << "--time" << QString::number(rounds);
    if (threads > 0) args << "--threads" << QString::number(threads);
    QProcess node;
    node.start(QString::fromStdString(m_node), args);
    while (!node.waitForFinished(100)) {
        if (node.state() == QProcess::NotRunning) break;
        if (cancel && cancel->isCancelled()) {
            node.kill();
            node.waitForFinished(1000);
            fs::remove(inputsPath);
            throw Cancelled();
        }
    }
    fs::remove(inputsPath);
    if (node.exitStatus() != QProcess::NormalExit || node.exitCode() != 0)
        throw Error("ONNX Runtime failed on " + onnxPath + ": " + node.readAllStandardError().trimmed().toStdString());
    const nlohmann::json out = nlohmann::json::parse(node.readAllStandardOutput().toStdString());
    OrtResult r;
    std::vector<at::Tensor> rows;
    for (const auto& row : out.at("logits"))
        rows.push_back(torch::tensor(row.get<std::vector<double>>(), torch::kFloat64));
    r.logits = torch::stack(rows).to(torch::kFloat32);
    if (out.contains("ms")) r.ms = out["ms"].get<std::vector<double>>();
    return r;
}

}  // namespace tpq::cli
