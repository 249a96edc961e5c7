#include "data/folder_loader.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "util/error.h"
#include "util/file_io.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace fs = std::filesystem;

namespace tpq {
namespace {

struct ClassFolder {
    std::string label;
    std::vector<fs::path> files;
};

void requireFolder(const std::string& root, const std::string& what) {
    std::error_code ec;
    if (!fs::exists(root, ec)) {
        throw Error(what + " not found: " + root +
                    " (set data.path to the folder that holds one sub-folder per class)");
    }
    if (!fs::is_directory(root, ec)) {
        throw Error(what + " " + root + " is a file, expected a folder with one sub-folder per class");
    }
}

std::vector<fs::path> txtFiles(const fs::path& dir, size_t* ignored) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        if (entry.path().extension() == ".txt") {
            files.push_back(entry.path());
        } else {
            ++*ignored;
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

// Reads the files of each class folder into `dataset`, counting progress over all files.
void readClassFolders(const std::vector<ClassFolder>& folders, const std::vector<int64_t>& ids,
                      TextClassificationDataset& dataset, const LoadContext& context, size_t& done, size_t total) {
    LoadReport& report = dataset.report();
    ProgressReporter progress(context.progress, int64_t(total), "reading text files");
    for (size_t f = 0; f < folders.size(); ++f) {
        for (const auto& file : folders[f].files) {
            if (context.cancel) context.cancel->throwIfCancelled();
            const std::string path = file.string();
            std::string raw = readFile(path, "text file");
            if (looksBinary(raw)) {
                throw Error(path + " looks like a binary file, not text; remove it from " +
                            file.parent_path().string() + " or convert it to UTF-8 text");
            }
            ++report.recordsRead;
            std::string text(trim(sanitizeUtf8(raw, &report.invalidUtf8Replaced)));
            if (text.empty()) {
                ++report.skipped;
            } else {
                dataset.add(std::move(text), ids[f]);
            }
            progress.update(int64_t(++done));
        }
    }
}

void finishReport(LoadReport& report, size_t ignored) {
    if (ignored) {
        report.warnings.push_back(std::to_string(ignored) + " file(s) without the .txt extension were ignored");
    }
    if (report.skipped) report.warnings.push_back(std::to_string(report.skipped) + " empty file(s) were skipped");
    if (report.invalidUtf8Replaced) {
        report.warnings.push_back(std::to_string(report.invalidUtf8Replaced) +
                                  " invalid UTF-8 sequence(s) replaced by U+FFFD");
    }
}

// Filesystem failures (permissions, symlink loops, files vanishing) become tpq::Error.
template <class F>
TextClassificationDataset withFilesystemErrors(const std::string& root, F load) {
    try {
        return load();
    } catch (const fs::filesystem_error& e) {
        throw Error("cannot read dataset folder " + root + ": " + e.code().message() +
                    (e.path1().empty() ? std::string() : " at " + e.path1().string()) +
                    " (check permissions and symbolic links)");
    }
}

TextClassificationDataset loadFolderImpl(const std::string& root, const std::vector<std::string>& labelNames,
                                         const LoadContext& context) {
    requireFolder(root, "dataset folder");
    size_t ignored = 0;
    std::vector<ClassFolder> folders;
    std::vector<std::string> emptyFolders;
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(root)) {
        if (entry.is_directory()) dirs.push_back(entry.path());
    }
    std::sort(dirs.begin(), dirs.end());
    for (const auto& dir : dirs) {
        ClassFolder folder{dir.filename().string(), txtFiles(dir, &ignored)};
        if (folder.files.empty()) {
            emptyFolders.push_back(folder.label);
        } else {
            folders.push_back(std::move(folder));
        }
    }
    if (folders.empty()) {
        throw Error("dataset folder " + root +
                    " has no class sub-folders with .txt files; expected <root>/<label>/*.txt");
    }
    std::vector<std::string> names;
    std::vector<int64_t> ids;
    if (labelNames.empty()) {
        for (const auto& f : folders) {
            ids.push_back(int64_t(names.size()));
            names.push_back(f.label);
        }
    } else {
        names = labelNames;
        for (const auto& f : folders) {
            auto it = std::find(names.begin(), names.end(), f.label);
            if (it == names.end()) {
                throw Error("dataset folder " + root + ": sub-folder '" + f.label + "' is not in data.label_names [" +
                            join(names, ", ") + "]; add it or remove the folder");
            }
            ids.push_back(it - names.begin());
        }
    }
    TextClassificationDataset dataset(names);
    dataset.report().source = root;
    size_t total = 0, done = 0;
    for (const auto& f : folders) total += f.files.size();
    readClassFolders(folders, ids, dataset, context, done, total);
    if (!emptyFolders.empty()) {
        dataset.report().warnings.push_back("sub-folder(s) without .txt files skipped: " + join(emptyFolders, ", "));
    }
    finishReport(dataset.report(), ignored);
    return dataset;
}

}  // namespace

bool hasImdbLayout(const std::string& root) {
    std::error_code ec;
    const fs::path r(root);
    return fs::is_directory(r / "train" / "pos", ec) || fs::is_directory(r / "test" / "pos", ec) ||
           (fs::is_directory(r / "pos", ec) && fs::is_directory(r / "neg", ec));
}

namespace {

TextClassificationDataset loadImdbImpl(const std::string& root, const LoadContext& context) {
    requireFolder(root, "IMDB folder");
    std::vector<fs::path> splitDirs;
    if (!hasImdbLayout(root)) {
        throw Error("IMDB folder " + root +
                    " does not have the aclImdb layout: expected <root>/train/{pos,neg}/*.txt and "
                    "<root>/test/{pos,neg}/*.txt (unpack aclImdb_v1.tar.gz and point data.path at aclImdb)");
    }
    if (fs::is_directory(fs::path(root) / "train" / "pos") || fs::is_directory(fs::path(root) / "test" / "pos")) {
        for (const char* split : {"train", "test"}) {
            if (fs::is_directory(fs::path(root) / split)) splitDirs.push_back(fs::path(root) / split);
        }
    } else {
        splitDirs.push_back(root);  // <root>/pos and <root>/neg
    }
    const std::vector<std::string> names = {"neg", "pos"};
    std::vector<ClassFolder> folders;
    std::vector<int64_t> ids;
    size_t ignored = 0;
    for (const auto& dir : splitDirs) {
        for (size_t c = 0; c < names.size(); ++c) {
            const fs::path classDir = dir / names[c];
            if (!fs::is_directory(classDir)) {
                throw Error("IMDB folder " + dir.string() + " has no '" + names[c] + "' sub-folder");
            }
            folders.push_back({names[c], txtFiles(classDir, &ignored)});
            ids.push_back(int64_t(c));
        }
    }
    TextClassificationDataset dataset(names);
    dataset.report().source = root;
    size_t total = 0, done = 0;
    for (const auto& f : folders) total += f.files.size();
    if (total == 0) throw Error("IMDB folder " + root + " has no .txt reviews under pos/ and neg/");
    readClassFolders(folders, ids, dataset, context, done, total);
    finishReport(dataset.report(), ignored);
    return dataset;
}

}  // namespace

TextClassificationDataset loadFolder(const std::string& root, const std::vector<std::string>& labelNames,
                                     const LoadContext& context) {
    return withFilesystemErrors(root, [&] { return loadFolderImpl(root, labelNames, context); });
}

TextClassificationDataset loadImdb(const std::string& root, const LoadContext& context) {
    return withFilesystemErrors(root, [&] { return loadImdbImpl(root, context); });
}

}  // namespace tpq
