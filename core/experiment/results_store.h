#pragma once
/// \file results_store.h
/// The results folder as a whole: every run's results/<run-id>/result.json (+ history.csv)
/// read back into RunSummary rows, fresh run ids that never collide, and the comparison
/// the original's compare_results.py made — comparison.csv and report.md.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tpq {

/// One row of history.csv: a training step (epoch < 0) or an epoch's summary.
struct HistoryPoint {
    int epoch = -1;         // 1-based for epoch rows, -1 for step rows
    int64_t step = 0;       // optimizer step (step rows)
    double loss = 0;        // step rows: the step's loss; epoch rows: train loss
    double valLoss = -1;    // epoch rows; < 0 = none
    double valAccuracy = -1;
    double trainAccuracy = -1;
};

/// One row of a mixed-precision run's sensitivity table: what quantizing this layer alone
/// did to validation loss and accuracy.
struct LayerSensitivity {
    std::string layer;
    double lossDeltaInt8 = 0, accuracyDeltaInt8 = 0;
    double lossDeltaInt4 = 0, accuracyDeltaInt4 = 0;
};

/// What the comparison, the plots and the GUI read of one run. Numbers the run did not
/// record are NaN (ratios versus the baseline are 1 / 0 for a baseline run).
struct RunSummary {
    std::string runId;
    std::string method;      // baseline, unstructured, structured, progressive, dynamic, static, qat, mixed, combined
    std::string resultPath;  // results/<run-id>/result.json
    std::string modelDir;
    std::string baseModelDir;
    double accuracy = 0, precision = 0, recall = 0, f1 = 0, loss = 0;
    std::vector<std::vector<int64_t>> confusionMatrix;
    std::vector<std::string> labelNames;
    int64_t numParameters = 0, nonzeroParameters = 0;
    double sparsity = 0;
    int64_t sizeBytes = 0;
    int64_t memoryBytes = 0;  // 0 = not measured
    double latencyP50 = 0, latencyP95 = 0, throughput = 0;
    int64_t latencyBatchSize = 0;
    double latencyBatch1P50 = 0, latencyBatch1P95 = 0;  // 0 = not measured
    double compressionRatio = 1, speedup = 1, accuracyDrop = 0;
    double targetSparsity = -1;
    double trainSeconds = 0;
    std::string weightPrecision;  // precisions of the linear layers, most used first ("fp32", "int8", "int8+int4")
    std::vector<std::pair<std::string, double>> layerSparsity;
    std::vector<std::vector<double>> headImportance;  // layers x heads, < 0 = not scored
    std::vector<std::vector<bool>> headsKept;         // structured runs: layers x heads, false = removed
    std::vector<LayerSensitivity> layerSensitivity;   // mixed-precision runs, most sensitive first
    std::vector<std::pair<std::string, std::string>> precisionMap;  // quantized runs: layer -> fp32/bf16/int8/int4
    std::vector<HistoryPoint> history;                // history.csv, empty when absent
};

/// The column names of comparison.csv, in order.
const std::vector<std::string>& comparisonColumns();

class ResultsStore {
public:
    explicit ResultsStore(std::string resultsDir);

    const std::string& dir() const { return m_dir; }

    /// Every results/<run>/result.json, baselines first then by method and run id. A file
    /// that cannot be read or parsed is skipped; its path and the reason are added to
    /// `warnings` (and logged).
    std::vector<RunSummary> load(std::vector<std::string>* warnings = nullptr) const;

    /// Reads one result.json (+ history.csv beside it); throws tpq::Error naming the file.
    static RunSummary readRun(const std::string& resultJsonPath);

    /// `base` when neither results/<base> nor `otherDir`/<base> exists, else base_2,
    /// base_3, ... — a new run never overwrites another's files. With `asPrefix` (runs that
    /// write several folders "<id>_<setting>"), a folder starting with "<id>_" also counts.
    std::string uniqueRunId(const std::string& base, const std::string& otherDir = "", bool asPrefix = false) const;

private:
    std::string m_dir;
};

/// One CSV field (RFC 4180): quoted, with doubled quotes, when it holds a comma, a quote or
/// a newline.
std::string csvCell(const std::string& s);

/// comparison.csv: a header of comparisonColumns() and one row per run; numbers written
/// so that a CSV reader gets back exactly the values of result.json.
std::string comparisonCsv(const std::vector<RunSummary>& runs);

/// A plain-text table of the main columns for the terminal.
std::string comparisonTable(const std::vector<RunSummary>& runs);

/// report.md: the table in Markdown and the listed images (file names relative to the
/// report) with their captions.
std::string comparisonReport(const std::vector<RunSummary>& runs,
                             const std::vector<std::pair<std::string, std::string>>& images);

/// Reads history.csv text (the Trainer's format) into points; malformed rows are skipped.
std::vector<HistoryPoint> parseHistoryCsv(const std::string& text);

}  // namespace tpq
