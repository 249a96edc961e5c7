#pragma once
/// \file csv_loader.h
/// CSV/TSV (RFC 4180: quoted fields, doubled quotes, multi-line fields, CRLF) into a
/// TextClassificationDataset.

#include <string>
#include <vector>

#include "data/dataset_options.h"
#include "data/text_classification_dataset.h"

namespace tpq {

struct CsvOptions {
    char delimiter = ',';                 // ',' for CSV, '\t' for TSV
    bool header = true;                   // first record names the columns
    std::string textColumn = "text";      // column name, or 0-based index when all digits
    std::string labelColumn = "label";    // column name, or 0-based index when all digits
    std::vector<std::string> labelNames;  // fixed label order; empty = derive from the data
};

/// One parsed record and the 1-based line it starts on.
struct CsvRecord {
    std::vector<std::string> fields;
    size_t line = 0;
};

/// Parses RFC 4180 text. `source` names the file in errors. Throws tpq::Error for an
/// unterminated quoted field (naming the line it opened on).
std::vector<CsvRecord> parseCsv(const std::string& data, char delimiter, const std::string& source);

/// The column `spec` names in a header: an exact name, else a name ignoring ASCII case,
/// else a 0-based index; -1 when none. loadCsv resolves data.text_column /
/// data.label_column this way.
int64_t findCsvColumn(const std::string& spec, const std::vector<std::string>& header);

/// Loads a CSV or TSV file. Every error names the file, the row and line, and the column.
TextClassificationDataset loadCsv(const std::string& path, const CsvOptions& options, const LoadContext& context = {});

}  // namespace tpq
