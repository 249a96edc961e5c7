#include "cli_commands.h"

#include <chrono>
#include <cstdio>
#include <iostream>

#include <CLI/Version.hpp>
#include <nlohmann/json.hpp>

#include "config/experiment_config.h"
#include "data/dataset_loader.h"
#include "data/dataset_stats.h"
#include "experiment/pipeline.h"
#include "terminal_progress.h"
#include "text/wordpiece_tokenizer.h"
#include "util/error.h"
#include "util/logging.h"
#include "util/strings.h"
#include "util/system_info.h"
#include "util/utf8.h"

namespace tpq::cli {

CancellationToken& interruptToken() {
    static CancellationToken token;
    return token;
}

ExperimentConfig loadConfig(const std::string& path, bool strict) {
    std::vector<std::string> warnings;
    ExperimentConfig config = ExperimentConfig::load(path, &warnings);
    for (const auto& w : warnings) logWarning(w);
    if (strict && !warnings.empty()) {
        throw Error(std::to_string(warnings.size()) + " warning(s) in " + path + " and --strict is set");
    }
    const auto problems = config.validate();
    if (!problems.empty()) {
        throw Error("invalid config " + path + ":\n  " + join(problems, "\n  "));
    }
    return config;
}

int runInfo() {
    SystemInfo info = collectSystemInfo();
    info.libraries.emplace_back("CLI11", CLI11_VERSION);
    std::printf("TPQ Studio %s\n\n", TPQ_VERSION);
    std::printf("Libraries\n");
    for (const auto& [name, version] : info.libraries) std::printf("  %-14s %s\n", name.c_str(), version.c_str());
    std::printf("\nBLAS\n");
    std::printf("  loaded         %s\n", info.blasLibrary.empty() ? "(none found)" : info.blasLibrary.c_str());
    std::printf("  implementation %s\n", info.blasIsOpenBlas ? "OpenBLAS" : "not OpenBLAS (slow reference BLAS?)");
    if (!info.blasConfig.empty()) std::printf("  config         %s\n", info.blasConfig.c_str());
    std::printf("\nThreads\n");
    std::printf("  torch intra-op %d\n", info.torchThreads);
    std::printf("  hardware       %d\n", info.hardwareThreads);
    std::printf("\nQuantized engines\n  %s\n", join(info.quantizedEngines, ", ").c_str());
    std::printf("\nCPU\n");
    std::printf("  model          %s\n", info.cpuModel.c_str());
    std::printf("  features       %s\n", join(info.cpuFeatures, " ").c_str());
    if (!info.blasIsOpenBlas) {
        logWarning(
            "LibTorch is not running on OpenBLAS: matrix products will be ~40x slower. "
            "Install libopenblas0-pthread (scripts/setup does).");
    }
    return 0;
}

namespace {

std::string percent(size_t part, size_t whole) {
    return whole ? formatFixed(100.0 * double(part) / double(whole), 1) + "%" : "-";
}

void printSplitTable(const DatasetSplits& splits) {
    const auto& names = splits.train.labelNames();
    const auto tr = splits.train.countsPerClass();
    const auto va = splits.validation.countsPerClass();
    const auto te = splits.test.countsPerClass();
    std::printf("  %-16s %10s %10s %10s\n", "class", "train", "validation", "test");
    for (size_t c = 0; c < names.size(); ++c) {
        std::printf("  %-16s %10zu %10zu %10zu\n", names[c].c_str(), tr[c], va[c], te[c]);
    }
    std::printf("  %-16s %10zu %10zu %10zu\n", "total", splits.train.size(), splits.validation.size(),
                splits.test.size());
}

}  // namespace

int runDataStats(const ExperimentConfig& config, bool json) {
    // A fixed vocabulary is loaded first, so a wrong tokenizer.vocab fails before the data loads.
    std::unique_ptr<Tokenizer> tokenizer;
    if (!tokenizerNeedsTrainingData(config)) tokenizer = createTokenizer(config);

    TerminalProgress bar;
    LoadContext context{bar.callback(), &interruptToken()};
    TextClassificationDataset full;
    const auto t0 = std::chrono::steady_clock::now();
    DatasetSplits splits = loadAndSplit(config.data, config.seed, context, &full);
    bar.done();
    const double loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const LoadReport& report = full.report();
    logInfo("loaded " + std::to_string(full.size()) + " examples from " + report.source + " in " +
            formatFixed(loadSeconds, 1) + " s");
    for (const auto& n : report.notes) logInfo(n);
    for (const auto& w : report.warnings) logWarning(w);
    for (const auto& w : splits.warnings) logWarning(w);

    if (!tokenizer) tokenizer = createTokenizer(config, &splits.train);
    const auto t1 = std::chrono::steady_clock::now();
    const DatasetStats stats = computeStats(
        full, [&](const std::string& text) { return tokenizer->countTokens(text); }, size_t(config.maxLength));
    const double tokSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();

    if (json) {
        nlohmann::json j;
        j["dataset"] = config.data.dataset;
        j["source"] = report.source;
        j["records_read"] = report.recordsRead;
        j["skipped"] = report.skipped;
        j["duplicates_removed"] = report.duplicatesRemoved;
        j["conflicting_duplicates"] = report.conflictingDuplicates;
        j["invalid_utf8_replaced"] = report.invalidUtf8Replaced;
        j["total"] = stats.total;
        for (size_t c = 0; c < stats.labelNames.size(); ++c) j["counts"][stats.labelNames[c]] = stats.counts[c];
        auto lengths = [](const LengthStats& s) {
            return nlohmann::json{{"mean", s.mean}, {"min", s.min}, {"p50", s.p50}, {"p90", s.p90},
                                  {"p95", s.p95},   {"p99", s.p99}, {"max", s.max}, {"over_max_length", s.overLimit}};
        };
        j["token_length"] = lengths(stats.tokens);
        j["tokenizer"] = tokenizer->kind();
        j["max_length"] = config.maxLength;
        j["splits"] = {{"train", splits.train.size()},
                       {"validation", splits.validation.size()},
                       {"test", splits.test.size()},
                       {"seed", config.seed}};
        std::vector<std::string> warnings = report.warnings;
        warnings.insert(warnings.end(), splits.warnings.begin(), splits.warnings.end());
        j["warnings"] = warnings;
        j["notes"] = report.notes;
        // Paths and label names may not be valid UTF-8: replace rather than throw.
        std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
        return 0;
    }

    std::printf("Dataset %s: %s\n", config.data.dataset.c_str(), report.source.c_str());
    std::printf("  %zu records read, %zu skipped, %zu exact duplicates removed", report.recordsRead, report.skipped,
                report.duplicatesRemoved);
    if (report.conflictingDuplicates)
        std::printf(" (%zu of them with a different label)", report.conflictingDuplicates);
    std::printf("\n");
    if (report.invalidUtf8Replaced) {
        std::printf("  %zu invalid byte(s) replaced by U+FFFD\n", report.invalidUtf8Replaced);
    }
    std::printf("\nClasses (after de-duplication)\n");
    std::printf("  %-16s %10s %8s\n", "class", "count", "share");
    for (size_t c = 0; c < stats.labelNames.size(); ++c) {
        std::printf("  %-16s %10zu %8s\n", stats.labelNames[c].c_str(), stats.counts[c],
                    percent(stats.counts[c], stats.total).c_str());
    }
    std::printf("  %-16s %10zu\n", "total", stats.total);
    std::printf("\nStratified split (seed %llu, ratios %s/%s/%s)\n", (unsigned long long)config.seed,
                formatFixed(config.data.trainRatio, 2).c_str(), formatFixed(config.data.validationRatio, 2).c_str(),
                formatFixed(config.data.testRatio, 2).c_str());
    printSplitTable(splits);
    const LengthStats& t = stats.tokens;
    std::printf("\nToken length (%s tokenizer, vocabulary %zu, incl. [CLS] and [SEP])\n", tokenizer->kind().c_str(),
                tokenizer->vocabSize());
    std::printf("  mean %.1f  min %zu  p50 %zu  p90 %zu  p95 %zu  p99 %zu  max %zu\n", t.mean, t.min, t.p50, t.p90,
                t.p95, t.p99, t.max);
    std::printf("  longer than data.max_length %d (truncated): %zu of %zu (%s)\n", config.maxLength, t.overLimit,
                t.count, percent(t.overLimit, t.count).c_str());
    std::printf("  %s of text tokenized in %.2f s (%.1f MiB/s, one thread)\n",
                formatBytes(double(stats.textBytes)).c_str(), tokSeconds,
                tokSeconds > 0 ? double(stats.textBytes) / 1048576.0 / tokSeconds : 0.0);
    return 0;
}

int runTokenize(const TokenizeOptions& options, const std::vector<std::string>& texts) {
    const WordPieceTokenizer tokenizer = WordPieceTokenizer::fromFile(options.vocab, !options.cased);
    for (const auto& raw : texts) {
        size_t replaced = 0;
        const std::string text = sanitizeUtf8(raw, &replaced);
        if (replaced) logWarning(std::to_string(replaced) + " invalid UTF-8 byte(s) in the input replaced by U+FFFD");
        std::vector<int64_t> ids;
        if (options.maxLength > 0) {
            EncodeOptions enc;
            enc.maxLength = size_t(options.maxLength);
            enc.padToMaxLength = options.pad;
            ids = tokenizer.encode(text, enc).inputIds;
        } else {
            tokenizer.tokenizeToIds(text, ids);
        }
        std::string line;
        for (size_t i = 0; i < ids.size(); ++i) {
            if (i) line += ' ';
            line += options.ids ? std::to_string(ids[i]) : tokenizer.idToToken(ids[i]);
        }
        std::printf("%s\n", line.c_str());
    }
    return 0;
}

int runDumpConfig(const ExperimentConfig& config) {
    std::cout << config.toYaml();
    return 0;
}

}  // namespace tpq::cli
