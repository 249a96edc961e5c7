#include "data/csv_loader.h"

#include <algorithm>
#include <set>

#include "data/label_mapping.h"
#include "data/loader_common.h"
#include "util/error.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace tpq {

std::vector<CsvRecord> parseCsv(const std::string& data, char delimiter, const std::string& source) {
    std::vector<CsvRecord> records;
    CsvRecord current;
    std::string field;
    size_t line = 1;
    size_t recordLine = 1;
    size_t quoteLine = 0;
    bool inQuotes = false;
    bool fieldWasQuoted = false;
    size_t i = 0;
    // Skip a UTF-8 byte order mark.
    if (data.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;

    auto endField = [&]() {
        current.fields.push_back(std::move(field));
        field.clear();
        fieldWasQuoted = false;
    };
    auto endRecord = [&]() {
        endField();
        // A blank line is one empty, unquoted field: skip it.
        if (!(current.fields.size() == 1 && current.fields[0].empty())) {
            current.line = recordLine;
            records.push_back(std::move(current));
        }
        current = CsvRecord();
    };

    const size_t n = data.size();
    for (; i < n; ++i) {
        const char c = data[i];
        if (inQuotes) {
            if (c == '"') {
                if (i + 1 < n && data[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        if (c == '"' && !fieldWasQuoted && field.find_first_not_of(' ') == std::string::npos) {
            // A quote opens a quoted field; spaces before it (", \"a, b\"") are dropped.
            field.clear();
            inQuotes = true;
            fieldWasQuoted = true;
            quoteLine = line;
        } else if (c == delimiter) {
            endField();
        } else if (c == '\r' && i + 1 < n && data[i + 1] == '\n') {
            // CRLF: handled at the '\n'.
        } else if (c == '\n' || c == '\r') {  // LF, or a lone CR (old Mac files)
            endRecord();
            ++line;
            recordLine = line;
        } else if (fieldWasQuoted && c == ' ') {
            // Spaces between a closing quote and the delimiter.
        } else {
            // A quote inside an unquoted field, or text after a closing quote, is kept
            // literally, as most spreadsheet programs do.
            field += c;
        }
    }
    if (inQuotes) {
        throw Error(source + ":" + std::to_string(quoteLine) +
                    ": quoted field is never closed (a '\"' opens it on this line); "
                    "close the quote or double any '\"' inside the field");
    }
    if (!field.empty() || fieldWasQuoted || !current.fields.empty()) endRecord();
    return records;
}

namespace {

bool isIndex(const std::string& s) {
    return !s.empty() && s.size() <= 9 && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

int64_t findCsvColumn(const std::string& spec, const std::vector<std::string>& header) {
    for (size_t i = 0; i < header.size(); ++i)
        if (std::string(trim(header[i])) == spec) return int64_t(i);
    for (size_t i = 0; i < header.size(); ++i)
        if (toLowerAscii(trim(header[i])) == toLowerAscii(spec)) return int64_t(i);
    if (isIndex(spec) && std::stoul(spec) < header.size()) return int64_t(std::stoul(spec));
    return -1;
}

namespace {

size_t resolveColumn(const std::string& spec, const std::string& key, const std::vector<std::string>& header,
                     bool hasHeader, size_t fieldCount, const std::string& source) {
    if (hasHeader) {
        if (const int64_t found = findCsvColumn(spec, header); found >= 0) return size_t(found);
        std::vector<std::string> names;
        for (const auto& h : header) names.emplace_back(trim(h));
        std::string msg = source + ":1: no column named '" + spec + "' (data." + key + "); the header has [" +
                          join(names, ", ") + "]";
        const std::string near = nearestMatch(spec, names);
        if (!near.empty()) msg += "; did you mean '" + near + "'?";
        throw Error(msg + " Set data." + key + " to one of them.");
    }
    if (!isIndex(spec) || std::stoul(spec) >= fieldCount) {
        throw Error(source + ": data." + key + " is '" + spec +
                    "' but data.header is false, so columns are numbered: use a 0-based index (0.." +
                    std::to_string(fieldCount ? fieldCount - 1 : 0) + ")");
    }
    return std::stoul(spec);
}

/// A quoted field left open swallows the rows after it into one text. A field whose
/// continuation lines split into exactly a row's fields with a label other rows have is
/// that, not a text with line breaks: an error naming the line the quote opened on.
void checkSwallowedRows(const std::vector<CsvRecord>& records, size_t first, size_t width, size_t labelCol,
                        char delimiter, const std::string& path) {
    std::set<std::string> labels;
    for (size_t r = first; r < records.size(); ++r)
        if (records[r].fields.size() > labelCol) labels.insert(std::string(trim(records[r].fields[labelCol])));
    for (size_t r = first; r < records.size(); ++r) {
        const CsvRecord& rec = records[r];
        size_t line = rec.line;
        for (const std::string& field : rec.fields) {
            const auto lines = split(field, '\n');
            for (size_t k = 1; k < lines.size(); ++k) {
                const auto parts = split(lines[k], delimiter);
                if (parts.size() == width && labelCol < width && labels.count(std::string(trim(parts[labelCol])))) {
                    throw Error(path + ":" + std::to_string(line) + ": a quoted field that opens on this line runs " +
                                "on over line " + std::to_string(line + k) + ", which looks like a row of its own ('" +
                                std::string(trim(lines[k])).substr(0, 60) +
                                "'): close the quote, or double any '\"' inside the field");
                }
            }
            line += lines.size() - 1;
        }
    }
}

}  // namespace

TextClassificationDataset loadCsv(const std::string& path, const CsvOptions& options, const LoadContext& context) {
    const std::string what = options.delimiter == '\t' ? "TSV file" : "CSV file";
    const std::string data = readTextFile(path, what);
    std::vector<CsvRecord> records = parseCsv(data, options.delimiter, path);
    if (records.empty()) throw Error(what + " " + path + " has no rows");

    std::vector<std::string> header;
    size_t first = 0;
    if (options.header) {
        header = records[0].fields;
        first = 1;
        if (records.size() == 1) {
            throw Error(what + " " + path + " has a header row but no examples");
        }
    }
    const size_t width = records[first].fields.size();
    const size_t textCol = resolveColumn(options.textColumn, "text_column", header, options.header, width, path);
    const size_t labelCol = resolveColumn(options.labelColumn, "label_column", header, options.header, width, path);
    if (textCol == labelCol) {
        throw Error(path + ": data.text_column and data.label_column both select column " +
                    std::to_string(textCol + 1) +
                    (options.header ? " ('" + std::string(trim(header[textCol])) + "')" : std::string()) +
                    "; point them at different columns");
    }
    const std::string textName = options.header ? header[textCol] : options.textColumn;
    const std::string labelName = options.header ? header[labelCol] : options.labelColumn;

    checkSwallowedRows(records, first, width, labelCol, options.delimiter, path);
    LoadReport report;
    report.source = path;
    std::vector<std::string> texts, rawLabels;
    std::vector<size_t> rowLines;
    texts.reserve(records.size());
    for (size_t r = first; r < records.size(); ++r) {
        if (context.cancel && (r % 1000 == 0)) context.cancel->throwIfCancelled();
        const CsvRecord& rec = records[r];
        const std::string where = path + ":" + std::to_string(rec.line) + ": row " + std::to_string(r - first + 1);
        if (rec.fields.size() <= std::max(textCol, labelCol)) {
            const bool noLabel = rec.fields.size() <= labelCol;
            throw Error(where + " has " + std::to_string(rec.fields.size()) + " field(s) but " +
                        (noLabel ? "the label column '" + labelName + "' is field "
                                 : "the text column '" + textName + "' is field ") +
                        std::to_string((noLabel ? labelCol : textCol) + 1) + (noLabel ? ": the row has no label" : "") +
                        "; add the missing field or remove the row (a text with commas needs \"quotes\")");
        }
        if (options.header && rec.fields.size() > header.size()) {
            throw Error(where + " has " + std::to_string(rec.fields.size()) + " fields but the header has " +
                        std::to_string(header.size()) +
                        "; a text containing the delimiter must be in \"double quotes\" (double any quote inside)");
        }
        std::string label(trim(rec.fields[labelCol]));
        if (label.empty()) {
            throw Error(where + ": empty label in column '" + labelName +
                        "'; give every row a label or remove the row");
        }
        std::string text = sanitizeUtf8(rec.fields[textCol], &report.invalidUtf8Replaced);
        if (trim(text).empty()) {
            ++report.skipped;
            continue;
        }
        texts.push_back(std::move(text));
        rawLabels.push_back(sanitizeUtf8(label, &report.invalidUtf8Replaced));
        rowLines.push_back(rec.line);
    }
    if (report.skipped) {
        report.warnings.push_back(std::to_string(report.skipped) + " row(s) with an empty text in column '" + textName +
                                  "' were skipped");
    }
    if (report.invalidUtf8Replaced) {
        report.warnings.push_back(std::to_string(report.invalidUtf8Replaced) +
                                  " invalid UTF-8 sequence(s) replaced by U+FFFD in " + path);
    }
    if (texts.empty()) throw Error(what + " " + path + " has no rows with a non-empty text");
    report.recordsRead = texts.size() + report.skipped;

    LabelMapping mapping =
        mapLabels(rawLabels, options.labelNames, [&](size_t i) { return path + ":" + std::to_string(rowLines[i]); });
    for (const auto& w : mapping.warnings) report.warnings.push_back(path + ": " + w);
    TextClassificationDataset dataset(mapping.names);
    for (size_t i = 0; i < texts.size(); ++i) dataset.add(std::move(texts[i]), mapping.ids[i]);
    dataset.report() = std::move(report);
    if (context.progress) context.progress({int64_t(records.size()), int64_t(records.size()), "read " + path, 0});
    return dataset;
}

}  // namespace tpq
