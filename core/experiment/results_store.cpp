#include "experiment/results_store.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>

#include "experiment/method.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/logging.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace tpq {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Shortest text that reads back as the same double; "" for NaN (an empty CSV cell).
std::string exact(double v) {
    if (std::isnan(v)) return "";
    char buffer[64];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, r.ptr);
}

// A latency that was not measured (0) as NaN: an empty cell, a dash.
double measured(double ms) {
    return ms > 0 ? ms : kNaN;
}

}  // namespace

std::string csvCell(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

ResultsStore::ResultsStore(std::string resultsDir) : m_dir(std::move(resultsDir)) {}

RunResult ResultsStore::readRun(const std::string& path) {
    RunResult r;
    try {
        r = RunResult::fromJson(readFile(path, "result file"));
    } catch (const Error& e) {
        throw Error(path + ": " + e.what() + "; delete the run folder or run it again");
    }
    r.resultPath = path;
    const fs::path history = fs::path(path).parent_path() / "history.csv";
    std::error_code ec;
    if (fs::is_regular_file(history, ec)) r.history = TrainHistory::fromCsv(readFile(history.string(), "history file"));
    return r;
}

std::vector<RunResult> ResultsStore::load(std::vector<std::string>* warnings) const {
    std::error_code ec;
    if (!fs::is_directory(m_dir, ec))
        throw Error("results folder " + m_dir +
                    " does not exist: run an experiment first (tpq train, tpq run) or "
                    "pass --results-dir");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
        const fs::path file = entry.path() / "result.json";
        if (entry.is_directory() && fs::is_regular_file(file)) files.push_back(file);
    }
    std::vector<RunResult> runs;
    for (const auto& file : files) {
        try {
            runs.push_back(readRun(file.string()));
        } catch (const Error& e) {
            const std::string message = std::string("skipping ") + e.what();
            logWarning(message);
            if (warnings) warnings->push_back(message);
        }
    }
    std::sort(runs.begin(), runs.end(), [](const RunResult& a, const RunResult& b) {
        const int ra = int(a.method), rb = int(b.method);  // Method lists baselines first
        return ra != rb ? ra < rb : a.runId < b.runId;
    });
    return runs;
}

std::string ResultsStore::uniqueRunId(const std::string& base, const std::string& otherDir, bool asPrefix) const {
    auto takenIn = [&](const std::string& dir, const std::string& id) {
        std::error_code ec;
        if (dir.empty()) return false;
        if (fs::exists(fs::path(dir) / id, ec)) return true;
        if (!asPrefix || !fs::is_directory(dir, ec)) return false;
        for (const auto& entry : fs::directory_iterator(dir, ec))
            if (startsWith(entry.path().filename().string(), id + "_")) return true;
        return false;
    };
    auto taken = [&](const std::string& id) { return takenIn(m_dir, id) || takenIn(otherDir, id); };
    if (!taken(base)) return base;
    for (int n = 2;; ++n) {
        const std::string id = base + "_" + std::to_string(n);
        if (!taken(id)) return id;
    }
}

const std::vector<std::string>& comparisonColumns() {
    static const std::vector<std::string> columns = {"run_id",
                                                     "method",
                                                     "precision_type",
                                                     "accuracy",
                                                     "precision",
                                                     "recall",
                                                     "f1",
                                                     "loss",
                                                     "accuracy_drop",
                                                     "num_parameters",
                                                     "nonzero_parameters",
                                                     "sparsity",
                                                     "size_bytes",
                                                     "size_mb",
                                                     "memory_bytes",
                                                     "compression_ratio",
                                                     "latency_ms_p50",
                                                     "latency_ms_p95",
                                                     "latency_batch_size",
                                                     "latency_batch1_ms_p50",
                                                     "latency_batch1_ms_p95",
                                                     "throughput",
                                                     "speedup",
                                                     "train_seconds",
                                                     "confusion_matrix",
                                                     "model_dir"};
    return columns;
}

std::string comparisonCsv(const std::vector<RunResult>& runs) {
    std::string out = join(comparisonColumns(), ",") + "\n";
    for (const auto& r : runs) {
        std::vector<std::string> rows;
        for (const auto& row : r.test.confusionMatrix) {
            std::vector<std::string> cells;
            for (auto v : row) cells.push_back(std::to_string(v));
            rows.push_back(join(cells, " "));
        }
        const std::vector<std::string> cells = {csvCell(r.runId),
                                                csvCell(resultMethodName(r.method)),
                                                csvCell(r.weightPrecision()),
                                                exact(r.test.accuracy),
                                                exact(r.test.precision),
                                                exact(r.test.recall),
                                                exact(r.test.f1),
                                                exact(r.test.loss),
                                                exact(r.accuracyDrop()),
                                                std::to_string(r.numParameters),
                                                std::to_string(r.nonzeroParameters),
                                                exact(r.sparsity),
                                                std::to_string(r.sizeBytes),
                                                exact(double(r.sizeBytes) / 1e6),
                                                r.memoryBytes > 0 ? std::to_string(r.memoryBytes) : "",
                                                exact(r.compressionRatio()),
                                                exact(r.latency.p50Ms),
                                                exact(r.latency.p95Ms),
                                                std::to_string(r.latency.batchSize),
                                                exact(measured(r.latencyBatch1.p50Ms)),
                                                exact(measured(r.latencyBatch1.p95Ms)),
                                                exact(r.latency.samplesPerSecond),
                                                exact(r.speedup()),
                                                exact(r.trainSeconds),
                                                csvCell(join(rows, "; ")),
                                                csvCell(r.modelDir)};
        out += join(cells, ",") + "\n";
    }
    return out;
}

namespace {

struct Column {
    std::string title;
    std::function<std::string(const RunResult&)> cell;
};

std::string orDash(double v, int digits, const std::string& suffix = "") {
    return std::isnan(v) ? "-" : formatFixed(v, digits) + suffix;
}

std::vector<Column> tableColumns() {
    return {
        {"run", [](const RunResult& r) { return r.runId; }},
        {"method", [](const RunResult& r) { return std::string(resultMethodName(r.method)); }},
        {"weights", [](const RunResult& r) { return r.weightPrecision(); }},
        {"accuracy", [](const RunResult& r) { return orDash(100 * r.test.accuracy, 2, "%"); }},
        {"F1", [](const RunResult& r) { return orDash(r.test.f1, 4); }},
        {"drop", [](const RunResult& r) { return orDash(100 * r.accuracyDrop(), 2); }},
        {"sparsity", [](const RunResult& r) { return orDash(100 * r.sparsity, 1, "%"); }},
        {"non-zero params", [](const RunResult& r) { return std::to_string(r.nonzeroParameters); }},
        {"size MB", [](const RunResult& r) { return orDash(double(r.sizeBytes) / 1e6, 2); }},
        {"compression", [](const RunResult& r) { return orDash(r.compressionRatio(), 2, "x"); }},
        {"p50 ms", [](const RunResult& r) { return orDash(r.latency.p50Ms, 1); }},
        {"b1 p50 ms", [](const RunResult& r) { return orDash(measured(r.latencyBatch1.p50Ms), 1); }},
        {"speedup", [](const RunResult& r) { return orDash(r.speedup(), 2, "x"); }},
    };
}

}  // namespace

std::string comparisonTable(const std::vector<RunResult>& runs) {
    const auto columns = tableColumns();
    std::vector<size_t> width;
    for (const auto& c : columns) width.push_back(c.title.size());
    std::vector<std::vector<std::string>> cells;
    for (const auto& r : runs) {
        cells.emplace_back();
        for (size_t i = 0; i < columns.size(); ++i) {
            cells.back().push_back(columns[i].cell(r));
            width[i] = std::max(width[i], cells.back().back().size());
        }
    }
    auto line = [&](const std::vector<std::string>& row) {
        std::string out;
        for (size_t i = 0; i < row.size(); ++i) {
            const std::string pad(width[i] - row[i].size(), ' ');
            out += i < 3 ? row[i] + pad : pad + row[i];  // text left, numbers right
            if (i + 1 < row.size()) out += "  ";
        }
        return out + "\n";
    };
    std::vector<std::string> titles;
    for (const auto& c : columns) titles.push_back(c.title);
    std::string out = line(titles);
    for (const auto& row : cells) out += line(row);
    return out;
}

std::string comparisonReport(const std::vector<RunResult>& runs,
                             const std::vector<std::pair<std::string, std::string>>& images) {
    const auto columns = tableColumns();
    std::string out = "# Compression results\n\n";
    out += std::to_string(runs.size()) +
           " runs. Accuracy and F1 on each run's test split; drop in points versus the model it was made "
           "from; size is the saved model folder; latency is p50 at batch " +
           (runs.empty() ? std::string("8") : std::to_string(runs.front().latency.batchSize)) +
           " (b1: batch 1), measured side by side with the model it was made from; the full table is "
           "comparison.csv.\n\n";
    std::string header = "|", rule = "|";
    for (size_t i = 0; i < columns.size(); ++i) {
        header += " " + columns[i].title + " |";
        rule += i < 3 ? " --- |" : " ---: |";
    }
    out += header + "\n" + rule + "\n";
    for (const auto& r : runs) {
        std::string row = "|";
        for (const auto& c : columns) row += " " + c.cell(r) + " |";
        out += row + "\n";
    }
    for (const auto& [file, caption] : images) out += "\n## " + caption + "\n\n![" + caption + "](" + file + ")\n";
    return out;
}

}  // namespace tpq
