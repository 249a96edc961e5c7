#pragma once
/// \file results_store.h
/// The results folder as a whole: every run's results/<run-id>/result.json (+ history.csv)
/// read back into RunResult values, fresh run ids that never collide, and the comparison
/// the original's compare_results.py made — comparison.csv and report.md.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "experiment/run_result.h"

namespace tpq {

/// The column names of comparison.csv, in order.
const std::vector<std::string>& comparisonColumns();

class ResultsStore {
public:
    explicit ResultsStore(std::string resultsDir);

    const std::string& dir() const { return m_dir; }

    /// Every results/<run>/result.json, baselines first then by method and run id. A file
    /// that cannot be read or parsed is skipped; its path and the reason are added to
    /// `warnings` (and logged).
    std::vector<RunResult> load(std::vector<std::string>* warnings = nullptr) const;

    /// Reads one result.json (+ history.csv beside it); throws tpq::Error naming the file.
    static RunResult readRun(const std::string& resultJsonPath);

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
std::string comparisonCsv(const std::vector<RunResult>& runs);

/// A plain-text table of the main columns for the terminal.
std::string comparisonTable(const std::vector<RunResult>& runs);

/// report.md: the table in Markdown and the listed images (file names relative to the
/// report) with their captions.
std::string comparisonReport(const std::vector<RunResult>& runs,
                             const std::vector<std::pair<std::string, std::string>>& images);

}  // namespace tpq
