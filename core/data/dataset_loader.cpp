#include "data/dataset_loader.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "data/csv_loader.h"
#include "data/folder_loader.h"
#include "data/jsonl_loader.h"
#include "data/spam_assassin.h"
#include "util/error.h"
#include "util/strings.h"

namespace tpq {

const std::vector<std::string>& knownDatasetKinds() {
    static const std::vector<std::string> kinds = {"spam_assassin", "imdb", "csv", "tsv", "jsonl", "folder"};
    return kinds;
}

std::vector<std::string> DatasetOptions::validate() const {
    std::vector<std::string> problems;
    const auto& kinds = knownDatasetKinds();
    if (std::find(kinds.begin(), kinds.end(), dataset) == kinds.end()) {
        std::string msg = "data.dataset: unknown dataset '" + dataset + "' (use one of " + join(kinds, ", ") + ")";
        const std::string near = nearestMatch(dataset, kinds);
        if (!near.empty()) msg += "; did you mean '" + near + "'?";
        problems.push_back(msg);
    } else if (path.empty() && dataset != "spam_assassin") {
        problems.push_back("data.path: dataset '" + dataset + "' needs data.path (the " +
                           (dataset == "imdb" || dataset == "folder" ? "folder" : "file") + " to read)");
    }
    if (trainRatio <= 0 || trainRatio > 1)
        problems.push_back("data.train_ratio must be in (0, 1], got " + formatFixed(trainRatio, 3));
    if (validationRatio < 0 || validationRatio >= 1)
        problems.push_back("data.val_ratio must be in [0, 1), got " + formatFixed(validationRatio, 3));
    if (testRatio < 0 || testRatio >= 1)
        problems.push_back("data.test_ratio must be in [0, 1), got " + formatFixed(testRatio, 3));
    const double sum = trainRatio + validationRatio + testRatio;
    if (std::abs(sum - 1.0) > 1e-6) {
        problems.push_back("data.train_ratio + data.val_ratio + data.test_ratio must be 1, got " + formatFixed(sum, 3));
    }
    std::set<std::string> seenNames;
    for (const auto& name : labelNames) {
        if (trim(name).empty()) problems.push_back("data.label_names has an empty name");
        if (!seenNames.insert(name).second) problems.push_back("data.label_names lists '" + name + "' twice");
    }
    if (labelNames.size() == 1) problems.push_back("data.label_names needs at least 2 classes, got 1");
    if (textColumn.empty()) problems.push_back("data.text_column must not be empty");
    if (labelColumn.empty()) problems.push_back("data.label_column must not be empty");
    return problems;
}

TextClassificationDataset loadDataset(const DatasetOptions& options, const LoadContext& context) {
    const auto problems = options.validate();
    if (!problems.empty()) throw Error(join(problems, "\n"));
    const std::string& kind = options.dataset;
    if (kind == "spam_assassin") {
        return loadSpamAssassin(options.path.empty() ? defaultSpamAssassinPath() : options.path, context);
    }
    if (kind == "imdb") return loadImdb(options.path, context);
    if (kind == "folder") return loadFolder(options.path, options.labelNames, context);
    if (kind == "jsonl") {
        JsonlOptions o;
        o.textKey = options.textColumn;
        o.labelKey = options.labelColumn;
        o.labelNames = options.labelNames;
        return loadJsonl(options.path, o, context);
    }
    CsvOptions o;
    o.delimiter = kind == "tsv" ? '\t' : ',';
    o.header = options.header;
    o.textColumn = options.textColumn;
    o.labelColumn = options.labelColumn;
    o.labelNames = options.labelNames;
    return loadCsv(options.path, o, context);
}

DatasetSplits loadAndSplit(const DatasetOptions& options, uint64_t seed, const LoadContext& context,
                           TextClassificationDataset* full) {
    TextClassificationDataset dataset = loadDataset(options, context);
    const auto counts = dataset.countsPerClass();
    const size_t present = size_t(std::count_if(counts.begin(), counts.end(), [](size_t c) { return c > 0; }));
    if (present < 2) {
        throw Error(dataset.report().source + ": only " + std::to_string(present) + " class found (" +
                    join(dataset.labelNames(), ", ") +
                    "); a classifier needs at least 2: check data.label_column (and data.label_names)");
    }
    if (options.deduplicate) removeDuplicates(dataset);
    limitSamples(dataset, options.maxSamples, seed);
    DatasetSplits splits =
        stratifiedSplit(dataset, options.trainRatio, options.validationRatio, options.testRatio, seed);
    for (size_t c = 0; c < counts.size(); ++c) {
        if (counts[c] == 0) {
            splits.warnings.push_back("class '" + dataset.labelNames()[c] + "' (data.label_names) has no examples");
        }
    }
    if (full) *full = std::move(dataset);
    return splits;
}

}  // namespace tpq
